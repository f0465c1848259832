"""The single-file executable from `make dist`: dist/redistill starts with a clean environment
(`env -i PATH=/usr/bin:/bin`: no virtualenv, no PYTHONPATH, no HOME) from a directory outside the source
tree, and Debian's redis-cli talks to it.  Skipped unless dist/redistill exists (`make test-dist` builds it
and runs this file).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from servers import ROOT, free_port

DIST = ROOT / "dist" / "redistill"
REDIS_CLI = shutil.which("redis-cli")
START_TIMEOUT = 30.0  # the one-file bundle unpacks itself before Python starts

pytestmark = [
    pytest.mark.skipif(not DIST.exists(), reason="dist/redistill not built: run `make test-dist`"),
    pytest.mark.skipif(REDIS_CLI is None, reason="redis-cli not found (apt-get install redis-tools)"),
]


def cli(port: int, *args: str) -> str:
    out = subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(port), *args],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode == 0, out.stderr
    return out.stdout.removesuffix("\n")  # one reply per line; a nil is an empty line


def clean_run(*args: str, cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["env", "-i", "PATH=/usr/bin:/bin", str(DIST), *args], cwd=cwd,
                          capture_output=True, text=True, **kw)


def test_version_and_help_in_a_clean_environment(tmp_path):
    v = clean_run("--version", cwd=tmp_path, timeout=60)
    assert v.returncode == 0, v.stderr
    assert v.stdout.startswith("redistill ")
    h = clean_run("--help", cwd=tmp_path, timeout=60)
    assert h.returncode == 0 and "--port" in h.stdout, h.stderr


def test_bad_config_is_one_line_and_exit_1(tmp_path):
    bad = clean_run("--port", "0", cwd=tmp_path, timeout=60)
    assert bad.returncode != 0
    assert "--port" in bad.stderr and "Traceback" not in bad.stderr, bad.stderr


def test_serves_redis_cli_with_the_c_core(tmp_path):
    port = free_port()
    (tmp_path / "redistill.toml").write_text(f'[server]\nport = {port}\nthreads = 2\nhealth_check_port = 0\n')
    log = open(tmp_path / "stderr.log", "wb")
    proc = subprocess.Popen(["env", "-i", "PATH=/usr/bin:/bin", str(DIST)], cwd=tmp_path,
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    log.close()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert proc.poll() is None, (tmp_path / "stderr.log").read_text()
            probe = subprocess.run([REDIS_CLI, "-p", str(port), "ping"], capture_output=True, text=True,
                                   timeout=10)
            if probe.stdout.strip() == "PONG":
                break
            assert time.monotonic() < deadline, f"no PONG within {START_TIMEOUT}s: {probe.stderr}"
            time.sleep(0.2)
        assert cli(port, "set", "greeting", "hello from the bundle") == "OK"
        assert cli(port, "get", "greeting") == "hello from the bundle"
        assert cli(port, "incr", "n") == "1"
        assert cli(port, "incrby", "n", "41") == "42"
        # The keyspace is the compiled core (redistill._core has no Python fallback), so these replies
        # prove the bundle carries it; MSET/MGET go through the C fast path.
        assert cli(port, "mset", "a", "1", "b", "2") == "OK"
        assert cli(port, "mget", "a", "b", "missing").split("\n") == ["1", "2", ""]
        assert "redis_version:" in cli(port, "info", "server")
        assert cli(port, "config", "get", "port").split() == ["port", str(port)]
    finally:
        proc.terminate()
        code = proc.wait(timeout=30)
    assert code == 0, (tmp_path / "stderr.log").read_text()
