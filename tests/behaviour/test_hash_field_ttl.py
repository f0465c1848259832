"""Redis 7.4's hash-field expiration (HEXPIRE ... HPERSIST) through redis-py (RESP3 and RESP2) and raw
sockets.  No reference server here has these commands, so the expected replies are redis.io's command
pages (their examples and reply tables) and the error texts of Redis 7.4's t_hash.c.  Lazy expiry is
checked with the cron's sweep off (DEBUG SET-ACTIVE-EXPIRE 0), active expiry with nothing reading."""

from __future__ import annotations

import time

import pytest
import redis

from servers import RawClient, make_client, servers_for_module

WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
MAX_ABS_MS = 2**46 - 1  # Redis 7.4's HFE_MAX_ABS_TIME_MSEC


def _wait(fn, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not fn():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def _ints(*values: int) -> bytes:
    return b"*%d\r\n" % len(values) + b"".join(b":%d\r\n" % v for v in values)


# ---- redis.io's examples and reply tables ------------------------------------------------------

def test_hexpire_page_example(rc):
    """HEXPIRE's page: a missing key (every field -2, as its reply table says), then 1, 1, -2."""
    assert rc.hexpire("no-key", 20, "field1", "field2", nx=True) == [-2, -2]
    assert rc.hset("mykey", mapping={"field1": "hello", "field2": "world"}) == 2
    assert rc.hexpire("mykey", 10, "field1", "field2", "field3") == [1, 1, -2]
    assert rc.httl("mykey", "field1", "field2", "field3") == [10, 10, -2]
    ms = rc.hpttl("mykey", "field1")[0]
    assert 9000 < ms <= 10000


def test_hpexpire_page_example(rc):
    """HPEXPIRE's page: both fields expire and HGETALL is then empty (the key is gone)."""
    assert rc.hset("mykey", mapping={"field1": "hello", "field2": "world"}) == 2
    assert rc.hpexpire("mykey", 100, "field1", "field2") == [1, 1]
    _wait(lambda: rc.hgetall("mykey") == {}, "fields with a 100 ms TTL still there")
    assert rc.exists("mykey") == 0


def test_hexpireat_page_example_and_past_times(rc):
    assert rc.hset("mykey", mapping={"field1": "hello", "field2": "world"}) == 2
    at = int(time.time()) + 567
    assert rc.hexpireat("mykey", at, "field1", "field2") == [1, 1]
    assert rc.httl("mykey", "field1", "field2") in ([567, 567], [566, 566])
    assert rc.hexpiretime("mykey", "field1", "field2") == [at, at]
    assert rc.hpexpiretime("mykey", "field1") == [at * 1000]
    # 2: a past time (or a relative 0) deletes the field now
    assert rc.hexpireat("mykey", 1, "field1") == [2]
    assert rc.hget("mykey", "field1") is None
    assert rc.hexpire("mykey", 0, "field2", "nofield") == [2, -2]
    assert rc.exists("mykey") == 0  # the last field took the key with it


def test_conditions_nx_xx_gt_lt(rc):
    """A field without a TTL counts as an infinite one for GT and LT.  Absolute times, so equal is equal."""
    t = int(time.time() * 1000) + 100_000
    rc.hset("h", mapping={"a": "1", "b": "2"})
    assert rc.hpexpireat("h", t, "a", xx=True) == [0]    # XX: no TTL yet
    assert rc.hpexpireat("h", t, "a", gt=True) == [0]    # GT: nothing is greater than infinite
    assert rc.hpexpireat("h", t, "a", lt=True) == [1]    # LT: anything is less
    assert rc.hpexpireat("h", t + 1, "a", nx=True) == [0]  # NX: it has one now
    assert rc.hpexpireat("h", t + 1, "a", "b", nx=True) == [0, 1]
    assert rc.hpexpireat("h", t - 1, "a", gt=True) == [0]
    assert rc.hpexpireat("h", t, "a", gt=True) == [0]    # equal is not greater
    assert rc.hpexpireat("h", t + 5, "a", gt=True) == [1]
    assert rc.hpexpireat("h", t + 5, "a", lt=True) == [0]  # equal is not less
    assert rc.hpexpireat("h", t - 5, "a", lt=True) == [1]
    assert rc.hpexpireat("h", t - 3, "a", xx=True) == [1]
    assert rc.hpexpiretime("h", "a", "b") == [t - 3, t + 1]
    assert rc.hexpire("h", 0, "a", gt=True) == [0]       # the condition comes before the deletion
    assert rc.hget("h", "a") == b"1"


def test_httl_and_hpersist_codes(rc):
    rc.hset("h", mapping={"a": "1", "b": "2"})
    assert rc.httl("h", "a", "zz") == [-1, -2]
    assert rc.hpersist("h", "a", "zz") == [-1, -2]
    assert rc.hpersist("nokey", "a") == [-2]
    assert rc.httl("nokey", "a", "b") == [-2, -2]
    rc.hexpire("h", 100, "a")
    assert rc.hpersist("h", "a", "b") == [1, -1]
    assert rc.httl("h", "a") == [-1]
    assert rc.hexpiretime("h", "a") == [-1]


# ---- which commands clear a TTL, which keep it ---------------------------------------------------

def test_hset_clears_the_ttl_hincrby_keeps_it(rc):
    rc.hset("h", mapping={"a": "1", "n": "5", "f": "1.5", "k": "x"})
    assert rc.hexpire("h", 100, "a", "n", "f", "k") == [1, 1, 1, 1]
    assert rc.hset("h", "a", "2") == 0
    assert rc.hmset("h", {"k": "y"})
    assert rc.httl("h", "a", "k") == [-1, -1]           # overwritten: no TTL (Redis 7.4)
    assert rc.hincrby("h", "n", 1) == 6
    assert rc.hincrbyfloat("h", "f", 1) == 2.5
    assert rc.httl("h", "n", "f") == [100, 100]        # changed in place: the TTL stays
    assert rc.hsetnx("h", "n", "0") == 0
    assert rc.httl("h", "n") == [100]
    assert rc.hdel("h", "n") == 1
    assert rc.hset("h", "n", "1") == 1
    assert rc.httl("h", "n") == [-1]                    # a deleted field's TTL went with it


def test_rename_and_copy_keep_field_ttls(rc):
    rc.hset("h", mapping={"a": "1", "b": "2"})
    rc.hexpire("h", 100, "a")
    assert rc.rename("h", "h2")
    assert rc.httl("h2", "a", "b") == [100, -1]
    assert rc.copy("h2", "h3")
    assert rc.httl("h3", "a", "b") == [100, -1]
    rc.hpersist("h2", "a")
    assert rc.httl("h3", "a") == [100]                  # a copy: its own TTLs
    rc.hpexpire("h3", 50, "a", "b")
    _wait(lambda: rc.exists("h3") == 0, "the copy's expired fields never went")
    assert rc.hgetall("h2") == {b"a": b"1", b"b": b"2"}


def test_object_encoding_listpackex_and_wrongtype(rc):
    rc.hset("h", "a", "1")
    assert rc.object("encoding", "h") == b"listpack"
    rc.hexpire("h", 100, "a")
    assert rc.object("encoding", "h") == b"listpackex"  # Redis 7.4's name; stays after HPERSIST
    rc.hpersist("h", "a")
    assert rc.object("encoding", "h") == b"listpackex"
    rc.hset("h", "big", "x" * 100)
    assert rc.object("encoding", "h") == b"hashtable"
    rc.set("s", "v")
    for call in (lambda: rc.hexpire("s", 10, "a"), lambda: rc.httl("s", "a"), lambda: rc.hpersist("s", "a")):
        with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
            call()


def test_field_ttls_in_multi_exec(r):
    r.hset("h", mapping={"a": "1", "b": "2"})
    with r.pipeline(transaction=True) as p:
        p.hpexpire("h", 10_000, "a").hpttl("h", "a", "b").hpersist("h", "a")
        got = p.execute()
    assert got[0] == [1] and 9000 < got[1][0] <= 10_000 and got[1][1] == -1 and got[2] == [1]


# ---- errors, byte for byte -----------------------------------------------------------------------

def test_errors_in_redis_order(raw):
    raw.call("HSET", "h", "a", "1")
    raw.call("SET", "s", "v")
    cases = [
        # WRONGTYPE comes before any argument check, as Redis looks the key up first
        (("HEXPIRE", "s", "abc", "FIELDS", "1", "a"), WRONGTYPE),
        (("HTTL", "s", "NOTFIELDS", "1", "a"), WRONGTYPE),
        (("HEXPIRE", "h", "abc", "FIELDS", "1", "a"), b"-ERR value is not an integer or out of range\r\n"),
        (("HEXPIRE", "h", "-1", "FIELDS", "1", "a"), b"-ERR invalid expire time, must be >= 0\r\n"),
        (("HEXPIRE", "h", str(MAX_ABS_MS // 1000 + 1), "FIELDS", "1", "a"),
         b"-ERR invalid expire time in 'hexpire' command\r\n"),
        (("HPEXPIREAT", "h", str(MAX_ABS_MS + 1), "FIELDS", "1", "a"),
         b"-ERR invalid expire time in 'hpexpireat' command\r\n"),
        (("HPEXPIRE", "h", str(MAX_ABS_MS), "FIELDS", "1", "a"),
         b"-ERR invalid expire time in 'hpexpire' command\r\n"),  # now + the most is past the most
        (("HEXPIRE", "h", "100", "BADCOND", "FIELDS", "1", "a"),
         b"-ERR Mandatory argument FIELDS is missing or not at the right position\r\n"),
        (("HEXPIRE", "h", "100", "NX", "XX", "FIELDS", "1", "a"),
         b"-ERR Mandatory argument FIELDS is missing or not at the right position\r\n"),
        (("HEXPIRE", "h", "100", "FIELDS", "0", "a"), b"-ERR Parameter `numFields` should be greater than 0\r\n"),
        (("HEXPIRE", "h", "100", "FIELDS", "x", "a"), b"-ERR Parameter `numFields` should be greater than 0\r\n"),
        (("HEXPIRE", "h", "100", "FIELDS", "2", "a"),
         b"-ERR The `numfields` parameter must match the number of arguments\r\n"),
        (("HEXPIRE", "nokey", "100", "FIELDS", "1", "a", "b"),
         b"-ERR The `numfields` parameter must match the number of arguments\r\n"),
        (("HTTL", "h", "NOTFIELDS", "1", "a"),
         b"-ERR Mandatory argument FIELDS is missing or not at the right position\r\n"),
        (("HTTL", "h", "FIELDS", "0", "a"), b"-ERR Number of fields must be a positive integer\r\n"),
        (("HPERSIST", "h", "FIELDS", "-1", "a"), b"-ERR Number of fields must be a positive integer\r\n"),
        (("HPTTL", "h", "FIELDS", "3", "a"),
         b"-ERR The `numfields` parameter must match the number of arguments\r\n"),
        (("HEXPIRE", "h", "100", "FIELDS", "1"), b"-ERR wrong number of arguments for 'hexpire' command\r\n"),
        (("HTTL", "h", "FIELDS", "1"), b"-ERR wrong number of arguments for 'httl' command\r\n"),
        (("hexpire", "h", "100", "nx", "fields", "1", "a"), _ints(1)),   # words in any case
        (("HEXPIREAT", "h", str(MAX_ABS_MS // 1000), "XX", "FIELDS", "2", "a", "zz"), _ints(1, -2)),
        (("HPEXPIRETIME", "h", "FIELDS", "1", "a"), _ints(MAX_ABS_MS // 1000 * 1000)),
    ]
    for args, want in cases:
        assert raw.call(*args) == want, args
    assert raw.call("HGET", "h", "a") == b"$1\r\n1\r\n"  # no error changed anything


# ---- lazy and active expiry --------------------------------------------------------------------

@pytest.fixture(scope="module")
def _debug_server(target):
    """One server with DEBUG enabled for the module's expiry tests (DEBUG SET-ACTIVE-EXPIRE)."""
    if target == "redis":
        pytest.skip("Redis 7.0 has no hash-field TTLs")
    for (sp,) in servers_for_module((target, ["--enable-debug-command", "yes"])):
        yield sp


@pytest.fixture
def dbg(_debug_server):
    """A raw client on it, the server emptied and its sweep on."""
    c = RawClient(_debug_server.host, _debug_server.port, 10.0)
    assert c.call("FLUSHALL") == b"+OK\r\n"
    assert c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1") == b"+OK\r\n"
    yield c
    c.close()


def _expired_fields(c: RawClient, key: str, n: int, ttl_fields: int) -> None:
    """key gets n fields, the first ttl_fields of them with a 1 ms TTL; returns once they have passed."""
    args = []
    for i in range(n):
        args += [f"f{i}", f"v{i}"]
    assert c.call("HSET", key, *args) == b":%d\r\n" % n
    fields = [f"f{i}" for i in range(ttl_fields)]
    assert c.call("HPEXPIRE", key, "1", "FIELDS", str(ttl_fields), *fields) == _ints(*[1] * ttl_fields)
    time.sleep(0.01)


def test_lazy_expiry_on_every_read(dbg):
    """With the sweep off, a field past its time is absent to every command, and goes when touched."""
    assert dbg.call("DEBUG", "SET-ACTIVE-EXPIRE", "0") == b"+OK\r\n"
    _expired_fields(dbg, "h", 3, 1)
    assert dbg.call("HGET", "h", "f0") == b"$-1\r\n"
    assert dbg.call("HEXISTS", "h", "f0") == b":0\r\n"
    assert dbg.call("HLEN", "h") == b":2\r\n"
    _expired_fields(dbg, "g", 3, 2)
    assert dbg.call("HMGET", "g", "f0", "f1", "f2") == b"*3\r\n$-1\r\n$-1\r\n$2\r\nv2\r\n"
    assert dbg.call("HLEN", "g") == b":1\r\n"
    for cmd in (("HGETALL", "k"), ("HKEYS", "k"), ("HVALS", "k"), ("HLEN", "k"), ("HSCAN", "k", "0"),
                ("HRANDFIELD", "k", "5")):
        _expired_fields(dbg, "k", 4, 2)
        dbg.call(*cmd)
        assert dbg.call("HPTTL", "k", "FIELDS", "4", "f0", "f1", "f2", "f3") == _ints(-2, -2, -1, -1), cmd
        assert sorted(dbg.call("HKEYS", "k").split(b"\r\n")[2::2]) == [b"f2", b"f3"], cmd
        dbg.call("DEL", "k")
    _expired_fields(dbg, "w", 2, 2)
    assert dbg.call("HSET", "w", "f0", "new") == b":1\r\n"  # an expired field is new again
    assert dbg.call("HINCRBY", "w", "f1", "3") == b":3\r\n"  # from 0, not from its old value
    _expired_fields(dbg, "e", 2, 2)
    assert dbg.call("HGETALL", "e") == b"*0\r\n"
    assert dbg.call("EXISTS", "e") == b":0\r\n"  # its last fields took the key with them


def test_active_expiry_reclaims_unread_fields(dbg):
    """Nothing reads these hashes: the cron's sweep deletes their expired fields, and the keys they empty."""
    start = time.monotonic()
    for i in range(300):
        dbg.call("HSET", f"h{i}", "a", "1", "b", "2")
        fields = ["a"] if i % 3 == 0 else ["a", "b"]
        dbg.call("HPEXPIRE", f"h{i}", "2000", "FIELDS", str(len(fields)), *fields)
    big = ["HSET", "big"] + [x for i in range(2000) for x in (f"f{i}", "v")]
    assert dbg.call(*big) == b":2000\r\n"
    fields = [f"f{i}" for i in range(1500)]
    assert dbg.call("HPEXPIRE", "big", "2000", "FIELDS", "1500", *fields).startswith(b"*1500\r\n:1\r\n")
    if time.monotonic() - start < 1.9:   # a loaded machine may take past the TTL to set them up
        assert dbg.call("DBSIZE") == b":301\r\n"
    # every third hash keeps b; the others empty and go; big keeps 500 fields
    _wait(lambda: dbg.call("DBSIZE") == b":101\r\n", "active expiry did not delete the emptied hashes")
    _wait(lambda: dbg.call("HLEN", "big") == b":500\r\n", "active expiry did not reach big's fields")
    assert dbg.call("HGETALL", "h0") == b"*2\r\n$1\r\nb\r\n$1\r\n2\r\n"


def test_expiry_stops_with_the_sweep_off(dbg):
    """The sweep's switch covers fields too: with it off, the unread key stays until read."""
    assert dbg.call("DEBUG", "SET-ACTIVE-EXPIRE", "0") == b"+OK\r\n"
    _expired_fields(dbg, "h", 1, 1)
    time.sleep(0.3)  # a few cron ticks
    assert dbg.call("DBSIZE") == b":1\r\n"
    assert dbg.call("DEBUG", "SET-ACTIVE-EXPIRE", "1") == b"+OK\r\n"
    _wait(lambda: dbg.call("DBSIZE") == b":0\r\n", "the sweep, on again, never reclaimed the field")


def test_watch_sees_a_field_set_to_expire(server, r):
    r.hset("h", "a", "1")
    with r.pipeline(transaction=True) as p:
        p.watch("h")
        other = make_client(server)
        try:
            assert other.hexpire("h", 100, "a") == [1]
        finally:
            other.close()
        p.multi()
        p.hget("h", "a")
        with pytest.raises(redis.WatchError):
            p.execute()
