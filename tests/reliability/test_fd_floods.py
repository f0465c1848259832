"""Connection floods on every port under a low descriptor limit (`ulimit -n` 1100, maxclients 1000, as an
attacker without a password would try it): the Redis port, the TLS port and the unauthenticated health port.
The server must keep serving its Redis clients, keep its log small and not spin; and at start it must check
that RLIMIT_NOFILE covers maxclients plus its own descriptors, lowering maxclients with Redis's warnings.
Every loop is bounded in count and time; every process started here is stopped."""

from __future__ import annotations

import resource
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from servers import free_port, start_server, stop_and_check  # noqa: E402
from resp import RespSocket  # noqa: E402

from .relhelp import cpu_seconds, fd_count, raise_nofile

NOFILE = 1100              # the server's `ulimit -n`
MAXCLIENTS = 1000
BYSTANDERS = 10            # Redis clients connected before the flood
# The attack: BURST_RATE new connections a second up to BURST (more than the server's descriptors), then
# SUSTAIN_RATE a second (reopening what the server drops) until FLOOD_SECONDS; every one held open and idle.
BURST, BURST_RATE = 1500, 500
SUSTAIN_RATE = 100
FLOOD_SECONDS = 9.0
FLOOD_MAX = BURST + int(FLOOD_SECONDS * SUSTAIN_RATE)
WATCH_FROM = 3.2           # seconds into the flood: the burst is over; probes and the CPU window start
PROBE_TIMEOUT = 1.5        # a new Redis client must connect and get SET and GET answered within this
# CPU time over wall time in the window.  Serving the flood (accepting SUSTAIN_RATE connections a second)
# costs about 3% of a core, and CPU time, unlike wall time, barely grows when the machine is busy.  A server
# spinning on a failing accept() takes all the CPU it is given: a core on a quiet machine, and still 15% at a
# load average of 7 on 2 cores (measured on the old code).
MAX_CPU_SHARE = 0.10
MAX_LOG_LINES = 60
MAX_LOG_BYTES = 12_000


def _flood(port: int, socks: list[socket.socket], stop: threading.Event) -> None:
    """Opens idle connections to port (BURST, then SUSTAIN_RATE a second) and holds them, until stop."""
    next_at = time.monotonic()
    attempts = 0
    while not stop.is_set() and attempts < FLOOD_MAX:
        attempts += 1
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(0.2)
        try:
            s.connect(("127.0.0.1", port))
            socks.append(s)
        except OSError:   # backlog full: the kernel drops the SYN and the connect times out
            s.close()
        next_at += 1.0 / (BURST_RATE if attempts < BURST else SUSTAIN_RATE)
        time.sleep(max(0.0, next_at - time.monotonic()))


def _log(sp) -> bytes:
    return (sp.workdir / "stderr.log").read_bytes()


def _new_client_served(sp, timeout: float = PROBE_TIMEOUT) -> bool:
    """A client connecting now gets SET and GET answered within timeout."""
    try:
        c = RespSocket(sp.host, sp.port, timeout=timeout)
    except OSError:
        return False
    try:
        return (c.call("SET", "flood:probe", "v", timeout=timeout) == b"+OK\r\n"
                and c.call("GET", "flood:probe", timeout=timeout) == b"$1\r\nv\r\n")
    except (OSError, TimeoutError, ValueError):
        return False
    finally:
        c.close()


def _health_served(hp: int, timeout: float = PROBE_TIMEOUT) -> bool:
    """GET /health on a new connection answers 200 within timeout."""
    try:
        with socket.create_connection(("127.0.0.1", hp), timeout=timeout) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: probe\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200 ")
    except OSError:
        return False


