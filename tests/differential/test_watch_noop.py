"""Which writes break a WATCH: each case runs on real redis-server and on the server under test, and the
EXEC outcome (committed or aborted) must match. Redis signals a key only when a command changed it, so a
no-op ZADD (same score, XX of a missing member, NX of a present one, GT/LT that loses), ZINCRBY by 0, or an
SMOVE into a set that already holds the member leaves the watch intact; a same-value HSET or an LTRIM that
keeps everything still breaks it."""

from __future__ import annotations

import pytest

from resp import RespSocket

# (setup commands, the command another client runs while "k" is watched)
CASES = [
    ([["ZADD", "k", "1", "a"]], ["ZADD", "k", "1", "a"]),
    ([["ZADD", "k", "1", "a"]], ["ZADD", "k", "XX", "1", "b"]),
    ([["ZADD", "k", "1", "a"]], ["ZADD", "k", "NX", "2", "a"]),
    ([["ZADD", "k", "1", "a"]], ["ZADD", "k", "GT", "0", "a"]),
    ([["ZADD", "k", "1", "a"]], ["ZADD", "k", "LT", "5", "a"]),
    ([["ZADD", "k", "1", "a"]], ["ZADD", "k", "CH", "1", "a", "1", "a"]),
    ([["ZADD", "k", "1", "a"]], ["ZADD", "k", "XX", "INCR", "1", "b"]),
    ([["ZADD", "k", "1", "a"]], ["ZADD", "k", "1", "a", "2", "b"]),
    ([["ZADD", "k", "1", "a"]], ["ZADD", "k", "2", "a"]),
    ([["ZADD", "k", "1", "a"]], ["ZADD", "k", "GT", "2", "a"]),
    ([["ZADD", "k", "1", "a"]], ["ZINCRBY", "k", "0", "a"]),
    ([["ZADD", "k", "1", "a"]], ["ZINCRBY", "k", "1", "a"]),
    ([["ZADD", "k", "inf", "a"]], ["ZINCRBY", "k", "-inf", "a"]),
    ([], ["ZADD", "k", "XX", "1", "a"]),
    ([], ["ZADD", "k", "1", "a"]),
    ([["ZADD", "k", "1", "a"]], ["ZREM", "k", "zz"]),
    ([["ZADD", "k", "1", "a"]], ["ZREMRANGEBYSCORE", "k", "5", "6"]),
    ([["ZADD", "k", "1", "a"]], ["ZPOPMIN", "k", "0"]),
    ([["ZADD", "s", "1", "a"]], ["ZRANGESTORE", "k", "s", "5", "6"]),
    ([["SADD", "k", "a"]], ["SADD", "k", "a"]),
    ([["SADD", "k", "a"]], ["SREM", "k", "b"]),
    ([["SADD", "k", "a"]], ["SMOVE", "k", "k", "a"]),
    ([["SADD", "k", "a"], ["SADD", "s", "a", "b"]], ["SMOVE", "s", "k", "a"]),
    ([["SADD", "k", "a"], ["SADD", "s", "a", "b"]], ["SMOVE", "s", "k", "b"]),
    ([["SADD", "k", "a", "b"]], ["SMOVE", "k", "d", "a"]),
    ([["SADD", "s", "a"]], ["SUNIONSTORE", "k", "nosuch"]),
    ([["HSET", "k", "f", "v"]], ["HSET", "k", "f", "v"]),
    ([["HSET", "k", "f", "v"]], ["HSETNX", "k", "f", "w"]),
    ([["HSET", "k", "f", "v"]], ["HDEL", "k", "zz"]),
    ([["HSET", "k", "f", "1"]], ["HINCRBY", "k", "f", "0"]),
    ([["RPUSH", "k", "a"]], ["LREM", "k", "0", "zz"]),
    ([["RPUSH", "k", "a"]], ["LINSERT", "k", "BEFORE", "zz", "b"]),
    ([["RPUSH", "k", "a"]], ["LTRIM", "k", "0", "-1"]),
    ([["RPUSH", "k", "a"]], ["LPOP", "k", "0"]),
    ([["SET", "k", "v"]], ["SETRANGE", "k", "0", ""]),
    ([["SET", "k", "1"]], ["INCRBY", "k", "0"]),
    ([["SET", "k", "v"]], ["PERSIST", "k"]),
    ([["SET", "k", "v"]], ["RENAME", "k", "k"]),
]


def _outcome(port: int, setup: list, command: list) -> tuple:
    a, b = RespSocket("127.0.0.1", port, timeout=10), RespSocket("127.0.0.1", port, timeout=10)
    try:
        assert a.call("FLUSHALL") == b"+OK\r\n"
        for c in setup:
            a.call(*c)
        assert a.call("WATCH", "k") == b"+OK\r\n"
        reply = b.call(*command)
        assert a.call("MULTI") == b"+OK\r\n"
        assert a.call("PING") == b"+QUEUED\r\n"
        return reply, a.call("EXEC")
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("setup,command", CASES, ids=[" ".join(c) for _, c in CASES])
def test_watch_broken_only_by_real_changes(redis_server, server, setup, command):
    want = _outcome(redis_server.port, setup, command)
    got = _outcome(server.port, setup, command)
    assert got == want, f"{command}: redis (reply, EXEC) {want!r}, ours {got!r}"
