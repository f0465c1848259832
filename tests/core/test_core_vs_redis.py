"""The fast path's reply bytes against a real redis-server: same scripts, byte-for-byte the same replies.

Only fast commands with valid syntax are used: C must answer every one of them itself."""

import pytest
from corehelp import cmd
from resp import RespSocket

BIG = "9223372036854775807"
SCRIPTS = {
    "strings": [
        ("SET", "k", "v"), ("GET", "k"), ("GET", "nope"), ("SET", "k", "w", "GET"), ("SET", "n", "v", "GET"),
        ("SET", "k", "x", "NX"), ("SET", "k", "x", "nx", "GET"), ("SET", "z", "x", "XX"), ("SET", "z", "x", "XX", "GET"),
        ("SET", "k", "y", "xx", "get"), ("SET", "e", "1", "EX", "100"), ("SET", "e", "1", "PX", "100000"),
        ("SET", "e", "1", "EXAT", "99999999999"), ("SET", "e", "1", "PXAT", "99999999999999"),
        ("SET", "e", "2", "KEEPTTL"), ("SET", "e", "3", "EX", "5", "EX", "100"), ("SET", "g", "1", "GET", "NX"),
        ("SET", "past", "1", "PXAT", "1"), ("GET", "past"), ("SET", "", ""), ("GET", ""), ("ECHO", ""),
        ("SET", "bin", "a\x00b\r\n"), ("GET", "bin"), ("MGET", "k", "nope", "bin", "k"),
        ("MSET", "a", "1", "b", "2", "a", "3"), ("MGET", "a", "b"),
    ],
    "counters": [
        ("INCR", "c"), ("INCRBY", "c", "41"), ("DECR", "c"), ("DECRBY", "c", "-10"), ("INCRBY", "c", "-100"),
        ("SET", "c", BIG), ("INCR", "c"), ("INCRBY", "c", "0"), ("SET", "c", "-" + BIG), ("DECRBY", "c", "1"),
        ("DECRBY", "c", "2"), ("DECR", "c"), ("SET", "s", "abc"), ("INCR", "s"), ("SET", "s", "01"), ("INCR", "s"),
        ("SET", "s", " 1"), ("INCR", "s"), ("SET", "s", "1" * 21), ("INCR", "s"), ("SET", "s", "-0"), ("DECR", "s"),
        ("SET", "s", ""), ("INCR", "s"), ("SET", "s", "1.5"), ("INCRBY", "s", "1"), ("GET", "s"),
        ("SET", "t", "5", "EX", "100"), ("INCR", "t"), ("GET", "t"),
    ],
    "keys": [
        ("MSET", "a", "1", "b", "2"), ("EXISTS", "a"), ("EXISTS", "a", "a", "b", "c"), ("DEL", "a", "a", "c"),
        ("EXISTS", "a"), ("DEL", "b"), ("DEL", "b"), ("PING",), ("PING", "hello world"), ("ping", ""),
        ("ECHO", "x" * 70000), ("GET", "x" * 1000),
    ],
}


@pytest.fixture
def redis_conn(redis_server):
    s = RespSocket(redis_server.host, redis_server.port)
    assert s.call("FLUSHALL") == b"+OK\r\n"
    yield s
    s.close()


@pytest.mark.parametrize("proto", [2, 3])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_fast_path_bytes_match_redis(redis_conn, conn_factory, name, proto):
    script = SCRIPTS[name]
    if proto == 3:
        redis_conn.call("HELLO", "3")
    redis_conn.send(b"".join(cmd(*c) for c in script))
    expected = redis_conn.replies(len(script))
    c = conn_factory(resp=proto)
    got = []
    for command in script:  # one at a time so a mismatch names its command
        out, frames, _ = c.session(cmd(*command))
        assert frames == [], f"{command} went to Python"
        got.append(out)
    for command, e, g in zip(script, expected, got):
        assert g == e, command


def test_fast_path_bytes_match_redis_in_one_pipeline(redis_conn, conn):
    script = [c for name in sorted(SCRIPTS) for c in SCRIPTS[name]]
    data = b"".join(cmd(*c) for c in script)
    redis_conn.send(data)
    expected = b"".join(redis_conn.replies(len(script)))
    out, frames, _ = conn.session(data)
    assert frames == [] and out == expected


@pytest.mark.parametrize("data", [
    b"*abc\r\n", b"*3000000000\r\n", b"*1\r\nfoo\r\n", b"*1\r\n\r\n", b"*1\r\n$-1\r\n", b"*1\r\n$536870913\r\n",
    b"*1\r\n$x\r\n", b'ECHO "abc\r\n', b"ECHO 'a'b\r\n", b"*" + b"1" * 70000, b"*1\r\n$" + b"1" * 70000,
    b"PING " + b"a" * 70000,
])
def test_protocol_errors_match_redis(redis_server, conn, data):
    s = RespSocket(redis_server.host, redis_server.port)
    try:
        s.send(cmd("PING") + data)
        expected, closed = s.read_until_closed(timeout=5)
    finally:
        s.close()
    assert closed
    out, _, _ = conn.session(cmd("PING") + data)
    assert out == expected


def test_inline_matches_redis(redis_conn, conn):
    data = (b'SET "a b" \'c\\\'d\'\r\nGET "a b"\r\nECHO "\\x41\\n"\r\n\r\n  \r\nMGET "a b" x\r\n'
            b"PING\nECHO a\x0bb\r\n")
    redis_conn.send(data)
    expected = b"".join(redis_conn.replies(6))
    out, frames, _ = conn.session(data)
    assert frames == [] and out == expected
