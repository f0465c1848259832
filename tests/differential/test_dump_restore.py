"""DUMP, RESTORE and MIGRATE against redis-server 7.0.15, in both directions.

- DUMP's bytes equal redis-server's wherever Redis's layout is a function of the value: strings (int
  encodings, LZF), lists (quicklist nodes as RPUSH fills them), intsets of each width, sorted sets
  (listpack and skiplist), a one-field hash.
- A DUMP from redis-server RESTOREs here, and one from here RESTOREs into redis-server, for every type
  and encoding (small and large hashes, sets, sorted sets and lists, integer sets, big strings): the
  value, its encoding and its TTL come out equal.
- Payloads in the older encodings Redis 7.0 still loads (ziplist, zipmap, plain lists, text scores), built
  here, restore into both servers alike.
- RESTORE's errors and options, reply for reply.
- MIGRATE from here to redis-server and back (COPY, REPLACE, KEYS, AUTH, AUTH2, the target's errors,
  NOKEY, an unreachable target) and the cached connection.
Run with the fast path on and with REDISTILL_FASTPATH=0.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time

import pytest

from resp import RespSocket
from servers import make_client

from .fuzz import dump_payload

RNG = random.Random(7)

# Keys whose DUMP is byte for byte Redis's (built by the same commands on both servers).
SAME_BYTES = [
    ["SET", "s", "hello"], ["SET", "i8", "-12"], ["SET", "i16", "3000"], ["SET", "i32", "-70000"],
    ["SET", "i64", "12345678901234"], ["SET", "notint", "007"], ["SET", "e", ""],
    ["SET", "lzf", "abc" * 400], ["SET", "rand", bytes(RNG.randrange(256) for _ in range(2000))],
    ["RPUSH", "l", "a", "1", "-5", "300000", "x" * 70, "y" * 5000, "9223372036854775807"],
    ["RPUSH", "ll", *[f"item{i}" for i in range(6000)]],
    ["SADD", "is16", *range(0, 300, 3)], ["SADD", "is32", 1, 100000, -5], ["SADD", "is64", 2, 2**40, -(2**62)],
    ["ZADD", "zl", "1", "a", "2.5", "b", "-inf", "c", "1e300", "d", "0.1", "e", "-3", "f"],
    ["ZADD", "zs", *[x for i in range(200) for x in (str(i * 0.37), f"member{i}")]],
    ["HSET", "h1", "field", "value"],
    *[["XADD", "st", f"{i + 1}-{i % 3}", "f", str(i), "g", "v" * (i % 40)] for i in range(260)],
    ["XADD", "st", "300-0", "other", "x"], ["XADD", "stg", "1-1", "a", "b"], ["XGROUP", "CREATE", "stg", "g0", "0"],
]

# Every type and encoding, for the round trips (hashes and hashtable sets come in table order).
ALL = SAME_BYTES + [
    ["HSET", "hs", "a", "1", "b", "two", "c", "3.5"],
    ["HSET", "hbig", *[x for i in range(600) for x in (f"f{i}", f"v{i}")]],
    ["HSET", "hlong", "f", "v" * 100],
    ["SADD", "set", "a", "b", "c"], ["SADD", "setbig", *range(1000)],
    ["ZADD", "zlong", "1", "m" * 100],
    ["SET", "ttl", "v", "PX", "100000"], ["RPUSH", "lttl", "a"], ["PEXPIRE", "lttl", "50000"],
    ["XADD", "sg", "1-1", "f", "v"], ["XADD", "sg", "2-2", "f", "w"], ["XGROUP", "CREATE", "sg", "g1", "0"],
    ["XGROUP", "CREATE", "sg", "g2", "$"], ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "1", "STREAMS", "sg", ">"],
    ["XREADGROUP", "GROUP", "g1", "bob", "STREAMS", "sg", ">"], ["XGROUP", "CREATECONSUMER", "sg", "g2", "carol"],
    ["XADD", "stdel", "1-1", "a", "b"], ["XADD", "stdel", "2-1", "a", "c"], ["XDEL", "stdel", "1-1"],
    ["XADD", "stempty", "5-5", "a", "b"], ["XDEL", "stempty", "5-5"],
]


def _keys(cmds) -> list[str]:
    return list(dict.fromkeys(c[2] if c[0] in ("XGROUP", "XREADGROUP") else c[1] for c in cmds
                              if c[0] != "XREADGROUP"))


def _build(c, cmds) -> None:
    c.flushall()
    for cmd in cmds:
        c.execute_command(*cmd)


@pytest.fixture(scope="module")
def pair(redis_server, server):
    a, b = make_client(redis_server, protocol=2), make_client(server, protocol=2)
    yield a, b
    a.close()
    b.close()


def content(c, key):
    """Type, whole value (sets and hashes sorted), encoding, and TTL rounded to seconds."""
    t = c.type(key).decode()
    read = {"string": lambda: c.get(key), "list": lambda: c.lrange(key, 0, -1),
            "set": lambda: sorted(c.smembers(key)), "hash": lambda: sorted(c.hgetall(key).items()),
            "zset": lambda: c.zrange(key, 0, -1, withscores=True), "stream": lambda: _stream(c, key)}[t]
    ttl = c.pttl(key)
    return t, read(), c.object("encoding", key), -1 if ttl < 0 else round(ttl / 10000)


def _stream(c, key):
    """XINFO STREAM FULL but the rax's node count (an estimate here) and the times (of delivery, of the
    consumers' last sighting), which the round trip keeps but which differ between two builds."""
    def fields(flat):
        return dict(zip(flat[::2], flat[1::2]))
    info = fields(c.execute_command("XINFO", "STREAM", key, "FULL"))   # RESP2: flat lists
    info.pop(b"radix-tree-nodes")
    info[b"groups"] = [fields(g) for g in info[b"groups"]]
    for g in info[b"groups"]:
        for p in g[b"pending"]:
            p[2] = 0
        g[b"consumers"] = [fields(con) for con in g[b"consumers"]]
        for con in g[b"consumers"]:
            con[b"seen-time"] = 0
            for p in con[b"pending"]:
                p[1] = 0
    return info


