"""Keyspace notifications against real redis-server: on each server a subscriber to `__key*__:*`, the
same commands from another connection, and the same pmessage bytes in the same order, class by class
(CONFIG SET notify-keyspace-events), in RESP2 and RESP3.  A PUBLISH on a channel the pattern matches
closes each scenario, so "no more events" is compared too."""

from __future__ import annotations

import time

import pytest

from resp import RespSocket, encode_command

MARK = b"__keyevent@0__:zz-end-of-scenario"


class Side:
    """One server: a subscriber and a writer."""

    def __init__(self, srv, proto: int):
        self.sub = RespSocket(srv.host, srv.port, timeout=10)
        self.w = RespSocket(srv.host, srv.port, timeout=10)
        if proto == 3:
            self.sub.send(encode_command("HELLO", "3"))
            self.sub.reply()
        self.sub.send(encode_command("PSUBSCRIBE", "__key*__:*"))
        self.sub.reply()

    def call(self, *args) -> bytes:
        self.w.send(encode_command(*args))
        return self.w.reply()

    def events(self) -> list[bytes]:
        """Everything the subscriber got up to the end mark (published now)."""
        self.call("PUBLISH", MARK, "end")
        out: list[bytes] = []
        while True:
            r = self.sub.reply()
            if MARK in r:
                return out
            out.append(r)

    def close(self) -> None:
        self.sub.close()
        self.w.close()


@pytest.fixture
def sides(redis_server, server):
    opened: list[Side] = []

    def factory(proto: int = 2) -> tuple[Side, Side]:
        pair = Side(redis_server, proto), Side(server, proto)
        opened.extend(pair)
        for s in pair:
            assert s.call("FLUSHALL") == b"+OK\r\n"
        return pair

    yield factory
    for s in opened:
        s.call("CONFIG", "SET", "notify-keyspace-events", "")
        s.close()


def run(pair, classes: str, commands: list[tuple]) -> list[bytes]:
    """The commands on both servers, then their event streams compared byte for byte (replies are
    compared elsewhere; only the random ones differ here)."""
    for s in pair:
        assert s.call("CONFIG", "SET", "notify-keyspace-events", classes) == b"+OK\r\n"
    for cmd in commands:
        for s in pair:
            s.call(*cmd)
    want, got = pair[0].events(), pair[1].events()
    assert [_short(e) for e in got] == [_short(e) for e in want]   # readable first
    assert got == want
    return want


def _short(push: bytes) -> str:
    """"channel message" of a pmessage push, for a readable diff."""
    parts = push.split(b"\r\n")
    return (parts[-4] + b" " + parts[-2]).decode("latin-1")


STRINGS = [
    ("SET", "s1", "v"), ("SET", "s1", "w", "EX", "100"), ("SET", "s1", "x", "NX"), ("SET", "s1", "y", "XX", "GET"),
    ("SET", "s2", "v", "KEEPTTL"), ("SETNX", "s3", "1"), ("SETNX", "s3", "2"), ("SETEX", "s4", "10", "v"),
    ("PSETEX", "s5", "10000", "v"), ("GETSET", "s5", "w"), ("MSET", "m1", "1", "m2", "2"),
    ("MSETNX", "m3", "1", "m4", "2"), ("MSETNX", "m3", "1", "m5", "2"), ("INCR", "c"), ("DECR", "c"),
    ("INCRBY", "c", "5"), ("DECRBY", "c", "2"), ("INCRBYFLOAT", "f", "1.5"), ("INCR", "s1"),
    ("APPEND", "a", "xy"), ("APPEND", "a", ""), ("APPEND", "a2", ""), ("SETRANGE", "r", "3", "ab"),
    ("SETRANGE", "r", "0", ""), ("SETRANGE", "r2", "0", ""), ("GETEX", "s1", "EX", "50"),
    ("GETEX", "s1", "PERSIST"), ("GETEX", "s1", "PERSIST"), ("GETEX", "s4", "PXAT", "1"),
    ("GETDEL", "s3"), ("GETDEL", "s3"), ("SETBIT", "b", "7", "1"), ("SETBIT", "b", "7", "1"),
    ("BITFIELD", "bf", "SET", "u8", "0", "255", "GET", "u8", "0"), ("BITFIELD", "bf", "GET", "u8", "0"),
    ("BITOP", "OR", "bo", "b", "bf"), ("BITOP", "OR", "bo", "nokey1", "nokey2"),
]

