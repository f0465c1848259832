"""The keyspace and connection code under ThreadSanitizer, AddressSanitizer/UBSan and LeakSanitizer, built
straight from csrc/ with stress_threads.c (threads on the keyspace and connections), stress_pubsub.c (Pub/Sub
across workers: publishers, deliveries and subscriber churn on every thread), stress_evict.c
(eviction, policy and limit switches under concurrent writers) and leak_check.c (every type made and killed
every way, eviction included, with used_memory checked to the byte); Python cannot host a TSan build, and
its own allocations would drown a leak report.  Skips when gcc or the sanitizer runtime is missing."""

import importlib.util
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CSRC = HERE.parent.parent / "csrc"
GCC = shutil.which("gcc")
# make sanitize runs this file with libasan preloaded into Python; the binaries built here bring their own
# runtime (a TSan binary with libasan preloaded crashes at start).  Leak checking is on: an ASan or LSan
# binary fails (exit 1 or 23, with the report on stderr) when memory is left unreachable at exit.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "LSAN_OPTIONS")}
LEAK_ENV = {**CLEAN_ENV, "ASAN_OPTIONS": "detect_leaks=1", "LSAN_OPTIONS": "detect_leaks=1"}
ASAN_UBSAN = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]


def _luaflags():
    """tools/luaflags.py: the Lua engine's compiler and linker flags, as every build of csrc/ takes them."""
    spec = importlib.util.spec_from_file_location("luaflags", HERE.parent.parent / "tools" / "luaflags.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LUA = _luaflags()
COMPILE = ["-O1", "-g", "-std=c11", "-Wall", "-Wextra", *LUA.cflags()]


def _gcc(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([GCC, *args], capture_output=True, text=True, timeout=300, env=CLEAN_ENV)


@pytest.fixture(scope="module")
def csrc_objects(tmp_path_factory):
    """flags -> csrc/*.c compiled to objects under those flags, once per module: the programs with the same
    flags link the same objects (two compilers at a time; the build of csrc is most of each test's time)."""
    built: dict[tuple[str, ...], list[Path]] = {}

    def objects(flags: list[str]) -> list[Path]:
        key = tuple(flags)
        if key not in built:
            out = tmp_path_factory.mktemp("objs")
            srcs = sorted(CSRC.glob("*.c")) + sorted(CSRC.glob("lua/*.c"))
            objs = [out / (src.stem + ".o") for src in srcs]
            with ThreadPoolExecutor(max_workers=2) as pool:
                runs = list(pool.map(lambda so: _gcc([*COMPILE, *flags, f"-I{CSRC}", "-c", str(so[0]), "-o",
                                                      str(so[1])]), zip(srcs, objs)))
            for run in runs:
                if run.returncode != 0 and "sanitize" in run.stderr:
                    pytest.skip(f"sanitizer runtime unavailable: {run.stderr[-300:]}")
                assert run.returncode == 0, run.stderr
            built[key] = objs
        return built[key]

    return objects


def build_and_run(tmp_path: Path, objects, program: str, flags: list[str]) -> subprocess.CompletedProcess:
    """Links program with every csrc/*.c compiled under flags and runs it; skips when the runtime is missing."""
    exe = tmp_path / "prog"
    build = _gcc([*COMPILE, *flags, f"-I{CSRC}", str(HERE / program), *map(str, objects(flags)),
                  "-o", str(exe), "-lpthread", *LUA.libs()])
    if build.returncode != 0 and "sanitize" in build.stderr:
        pytest.skip(f"sanitizer runtime unavailable: {build.stderr[-300:]}")
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=600, env=LEAK_ENV)
    if "unexpected memory mapping" in run.stderr:
        pytest.skip("ThreadSanitizer cannot run with this kernel's memory layout")
    return run


@pytest.mark.skipif(GCC is None, reason="gcc not found")
@pytest.mark.parametrize("flags", [["-fsanitize=thread"], ASAN_UBSAN], ids=["tsan", "asan-ubsan"])
@pytest.mark.parametrize("program", ["stress_threads.c", "stress_evict.c", "stress_pubsub.c"])
def test_stress_under_sanitizer(tmp_path, csrc_objects, flags, program):
    run = build_and_run(tmp_path, csrc_objects, program, flags)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stdout[-2000:] + run.stderr[-4000:]
    assert "WARNING: ThreadSanitizer" not in run.stderr and "runtime error" not in run.stderr, run.stderr[-4000:]


@pytest.mark.skipif(GCC is None, reason="gcc not found")
@pytest.mark.parametrize("flags", [ASAN_UBSAN, ["-fsanitize=leak"]], ids=["asan-ubsan-lsan", "lsan"])
def test_no_leaks_under_leak_sanitizer(tmp_path, csrc_objects, flags):
    """Every value of every type, killed every way (eviction included), is freed, and used_memory says so."""
    run = build_and_run(tmp_path, csrc_objects, "leak_check.c", flags)
    assert "LeakSanitizer" not in run.stderr, run.stderr[-6000:]
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stdout[-3000:] + run.stderr[-4000:]