def test_dump_bytes_equal_redis(pair):
    ref, sut = pair
    for c in pair:
        _build(c, SAME_BYTES)
    diffs = [k for k in _keys(SAME_BYTES) if ref.dump(k) != sut.dump(k)]
    assert not diffs, {k: (ref.dump(k), sut.dump(k)) for k in diffs[:3]}
    assert sut.dump("missing") is None


@pytest.mark.parametrize("param,value", [("list-max-listpack-size", "5"), ("list-max-listpack-size", "-1"),
                                         ("list-max-listpack-size", "1"), ("stream-node-max-entries", "5"),
                                         ("stream-node-max-bytes", "200")])
def test_dump_bytes_follow_node_sizes(pair, param, value):
    """A list's quicklist nodes and a stream's listpacks split where Redis's would, by the settings."""
    ref, sut = pair
    try:
        for c in pair:
            c.config_set(param, value)
            c.delete("L", "S")
            c.rpush("L", *[f"v{i}" * (i % 13) for i in range(700)])
            for i in range(60):
                c.xadd("S", {"a": i, "b": "x" * (i % 20)}, id=f"1-{i + 1}")
        assert ref.dump("L") == sut.dump("L") and ref.dump("S") == sut.dump("S")
    finally:
        for c in pair:
            c.config_set("list-max-listpack-size", "-2")
            c.config_set("stream-node-max-entries", "100")
            c.config_set("stream-node-max-bytes", "4096")


@pytest.mark.parametrize("direction", ["redis-to-redistill", "redistill-to-redis"])
def test_restore_round_trip_every_type(pair, direction):
    src, dst = pair if direction == "redis-to-redistill" else pair[::-1]
    for c in pair:
        _build(c, ALL)
    for key in _keys(ALL):
        payload = src.dump(key)
        ttl = max(src.pttl(key), 0)
        assert dst.restore(key + ":r", ttl, payload) == b"OK"
        assert content(dst, key + ":r") == content(src, key), key


def _len(n: int) -> bytes:
    return bytes([n]) if n < 64 else struct.pack(">H", 0x4000 | n) if n < 16384 else b"\x80" + struct.pack(">I", n)


def _str(s: bytes) -> bytes:
    return _len(len(s)) + s


def _ziplist(items: list[bytes | int]) -> bytes:
    """ziplist.c's layout: strings with 6/14-bit lengths, integers in the 4-bit, int8, int16, int64 forms."""
    entries, prev = [], 0
    for it in items:
        if isinstance(it, int):
            if 0 <= it <= 12:
                enc = bytes([0xF1 + it])
            elif -128 <= it <= 127:
                enc = b"\xfe" + struct.pack("<b", it)
            elif -32768 <= it <= 32767:
                enc = b"\xc0" + struct.pack("<h", it)
            else:
                enc = b"\xe0" + struct.pack("<q", it)
        else:
            enc = (bytes([len(it)]) if len(it) < 64 else struct.pack(">H", 0x4000 | len(it))) + it
        e = (bytes([prev]) if prev < 254 else b"\xfe" + struct.pack("<I", prev)) + enc
        entries.append(e)
        prev = len(e)
    body = b"".join(entries)
    tail = 10 + len(body) - (len(entries[-1]) if entries else 0)
    return struct.pack("<IIH", 10 + len(body) + 1, tail, len(items)) + body + b"\xff"


