"""The bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO) against
redis-server 7.0.15: reply bytes and the keys' state afterwards must match.

Fixed cases cover each command's error order (argument errors, WRONGTYPE, a missing key's early
reply), integer-looking strings, offsets at the proto-max-bulk-len limit, `#` offsets whose product
overflows, BITPOS's end-given rule and BITFIELD's overflow modes; each runs on a fresh keyspace, as it
is (RESP2 and RESP3) and queued inside MULTI/EXEC.  Seeded random streams then compare BITFIELD,
BITCOUNT, BITPOS, BITOP and SETBIT on random bitmaps byte for byte.  Run with the fast path on and with
REDISTILL_FASTPATH=0.
"""

from __future__ import annotations

import random

import pytest

from .test_string_options import assert_cases_match
from .test_watch_noop import _outcome as watch_outcome

SETUP = [["SET", "s", "foobar"], ["SET", "n", "123"], ["SET", "ones", b"\xff\xff\xff"], ["HSET", "h", "f", "v"],
         ["SET", "z", b"\x00\x00\x00"], ["SET", "e", ""], ["SET", "t", "abc", "EX", "1000"]]
KEYS = ["s", "n", "ones", "h", "z", "e", "t", "new", "d"]
BIG = str(2**32)          # the first offset past 512 MB
LAST = str(2**32 - 1)     # the last bit of a 512 MB string (not written: only read or rejected)

SETBIT_GETBIT = [
    ["SETBIT", "new", "7", "1"], ["SETBIT", "new", "0", "0"], ["SETBIT", "s", "1", "0"], ["SETBIT", "s", "100", "1"],
    ["SETBIT", "n", "2", "1"], ["SETBIT", "n", "7", "0"], ["SETBIT", "h", "1", "1"], ["SETBIT", "h", "x", "1"],
    ["SETBIT", "s", "-1", "1"], ["SETBIT", "s", BIG, "1"], ["SETBIT", "s", "1", "2"], ["SETBIT", "s", "1", "-1"],
    ["SETBIT", "s", "1", "x"], ["SETBIT", "s", "x", "x"], ["SETBIT", "s", "1 ", "1"], ["SETBIT", "s", "#8", "1"],
    ["SETBIT", "t", "3", "1"], ["SETBIT", "e", "9", "1"], ["SETBIT", "s", "1", ""], ["SETBIT", "s", "", "1"],
    ["GETBIT", "s", "1"], ["GETBIT", "s", "2"], ["GETBIT", "s", "1000"], ["GETBIT", "n", "2"], ["GETBIT", "n", "3"],
    ["GETBIT", "new", "0"], ["GETBIT", "h", "0"], ["GETBIT", "h", "-1"], ["GETBIT", "new", "-1"],
    ["GETBIT", "s", BIG], ["GETBIT", "s", LAST], ["GETBIT", "s", "abc"], ["GETBIT", "e", "0"],
]

BITCOUNT = [
    ["BITCOUNT", "s"], ["BITCOUNT", "n"], ["BITCOUNT", "new"], ["BITCOUNT", "h"], ["BITCOUNT", "e"],
    ["BITCOUNT", "s", "1", "1"], ["BITCOUNT", "s", "0", "-1"], ["BITCOUNT", "s", "-2", "-1"], ["BITCOUNT", "s", "-1", "-2"],
    ["BITCOUNT", "s", "5", "30", "BIT"], ["BITCOUNT", "s", "5", "30", "byte"], ["BITCOUNT", "s", "-10", "-3", "bit"],
    ["BITCOUNT", "s", "1"], ["BITCOUNT", "s", "1", "2", "BAD"], ["BITCOUNT", "s", "x", "2"], ["BITCOUNT", "s", "1", "x"],
    ["BITCOUNT", "s", "1", "2", "BIT", "x"], ["BITCOUNT", "new", "x"], ["BITCOUNT", "new", "1", "2", "BAD"],
    ["BITCOUNT", "h", "x"], ["BITCOUNT", "s", "-1", "-2", "BAD"], ["BITCOUNT", "s", "100", "200"],
    ["BITCOUNT", "s", "0", "0", "BIT"], ["BITCOUNT", "s", "47", "47", "BIT"], ["BITCOUNT", "s", "3", "2", "BIT"],
    ["BITCOUNT", "s", str(-(2**63)), str(2**63 - 1)], ["BITCOUNT", "s", "0", str(2**63 - 1), "BIT"],
    ["BITCOUNT", "ones", "1", "22", "bit"], ["BITCOUNT", "n", "0", "1", "bit\0"],
]

