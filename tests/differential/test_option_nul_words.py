"""Option words with a NUL inside, for the commands whose options Python or C parses, against redis-server 7.0.15.

Redis compares option words with strcasecmp on the C string, so a word ends at its first NUL:
"nx\\0" is NX, "replace\\0junk" is REPLACE, and an error that echoes the word ("Unsupported option %s")
prints only the part before the NUL.  Each case runs on a fresh keyspace; the reply and the keys'
state afterwards must match.  Run with the fast path on and with REDISTILL_FASTPATH=0.
"""

from __future__ import annotations

import pytest

from resp import RespSocket

SETUP = [["SET", "k", "v"], ["SET", "t", "x", "EX", "1000"], ["RPUSH", "l", "a", "b", "c"]]
KEYS = ["k", "t", "k2", "l", "l2"]

EXPIRE = [
    [cmd, key, when, opt] for cmd, when in ((b"EXPIRE", b"100"), (b"PEXPIRE", b"100000"),
                                            (b"EXPIREAT", b"4102444800"), (b"PEXPIREAT", b"4102444800000"))
    for key in (b"k", b"t")
    for opt in (b"nx\0", b"XX\0junk", b"gt\0", b"lt\0x", b"foo\0bar", b"\0x", b"n\0x")
] + [[b"EXPIRE", b"t", b"100", b"nx\0", b"xx\0"], [b"EXPIRE", b"t", b"100", b"gt\0", b"LT\0"]]

KEYSPACE = [
    [b"COPY", b"k", b"k2", b"replace\0"], [b"COPY", b"k", b"t", b"REPLACE\0x"], [b"COPY", b"k", b"t", b"replac\0e"],
    [b"COPY", b"k", b"k2", b"db\0", b"0"], [b"COPY", b"k", b"k2", b"db\0x", b"1"],
    [b"SCAN", b"0", b"count\0", b"10", b"MATCH", b"k"], [b"SCAN", b"0", b"match\0", b"k*"], [b"SCAN", b"0", b"type\0", b"list"],
    [b"SCAN", b"0", b"TYPE", b"list\0x"], [b"SCAN", b"0", b"coun\0t", b"10"],
    [b"MEMORY", b"USAGE", b"k", b"sample\0s", b"5"],
    [b"FLUSHALL", b"async\0"], [b"FLUSHDB", b"SYNC\0x"], [b"FLUSHALL", b"asyn\0c"],
    [b"LCS", b"k", b"t", b"len\0"], [b"LCS", b"k", b"t", b"idx\0", b"minmatchlen\0", b"0", b"withmatchlen\0"],
    [b"BLMOVE", b"l", b"l2", b"left\0", b"RIGHT\0x", b"0.01"], [b"BLMOVE", b"l", b"l2", b"lef\0t", b"right", b"0.01"],
    [b"COMMAND", b"LIST", b"filterby\0", b"pattern\0", b"getex"],
    [b"COMMAND", b"GETKEYS", b"SORT", b"l", b"store\0", b"l2"],
]

CONNECTION = [
    [b"CLIENT", b"NO-EVICT", b"on\0"], [b"CLIENT", b"NO-EVICT", b"OFF\0x"], [b"CLIENT", b"NO-EVICT", b"o\0n"],
    [b"CLIENT", b"REPLY", b"on\0"], [b"CLIENT", b"TRACKING", b"off\0"], [b"CLIENT", b"TRACKING", b"of\0f"],
    [b"CLIENT", b"KILL", b"skipme\0", b"yes\0"], [b"CLIENT", b"KILL", b"id\0", b"99999"],
    [b"CLIENT", b"KILL", b"type\0", b"pubsub\0x"], [b"CLIENT", b"LIST", b"type\0", b"pubsub\0"],
    [b"CLIENT", b"LIST", b"type\0", b"nosuch\0x"], [b"CLIENT", b"UNBLOCK", b"99999", b"error\0"],
    [b"CLIENT", b"UNBLOCK", b"99999", b"erro\0r"],
    [b"CLIENT", b"PAUSE", b"0", b"write\0"], [b"CLIENT", b"PAUSE", b"0", b"writ\0e"],
    [b"HELLO", b"2", b"setname\0", b"nm"], [b"HELLO", b"2", b"setnam\0e", b"nm"],
]

# Options C parses (strconv.c arg_is, for the type commands and SORT).
C_PARSED = [
    [b"ZADD", b"k2", b"nx\0", b"1", b"a"], [b"ZADD", b"k2", b"CH\0x", b"1", b"a"], [b"ZADD", b"k2", b"incr\0", b"1", b"a"],
    [b"ZADD", b"k2", b"n\0x", b"1", b"a"], [b"LPOS", b"l", b"b", b"rank\0", b"1"], [b"LPOS", b"l", b"b", b"count\0", b"0"],
    [b"LPOS", b"l", b"b", b"maxlen\0x", b"0"], [b"SORT", b"l", b"alpha\0"],
    [b"SORT", b"l", b"ALPHA\0x", b"desc\0", b"limit\0", b"0", b"2"], [b"SORT", b"l", b"alph\0a"],
    [b"LMPOP", b"1", b"l", b"left\0", b"count\0", b"2"], [b"BLMPOP", b"0.01", b"1", b"l", b"RIGHT\0x", b"COUNT\0", b"1"],
    [b"LMOVE", b"l", b"l2", b"left\0", b"right\0"], [b"LINSERT", b"l", b"before\0", b"b", b"x"],
    [b"HSCAN", b"k2", b"0", b"count\0", b"10"], [b"SSCAN", b"k2", b"0", b"match\0", b"*"],
    [b"ZRANGE", b"k2", b"0", b"-1", b"withscores\0"], [b"ZRANGE", b"k2", b"(1", b"5", b"byscore\0", b"limit\0", b"0", b"1"],
    [b"ZUNIONSTORE", b"k2", b"1", b"l2", b"aggregate\0", b"max\0"],
]

GROUPS = {"expire": EXPIRE, "keyspace": KEYSPACE, "connection": CONNECTION, "c-parsed": C_PARSED}


def _state(sock: RespSocket) -> list:
    out = []
    for k in KEYS:
        kind = sock.call("TYPE", k)
        ttl = int(sock.call("PTTL", k)[1:-2])
        value = sock.call("GET", k) if kind == b"+string\r\n" else sock.call("LRANGE", k, "0", "-1")
        out.append((k, kind, value, ttl if ttl < 0 else "expires"))
    return out


def _run(sock: RespSocket, args: list[bytes]) -> tuple:
    sock.call("CLIENT", "UNPAUSE")
    assert sock.call("FLUSHALL") == b"+OK\r\n"
    for cmd in SETUP:
        assert sock.call(*cmd)[:1] in (b":", b"+"), cmd
    reply = sock.call(*args)
    if args[0] == b"HELLO" and reply[:1] == b"*":
        reply = b"hello-ok"  # the map holds the connection id, which differs between servers
    return reply, _state(sock)


@pytest.mark.parametrize("group", list(GROUPS))
def test_nul_option_words_match_redis(socks, group):
    ref, sut = socks
    diffs = []
    for args in GROUPS[group]:
        want, got = _run(ref, args), _run(sut, args)
        if want != got:
            diffs.append(f"{args!r}\n    redis    : {want!r:.600}\n    redistill: {got!r:.600}")
    assert not diffs, f"{len(diffs)} of {len(GROUPS[group])} cases differ:\n" + "\n".join(diffs)
