"""A short soak (perf/soak.py, 6 s of load): no errors, every acknowledged write reads back, the shared
counter is exact, RSS/fds/threads flat after warm-up.  `make soak DURATION=600` runs the long one."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from servers import redistill_python

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize("extra", [[], ["--maxmemory", "4mb"]], ids=["expiry", "maxmemory"])
def test_short_soak(target, extra):
    if target != "redistill":
        pytest.skip("starts and samples its own Redistill")
    env = dict(os.environ, REDISTILL_PYTHON=redistill_python())
    run = subprocess.run([sys.executable, str(ROOT / "perf" / "soak.py"), "--duration", "6", "--clients", "8",
                          "--keys", "500", *extra], capture_output=True, text=True, timeout=180, env=env)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["problems"] == 0 and summary["ops"] > 0, summary