GENERIC = [
    ("SET", "k1", "v"), ("SET", "k2", "v"), ("SET", "k3", "v"), ("DEL", "k1", "nokey", "k2"),
    ("DEL", "k1"), ("UNLINK", "k3"), ("SET", "e", "v"), ("EXPIRE", "e", "100"), ("PEXPIRE", "e", "100000", "NX"),
    ("PERSIST", "e"), ("PERSIST", "e"), ("EXPIREAT", "e", "1"), ("SET", "e", "v"), ("PEXPIREAT", "e", "99999999999999"),
    ("SET", "r1", "v"), ("RENAME", "r1", "r2"), ("RENAME", "r2", "r2"), ("SET", "r3", "x"),
    ("RENAMENX", "r2", "r3"), ("RENAME", "r2", "r3"), ("COPY", "r3", "r4"), ("COPY", "r3", "r4"),
    ("COPY", "r3", "r4", "REPLACE"), ("RPUSH", "l", "3", "1", "2"), ("SORT", "l", "STORE", "ls"),
    ("SORT", "nolist", "STORE", "ls"), ("SORT", "nolist", "STORE", "ls"), ("TOUCH", "r4", "nokey"),
]

LISTS = [
    ("LPUSH", "l", "a", "b"), ("RPUSH", "l", "c"), ("LPUSHX", "l", "d"), ("RPUSHX", "nol", "d"),
    ("LINSERT", "l", "BEFORE", "c", "x"), ("LINSERT", "l", "BEFORE", "zz", "x"), ("LSET", "l", "0", "y"),
    ("LREM", "l", "0", "x"), ("LREM", "l", "0", "x"), ("LTRIM", "l", "0", "10"), ("LPOP", "l"),
    ("RPOP", "l", "2"), ("LPOP", "l", "0"), ("RPUSH", "l", "1", "2", "3"), ("LMOVE", "l", "l2", "LEFT", "RIGHT"),
    ("RPOPLPUSH", "l", "l2"), ("LMOVE", "l", "l", "LEFT", "LEFT"), ("LMPOP", "2", "nol", "l", "LEFT", "COUNT", "5"),
    ("BLPOP", "l2", "0"), ("BRPOP", "nol", "l2", "0"), ("RPUSH", "l2", "q"), ("BLMOVE", "l2", "l3", "LEFT", "LEFT", "0"),
    ("BLMPOP", "0", "1", "l3", "RIGHT"), ("LTRIM", "l3", "1", "0"),
]

SETS = [
    ("SADD", "s", "a", "b", "c"), ("SADD", "s", "a"), ("SREM", "s", "x"), ("SREM", "s", "a"),
    ("SMOVE", "s", "s2", "b"), ("SMOVE", "s", "s2", "zz"), ("SMOVE", "s2", "s2", "b"), ("SADD", "s2", "c"),
    ("SMOVE", "s", "s2", "c"), ("SINTERSTORE", "i", "s2", "s2"), ("SUNIONSTORE", "u", "s2", "nos"),
    ("SDIFFSTORE", "d", "s2", "s2"), ("SDIFFSTORE", "u", "s2", "s2"), ("SADD", "p", "only"), ("SPOP", "p"),
    ("SADD", "p", "x", "y"), ("SPOP", "p", "5"), ("SPOP", "p", "0"), ("SADD", "p", "x", "y", "z"), ("SPOP", "p", "1"),
]

HASHES = [
    ("HSET", "h", "a", "1", "b", "2"), ("HMSET", "h", "a", "3"), ("HSETNX", "h", "a", "1"), ("HSETNX", "h", "c", "1"),
    ("HINCRBY", "h", "a", "2"), ("HINCRBYFLOAT", "h", "f", "0.5"), ("HDEL", "h", "zz"), ("HDEL", "h", "a", "b"),
    ("HDEL", "h", "c", "f"), ("HGET", "h", "a"),
]

