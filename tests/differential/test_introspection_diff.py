"""OBJECT FREQ/IDLETIME, MEMORY and LATENCY against real redis-server, on fresh servers of both kinds
(they change the latency threshold and the eviction policy): where Redis 7.0's reply is deterministic the
bytes must be equal, in RESP2 and RESP3; where it carries times or sizes, its shape (event names, field
names in order, the graph with its numbers masked)."""

from __future__ import annotations

import re
import time

import pytest

from resp import RespSocket, parse
from servers import REDIS_SERVER

ENABLE = ["--enable-debug-command", "yes"]


@pytest.fixture
def both(start_extra):
    if REDIS_SERVER is None:
        pytest.skip("redis-server binary not found")
    servers = [start_extra(args=ENABLE, kind="redis"), start_extra(args=ENABLE)]
    socks: list[RespSocket] = []

    def connect(proto: int = 2) -> list[RespSocket]:
        pair = [RespSocket(sp.host, sp.port, timeout=10) for sp in servers]
        for s in pair:
            if proto == 3:
                assert s.call("HELLO", "3")[:1] == b"%"
        socks.extend(pair)
        return pair

    yield connect
    for s in socks:
        s.close()


def _same(pair: list[RespSocket], *args) -> bytes:
    want, got = (s.call(*args) for s in pair)
    assert got == want, args
    return want


@pytest.mark.parametrize("proto", [2, 3])
def test_latency_replies_are_redis(both, proto):
    pair = both(proto)
    for args in (("LATENCY", "HELP"), ("LATENCY", "HELP", "xxx"), ("LATENCY",), ("LATENCY", "FOO"),
                 ("LATENCY", "LATEST"), ("LATENCY", "HISTORY", "command"), ("LATENCY", "HISTORY", "blabla"),
                 ("LATENCY", "RESET"), ("LATENCY", "RESET", "blabla", "command"),
                 ("LATENCY", "GRAPH", "command"), ("LATENCY", "GRAPH"), ("LATENCY", "HISTORY"),
                 ("LATENCY", "DOCTOR"),                      # monitoring off
                 ("LATENCY", "HISTOGRAM", "blabla"), ("LATENCY", "HISTOGRAM", "blabla", "blabla2"),
                 ("LATENCY", "HISTOGRAM", "client|nosuch"),
                 ("CONFIG", "SET", "latency-monitor-threshold", "-1"),
                 ("CONFIG", "SET", "latency-monitor-threshold", "10"),
                 ("CONFIG", "GET", "latency-monitor-threshold"),
                 ("LATENCY", "DOCTOR"),                      # on, nothing seen
                 ("LATENCY", "LATEST")):
        _same(pair, *args)


def test_latency_events_have_redis_shape(both):
    pair = both(2)
    for s in pair:
        assert s.call("CONFIG", "SET", "latency-monitor-threshold", "10") == b"+OK\r\n"
        assert s.call("DEBUG", "SLEEP", "0.06") == b"+OK\r\n"
    latest = [parse(s.call("LATENCY", "LATEST")) for s in pair]
    for (event, at, lat, top), in latest:
        assert event == b"command" and abs(at - time.time()) < 30 and 60 <= lat == top < 1000
    history = [parse(s.call("LATENCY", "HISTORY", "command")) for s in pair]
    assert [len(h) for h in history] == [1, 1]
    # the graph and the doctor's report, numbers masked (latencies differ by a millisecond or so)
    for sub in ("GRAPH", "DOCTOR"):
        args = ("LATENCY", sub, "command") if sub == "GRAPH" else ("LATENCY", sub)
        want, got = (re.sub(rb"\d+", b"N", parse(s.call(*args))) for s in pair)
        assert got == want, sub
    assert _same(pair, "LATENCY", "RESET") == b":1\r\n"
    _same(pair, "LATENCY", "LATEST")


@pytest.mark.parametrize("proto", [2, 3])
def test_memory_replies_are_redis(both, proto):
    pair = both(proto)
    _same(pair, "SET", "k", "v")
    for args in (("MEMORY", "HELP"), ("MEMORY",), ("MEMORY", "FOO"), ("MEMORY", "STATS", "x"),
                 ("MEMORY", "DOCTOR"),                       # an (almost) empty instance
                 ("MEMORY", "DOCTOR", "x"), ("MEMORY", "PURGE"), ("MEMORY", "PURGE", "x"),
                 ("MEMORY", "USAGE"), ("MEMORY", "USAGE", "nokey"), ("MEMORY", "USAGE", "k", "SAMPLES"),
                 ("MEMORY", "USAGE", "k", "SAMPLES", "x"), ("MEMORY", "USAGE", "k", "SAMPLES", "-1"),
                 ("MEMORY", "USAGE", "k", "FOO", "1")):
        _same(pair, *args)
    # MEMORY STATS: Redis 7.0's fields, in its order, db.0's with them
    want, got = (parse(s.call("MEMORY", "STATS")) for s in pair)
    if proto == 2:
        want, got = (dict(zip(x[::2], x[1::2])) for x in (want, got))
    assert list(got) == list(want)
    db = want[b"db.0"]
    assert list(got[b"db.0"] if proto == 3 else dict(zip(got[b"db.0"][::2], got[b"db.0"][1::2]))) == \
        list(db if proto == 3 else dict(zip(db[::2], db[1::2])))


def test_object_freq_and_idletime_follow_the_policy(both):
    pair = both(2)
    _same(pair, "SET", "k", "v")
    _same(pair, "CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
    _same(pair, "OBJECT", "FREQ", "k")                        # Redis's error: not an LFU policy
    _same(pair, "OBJECT", "IDLETIME", "k")
    _same(pair, "OBJECT", "IDLETIME", "nokey")
    _same(pair, "CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
    _same(pair, "OBJECT", "IDLETIME", "k")                    # and the other way round
    _same(pair, "SET", "f", "v")
    _same(pair, "OBJECT", "FREQ", "f")                        # a new key starts at LFU_INIT_VAL
    _same(pair, "OBJECT", "FREQ", "nokey")
    _same(pair, "CONFIG", "SET", "maxmemory-policy", "volatile-lfu")
    _same(pair, "OBJECT", "FREQ", "f")
    _same(pair, "CONFIG", "SET", "maxmemory-policy", "noeviction")
    _same(pair, "OBJECT", "FREQ", "f")


@pytest.mark.parametrize("proto", [2, 3])
def test_latency_histogram_buckets_are_redis(both, proto):
    """A 25 ms command lands in hdr_histogram's 2^25 ns bucket, labelled 33816 us by Redis; CONFIG
    RESETSTAT empties the histograms (and is itself the first call after it)."""
    pair = both(proto)
    _same(pair, "CONFIG", "RESETSTAT")
    _same(pair, "LATENCY", "HISTOGRAM", "debug")
    _same(pair, "DEBUG", "SLEEP", "0.025")
    _same(pair, "LATENCY", "HISTOGRAM", "debug", "blabla")
    _same(pair, "LATENCY", "HISTOGRAM", "debug", "debug")   # named twice: in the map twice
    _same(pair, "CONFIG", "SET", "latency-tracking", "no")
    _same(pair, "DEBUG", "SLEEP", "0.025")
    _same(pair, "LATENCY", "HISTOGRAM", "debug")              # not tracked: still one call
