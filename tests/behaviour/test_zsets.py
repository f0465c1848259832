"""Sorted sets: Z* commands through redis-py in RESP3 and RESP2, WRONGTYPE both ways, expiry of
the whole key, and the generic key commands (RENAME, COPY, TYPE, SCAN TYPE, DEL, MULTI/EXEC) on them."""

import math
import time

import pytest
import redis

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def test_zadd_flags_and_scores(rc):
    assert rc.zadd("z", {"a": 1, "b": 2, "c": 3}) == 3
    assert rc.zadd("z", {"a": 5}) == 0 and rc.zscore("z", "a") == 5.0
    assert rc.zadd("z", {"a": 6, "d": 4}, ch=True) == 2
    assert rc.zadd("z", {"a": 1, "e": 9}, nx=True) == 1 and rc.zscore("z", "a") == 6.0
    assert rc.zadd("z", {"a": 7, "zz": 1}, xx=True) == 0 and rc.zscore("z", "zz") is None
    assert rc.zadd("z", {"a": 1}, gt=True, ch=True) == 0 and rc.zscore("z", "a") == 7.0
    assert rc.zadd("z", {"a": 1}, lt=True, ch=True) == 1 and rc.zscore("z", "a") == 1.0
    assert rc.zadd("z", {"a": 2.5}, incr=True) == 3.5
    assert rc.zadd("z", {"a": 1}, incr=True, nx=True) is None
    assert rc.zincrby("z", -0.5, "a") == 3.0
    assert rc.zincrby("new", 2, "m") == 2.0 and rc.zcard("new") == 1
    assert rc.zmscore("z", ["a", "nope", "b"]) == [3.0, None, 2.0]
    assert rc.zcard("z") == 5 and rc.zcard("nokey") == 0
    with pytest.raises(redis.ResponseError, match="not a valid float"):
        rc.zadd("z", {"a": "x"})
    with pytest.raises(redis.ResponseError, match="not compatible"):
        rc.execute_command("ZADD", "z", "NX", "XX", "1", "a")


def test_infinite_scores_and_nan(rc):
    rc.zadd("z", {"top": "inf", "bottom": "-inf", "mid": 0.1})
    assert rc.zscore("z", "top") == math.inf and rc.zscore("z", "bottom") == -math.inf
    assert rc.zrange("z", 0, -1) == [b"bottom", b"mid", b"top"]
    with pytest.raises(redis.ResponseError, match=r"resulting score is not a number \(NaN\)"):
        rc.zincrby("z", "-inf", "top")
    assert rc.zscore("z", "top") == math.inf  # unchanged


def test_ranks_and_ranges(rc):
    rc.zadd("z", {m: i for i, m in enumerate("abcdefgh")})
    assert rc.zrank("z", "a") == 0 and rc.zrank("z", "h") == 7 and rc.zrank("z", "nope") is None
    assert rc.zrevrank("z", "a") == 7 and rc.zrevrank("nokey", "a") is None
    assert rc.zrange("z", 1, 3) == [b"b", b"c", b"d"]
    assert rc.zrange("z", -2, -1, withscores=True) == [(b"g", 6.0), (b"h", 7.0)]
    assert rc.zrange("z", 0, 1, desc=True) == [b"h", b"g"]
    assert rc.zrevrange("z", 0, 1, withscores=True) == [(b"h", 7.0), (b"g", 6.0)]
    assert rc.zrange("z", 2, 5, byscore=True, offset=1, num=2) == [b"d", b"e"]
    assert rc.zrangebyscore("z", "(2", 4) == [b"d", b"e"]
    assert rc.zrevrangebyscore("z", "+inf", 6, withscores=True) == [(b"h", 7.0), (b"g", 6.0)]
    assert rc.zcount("z", 2, "(5") == 3 and rc.zcount("nokey", 0, 1) == 0
    with pytest.raises(redis.ResponseError, match="min or max is not a float"):
        rc.zcount("z", "x", 1)


def test_lex_ranges(rc):
    rc.zadd("l", {m: 0 for m in ["a", "b", "c", "d", "e"]})
    assert rc.zrangebylex("l", "[b", "(d") == [b"b", b"c"]
    assert rc.zrevrangebylex("l", "+", "-", start=0, num=2) == [b"e", b"d"]
    assert rc.zlexcount("l", "-", "+") == 5
    assert rc.zremrangebylex("l", "[a", "[b") == 2 and rc.zrange("l", 0, -1) == [b"c", b"d", b"e"]
    with pytest.raises(redis.ResponseError, match="not valid string range item"):
        rc.zlexcount("l", "a", "+")