ZSETS = [
    ("ZADD", "z", "1", "a", "2", "b", "3", "c"), ("ZADD", "z", "1", "a"), ("ZADD", "z", "XX", "5", "zz"),
    ("ZADD", "z", "INCR", "1", "a"), ("ZINCRBY", "z", "1", "b"), ("ZREM", "z", "zz"), ("ZREM", "z", "a"),
    ("ZADD", "z", "1", "a", "4", "d", "5", "e"), ("ZREMRANGEBYRANK", "z", "0", "0"), ("ZREMRANGEBYSCORE", "z", "100", "200"),
    ("ZREMRANGEBYSCORE", "z", "3", "3"), ("ZREMRANGEBYLEX", "z", "-", "+"), ("ZADD", "z", "1", "a", "2", "b", "3", "c"),
    ("ZPOPMIN", "z"), ("ZPOPMAX", "z", "1"), ("ZPOPMAX", "z", "0"), ("ZADD", "z", "1", "a", "2", "b"),
    ("ZUNIONSTORE", "zu", "2", "z", "noz"), ("ZINTERSTORE", "zi", "2", "z", "noz"), ("ZDIFFSTORE", "zd", "1", "z"),
    ("ZRANGESTORE", "zr", "z", "0", "0"), ("ZRANGESTORE", "zr", "z", "5", "6"), ("ZDIFFSTORE", "zd", "2", "z", "z"),
    ("ZMPOP", "2", "noz", "z", "MIN", "COUNT", "1"), ("BZPOPMIN", "z", "0"), ("BZMPOP", "0", "1", "zu", "MAX", "COUNT", "9"),
]

STREAMS = [
    ("XGROUP", "CREATE", "x", "g", "$", "MKSTREAM"), ("XGROUP", "CREATE", "x", "g", "$"),
    ("XGROUP", "CREATECONSUMER", "x", "g", "bob"), ("XGROUP", "CREATECONSUMER", "x", "g", "bob"),
    ("XADD", "x", "1-1", "f", "v"), ("XADD", "x", "1-1", "f", "v"), ("XADD", "x", "MAXLEN", "1", "2-1", "f", "v"),
    ("XADD", "x", "NOMKSTREAM", "3-1", "f", "v"), ("XADD", "nox", "NOMKSTREAM", "3-1", "f", "v"),
    ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "x", ">"), ("XCLAIM", "x", "g", "mike", "0", "2-1", "FORCE"),
    ("XAUTOCLAIM", "x", "g", "bob", "0", "0"), ("XAUTOCLAIM", "x", "g", "neo", "0", "0"),
    ("XGROUP", "DELCONSUMER", "x", "g", "nobody"), ("XGROUP", "DELCONSUMER", "x", "g", "bob"),
    ("XGROUP", "SETID", "x", "g", "0"), ("XDEL", "x", "9-9"), ("XDEL", "x", "2-1"), ("XTRIM", "x", "MAXLEN", "5"),
    ("XADD", "x", "4-1", "f", "v"), ("XADD", "x", "5-1", "f", "v"), ("XTRIM", "x", "MAXLEN", "1"),
    ("XSETID", "x", "9-9"), ("XGROUP", "DESTROY", "x", "g"), ("XGROUP", "DESTROY", "x", "g"),
]

MISSES = [
    ("GET", "nokey"), ("SET", "k", "v"), ("GET", "k"), ("MGET", "k", "no1", "no2"), ("STRLEN", "no"),
    ("EXISTS", "no"), ("TTL", "no"), ("PTTL", "k"), ("TYPE", "no"), ("HGET", "noh", "f"), ("LRANGE", "nol", "0", "-1"),
    ("SMEMBERS", "nos"), ("ZSCORE", "noz", "m"), ("GETRANGE", "no", "0", "1"), ("GETDEL", "no"), ("TOUCH", "no"),
    ("SET", "g", "v", "GET"), ("COPY", "no", "dst"), ("OBJECT", "ENCODING", "no"), ("INCR", "no-incr"),
    ("SADD", "ms", "a"), ("SINTERSTORE", "md", "ms", "nos2"), ("SUNIONSTORE", "md", "ms", "nos2"),
    ("ZUNIONSTORE", "mz", "2", "ms", "noz2"), ("SINTER", "ms", "nos3"),
]

