"""DEBUG: off by default (Redis's error), and its subcommands compared with redis-server where it has them.

Servers are started with `--enable-debug-command yes` (both accept it), as Redis's own suite needs.
"""

from __future__ import annotations

import time

import pytest

from servers import REDIS_SERVER, RawClient

NOT_ALLOWED = (b"-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can "
               b"run it from a local connection, otherwise you need to set this option in the configuration "
               b"file, and then restart the server.\r\n")
ENABLE = ["--enable-debug-command", "yes"]


def _raw(sp) -> RawClient:
    return RawClient(sp.host, sp.port, 10.0)


def test_debug_is_refused_by_default(raw):
    assert raw.call("DEBUG", "SLEEP", "0") == NOT_ALLOWED
    assert raw.call("DEBUG", "JMAP") == NOT_ALLOWED
    assert raw.call("CONFIG", "GET", "enable-debug-command") == b"*2\r\n$20\r\nenable-debug-command\r\n$2\r\nno\r\n"
    assert raw.call("CONFIG", "SET", "enable-debug-command", "yes").startswith(
        b"-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable")


@pytest.fixture
def dbg(start_extra):
    c = _raw(start_extra(args=ENABLE))
    yield c
    c.close()


@pytest.fixture
def pair(start_extra, target):
    """(raw client on the target, raw client on redis-server), both with DEBUG enabled."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server binary not found")
    a, b = _raw(start_extra(args=ENABLE)), _raw(start_extra(args=ENABLE, kind="redis"))
    yield a, b
    a.close()
    b.close()


def _load(c: RawClient) -> None:
    """One key of each type, some with a TTL, as the same commands on both servers."""
    for cmd in (("SET", "s", "hello"), ("SET", "n", "12345"), ("RPUSH", "l", "a", "b", "c"),
                ("SADD", "st", "x", "y", "1"), ("HSET", "h", "f1", "v1", "f2", "v2"),
                ("ZADD", "z", "1.5", "m1", "-3", "m2", "10", "m3"), ("SET", "t", "v", "EX", "1000"),
                ("ZADD", "zt", "0.1", "a"), ("EXPIRE", "zt", "1000")):
        assert not c.call(*cmd).startswith(b"-"), cmd


def test_digest_and_digest_value_match_redis(pair):
    ours, redis = pair
    for c in (ours, redis):
        assert c.call("DEBUG", "DIGEST") == b"+" + b"0" * 40 + b"\r\n"  # empty dataset
        _load(c)
    keys = ("s", "n", "l", "st", "h", "z", "t", "zt", "missing")
    assert ours.call("DEBUG", "DIGEST-VALUE", *keys) == redis.call("DEBUG", "DIGEST-VALUE", *keys)
    assert ours.call("DEBUG", "DIGEST") == redis.call("DEBUG", "DIGEST")
    assert ours.call("DEBUG", "DIGEST-VALUE") == b"*0\r\n"


@pytest.mark.parametrize("proto", [2, 3])
def test_protocol_replies_match_redis(pair, proto):
    ours, redis = pair
    if proto == 3:
        for c in (ours, redis):
            assert c.call("HELLO", "3").startswith(b"%")
    for kind in ("string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib",
                 "verbatim", "true", "false", "nosuchtype"):
        assert ours.call("DEBUG", "PROTOCOL", kind) == redis.call("DEBUG", "PROTOCOL", kind), kind
    if proto == 3:  # a push, then the real reply
        ours.send(b"DEBUG PROTOCOL push\r\nPING\r\n")
        redis.send(b"DEBUG PROTOCOL push\r\nPING\r\n")
        assert [ours.reply() for _ in range(3)] == [redis.reply() for _ in range(3)]
    else:
        assert ours.call("DEBUG", "PROTOCOL", "push") == redis.call("DEBUG", "PROTOCOL", "push")


def test_errors_match_redis(pair):
    ours, redis = pair
    for cmd in (("DEBUG", "NOSUCH"), ("DEBUG", "OBJECT", "missing"), ("DEBUG", "SLEEP"),
                ("DEBUG", "ERROR", "MYERR some text"), ("DEBUG", "POPULATE", "-1"), ("DEBUG", "POPULATE", "x"),
                ("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"), ("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "x"),
                ("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100"), ("DEBUG", "SET-ACTIVE-EXPIRE", "1"),
                ("DEBUG", "LOG", "hello from a test")):
        assert ours.call(*cmd) == redis.call(*cmd), cmd


def test_populate_as_redis(pair):
    ours, redis = pair
    for c in (ours, redis):
        assert c.call("SET", "key:2", "mine") == b"+OK\r\n"
        assert c.call("DEBUG", "POPULATE", "5") == b"+OK\r\n"
        assert c.call("DEBUG", "POPULATE", "3", "p", "12") == b"+OK\r\n"
        assert c.call("DEBUG", "POPULATE", "2", "q", "3") == b"+OK\r\n"
    for key in ("key:0", "key:2", "key:4", "p:0", "p:2", "q:1"):
        assert ours.call("GET", key) == redis.call("GET", key), key
    assert ours.call("DBSIZE") == redis.call("DBSIZE") == b":10\r\n"


def test_object_keeps_the_address_across_in_place_incr(dbg):
    assert dbg.call("SET", "foo", "20000") == b"+OK\r\n"
    first = dbg.call("DEBUG", "OBJECT", "foo")
    assert first.startswith(b"+Value at:0x") and b" encoding:int " in first, first
    dbg.call("INCR", "foo")
    assert dbg.call("DEBUG", "OBJECT", "foo").split()[1] == first.split()[1]
    dbg.call("HSET", "h", "f", "x" * 100)
    assert b" encoding:hashtable " in dbg.call("DEBUG", "OBJECT", "h")


def test_sleep_stops_the_client(dbg):
    t0 = time.monotonic()
    assert dbg.call("DEBUG", "SLEEP", "0.3") == b"+OK\r\n"
    assert time.monotonic() - t0 >= 0.29
    assert dbg.call("DEBUG", "SLEEP", "0") == b"+OK\r\n"


def test_set_active_expire_stops_the_sweep(dbg):
    """With the sweep off an expired key that nobody reads stays counted (as in Redis); on again, it goes."""
    assert dbg.call("DEBUG", "SET-ACTIVE-EXPIRE", "0") == b"+OK\r\n"
    assert dbg.call("SET", "k", "v", "PX", "10") == b"+OK\r\n"
    time.sleep(0.5)  # several cron ticks
    assert dbg.call("DBSIZE") == b":1\r\n"
    assert dbg.call("DEBUG", "SET-ACTIVE-EXPIRE", "1") == b"+OK\r\n"
    deadline = time.monotonic() + 10
    while dbg.call("DBSIZE") != b":0\r\n":
        assert time.monotonic() < deadline, "the expired key was never reclaimed after SET-ACTIVE-EXPIRE 1"
        time.sleep(0.05)


def test_local_mode_allows_loopback(start_extra):
    c = _raw(start_extra(args=["--enable-debug-command", "local"]))
    try:
        assert c.call("DEBUG", "SLEEP", "0") == b"+OK\r\n"  # the test talks to 127.0.0.1
    finally:
        c.close()
