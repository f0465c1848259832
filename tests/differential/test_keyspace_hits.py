"""INFO stats keyspace_hits / keyspace_misses after each key command, against redis-server 7.0.15: Redis counts
the reads of its lookupKeyRead (EXISTS, TOUCH, TYPE, the TTL family, OBJECT, COPY's source...), not the writes'
lookups (EXPIRE, PERSIST, RENAME) nor MEMORY USAGE's.  Run with the fast path on and with REDISTILL_FASTPATH=0."""

from __future__ import annotations

import pytest

from resp import RespSocket

COMMANDS = [
    ["EXISTS", "k"], ["EXISTS", "nok"], ["EXISTS", "k", "nok", "k"], ["TOUCH", "k"], ["TOUCH", "nok", "k"],
    ["TYPE", "k"], ["TYPE", "nok"], ["TTL", "k"], ["PTTL", "nok"], ["EXPIRETIME", "k"], ["PEXPIRETIME", "nok"],
    ["OBJECT", "ENCODING", "k"], ["OBJECT", "ENCODING", "nok"], ["OBJECT", "REFCOUNT", "k"],
    ["OBJECT", "IDLETIME", "nok"], ["OBJECT", "FREQ", "k"], ["MEMORY", "USAGE", "k"], ["MEMORY", "USAGE", "nok"],
    ["COPY", "k", "k2"], ["COPY", "nok", "k3"], ["COPY", "k", "t", "REPLACE"], ["COPY", "k", "t"],
    ["RENAME", "k", "k4"], ["RENAMENX", "k", "t"], ["RENAME", "nok", "x"], ["EXPIRE", "k", "100"],
    ["EXPIRE", "nok", "100"], ["PEXPIREAT", "k", "1"], ["PERSIST", "t"], ["RANDOMKEY"], ["SCAN", "0"],
    ["KEYS", "*"], ["DBSIZE"], ["GET", "k"], ["GET", "nok"],
    ["SINTERSTORE", "d", "nok", "nos"], ["SUNIONSTORE", "d", "nos"], ["SDIFFSTORE", "d", "nos", "nos"],
    ["SINTER", "nos"], ["ZUNIONSTORE", "d", "2", "noz", "noz2"], ["ZINTER", "1", "noz"], ["ZDIFFSTORE", "d", "1", "noz"],
]


def _counts(sock: RespSocket, args: list[str]) -> tuple:
    assert sock.call("FLUSHALL") == b"+OK\r\n"
    sock.call("SET", "k", "v")
    sock.call("SET", "t", "w", "EX", "1000")
    assert sock.call("CONFIG", "RESETSTAT") == b"+OK\r\n"
    reply = sock.call(*args)
    stats = dict(line.split(":", 1) for line in sock.call("INFO", "stats").decode().split("\r\n") if ":" in line)
    return reply[:1], stats["keyspace_hits"], stats["keyspace_misses"]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_hits_and_misses_match_redis(socks, args):
    ref, sut = socks
    assert _counts(sut, args) == _counts(ref, args)
