"""A client that sends requests and never reads: the server stops running its commands and reading its socket
once its unsent output passes the soft limit (4 MB), so memory stays bounded; other clients are still served; when
it reads it gets every reply in order.  Past client_output_buffer_limit the client is disconnected."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from resp import RespSocket, encode_command  # noqa: E402

from .relhelp import recv_exact, rss_bytes, small_socket, under_asan

MB = 1 << 20
VALUE = b"v" * MB
REPLY = b"$%d\r\n" % MB + VALUE + b"\r\n"


@pytest.fixture
def redistill(start_extra, target):
    if target != "redistill":
        pytest.skip("measures the Redistill process (RSS, config keys)")
    return start_extra


def _set_big(sp) -> None:
    c = RespSocket(sp.host, sp.port)
    try:
        assert c.call("SET", "big", VALUE) == b"+OK\r\n"
        assert c.call("SET", "small", "s") == b"+OK\r\n"
    finally:
        c.close()


def _peak_rss(pid: int, samples: int = 15, every: float = 0.1) -> int:
    peak = 0
    for _ in range(samples):
        peak = max(peak, rss_bytes(pid))
        time.sleep(every)
    return peak


@pytest.mark.parametrize("fastpath", ["1", "0"], ids=["fastpath", "python"])
def test_non_reading_client_keeps_memory_bounded(redistill, fastpath):
    n = 150  # 150 MB of replies; Redis would buffer most of them
    sp = redistill(env={"REDISTILL_FASTPATH": fastpath})
    _set_big(sp)
    base = rss_bytes(sp.proc.pid)
    hog = small_socket(sp.host, sp.port)
    hog.sendall(encode_command("GET", "big") * n)
    peak = _peak_rss(sp.proc.pid)
    # Bounded: the soft limit plus one reply plus socket buffers, nowhere near n MB.
    print(f"rss growth {(peak - base) / MB:.1f} MB")
    assert peak - base < 48 * MB, f"RSS grew by {(peak - base) // MB} MB for a client that does not read"
    other = RespSocket(sp.host, sp.port)
    try:
        assert other.call("GET", "small", timeout=10) == b"$1\r\ns\r\n"
        assert other.call("PING", timeout=10) == b"+PONG\r\n"
    finally:
        other.close()
    deadline = time.monotonic() + 120
    for i in range(n):
        assert recv_exact(hog, len(REPLY), deadline) == REPLY, f"reply {i} differs"
    hog.sendall(encode_command("PING"))
    assert recv_exact(hog, 7, deadline) == b"+PONG\r\n"
    hog.close()


def test_output_hard_limit_disconnects(redistill):
    sp = redistill(config_text="[server]\nclient_output_buffer_limit = \"2mb\"\n")
    _set_big(sp)
    hog = small_socket(sp.host, sp.port)
    hog.sendall(encode_command("GET", "big") * 50)
    time.sleep(0.5)  # let the server run into the limit before we read anything
    got, closed = 0, False
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            chunk = hog.recv(MB)
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        got += len(chunk)
    hog.close()
    assert closed, "the client over client_output_buffer_limit was not disconnected"
    assert got < 50 * len(REPLY)
    other = RespSocket(sp.host, sp.port)
    try:
        assert other.call("GET", "small") == b"$1\r\ns\r\n"
    finally:
        other.close()


def test_output_limit_config_validation():
    from redistill.config import ConfigError, load_config

    assert load_config([], {}).client_output_buffer_limit == 1 << 30
    assert load_config([], {"REDISTILL_CLIENT_OUTPUT_BUFFER_LIMIT": "64mb"}).client_output_buffer_limit == 64 * MB
    assert load_config([], {"REDISTILL_CLIENT_OUTPUT_BUFFER_LIMIT": "0"}).client_output_buffer_limit == 0
    with pytest.raises(ConfigError, match="(?i)client_output_buffer_limit"):
        load_config([], {"REDISTILL_CLIENT_OUTPUT_BUFFER_LIMIT": "-5"})
    with pytest.raises(ConfigError, match="(?i)client_output_buffer_limit"):
        load_config([], {"REDISTILL_CLIENT_OUTPUT_BUFFER_LIMIT": "lots"})


def test_idle_clients_give_their_buffers_back(redistill):
    """300 clients each move a 900 KB value, then idle: their buffers (1 MB in + 1 MB out kept for reuse)
    are freed by the once-a-second trim of connections idle for 2 s, so RSS returns near its start."""
    sp = redistill()
    value = b"i" * 900_000
    reply = b"$900000\r\n" + value + b"\r\n"
    _set_big(sp)
    base = rss_bytes(sp.proc.pid)
    socks = []
    try:
        deadline = time.monotonic() + 60
        for _ in range(300):
            s = small_socket(sp.host, sp.port, rcvbuf=1 << 20)
            socks.append(s)
            s.sendall(encode_command("SET", "idle", value) + encode_command("GET", "idle"))
            assert recv_exact(s, 5 + len(reply), deadline) == b"+OK\r\n" + reply
        grown = rss_bytes(sp.proc.pid) - base
        deadline = time.monotonic() + 20
        while (now := rss_bytes(sp.proc.pid) - base) > 48 * MB and time.monotonic() < deadline:
            time.sleep(0.25)
        if not under_asan(sp.proc.pid):
            assert now <= 48 * MB, f"RSS still {now // MB} MB over its start (peak {grown // MB} MB)"
        # The trimmed connections still work, with a partial frame kept across a trim.
        socks[0].sendall(b"*2\r\n$3\r\nGET\r\n$4\r\nid")
        time.sleep(3)
        socks[0].sendall(b"le\r\n")
        assert recv_exact(socks[0], len(reply), time.monotonic() + 10) == reply
    finally:
        for s in socks:
            s.close()


def test_query_buffer_limit_in_config_get(server, raw_factory):
    """CONFIG GET shows client-query-buffer-limit with Redis's default (and the configured value)."""
    c = raw_factory()
    assert c.call("CONFIG", "GET", "client-query-buffer-limit") == (
        b"*2\r\n$25\r\nclient-query-buffer-limit\r\n$10\r\n1073741824\r\n")
