"""cmsgpack and struct through EVAL: every snippet of lua_lib_cases.py gives the same text on Redistill
as on redis-server (test_lua_libs.py checks the same snippets on the standalone modules), and the
libraries' values and uncaught errors become the same reply bytes, in RESP2 and RESP3."""

from __future__ import annotations

import pytest

from .lua_lib_cases import CMSGPACK, STRUCT, random_cmsgpack_cases, random_struct_cases, script
from .test_differential import compare, run_script
from .test_lua_libs import assert_same_texts, run_redis
from .test_scripting import ev


def same_text(redis_server, server, bodies: list[str]) -> None:
    scripts = [script(b) for b in bodies]
    assert_same_texts(bodies, run_redis(redis_server, scripts), run_redis(server, scripts))


def test_cmsgpack_through_eval(redis_server, server):
    same_text(redis_server, server, CMSGPACK + random_cmsgpack_cases(seed=29, count=200))


def test_struct_through_eval(redis_server, server):
    same_text(redis_server, server, STRUCT + random_struct_cases(seed=29, count=200))


REPLIES = [
    # library values as the script's reply
    ev("return cmsgpack.pack({1, 2, {a = 'b'}}, 1.5, true)"),
    ev("return cmsgpack.unpack(cmsgpack.pack({1, 'two', {3, {4}}, true, false}))"),
    ev("return {cmsgpack.unpack(cmsgpack.pack(1, 2.5, 'x', {k = 'v'}))}"),
    ev("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}"),
    ev("return cmsgpack.unpack('\\203\\01\\02\\03\\04\\05\\06')"),
    ev("return struct.pack('>iHd', -2, 65535, 0.25)"), ev("return {struct.unpack('>iHc3', struct.pack('>iHc3', -2, 7, 'abc'))}"),
    ev("return struct.size('!8bd')"), ev("return struct.unpack('d', struct.pack('d', 2.5))"),
    # uncaught errors: Redis's reply text with the script's sha and position
    ev("return cmsgpack.pack()"), ev("local x = cmsgpack.pack() return x"), ev("return cmsgpack.unpack('\\193')"),
    ev("local x = cmsgpack.unpack('\\205\\1') return x"), ev("local x = cmsgpack.unpack_one('ab', -1) return x"),
    ev("local x = cmsgpack.unpack('\\129\\192\\1') return x"),
    ev("local x = struct.pack('z') return x"), ev("local x = struct.unpack('i', 'ab') return x"),
    ev("local x = struct.size('!3') return x"), ev("local x = struct.unpack('c0', 'abc') return x"),
    # the libraries are read-only globals like the others
    ev("cmsgpack = nil return 1"), ev("cmsgpack.pack = nil return 1"), ev("struct.x = 1 return 1"),
    ev("return type(cmsgpack) .. type(struct) .. type(cmsgpack.unpack_one) .. type(struct.size)"),
]


@pytest.mark.parametrize("proto", [2, 3], ids=["resp2", "resp3"])
def test_library_replies(redis_server, server, proto):
    steps = REPLIES if proto == 2 else [["HELLO", "3"]] + REPLIES
    expected = run_script(redis_server.host, redis_server.port, steps)
    got = run_script(server.host, server.port, steps)
    compare(steps, expected, got, f"cmsgpack/struct replies (RESP{proto})")
