"""The issue-3 rd_ks_* calls through redistill.keyspace, and the key commands through rd_exec: read-modify-write growth, RENAME/COPY link
juggling inside one chain (with expired entries around), key facts, MSETNX, GETEX modes, RANDOMKEY.
Run under ASan/UBSan by `make sanitize`."""

import time

import pytest

from redistill.errors import CommandError
from redistill.keyspace import GETEX_AT, GETEX_DEL, GETEX_PERSIST, Keyspace, lcs


@pytest.fixture
def kv():
    k = Keyspace(seed=99)
    yield k
    k.close()


def run(kv: Keyspace, *args) -> bytes:
    """A key command run whole in C (rd_exec, csrc/cmd_keys.c): its RESP2 reply."""
    return kv.exec([a if isinstance(a, bytes) else str(a).encode() for a in args], 2)


def num(kv: Keyspace, *args) -> int:
    reply = run(kv, *args)
    assert reply[:1] == b":", reply
    return int(reply[1:-2])


def test_append_and_setrange_grow_in_place_and_by_realloc(kv):
    expected = bytearray()
    for i in range(3000):  # crosses the 1 MB slack limit of entry_room too
        piece = bytes([65 + i % 26]) * (i % 700)
        expected += piece
        assert kv.setrange(b"k", -1, piece, 1 << 29) == len(expected)
    assert kv.get(b"k") == bytes(expected)
    assert kv.setrange(b"k", len(expected) + 10, b"!", 1 << 29) == len(expected) + 11
    assert kv.get(b"k") == bytes(expected) + b"\0" * 10 + b"!"
    assert kv.setrange(b"k", 0, b"", 1 << 29) == len(expected) + 11
    assert kv.setrange(b"none", 5, b"", 1 << 29) == 0 and kv.get(b"none") is None
    with pytest.raises(CommandError, match="proto-max-bulk-len"):
        kv.setrange(b"k", 100, b"xy", 101)
    assert kv.stats()["keys"] == 1


def test_entry_shapes_keep_bytes_ttl_and_memory(kv):
    # csrc/keyspace.h: 1-byte lengths up to 255 bytes of key and value, 4-byte ones past that, and
    # the expire slot only once a key is given a TTL.  Each change of shape (EXPIRE, APPEND or an
    # in-place SET past 255 bytes, KEEPTTL, RENAME) must keep the bytes, the TTL and used_memory.
    base = kv.stats()["used_memory"]
    far = int(time.time() * 1000) + 3_600_000
    keys = [b"k" * n for n in (1, 16, 255, 256, 300)]
    for k in keys:
        kv.set(k, b"v" * 250)
        assert num(kv, b"PTTL", k) == -1
        assert kv.setrange(k, 250, b"w" * 10, 1 << 29) == 260  # value crosses 255 bytes
        assert num(kv, b"PEXPIREAT", k, far) == 1  # the slot is added behind the header
        assert kv.get(k) == b"v" * 250 + b"w" * 10 and 0 < num(kv, b"PTTL", k) <= 3_600_000
        assert num(kv, b"PERSIST", k) and num(kv, b"PTTL", k) == -1
        assert num(kv, b"PEXPIREAT", k, far) == 1 and num(kv, b"PTTL", k) > 0  # the slot stayed: set again in place
    kv.set(b"short", b"abc")
    assert num(kv, b"PEXPIREAT", b"short", far) == 1
    assert kv.set(b"short", b"x" * 255, keepttl=True)[0] and num(kv, b"PTTL", b"short") > 0
    assert kv.set(b"short", b"y" * 400, keepttl=True)[0] and num(kv, b"PTTL", b"short") > 0
    assert kv.get(b"short") == b"y" * 400
    kv.set(b"tiny", b"1")
    assert kv.set(b"tiny", b"z" * 3, keepttl=True)[0] and num(kv, b"PTTL", b"tiny") == -1
    assert run(kv, b"RENAME", b"short", b"s" * 270) == b"+OK\r\n" and num(kv, b"PTTL", b"s" * 270) > 0
    assert kv.get(b"s" * 270) == b"y" * 400
    assert kv.stats()["expires"] == len(keys) + 1
    assert kv.mget(keys) == [b"v" * 250 + b"w" * 10] * len(keys)
    assert kv.delete_many(keys + [b"s" * 270, b"tiny"]) == len(keys) + 2
    assert kv.stats()["used_memory"] == base and kv.stats()["expires"] == 0


