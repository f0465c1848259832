"""The keyspace and connection code under ThreadSanitizer and AddressSanitizer/UBSan, built straight from csrc/
with stress_threads.c (threads on the keyspace and connections) and stress_evict.c (eviction, policy and
limit switches under concurrent writers); Python cannot host a TSan build.  Skips when gcc or the sanitizer runtime is missing."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CSRC = HERE.parent.parent / "csrc"
GCC = shutil.which("gcc")
# make sanitize runs this file with libasan preloaded into Python; the binaries built here bring their own
# runtime (a TSan binary with libasan preloaded crashes at start).
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}


@pytest.mark.skipif(GCC is None, reason="gcc not found")
@pytest.mark.parametrize("flags", [["-fsanitize=thread"],
                                   ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]],
                         ids=["tsan", "asan-ubsan"])
@pytest.mark.parametrize("program", ["stress_threads.c", "stress_evict.c"])
def test_stress_under_sanitizer(tmp_path, flags, program):
    exe = tmp_path / "stress"
    build = subprocess.run([GCC, "-O1", "-g", "-std=c11", "-Wall", "-Wextra", *flags, f"-I{CSRC}",
                            str(HERE / program), *map(str, sorted(CSRC.glob("*.c"))),
                            "-o", str(exe), "-lpthread"], capture_output=True, text=True, timeout=300,
                           env=CLEAN_ENV)
    if build.returncode != 0 and "sanitize" in build.stderr:
        pytest.skip(f"sanitizer runtime unavailable: {build.stderr[-300:]}")
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=600, env=CLEAN_ENV)
    if "unexpected memory mapping" in run.stderr:
        pytest.skip("ThreadSanitizer cannot run with this kernel's memory layout")
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stdout[-2000:] + run.stderr[-4000:]
    assert "WARNING: ThreadSanitizer" not in run.stderr and "runtime error" not in run.stderr, run.stderr[-4000:]
