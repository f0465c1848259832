"""FUNCTION and FCALL against real redis-server, byte for byte, in RESP2 and RESP3 (with the fast path on
and with REDISTILL_FASTPATH=0, as the whole differential suite): FUNCTION LOAD's metadata and registration
errors, the load-time and run-time sandboxes, FCALL/FCALL_RO and the script flags, LIST/STATS/DELETE/
FLUSH/HELP replies and their argument errors, and DUMP/RESTORE payloads across the two servers.

FUNCTION LIST and DUMP follow each server's own order of libraries and functions (Redis: its dict's), so
the libraries listed here hold one function each, or are picked out with LIBRARYNAME."""

from __future__ import annotations

import re

import pytest

from resp import RespSocket, parse

from .test_differential import compare, run_script

F = ["FUNCTION", "FLUSH"]


def load(name: str, body: str, *opts: str) -> list[str]:
    return ["FUNCTION", "LOAD", *opts, f"#!lua name={name}\n{body}"]


def lib(name: str, fn: str, body: str, flags: str = "") -> list[str]:
    """A library of one function `fn(keys, args)`, with register_function's flags when given."""
    if flags:
        code = (f"redis.register_function{{function_name='{fn}', callback=function(keys, args)\n{body}\nend, "
                f"flags={{{flags}}}}}")
    else:
        code = f"redis.register_function('{fn}', function(keys, args)\n{body}\nend)"
    return load(name, code, "REPLACE")


LOAD_ERRORS = [
    F, ["FUNCTION", "LOAD", "return 1"], ["FUNCTION", "LOAD", "#!lua name=x"], ["FUNCTION", "LOAD", "#!lua\nreturn 1"],
    ["FUNCTION", "LOAD", "#! name=x\nreturn 1"], ["FUNCTION", "LOAD", "#!python name=x\nreturn 1"],
    ["FUNCTION", "LOAD", "#!lua name=x name=y\nreturn 1"], ["FUNCTION", "LOAD", "#!lua name=x foo=bar\nreturn 1"],
    ["FUNCTION", "LOAD", "#!lua name=a-b\nreturn 1"], ["FUNCTION", "LOAD", "#!lua name=\nreturn 1"],
    ["FUNCTION", "LOAD", "#!lua name=\"q\"\nredis.register_function('q', function() return 1 end)"],
    ["FUNCTION", "LOAD", "#!lua name=\"unbalanced\nreturn 1"], ["FUNCTION", "LOAD", "#!LUA NAME=up\nreturn 1"],
    load("x", "return 1"), load("x", "bad code"), load("x", "a = 1"), load("x", "local r = math.random()"),
    load("x", "redis.call('ping')"), load("x", "redis.setresp(3)"), load("x", "redis.set_repl(redis.REPL_NONE)"),
    load("x", "local mt = getmetatable(_G)"), load("x", "error('boom')"), load("x", "redis.math.random()"),
    load("x", "redis.register_function()"), load("x", "redis.register_function('f1')"),
    load("x", "redis.register_function('f1', 'x')"), load("x", "redis.register_function(nil, function() end)"),
    load("x", "redis.register_function('f1', function() end, 3)"),
    load("x", "redis.register_function('a\\0b', function() end)"), load("x", "redis.register_function('', function() end)"),
    load("x", "redis.register_function('f1', function() end) redis.register_function('f1', function() end)"),
    load("x", "redis.register_function{function_name='f1'}"), load("x", "redis.register_function{callback=function() end}"),
    load("x", "redis.register_function{function_name=function() end, callback=function() end}"),
    load("x", "redis.register_function{function_name='f1', callback='no'}"),
    load("x", "redis.register_function{function_name='f1', callback=function() end, description={}}"),
    load("x", "redis.register_function{function_name='f1', callback=function() end, flags='no-writes'}"),
    load("x", "redis.register_function{function_name='f1', callback=function() end, flags={'bad'}}"),
    load("x", "redis.register_function{function_name='f1', callback=function() end, flags={function() end}}"),
    load("x", "redis.register_function{function_name='f1', callback=function() end, other=1}"),
    load("x", "local t = {} t[1] = 1 redis.register_function(t)"),
    load("x", "redis.log(redis.LOG_WARNING, 'loading') redis.register_function('f1', function() return 1 end)"),
    load("x", "redis.register_function('f2', function() return 2 end)", "bad"),
    ["FUNCTION", "LOAD", "REPLACE", "REPLACE", "#!lua name=x\nredis.register_function('f3', function() return 3 end)"],
    ["FCALL", "f1", "0"], ["FCALL", "f2", "0"], ["FCALL", "F3", "0"],
    load("x", "redis.register_function('f4', function() return 4 end)"),
    load("y", "redis.register_function('f3', function() return 3 end)"),
    load("x", "redis.register_function('F3', function() return 3 end)", "REPLACE"), ["FCALL", "f3", "0"],
    ["FUNCTION", "LOAD"], ["FUNCTION", "LOAD", "REPLACE"],
]

