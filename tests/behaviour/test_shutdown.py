"""Graceful shutdown: SIGTERM and SIGINT stop accepting, finish what was read, flush replies, close clients, exit 0
within shutdown_grace_period; /health answers 503 meanwhile; every step is logged."""

import json
import signal
import socket
import time
import urllib.error
import urllib.request

import pytest
import redis

from behaviour.test_limits import connect_served
from servers import RawClient, free_port


def connect(sp, timeout=30.0):
    return RawClient(sp.host, sp.port, timeout)


def wait_for_hits(sp, n=1):
    """Bounded wait until the server has run n reads that hit (so a pipeline sent earlier is in)."""
    admin = redis.Redis(host=sp.host, port=sp.port, socket_timeout=10)
    try:
        for _ in range(500):
            if admin.info("stats")["keyspace_hits"] >= n:
                return
            time.sleep(0.02)
    finally:
        admin.close()
    pytest.fail("the pipelined GETs never ran")


def wait_exit(sp, timeout=20.0):
    try:
        return sp.proc.wait(timeout=timeout)
    except Exception:
        sp.proc.kill()
        sp.proc.wait(timeout=10)
        pytest.fail(f"server did not exit within {timeout}s\n{sp.stderr_text()}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_closes_clients_and_exits_zero(start_extra, signum):
    sp = start_extra([], kind="redistill")
    clients = [connect(sp) for _ in range(3)]
    for c in clients:
        assert c.call("PING") == b"+PONG\r\n"
    sp.proc.send_signal(signum)
    for c in clients:
        assert c.expect_closed(timeout=20) == b""
        c.close()
    assert wait_exit(sp) == 0
    log = sp.stderr_text(100000)
    name = "SIGTERM" if signum == signal.SIGTERM else "SIGINT"
    assert f"Received {name}: shutting down, closing 3 clients" in log, log
    assert "ready to exit, bye bye" in log, log


def test_replies_to_commands_already_read_are_flushed(start_extra):
    """A client that stops reading has MBs of replies pending at SIGTERM: every reply computed
    is still delivered whole before the close, and the server exits 0."""
    sp = start_extra(["--threads", "1"], kind="redistill")
    big = b"x" * 100_000
    c = connect(sp)
    try:
        assert c.call("SET", "big", big) == b"+OK\r\n"
        n = 200  # 20 MB of GET replies: far more than the socket buffers hold
        c.send(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * n)
        wait_for_hits(sp, 6)   # running, soon stopped by backpressure (4 MB unsent)
        sp.proc.send_signal(signal.SIGTERM)
        data, closed = c.read_until_closed(timeout=30)
        assert closed
    finally:
        c.close()
    one = b"$100000\r\n" + big + b"\r\n"
    assert len(data) % len(one) == 0, len(data)  # whole replies only
    got = len(data) // len(one)
    assert 5 < got <= n
    assert data == one * got
    assert wait_exit(sp) == 0


def test_grace_period_bounds_the_wait_for_a_stuck_client(start_extra):
    sp = start_extra(config_text="[server]\nshutdown_grace_period = 1\n")
    c = connect(sp)
    try:
        assert c.call("SET", "big", "y" * 1_000_000) == b"+OK\r\n"
        c.send(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 50)  # never read
        wait_for_hits(sp)
        sp.proc.send_signal(signal.SIGTERM)
        assert wait_exit(sp, timeout=20) == 0
    finally:
        c.close()
    log = sp.stderr_text(100000)
    assert "grace period 1s" in log, log
    assert "closing 1 clients with unsent replies (grace period over)" in log, log


def test_health_says_503_while_draining_and_no_new_clients(start_extra):
    hp = free_port()
    sp = start_extra(["--health-check-port", str(hp)], kind="redistill",
                     config_text="[server]\nshutdown_grace_period = 30\n")
    url = f"http://127.0.0.1:{hp}/health"
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.status == 200 and json.load(r)["status"] == "ok"
    c = connect(sp)
    try:
        assert c.call("SET", "big", "z" * 1_000_000) == b"+OK\r\n"
        c.send(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 30)   # keeps the drain busy until we read
        wait_for_hits(sp)   # the 30 GETs arrived in one read: all of them are in
        sp.proc.send_signal(signal.SIGTERM)
        status = None
        for _ in range(100):  # bounded: the flag is set as soon as the main thread sees the signal
            try:
                urllib.request.urlopen(url, timeout=10)
            except urllib.error.HTTPError as e:
                status, body = e.code, json.load(e)
                break
        assert status == 503 and body["status"] == "shutting_down", status
        for _ in range(100):   # listeners close right after the flag is set: no new clients
            try:
                with socket.create_connection((sp.host, sp.port), timeout=5) as s:
                    s.recv(1)
            except OSError:
                break
            time.sleep(0.02)
        else:
            pytest.fail("still accepting connections while shutting down")
        data, closed = c.read_until_closed(timeout=30)
        assert closed and data.count(b"$1000000\r\n") == 30
    finally:
        c.close()
    assert wait_exit(sp) == 0


def test_json_logs_one_line_per_start_stop_and_rejected_client(start_extra):
    sp = start_extra(["--maxclients", "1"], config_text='[logging]\nformat = "json"\nlevel = "notice"\n')
    a = connect_served(sp)
    b = connect(sp)
    assert b.expect_closed() == b"-ERR max number of clients reached\r\n"
    b.close()
    a.close()
    sp.proc.send_signal(signal.SIGTERM)
    assert wait_exit(sp) == 0
    lines = [json.loads(line) for line in (sp.workdir / "stderr.log").read_text().splitlines() if line]
    assert all({"ts", "level", "logger", "thread", "msg"} <= set(e) for e in lines), lines
    msgs = [e["msg"] for e in lines]
    assert sum("starting" in m for m in msgs) == 1, msgs
    assert sum(m.startswith("Ready to accept connections") for m in msgs) == 1, msgs
    assert sum(m.startswith("Rejected client 127.0.0.1:") for m in msgs) >= 1, msgs  # + retries, if any
    assert sum(m.startswith("Received SIGTERM") for m in msgs) == 1, msgs
    assert sum("bye bye" in m for m in msgs) == 1, msgs
    rejected = next(e for e in lines if e["msg"].startswith("Rejected client"))
    assert rejected["level"] == "warning"


def test_thousands_of_pipelined_blocking_pops_drain_at_shutdown(start_extra):
    """At SIGTERM each blocked pop gets its timeout reply and the next pipelined one runs: a loop, not a
    recursion per command (3000 of them went past Python's recursion limit and were lost)."""
    sp = start_extra(["--threads", "1"], kind="redistill")
    n = 3000
    c = connect(sp)
    try:
        c.send(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n" * n)
        admin = RawClient(sp.host, sp.port, 10)
        try:   # bounded wait until the first BLPOP blocks
            for _ in range(500):
                if b"blocked_clients:1" in admin.call("INFO", "clients"):
                    break
                time.sleep(0.02)
        finally:
            admin.close()
        sp.proc.send_signal(signal.SIGTERM)
        data, closed = c.read_until_closed(timeout=30)
        assert closed
    finally:
        c.close()
    assert data == b"*-1\r\n" * n, (len(data), data[-100:])
    assert wait_exit(sp) == 0
    assert "Traceback" not in sp.stderr_text(100000)