def test_removal_and_pops(rc):
    rc.zadd("z", {m: i for i, m in enumerate("abcdefgh")})
    assert rc.zrem("z", "a", "nope") == 1
    assert rc.zremrangebyrank("z", 0, 1) == 2  # b, c
    assert rc.zremrangebyscore("z", 6, "+inf") == 2  # g, h
    assert rc.zpopmin("z") == [(b"d", 3.0)]
    assert rc.zpopmax("z", 5) == [(b"f", 5.0), (b"e", 4.0)]
    assert rc.exists("z") == 0 and rc.zpopmin("z") == []


def test_zrandmember_and_zscan(rc):
    members = {f"m{i}".encode(): float(i) for i in range(300)}  # past the listpack threshold
    rc.zadd("z", members)
    assert rc.object("encoding", "z") == b"skiplist"
    assert rc.zrandmember("z") in members
    picks = rc.zrandmember("z", 20)
    assert len(set(picks)) == 20 and set(picks) <= set(members)
    assert len(rc.zrandmember("z", -500)) == 500
    seen, cursor, calls = {}, 0, 0
    while True:
        cursor, part = rc.zscan("z", cursor, count=50)
        seen.update(part)
        calls += 1
        if cursor == 0 or calls > 10_000:
            break
    assert calls > 1 and seen == members
    rc.zadd("small", {"a": 1})
    assert rc.object("encoding", "small") == b"listpack" and rc.zscan("small", 0) == (0, [(b"a", 1.0)])


def test_union_and_inter_store(rc):
    rc.zadd("a", {"x": 1, "y": 2})
    rc.zadd("b", {"y": 10, "z": 20})
    rc.sadd("s", "x", "z")
    assert rc.zunionstore("u", ["a", "b"]) == 3
    assert rc.zrange("u", 0, -1, withscores=True) == [(b"x", 1.0), (b"y", 12.0), (b"z", 20.0)]
    assert rc.zinterstore("i", {"a": 2, "b": 1}) == 1 and rc.zscore("i", "y") == 14.0
    assert rc.zunionstore("m", ["a", "b", "s"], aggregate="MAX") == 3 and rc.zscore("m", "x") == 1.0
    assert rc.zinterstore("e", ["a", "nokey"]) == 0 and rc.exists("e") == 0


def test_wrongtype_both_ways(rc):
    rc.set("str", "v")
    rc.zadd("z", {"a": 1})
    for call in (lambda: rc.zadd("str", {"a": 1}), lambda: rc.zrange("str", 0, -1), lambda: rc.zscore("str", "a"),
                 lambda: rc.zunionstore("d", ["z", "str"]), lambda: rc.get("z"), lambda: rc.sadd("z", "a"),
                 lambda: rc.zpopmin("str")):
        with pytest.raises(redis.ResponseError, match=WRONGTYPE):
            call()
    assert rc.exists("d") == 0 and rc.zcard("z") == 1


def test_generic_key_commands_on_zsets(rc):
    rc.zadd("z", {"a": 1, "b": 2})
    assert rc.type("z") == b"zset"
    assert rc.rename("z", "z2") and rc.exists("z") == 0
    assert rc.copy("z2", "z3")
    rc.zadd("z3", {"c": 3})
    assert rc.zcard("z2") == 2 and rc.zcard("z3") == 3
    rc.sadd("s", "x")
    assert sorted(rc.scan(0, _type="zset", count=1000)[1]) == [b"z2", b"z3"]
    assert rc.unlink("z2") == 1 and rc.delete("z3") == 1
    assert rc.keys("*") == [b"s"]


def test_expiry_of_the_whole_zset(rc):
    rc.zadd("z", {"a": 1})
    assert rc.pexpire("z", 100)
    rc.zadd("z", {"b": 2})  # a write keeps the TTL
    assert rc.pttl("z") > 0
    deadline = time.monotonic() + 5
    while rc.exists("z") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rc.exists("z") == 0 and rc.zcard("z") == 0


def test_multi_exec_with_zsets(rc):
    pipe = rc.pipeline(transaction=True)
    pipe.zadd("z", {"a": 1, "b": 2}).zincrby("z", 5, "a").zrange("z", 0, -1, withscores=True).zpopmin("z", 5)
    added, incr, rng, popped = pipe.execute()
    assert (added, incr) == (2, 6.0) and rng == [(b"b", 2.0), (b"a", 6.0)] and popped == [(b"b", 2.0), (b"a", 6.0)]
    assert rc.exists("z") == 0


def test_memory_is_counted_and_freed(rc):
    base = rc.info("memory")["used_memory"]
    for i in range(20):
        rc.zadd(f"z{i}", {f"member-{j}": j for j in range(500)})
    grown = rc.info("memory")["used_memory"]
    assert grown - base > 20 * 500 * 40
    assert rc.memory_usage("z0") > 500 * 40
    rc.flushall()
    assert rc.info("memory")["used_memory"] < grown