def _run(sp, port: int, hp: int, probe_during: bool) -> dict:
    """Floods port for FLOOD_SECONDS while BYSTANDERS Redis clients are connected; what was observed."""
    if raise_nofile(FLOOD_MAX + 500) < FLOOD_MAX + 500:
        pytest.skip("this process cannot open enough descriptors to flood")
    pid = sp.proc.pid
    bystanders = [RespSocket(sp.host, sp.port, timeout=10) for _ in range(BYSTANDERS)]
    socks: list[socket.socket] = []
    stop = threading.Event()
    flooder = threading.Thread(target=_flood, args=(port, socks, stop), daemon=True)
    seen: dict = {"probes": [], "health_probes": [], "bystander_errors": [], "max_fds": 0}
    try:
        for b in bystanders:
            assert b.call("PING") == b"+PONG\r\n"
        log_before = _log(sp)
        start = time.monotonic()
        flooder.start()
        while time.monotonic() - start < WATCH_FROM:
            seen["max_fds"] = max(seen["max_fds"], fd_count(pid))
            time.sleep(0.2)
        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        while time.monotonic() - start < FLOOD_SECONDS:
            seen["max_fds"] = max(seen["max_fds"], fd_count(pid))
            if probe_during:
                seen["probes"].append(_new_client_served(sp))
            seen["health_probes"].append(_health_served(hp))
            for i, b in enumerate(bystanders):
                try:
                    rep = b.call("INCR", f"flood:bystander:{i}", timeout=5)
                    if not rep.startswith(b":"):
                        seen["bystander_errors"].append(rep)
                except (OSError, TimeoutError) as e:
                    seen["bystander_errors"].append(repr(e))
            time.sleep(0.5)
        seen["cpu_share"] = (cpu_seconds(pid) - cpu0) / (time.monotonic() - t0)
        stop.set()
        flooder.join(10)
        time.sleep(0.5)   # lines the flood caused but not yet written
        grown = _log(sp)[len(log_before):]
        seen["log_lines"], seen["log_bytes"] = grown.count(b"\n"), len(grown)
        seen["log_head"] = grown[:1500].decode(errors="replace")
        seen["opened"] = len(socks)
        for s in socks:
            s.close()
        socks.clear()
        deadline = time.monotonic() + 20
        while not _new_client_served(sp, 5.0):   # the descriptors come back once the flood is gone
            assert time.monotonic() < deadline, "new clients not served after the flood ended"
            time.sleep(0.2)
        assert sp.proc.poll() is None
    finally:
        stop.set()
        flooder.join(10)
        for s in socks + bystanders:
            s.close()
    return seen


def _redis_maxclients_error() -> bytes:
    """redis-server's reply to CONFIG SET maxclients past its descriptors, with %d for the number it offers."""
    rs = start_server("redis", ["--maxclients", "100"], nofile=200)
    try:
        c = RespSocket(rs.host, rs.port, timeout=10)
        reply = c.call("CONFIG", "SET", "maxclients", "1000")
        c.close()
    finally:
        stop_and_check(rs)
    assert reply.endswith(b" try with 168\r\n"), reply   # 200 - Redis's 32 spare descriptors
    return reply.replace(b"168", b"%d")


@pytest.fixture(scope="module", params=["health", "redis", "tls"])
def flooded(request, tls_files):
    """(port flooded, observations) for one flood against a freshly started server."""
    hp = free_port()
    args = ["--maxclients", str(MAXCLIENTS), "--health-check-port", str(hp)]
    config_text = None
    tp = free_port()
    if request.param == "tls":
        config_text = ("[security]\ntls_enabled = true\n"
                       f'tls_cert_path = "{tls_files.server_cert}"\ntls_key_path = "{tls_files.server_key}"\n'
                       f"tls_port = {tp}\n")
    sp = start_server("redistill", args, config_text=config_text, nofile=NOFILE)
    try:
        port = {"health": hp, "redis": sp.port, "tls": tp}[request.param]
        yield request.param, _run(sp, port, hp, probe_during=request.param == "health")
    finally:
        stop_and_check(sp)


def test_flood_clients_still_served(flooded):
    """Connected clients keep being served and /health keeps answering, whichever port is flooded; during a
    health-port flood new Redis clients connect too (a flood of the Redis port itself may take every
    maxclients slot, as it would from Redis)."""
    which, seen = flooded
    assert not seen["bystander_errors"], seen["bystander_errors"][:5]
    assert seen["health_probes"] and all(seen["health_probes"]), seen["health_probes"]
    if which == "health":
        assert seen["probes"] and all(seen["probes"]), (seen["probes"], seen["log_head"])
    assert seen["max_fds"] <= NOFILE