CALLS = [
    F, lib("l1", "ret", "return args[1]"), ["FCALL", "ret", "0", "x"], ["FCALL", "RET", "0", "y"],
    lib("l2", "conv", "return {1, 'two', {3}, true, false, nil, 5}"), ["FCALL", "conv", "0"],
    lib("l3", "st", "return {ok='fine'}"), ["FCALL", "st", "0"],
    lib("l4", "er", "return {err='My Error'}"), ["FCALL", "er", "0"],
    lib("l5", "dbl", "return {double=3.5}"), ["FCALL", "dbl", "0"],
    lib("l6", "r3", "redis.setresp(3) return redis.call('hgetall', keys[1])"), ["HSET", "h", "f", "v"],
    ["FCALL", "r3", "1", "h"],
    lib("l7", "ka", "return {#keys, #args, keys[1], args[1]}"), ["FCALL", "ka", "2", "a", "b", "c"],
    ["FCALL", "ka", "0"],
    lib("l8", "set", "return redis.call('set', keys[1], args[1])"), ["FCALL", "set", "1", "k", "v"], ["GET", "k"],
    ["FCALL_RO", "set", "1", "k", "v"],
    lib("l9", "nw", "return redis.call('set', 'k', 'w')", "'no-writes'"), ["FCALL", "nw", "0"], ["FCALL_RO", "nw", "0"],
    lib("l10", "rd", "return redis.call('get', 'k')", "'no-writes'"), ["FCALL_RO", "rd", "0"],
    lib("l11", "boom", "error('x')"), ["FCALL", "boom", "0"],
    lib("l12", "boom2", "error({err='CODE custom'})"), ["FCALL", "boom2", "0"],
    lib("l13", "nocmd", "return redis.call('nosuch')"), ["FCALL", "nocmd", "0"],
    lib("l14", "pc", "return redis.pcall('incr', 'k')"), ["FCALL", "pc", "0"],
    lib("l15", "gk", "return KEYS"), ["FCALL", "gk", "0"],
    lib("l16", "newg", "x = 1"), ["FCALL", "newg", "0"],
    lib("l17", "reg", "redis.register_function('z', function() end)"), ["FCALL", "reg", "0"],
    lib("l18", "libs", "return {type(math), type(string), type(cjson), type(bit), type(redis.call), type(redis.register_function)}"),
    ["FCALL", "libs", "0"],
    lib("l19", "mt", "local mt = getmetatable(_G) mt.__index.redis = 1"), ["FCALL", "mt", "0"],
    load("l20", "local lib = redis\nlib.register_function('f20', function() lib.redis = redis end)\n"
         "lib.register_function('f21', function() lib.register_function('f22', function() end) end)"),
    ["FCALL", "f20", "0"], ["FCALL", "f21", "0"],
    load("l21", "local function add1(a) return a + 1 end\nredis.register_function('f23', function() return add1(1) end)"),
    ["FCALL", "f23", "0"],
    ["FCALL", "nosuch", "0"], ["FCALL", "ret", "x"], ["FCALL", "ret", "3", "a"], ["FCALL", "ret", "-1"],
    ["FCALL", "nosuch", "x"], ["FCALL", "ret"], ["FCALL_RO", "nosuch", "0"], ["FCALL", "ret", "1.5", "a"],
    lib("l22", "eval", "return redis.call('eval', 'return 1', 0)"), ["FCALL", "eval", "0"],
    lib("l23", "fn", "return redis.call('function', 'list')"), ["FCALL", "fn", "0"],
    lib("l24", "fc", "return redis.call('fcall', 'ret', 0, 'x')"), ["FCALL", "fc", "0"],
    lib("l25", "flags", "return 1", "'no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'"),
    ["FCALL", "flags", "0"], ["FCALL_RO", "flags", "0"],
    lib("l26", "upper", "return 1", "'NO-WRITES'"), ["FCALL_RO", "upper", "0"],
    ["MULTI"], ["FCALL", "ret", "0", "m"], ["FCALL", "nosuch", "0"], ["EXEC"],
    ["WATCH", "w"], lib("l27", "ww", "return redis.call('set', 'w', '1')"), ["FCALL", "ww", "0"], ["MULTI"], ["GET", "w"],
    ["EXEC"],
]

