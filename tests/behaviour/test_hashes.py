"""Hashes: H* commands through redis-py in RESP3 and RESP2, WRONGTYPE both ways, expiry of the
whole key, and the generic key commands (RENAME, COPY, TYPE, SCAN TYPE, DEL, MULTI/EXEC) on hashes."""

import time

import pytest
import redis

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def test_hset_hget_hgetall(rc):
    assert rc.hset("h", mapping={"a": "1", "b": "2"}) == 2
    assert rc.hset("h", "a", "3") == 0
    assert rc.hget("h", "a") == b"3"
    assert rc.hget("h", "zz") is None
    assert rc.hget("nokey", "a") is None
    assert rc.hgetall("h") == {b"a": b"3", b"b": b"2"}  # a RESP3 map or RESP2 pairs, as Redis
    assert rc.hgetall("nokey") == {}
    assert sorted(rc.hkeys("h")) == [b"a", b"b"]
    assert sorted(rc.hvals("h")) == [b"2", b"3"]
    assert rc.hlen("h") == 2 and rc.hlen("nokey") == 0
    assert rc.hmget("h", ["a", "zz", "b"]) == [b"3", None, b"2"]
    assert rc.hexists("h", "a") and not rc.hexists("h", "zz")
    assert rc.hstrlen("h", "a") == 1 and rc.hstrlen("h", "zz") == 0


def test_hsetnx_hdel_and_empty_hash_is_deleted(rc):
    assert rc.hsetnx("h", "a", "1") == 1
    assert rc.hsetnx("h", "a", "2") == 0
    assert rc.hget("h", "a") == b"1"
    assert rc.hdel("h", "a", "zz") == 1
    assert rc.exists("h") == 0  # the last field took the key with it
    assert rc.type("h") == b"none"


def test_hincrby_and_hincrbyfloat(rc):
    assert rc.hincrby("h", "n", 5) == 5
    assert rc.hincrby("h", "n", -7) == -2
    assert rc.hincrbyfloat("h", "f", 1.5) == 1.5
    assert rc.hincrbyfloat("h", "f", 0.1) == pytest.approx(1.6)
    assert rc.hget("h", "f") == b"1.6"  # INCRBYFLOAT's formatting (%.17Lf, zeros cut)
    rc.hset("h", "s", "abc")
    with pytest.raises(redis.ResponseError, match="hash value is not an integer"):
        rc.hincrby("h", "s", 1)
    with pytest.raises(redis.ResponseError, match="hash value is not a float"):
        rc.hincrbyfloat("h", "s", 1)
    rc.hset("h", "big", str(2**63 - 1))
    with pytest.raises(redis.ResponseError, match="increment or decrement would overflow"):
        rc.hincrby("h", "big", 1)
    assert rc.hget("h", "big") == str(2**63 - 1).encode()


def test_hrandfield(rc):
    fields = {b"a": b"1", b"b": b"2", b"c": b"3"}
    rc.hset("h", mapping=fields)
    assert rc.hrandfield("h") in fields
    assert rc.hrandfield("nokey") is None
    picked = rc.hrandfield("h", 2)
    assert len(picked) == 2 and len(set(picked)) == 2 and set(picked) <= set(fields)
    assert sorted(rc.hrandfield("h", 10)) == sorted(fields)
    repeated = rc.hrandfield("h", -10)
    assert len(repeated) == 10 and set(repeated) <= set(fields)
    with_values = rc.execute_command("HRANDFIELD", "h", "-5", "WITHVALUES")
    if rc.proto == 3:  # nested pairs in RESP3, as Redis 7.0
        assert len(with_values) == 5 and all(fields[f] == v for f, v in with_values)
    else:
        assert len(with_values) == 10
        assert all(fields[f] == v for f, v in zip(with_values[0::2], with_values[1::2]))


