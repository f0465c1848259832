"""ioredis and node-redis (installed by `make node-clients` into tests/clients/node/) run the product
description's example and the cache patterns against a Redistill started with a password. The scripts
exit non-zero on any wrong reply; their output is shown on failure."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import PASSWORD

NODE_DIR = Path(__file__).resolve().parent / "node"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed (Node.js 20 runs the ioredis/node-redis tests)"),
    pytest.mark.skipif(not (NODE_DIR / "node_modules").is_dir(),
                       reason="tests/clients/node/node_modules missing: run `make node-clients` (npm ci)"),
]


@pytest.mark.parametrize("script", ["ioredis.js", "node_redis.js", "node_redis_pubsub.js"])
def test_node_client(secured, script):
    p = subprocess.run([NODE, script, secured.host, str(secured.port), PASSWORD], cwd=NODE_DIR,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, f"{script} failed (exit {p.returncode})\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    assert "checks passed" in p.stdout, p.stdout
