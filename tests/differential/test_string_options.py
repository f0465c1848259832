"""The option words and error order of the string commands that run in C, against redis-server 7.0.15.

Redis compares option words as C strings (strcasecmp, or byte tests up to a NUL), so "nx\\0x" is NX and
"keepttl\\0" is KEEPTTL; and each command reports the first of its errors in a fixed order: a syntax
error before a bad expire time, a bad expire time before SET's GET reads the key, GETEX's key before
its expire time, DECRBY's overflow before the key's type.  Each case runs on a fresh keyspace, as
it is (RESP2 and RESP3) and queued inside MULTI/EXEC (the path that never uses the fast path); the
reply and the keys' state afterwards must match.  Run with the fast path on and with
REDISTILL_FASTPATH=0 (`make test` runs both).
"""

from __future__ import annotations

import pytest

from resp import RespSocket

LLONG_MAX, LLONG_MIN = str(2**63 - 1), str(-(2**63))
FAR_S, FAR_MS = "4102444800", "4102444800000"  # 2100-01-01

SETUP = [["SET", "k", "v"], ["HSET", "h", "f", "v"], ["SET", "n", LLONG_MAX], ["SET", "t", "x", "EX", "1000"]]
KEYS = ["k", "h", "n", "t", "new"]

NUL_WORDS = [
    [b"SET", b"k", b"w", b"nx\0x"], [b"SET", b"new", b"w", b"nx\0x"], [b"SET", b"k", b"w", b"xx\0"],
    [b"SET", b"new", b"w", b"XX\0junk"], [b"SET", b"k", b"w", b"get\0"], [b"SET", b"k", b"w", b"GeT\0x"],
    [b"SET", b"t", b"w", b"keepttl\0"], [b"SET", b"k", b"w", b"ex\0", b"100"],
    [b"SET", b"k", b"w", b"px\0", b"100000"], [b"SET", b"k", b"w", b"exat\0zz", FAR_S.encode()],
    [b"SET", b"k", b"w", b"pxat\0", FAR_MS.encode()], [b"SET", b"k", b"w", b"nx\0", b"get\0"],
    [b"SET", b"k", b"w", b"\0"], [b"SET", b"k", b"w", b""], [b"SET", b"k", b"w", b"n"],
    [b"SET", b"k", b"w", b"nxx"], [b"SET", b"k", b"w", b"n\0x"], [b"SET", b"k", b"w", b"ex\0", b"1", b"px\0", b"1"],
    [b"SET", b"k", b"w", b"keepttl\0", b"ex\0", b"1"], [b"SET", b"k", b"w", b"ex\0"],
    [b"GETEX", b"t", b"persist\0"], [b"GETEX", b"t", b"PERSIST\0x"], [b"GETEX", b"k", b"ex\0", b"100"],
    [b"GETEX", b"k", b"pxat\0", FAR_MS.encode()], [b"GETEX", b"k", b"exat\0", b"1"],
    [b"GETEX", b"k", b"persist\0", b"ex\0", b"1"], [b"GETEX", b"k", b"nx\0"], [b"GETEX", b"k", b"keepttl\0"],
]

EXPIRE_ORDER = [
    [b"SET", b"k", b"w", b"nx\0x", b"EX", b"-1"], [b"SET", b"k", b"w", b"NX", b"EX", b"-1"],
    [b"SET", b"k", b"w", b"EX", b"abc", b"FOO"], [b"SET", b"k", b"w", b"EX", b"-1", b"NX", b"XX"],
    [b"SET", b"k", b"w", b"EX", b"-1", b"KEEPTTL"], [b"SET", b"k", b"w", b"PX", b"0", b"GET"],
    [b"SET", b"h", b"w", b"GET", b"EX", b"-1"], [b"SET", b"h", b"w", b"GET", b"EX", b"abc"],
    [b"SET", b"h", b"w", b"GET"], [b"SET", b"h", b"w", b"NX", b"GET"], [b"SET", b"h", b"w", b"XX", b"GET", b"PX", b"5"],
    [b"SET", b"k", b"w", b"EX", LLONG_MAX.encode()], [b"SET", b"k", b"w", b"PX", LLONG_MAX.encode()],
    [b"SET", b"k", b"w", b"EXAT", b"9223372036854776"], [b"SET", b"k", b"w", b"PXAT", LLONG_MAX.encode()],
    [b"SET", b"k", b"w", b"EX", b"1\0"], [b"SET", b"k", b"w", b"EX", b" 1"], [b"SET", b"k", b"w", b"EX", b"+1"],
    [b"SETEX", b"k", b"-1", b"w"], [b"SETEX", b"k", b"0", b"w"], [b"SETEX", b"k", b"abc", b"w"],
    [b"SETEX", b"h", b"10", b"w"], [b"SETEX", b"k", b"9223372036854776", b"w"], [b"SETEX", b"k", b"1\0", b"w"],
    [b"PSETEX", b"k", b"0", b"w"], [b"PSETEX", b"k", LLONG_MAX.encode(), b"w"], [b"PSETEX", b"h", b"x", b"w"],
    [b"PSETEX", b"new", b"100000", b"w"],
    [b"GETEX", b"nokey", b"EX", b"-1"], [b"GETEX", b"nokey", b"EX", b"abc"], [b"GETEX", b"h", b"EX", b"-1"],
    [b"GETEX", b"h", b"EX", b"abc"], [b"GETEX", b"k", b"EX", b"-1"], [b"GETEX", b"k", b"EX", b"abc"],
    [b"GETEX", b"t", b"PX", b"0"], [b"GETEX", b"nokey", b"FOO"], [b"GETEX", b"h", b"FOO"],
    [b"GETEX", b"k", b"PERSIST", b"EX", b"10"], [b"GETEX", b"k", b"EX", b"10", b"PERSIST"],
    [b"GETEX", b"k", b"EX"], [b"GETEX", b"k", b"EXAT", b"1"], [b"GETEX", b"t", b"PERSIST"],
    [b"GETEX", b"k", b"EX", b"10", b"EX", b"-1"], [b"GETEX", b"k", b"PXAT", LLONG_MAX.encode()],
]