def test_hscan_small_and_large(rc):
    rc.hset("small", mapping={"a": "1", "b": "2"})
    assert rc.hscan("small", 0) == (0, {b"a": b"1", b"b": b"2"})
    big = {f"f{i}": str(i) for i in range(1000)}  # past hash-max-listpack-entries: cursor walks
    rc.hset("big", mapping=big)
    assert rc.object("encoding", "big") == b"hashtable"
    assert rc.object("encoding", "small") == b"listpack"
    seen, cursor, calls = {}, 0, 0
    while True:
        cursor, part = rc.hscan("big", cursor, count=50)
        seen.update(part)
        calls += 1
        if cursor == 0 or calls > 10_000:
            break
    assert calls > 1 and seen == {k.encode(): v.encode() for k, v in big.items()}
    _, matched = rc.hscan("big", 0, match="f99*", count=10_000)
    assert set(matched) == {b"f99", *(b"f99%d" % i for i in range(10))}


def test_wrongtype_both_ways(rc):
    rc.set("str", "v")
    rc.hset("h", "a", "1")
    for call in (lambda: rc.hset("str", "a", "1"), lambda: rc.hget("str", "a"), lambda: rc.hgetall("str"),
                 lambda: rc.hincrby("str", "a", 1), lambda: rc.get("h"), lambda: rc.incr("h"),
                 lambda: rc.append("h", "x"), lambda: rc.strlen("h")):
        with pytest.raises(redis.ResponseError, match=WRONGTYPE):
            call()
    assert rc.mget("h", "str") == [None, b"v"]  # MGET gives nil for other types, as Redis
    rc.set("h", "now a string")  # SET replaces any type
    assert rc.type("h") == b"string"


def test_generic_key_commands_on_hashes(rc):
    rc.hset("h", mapping={"a": "1", "b": "2"})
    assert rc.type("h") == b"hash"
    assert rc.rename("h", "h2")
    assert rc.exists("h") == 0 and rc.hgetall("h2") == {b"a": b"1", b"b": b"2"}
    assert rc.copy("h2", "h3")
    rc.hset("h3", "c", "3")  # a deep copy: the source does not change
    assert rc.hlen("h2") == 2 and rc.hlen("h3") == 3
    rc.set("s", "v")
    assert sorted(rc.scan(0, _type="hash", count=1000)[1]) == [b"h2", b"h3"]
    assert rc.scan(0, _type="string", count=1000)[1] == [b"s"]
    assert rc.memory_usage("h2") > 0
    assert rc.delete("h2", "h3") == 2
    assert rc.dbsize() == 1


def test_expiry_of_the_whole_hash(rc):
    rc.hset("h", "a", "1")
    assert rc.pexpire("h", 100)
    rc.hset("h", "b", "2")  # writing a field keeps the key's TTL, as Redis
    assert 0 < rc.pttl("h") <= 100
    deadline = time.monotonic() + 5
    while rc.exists("h") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rc.exists("h") == 0 and rc.hgetall("h") == {}


def test_multi_exec_with_hashes(rc):
    rc.set("str", "v")
    pipe = rc.pipeline(transaction=True)
    pipe.hset("h", "a", "1").hincrby("h", "a", 2).hgetall("h").hget("str", "a")
    result = pipe.execute(raise_on_error=False)
    assert result[:3] == [1, 3, {b"a": b"3"}]
    assert isinstance(result[3], redis.ResponseError) and WRONGTYPE in str(result[3])


def test_watch_sees_hash_writes(server, rc):
    rc.hset("h", "a", "1")
    other = redis.Redis(host=server.host, port=server.port)
    try:
        with rc.pipeline() as pipe:
            pipe.watch("h")
            other.hset("h", "a", "2")  # an in-place write fails the EXEC
            pipe.multi()
            pipe.hget("h", "a")
            with pytest.raises(redis.WatchError):
                pipe.execute()
        with rc.pipeline() as pipe:
            pipe.watch("h")
            other.hget("h", "a")  # reads do not
            other.hdel("h", "nope")  # nor a write that changes nothing
            pipe.multi()
            pipe.hget("h", "a")
            assert pipe.execute() == [b"2"]
    finally:
        other.close()


def test_config_set_encoding_thresholds(rc):
    try:
        assert rc.config_set("hash-max-listpack-entries", 2)
        rc.hset("h", mapping={"a": "1", "b": "2"})
        assert rc.object("encoding", "h") == b"listpack"
        rc.hset("h", "c", "3")
        assert rc.object("encoding", "h") == b"hashtable"
    finally:
        rc.config_set("hash-max-listpack-entries", 512)