ADMIN = [
    F, ["FUNCTION", "LIST"], ["FUNCTION", "STATS"],
    load("alpha", "redis.register_function{function_name='fa', callback=function() return 1 end, description='the a', "
         "flags={'no-writes', 'allow-stale'}}"),
    load("beta", "redis.register_function('fb', function() return 2 end)"),
    ["FUNCTION", "LIST", "LIBRARYNAME", "alpha"], ["FUNCTION", "LIST", "libraryname", "ALPHA"],
    ["FUNCTION", "LIST", "LIBRARYNAME", "b*", "WITHCODE"], ["FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "a?pha"],
    ["FUNCTION", "LIST", "LIBRARYNAME", "nomatch"], ["FUNCTION", "STATS"],
    ["FUNCTION", "LIST", "bad"], ["FUNCTION", "LIST", "LIBRARYNAME"], ["FUNCTION", "LIST", "WITHCODE", "WITHCODE"],
    ["FUNCTION", "LIST", "LIBRARYNAME", "a", "LIBRARYNAME", "b"], ["FUNCTION", "LIST", "X\r\n+INJECTED"],
    ["FUNCTION", "LIST", "a\0b"],
    ["FUNCTION", "DELETE", "nosuch"], ["FUNCTION", "DELETE", "ALPHA"], ["FUNCTION", "DELETE", "alpha"],
    ["FCALL", "fa", "0"], ["FUNCTION", "STATS"], ["FUNCTION", "LIST"], ["FUNCTION", "DELETE"],
    ["FUNCTION", "DELETE", "a", "b"],
    ["FUNCTION", "FLUSH", "bad"], ["FUNCTION", "FLUSH", "SYNC", "x"], ["FUNCTION", "FLUSH", "async"],
    ["FUNCTION", "LIST"], ["FUNCTION", "FLUSH", "SYNC"], ["FUNCTION", "FLUSH"],
    ["FUNCTION", "KILL"], ["FUNCTION", "KILL", "x"], ["FUNCTION", "STATS", "x"], ["FUNCTION", "DUMP", "x"],
    ["FUNCTION", "RESTORE"], ["FUNCTION", "RESTORE", "x", "y", "z"], ["FUNCTION", "RESTORE", "x", "nope"],
    ["FUNCTION", "RESTORE", "x"], ["FUNCTION", "RESTORE", "x", "append"], ["FUNCTION", "RESTORE", "0123456789"],
    ["FUNCTION", "HELP"], ["FUNCTION", "HELP", "x"], ["FUNCTION"], ["FUNCTION", "NOSUCH"],
    ["FUNCTION", "DUMP"], ["SCRIPT", "KILL"],
    ["FCALL", "ret", "0"], ["COMMAND", "GETKEYS", "FCALL", "f", "2", "a", "b", "c"],
    ["COMMAND", "GETKEYS", "FCALL_RO", "f", "1", "x"],
]

SCRIPTS = {"load_errors": LOAD_ERRORS, "calls": CALLS, "admin": ADMIN}


@pytest.mark.parametrize("proto", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("name", list(SCRIPTS))
def test_functions(redis_server, server, name, proto):
    steps = list(SCRIPTS[name])
    if proto == 3:
        steps = [["HELLO", "3"]] + steps
    expected = run_script(redis_server.host, redis_server.port, steps)
    got = run_script(server.host, server.port, steps)
    compare(steps, expected, got, f"functions {name} (RESP{proto})")


# ---- DUMP and RESTORE across the two servers ----------------------------------------------------------

LIBS = [
    "#!lua name=one\nlocal function twice(x) return x .. x end\n"
    "redis.register_function('dup', function(keys, args) return twice(args[1]) .. string.rep('-', 40) end)",
    "#!lua name=two\nredis.register_function{function_name='cnt', callback=function(keys) return #keys end, "
    "flags={'no-writes'}, description='counts its keys'}",
]


def _call(s: RespSocket, *args) -> bytes:
    return s.call(*args)


def _lists(s: RespSocket) -> list:
    """FUNCTION LIST, libraries sorted by name (each server keeps its own order)."""
    libs = parse(_call(s, "FUNCTION", "LIST", "WITHCODE"))
    return sorted(libs, key=lambda entry: entry[1])


def _bulk(reply: bytes) -> bytes:
    head, _, rest = reply.partition(b"\r\n")
    assert head[:1] == b"$", reply[:80]
    return rest[:int(head[1:])]


def _crc64(data: bytes) -> int:
    poly, crc = 0x95AC9329AC4BC9B5, 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc


def _payload(body: bytes, version: int = 10) -> bytes:
    """A FUNCTION DUMP payload of body (opcodes and strings) with Redis's footer."""
    data = body + version.to_bytes(2, "little")
    return data + _crc64(data).to_bytes(8, "little")


def _code(text: str) -> bytes:
    raw = text.encode()
    assert len(raw) < 16384
    return bytes([0x40 | len(raw) >> 8, len(raw) & 0xFF]) if len(raw) >= 64 else bytes([len(raw)])


def _named(reply: bytes) -> bytes:
    return re.sub(rb"Library \w+ already", b"Library <name> already", reply)


def test_dump_restores_across_servers(socks):
    """Each server's DUMP restores into the other (Redis writes LZF strings, Redistill plain ones) and into
    itself, with every policy; the libraries then list and run alike."""
    for src, dst in (socks, socks[::-1]):
        for s in socks:
            assert _call(s, "FUNCTION", "FLUSH") == b"+OK\r\n"
        for code in LIBS:
            _call(src, "FUNCTION", "LOAD", code)
        payload = _bulk(_call(src, "FUNCTION", "DUMP"))
        assert _call(dst, "FUNCTION", "RESTORE", payload) == b"+OK\r\n"
        assert _lists(dst) == _lists(src)
        assert _call(dst, "FCALL", "dup", "0", "ab") == _call(src, "FCALL", "dup", "0", "ab")
        assert _call(dst, "FCALL_RO", "cnt", "2", "a", "b") == b":2\r\n"
        # The library named in a collision is the first each server meets (its own order).
        replies = [[_named(_call(s, "FUNCTION", "RESTORE", payload, *policy)) for s in socks]
                   for policy in ((), ("APPEND",), ("REPLACE",), ("FLUSH",), ("flush",))]
        assert [a for a, _ in replies] == [b for _, b in replies], replies


def test_restore_bad_payloads_alike(socks):
    """RESTORE's errors on crafted payloads (version, checksum, opcode, truncation, collisions) are
    Redis's, and a failed RESTORE leaves the libraries as they were."""
    one = "#!lua name=one\nredis.register_function('f1', function() return 1 end)"
    clash = "#!lua name=other\nredis.register_function('f1', function() return 1 end)"
    good = _payload(b"\xf5" + _code(one) + one.encode())
    cases = [
        _payload(b""), _payload(b"", 11), good[:-1] + bytes([good[-1] ^ 1]), _payload(b"\x00" + _code(one) + one.encode()),
        _payload(b"\xf5\x7f"), _payload(b"\xf5" + _code(one) + one.encode() + b"\xf5" + _code(one) + one.encode()),
        _payload(b"\xf5" + _code(clash) + clash.encode()), _payload(b"\xf5\x05hello"),
        _payload(b"\xf6\x03one\x03LUA\x00" + _code(one[15:]) + one[15:].encode()),
        good,
    ]
    for s in socks:
        assert _call(s, "FUNCTION", "FLUSH") == b"+OK\r\n"
        _call(s, "FUNCTION", "LOAD", one)
    for payload in cases:
        for policy in ((), ("REPLACE",)):
            got = [_call(s, "FUNCTION", "RESTORE", payload, *policy) for s in socks]
            assert got[0] == got[1], (payload, policy, got)
            assert _lists(socks[0]) == _lists(socks[1]), (payload, policy)


# ---- INFO commandstats of the commands scripts call -------------------------------------------------

STATS_SCRIPT = ("redis.call('set', KEYS[1], 0) redis.call('expire', KEYS[1], 100) redis.call('get', KEYS[1]) "
                "redis.pcall('get') redis.pcall('nosuch') pcall(redis.call, 'lpush', KEYS[1], 1) "
                "redis.call('incr', KEYS[1]) return redis.pcall('hset', KEYS[1], 'a', 'b')")


def _cmdstats(s: RespSocket) -> dict[str, tuple[str, ...]]:
    """cmdstat_<name> -> (calls, rejected_calls, failed_calls), without the timings."""
    out = {}
    for line in _bulk(_call(s, "INFO", "commandstats")).decode().splitlines():
        if line.startswith("cmdstat_"):
            name, fields = line.split(":", 1)
            kv = dict(f.split("=") for f in fields.split(","))
            out[name] = (kv["calls"], kv["rejected_calls"], kv["failed_calls"])
    return out


def test_script_calls_in_commandstats(socks):
    """The commands scripts and functions call (run in C or in Python, refused by redis.call's checks,
    failed) count in INFO commandstats as on Redis."""
    for s in socks:
        assert _call(s, "FUNCTION", "FLUSH") == b"+OK\r\n"
        _call(s, "FUNCTION", "LOAD", "#!lua name=st\nredis.register_function('st', function(keys) "
              "redis.call('set', keys[1], 'x') return redis.pcall('lpush', keys[1], 1) end)")
        assert _call(s, "CONFIG", "RESETSTAT") == b"+OK\r\n"
    replies = [[_call(s, "EVAL", STATS_SCRIPT, "1", "k"), _call(s, "FCALL", "st", "1", "k"),
                _call(s, "EVAL", "return redis.call('set', 'k2', 'v')", "0")] for s in socks]
    assert replies[0] == replies[1]
    assert _cmdstats(socks[0]) == _cmdstats(socks[1])


def test_dump_bytes_equal_redis(socks):
    """FUNCTION DUMP of no library, and of one (short code kept plain, long code LZF-compressed as Redis
    compresses it), is Redis's payload byte for byte."""
    codes = [None, "#!lua name=s\nredis.register_function('s', function() return 1 end)", LIBS[0], LIBS[1]]
    for code in codes:
        dumps = []
        for s in socks:
            assert _call(s, "FUNCTION", "FLUSH") == b"+OK\r\n"
            if code:
                _call(s, "FUNCTION", "LOAD", code)
            dumps.append(_call(s, "FUNCTION", "DUMP"))
        assert dumps[0] == dumps[1], code


def _monitor_lines(host: str, port: int, steps: list[list[str]]) -> list[bytes]:
    """The MONITOR lines of steps, timestamps cut and a client's address kept only when it is "lua"."""
    mon, cl = RespSocket(host, port, timeout=10), RespSocket(host, port, timeout=10)
    try:
        assert mon.call("MONITOR") == b"+OK\r\n"
        for step in steps:
            cl.call(*step)
        lines = []
        while not lines or not lines[-1].endswith(b'"PING"\r\n'):
            if len(lines) > 20:
                break
            if not lines:
                cl.call("PING")
            lines.append(mon.reply())
        untimed = [re.sub(rb"^\+[0-9.]+ ", b"+<t> ", line) for line in lines]
        return [re.sub(rb"^\+<t> \[0 (?!lua\])[^\]]*\]", b"+<t> [0 <client>]", line) for line in untimed]
    finally:
        mon.close()
        cl.close()


def test_monitor_shows_scripts_and_their_commands(redis_server, server):
    """EVAL and FCALL reach MONITOR before the commands they run, which show as the "lua" client's."""
    steps = [["FUNCTION", "LOAD", "REPLACE", "#!lua name=mon\nredis.register_function('mon', function(keys) "
              "return redis.call('set', keys[1], 'v') end)"],
             ["EVAL", "redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])", "1", "k", "a b"],
             ["FCALL", "mon", "1", "f"], ["EVAL", "return redis.pcall('nosuch')", "0"]]
    assert _monitor_lines(server.host, server.port, steps) == _monitor_lines(redis_server.host, redis_server.port, steps)