NUMBERS = [
    [b"INCRBY", b"h", b"abc"], [b"INCRBY", b"k", b"abc"], [b"INCRBY", b"k", b"1"], [b"INCRBY", b"nokey", b"1\0"],
    [b"INCRBY", b"n", b"1"], [b"INCRBY", b"n", b"0"], [b"INCR", b"h"], [b"INCR", b"n"], [b"DECR", b"k"],
    [b"DECRBY", b"h", LLONG_MIN.encode()], [b"DECRBY", b"nokey", LLONG_MIN.encode()],
    [b"DECRBY", b"h", b"x"], [b"DECRBY", b"n", b"-1"], [b"DECRBY", b"nokey", LLONG_MAX.encode()],
    [b"INCRBY", b"nokey", LLONG_MIN.encode()], [b"DECRBY", b"nokey", b"-0"],
]

OTHERS = [
    [b"GETSET", b"h", b"w"], [b"GETSET", b"t", b"w"], [b"GETSET", b"nokey", b"w"], [b"GETDEL", b"h"],
    [b"GETDEL", b"k"], [b"GETDEL", b"nokey"], [b"STRLEN", b"h"], [b"STRLEN", b"t"], [b"GET", b"h"],
    [b"MGET", b"h", b"k", b"nokey"], [b"MSET", b"a"], [b"MSET", b"a", b"1", b"b"], [b"MSET", b"h", b"w", b"k", b"w"],
    [b"SETNX", b"h", b"w"], [b"SETNX", b"new", b"w"], [b"DEL", b"h", b"k", b"k", b"nokey"],
    [b"UNLINK", b"t", b"nokey"], [b"EXISTS", b"h", b"h", b"nokey"], [b"PING", b"a", b"b"], [b"PING", b"a"],
    [b"PING"], [b"ECHO", b"\0"],
]

GROUPS = {"nul-option-words": NUL_WORDS, "expire-and-error-order": EXPIRE_ORDER, "integers": NUMBERS,
          "others": OTHERS}


def _state(sock: RespSocket, keys=KEYS) -> list:
    """Each key's type, string value and whether it has an expiry."""
    out = []
    for k in keys:
        kind = sock.call("TYPE", k)
        value = sock.call("GET", k) if kind == b"+string\r\n" else None
        ttl = int(sock.call("PTTL", k)[1:-2])
        out.append((k, kind, value, ttl if ttl < 0 else "expires"))
    return out


def _run(sock: RespSocket, args: list[bytes], mode: str, setup=SETUP, keys=KEYS) -> tuple:
    """args on a fresh keyspace made by `setup` (RESP2, RESP3 or queued in MULTI): reply and _state(keys)."""
    assert sock.call("FLUSHALL") == b"+OK\r\n"
    for cmd in setup:
        assert sock.call(*cmd)[:1] in (b":", b"+"), cmd
    if mode == "resp3":
        assert sock.call("HELLO", "3")[:1] == b"%"
    if mode == "multi":
        assert sock.call("MULTI") == b"+OK\r\n"
        queued = sock.call(*args)
        reply = (queued, sock.call("EXEC"))
    else:
        reply = sock.call(*args)
    if mode == "resp3":
        sock.call("HELLO", "2")
    return reply, _state(sock, keys)


def assert_cases_match(socks, cases, mode, setup=SETUP, keys=KEYS) -> None:
    """Each case (_run) gives the same reply and keys on redis-server and on the server under test."""
    ref, sut = socks
    diffs = []
    for args in cases:
        want, got = _run(ref, args, mode, setup, keys), _run(sut, args, mode, setup, keys)
        if want != got:
            diffs.append(f"{args!r}\n    redis    : {want!r:.600}\n    redistill: {got!r:.600}")
    assert not diffs, f"{len(diffs)} of {len(cases)} cases differ:\n" + "\n".join(diffs)


@pytest.mark.parametrize("mode", ["resp2", "resp3", "multi"])
@pytest.mark.parametrize("group", list(GROUPS))
def test_string_commands_match_redis(socks, group, mode):
    assert_cases_match(socks, GROUPS[group], mode)