def test_flood_log_stays_small(flooded):
    _, seen = flooded
    assert seen["log_lines"] <= MAX_LOG_LINES and seen["log_bytes"] <= MAX_LOG_BYTES, (
        seen["log_lines"], seen["log_bytes"], seen["log_head"])


def test_flood_does_not_spin(flooded):
    """CPU time over the flood (from /proc/<pid>/stat) stays a fraction of the wall time."""
    _, seen = flooded
    assert seen["cpu_share"] < MAX_CPU_SHARE, (seen["cpu_share"], seen["opened"], seen["log_head"])


def test_low_ulimit_lowers_maxclients(tls_files):
    """RLIMIT_NOFILE below maxclients plus the server's own descriptors (listeners, wake-ups, epolls, the
    health endpoint and its cap, a reserve): Redis's warnings, maxclients lowered, CONFIG SET above it refused
    with Redis's error."""
    nofile = 1060   # enough for 1000 clients and Redis's 32 spare descriptors, not for the health endpoint too
    sp = start_server("redistill", ["--maxclients", str(MAXCLIENTS), "--health-check-port", str(free_port())],
                      nofile=nofile)
    try:
        text = _log(sp).decode()
        assert f"You requested maxclients of {MAXCLIENTS} requiring at least " in text, text
        want = int(text.split("requiring at least ")[1].split()[0])
        assert want > nofile
        assert (f"Server can't set maximum open files to {want} because of OS error: Operation not permitted."
                in text), text
        assert f"Current maximum open files is {nofile}. maxclients has been reduced to " in text, text
        reduced = int(text.split("maxclients has been reduced to ")[1].split()[0])
        assert reduced == nofile - (want - MAXCLIENTS)
        c = RespSocket(sp.host, sp.port, timeout=10)
        expect = b"*2\r\n$10\r\nmaxclients\r\n$%d\r\n%d\r\n" % (len(str(reduced)), reduced)
        assert c.call("CONFIG", "GET", "maxclients") == expect
        assert c.call("CONFIG", "SET", "maxclients", str(MAXCLIENTS)) == _redis_maxclients_error() % reduced
        assert c.call("CONFIG", "GET", "maxclients") == expect
        assert c.call("CONFIG", "SET", "maxclients", str(reduced - 5)) == b"+OK\r\n"
        assert c.call("CONFIG", "SET", "maxclients", str(reduced)) == b"+OK\r\n"
        c.close()
    finally:
        stop_and_check(sp)


def test_health_accept_out_of_descriptors_backs_off():
    """Every descriptor in use (the limit lowered under the running server): the health endpoint's accept()
    fails with EMFILE, and its loop pauses instead of spinning, logging a few lines, not one per turn; it
    serves again once descriptors are back."""
    hp = free_port()
    sp = start_server("redistill", ["--health-check-port", str(hp)], nofile=NOFILE)
    pid = sp.proc.pid
    bystander = RespSocket(sp.host, sp.port, timeout=10)
    socks: list[socket.socket] = []
    try:
        assert bystander.call("PING") == b"+PONG\r\n"
        log_before = _log(sp)
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (fd_count(pid), NOFILE))
        for _ in range(20):   # completed by the kernel, waiting in the health listener's backlog
            socks.append(socket.create_connection(("127.0.0.1", hp), timeout=10))
        time.sleep(0.5)
        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        time.sleep(4.0)
        cpu_share = (cpu_seconds(pid) - cpu0) / (time.monotonic() - t0)
        grown = _log(sp)[len(log_before):].decode(errors="replace")
        assert "Too many open files" in grown, grown[:2000]
        assert grown.count("\n") <= 20 and cpu_share < MAX_CPU_SHARE, (grown.count("\n"), cpu_share, grown[:2000])
        assert bystander.call("PING") == b"+PONG\r\n"
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (NOFILE, NOFILE))
        socks[0].sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        socks[0].settimeout(10)
        assert socks[0].recv(100).startswith(b"HTTP/1.1 200 OK")
    finally:
        for s in socks:
            s.close()
        bystander.close()
        stop_and_check(sp)
