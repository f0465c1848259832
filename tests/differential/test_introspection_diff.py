"""OBJECT FREQ/IDLETIME, MEMORY and LATENCY against real redis-server, on a pair of servers of this
module's own (they change the latency threshold and the eviction policy, reset before each test): where Redis 7.0's reply is deterministic the
bytes must be equal, in RESP2 and RESP3; where it carries times or sizes, its shape (event names, field
names in order, the graph with its numbers masked)."""

from __future__ import annotations

import re
import time

import pytest

from resp import RespSocket, parse
from servers import REDIS_SERVER, servers_for_module

ENABLE = ["--enable-debug-command", "yes"]


@pytest.fixture(scope="module")
def _servers(target):
    """One redis-server and one server under test for the module, DEBUG enabled on both."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server binary not found")
    yield from servers_for_module(("redis", ENABLE), (target, ENABLE))


@pytest.fixture
def both(_servers):
    """connect(proto) -> [redis-server socket, server-under-test socket], each server first put back to
    its start: no keys, no latency events, the threshold, tracking, policy and stats as at start."""
    socks: list[RespSocket] = []

    def connect(proto: int = 2) -> list[RespSocket]:
        pair = [RespSocket(sp.host, sp.port, timeout=10) for sp in _servers]
        for s in pair:
            for args in (("FLUSHALL",), ("CONFIG", "SET", "latency-monitor-threshold", "0"),
                         ("CONFIG", "SET", "latency-tracking", "yes"),
                         ("CONFIG", "SET", "maxmemory-policy", "noeviction"), ("LATENCY", "RESET"),
                         ("CONFIG", "SET", "slowlog-log-slower-than", "10000"),
                         ("CONFIG", "RESETSTAT")):
                assert not s.call(*args).startswith(b"-"), args
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


@pytest.mark.parametrize("slower", ["-1", "100000"])
def test_latency_doctor_slowlog_advice_is_redis(both, slower):
    """The advice for a command event follows the slow log's setting: off, or above the threshold."""
    pair = both(2)
    for s in pair:
        for args in (("CONFIG", "SET", "latency-monitor-threshold", "10"),
                     ("CONFIG", "SET", "slowlog-log-slower-than", slower), ("DEBUG", "SLEEP", "0.03")):
            assert s.call(*args) == b"+OK\r\n"
    want, got = (re.sub(rb"\d+ms", b"Nms", parse(s.call("LATENCY", "DOCTOR"))) for s in pair)
    assert got == want


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


def _close(pair: list[RespSocket], *args) -> None:
    """An integer reply within 1 of Redis's (its LRU clock ticks by the second and its LFU decay by the
    minute: a boundary can fall between the two servers' reads); anything else byte for byte."""
    want, got = (s.call(*args) for s in pair)
    if want[:1] == b":" and got[:1] == b":":
        assert abs(int(got[1:]) - int(want[1:])) <= 1, (args, want, got)
    else:
        assert got == want, args


def test_object_freq_and_idletime_follow_the_policy(both):
    pair = both(2)
    _same(pair, "SET", "k", "v")
    _same(pair, "CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
    _same(pair, "OBJECT", "FREQ", "k")                        # Redis's error: not an LFU policy
    _close(pair, "OBJECT", "IDLETIME", "k")
    _same(pair, "OBJECT", "IDLETIME", "nokey")
    _same(pair, "CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
    _same(pair, "OBJECT", "IDLETIME", "k")                    # and the other way round
    _same(pair, "SET", "f", "v")
    _close(pair, "OBJECT", "FREQ", "f")                       # a new key starts at LFU_INIT_VAL
    _same(pair, "OBJECT", "FREQ", "nokey")
    _same(pair, "CONFIG", "SET", "maxmemory-policy", "volatile-lfu")
    _close(pair, "OBJECT", "FREQ", "f")
    _same(pair, "CONFIG", "SET", "maxmemory-policy", "noeviction")
    _same(pair, "OBJECT", "FREQ", "f")


@pytest.mark.parametrize("proto", [2, 3])
def test_latency_histogram_buckets_are_redis(both, proto):
    """A 180 ms command lands in hdr_histogram's 2^28 ns bucket, labelled 270532 us by Redis (which
    spans 135 to 270 ms: margin for a loaded machine); CONFIG RESETSTAT empties the histograms."""
    pair = both(proto)
    _same(pair, "CONFIG", "RESETSTAT")
    _same(pair, "LATENCY", "HISTOGRAM", "debug")
    _same(pair, "DEBUG", "SLEEP", "0.18")
    _same(pair, "LATENCY", "HISTOGRAM", "debug", "blabla")
    _same(pair, "LATENCY", "HISTOGRAM", "debug", "debug")   # named twice: in the map twice
    _same(pair, "CONFIG", "SET", "latency-tracking", "no")
    _same(pair, "DEBUG", "SLEEP", "0.18")
    _same(pair, "LATENCY", "HISTOGRAM", "debug")              # not tracked: still one call