BITPOS = [
    ["BITPOS", "s", "1"], ["BITPOS", "s", "0"], ["BITPOS", "ones", "0"], ["BITPOS", "ones", "1"], ["BITPOS", "z", "1"],
    ["BITPOS", "z", "0"], ["BITPOS", "new", "1"], ["BITPOS", "new", "0"], ["BITPOS", "new", "0", "5", "1", "BAD"],
    ["BITPOS", "e", "0"], ["BITPOS", "e", "1"], ["BITPOS", "h", "1"], ["BITPOS", "s", "2"], ["BITPOS", "s", "x"],
    ["BITPOS", "h", "2"], ["BITPOS", "ones", "0", "0"], ["BITPOS", "ones", "0", "0", "-1"], ["BITPOS", "ones", "0", "1"],
    ["BITPOS", "ones", "0", "0", "-1", "BIT"], ["BITPOS", "ones", "0", "3", "20", "bit"], ["BITPOS", "ones", "0", "3", "bit"],
    ["BITPOS", "s", "1", "2"], ["BITPOS", "s", "1", "-2"], ["BITPOS", "s", "0", "1", "3", "BIT"],
    ["BITPOS", "s", "1", "7", "15", "BIT"], ["BITPOS", "s", "1", "-5", "-1", "bit"], ["BITPOS", "s", "1", "x"],
    ["BITPOS", "s", "1", "1", "x"], ["BITPOS", "s", "1", "1", "2", "BAD"], ["BITPOS", "s", "1", "1", "2", "bit", "x"],
    ["BITPOS", "s", "1", "5", "2"], ["BITPOS", "z", "1", "0", "-1", "BIT"], ["BITPOS", "z", "0", "2", "1"],
    ["BITPOS", "n", "1"], ["BITPOS", "n", "0", "1", "1"], ["BITPOS", "s", "1", "3", "3", "BIT"],
    ["BITPOS", "s", "0", "9", "9", "BIT"], ["BITPOS", "ones", "0", "9", "9", "BIT"],
]

BITOP = [
    ["BITOP", "AND", "d", "s", "n"], ["BITOP", "or", "d", "s", "n", "new"], ["BITOP", "XOR", "d", "s", "ones"],
    ["BITOP", "NOT", "d", "s"], ["BITOP", "NOT", "d", "s", "n"], ["BITOP", "NOT", "d", "new"],
    ["BITOP", "AND", "d", "new", "new"], ["BITOP", "AND", "s", "new"], ["BITOP", "AND", "h", "new"],
    ["BITOP", "AND", "h", "s"], ["BITOP", "AND", "d", "s", "h"], ["BITOP", "AND", "d", "h", "new"],
    ["BITOP", "NAND", "d", "s"], ["BITOP", "and\0", "d", "s"], ["BITOP", "AND", "s", "s", "n"],
    ["BITOP", "OR", "t", "s"], ["BITOP", "XOR", "d", "e"], ["BITOP", "AND", "d", "s", "e"],
    ["BITOP", "NOT", "n", "n"], ["BITOP", "OR", "d", "z", "ones", "s", "n", "e", "new"],
]

