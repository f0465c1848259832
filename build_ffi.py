"""cffi (API mode) build of redistill._core: cdef from csrc/redistill.h, compiled with csrc/*.c.

csrc/commands_generated.h is written first from the command table (redistill/commands/gen_header.py).
The Lua engine's flags (Debian's Lua 5.1, lua-cjson, lua-bitop) come from tools/luaflags.py.

The cdef is the header minus its preprocessor lines, and set_source includes the
same header, so the C compiler checks Python's view of the API against the C one.
Extra flags come from the environment (sanitizer builds):
    REDISTILL_CFLAGS   appended to the compile flags
    REDISTILL_LDFLAGS  appended to the link flags
"""
import glob
import importlib.util
import os
import shlex

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
CSRC = os.path.join(HERE, "csrc")
HEADER = os.path.join(CSRC, "redistill.h")


def _load(name: str, *path: str):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, *path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generate_command_header() -> None:
    _load("redistill_gen_header", "redistill", "commands", "gen_header.py").main([])


def _cdef_text(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return "".join(line for line in f if not line.lstrip().startswith("#"))


_generate_command_header()
luaflags = _load("redistill_luaflags", "tools", "luaflags.py")
ffibuilder = FFI()
ffibuilder.cdef(_cdef_text(HEADER))
ffibuilder.set_source(
    "redistill._core",
    '#include "redistill.h"',
    # setuptools insists on paths relative to setup.py (it builds from this folder).
    sources=sorted(os.path.relpath(p, HERE) for p in glob.glob(os.path.join(CSRC, "*.c"))) + luaflags.sources(HERE),
    include_dirs=[CSRC, luaflags.INCLUDE],
    extra_compile_args=["-O2", "-std=c11", "-Wall", "-Wextra", "-D_GNU_SOURCE"]
    + shlex.split(os.environ.get("REDISTILL_CFLAGS", "")),
    extra_link_args=shlex.split(os.environ.get("REDISTILL_LDFLAGS", "")),
    libraries=["pthread", *luaflags.LIBRARIES],
)

if __name__ == "__main__":  # a quick build outside pip: python build_ffi.py
    os.chdir(HERE)
    ffibuilder.compile(tmpdir="build", verbose=True)
