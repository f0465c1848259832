"""DUMP and RESTORE in the C core (csrc/rdb.c, csrc/cmd_dump.c) through rd_exec: the CRC64 test vector,
round trips of every type and encoding, and hostile payloads (truncated, bad CRC, huge lengths, bytes
flipped or random, each with a correct CRC so the decoder reads it): every one is refused with Redis's
error or restores a value that reads back whole, never a crash.  A bounded, seeded fuzz; run under
ASan/UBSan/LSan by `make sanitize`, which also catches a leak on any error path."""

from __future__ import annotations

import random
import struct

import pytest

from resp import parse

from redistill._core import lib
from redistill.keyspace import Keyspace

FUZZ_CASES = 1500


@pytest.fixture
def kv():
    k = Keyspace(seed=7)
    yield k
    k.close()


def run(kv: Keyspace, *args) -> bytes:
    return kv.exec([a if isinstance(a, bytes) else str(a).encode() for a in args], 2)


def crc64(data: bytes) -> int:
    return lib.rd_crc64(0, data, len(data))


def with_footer(body: bytes, version: int = 10) -> bytes:
    """A payload: body, the RDB version, and the CRC64 of both (little-endian), as DUMP ends one."""
    head = body + struct.pack("<H", version)
    return head + struct.pack("<Q", crc64(head))


def dump(kv: Keyspace, key: str) -> bytes:
    value = parse(run(kv, "DUMP", key))
    assert isinstance(value, bytes), value
    return value


def test_crc64_is_redis_jones_crc():
    assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA   # Redis's crc64.c self-test
    data = bytes(range(256)) * 3
    assert lib.rd_crc64(crc64(data[:100]), data[100:], len(data) - 100) == crc64(data)


def _fill(kv: Keyspace) -> list[str]:
    """One key of every type in each of its encodings."""
    cmds = [
        ["SET", "str", "hello"], ["SET", "int", "-12345"], ["SET", "long", "x" * 5000],
        ["SET", "rand", bytes(random.Random(1).randrange(256) for _ in range(3000))], ["SET", "empty", ""],
        ["RPUSH", "list", "a", "1", "-5", "x" * 300], ["RPUSH", "biglist", *[f"e{i}" * (i % 7) for i in range(5000)]],
        ["SADD", "intset", *range(-40000, -39000)], ["SADD", "set", *[f"m{i}" for i in range(600)]],
        ["HSET", "hash", "f", "v", "n", "12"], ["HSET", "bighash", *[x for i in range(700) for x in (f"f{i}", f"{i}")]],
        ["ZADD", "zset", "1.5", "a", "-inf", "b", "3", "c"],
        ["ZADD", "bigzset", *[x for i in range(300) for x in (str(i / 7), f"m{i}")]],
        *[["XADD", "stream", f"{i + 1}-1", "f", str(i), "n", "x" * (i % 9)] for i in range(150)],
        ["XGROUP", "CREATE", "stream", "g", "0"], ["XREADGROUP", "GROUP", "g", "c1", "COUNT", "3", "STREAMS", "stream", ">"],
        ["XREADGROUP", "GROUP", "g", "c2", "COUNT", "2", "STREAMS", "stream", ">"],
    ]
    for c in cmds:
        assert not run(kv, *c).startswith(b"-"), c
    return list(dict.fromkeys(c[1] for c in cmds if not c[0].startswith("XGROUP") and c[0] != "XREADGROUP"))


READERS = {b"stream": ["XINFO", "STREAM", None, "FULL"], b"string": ["GET"], b"list": ["LRANGE", None, "0", "-1"], b"set": ["SMEMBERS"],
           b"hash": ["HGETALL"], b"zset": ["ZRANGE", None, "0", "-1", "WITHSCORES"]}


def content(kv: Keyspace, key: str):
    """The key's type and whole value (sets and hashes in sorted order), encoding included."""
    t = parse(run(kv, "TYPE", key))
    args = [a if a is not None else key for a in READERS[t]]
    if len(args) == 1:
        args.append(key)
    v = parse(run(kv, *args))
    if t in (b"set", b"hash"):
        v = sorted(v) if t == b"set" else sorted(zip(v[::2], v[1::2]))
    return t, v, parse(run(kv, "OBJECT", "ENCODING", key))