def test_rename_and_copy_among_expired_neighbours(kv):
    # Many short-lived keys share the chains with the live ones; RENAME/COPY onto expired names
    # must unlink those and relink correctly whichever order they sit in a chain.
    kv.mset([(b"dead%d" % i, b"x") for i in range(2000)])
    for i in range(2000):
        num(kv, b"PEXPIRE", b"dead%d" % i, 30)
    kv.mset([(b"live%d" % i, b"v%d" % i) for i in range(2000)])
    time.sleep(0.1)
    for i in range(2000):
        assert run(kv, b"RENAME", b"live%d" % i, b"dead%d" % i) == b"+OK\r\n"
    for i in range(0, 2000, 2):
        assert num(kv, b"COPY", b"dead%d" % i, b"live%d" % i) == 1
        assert num(kv, b"COPY", b"dead%d" % i, b"live%d" % i) == 0
        assert run(kv, b"RENAME", b"dead%d" % i, b"dead%d" % i) == b"+OK\r\n"
        assert num(kv, b"RENAMENX", b"dead%d" % i, b"dead%d" % (i + 1)) == 0
    assert run(kv, b"RENAME", b"nokey", b"x") == b"-ERR no such key\r\n"
    assert kv.mget([b"dead%d" % i for i in range(2000)]) == [b"v%d" % i for i in range(2000)]
    assert kv.exists_many([b"live%d" % i for i in range(2000)]) == 1000
    assert kv.stats()["keys"] == 3000


def test_key_info_and_encodings(kv):
    kv.set(b"i", b"9999")
    kv.set(b"e", b"x" * 44)
    kv.set(b"r", b"x" * 45, expire_at_ms=4102444800000)
    assert kv.key_info(b"i")["encoding"] == 0 and kv.key_info(b"i")["shared_int"] == 1
    assert kv.key_info(b"e")["encoding"] == 1 and kv.key_info(b"e")["shared_int"] == 0
    info = kv.key_info(b"r")
    assert info["encoding"] == 2 and info["len"] == 45 and info["expire"] == 4102444800000
    assert info["memory"] >= 45 + 1 and info["idle_ms"] < 3000
    assert kv.key_info(b"none") is None


def test_msetnx_getex_incrbyfloat_randomkey(kv):
    assert kv.msetnx([(b"a", b"1"), (b"b", b"2")]) is True
    assert kv.msetnx([(b"b", b"3"), (b"c", b"4")]) is False
    assert kv.mget([b"a", b"b", b"c"]) == [b"1", b"2", None]
    assert kv.getex(b"a", GETEX_AT, int(time.time() * 1000) + 100_000) == b"1"
    assert 0 < num(kv, b"PTTL", b"a") <= 100_000
    assert kv.getex(b"a", GETEX_PERSIST) == b"1" and num(kv, b"PTTL", b"a") == -1
    assert kv.getex(b"a", GETEX_DEL) == b"1" and kv.get(b"a") is None
    assert kv.incrbyfloat(b"f", b"0.1") == b"0.1"
    assert kv.incrbyfloat(b"f", b"0.2") == b"0.3"
    assert kv.incrbyfloat(b"f", b"-0.3") == b"0"
    with pytest.raises(CommandError, match="NaN or Infinity"):
        kv.incrbyfloat(b"f", b"inf")
    assert run(kv, b"RANDOMKEY") in (b"$1\r\nb\r\n", b"$1\r\nf\r\n")
    run(kv, b"FLUSHALL")
    assert run(kv, b"RANDOMKEY") == b"$-1\r\n"


def test_lcs_ranges():
    assert lcs(b"ohmytext", b"mynewtext") == (b"mytext", [(4, 7, 5, 8), (2, 3, 0, 1)])
    assert lcs(b"", b"abc") == (b"", [])


def test_keys_glob(kv):
    kv.mset([(k, b"v") for k in (b"hello", b"hallo", b"hxllo", b"hllo", b"a*b", b"\xff\x00")])
    assert sorted(kv.keys(b"h?llo")) == [b"hallo", b"hello", b"hxllo"]
    assert sorted(kv.keys(b"h[^e]llo")) == [b"hallo", b"hxllo"]
    assert kv.keys(b"a\\*b") == [b"a*b"]
    assert kv.keys(b"\xff*") == [b"\xff\x00"]
    assert len(kv.keys(b"*")) == 6
