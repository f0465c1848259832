"""Scale-out with twemproxy: Debian's `nutcracker` with ketama distribution in front of three
Redistill nodes on loopback.  10,000 keys are written and read back through the proxy (pipelined, with
socket timeouts, so the test is bounded), then each node is asked directly what it holds: every node must
hold a share and the shares must add up to exactly the keys written, each key on one node only.

The nutcracker config written here is the one docs/PRODUCTION_GUIDE.md shows ("Scale-out with twemproxy").
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from servers import free_port, make_client, start_server, stop_and_check, ServerProcess

NUTCRACKER = shutil.which("nutcracker") or (
    "/usr/sbin/nutcracker" if Path("/usr/sbin/nutcracker").exists() else None)
NODES = 3
KEYS = 10_000
BATCH = 500  # commands per pipeline round trip
START_TIMEOUT = 15.0


def nutcracker_config(listen_port: int, node_ports: list[int]) -> str:
    servers = "\n".join(f"   - 127.0.0.1:{p}:1 node{i + 1}" for i, p in enumerate(node_ports))
    return f"""redistill:
  listen: 127.0.0.1:{listen_port}
  hash: fnv1a_64
  distribution: ketama
  redis: true
  timeout: 5000
  auto_eject_hosts: false
  server_retry_timeout: 2000
  server_failure_limit: 3
  servers:
{servers}
"""


@pytest.fixture
def nodes():
    started: list[ServerProcess] = []
    try:
        for _ in range(NODES):
            started.append(start_server("redistill"))
        yield started
    finally:
        for sp in started:
            stop_and_check(sp)


@pytest.fixture
def proxy(nodes):
    if NUTCRACKER is None:
        pytest.skip("nutcracker (twemproxy) not found: `make test` installs Debian's nutcracker via apt-get")
    port, stats = free_port(), free_port()
    work = Path(tempfile.mkdtemp(prefix="nutcracker-"))
    conf = work / "nutcracker.yml"
    conf.write_text(nutcracker_config(port, [n.port for n in nodes]))
    check = subprocess.run([NUTCRACKER, "-t", "-c", str(conf)], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, f"nutcracker rejected its config:\n{check.stdout}{check.stderr}"
    log = work / "nutcracker.log"
    proc = subprocess.Popen([NUTCRACKER, "-c", str(conf), "-s", str(stats), "-a", "127.0.0.1",
                             "-o", str(log), "-v", "5"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sp = ServerProcess("127.0.0.1", port, "nutcracker", proc, work)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert proc.poll() is None, f"nutcracker exited with {proc.returncode}:\n{log.read_text()[-4000:]}"
            try:
                c = make_client(sp, protocol=2, socket_timeout=2, driver_info=None)
                if c.ping():
                    c.close()
                    break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield sp
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


def test_ketama_spreads_10000_keys_over_three_nodes(nodes, proxy):
    # twemproxy speaks RESP2 only and knows neither HELLO nor CLIENT: protocol=2, no CLIENT SETINFO.
    c = make_client(proxy, protocol=2, driver_info=None)
    try:
        keys = [f"user:{i}:profile" for i in range(KEYS)]
        for start in range(0, KEYS, BATCH):
            pipe = c.pipeline(transaction=False)
            for k in keys[start:start + BATCH]:
                pipe.set(k, f"v-{k}")
            assert pipe.execute() == [True] * len(keys[start:start + BATCH])
        for start in range(0, KEYS, BATCH):
            chunk = keys[start:start + BATCH]
            pipe = c.pipeline(transaction=False)
            for k in chunk:
                pipe.get(k)
            assert pipe.execute() == [f"v-{k}".encode() for k in chunk]
        # MGET across nodes: nutcracker splits it by key and merges the replies in order.
        sample = keys[::97]
        assert c.mget(sample) == [f"v-{k}".encode() for k in sample]
    finally:
        c.close()

    held: list[set[bytes]] = []
    for n in nodes:
        d = make_client(n, protocol=2)
        try:
            assert d.dbsize() > 0
            held.append(set(d.scan_iter(match="user:*", count=1000)))
        finally:
            d.close()
    sizes = [len(h) for h in held]
    # ketama with 3 equal weights: each node gets roughly a third; a node with under 10% means the
    # proxy did not spread the keys (or a node was ejected).
    assert all(s > KEYS // 10 for s in sizes), f"uneven or missing shares: {sizes}"
    assert sum(sizes) == KEYS, f"keys lost or duplicated across nodes: {sizes}"
    assert set().union(*held) == {k.encode() for k in keys}