def _zipmap(pairs: list[tuple[bytes, bytes]]) -> bytes:
    out = bytes([len(pairs)])
    for k, v in pairs:
        out += bytes([len(k)]) + k + bytes([len(v)]) + b"\x00" + v
    return out + b"\xff"


OLD = {
    "list-plain": bytes([1]) + _len(3) + _str(b"a") + _str(b"bb") + _str(b"7"),
    "list-ziplist": bytes([10]) + _str(_ziplist([b"a", 5, -100, 1000, 2**40, b"x" * 70])),
    "list-quicklist-ziplists": bytes([14]) + _len(2) + _str(_ziplist([b"a", 1])) + _str(_ziplist([b"b", 300])),
    "set-plain": bytes([2]) + _len(3) + _str(b"1") + _str(b"2") + _str(b"x"),
    "zset-text-scores": bytes([3]) + _len(3) + _str(b"a") + b"\x031.5" + _str(b"b") + b"\xfe" + _str(b"c") + b"\x02-2",
    "zset-ziplist": bytes([12]) + _str(_ziplist([b"c", -3, b"a", 1, b"b", b"2.5"])),
    "hash-plain": bytes([4]) + _len(2) + _str(b"f") + _str(b"v") + _str(b"g") + _str(b"12"),
    "hash-ziplist": bytes([13]) + _str(_ziplist([b"f", b"v", b"n", 7])),
    "hash-zipmap": bytes([9]) + _str(_zipmap([(b"f", b"v"), (b"k", b"1234")])),
}


@pytest.mark.parametrize("name", list(OLD))
def test_older_encodings_restore_alike(pair, name):
    payload = dump_payload(OLD[name])
    for c in pair:
        c.flushall()
        assert c.restore("k", 0, payload) == b"OK"
    assert content(pair[1], "k")[:2] == content(pair[0], "k")[:2]


def test_stream_type_15_restores_alike(pair):
    """RDB_TYPE_STREAM_LISTPACKS (Redis 5 to 6.2): type 19 without the first and max-deleted IDs and
    the entries-added counter (groups without entries-read), made from redis-server's own DUMP."""
    ref, sut = pair
    ref.flushall()
    for i in range(1, 6):
        ref.xadd("s", {"f": i}, id=f"{i}-1")
    body = ref.dump("s")[:-10]
    assert body[-9:] == bytes([5, 5, 1, 1, 1, 0, 0, 5, 0])   # length, last, first, max-deleted, added, groups
    payload = dump_payload(b"\x0f" + body[1:-6] + body[-1:])
    for c in pair:
        c.delete("t")
        assert c.restore("t", 0, payload) == b"OK"
    assert content(sut, "t") == content(ref, "t")


def _raw(c, *args) -> bytes:
    """One command's raw reply line(s) through redis-py's connection (errors as text)."""
    try:
        return repr(c.execute_command(*args)).encode()
    except Exception as e:   # noqa: BLE001  the error text is what is compared
        return b"-" + str(e).encode()


def test_restore_errors_and_options_match(pair):
    ref, sut = pair
    for c in pair:
        _build(c, [["SET", "k", "v"], ["RPUSH", "l", "a"]])
    p = ref.dump("k")
    bad_crc = p[:-1] + bytes([p[-1] ^ 1])
    cases = [
        ["RESTORE", "k", "0", p], ["RESTORE", "k", "-1", p], ["RESTORE", "n", "-1", p], ["RESTORE", "n", "x", p],
        ["RESTORE", "n", "0", bad_crc], ["RESTORE", "n", "0", b"short"], ["RESTORE", "n", "0", dump_payload(p[:-10], 11)],
        ["RESTORE", "n", "0", dump_payload(b"\x00\x85ab")], ["RESTORE", "n", "0", dump_payload(b"\x04\x00")],
        ["RESTORE", "n", "0", dump_payload(b"\x02\x02\x01a\x01a")], ["RESTORE", "n", "0", dump_payload(b"\x06abc")],
        ["RESTORE", "n", "0", p, "IDLETIME", "-1"], ["RESTORE", "n", "0", p, "FREQ", "256"],
        ["RESTORE", "n", "0", p, "FREQ", "x"], ["RESTORE", "n", "0", p, "IDLETIME", "1", "FREQ", "1"],
        ["RESTORE", "n", "0", p, "BOGUS"], ["RESTORE", "n", "0", p, "IDLETIME"], ["RESTORE", "k", "0", p, "BOGUS"],
        ["RESTORE", "k", "x", p, "REPLACE"], ["RESTORE", "k", "0", p, "REPLACE", "ABSTTL"], ["GET", "k"],
        ["RESTORE", "l", "1", p, "REPLACE", "ABSTTL"], ["EXISTS", "l"], ["RESTORE", "n2", "100000", p],
        ["RESTORE", "n3", "0", p, "IDLETIME", "100"], ["OBJECT", "IDLETIME", "n3"], ["DUMP", "nokey"],
        ["RESTORE", "n4"], ["DUMP"],
        ["RESTORE", "n5", "0", dump_payload(b"\x00\x0aabc")], ["GET", "n5"],   # Redis reads on into the footer
        ["RESTORE", "n6", "0", dump_payload(b"\x00\x0fabc")],
        ["RESTORE-ASKING", "ra", "0", p], ["GET", "ra"], ["RESTORE-ASKING", "ra", "0", p], ["RESTORE-ASKING", "ra"],
    ]
    diffs = [(c, _raw(ref, *c), _raw(sut, *c)) for c in cases if _raw(ref, *c) != _raw(sut, *c)]
    assert not diffs, diffs
    assert abs(ref.pttl("n2") - sut.pttl("n2")) < 5000