BITFIELD = [
    ["BITFIELD", "new", "GET", "u8", "0"], ["BITFIELD", "new"], ["BITFIELD", "s"], ["BITFIELD", "h"],
    ["BITFIELD", "s", "GET", "u8", "0", "GET", "i8", "8", "GET", "i64", "0", "GET", "u63", "1", "GET", "i5", "#3"],
    ["BITFIELD", "n", "GET", "u8", "0", "SET", "u8", "0", "255", "GET", "u8", "0"],
    ["BITFIELD", "new", "SET", "i8", "0", "-100", "INCRBY", "i8", "0", "-100", "GET", "i8", "0"],
    ["BITFIELD", "new", "OVERFLOW", "SAT", "INCRBY", "u2", "0", "5", "INCRBY", "i4", "8", "-100"],
    ["BITFIELD", "new", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5", "SET", "i4", "8", "100"],
    ["BITFIELD", "s", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1000", "GET", "u8", "0"],
    ["BITFIELD", "new", "OVERFLOW", "FAIL", "SET", "u8", "80", "256"],
    ["BITFIELD", "new", "OVERFLOW", "WRAP", "SET", "u8", "0", "-1", "INCRBY", "i64", "8", "-1", "INCRBY", "i64", "8", str(-(2**63))],
    ["BITFIELD", "new", "SET", "i64", "0", str(2**63 - 1), "INCRBY", "i64", "0", "1", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "1"],
    ["BITFIELD", "new", "OVERFLOW", "SAT", "SET", "i64", "0", str(-(2**63)), "INCRBY", "i64", "0", "-1", "INCRBY", "u63", "64", "-5"],
    ["BITFIELD", "new", "SET", "u63", "0", str(2**63 - 1), "INCRBY", "u63", "0", "1"],
    ["BITFIELD", "new", "GET", "u64", "0"], ["BITFIELD", "new", "GET", "i65", "0"], ["BITFIELD", "new", "GET", "i0", "0"],
    ["BITFIELD", "new", "GET", "x8", "0"], ["BITFIELD", "new", "GET", "u8\0x", "0"], ["BITFIELD", "new", "GET", "", "0"],
    ["BITFIELD", "new", "GET", "u8", "-1"], ["BITFIELD", "new", "GET", "u8", "#-1"], ["BITFIELD", "new", "GET", "u8", "#"],
    ["BITFIELD", "new", "GET", "u8", BIG], ["BITFIELD", "new", "GET", "u8", LAST], ["BITFIELD", "new", "GET", "u8", "#536870912"],
    ["BITFIELD", "new", "GET", "u8", "#536870911"], ["BITFIELD", "new", "GET", "i64", "#" + str(2**58)],
    ["BITFIELD", "new", "GET", "u16", "#" + str(2**60 + 1)], ["BITFIELD", "new", "SET", "u32", "#" + str(2**62 + 3), "1"],
    ["BITFIELD", "new", "GET", "i8", "#" + str(2**63 - 1)],
    ["BITFIELD", "new", "SET", "u8", "0", "x"], ["BITFIELD", "new", "SET", "u8", "0"], ["BITFIELD", "new", "GET", "u8"],
    ["BITFIELD", "new", "OVERFLOW"], ["BITFIELD", "new", "OVERFLOW", "BAD", "GET", "u8", "0"], ["BITFIELD", "new", "BAD"],
    ["BITFIELD", "new", "GET", "u8", "0", "BAD"], ["BITFIELD", "h", "GET", "u8", "0"], ["BITFIELD", "h", "SET", "u8", "0", "1"],
    ["BITFIELD", "h", "SET", "u8", "0", "x"], ["BITFIELD", "new", "incrby", "u8", "100", "1", "get", "u8", "100"],
    ["BITFIELD", "t", "SET", "u8", "0", "1"], ["BITFIELD", "e", "GET", "u8", "0", "SET", "u4", "4", "15"],
    ["BITFIELD", "new", "OVERFLOW", "FAIL", "SET", "i8", "0", "200"], ["BITFIELD", "new", "SET", "i8", "0", "200"],
    ["BITFIELD", "ones", "OVERFLOW", "fail", "INCRBY", "i3", "1", "-5", "INCRBY", "u3", "1", "-8", "GET", "u24", "0"],
    ["BITFIELD_RO", "s", "GET", "u8", "0", "GET", "i16", "#1"], ["BITFIELD_RO", "new", "GET", "u8", "0"],
    ["BITFIELD_RO", "s", "SET", "u8", "0", "1"], ["BITFIELD_RO", "s", "INCRBY", "u8", "0", "1"],
    ["BITFIELD_RO", "h", "GET", "u8", "0"], ["BITFIELD_RO", "h", "SET", "u8", "0", "1"], ["BITFIELD_RO", "s"],
    ["BITFIELD_RO", "s", "OVERFLOW", "SAT", "GET", "u8", "0"], ["BITFIELD_RO", "s", "SET", "u8", "x", "1"],
]

GROUPS = {"setbit-getbit": SETBIT_GETBIT, "bitcount": BITCOUNT, "bitpos": BITPOS, "bitop": BITOP,
          "bitfield": BITFIELD}


@pytest.mark.parametrize("mode", ["resp2", "resp3", "multi"])
@pytest.mark.parametrize("group", list(GROUPS))
def test_bit_commands_match_redis(socks, group, mode):
    assert_cases_match(socks, GROUPS[group], mode, SETUP, KEYS)


def test_offset_limit_follows_proto_max_bulk_len(socks):
    """The offset limit is proto-max-bulk-len in bytes (CONFIG SET moves it), as Redis's getBitOffsetFromArgument."""
    cases = [["SETBIT", "k", "8388608", "1"], ["SETBIT", "k", "8388607", "1"], ["GETBIT", "k", "8388608"],
             ["BITFIELD", "k", "GET", "u8", "#1048576"], ["BITFIELD", "k", "GET", "u8", "#1048575"],
             ["BITCOUNT", "k"], ["STRLEN", "k"]]
    for sock in socks:
        sock.call("FLUSHALL")
    for sock in socks:
        assert sock.call("CONFIG", "SET", "proto-max-bulk-len", "1048576") == b"+OK\r\n"
    try:
        got = [[sock.call(*c) for c in cases] for sock in socks]
    finally:
        for sock in socks:
            sock.call("CONFIG", "SET", "proto-max-bulk-len", "536870912")
    assert got[0] == got[1]


# ---- seeded random streams -------------------------------------------------------------------------

RKEYS = ["a", "b", "c"]


def _int(rnd: random.Random, bits: int, sign: bool) -> str:
    """A value near the type's edges, or anywhere in 64 bits, or not a number now and then."""
    r = rnd.random()
    if r < 0.02:
        return rnd.choice(["x", "", "1.5", str(2**63)])
    if r < 0.5:
        edge = 2 ** (bits - 1) if sign else 2**bits
        return str(rnd.choice([edge, edge - 1, -edge, -edge - 1, 0, 1, -1]) + rnd.randint(-2, 2))
    return str(rnd.randint(-(2**63), 2**63 - 1) >> rnd.randrange(64))


def _bitfield(rnd: random.Random, k: str) -> list[str]:
    args = [rnd.choice(["BITFIELD", "BITFIELD", "BITFIELD", "BITFIELD_RO"]), k]
    for _ in range(rnd.randint(1, 5)):
        sign = rnd.random() < 0.5
        bits = rnd.randint(1, 64 if sign else 63) if rnd.random() < 0.97 else rnd.choice([0, 64, 65])
        typ = ("i" if sign else "u") + str(bits)
        off = str(rnd.randrange(200)) if rnd.random() < 0.8 else "#" + str(rnd.randrange(20))
        op = rnd.randrange(7)
        if op < 3:
            args += ["GET", typ, off]
        elif op < 5:
            args += ["INCRBY", typ, off, _int(rnd, max(bits, 1), sign)]
        elif op == 5:
            args += ["SET", typ, off, _int(rnd, max(bits, 1), sign)]
        else:
            args += ["OVERFLOW", rnd.choice(["WRAP", "SAT", "FAIL", "wrap", "sat", "fail"])]
    return args


def _range(rnd: random.Random) -> list[str]:
    n = rnd.randrange(5)
    args = [str(rnd.randint(-40, 40)) for _ in range(min(n, 2))]
    if n >= 3:
        args.append(rnd.choice(["BIT", "BYTE", "bit", "byte"]))
    return args


def gen(rnd: random.Random, n: int) -> list[list[str]]:
    steps = []
    for _ in range(n):
        k = rnd.choice(RKEYS)
        op = rnd.randrange(12)
        if op < 3:
            steps.append(["SETBIT", k, str(rnd.randrange(300)), rnd.choice("01")])
        elif op == 3:
            steps.append(["SET", k, bytes(rnd.randrange(256) for _ in range(rnd.randrange(40)))])
        elif op < 6:
            steps.append(_bitfield(rnd, k))
        elif op < 8:
            steps.append(["BITCOUNT", k] + _range(rnd))
        elif op < 10:
            steps.append(["BITPOS", k, rnd.choice("01")] + _range(rnd)[:rnd.randint(0, 3)])
        elif op == 10:
            name = rnd.choice(["AND", "OR", "XOR", "NOT"])
            srcs = [rnd.choice(RKEYS + ["missing"]) for _ in range(1 if name == "NOT" else rnd.randint(1, 4))]
            steps.append(["BITOP", name, rnd.choice(RKEYS)] + srcs)
        else:
            steps.append(["GETBIT", k, str(rnd.randrange(320))])
    return steps


@pytest.mark.parametrize("seed", range(6))
def test_random_bit_streams_match_redis(socks, seed):
    steps = gen(random.Random(seed), 400)
    replies = []
    for sock in socks:
        sock.call("FLUSHALL")
        replies.append([sock.call(*s) for s in steps] + [sock.call("GET", k) for k in RKEYS])
    for i, (want, got) in enumerate(zip(*replies)):
        assert want == got, f"step {i}: {steps[i] if i < len(steps) else 'final GET'!r}\n redis: {want!r}\n redistill: {got!r}"


BITFIELD_KEYS = [["k"], ["k", "GET", "u8", "0"], ["k", "get", "u8", "0", "OVERFLOW", "SAT"], ["k", "SET", "u8", "0", "1"],
                 ["k", "GET", "u8", "0", "INCRBY", "u8", "0", "1"], ["k", "GET", "u8"], ["k", "BAD"], ["k", "OVERFLOW"],
                 ["k", "INCRBY", "u8", "0"]]


@pytest.mark.parametrize("ro", ["BITFIELD", "BITFIELD_RO"])
def test_bitfield_key_flags_match_redis(socks, ro):
    """COMMAND GETKEYSANDFLAGS of BITFIELD (variable flags: Redis's bitfieldGetKeys) and BITFIELD_RO."""
    for argv in BITFIELD_KEYS:
        want, got = (sock.call("COMMAND", "GETKEYSANDFLAGS", ro, *argv) for sock in socks)
        assert got == want, argv


# (setup, the command another client runs while "k" is watched): Redis signals the key only when the
# command changed it (or created or grew the string), so a same-bit SETBIT or a BITFIELD that wrote
# the same bits, or that FAIL stopped, leaves the watch intact.
WATCH_CASES = [
    ([["SET", "k", "\x00"]], ["SETBIT", "k", "0", "0"]),
    ([["SET", "k", "\x00"]], ["SETBIT", "k", "0", "1"]),
    ([["SET", "k", "\x00"]], ["SETBIT", "k", "100", "0"]),
    ([], ["SETBIT", "k", "0", "0"]),
    ([["SET", "k", "\x00"]], ["BITFIELD", "k", "SET", "u8", "0", "0"]),
    ([["SET", "k", "\x00"]], ["BITFIELD", "k", "INCRBY", "u8", "0", "1"]),
    ([["SET", "k", "\xff"]], ["BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1"]),
    ([["SET", "k", "\x00"]], ["BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u8", "80", "300"]),
    ([], ["BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u8", "0", "300"]),
    ([["SET", "k", "\x00"]], ["BITFIELD", "k", "GET", "u8", "0"]),
    ([["SET", "k", "\x00"]], ["BITFIELD_RO", "k", "GET", "u8", "0"]),
    ([["SET", "k", "\x00"]], ["BITOP", "NOT", "k", "k"]),
    ([["SET", "k", "\x00"]], ["BITOP", "AND", "k", "nosuch"]),
    ([], ["BITOP", "AND", "k", "nosuch"]),
]


@pytest.mark.parametrize("setup,command", WATCH_CASES, ids=[" ".join(c) for _, c in WATCH_CASES])
def test_watch_broken_only_by_real_bit_changes(redis_server, server, setup, command):
    want = watch_outcome(redis_server.port, setup, command)
    got = watch_outcome(server.port, setup, command)
    assert got == want, f"{command}: redis (reply, EXEC) {want!r}, ours {got!r}"


def test_keyspace_hits_and_misses_match_redis(socks):
    """Reads count a keyspace hit or miss (GETBIT, BITCOUNT, BITPOS, BITOP's sources, a read-only
    BITFIELD); writes (SETBIT, a writing BITFIELD, BITOP's destination) count none, as Redis's lookupKeyWrite."""
    steps = [["SETBIT", "a", "3", "1"], ["SETBIT", "b", "3", "1"], ["GETBIT", "a", "3"], ["GETBIT", "x", "3"],
             ["BITCOUNT", "a"], ["BITCOUNT", "x"], ["BITPOS", "a", "1"], ["BITPOS", "x", "1"],
             ["BITOP", "OR", "d", "a", "x", "b"], ["BITFIELD", "a", "GET", "u8", "0"], ["BITFIELD", "x", "GET", "u8", "0"],
             ["BITFIELD", "a", "SET", "u8", "0", "1"], ["BITFIELD_RO", "x", "GET", "u8", "0"]]
    stats = [hit_miss_stats(sock, steps) for sock in socks]
    assert len(stats[0]) == 2 and stats[0] == stats[1], stats


def hit_miss_stats(sock, steps) -> list[str]:
    """INFO's keyspace_hits and keyspace_misses lines after `steps` on an empty keyspace."""
    sock.call("FLUSHALL")
    sock.call("CONFIG", "RESETSTAT")
    for s in steps:
        sock.call(*s)
    info = sock.call("INFO", "stats").decode()
    return [line for line in info.split("\r\n") if line.startswith(("keyspace_hits:", "keyspace_misses:"))]
