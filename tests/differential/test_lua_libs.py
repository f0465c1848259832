"""csrc/lua/cmsgpack.c and csrc/lua/struct.c against the cmsgpack and struct that Debian's redis-server
gives scripts, without the scripting engine: each library is compiled here as a standalone Lua 5.1 module
and loaded into Debian's lua5.1 interpreter, and every snippet of lua_lib_cases.py must give the same
text there as through redis-server's EVAL (packed bytes, unpacked values, error messages)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from servers import ROOT, make_client

from .lua_lib_cases import CMSGPACK, STRUCT, random_cmsgpack_cases, random_struct_cases, script

LUA = shutil.which("lua5.1")
LUA_INCLUDE = Path("/usr/include/lua5.1")
GCC = shutil.which("gcc")

pytestmark = [
    pytest.mark.skipif(LUA is None, reason="lua5.1 is not installed (make test-deps installs Debian's lua5.1)"),
    pytest.mark.skipif(not (LUA_INCLUDE / "lua.h").exists() or GCC is None,
                       reason="needs gcc and Debian's liblua5.1-0-dev headers in /usr/include/lua5.1"),
    # no Redistill here: the pass with the fast path on (make test's other differential run) covers it
    pytest.mark.skipif(os.environ.get("REDISTILL_FASTPATH") == "0",
                       reason="standalone modules: nothing here depends on REDISTILL_FASTPATH"),
]

# Loads the modules, then runs each script (hex on stdin, one per line) as a chunk named like Redis's
# ("@user_script"), printing what it returns, or its error, one line each.
DRIVER = r"""
package.cpath = arg[1] .. '/?.so;' .. package.cpath
require 'cmsgpack'
require 'struct'
local function unhex(h) return (h:gsub('..', function(x) return string.char(tonumber(x, 16)) end)) end
for line in io.lines() do
  local f, err = loadstring(unhex(line), '@user_script')
  local ok, out
  if f then ok, out = pcall(f) else ok, out = false, err end
  io.write((ok and '' or 'ERROR ') .. tostring(out):gsub('\n', '\\n'), '\n')
end
"""


def build_modules(out: Path, flags: list[str]) -> Path:
    """cmsgpack.so and struct.so (csrc/lua/) as Lua 5.1 modules in out, with the driver beside them."""
    for name in ("cmsgpack", "struct"):
        subprocess.run([GCC, "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-D_GNU_SOURCE", "-shared", "-fPIC",
                        *flags, f"-I{LUA_INCLUDE}", "-o", str(out / f"{name}.so"),
                        str(ROOT / "csrc" / "lua" / f"{name}.c")], check=True, capture_output=True, text=True)
    (out / "driver.lua").write_text(DRIVER)
    return out


@pytest.fixture(scope="module")
def lua_modules(tmp_path_factory) -> Path:
    return build_modules(tmp_path_factory.mktemp("lua-modules"), [])


def run_standalone(modules: Path, scripts: list[str], env: dict | None = None) -> list[str]:
    stdin = "".join(s.encode().hex() + "\n" for s in scripts)
    p = subprocess.run([LUA, str(modules / "driver.lua"), str(modules)], input=stdin, capture_output=True,
                       text=True, errors="replace", timeout=300, env=env)
    assert p.returncode == 0, p.stderr[-3000:]
    lines = p.stdout.split("\n")[:-1]
    assert len(lines) == len(scripts), (len(lines), len(scripts), p.stderr[-2000:])
    return lines


def run_redis(server, scripts: list[str]) -> list[str]:
    """Each script through EVAL; an error reply (one no pcall caught) gives 'ERROR <text>'."""
    import redis

    c = make_client(server, protocol=2, socket_timeout=60)
    out = []
    try:
        for s in scripts:
            try:
                out.append(c.eval(s, 0).decode(errors="replace"))
            except redis.ResponseError as e:
                out.append(f"ERROR {e}")
        c.script_flush()
    finally:
        c.close()
    return out


def assert_same_texts(bodies: list[str], theirs: list[str], ours: list[str]) -> None:
    """Redis's text for each snippet, then ours; the first differences are shown."""
    wrong = [f"{b}\n  redis: {t[:600]}\n  ours:  {o[:600]}" for b, t, o in zip(bodies, theirs, ours) if t != o]
    assert not wrong, f"{len(wrong)} of {len(bodies)} differ:\n" + "\n".join(wrong[:15])


def assert_same(redis_server, lua_modules, bodies: list[str]) -> None:
    scripts = [script(b) for b in bodies]
    ours = run_standalone(lua_modules, scripts)
    theirs = run_redis(redis_server, scripts)
    assert_same_texts(bodies, theirs, ours)
    # a case whose error is the harness's own (a typo, a global Redis forbids) would compare equal and test nothing
    assert not [t for t in theirs if t.startswith("ERROR")], [t for t in theirs if t.startswith("ERROR")][:5]


def test_cmsgpack_matches_redis(redis_server, lua_modules):
    assert_same(redis_server, lua_modules, CMSGPACK)


def test_cmsgpack_random_matches_redis(redis_server, lua_modules):
    assert_same(redis_server, lua_modules, random_cmsgpack_cases(seed=17, count=400))


def test_struct_matches_redis(redis_server, lua_modules):
    assert_same(redis_server, lua_modules, STRUCT)


def test_struct_random_matches_redis(redis_server, lua_modules):
    assert_same(redis_server, lua_modules, random_struct_cases(seed=17, count=400))


def test_library_fields_match_redis(redis_server, lua_modules):
    """The tables hold the same names (functions and cmsgpack's identification strings)."""
    body = ("local out = {} for _, lib in ipairs({'cmsgpack', 'struct'}) do "
            "for k, v in pairs(_G[lib]) do out[lib .. '.' .. k] = type(v) == 'string' and v or type(v) end end "
            "return out")
    assert_same(redis_server, lua_modules, [body])


def test_sanitizers_find_nothing(tmp_path, lua_modules):
    """Every snippet, and more random ones, on modules built with ASan and UBSan (aborting on the first
    report; lua5.1 itself is not instrumented, so the runtimes are preloaded): the same texts as the
    plain build, and no report."""
    runtimes = [subprocess.run([GCC, f"-print-file-name={lib}"], capture_output=True, text=True).stdout.strip()
                for lib in ("libasan.so", "libubsan.so")]
    if not all(Path(r).is_absolute() and Path(r).exists() for r in runtimes):
        pytest.skip("gcc's ASan/UBSan runtimes are not installed")
    modules = build_modules(tmp_path, ["-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                                       "-fno-omit-frame-pointer"])
    env = dict(os.environ, LD_PRELOAD=" ".join(runtimes), ASAN_OPTIONS="detect_leaks=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    scripts = [script(b) for b in CMSGPACK + STRUCT + random_cmsgpack_cases(seed=41, count=300)
               + random_struct_cases(seed=41, count=300)]
    assert run_standalone(modules, scripts, env) == run_standalone(lua_modules, scripts)
