"""Lists: L* commands through redis-py in RESP3 and RESP2, WRONGTYPE both ways, expiry of the
whole key, and the generic key commands (RENAME, COPY, TYPE, SCAN TYPE, DEL, MULTI/EXEC) on lists."""

import time

import pytest
import redis

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def test_push_pop_range(rc):
    assert rc.rpush("l", "a", "b", "c") == 3
    assert rc.lpush("l", "y", "z") == 5
    assert rc.lrange("l", 0, -1) == [b"z", b"y", b"a", b"b", b"c"]
    assert rc.lrange("l", -2, 100) == [b"b", b"c"] and rc.lrange("nokey", 0, -1) == []
    assert rc.llen("l") == 5 and rc.llen("nokey") == 0
    assert rc.lpushx("nokey", "a") == 0 and rc.exists("nokey") == 0
    assert rc.rpushx("l", "d") == 6
    assert rc.lpop("l") == b"z" and rc.rpop("l") == b"d"
    assert rc.lpop("l", 2) == [b"y", b"a"] and rc.rpop("l", 5) == [b"c", b"b"]
    assert rc.exists("l") == 0  # an emptied list is deleted
    assert rc.lpop("l") is None and rc.lpop("l", 3) is None  # nil / null array
    with pytest.raises(redis.ResponseError, match="must be positive"):
        rc.lpop("l", -1)


def test_index_set_insert_rem_trim(rc):
    rc.rpush("l", "a", "b", "c", "b")
    assert rc.lindex("l", 1) == b"b" and rc.lindex("l", -1) == b"b" and rc.lindex("l", 9) is None
    assert rc.lset("l", 0, "A")
    with pytest.raises(redis.ResponseError, match="index out of range"):
        rc.lset("l", 9, "x")
    with pytest.raises(redis.ResponseError, match="no such key"):
        rc.lset("nokey", 0, "x")
    assert rc.linsert("l", "before", "c", "x") == 5 and rc.linsert("l", "after", "nope", "x") == -1
    assert rc.lrange("l", 0, -1) == [b"A", b"b", b"x", b"c", b"b"]
    assert rc.lrem("l", -1, "b") == 1 and rc.lrange("l", 0, -1) == [b"A", b"b", b"x", b"c"]
    assert rc.ltrim("l", 1, 2) and rc.lrange("l", 0, -1) == [b"b", b"x"]
    assert rc.ltrim("l", 5, 1) and rc.exists("l") == 0


def test_lpos(rc):
    rc.rpush("p", "a", "b", "c", "1", "2", "3", "c", "c")
    assert rc.lpos("p", "c") == 2
    assert rc.lpos("p", "c", rank=-1) == 7 and rc.lpos("p", "c", rank=2) == 6
    assert rc.lpos("p", "c", count=0) == [2, 6, 7] and rc.lpos("p", "c", count=2, rank=-1) == [7, 6]
    assert rc.lpos("p", "c", maxlen=2) is None and rc.lpos("p", "zz", count=1) == []
    with pytest.raises(redis.ResponseError, match="RANK can't be zero"):
        rc.lpos("p", "c", rank=0)


def test_lmove_and_rpoplpush(rc):
    rc.rpush("src", "1", "2", "3")
    assert rc.lmove("src", "dst", "LEFT", "RIGHT") == b"1"
    assert rc.rpoplpush("src", "dst") == b"3"
    assert rc.lmove("src", "src", "LEFT", "LEFT") == b"2"  # one element rotated onto itself
    assert rc.lmove("src", "dst") == b"2"  # redis-py's default LEFT RIGHT
    assert rc.exists("src") == 0 and rc.lrange("dst", 0, -1) == [b"3", b"1", b"2"]
    assert rc.lmove("nokey", "dst") is None and rc.rpoplpush("nokey", "dst") is None


def test_wrongtype_both_ways(rc):
    rc.set("str", "v")
    rc.rpush("l", "a")
    for call in (lambda: rc.lpush("str", "a"), lambda: rc.lrange("str", 0, -1), lambda: rc.lpop("str"),
                 lambda: rc.lmove("l", "str"), lambda: rc.rpoplpush("str", "l"), lambda: rc.get("l"),
                 lambda: rc.sadd("l", "a"), lambda: rc.lpos("str", "a"), lambda: rc.linsert("str", "before", "a", "b")):
        with pytest.raises(redis.ResponseError, match=WRONGTYPE):
            call()
    assert rc.lrange("l", 0, -1) == [b"a"]  # the failed LMOVE moved nothing


def test_generic_key_commands_on_lists(rc):
    rc.rpush("l", "a", "b")
    assert rc.type("l") == b"list" and rc.object("encoding", "l") == b"quicklist"
    assert rc.rename("l", "l2") and rc.exists("l") == 0
    assert rc.copy("l2", "l3")
    rc.rpush("l3", "c")
    assert rc.llen("l2") == 2 and rc.llen("l3") == 3
    rc.hset("h", "f", "v")
    assert sorted(rc.scan(0, _type="list", count=1000)[1]) == [b"l2", b"l3"]
    assert rc.unlink("l2") == 1 and rc.delete("l3") == 1
    assert rc.keys("*") == [b"h"]


def test_expiry_of_the_whole_list(rc):
    rc.rpush("l", "a")
    assert rc.expire("l", 100)
    rc.rpush("l", "b")  # a push keeps the TTL
    assert 0 < rc.ttl("l") <= 100
    assert rc.pexpire("l", 100)
    deadline = time.monotonic() + 5
    while rc.exists("l") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rc.exists("l") == 0 and rc.llen("l") == 0


def test_multi_exec_with_lists(rc):
    pipe = rc.pipeline(transaction=True)
    pipe.rpush("l", "a", "b").llen("l").lrange("l", 0, -1).lpop("l", 5)
    assert pipe.execute() == [2, 2, [b"a", b"b"], [b"a", b"b"]]
    assert rc.exists("l") == 0


def test_watch_sees_list_changes(rc, r2):
    rc.rpush("l", "a")
    with rc.pipeline() as pipe:
        pipe.watch("l")
        r2.rpush("l", "b")  # another client's push
        pipe.multi()
        pipe.lpop("l")
        with pytest.raises(redis.WatchError):
            pipe.execute()
    assert rc.lrange("l", 0, -1) == [b"a", b"b"]


def test_big_list_and_memory(rc):
    rc.rpush("big", *range(5000))
    assert rc.llen("big") == 5000 and rc.lindex("big", 2500) == b"2500"
    assert rc.lrange("big", 4998, -1) == [b"4998", b"4999"]
    before = rc.memory_usage("big")
    assert before > 5000 * 2  # every element counted (Redis packs 5000 small ints in ~25 kB)
    rc.ltrim("big", 0, 9)
    assert rc.memory_usage("big") < before / 10