def _migrate(c, *args):
    try:
        return c.execute_command("MIGRATE", *args)
    except Exception as e:   # noqa: BLE001
        return "ERR " + str(e)


def test_migrate_both_ways(pair, redis_server, server):
    ref, sut = pair
    for c in pair:
        _build(c, ALL)
    keys = _keys(ALL)
    want = {k: content(sut, k) for k in keys}
    # Redistill -> redis-server: one key, then the rest with KEYS (missing keys skipped).
    ref.flushall()
    assert _migrate(sut, redis_server.host, redis_server.port, "s", 0, 5000) == b"OK"
    assert _migrate(sut, redis_server.host, redis_server.port, "", 0, 5000, "KEYS", *keys[1:], "nokey") == b"OK"
    assert sut.dbsize() == 0
    assert {k: content(ref, k) for k in keys} == want
    # ... and back, with COPY: both sides keep it.
    assert _migrate(ref, server.host, server.port, "", 0, 5000, "COPY", "KEYS", *keys) == b"OK"
    assert {k: content(sut, k) for k in keys} == want and ref.dbsize() == len(keys)
    # The target's refusal, REPLACE, NOKEY.
    assert "BUSYKEY" in _migrate(sut, redis_server.host, redis_server.port, "s", 0, 5000)
    assert sut.exists("s") == 1
    assert _migrate(sut, redis_server.host, redis_server.port, "s", 0, 5000, "REPLACE") == b"OK"
    assert sut.exists("s") == 0
    assert _migrate(sut, redis_server.host, redis_server.port, "s", 0, 5000) == b"NOKEY"
    assert _migrate(sut, redis_server.host, redis_server.port, "", 0, 5000, "KEYS", "s", "nokey") == b"NOKEY"
    assert sut.info("stats")["migrate_cached_sockets"] == 1


def test_migrate_errors_and_auth_match(pair, start_extra):
    ref, sut = pair
    locked = start_extra(kind="redis", password="pw")
    with socket.socket() as s:          # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    for c in pair:
        _build(c, [["SET", "k", "v"], ["SET", "k2", "v2"]])
    cases = [
        (locked.host, locked.port, "k", 0, 2000),
        (locked.host, locked.port, "k", 0, 2000, "AUTH", "wrong"),
        (locked.host, locked.port, "k", 0, 2000, "COPY", "AUTH", "pw"),
        (locked.host, locked.port, "k2", 0, 2000, "COPY", "AUTH2", "default", "pw"),
        ("127.0.0.1", dead, "k", 0, 300),
        ("127.0.0.1", dead, "k", 0, 300, "AUTH"), ("127.0.0.1", dead, "k", 0, 300, "AUTH2", "u"),
        ("127.0.0.1", dead, "k", 0, 300, "KEYS", "k"), ("127.0.0.1", dead, "k", 0, 300, "BOGUS"),
        ("127.0.0.1", dead, "k", "x", 300), ("127.0.0.1", dead, "k", 0, "x"), ("127.0.0.1", dead, "nokey", 0, 300),
    ]
    for case in cases:
        ref_reply = _migrate(ref, *case)
        locked_client = make_client(locked, password="pw")
        locked_client.flushall()
        assert _migrate(sut, *case) == ref_reply, case
        assert sut.exists("k", "k2") == ref.exists("k", "k2"), case
        locked_client.close()


