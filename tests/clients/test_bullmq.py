"""BullMQ (the Node.js job queue, on ioredis) runs jobs end to end: its Lua scripts (cmsgpack), the events
stream (XADD/XTRIM, XREAD BLOCK in QueueEvents) and the Worker's blocking waits.  The same script runs
against Debian's redis-server and against Redistill, and must print the same summary on both (written out
here, so that Redis checks it too)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from servers import make_client

NODE_DIR = Path(__file__).resolve().parent / "node"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed (Node.js 20 runs the BullMQ test)"),
    pytest.mark.skipif(not (NODE_DIR / "node_modules" / "bullmq").is_dir(),
                       reason="tests/clients/node/node_modules lacks bullmq: run `make node-clients` (npm ci)"),
]

EXPECTED = {
    "returned": {"sum": 42, "echoed": "h\u00e9llo \u2713", "attempt": 0},
    "okJob": {"state": "completed", "returnvalue": {"sum": 42, "echoed": "h\u00e9llo \u2713", "attempt": 0},
              "data": {"a": 2, "b": 40, "tag": "h\u00e9llo \u2713"}},
    "failedMessage": "boom: on purpose",
    "badJob": {"state": "failed", "failedReason": "boom: on purpose", "attemptsMade": 1},
    "delayedStateAtAdd": "delayed",
    "delayedReturned": {"sum": 2, "echoed": "later", "attempt": 0},
    "delayRespected": True,
    "delayedState": "completed",
    "counts": {"completed": 2, "failed": 1, "delayed": 0, "wait": 0, "active": 0},
}


@pytest.fixture(params=["redis", "redistill"])
def srv(request, redis_server, server):
    """Once on redis-server, once on the server under test (Redistill by default)."""
    sp = redis_server if request.param == "redis" else server
    c = make_client(sp)
    c.flushall()
    c.close()
    return sp


def calls(sp, names) -> int:
    """How many times the server ran these commands (INFO commandstats)."""
    c = make_client(sp, decode_responses=True)
    try:
        stats = c.info("commandstats")
    finally:
        c.close()
    return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in names)


def test_bullmq_jobs(srv):
    scripts, reads = calls(srv, ("eval", "evalsha")), calls(srv, ("xread",))
    p = subprocess.run([NODE, "bullmq_job.js", srv.host, str(srv.port)], cwd=NODE_DIR, capture_output=True,
                       text=True, timeout=150)
    assert p.returncode == 0, f"bullmq_job.js failed (exit {p.returncode})\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}"
    assert json.loads(p.stdout.strip().splitlines()[-1]) == EXPECTED
    # the jobs moved through BullMQ's scripts, and QueueEvents read their events off the stream
    assert calls(srv, ("eval", "evalsha")) - scripts >= 10
    assert calls(srv, ("xread",)) - reads >= 1