CASES = {
    "string": ("KE$", STRINGS), "generic": ("KEg", GENERIC), "list": ("KEl", LISTS), "set": ("KEs", SETS),
    "hash": ("KEh", HASHES), "zset": ("KEz", ZSETS), "stream": ("KEt", STREAMS), "keymiss": ("KEm", MISSES),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_class(sides, name):
    classes, commands = CASES[name]
    assert run(sides(), classes, commands), "the scenario must fire events"


@pytest.mark.parametrize("proto", [2, 3])
def test_every_class_together_with_new_keys(sides, proto):
    """All classes at once (their events interleaved, as each command fires them) with `n`."""
    events = run(sides(proto), "KEAnm", STRINGS + GENERIC + LISTS + SETS + HASHES + ZSETS + STREAMS)
    assert any(b"__keyevent@0__:new" in e for e in events)


MASKED = [("SET", "k", "v"), ("EXPIRE", "k", "10"), ("LPUSH", "l", "x"), ("DEL", "k", "l")]


@pytest.mark.parametrize("classes", ["K$", "E$", "Kg", "AK", "gl$E", "KEA"])
def test_masks(sides, classes):
    """Only the classes asked for, on the channels asked for (K, E)."""
    run(sides(), classes, MASKED)


def test_no_channel_no_events(sides):
    """Classes without K or E publish nothing; adding E turns them on."""
    pair = sides()
    assert run(pair, "gl$", MASKED) == []
    assert run(pair, "gl$E", MASKED)


TRANSACTION = [
    ("MULTI",), ("SET", "t", "1"), ("INCR", "t"), ("RPUSH", "tl", "a"), ("DEL", "t"), ("EXEC",),
    ("EVAL", "redis.call('hset', KEYS[1], 'f', 'v'); redis.call('hdel', KEYS[1], 'f'); "
             "return redis.call('set', KEYS[2], 'x', 'EX', 5)", "2", "th", "ts"),
]


def test_transactions_and_scripts(sides):
    """Inside MULTI/EXEC and EVAL, each command fires its events where it runs."""
    run(sides(), "KEA", TRANSACTION)


def test_expired_lazy_and_active(sides):
    """`expired`: when a read finds the key past its time, and from the active expiry cycle."""
    pair = sides()
    for s in pair:
        s.call("CONFIG", "SET", "notify-keyspace-events", "KEx")
        s.call("SET", "lazy", "v", "PX", "1")
    time.sleep(0.05)
    for s in pair:
        assert s.call("GET", "lazy") in (b"$-1\r\n", b"_\r\n")
    want, got = pair[0].events(), pair[1].events()
    assert got == want == [b"*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$19\r\n__keyspace@0__:lazy\r\n$7\r\nexpired\r\n",
                           b"*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$22\r\n__keyevent@0__:expired\r\n$4\r\nlazy\r\n"]
    for s in pair:
        s.call("SET", "active", "v", "PX", "20")
    for s in pair:   # nobody reads it: only the active cycle can reclaim it (bounded wait)
        assert s.sub.reply(timeout=10).endswith(b"__keyspace@0__:active\r\n$7\r\nexpired\r\n")
        assert s.sub.reply(timeout=10).endswith(b"__keyevent@0__:expired\r\n$6\r\nactive\r\n")




def test_evicted(sides):
    """`evicted` for every key a lowered maxmemory pushes out (the order is each server's choice)."""
    pair = sides()
    saved = []
    for s in pair:
        s.w.send(encode_command("CONFIG", "GET", "maxmemory-policy"))
        saved.append(s.w.reply().split(b"\r\n")[-2])
        s.call("CONFIG", "SET", "notify-keyspace-events", "Ee", "maxmemory-policy", "allkeys-lru")
        for i in range(10):
            s.call("SET", "ev%d" % i, "v")
    try:
        for s in pair:
            assert s.call("CONFIG", "SET", "maxmemory", "1") == b"+OK\r\n"
        names = [sorted(s.sub.reply(timeout=10).split(b"\r\n")[-2] for _ in range(10)) for s in pair]
        assert names[1] == names[0] == sorted(b"ev%d" % i for i in range(10))
    finally:
        for s, policy in zip(pair, saved):
            s.call("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", policy)
    assert pair[1].events() == pair[0].events() == []


def test_every_worker_gets_them(server):
    """Subscribers spread over the worker threads all get every event, in order."""
    subs = [RespSocket(server.host, server.port, timeout=10) for _ in range(6)]
    w = RespSocket(server.host, server.port, timeout=10)
    try:
        w.send(encode_command("CONFIG", "SET", "notify-keyspace-events", "E$"))
        assert w.reply() == b"+OK\r\n"
        for s in subs:
            s.send(encode_command("SUBSCRIBE", "__keyevent@0__:set"))
            s.reply()
        for i in range(50):
            w.send(encode_command("SET", "k%d" % i, "v"))
        w.replies(50)
        for s in subs:
            assert [r.split(b"\r\n")[-2] for r in s.replies(50)] == [b"k%d" % i for i in range(50)]
        w.send(encode_command("CONFIG", "SET", "notify-keyspace-events", ""))
        w.reply()
    finally:
        for s in subs + [w]:
            s.close()




def test_own_events_and_their_reply(redis_server, server):
    """A RESP3 client subscribed to the events of its own commands gets each where Redis writes it:
    SET, INCR, DEL, SPOP's before the reply (inside EXEC's array, before a script's reply), HSET, LPUSH,
    ZADD, EXPIRE, LSET, XGROUP and the *STORE commands' after it (FEATURES.md lists those that differ)."""
    socks = [RespSocket(srv.host, srv.port, timeout=10) for srv in (redis_server, server)]
    cmds = [("SET", "own1", "a"), ("SET", "own2", "1"), ("INCR", "own2"), ("DEL", "own2"), ("MULTI",),
            ("SET", "own1", "b"), ("INCRBY", "own2", "5"), ("EXEC",),
            ("EVAL", "redis.call('set', KEYS[1], 'c'); return redis.call('del', KEYS[2])", "2", "own1", "own2"),
            ("HSET", "oh", "f", "v"), ("LPUSH", "ol", "x"), ("RPUSH", "ol", "y"), ("ZADD", "oz", "1", "m"),
            ("EXPIRE", "own1", "100"), ("SINTERSTORE", "os", "ol2", "ol3"), ("SADD", "os1", "a"),
            ("SUNIONSTORE", "os", "os1"), ("ZUNIONSTORE", "oz2", "1", "oz"), ("LSET", "ol", "0", "z"),
            ("LMOVE", "ol", "ol4", "LEFT", "RIGHT"), ("SADD", "os2", "a"), ("SPOP", "os2"), ("SADD", "os2", "b"),
            ("SPOP", "os2", "5"), ("SDIFFSTORE", "os", "os1", "os1"), ("XGROUP", "CREATE", "ox", "g", "$", "MKSTREAM"),
            ("XGROUP", "SETID", "ox", "g", "0"), ("XSETID", "ox", "5-5"), ("XGROUP", "DESTROY", "ox", "g"),
            ("PEXPIREAT", "own1", "1"), ("CONFIG", "SET", "notify-keyspace-events", "")]
    try:
        got = []
        for s in socks:
            for cmd in [("HELLO", "3"), ("FLUSHALL",), ("CONFIG", "SET", "notify-keyspace-events", "KEA"),
                        ("PSUBSCRIBE", "__key*__:*")]:
                s.send(encode_command(*cmd))
                s.reply()
            for cmd in cmds + [("PING", "end")]:
                s.send(encode_command(*cmd))
            frames = []
            while (r := s.reply()) != b"$3\r\nend\r\n":
                frames.append(r)
            got.append(frames)
        assert [_short(f) if f[:1] == b">" else f for f in got[1]] == \
               [_short(f) if f[:1] == b">" else f for f in got[0]]   # readable first
        assert got[1] == got[0]
    finally:
        for s in socks:
            s.close()
