"""LLONG_MIN, LLONG_MIN+1, -1, 0, 1 and LLONG_MAX in every count, offset, index, rank, limit, numkeys, timeout
and expiry of every command that takes one, sent to redis-server and to Redistill: the reply bytes and the
data left behind must be Redis's.

Negating LLONG_MIN overflows (undefined behaviour in C): `LREM l -9223372036854775808 a` removed nothing
where Redis removes every match.  One case is a command with X (and Y) replaced by each value (each pair),
run on a fresh copy of the same data; after it, the state of every key is compared too.

Not sent: a negative count of -LLONG_MAX to SRANDMEMBER/HRANDFIELD/ZRANDMEMBER (Redis accepts it and
starts streaming 9.2e18 elements), timeouts that would block (every blocking pop finds data), and
*SCAN COUNT 1 (a partial scan's cursor is a position in each server's own table)."""

from __future__ import annotations

import time

import pytest

from resp import RespSocket, parse

from .fuzz import norm

LLONG_MIN, LLONG_MAX = -(2**63), 2**63 - 1
VALUES = [str(v).encode() for v in (LLONG_MIN, LLONG_MIN + 1, -1, 0, 1, LLONG_MAX)]

SETUP = [
    ["RPUSH", "l", "a", "b", "a", "c", "a", "d", "a"],
    ["HSET", "h", "f1", "1", "f2", "2", "f3", "3", "fmin", str(LLONG_MIN), "fmax", str(LLONG_MAX)],
    ["SADD", "s", "m1", "m2", "m3", "m4"],
    ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
    ["ZADD", "zl", "0", "a", "0", "b", "0", "c", "0", "d"],
    ["SET", "str", "hello world"],
    ["SET", "str2", "hello there"],
    ["SET", "n", "10"],
    ["SET", "nmin", str(LLONG_MIN)],
    ["SET", "nmax", str(LLONG_MAX)],
    ["SET", "t", "v", "EX", "1000"],
]
KEYS = ["l", "l2", "h", "s", "z", "zl", "str", "str2", "n", "nmin", "nmax", "t", "d"]

# One argument X
ONE = [
    "GETRANGE str X -1", "GETRANGE str 0 X", "SUBSTR str X 3", "SETRANGE str X v",
    "INCRBY n X", "DECRBY n X", "INCRBY nmin X", "DECRBY nmin X", "INCRBY nmax X", "DECRBY nmax X",
    "INCR nmax", "DECR nmin", "INCRBY new X", "DECRBY new X",
    "HINCRBY h f1 X", "HINCRBY h fmin X", "HINCRBY h fmax X", "HINCRBY h new X",
    "SETEX t X v", "PSETEX t X v", "SET t v EX X", "SET t v PX X", "SET t v EXAT X", "SET t v PXAT X",
    "GETEX t EX X", "GETEX t PX X", "GETEX t EXAT X", "GETEX t PXAT X",
    "EXPIRE t X", "PEXPIRE t X", "EXPIREAT t X", "PEXPIREAT t X", "EXPIRE t X GT", "PEXPIRE t X LT",
    "EXPIRE nokey X", "PEXPIREAT nokey X",
    "LCS str str2 MINMATCHLEN X", "LCS str str2 IDX MINMATCHLEN X WITHMATCHLEN",
    "SCAN 0 COUNT X", "HSCAN h 0 COUNT X", "SSCAN s 0 COUNT X", "ZSCAN z 0 COUNT X",
    "SELECT X", "COPY str d DB X", "MEMORY USAGE str SAMPLES X",
    "LPOP l X", "RPOP l X", "LINDEX l X", "LSET l X v", "LREM l X a", "LREM l X zz",
    "LPOS l a RANK X", "LPOS l a COUNT X", "LPOS l a MAXLEN X", "LPOS l a RANK X COUNT 0",
    "LPOS l a RANK X MAXLEN 3", "LPOS l a COUNT 2 MAXLEN X",
    "LMPOP 1 l LEFT COUNT X", "LMPOP X l LEFT", "LMPOP 1 l RIGHT COUNT X",
    "BLPOP l X", "BRPOP l X", "BLMOVE l l2 LEFT RIGHT X", "BRPOPLPUSH l l2 X", "BLMPOP X 1 l LEFT",
    "BLMPOP 0 1 l LEFT COUNT X", "BLMPOP 0 X l LEFT", "BZPOPMIN z X", "BZPOPMAX z X", "BZMPOP X 1 z MIN",
    "BZMPOP 0 1 z MAX COUNT X", "BZMPOP 0 X z MIN",
    "HRANDFIELD h X", "HRANDFIELD h X WITHVALUES", "SRANDMEMBER s X", "SPOP s X",
    "ZRANDMEMBER z X", "ZRANDMEMBER z X WITHSCORES",
    "SINTERCARD X s", "SINTERCARD 1 s LIMIT X",
    "ZPOPMIN z X", "ZPOPMAX z X", "ZMPOP 1 z MIN COUNT X", "ZMPOP X z MIN", "ZMPOP 1 z MAX COUNT X",
    "ZINTERCARD 1 z LIMIT X", "ZINTERCARD X z", "ZUNIONSTORE d X z", "ZINTERSTORE d X z", "ZDIFFSTORE d X z",
    "ZUNION X z", "ZINTER X z", "ZDIFF X z", "ZUNIONSTORE d 1 z WEIGHTS X",
    "SLOWLOG GET X", "CLIENT KILL ID X", "CLIENT UNBLOCK X", "HELLO X",
    "CLUSTER COUNTKEYSINSLOT X",
]
# Two arguments X, Y: every pair
TWO = [
    "GETRANGE str X Y", "LRANGE l X Y", "LTRIM l X Y",
    "ZRANGE z X Y", "ZRANGE z X Y REV", "ZRANGE z X Y WITHSCORES", "ZREVRANGE z X Y", "ZREMRANGEBYRANK z X Y",
    "ZRANGE z -inf +inf BYSCORE LIMIT X Y", "ZRANGE z +inf -inf BYSCORE REV LIMIT X Y",
    "ZRANGE zl - + BYLEX LIMIT X Y", "ZRANGEBYSCORE z -inf +inf LIMIT X Y",
    "ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT X Y", "ZRANGEBYLEX zl - + LIMIT X Y",
    "ZREVRANGEBYLEX zl + - LIMIT X Y", "ZRANGESTORE d z X Y", "ZRANGESTORE d z -inf +inf BYSCORE LIMIT X Y",
    "LPOS l a RANK X COUNT Y", "CLUSTER GETKEYSINSLOT X Y",
]
_HUGE_RANDOM = ("HRANDFIELD", "SRANDMEMBER", "ZRANDMEMBER")


