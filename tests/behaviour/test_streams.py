"""Streams as keyspace values: counted in used_memory (and given back on DEL and FLUSHALL), evicted
under maxmemory like any key, refused with -OOM under noeviction, and written by clients on
different worker threads at once with every id unique and rising."""

from __future__ import annotations

import socket
import threading

import pytest

from servers import make_client

OOM = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"


def frame(*args: bytes) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def xadd_many(port: int, key: bytes, n: int, value: bytes = b"v" * 20) -> list[bytes]:
    """n pipelined XADD key * f value; the replies."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"".join(frame(b"XADD", key, b"*", b"f", value) for _ in range(n)))
        data, replies = b"", []
        while len(replies) < n:
            chunk = s.recv(1 << 16)
            assert chunk, "connection closed"
            data += chunk
            while True:
                if data.startswith(b"-"):
                    end = data.find(b"\r\n")
                    if end < 0:
                        break
                    replies.append(data[:end + 2])
                    data = data[end + 2:]
                    continue
                head = data.find(b"\r\n")
                if head < 0:
                    break
                size = int(data[1:head])
                if len(data) < head + 2 + size + 2:
                    break
                replies.append(data[head + 2:head + 2 + size])
                data = data[head + 2 + size + 2:]
        return replies


def used_memory(c) -> int:
    return c.info("memory")["used_memory"]


def test_used_memory_counts_a_stream_and_gets_it_back(r, server, target):
    if target == "redis":
        pytest.skip("Redis's used_memory counts its allocator's jemalloc state: no exact give-back to test")
    base = used_memory(r)
    xadd_many(server.port, b"s", 20000)
    r.xgroup_create("s", "g", id="0")
    r.xreadgroup("g", "c", {"s": ">"}, count=5000)
    grown = used_memory(r) - base
    assert grown > 20000 * 8                         # at least the values' bytes
    assert r.memory_usage("s") >= 20000 * 8
    r.delete("s")
    assert used_memory(r) - base < 4096               # every node, group and pending entry freed
    xadd_many(server.port, b"t", 5000)
    r.flushall()
    assert used_memory(r) - base < 4096


def test_streams_are_evicted_under_maxmemory(start_extra):
    sp = start_extra(["--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru"], kind="redistill")
    c = make_client(sp)
    for i in range(40):
        replies = xadd_many(sp.port, b"stream%d" % i, 2000, b"x" * 100)
        assert all(not r.startswith(b"-") for r in replies)
    st = c.info()
    assert 0 < st["used_memory"] <= 4 * 1024 * 1024 and st["evicted_keys"] > 0
    assert c.type("stream39") == b"stream" and c.xlen("stream39") == 2000   # the last written survives
    c.close()


def test_noeviction_refuses_xadd_with_oom(start_extra, target):
    sp = start_extra(["--maxmemory", "2mb", "--maxmemory-policy", "noeviction"])
    c = make_client(sp)
    replies = []
    for i in range(100):
        replies += xadd_many(sp.port, b"s%d" % i, 500, b"y" * 100)
        if replies[-1].startswith(b"-"):
            break
    assert replies[-1] == OOM
    assert c.xlen("s0") == 500 and c.info()["evicted_keys"] == 0
    c.close()


def test_writers_on_several_connections_get_unique_rising_ids(r, server):
    ids: list[list[bytes]] = [[] for _ in range(4)]

    def writer(n: int) -> None:
        ids[n] = xadd_many(server.port, b"shared", 3000)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    every = [i for chunk in ids for i in chunk]
    assert len(every) == 12000 and len(set(every)) == 12000
    for chunk in ids:   # each connection's own ids rise
        parsed = [tuple(map(int, i.split(b"-"))) for i in chunk]
        assert parsed == sorted(parsed)
    stored = [e[0] for e in r.xrange("shared", "-", "+")]
    assert len(stored) == 12000 and stored == sorted(stored, key=lambda i: tuple(map(int, i.split(b"-"))))
    assert set(stored) == set(every)
