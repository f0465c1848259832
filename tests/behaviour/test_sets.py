"""Sets: S* commands through redis-py in RESP3 and RESP2, WRONGTYPE both ways, expiry of the
whole key, and the generic key commands (RENAME, COPY, TYPE, SCAN TYPE, DEL, MULTI/EXEC) on sets."""

import time

import pytest
import redis

from servers import make_client

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def test_sadd_srem_smembers(rc):
    assert rc.sadd("s", "a", "b", "c", "a") == 3
    assert rc.sadd("s", "a") == 0
    assert rc.smembers("s") == {b"a", b"b", b"c"}  # a RESP3 set (~) or a RESP2 array
    assert rc.smembers("nokey") == set()
    assert rc.scard("s") == 3 and rc.scard("nokey") == 0
    assert rc.sismember("s", "a") and not rc.sismember("s", "z")
    assert rc.smismember("s", ["a", "z", "c"]) == [1, 0, 1]
    assert rc.srem("s", "a", "z") == 1
    assert rc.srem("s", "b", "c") == 2
    assert rc.exists("s") == 0  # an emptied set is deleted


def test_set_algebra(rc):
    rc.sadd("a", "1", "2", "3")
    rc.sadd("b", "2", "3", "4")
    assert rc.sinter("a", "b") == {b"2", b"3"}
    assert rc.sinter("a", "nokey") == set()
    assert rc.sunion("a", "b", "nokey") == {b"1", b"2", b"3", b"4"}
    assert rc.sdiff("a", "b") == {b"1"}
    assert rc.sinterstore("d", "a", "b") == 2 and rc.smembers("d") == {b"2", b"3"}
    assert rc.sunionstore("d", "a", "b") == 4
    assert rc.sdiffstore("d", "a", "a") == 0 and rc.exists("d") == 0
    assert rc.sintercard(2, ["a", "b"]) == 2
    assert rc.sintercard(2, ["a", "b"], limit=1) == 1
    rc.set("str", "v")
    rc.expire("str", 100)
    assert rc.sunionstore("str", "a") == 3  # STORE replaces any type and its TTL
    assert rc.type("str") == b"set" and rc.ttl("str") == -1


def test_smove(rc):
    rc.sadd("src", "a", "b")
    assert rc.smove("src", "dst", "a") == 1
    assert rc.smove("src", "dst", "zz") == 0
    assert rc.smove("nokey", "dst", "a") == 0
    assert rc.smembers("dst") == {b"a"}
    assert rc.smove("src", "dst", "b") == 1
    assert rc.exists("src") == 0 and rc.scard("dst") == 2


def test_spop_and_srandmember(rc):
    members = {b"1", b"2", b"3", b"4", b"5"}
    rc.sadd("s", *members)
    one = rc.spop("s")
    assert one in members and rc.scard("s") == 4 and not rc.sismember("s", one)
    two = rc.spop("s", 2)
    assert len(two) == 2 and rc.scard("s") == 2 and one not in two
    assert rc.srandmember("s") in members
    assert len(rc.srandmember("s", -10)) == 10
    assert len(set(rc.srandmember("s", 10))) == 2
    rest = rc.spop("s", 10)
    assert len(rest) == 2 and rc.exists("s") == 0
    assert rc.spop("s") is None and rc.srandmember("s") is None
    with pytest.raises(redis.ResponseError, match="must be positive"):
        rc.spop("s", -1)


def test_encodings_and_sscan(rc):
    rc.sadd("ints", "1", "2", "3")
    assert rc.object("encoding", "ints") == b"intset"
    rc.sadd("ints", "x")
    assert rc.object("encoding", "ints") == b"hashtable"
    rc.sadd("big", *range(2000))  # past set-max-intset-entries
    assert rc.object("encoding", "big") == b"hashtable"
    seen, cursor, calls = set(), 0, 0
    while True:
        cursor, part = rc.sscan("big", cursor, count=100)
        seen.update(part)
        calls += 1
        if cursor == 0 or calls > 10_000:
            break
    assert calls > 1 and seen == {str(i).encode() for i in range(2000)}
    assert rc.sscan("nokey", 0) == (0, [])


def test_wrongtype_both_ways(rc):
    rc.set("str", "v")
    rc.sadd("s", "a")
    for call in (lambda: rc.sadd("str", "a"), lambda: rc.smembers("str"), lambda: rc.sinter("s", "str"),
                 lambda: rc.smove("s", "str", "a"), lambda: rc.get("s"), lambda: rc.hget("s", "a")):
        with pytest.raises(redis.ResponseError, match=WRONGTYPE):
            call()
    assert rc.sismember("s", "a")  # the failed SMOVE moved nothing


def test_generic_key_commands_on_sets(rc):
    rc.sadd("s", "a", "b")
    assert rc.type("s") == b"set"
    assert rc.rename("s", "s2") and rc.exists("s") == 0
    assert rc.copy("s2", "s3")
    rc.sadd("s3", "c")
    assert rc.scard("s2") == 2 and rc.scard("s3") == 3
    rc.hset("h", "f", "v")
    assert sorted(rc.scan(0, _type="set", count=1000)[1]) == [b"s2", b"s3"]
    assert rc.unlink("s2") == 1 and rc.delete("s3") == 1
    assert rc.keys("*") == [b"h"]


def test_expiry_of_the_whole_set(rc):
    rc.sadd("s", "a")
    assert rc.pexpire("s", 100)
    deadline = time.monotonic() + 5
    while rc.exists("s") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rc.exists("s") == 0 and rc.scard("s") == 0


def test_multi_exec_with_sets(rc):
    pipe = rc.pipeline(transaction=True)
    pipe.sadd("s", "a", "b").scard("s").smembers("s").spop("s", 5)
    added, card, members, popped = pipe.execute()
    assert (added, card, members) == (2, 2, {b"a", b"b"}) and set(popped) == {b"a", b"b"}
    assert rc.exists("s") == 0


def test_flushall_frees_collections(rc):
    for i in range(50):
        rc.sadd(f"s{i}", *range(100))
        rc.hset(f"h{i}", mapping={f"f{j}": j for j in range(100)})
    used = rc.info("memory")["used_memory"]
    rc.flushall()
    assert rc.dbsize() == 0
    assert rc.info("memory")["used_memory"] < used


def test_smove_of_a_member_the_destination_has_leaves_its_watch_intact(r, server):
    """Redis signals the destination only when the member was added to it (unit/type/set.tcl
    "SMOVE only notify dstset when the addition is successful")."""
    r.sadd("src", "a", "b")
    r.sadd("dst", "a")
    other = make_client(server)
    try:
        with r.pipeline() as p:
            p.watch("dst")
            p.multi()
            p.sadd("dst", "c")
            assert other.smove("src", "dst", "a") is True
            assert p.execute() == [1]  # not aborted by the WATCH
        assert r.scard("dst") == 2 and r.smembers("src") == {b"b"}
        with r.pipeline() as p:  # a member new to the destination does change it
            p.watch("dst")
            p.multi()
            p.sadd("dst", "d")
            assert other.smove("src", "dst", "b") is True
            with pytest.raises(redis.WatchError):
                p.execute()
    finally:
        other.close()
