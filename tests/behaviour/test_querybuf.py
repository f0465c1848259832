"""The query buffer CLIENT LIST shows (qbuf + qbuf-free) is a real buffer resized as Redis's
clientsCronResizeQueryBuffer resizes it: grown for a big argument, fitted to the recent peak
while the client stays busy, and given back once it is idle for more than 2 seconds."""
from __future__ import annotations

import re
import time

import pytest

from resp import RespSocket


@pytest.fixture
def pair(start_extra):
    """(admin, client): a fresh server, the client named "qb"."""
    srv = start_extra()
    admin, client = RespSocket(srv.host, srv.port), RespSocket(srv.host, srv.port)
    assert client.call("CLIENT", "SETNAME", "qb") == b"+OK\r\n"
    yield admin, client
    admin.close()
    client.close()


def _query_buffer(admin: RespSocket) -> tuple[int, int]:
    """(qbuf + qbuf-free, idle seconds) of the client named qb."""
    listing = admin.call("CLIENT", "LIST").decode()
    line = next(ln for ln in listing.split("\n") if " name=qb " in ln)
    fields = dict(re.findall(r"(\S+)=(\S*)", line))
    return int(fields["qbuf"]) + int(fields["qbuf-free"]), int(fields["idle"])


def test_a_big_argument_grows_the_buffer_and_lighter_use_shrinks_it(pair):
    admin, client = pair
    size, _ = _query_buffer(admin)
    assert 16384 <= size < 32768   # the basic read buffer (PROTO_IOBUF_LEN), nothing more
    deadline = time.monotonic() + 3   # another thread's CLIENT LIST sees the owner's last sweep
    grown = 0
    while grown <= 32768 and time.monotonic() < deadline:   # big arguments keep the peak up
        assert client.call("APPEND", "k", "A" * 400000)[:1] == b":"
        grown, _ = _query_buffer(admin)
    assert grown > 32768
    deadline = time.monotonic() + 5   # Redis's cron visits a client about every 100 ms
    while time.monotonic() < deadline:
        assert client.call("SET", "small", "A" * 100) == b"+OK\r\n"
        size, _ = _query_buffer(admin)
        if size < grown:
            break
        time.sleep(0.01)
    assert 0 < size < grown   # fitted to the recent peak, not dropped: the client is busy


def test_an_idle_client_gives_its_buffer_back(pair):
    admin, client = pair
    assert client.call("APPEND", "k", "A" * 400000) == b":400000\r\n"
    deadline = time.monotonic() + 15
    size, idle = _query_buffer(admin)
    while time.monotonic() < deadline and not (idle >= 3 and size == 0):
        time.sleep(0.1)
        size, idle = _query_buffer(admin)
    assert idle >= 3 and size == 0


def test_another_threads_client_list_sees_a_buffer_grown_just_now(start_extra):
    """The sizes CLIENT LIST shows for a client served by another worker are current as soon as
    that client has its reply (C refreshes them before the reply leaves), not after the next sweep.
    Eight clients: with two workers, at least one almost surely lands on the other thread."""
    srv = start_extra()
    admin = RespSocket(srv.host, srv.port)
    clients = [RespSocket(srv.host, srv.port) for _ in range(8)]
    try:
        for i, client in enumerate(clients):
            assert client.call("CLIENT", "SETNAME", "qb") == b"+OK\r\n"   # the one _query_buffer reads
            assert client.call("APPEND", f"k{i}", "A" * 400000)[:1] == b":"
            size, _ = _query_buffer(admin)
            assert size > 32768, f"client {i}: CLIENT LIST shows {size}, not the grown buffer"
            assert client.call("CLIENT", "SETNAME", f"done{i}") == b"+OK\r\n"
    finally:
        for s in clients + [admin]:
            s.close()