def _cases() -> list[list[bytes]]:
    out = []
    for text in ONE:
        for x in VALUES:
            out.append([x if a == "X" else a.encode() for a in text.split()])
    for text in TWO:
        for x in VALUES:
            for y in VALUES:
                out.append([x if a == "X" else y if a == "Y" else a.encode() for a in text.split()])
    return [c for c in out if not (c[0].decode() in _HUGE_RANDOM and c[2] == VALUES[1]
                                   or c[0].endswith(b"SCAN") and c[-1] == b"1")]


CASES = _cases()


def _state(sock: RespSocket) -> list:
    """Every key's type and contents (a set's members only by count: SPOP picks at random)."""
    out = []
    for k in KEYS:
        kind = sock.call("TYPE", k)
        ttl = int(sock.call("PTTL", k)[1:-2])
        reads = {b"+string\r\n": [["GET", k]], b"+list\r\n": [["LRANGE", k, "0", "-1"]],
                 b"+hash\r\n": [["HGETALL", k]], b"+set\r\n": [["SCARD", k]],
                 b"+zset\r\n": [["ZRANGE", k, "0", "-1", "WITHSCORES"]]}.get(kind, [])
        # ttl: -2/-1, or whether it is far in the future (a few seconds of clock difference is fine)
        out.append((k, kind, ttl if ttl < 0 else ttl > 10**12 and "huge" or ttl // 10_000,
                    [norm([a.encode() for a in r], sock.call(*r)) for r in reads]))
    return out


def _run(sock: RespSocket, args: list[bytes]) -> tuple:
    assert sock.call("FLUSHALL") == b"+OK\r\n"
    for cmd in SETUP:
        assert sock.call(*cmd)[:1] in (b":", b"+"), cmd
    reply = sock.call(*args, timeout=10)
    if b"PX" in args or args[0] == b"PSETEX":
        time.sleep(0.005)   # a 1 ms expiry is over on both servers before the state is read, not on one
    if args[0] == b"HELLO" and reply[:1] != b"-":
        sock.call("HELLO", "2")
    if args[0] == b"SELECT" and reply[:1] != b"-":
        sock.call("SELECT", "0")
    return norm(args, reply), _state(sock)


@pytest.mark.parametrize("group", sorted({c[0].decode() for c in CASES}))
def test_extreme_integers_match_redis(socks, group):
    ref, sut = socks
    diffs = []
    for args in (c for c in CASES if c[0].decode() == group):
        want, got = _run(ref, args), _run(sut, args)
        if want != got:
            diffs.append(f"{b' '.join(args).decode()}\n    redis    : {want!r:.600}\n    redistill: {got!r:.600}")
    assert not diffs, f"{len(diffs)} cases differ:\n" + "\n".join(diffs)


def test_cases_cover_the_extremes():
    assert len(CASES) > 800
    assert [b"LREM", b"l", str(LLONG_MIN).encode(), b"a"] in CASES
    assert [b"DECRBY", b"n", str(LLONG_MIN).encode()] in CASES
