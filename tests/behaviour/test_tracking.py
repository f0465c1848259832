"""Client-side caching where a comparison with redis-server cannot pin the bytes: eviction under
maxmemory, tracking-table-max-keys (CONFIG SET and TOML), INFO's and CLIENT LIST's tracking fields,
and invalidations reaching tracking clients whichever worker thread serves them."""

from __future__ import annotations

import os
import re

from resp import RespSocket

PUSH = b">2\r\n$10\r\ninvalidate\r\n*1\r\n$%d\r\n%s\r\n"


def _tracker(server) -> RespSocket:
    t = RespSocket(server.host, server.port, timeout=10)
    assert t.call("HELLO", "3").startswith(b"%")
    assert t.call("CLIENT", "TRACKING", "on") == b"+OK\r\n"
    return t


def _info(sock: RespSocket, field: str) -> int:
    text = sock.call("INFO", "everything")
    return int(re.search(rb"\r\n" + field.encode() + rb":(\d+)\r\n", text).group(1))


def test_eviction_invalidates(server):
    w = RespSocket(server.host, server.port, timeout=10)
    t = _tracker(server)
    try:
        assert w.call("FLUSHALL") == b"+OK\r\n"
        t.reply()                                  # FLUSHALL's null
        assert w.call("SET", "ev:tracked", "v") == b"+OK\r\n"
        assert t.call("GET", "ev:tracked") == b"$1\r\nv\r\n"
        assert w.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random") == b"+OK\r\n"
        assert w.call("CONFIG", "SET", "maxmemory", "1") == b"+OK\r\n"
        w.call("SET", "ev:other", "x" * 1000)      # over the limit: everything is evicted
        assert t.reply() == PUSH % (10, b"ev:tracked")
        assert _info(w, "evicted_keys") >= 1
    finally:
        w.call("CONFIG", "SET", "maxmemory", "0")
        w.call("CONFIG", "SET", "maxmemory-policy", "noeviction")
        t.close()
        w.close()


def test_table_limit_and_info(server):
    w = RespSocket(server.host, server.port, timeout=10)
    t = _tracker(server)
    try:
        w.call("FLUSHALL")
        t.reply()
        for i in range(20):
            t.call("GET", f"lim:{i}")
        assert _info(w, "tracking_clients") >= 1
        assert _info(w, "tracking_total_keys") == 20 and _info(w, "tracking_total_items") == 20
        assert w.call("CONFIG", "SET", "tracking-table-max-keys", "5") == b"+OK\r\n"
        assert w.call("CONFIG", "GET", "tracking-table-max-keys") == \
            b"*2\r\n$23\r\ntracking-table-max-keys\r\n$1\r\n5\r\n"
        evicted = {t.reply() for _ in range(15)}   # each evicted key is invalidated, as if it changed
        assert evicted <= {PUSH % (len(f"lim:{i}"), f"lim:{i}".encode()) for i in range(20)}
        assert len(evicted) == 15 and _info(w, "tracking_total_keys") == 5
        line = t.call("CLIENT", "INFO")
        assert b" flags=t " in line and b" redir=0 " in line
        b = RespSocket(server.host, server.port, timeout=10)
        assert b.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "b") == b"+OK\r\n"
        assert b" flags=tB " in b.call("CLIENT", "INFO") and _info(w, "tracking_total_prefixes") == 2
        b.close()
    finally:
        w.call("CONFIG", "SET", "tracking-table-max-keys", "1000000")
        t.close()
        w.close()


def test_toml_sets_the_table_limit(start_extra):
    srv = start_extra(config_text="[server]\ntracking_table_max_keys = 3\n")
    c = RespSocket(srv.host, srv.port, timeout=10)
    assert c.call("CONFIG", "GET", "tracking-table-max-keys") == b"*2\r\n$23\r\ntracking-table-max-keys\r\n$1\r\n3\r\n"
    c.call("HELLO", "3")
    c.call("CLIENT", "TRACKING", "on")
    assert c.call("MGET", "a", "b", "c", "d", "e") == b"*5\r\n" + b"_\r\n" * 5
    pushes = sorted(c.replies(2))   # two of the five left the table: this client is told so
    assert all(p.startswith(b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\n") for p in pushes)
    assert _info(c, "tracking_total_keys") == 3
    c.close()


def test_many_trackers_on_both_threads(server):
    """Twelve tracking connections (the kernel spreads them over the two workers) all hear of one
    fast-path write; the writer's own batch keeps answering in order."""
    w = RespSocket(server.host, server.port, timeout=10)
    trackers = [_tracker(server) for _ in range(12)]
    try:
        for t in trackers:
            assert t.call("GET", "mt:key") in (b"_\r\n", b"$1\r\n0\r\n")
        w.send(b"".join(b"*3\r\n$3\r\nSET\r\n$6\r\nmt:key\r\n$1\r\n%d\r\n" % (i % 10) for i in range(50)))
        assert w.replies(50) == [b"+OK\r\n"] * 50
        for t in trackers:
            assert t.reply() == PUSH % (6, b"mt:key")   # once: the key left the table at the first SET
            assert t.call("PING") == b"+PONG\r\n"
    finally:
        for t in trackers:
            t.close()
        w.close()


def test_plain_tracking_reads_stay_on_the_fast_path(server):
    """A plain-mode tracker's GETs run in C (the fast-path counter moves) and still remember their
    keys."""
    w = RespSocket(server.host, server.port, timeout=10)
    t = _tracker(server)
    try:
        before = _info(w, "redistill_fastpath_commands")
        for i in range(50):
            t.call("GET", f"fp:{i}")
        if os.environ.get("REDISTILL_FASTPATH") != "0":
            assert _info(w, "redistill_fastpath_commands") - before >= 50
        w.call("SET", "fp:7", "x")
        assert t.reply() == PUSH % (4, b"fp:7")
    finally:
        t.close()
        w.close()