def test_round_trip_every_type_and_encoding(kv):
    for key in _fill(kv):
        payload = dump(kv, key)
        assert run(kv, "RESTORE", key + ":c", "0", payload) == b"+OK\r\n", key
        assert content(kv, key + ":c") == content(kv, key), key
        assert dump(kv, key + ":c") == payload or parse(run(kv, "OBJECT", "ENCODING", key)) in (b"hashtable",
                                                                                               b"listpack"), key


def test_restore_options_and_errors(kv):
    run(kv, "SET", "k", "v")
    p = dump(kv, "k")
    assert run(kv, "RESTORE", "k", "0", p).startswith(b"-BUSYKEY")
    assert run(kv, "RESTORE", "k", "-1", p, "REPLACE") == b"-ERR Invalid TTL value, must be >= 0\r\n"
    assert run(kv, "RESTORE", "n", "0", p[:-1]) == b"-ERR DUMP payload version or checksum are wrong\r\n"
    assert run(kv, "RESTORE", "n", "0", with_footer(p[:-10], 11)).startswith(b"-ERR DUMP payload")
    assert run(kv, "RESTORE", "n", "0", with_footer(b"\x07garbage")) == b"-ERR Bad data format\r\n"
    assert run(kv, "RESTORE", "n", "5000", p, "IDLETIME", "10") == b"+OK\r\n"
    assert 4000 < parse(run(kv, "PTTL", "n")) <= 5000
    assert parse(run(kv, "OBJECT", "IDLETIME", "n")) >= 10
    assert run(kv, "RESTORE", "gone", "1", p, "ABSTTL") == b"+OK\r\n"   # already expired: not created
    assert parse(run(kv, "EXISTS", "gone")) == 0
    assert run(kv, "RESTORE", "k", "1", p, "ABSTTL", "REPLACE") == b"+OK\r\n"   # and the old key goes
    assert parse(run(kv, "EXISTS", "k")) == 0


def _mutations(rng: random.Random, payload: bytes):
    """Hostile variants of a valid payload's body, each given a correct footer."""
    body = payload[:-10]
    cut = rng.randrange(len(body)) if body else 0
    yield body[:cut]                                           # truncated
    b = bytearray(body)
    for _ in range(rng.randint(1, 4)):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)      # bytes flipped
    yield bytes(b)
    if len(body) > 2:                                          # a huge length where one is read
        at = rng.randrange(1, len(body))
        yield body[:at] + bytes([0x81]) + b"\xff" * 8 + body[at + 1:]
        yield body[:at] + bytes([0x80, 0x7f, 0xff, 0xff, 0xff]) + body[at:]
        yield body[:at] + bytes([0xC3, 0x81]) + b"\x00" * 8 + body[at:]   # LZF with absurd lengths
    yield bytes([body[0] if body else 0]) + rng.randbytes(rng.randrange(40))   # the type, then noise


def test_hostile_payloads_are_refused_or_read_back_whole(kv):
    rng = random.Random(20261207)
    payloads = [dump(kv, k) for k in _fill(kv)]
    for t in (1, 3, 4, 9, 10, 12, 13, 14, 15, 19, 6, 7, 200):   # every type byte Redis 7.0 knows, and others
        payloads.append(with_footer(bytes([t]) + rng.randbytes(30)))
    cases = 0
    while cases < FUZZ_CASES:
        for body in _mutations(rng, rng.choice(payloads)):
            reply = run(kv, "RESTORE", "fz", "0", with_footer(body), "REPLACE")
            assert reply in (b"+OK\r\n", b"-ERR Bad data format\r\n"), (body, reply)
            if reply == b"+OK\r\n":   # whatever was accepted reads back, dumps, and restores again
                content(kv, "fz")
                assert run(kv, "RESTORE", "fz2", "0", dump(kv, "fz"), "REPLACE") == b"+OK\r\n"
                assert content(kv, "fz2") == content(kv, "fz")
            cases += 1
    assert run(kv, "PING") == b"+PONG\r\n"