def test_migrate_inside_multi_and_scripts(pair, redis_server, server):
    """Where nothing may block (EXEC, a script), the transfer runs inline, as Redis's always does."""
    ref, sut = pair
    sut.flushall()
    ref.flushall()
    sut.set("m1", "v1")
    sut.set("m2", "v2")
    p = sut.pipeline(transaction=True)
    p.execute_command("MIGRATE", redis_server.host, redis_server.port, "m1", 0, 5000)
    p.get("m1")
    assert p.execute() == [b"OK", None]
    assert sut.eval("return redis.call('MIGRATE', ARGV[1], ARGV[2], 'm2', 0, 5000, 'COPY')", 0,
                    redis_server.host, redis_server.port) == b"OK"
    assert ref.mget("m1", "m2") == [b"v1", b"v2"] and sut.get("m2") == b"v2"


class _HeldTarget:
    """A MIGRATE target that answers +OK to each command (SELECT, RESTORE) only when the test says so."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.got = threading.Event()    # a RESTORE arrived
        self.go = threading.Event()     # reply now
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.listener.accept()
        with conn:
            data = b""
            while b"RESTORE" not in data:
                data += conn.recv(65536)
            self.got.set()
            self.go.wait(10)
            conn.sendall(b"+OK\r\n" * (2 if b"SELECT" in data else 1))   # SELECT's, then RESTORE's

    def close(self):
        self.go.set()
        self.listener.close()
        self.thread.join(10)


def test_migrate_keeps_a_key_written_during_the_transfer(pair, server):
    """The source key is deleted only while it still holds what was sent; meanwhile the worker serves."""
    ref, sut = pair
    for changed in (False, True):
        sut.set("mk", "old")
        target = _HeldTarget()
        client = make_client(server, protocol=2)
        try:
            out = {}
            t = threading.Thread(target=lambda: out.setdefault("r", _migrate(client, "127.0.0.1", target.port,
                                                                               "mk", 0, 5000)))
            t.start()
            assert target.got.wait(10)
            assert sut.get("mk") == b"old"          # served while the MIGRATE waits for its target
            if changed:
                sut.set("mk", "new")
            target.go.set()
            t.join(10)
            assert out["r"] == b"OK"
            assert sut.get("mk") == (b"new" if changed else None)
        finally:
            client.close()
            target.close()


MIGRATE_ARGVS = [
    ["a", "2", "b", "c", "d"], ["h", "1", "", "0", "5", "KEYS", "k1", "k2"], ["h", "1", "x", "0", "5", "KEYS", "k1"],
    ["h", "1", "", "0", "5", "AUTH", "keys", "KEYS", "k1"], ["h", "1", "", "0", "5", "AUTH2", "u", "keys", "KEYS", "k1"],
    ["h", "1", "k", "0", "5", "COPY", "REPLACE"], ["h", "1", "", "0", "5"], ["h", "1", "", "0", "5", "KEYS"],
    ["h", "1", "k", "0", "5", "AUTH"], ["h", "1", "", "0", "5", "auth", "KEYS"], ["h", "1", "", "0", "5", "KEYS", "a", "KEYS", "b"],
    ["h", "1", "", "0", "5", "AUTH", "KEYS", "x"], ["h", "1", "k", "0", "5", "keys", "a", "b"],
]


@pytest.mark.parametrize("sub", ["GETKEYS", "GETKEYSANDFLAGS"])
def test_migrate_getkeys_match(redis_server, server, sub):
    """MIGRATE's keys as Redis finds them: its key specs, or migrateGetKeys once KEYS is there."""
    socks = [RespSocket("127.0.0.1", s.port, timeout=10) for s in (redis_server, server)]
    try:
        for argv in MIGRATE_ARGVS:
            want, got = (s.call("COMMAND", sub, "MIGRATE", *argv) for s in socks)
            assert got == want, argv
    finally:
        for s in socks:
            s.close()


def test_migrate_does_not_stall_the_worker(pair, server):
    """While a MIGRATE waits on a silent target, another client of the same server is served."""
    ref, sut = pair
    sut.set("k", "v")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    waiting = make_client(server, protocol=2)
    try:
        out = {}
        t = threading.Thread(target=lambda: out.setdefault("r", _migrate(waiting, "127.0.0.1", port, "k", 0, 1500)))
        t.start()
        time.sleep(0.2)
        assert sut.ping() is True and t.is_alive()   # served while the MIGRATE waits
        t.join(10)
        assert "IOERR error or timeout reading to target instance" in out["r"]
        assert sut.get("k") == b"v"
    finally:
        waiting.close()
        listener.close()
