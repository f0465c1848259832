"""Command scripts sent byte-for-byte to real redis-server and to Redistill (see test_differential.py).

A step is one of:
  [arg, ...]                  a RESP multibulk command; one reply is read
  Raw(data, n)                bytes sent as they are (inline commands, odd framing); n replies are read
  Close(data)                 bytes sent, then everything is read until the server closes (malformed input)
  Sleep(seconds)              wait (expiry)
  ScanAll(args)               SCAN 0 args... repeated until cursor 0; the sorted set of keys is compared
Every script runs on a fresh connection after FLUSHALL. Scripts in PER_PROTOCOL run twice: as they are
(RESP2) and after HELLO 3.
"""

from __future__ import annotations

from typing import NamedTuple

I64_MAX = str(2**63 - 1)
I64_MIN = str(-(2**63))


class Raw(NamedTuple):
    data: bytes
    replies: int = 1


class Close(NamedTuple):
    data: bytes


class Sleep(NamedTuple):
    seconds: float


class ScanAll(NamedTuple):
    args: tuple = ()


STRINGS = [
    ["SET", "k", "v"], ["GET", "k"], ["GET", "nope"], ["SET", "k", "v2", "NX"], ["SET", "k", "v3", "XX"],
    ["GET", "k"], ["SET", "x", "1", "XX"], ["GET", "x"], ["SET", "k", "v4", "GET"], ["SET", "new", "n", "GET"],
    ["SET", "k", "v5", "NX", "GET"], ["SET", "k2", "v5", "NX", "GET"], ["SET", "k3", "v", "XX", "GET"],
    ["SET", "e", "v", "EX", "100"], ["TTL", "e"], ["SET", "e", "v", "PX", "100000"], ["TTL", "e"],
    ["SET", "e", "v", "EXAT", "4102444800"], ["PTTL", "e"], ["SET", "e", "v", "PXAT", "4102444800000"], ["TTL", "e"],
    ["SET", "e", "v2", "KEEPTTL"], ["TTL", "e"], ["SET", "e", "v3"], ["TTL", "e"],
    ["set", "lower", "v", "nx", "ex", "50"], ["ttl", "lower"],
    ["SET", "k", "v", "NX", "XX"], ["SET", "k", "v", "XX", "NX"], ["SET", "k", "v", "EX", "10", "PX", "100"],
    ["SET", "k", "v", "KEEPTTL", "EX", "10"], ["SET", "k", "v", "EX", "10", "KEEPTTL"], ["SET", "k", "v", "EX"],
    ["SET", "k", "v", "FOO"], ["SET", "k", "v", "GET", "GET"], ["SET", "k", "v", "EX", "0"],
    ["SET", "k", "v", "EX", "-1"], ["SET", "k", "v", "PX", "0"], ["SET", "k", "v", "EXAT", "0"],
    ["SET", "k", "v", "PXAT", "-5"], ["SET", "k", "v", "EX", "abc"], ["SET", "k", "v", "EX", "1.5"],
    ["SET", "k", "v", "EX", I64_MAX], ["SET", "k", "v", "PX", I64_MAX], ["SET", "k", "v", "EX", "9223372036854776"],
    ["SET", "k", "v", "EX", "99999999999999999999"], ["GET", "k"], ["TTL", "k"],
    ["SET", "k"], ["SET"], ["GET"], ["GET", "a", "b"],
    ["MSET", "a", "1", "b", "2", "c", ""], ["MGET", "a", "b", "c", "nope", "a"], ["MGET", "nope"],
    ["MSET", "a"], ["MSET", "a", "1", "b"], ["MSET"], ["MGET"], ["MSET", "a", "x", "a", "y"], ["GET", "a"],
    ["SET", "e", "v", "EX", "100"], ["MSET", "e", "w"], ["TTL", "e"],
    [b"SET", b"bin\x00key", b"\x00\r\n\xff"], [b"GET", b"bin\x00key"], [b"GET", b"bin"], [b"SET", b"", b""],
    [b"GET", b""], [b"EXISTS", b""], [b"MGET", b"", b"bin\x00key"],
    ["SET", "big", "x" * 100_000], ["GET", "big"],
    ["SET", "k", "v", "NX", "NX"], ["SET", "k", "v", "XX", "XX", "GET", "GET"], ["SET", "k", "v", "EX", "10", "EX", "20"],
    ["TTL", "k"], ["SET", "k", "v", "PX", "100", "KEEPTTL"], ["SET", "k", "v", "EX", "+10"],
    ["SET", "k", "v", "EXAT", "1"], ["GET", "k"], ["EXISTS", "k"], ["SET", "k", "v", "PXAT", "1", "GET"],
    ["GET", "k"], ["SET", "k", "v", "ex", "100", "get"], ["SET", "k", "v", "keepttl", "get"], ["TTL", "k"],
    ["SET", "k", "v", "EX", "9223372036854775"], ["SET", "k", "v", "PX", "9223372036854775"], ["GET", "k"],
    ["MSET"] + [f"m{i}" if j == 0 else str(i) for i in range(300) for j in (0, 1)],
    ["MGET"] + [f"m{i}" for i in range(0, 320, 3)],
    ["DEL"] + [f"m{i}" for i in range(0, 320, 2)], ["EXISTS"] + [f"m{i}" for i in range(0, 320)],
]

INCR = [
    ["INCR", "n"], ["INCR", "n"], ["INCRBY", "n", "10"], ["DECR", "n"], ["DECRBY", "n", "20"], ["INCRBY", "n", "-5"],
    ["GET", "n"], ["DECR", "fresh"], ["DECRBY", "fresh2", "7"],
    ["SET", "n", str(2**63 - 2)], ["INCR", "n"], ["INCR", "n"], ["GET", "n"],
    ["SET", "n", str(-(2**63) + 1)], ["DECR", "n"], ["DECR", "n"], ["GET", "n"],
    ["SET", "n", "1"], ["INCRBY", "n", I64_MAX], ["SET", "n", "0"], ["INCRBY", "n", I64_MAX],
    ["SET", "n", "-1"], ["INCRBY", "n", I64_MIN], ["SET", "n", "0"], ["INCRBY", "n", I64_MIN],
    ["SET", "n", "0"], ["DECRBY", "n", I64_MIN], ["DECRBY", "nokey", I64_MIN], ["DECRBY", "n", str(-(2**63) + 1)],
    ["SET", "n", "-2"], ["DECRBY", "n", I64_MAX],
    ["INCRBY", "n", str(2**63)], ["INCRBY", "n", "abc"], ["INCRBY", "n", "1.5"], ["INCRBY", "n", ""],
    ["DECRBY", "n", "x"], ["GET", "n"],
    ["SET", "s", "abc"], ["INCR", "s"], ["SET", "s", "1.5"], ["INCR", "s"], ["SET", "s", " 1"], ["INCR", "s"],
    ["SET", "s", "01"], ["INCR", "s"], ["SET", "s", ""], ["INCR", "s"], ["SET", "s", "-0"], ["DECR", "s"],
    ["SET", "s", str(2**63)], ["INCR", "s"], ["SET", "s", "+1"], ["INCR", "s"], ["SET", "s", "-5"], ["INCR", "s"],
    ["SET", "t", "5", "EX", "100"], ["INCR", "t"], ["TTL", "t"],
    ["INCR"], ["INCR", "a", "b"], ["DECR"], ["INCRBY", "a"], ["DECRBY", "a", "1", "2"],
]

KEYS = [
    ["MSET", "a", "1", "b", "2"], ["DEL", "a", "b", "c"], ["DEL", "a"], ["SET", "a", "1"], ["DEL", "a", "a", "a"],
    ["SET", "a", "1"], ["EXISTS", "a"], ["EXISTS", "a", "a", "a"], ["EXISTS", "a", "zz", "a"], ["EXISTS", "zz"],
    ["DEL"], ["EXISTS"],
    ["TTL", "nope"], ["PTTL", "nope"], ["TTL", "a"], ["PTTL", "a"], ["EXPIRE", "nope", "10"], ["PERSIST", "nope"],
    ["EXPIRE", "a", "100", "XX"], ["EXPIRE", "a", "100", "GT"], ["EXPIRE", "a", "100", "LT"], ["TTL", "a"],
    ["EXPIRE", "a", "200", "NX"], ["EXPIRE", "a", "50", "GT"], ["EXPIRE", "a", "200", "GT"], ["TTL", "a"],
    ["EXPIRE", "a", "300", "LT"], ["EXPIRE", "a", "20", "lt"], ["TTL", "a"], ["EXPIRE", "a", "30", "xx"], ["TTL", "a"],
    ["PEXPIRE", "a", "40000", "GT"], ["PTTL", "a"], ["PEXPIRE", "a", "1000000", "LT"], ["PERSIST", "a"],
    ["PERSIST", "a"], ["TTL", "a"],
    ["EXPIRE", "a", "10", "NX", "XX"], ["EXPIRE", "a", "10", "NX", "GT"], ["PEXPIRE", "a", "10", "LT", "NX"],
    ["EXPIRE", "a", "10", "GT", "LT"], ["EXPIRE", "a", "10", "FOO"], ["EXPIRE", "a", "abc"], ["EXPIRE", "a", "1.5"],
    ["PEXPIRE", "a", ""], ["EXPIRE", "a", I64_MAX], ["EXPIRE", "a", I64_MIN], ["PEXPIRE", "a", I64_MAX],
    ["EXPIRE", "a"], ["EXPIRE"], ["PEXPIRE", "a"], ["TTL"], ["TTL", "a", "b"], ["PTTL"], ["PERSIST"],
    ["SET", "d", "1"], ["EXPIRE", "d", "0"], ["EXISTS", "d"], ["SET", "d", "1"], ["PEXPIRE", "d", "-1"], ["TTL", "d"],
    ["SET", "x", "1"], ["EXPIRE", "x", "10", "nx", "nx"], ["EXPIRE", "x", "20", "XX", "GT"], ["TTL", "x"],
    ["PEXPIRE", "x", "1700"], ["TTL", "x"], ["PEXPIRE", "x", "1200"], ["TTL", "x"], ["PEXPIRE", "x", "2500"], ["TTL", "x"],
    ["DEL", "x"],
    ["DBSIZE"], ["MSET", "k1", "1", "k2", "2", "k3", "3"], ["DBSIZE"], ["DBSIZE", "x"],
    ["FLUSHDB"], ["DBSIZE"], ["SET", "a", "1"], ["FLUSHALL", "SYNC"], ["DBSIZE"], ["SET", "a", "1"],
    ["FLUSHDB", "sync"], ["FLUSHALL", "FOO"], ["FLUSHDB", "ASYNC", "SYNC"], ["FLUSHDB", "a", "b"],
    ["SET", "a", "1"], ["FLUSHALL", "ASYNC"], Sleep(0.2), ["DBSIZE"], ["SET", "a", "1"], ["FLUSHDB", "async"],
    Sleep(0.2), ["GET", "a"],
]

EXPIRY = [  # 600 ms: the reads right after must come before it even on a loaded machine
    ["SET", "a", "v", "PX", "600"], ["SET", "b", "v"], ["PEXPIRE", "b", "600"], ["SET", "c", "v", "EX", "100"],
    ["GET", "a"], ["EXISTS", "a", "b"], Sleep(0.85),
    ["GET", "a"], ["EXISTS", "a", "b", "c"], ["TTL", "a"], ["PTTL", "b"], ["MGET", "a", "b", "c"], ["DEL", "a"],
    ["INCR", "a"], ["TTL", "a"], ["SET", "b", "new", "NX"], ["GET", "b"], ["PERSIST", "c"], ["TTL", "c"],
    ["SET", "d", "v", "PX", "100"], Sleep(0.3), ["SET", "d", "w", "XX"], ["SET", "d", "w", "GET"], ["DBSIZE"],
]

CONNECTION = [
    ["PING"], ["PING", "hello"], ["PING", ""], ["ping"], ["PING", "a", "b"], ["ECHO", "x"], ["ECHO", ""],
    ["ECHO", "a\r\nb"], ["ECHO"], ["ECHO", "a", "b"],
    ["SELECT", "0"], ["SELECT", "1"], ["SELECT", "15"], ["SELECT", "-1"], ["SELECT", "abc"], ["SELECT"],
    ["AUTH", "pw"], ["AUTH"], ["AUTH", "a", "b", "c"], ["AUTH", "default", "x"], ["AUTH", "other", "x"],
    ["HELLO", "2", "AUTH", "other", "x"], ["HELLO", "2", "AUTH", "default", "anything"],
    ["CLIENT", "SETNAME", "\u00e9"], ["CLIENT", "SETNAME", "a~!{}"], ["CLIENT", "GETNAME"],
    ["CLIENT", "GETNAME"], ["CLIENT", "SETNAME", "n1"], ["CLIENT", "GETNAME"], ["CLIENT", "SETNAME", "a b"],
    ["CLIENT", "SETNAME", "a\nb"], ["CLIENT", "SETNAME", ""], ["CLIENT", "GETNAME"], ["CLIENT", "SETNAME"],
    ["CLIENT", "GETNAME", "x"], ["CLIENT", "ID"], ["CLIENT", "ID", "x"], ["CLIENT"], ["CLIENT", "FOO"],
    ["CLIENT", "LIST"], ["client", "id"],
    ["HELLO", "4"], ["HELLO", "1"], ["HELLO", "abc"], ["HELLO", "3", "FOO"], ["HELLO", "3", "SETNAME"],
    ["HELLO", "2", "AUTH", "default"], ["HELLO", "3", "SETNAME", "a b"], ["GET", "nope"],
    ["HELLO", "3", "SETNAME", "h3"], ["CLIENT", "GETNAME"], ["GET", "nope"], ["MGET", "nope"], ["HELLO"],
    ["HELLO", "2"], ["GET", "nope"], ["HELLO"],
    ["QUIT", "x"],
]

SERVER = [
    ["INFO"], ["INFO", "server"], ["INFO", "CLIENTS"], ["INFO", "memory"], ["INFO", "stats"], ["INFO", "keyspace"],
    ["SET", "a", "1"], ["SET", "b", "1", "EX", "1000"], ["INFO", "keyspace"], ["INFO", "nosuchsection"],
    ["INFO", "server", "clients"], ["INFO", "all"], ["INFO", "default"], ["INFO", "everything"],
    ["INFO", "KeySpace"], ["INFO", "keyspace", "nosuch"], ["FLUSHALL"], ["INFO", "keyspace"], [""], ["", "x"],
    ["CONFIG", "GET", "save"], ["CONFIG", "GET", "appendonly"], ["CONFIG", "GET", "databases"],
    ["CONFIG", "GET", "maxmemory"], ["CONFIG", "GET", "nosuch-param"], ["CONFIG", "GET", "no-such-*"],
    ["CONFIG", "GET", "d?tabases"], ["CONFIG", "GET", "appendon*"], ["CONFIG", "GET"], ["CONFIG"], ["CONFIG", "FOO"],
    ["COMMAND", "COUNT"], ["COMMAND", "COUNT", "x"], ["COMMAND", "FOO"], ["COMMAND", "INFO", "get"],
    ["COMMAND", "INFO", "GET", "set", "nosuchcmd"], ["COMMAND", "INFO", "nosuchcmd"],
    ["COMMAND", "INFO", "set", "get", "del", "exists", "mget", "mset", "incr", "decr", "incrby", "decrby",
     "expire", "pexpire", "ttl", "pttl", "persist", "dbsize", "flushdb", "flushall", "ping", "echo", "info",
     "auth", "select", "quit", "hello", "client", "config", "command"],
    ["COMMAND", "DOCS", "set", "get", "del", "exists", "mget", "mset", "incr", "decr", "incrby", "decrby",
     "expire", "pexpire", "ttl", "pttl", "persist", "dbsize", "flushdb", "flushall", "ping", "echo", "info",
     "auth", "select", "quit", "hello", "client", "config", "command"],
    ["COMMAND", "DOCS", "get"], ["COMMAND", "DOCS", "nosuchcmd"],
    ["FOO"], ["foo", "a", "b"], ["NOSUCH", "x y"], ["GETT", "k"], ["FOO", "a\r\nb"],
    ["NOPE"] + [str(i) for i in range(40)], ["FOO", "x" * 300], ["F" * 200, "a"], ["FOO", "\x00x"],
    ["CONFIG", "GET", "SAVE"], ["CONFIG", "GET", "MaxMemory"],
    ["get"], ["SeT", "a"], ["dbsize", "extra"], ["DBSIZE"],
]

# ---- the rest of the string commands ------------------------------------------------------------------

BIN = b"a\x00b\r\n\xff"

STRINGS_MORE = [
    # SETNX, SETEX, PSETEX, GETSET
    ["SETNX", "k", "v"], ["SETNX", "k", "w"], ["GET", "k"], ["SETNX", "k"], ["SETNX", "k", "v", "x"],
    ["SETEX", "e", "100", "v"], ["TTL", "e"], ["GET", "e"], ["SETEX", "e", "0", "v"], ["SETEX", "e", "-1", "v"],
    ["SETEX", "e", "abc", "v"], ["SETEX", "e", "1.5", "v"], ["SETEX", "e", I64_MAX, "v"], ["SETEX", "e", "10"],
    ["SETEX", "e", "9223372036854775", "v"], ["GET", "e"], ["TTL", "e"],
    ["PSETEX", "p", "100000", "v"], ["PTTL", "p"], ["PSETEX", "p", "0", "v"], ["PSETEX", "p", "-5", "v"],
    ["PSETEX", "p", I64_MAX, "v"], ["PSETEX", "p", "x", "v"], ["PSETEX", "p"],
    ["SET", "g", "old", "EX", "100"], ["GETSET", "g", "new"], ["TTL", "g"], ["GET", "g"], ["GETSET", "nog", "v"],
    ["GET", "nog"], ["GETSET", "g"], [b"GETSET", BIN, BIN], [b"GET", BIN],
    # GETDEL, GETEX
    ["SET", "d", "v"], ["GETDEL", "d"], ["GETDEL", "d"], ["EXISTS", "d"], ["GETDEL"], ["GETDEL", "a", "b"],
    ["SET", "x", "v"], ["GETEX", "x"], ["TTL", "x"], ["GETEX", "x", "EX", "100"], ["TTL", "x"],
    ["GETEX", "x", "PX", "200000"], ["TTL", "x"], ["GETEX", "x", "EXAT", "4102444800"], ["EXPIRETIME", "x"],
    ["GETEX", "x", "PXAT", "4102444800123"], ["PEXPIRETIME", "x"], ["GETEX", "x", "PERSIST"], ["TTL", "x"],
    ["GETEX", "x", "EX", "0"], ["GETEX", "x", "EX", "-1"], ["GETEX", "x", "PX", "abc"], ["GETEX", "x", "EX"],
    ["GETEX", "x", "EX", "10", "PX", "10"], ["GETEX", "x", "PERSIST", "EX", "10"], ["GETEX", "x", "EX", "10", "PERSIST"],
    ["GETEX", "x", "KEEPTTL"], ["GETEX", "x", "NX"], ["GETEX", "x", "GET"], ["GETEX", "x", "FOO"],
    ["GETEX", "x", "EX", "10", "EX", "20"], ["TTL", "x"], ["GETEX", "x", "persist", "persist"],
    ["GETEX", "missing", "EX", "-5"], ["GETEX", "missing", "EX", "abc"], ["GETEX", "missing", "FOO"],
    ["GETEX", "missing"], ["GETEX", "x", "EX", I64_MAX], ["GETEX", "x", "PXAT", "1"], ["EXISTS", "x"],
    ["SET", "x", "v"], ["GETEX", "x", "EXAT", "1"], ["GET", "x"], ["GETEX"],
    # APPEND, STRLEN
    ["APPEND", "a", "hello"], ["APPEND", "a", " world"], ["GET", "a"], ["STRLEN", "a"], ["APPEND", "a", ""],
    ["APPEND", "empty", ""], ["EXISTS", "empty"], ["STRLEN", "empty"], ["STRLEN", "nokey"], ["STRLEN"],
    ["SET", "n", "12345"], ["APPEND", "n", "6"], ["GET", "n"], ["STRLEN", "n"], ["INCR", "n"],
    [b"APPEND", b"bin", BIN], [b"APPEND", b"bin", BIN], [b"GET", b"bin"], [b"STRLEN", b"bin"],
    ["SET", "t", "v", "EX", "100"], ["APPEND", "t", "w"], ["TTL", "t"], ["APPEND", "a"],
    ["APPEND", "big", "x" * 70000], ["APPEND", "big", "y" * 70000], ["STRLEN", "big"], ["GETRANGE", "big", "69998", "70001"],
    # GETRANGE, SUBSTR
    ["SET", "s", "This is a string"], ["GETRANGE", "s", "0", "3"], ["GETRANGE", "s", "-3", "-1"],
    ["GETRANGE", "s", "0", "-1"], ["GETRANGE", "s", "10", "100"], ["GETRANGE", "s", "5", "3"],
    ["GETRANGE", "s", "-1", "-5"], ["GETRANGE", "s", "-100", "2"], ["GETRANGE", "s", "100", "200"],
    ["GETRANGE", "s", "-100", "-50"], ["GETRANGE", "s", "0", "0"], ["GETRANGE", "s", I64_MIN, I64_MAX],
    ["GETRANGE", "s", "a", "1"], ["GETRANGE", "s", "1", "1.5"], ["GETRANGE", "s", "1"], ["GETRANGE", "nokey", "0", "-1"],
    ["GETRANGE", "nokey", "x", "1"], ["SET", "s2", ""], ["GETRANGE", "s2", "0", "-1"], ["GETRANGE", "s2", "0", "0"],
    ["SUBSTR", "s", "0", "3"], ["SUBSTR", "s", "-3", "-1"], ["SUBSTR", "nokey", "0", "1"], ["SUBSTR", "s", "0"],
    ["SET", "i", "123456"], ["GETRANGE", "i", "1", "3"], [b"GETRANGE", b"bin", b"1", b"4"],
    # SETRANGE
    ["SET", "r", "Hello World"], ["SETRANGE", "r", "6", "Redis"], ["GET", "r"], ["SETRANGE", "r", "20", "!"],
    ["GET", "r"], ["STRLEN", "r"], ["SETRANGE", "r", "0", ""], ["SETRANGE", "newr", "0", ""], ["EXISTS", "newr"],
    ["SETRANGE", "newr", "5", "x"], ["GET", "newr"], ["SETRANGE", "r", "-1", "x"], ["SETRANGE", "r", "abc", "x"],
    ["SETRANGE", "r", "536870911", "x"], ["SETRANGE", "r", "536870912", "x"], ["SETRANGE", "r", "536870911", "xy"],
    ["SETRANGE", "nr", "536870912", "x"], ["SETRANGE", "nr", "536870912", ""], ["SETRANGE", "r", I64_MAX, "x"],
    ["SETRANGE", "r", "1"], ["SET", "ri", "1234"], ["SETRANGE", "ri", "1", "9"], ["GET", "ri"], ["INCR", "ri"],
    ["SET", "rt", "v", "EX", "100"], ["SETRANGE", "rt", "3", "z"], ["TTL", "rt"], [b"SETRANGE", b"bin", b"2", BIN],
    [b"GET", b"bin"], ["SETRANGE", "r", "-1", ""], ["SETRANGE", "nr2", "-1", ""],
    # MSETNX
    ["MSETNX", "m1", "a", "m2", "b"], ["MGET", "m1", "m2"], ["MSETNX", "m2", "x", "m3", "y"], ["MGET", "m2", "m3"],
    ["MSETNX", "m4", "x", "m4", "y"], ["GET", "m4"], ["MSETNX", "m5"], ["MSETNX", "m5", "a", "m6"], ["MSETNX"],
    ["EXISTS", "m5"], ["SET", "m7", "v", "PX", "50"], Sleep(0.15), ["MSETNX", "m7", "n", "m8", "n"], ["MGET", "m7", "m8"],
    # wrong arity / names
    ["STRLEN", "a", "b"], ["GETRANGE"], ["SETRANGE"], ["APPEND"], ["GETSET"], ["SETEX"], ["PSETEX", "a", "1"],
]

INCRBYFLOAT = [
    ["INCRBYFLOAT", "f", "10.5"], ["INCRBYFLOAT", "f", "0.1"], ["INCRBYFLOAT", "f", "-5"], ["GET", "f"],
    ["SET", "f", "10"], ["INCRBYFLOAT", "f", "1"], ["INCRBYFLOAT", "f", "0.1"], ["INCRBYFLOAT", "f", "-0.1"],
    ["INCRBYFLOAT", "f", "-11"], ["INCRBYFLOAT", "f", "-0"], ["INCRBYFLOAT", "f", "1e3"], ["INCRBYFLOAT", "f", "1.5e-3"],
    ["INCRBYFLOAT", "f", "5.0e3"], ["INCRBYFLOAT", "f", "1e300"], ["INCRBYFLOAT", "f", "-1e300"],
    ["INCRBYFLOAT", "g", "3.0e3"], ["INCRBYFLOAT", "g", "0x10"], ["INCRBYFLOAT", "g", " 1"], ["INCRBYFLOAT", "g", "1 "],
    ["INCRBYFLOAT", "g", ""], ["INCRBYFLOAT", "g", "abc"], ["INCRBYFLOAT", "g", "nan"], ["INCRBYFLOAT", "g", "inf"],
    ["INCRBYFLOAT", "g", "-inf"], ["INCRBYFLOAT", "g", "+inf"], ["INCRBYFLOAT", "g", "1e5000"], ["INCRBYFLOAT", "g", "1e-5000"],
    ["INCRBYFLOAT", "g", "+5"], ["INCRBYFLOAT", "g", ".5"], ["INCRBYFLOAT", "g", "5."], ["GET", "g"],
    ["SET", "h", "1.7976931348623157e308"], ["INCRBYFLOAT", "h", "1.7976931348623157e308"], ["GET", "h"],
    ["INCRBYFLOAT", "h", "1e4000"], ["INCRBYFLOAT", "h", "1e4931"], ["INCRBYFLOAT", "h", "1e4932"],
    ["SET", "s", "abc"], ["INCRBYFLOAT", "s", "1"], ["SET", "s", "1.5 "], ["INCRBYFLOAT", "s", "1"],
    ["SET", "s", " 1.5"], ["INCRBYFLOAT", "s", "1"], ["SET", "s", "inf"], ["INCRBYFLOAT", "s", "1"],
    ["SET", "s", ""], ["INCRBYFLOAT", "s", "1"], ["SET", "s", "1e10"], ["INCRBYFLOAT", "s", "1"],
    ["SET", "t", "1", "EX", "100"], ["INCRBYFLOAT", "t", "0.5"], ["TTL", "t"], ["INCR", "t"],
    ["INCRBYFLOAT", "p", "0.1"], ["INCRBYFLOAT", "p", "0.2"], ["INCRBYFLOAT", "p", "3.14159265358979323846"],
    ["INCRBYFLOAT", "q", "1.23456789012345678901234567890"], ["INCRBYFLOAT", "q", "-1.23456789012345678901234567890"],
    ["INCRBYFLOAT", "r", "123456789012345678901234567890"], ["INCRBYFLOAT", "r", "0.000000000000000001"],
    ["INCRBYFLOAT", "u", "-0.0"], ["INCRBYFLOAT", "u", "1e-20"], ["INCRBYFLOAT", "v", "5\x001"],
    [b"INCRBYFLOAT", b"w", b"1\x00abc"], ["INCRBYFLOAT", "f"], ["INCRBYFLOAT"], ["INCRBYFLOAT", "f", "1", "2"],
]

def _random_pairs() -> list[tuple[str, str]]:
    import random

    rng = random.Random(3)
    return [("".join(rng.choice(alpha) for _ in range(rng.randint(0, 300))),
             "".join(rng.choice(alpha) for _ in range(rng.randint(0, 300))))
            for alpha in ("ab", "abc", "abcdefgh", "ab", "xyz")]


LCS = [
    ["MSET", "a", "ohmytext", "b", "mynewtext"], ["LCS", "a", "b"], ["LCS", "a", "b", "LEN"],
    ["LCS", "a", "b", "IDX"], ["LCS", "a", "b", "IDX", "WITHMATCHLEN"], ["LCS", "a", "b", "IDX", "MINMATCHLEN", "4"],
    ["LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"], ["LCS", "a", "b", "IDX", "MINMATCHLEN", "-3"],
    ["LCS", "a", "b", "LEN", "IDX"], ["LCS", "a", "b", "FOO"], ["LCS", "a", "b", "MINMATCHLEN"],
    ["LCS", "a", "b", "MINMATCHLEN", "x"], ["LCS", "a", "b", "len", "withmatchlen"], ["LCS", "a", "nokey"],
    ["LCS", "nokey", "nokey2", "IDX"], ["LCS", "nokey", "b", "LEN"], ["LCS", "a"], ["LCS"],
    ["MSET", "x", "ABCBDAB", "y", "BDCABA"], ["LCS", "x", "y"], ["LCS", "x", "y", "IDX", "WITHMATCHLEN"],
    ["MSET", "p", "aaaa", "q", "aa"], ["LCS", "p", "q", "IDX"], ["LCS", "q", "p", "IDX", "WITHMATCHLEN"],
    ["MSET", "c", "abcdefg", "d", "xabcyefgz"], ["LCS", "c", "d", "IDX", "WITHMATCHLEN"], ["LCS", "d", "c", "IDX"],
    [b"MSET", b"b1", b"\x00\xff\r\nab", b"b2", b"\xffa\x00b"], [b"LCS", b"b1", b"b2"], [b"LCS", b"b1", b"b2", b"IDX"],
    ["SET", "long1", "the quick brown fox jumps over the lazy dog" * 3],
    ["SET", "long2", "a quick brown dog jumps over the lazy fox!" * 3], ["LCS", "long1", "long2"],
    ["LCS", "long1", "long2", "IDX", "MINMATCHLEN", "5", "WITHMATCHLEN"],
    # seeded random strings over small alphabets: many ranges, ties in the walk
    *[step for n, (x, y) in enumerate(_random_pairs()) for step in (
        ["MSET", f"ra{n}", x, f"rb{n}", y], ["LCS", f"ra{n}", f"rb{n}"],
        ["LCS", f"ra{n}", f"rb{n}", "IDX", "WITHMATCHLEN"], ["LCS", f"rb{n}", f"ra{n}", "IDX", "MINMATCHLEN", "2"])],
]

# The string commands C runs through one handler on both paths (cmd_string.c, lcs.c): every error in
# Redis's order, the 64-bit extremes of their numbers, NUL-padded option words, MULTI, and
# proto-max-bulk-len as CONFIG SET changes it (SETRANGE/APPEND's size check, LCS's table limit).
STRINGS_C = [
    ["RPUSH", "l", "a"], ["SET", "s", "hello"],
    ["APPEND", "l", "x"], ["APPEND", "l", ""], ["GETRANGE", "l", "0", "-1"], ["SUBSTR", "l", "0", "1"],
    ["GETRANGE", "l", "x", "0"], ["SETRANGE", "l", "0", "x"], ["SETRANGE", "l", "0", ""], ["SETRANGE", "l", "-1", "x"],
    ["SETRANGE", "l", "x", "x"], ["SETRANGE", "l", I64_MAX, "x"], ["INCRBYFLOAT", "l", "x"], ["INCRBYFLOAT", "l", "1"],
    ["MSETNX", "l", "v", "n", "v"], ["EXISTS", "n"], ["MSETNX", "n", "v", "l"], ["LCS", "l", "s"], ["LCS", "s", "l", "FOO"],
    ["LCS", "l", "l", "LEN", "IDX"], ["LCS", "s", "nokey", "MINMATCHLEN", "x"], ["LCS", "s", "s", "LEN", "IDX", "FOO"],
    ["SETRANGE", "s", I64_MIN, "x"], ["SETRANGE", "s", "9223372036854775808", "x"], ["SETRANGE", "s", I64_MAX, ""],
    ["SETRANGE", "s", "9223372036854775806", "xy"], ["SETRANGE", "nos", I64_MAX, ""], ["EXISTS", "nos"],
    ["SETRANGE", "nos", "-0", "x"], ["GET", "nos"], ["GETRANGE", "s", I64_MIN, I64_MIN], ["GETRANGE", "s", I64_MAX, I64_MAX],
    ["GETRANGE", "s", I64_MIN, "-1"], ["GETRANGE", "s", "0", I64_MIN], ["GETRANGE", "s", "-9223372036854775809", "1"],
    ["GETRANGE", "s", "1", I64_MAX], ["SUBSTR", "s", I64_MIN, I64_MAX], ["GETRANGE", "nokey", I64_MIN, "x"],
    ["LCS", "s", "s", "IDX", "MINMATCHLEN", I64_MIN], ["LCS", "s", "s", "IDX", "MINMATCHLEN", I64_MAX, "WITHMATCHLEN"],
    ["LCS", "s", "s", "MINMATCHLEN", "9223372036854775808"], ["LCS", "s", "s", "IDX", "MINMATCHLEN"],
    [b"LCS", b"s", b"s", b"len\0"], [b"LCS", b"s", b"s", b"IDX\0x", b"WITHMATCHLEN\0"], [b"LCS", b"s", b"s", b"le\0n"],
    [b"LCS", b"s", b"s", b"minmatchlen\0", b"2", b"idx"], [b"LCS", b"s", b"s", b"len\0", b"idx\0"],
    ["SET", "fx", "1e4933"], ["INCRBYFLOAT", "fx", "0"], ["INCRBYFLOAT", "fy", "1e4932"], ["INCRBYFLOAT", "fy", "nan"],
    ["INCRBYFLOAT", "fy", "-nan"], ["INCRBYFLOAT", "fy", "-inf"], ["INCRBYFLOAT", "fy", "infinity"],
    ["SET", "fy", "1.18973149535723176502e+4932"], ["INCRBYFLOAT", "fy", "1.18973149535723176502e+4932"],
    ["INCRBYFLOAT", "fy", "-1.18973149535723176502e+4932"], ["GET", "fy"], [b"INCRBYFLOAT", b"fz", b"1.5\0"],
    ["INCRBYFLOAT", "fz", I64_MAX], ["INCRBYFLOAT", "fz", I64_MIN], ["GET", "fz"],
    ["MULTI"], ["APPEND", "mq", "a"], ["SETRANGE", "mq", "3", "b"], ["GETRANGE", "mq", "0", "-1"], ["INCRBYFLOAT", "mq", "1"],
    ["MSETNX", "mq", "x"], ["MSETNX", "mq", "x", "mr", "y"], ["LCS", "mq", "mr"], ["SETRANGE", "mq", "-1", "x"], ["EXEC"],
    ["CONFIG", "SET", "proto-max-bulk-len", "1048576"], ["SETRANGE", "pb", "1048575", "x"], ["STRLEN", "pb"],
    ["SETRANGE", "pb", "1048576", "x"], ["SETRANGE", "pb", "1048575", "xy"], ["APPEND", "pb", "y"], ["APPEND", "pb", ""],
    ["SETRANGE", "pb", "1048580", ""], ["SET", "l1", "a" * 600], ["SET", "l2", "b" * 600], ["LCS", "l1", "l2"],
    ["LCS", "l1", "l2", "LEN"], ["LCS", "l1", "l2", "IDX"], ["LCS", "s", "s", "IDX"],
    ["CONFIG", "SET", "proto-max-bulk-len", "536870912"], ["LCS", "l1", "l2", "LEN"], ["APPEND", "pb", "y"],
]

KEYS_MORE = [
    # UNLINK, TOUCH
    ["MSET", "a", "1", "b", "2", "c", "3"], ["UNLINK", "a", "b", "zz", "a"], ["EXISTS", "a", "b", "c"], ["UNLINK"],
    ["TOUCH", "c", "c", "zz"], ["TOUCH"], ["TOUCH", "zz"],
    # EXPIREAT, PEXPIREAT, EXPIRETIME, PEXPIRETIME
    ["SET", "e", "v"], ["EXPIRETIME", "e"], ["PEXPIRETIME", "e"], ["EXPIRETIME", "nokey"], ["PEXPIRETIME", "nokey"],
    ["EXPIREAT", "e", "4102444800"], ["EXPIRETIME", "e"], ["PEXPIRETIME", "e"],
    ["PEXPIREAT", "e", "4102444800600"], ["EXPIRETIME", "e"], ["PEXPIRETIME", "e"],
    ["PEXPIREAT", "e", "4102444800499"], ["EXPIRETIME", "e"],
    ["EXPIREAT", "e", "4102444801", "NX"], ["EXPIREAT", "e", "4102444801", "XX"], ["EXPIREAT", "e", "4102444700", "GT"],
    ["EXPIREAT", "e", "4102444900", "GT"], ["EXPIRETIME", "e"], ["PEXPIREAT", "e", "4102444800000", "LT"],
    ["PEXPIRETIME", "e"], ["EXPIREAT", "e", "4102444800", "NX", "XX"], ["EXPIREAT", "e", "1", "GT", "LT"],
    ["EXPIREAT", "e", "1", "FOO"], ["EXPIREAT", "e", "abc"], ["EXPIREAT", "e", I64_MAX], ["PEXPIREAT", "e", I64_MAX],
    ["EXPIREAT", "e", "9223372036854775"], ["EXPIREAT", "e", I64_MIN], ["PEXPIREAT", "e", I64_MIN], ["EXISTS", "e"],
    ["SET", "e", "v"], ["EXPIREAT", "e", "1"], ["EXISTS", "e"], ["SET", "e", "v"], ["PEXPIREAT", "e", "0"],
    ["EXISTS", "e"], ["EXPIREAT", "nokey", "4102444800"], ["EXPIREAT", "e"], ["EXPIRETIME"], ["PEXPIRETIME", "a", "b"],
    ["SET", "e", "v"], ["EXPIREAT", "e", "4102444800", "lt"], ["EXPIRETIME", "e"],
    # TYPE
    ["SET", "t", "v"], ["TYPE", "t"], ["TYPE", "nokey"], ["TYPE"], ["TYPE", "a", "b"],
    # RENAME, RENAMENX
    ["SET", "src", "v", "EX", "100"], ["RENAME", "src", "dst"], ["GET", "src"], ["GET", "dst"], ["TTL", "dst"],
    ["RENAME", "src", "dst"], ["RENAME", "dst", "dst"], ["RENAME", "nokey", "nokey"], ["GET", "dst"],
    ["SET", "other", "o"], ["RENAME", "dst", "other"], ["GET", "other"], ["TTL", "other"], ["EXISTS", "dst"],
    ["SET", "k1", "1"], ["SET", "k2", "2"], ["RENAMENX", "k1", "k2"], ["RENAMENX", "k1", "k3"], ["MGET", "k1", "k2", "k3"],
    ["RENAMENX", "k3", "k3"], ["RENAMENX", "nokey", "x"], ["RENAMENX", "nokey", "nokey"], ["RENAME", "k3"], ["RENAMENX"],
    [b"SET", BIN, b"binval"], [b"RENAME", BIN, b"plain"], [b"GET", b"plain"], [b"RENAME", b"plain", BIN], [b"GET", BIN],
    ["SET", "gone", "v", "PX", "50"], Sleep(0.15), ["RENAME", "gone", "x"], ["SET", "live", "v"],
    ["SET", "old", "v", "PX", "50"], Sleep(0.15), ["RENAMENX", "live", "old"], ["GET", "old"],
    # COPY
    ["SET", "c1", "v", "EX", "100"], ["COPY", "c1", "c2"], ["GET", "c2"], ["TTL", "c2"], ["COPY", "c1", "c2"],
    ["SET", "c1", "w"], ["COPY", "c1", "c2", "REPLACE"], ["GET", "c2"], ["TTL", "c2"], ["COPY", "c1", "c1"],
    ["COPY", "nokey", "c3"], ["EXISTS", "c3"], ["COPY", "c1", "c3", "DB", "0"], ["GET", "c3"],
    ["COPY", "c1", "c4", "DB", "1"], ["COPY", "c1", "c4", "DB", "-1"], ["COPY", "c1", "c4", "DB", "abc"],
    ["COPY", "c1", "c4", "DB", "99999999999"], ["COPY", "c1", "c4", "DB"], ["COPY", "c1", "c4", "FOO"],
    ["COPY", "c1", "c1", "REPLACE"], ["COPY", "c1", "c1", "FOO"], ["COPY", "c1", "c4", "replace", "db", "0", "replace"],
    ["COPY", "c1"], ["COPY"], [b"COPY", BIN, b"bincopy"], [b"GET", b"bincopy"],
    # OBJECT
    ["SET", "int", "12345"], ["SET", "neg", "-5"], ["SET", "emb", "hello"], ["SET", "raw", "x" * 45],
    ["SET", "e44", "x" * 44], ["SET", "bigint", "12345678901234567890"], ["SET", "i20", "-1234567890123456789"],
    ["OBJECT", "ENCODING", "int"], ["OBJECT", "ENCODING", "neg"], ["OBJECT", "ENCODING", "emb"],
    ["OBJECT", "ENCODING", "raw"], ["OBJECT", "ENCODING", "e44"], ["OBJECT", "ENCODING", "bigint"],
    ["OBJECT", "ENCODING", "i20"], ["OBJECT", "ENCODING", "nokey"], ["SET", "lz", "01"], ["OBJECT", "ENCODING", "lz"],
    ["INCR", "cnt"], ["OBJECT", "ENCODING", "cnt"],
    ["OBJECT", "REFCOUNT", "int"], ["SET", "small", "42"], ["OBJECT", "REFCOUNT", "small"], ["OBJECT", "REFCOUNT", "emb"],
    ["SET", "z", "0"], ["OBJECT", "REFCOUNT", "z"], ["SET", "n9999", "9999"], ["OBJECT", "REFCOUNT", "n9999"],
    ["SET", "n10000", "10000"], ["OBJECT", "REFCOUNT", "n10000"],
    # (OBJECT IDLETIME of a live key is left out: both servers' ~1 s access clocks may tick between steps)
    ["OBJECT", "REFCOUNT", "nokey"], ["OBJECT", "IDLETIME", "nokey"],
    ["OBJECT", "FREQ", "emb"], ["OBJECT", "FREQ", "nokey"], ["OBJECT", "HELP"], ["OBJECT", "help", "x"],
    ["OBJECT"], ["OBJECT", "FOO"], ["OBJECT", "FOO", "k"], ["OBJECT", "ENCODING"], ["OBJECT", "ENCODING", "a", "b"],
    # MEMORY USAGE (the size itself is ours; its kind and the errors are Redis's)
    ["MEMORY", "USAGE", "emb"], ["MEMORY", "USAGE", "nokey"], ["MEMORY", "USAGE", "emb", "SAMPLES", "5"],
    ["MEMORY", "USAGE", "emb", "SAMPLES", "0"], ["MEMORY", "USAGE", "emb", "SAMPLES", "-1"],
    ["MEMORY", "USAGE", "emb", "SAMPLES", "x"], ["MEMORY", "USAGE", "emb", "SAMPLES"], ["MEMORY", "USAGE", "emb", "FOO"],
    ["MEMORY", "USAGE"], ["MEMORY"], ["MEMORY", "FOO"], ["MEMORY", "usage", "nokey", "samples", "3"],
    # the command table: name, arity, flags, key positions as Redis 7.0 has them
    ["COMMAND", "INFO", "setnx", "setex", "psetex", "getset", "getdel", "getex", "append", "strlen", "getrange",
     "substr", "setrange", "incrbyfloat", "msetnx", "lcs", "unlink", "touch", "expireat", "pexpireat",
     "expiretime", "pexpiretime", "type", "keys", "scan", "randomkey", "rename", "renamenx", "copy"],
    ["COMMAND", "INFO", "object|encoding", "object|refcount", "object|idletime", "object|freq", "object|help",
     "memory|usage", "memory|help"],
]

SCAN_KEYS = [
    ["KEYS", "*"], ["SCAN", "0"], ["RANDOMKEY"], ["SET", "only", "v"], ["RANDOMKEY"], ["FLUSHALL"],
    ["MSET", "hello", "1", "hallo", "2", "hxllo", "3", "hllo", "4", "heeeello", "5", "h*llo", "6", "h?llo", "7",
     "a[b", "8", "a\\b", "9", "Hello", "10", "^x", "11", "-", "12", "]", "13"],
    ["KEYS", "h?llo"], ["KEYS", "h*llo"], ["KEYS", "h[ae]llo"], ["KEYS", "h[^e]llo"], ["KEYS", "h[a-b]llo"],
    ["KEYS", "h[b-a]llo"], ["KEYS", "h\\*llo"], ["KEYS", "h\\?llo"], ["KEYS", "a[[]b"], ["KEYS", "a\\[b"],
    ["KEYS", "a\\\\b"], ["KEYS", "*"], ["KEYS", "[^a-z]*"], ["KEYS", "h[a"], ["KEYS", "h[^"], ["KEYS", "\\"],
    ["KEYS", "*l*l*o"], ["KEYS", "[\\]]"], ["KEYS", "[]-]"], ["KEYS", "[-]"], ["KEYS", "[\\^]x"], ["KEYS", "?"],
    ["KEYS", "nomatch*"], ["KEYS", "H*"], ["KEYS", "**"], ["KEYS", ""], ["KEYS"], ["KEYS", "a", "b"],
    ScanAll(()), ScanAll(("MATCH", "h*")), ScanAll(("MATCH", "h?llo", "COUNT", "2")), ScanAll(("COUNT", "1")),
    ScanAll(("TYPE", "string")), ScanAll(("TYPE", "STRING")), ScanAll(("TYPE", "list")), ScanAll(("TYPE", "nosuch")),
    ScanAll(("MATCH", "*", "COUNT", "1000", "TYPE", "string")),
    ["SCAN", "0", "COUNT", "0"], ["SCAN", "0", "COUNT", "-1"], ["SCAN", "0", "COUNT", "abc"], ["SCAN", "0", "COUNT"],
    ["SCAN", "0", "MATCH"], ["SCAN", "0", "TYPE"], ["SCAN", "0", "FOO", "bar"], ["SCAN", "abc"], ["SCAN", " 1"],
    ["SCAN", "1x"], ["SCAN", "0x10"], ["SCAN", "99999999999999999999"], ["SCAN", "-"], ["SCAN", "+"],
    ["SCAN", "0", "MATCH", "nomatch*", "COUNT", "1000"], ["SCAN"], ["SCAN", "0", "COUNT", "99999999999999999999"],
    ["SET", "x", "v", "PX", "50"], Sleep(0.15), ["KEYS", "x"], ScanAll(("MATCH", "x")),
    [b"SET", BIN, b"v"], [b"KEYS", b"a\x00*"], ScanAll((b"MATCH", b"*\xff")),
]

EXPIRY_MORE = [
    ["PSETEX", "a", "100", "v"], ["SET", "b", "v", "PX", "100"], ["SET", "c", "v"], ["GETEX", "c", "PX", "100"],
    ["SET", "d", "v", "PX", "100"], ["RENAME", "d", "d2"], ["SET", "e", "v", "PX", "100"], ["COPY", "e", "e2"],
    ["SET", "f", "1.5", "PX", "100"], ["SET", "g", "abc", "PX", "100"], ["SET", "h", "abc", "PX", "100"],
    ["SET", "i", "x", "PX", "100"], ["SET", "j", "x", "PX", "100"], ["SET", "k", "x", "PX", "100"],
    ["SET", "live", "v"], Sleep(0.35),
    ["GET", "a"], ["GET", "b"], ["GET", "c"], ["EXISTS", "d2"], ["EXISTS", "e", "e2"],
    ["INCRBYFLOAT", "f", "1"], ["TTL", "f"], ["APPEND", "g", "z"], ["GET", "g"], ["TTL", "g"],
    ["SETRANGE", "h", "1", "z"], ["GET", "h"], ["MSETNX", "i", "1", "new", "2"], ["GET", "i"],
    ["TOUCH", "j", "live"], ["TYPE", "j"], ["EXPIRETIME", "j"], ["OBJECT", "ENCODING", "k"], ["STRLEN", "k"],
    ["GETRANGE", "k", "0", "-1"], ["GETDEL", "k"], ["RENAME", "k", "x"], ["COPY", "k", "x"], ["KEYS", "*"],
    ScanAll(()), ["GETSET", "a", "v2"], ["SETNX", "b", "v2"], ["GET", "b"],
]

def _expire_bounds() -> list:
    """Each EXPIRE form with times at the edges of its unit conversion and basetime addition (C truncates
    LLONG_MIN / 1000 toward zero); absolute forms show the stored time, relative ones only whether the key
    lived (the two servers' clocks differ by a few ms)."""
    steps: list = []
    for cmd in ("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"):
        for t in ("9223372036854775", "9223372036854776", "-9223372036854775", "-9223372036854776", I64_MAX,
                  I64_MIN, "9223372036854775806", "99999999999999999999", "-0", "+7", " 7", "7 ", "0x10", "1e3"):
            steps += [["SET", "a", "v"], [cmd, "a", t], ["EXISTS", "a"]]
            if cmd.endswith("AT"):
                steps.append(["PEXPIRETIME", "a"])
    return steps


# The key commands C runs whole (csrc/cmd_keys.c): argument errors in Redis's order, edges of every
# parser, the whole-keyspace ones inside MULTI, and OBJECT under the maxmemory-policy (undone at the end).
KEYS_IN_C = [
    # SCAN cursors on an empty keyspace: every spelling strtoul accepts is cursor 0 here, as in Redis
    [b"SCAN", b"0\x00x"], [b"SCAN", b"5\x00"], ["SCAN", "-1"], ["SCAN", "+0"], ["SCAN", ""], ["SCAN", "0" * 40],
    ["SCAN", "18446744073709551615"], ["SCAN", "18446744073709551616"], ["SCAN", "-18446744073709551615"],
    ["SCAN", "-18446744073709551616"], ["SCAN", "+"], ["SCAN", "-"], ["SCAN", "+-1"], [b"SCAN", b"\x001"],
    ["SCAN", "0", "TYPE", "foo"], ["SCAN", "0", "COUNT", "0", "TYPE", "foo"], ["SCAN", "x", "COUNT", "0"],
    ["SCAN", "0", "TYPE", "string", "COUNT", "-5"], ["SCAN", "0", "TYPE", "hash", "MATCH"], ["RANDOMKEY"],
    ["HSET", "h", "f", "v"], ["SADD", "st", "1", "2"], ["ZADD", "z", "1", "m"], ["RPUSH", "l", "x", "y"],
    [b"HSCAN", b"h", b"5\x00x"], ["HSCAN", "h", "0" * 40], ["SSCAN", "st", "-1"], ["ZSCAN", "z", "+0"],
    ["HSCAN", "h", "0", "TYPE", "hash"], ["SSCAN", "st", "+"],
    # EXPIRE: option errors before the number, the number before its overflow, all before the key
    ["EXPIRE", "nokey", "abc", "FOO"], ["EXPIRE", "nokey", "abc", "NX", "XX"], ["EXPIRE", "nokey", "abc"],
    ["EXPIRE", "nokey", I64_MAX], ["PEXPIREAT", "nokey", "1", "GT", "LT"], ["EXPIREAT", "nokey", "1", "lt", "bad"],
    [b"EXPIRE", b"h", b"10", b"f\r\no"], [b"EXPIRE", b"h", b"10", b"\xff\x00x"], ["EXPIRE", "h", "10", "x" * 300],
    *[step for opts in (["NX", "GT"], ["GT", "NX"], ["NX", "LT"], ["XX", "NX"], ["GT", "LT"], ["LT", "GT"],
                        ["XX", "GT", "LT"], ["XX", "GT"], ["XX", "LT"], ["GT", "GT"], ["NX", "NX"], ["nx", "FOO"],
                        ["FOO", "nx", "xx"], ["xX", "Gt"])
      for step in (["PERSIST", "l"], ["EXPIREAT", "l", "4102444800", *opts], ["PEXPIRETIME", "l"],
                   ["PEXPIREAT", "l", "4102444900000", *opts], ["PEXPIRETIME", "l"],
                   ["EXPIREAT", "l", "4102444700", *opts], ["EXPIRETIME", "l"])],
    *_expire_bounds(),
    # TYPE, the TTL family and PERSIST on every type
    ["SET", "s", "v"], ["TYPE", "s"], ["TYPE", "h"], ["TYPE", "st"], ["TYPE", "z"], ["TYPE", "l"], ["TYPE", "nokey"],
    ["EXPIREAT", "h", "4102444800"], ["EXPIRETIME", "h"], ["PEXPIRETIME", "h"], ["PERSIST", "h"], ["PERSIST", "h"],
    ["TTL", "h"], ["PTTL", "h"], ["EXPIRETIME", "h"], ["PEXPIREAT", "z", "4102444800499"], ["EXPIRETIME", "z"],
    ["PEXPIREAT", "z", "4102444800500"], ["EXPIRETIME", "z"], ["EXPIRE", "st", "-1"], ["TYPE", "st"],
    ["TOUCH", "s", "s", "nokey", "h"], ["SADD", "st", "1"],
    # COPY: DB is an int, then 0 only; same object after the options; RENAME / RENAMENX
    ["COPY", "s", "s2", "DB", "1"], ["COPY", "s", "s2", "DB", "-1"], ["COPY", "s", "s2", "DB", "2147483648"],
    ["COPY", "s", "s2", "DB", "-2147483649"], ["COPY", "s", "s", "DB", "1"], ["COPY", "s", "s", "DB", "0"],
    ["COPY", "s", "s2", "DB", "0", "DB", "1"], ["COPY", "s", "s2", "DB", "1", "FOO"], ["COPY", "s", "s2", "FOO", "DB", "1"],
    ["COPY", "nokey", "x", "DB", "0"], ["COPY", "s", "s2", "REPLACE", "DB"], ["COPY", "l", "l2"], ["LRANGE", "l2", "0", "-1"],
    ["COPY", "h", "l2"], ["COPY", "h", "l2", "REPLACE"], ["TYPE", "l2"], ["COPY", "s", "s2", "db", "+0", "replace"],
    ["RENAME", "nokey", "x"], ["RENAMENX", "nokey", "x"], ["RENAME", "s", "s"], ["RENAMENX", "s", "s"],
    ["RENAME", "z", "z2"], ["ZRANGE", "z2", "0", "-1"], ["RENAMENX", "z2", "h"], ["RENAMENX", "z2", "fresh"],
    ["TYPE", "fresh"], ["EXPIRETIME", "fresh"],
    # the whole-keyspace commands, also queued in a transaction
    ["FLUSHALL", "SYNC", "x"], ["FLUSHDB", "async", "async"], ["FLUSHALL", ""], ["DBSIZE"],
    ["MULTI"], ["EXPIRE", "s", "100"], ["TTL", "s"], ["TYPE", "s"], ["FLUSHDB", "x"], ["DBSIZE"], ["KEYS", "s2"],
    ["COPY", "s", "s", "DB", "1"], ["FLUSHDB"], ["DBSIZE"], ["RANDOMKEY"], ["EXEC"],
    # OBJECT under the policy (IDLETIME's value itself is left out: the access clocks tick)
    ["SET", "n0", "42"], ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"], ["SET", "f", "v"], ["OBJECT", "FREQ", "f"],
    ["OBJECT", "IDLETIME", "f"], ["OBJECT", "IDLETIME", "nokey"], ["OBJECT", "FREQ", "nokey"],
    ["CONFIG", "SET", "maxmemory-policy", "volatile-lfu"], ["OBJECT", "IDLETIME", "f"], ["OBJECT", "ENCODING", "f"],
    ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"], ["OBJECT", "FREQ", "f"], ["OBJECT", "REFCOUNT", "n0"],
    ["CONFIG", "SET", "maxmemory", "100mb"], ["SET", "n", "42"], ["OBJECT", "REFCOUNT", "n"], ["OBJECT", "ENCODING", "n"],
    ["CONFIG", "SET", "maxmemory-policy", "allkeys-random"], ["SET", "n2", "42"], ["OBJECT", "REFCOUNT", "n2"],
    ["CONFIG", "SET", "maxmemory", "0"], ["CONFIG", "SET", "maxmemory-policy", "noeviction"],
    ["MEMORY", "USAGE", "nokey", "SAMPLES", "-1"], ["MEMORY", "USAGE", "nokey", "SAMPLES", "x"],
    ["MEMORY", "USAGE", "nokey", "SAMPLES", "1", "SAMPLES"], [b"MEMORY", b"USAGE", b"nokey", b"samples\x00", b"2"],
    ["MEMORY", "USAGE", "nokey", "SAMPLES", "9223372036854775808"],
]


def encode(*commands: list) -> bytes:
    """Several commands as one RESP byte string (a pipeline sent in one write)."""
    out = b""
    for cmd in commands:
        out += b"*%d\r\n" % len(cmd)
        for a in cmd:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


# Server and connection commands.  Every CONFIG SET here is undone at the end: the
# servers are shared by the whole session.
SERVER_COMMANDS = [
    ["TIME", "x"], ["LASTSAVE", "x"], ["SAVE", "x"], ["BGSAVE", "foo"], ["BGSAVE", "a", "b"],
    ["BGREWRITEAOF", "x"], ["RESET", "x"],
    ["SHUTDOWN", "FOO"], ["SHUTDOWN", "ABORT"], ["SHUTDOWN", "NOSAVE", "SAVE"], ["SHUTDOWN", "ABORT", "NOW"],
    ["SHUTDOWN", "abort", "force"],
    ["CLIENT", "KILL"], ["CLIENT", "KILL", "1.2.3.4:5"], ["CLIENT", "KILL", "ID", "999999"],
    ["CLIENT", "KILL", "ID", "abc"], ["CLIENT", "KILL", "ID", "0"], ["CLIENT", "KILL", "ID", "-3"],
    ["CLIENT", "KILL", "FOO", "x"], ["CLIENT", "KILL", "ADDR"], ["CLIENT", "KILL", "SKIPME", "maybe", "ID", "1"],
    ["CLIENT", "KILL", "TYPE", "foo"], ["CLIENT", "KILL", "USER", "nobody"], ["CLIENT", "KILL", "LADDR", "1.1.1.1:1"],
    ["CLIENT", "KILL", "ID", "999999", "TYPE"], ["CLIENT", "KILL", "TYPE", "master"], ["CLIENT", "KILL", "TYPE", "pubsub"],
    ["CLIENT", "KILL", "ADDR", "1.2.3.4:5", "SKIPME", "no"], ["CLIENT", "KILL", "addr", "1.2.3.4:5", "skipme", "YES"],
    ["CLIENT", "NO-EVICT", "on"], ["CLIENT", "NO-EVICT", "OFF"], ["CLIENT", "NO-EVICT", "x"], ["CLIENT", "NO-EVICT"],
    ["CLIENT", "REPLY", "foo"], ["CLIENT", "REPLY"], ["CLIENT", "REPLY", "ON"], ["CLIENT", "GETREDIR"],
    ["CLIENT", "GETREDIR", "x"], ["CLIENT", "TRACKING", "off"], ["CLIENT", "TRACKING", "maybe"],
    ["CLIENT", "LIST", "TYPE", "foo"], ["CLIENT", "LIST", "ID", "abc"], ["CLIENT", "LIST", "ID", "0"], ["CLIENT", "LIST", "ID"],
    ["CLIENT", "LIST", "x", "y", "z"], ["CLIENT", "LIST", "TYPE", "normal", "ID", "1"], ["CLIENT", "LIST", "TYPE", "master"],
    ["CLIENT", "LIST", "TYPE", "replica"], ["CLIENT", "LIST", "ID", "999999", "999998"], ["CLIENT", "INFO", "x"],
    ["CONFIG", "RESETSTAT", "x"], ["CONFIG", "REWRITE", "x"],
    ["CONFIG", "SET", "foo", "bar"], ["CONFIG", "SET", "maxmemory", "abc", "foo", "1"],
    ["CONFIG", "SET", "maxmemory", "10mb", "maxmemory", "1"], ["CONFIG", "SET", "maxmemory", "abc"],
    ["CONFIG", "SET", "maxmemory"], ["CONFIG", "SET", "maxclients", "0"], ["CONFIG", "SET", "maxclients", "x"],
    ["CONFIG", "SET", "loglevel", "bogus"],
    ["CONFIG", "SET", "appendonly", "bogus"], ["CONFIG", "SET", "notify-keyspace-events", "Q"],
    ["CONFIG", "SET", "save", "1 2 3"], ["CONFIG", "SET", "hz", "1000"], ["CONFIG", "GET", "hz"],
    ["CONFIG", "SET", "hz", "10"],
    ["CONFIG", "SET", "slowlog-log-slower-than", "abc"], ["CONFIG", "SET", "hash-max-listpack-entries", "-1"],
    ["CONFIG", "SET", "timeout", "-1"], ["CONFIG", "SET", "timeout", "1.5"], ["CONFIG", "SET", "maxmemory-samples", "0"], ["CONFIG", "SET", "lazyfree-lazy-eviction", "maybe"],
    ["CONFIG", "SET", "appendfsync", "sometimes"], ["CONFIG", "SET", "save", "abc"], ["CONFIG", "SET", "save", "1"],
    ["CONFIG", "SET", "maxmemory-samples", "7", "timeout", "-1"], ["CONFIG", "GET", "maxmemory-samples"],
    ["CONFIG", "SET", "maxmemory-samples", "7", "hash-max-listpack-entries", "256", "lazyfree-lazy-eviction", "yes"],
    ["CONFIG", "GET", "maxmemory-samples"], ["CONFIG", "GET", "hash-max-listpack-entries"],
    ["CONFIG", "GET", "lazyfree-lazy-eviction"], ["CONFIG", "SET", "save", "900 1 300 10"], ["CONFIG", "GET", "save"],
    ["CONFIG", "SET", "slowlog-max-len", "64", "slowlog-log-slower-than", "20000"], ["CONFIG", "GET", "slowlog-*"],
    ["CONFIG", "SET", "timeout", "0", "tcp-keepalive", "300"], ["CONFIG", "GET", "tcp-keepalive"],
    ["CONFIG", "SET", "maxmemory-samples", "5", "hash-max-listpack-entries", "512", "lazyfree-lazy-eviction", "no",
     "save", "", "slowlog-max-len", "128", "slowlog-log-slower-than", "10000"],
    ["CONFIG", "GET", "maxmemory-samples"], ["CONFIG", "GET", "save"], ["CONFIG", "GET", "lazyfree-lazy-*"],
    ["CONFIG", "GET", "hash-max-*"], ["CONFIG", "GET", "zset-max-*"], ["CONFIG", "GET", "slowlog-max-len"],
    ["COMMAND", "GETKEYS", "get", "a"], ["COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"], ["COMMAND", "GETKEYS", "ping"],
    ["COMMAND", "GETKEYS", "nosuch", "a"], ["COMMAND", "GETKEYS", "get"], ["COMMAND", "GETKEYS", "set", "a"],
    ["COMMAND", "GETKEYS", "client", "list"], ["COMMAND", "GETKEYS", "del", "a", "b", "c"], ["COMMAND", "GETKEYS", "GET", "k"],
    ["COMMAND", "GETKEYS", "config", "get", "x"], ["COMMAND", "GETKEYS", "client", "nosuch"],
    ["COMMAND", "GETKEYSANDFLAGS", "set", "a", "b"], ["COMMAND", "GETKEYSANDFLAGS", "set", "a", "b", "GET"],
    ["COMMAND", "GETKEYSANDFLAGS", "mset", "a", "1"], ["COMMAND", "GETKEYSANDFLAGS", "del", "a", "b"],
    ["COMMAND", "GETKEYSANDFLAGS", "get", "a"], ["COMMAND", "GETKEYSANDFLAGS", "expire", "a", "1"],
    ["COMMAND", "GETKEYSANDFLAGS", "sinterstore", "d", "a", "b", "c"], ["COMMAND", "GETKEYSANDFLAGS", "rename", "a", "b"],
    ["COMMAND", "GETKEYSANDFLAGS", "smove", "a", "b", "m"],
    ["COMMAND", "GETKEYSANDFLAGS", "rename", "a", "b"], ["COMMAND", "GETKEYSANDFLAGS", "renamenx", "a", "b"],
    ["COMMAND", "GETKEYSANDFLAGS", "copy", "a", "b", "REPLACE"], ["COMMAND", "GETKEYS", "copy", "a", "b"],
    ["COMMAND", "GETKEYSANDFLAGS", "getex", "a", "PERSIST"], ["COMMAND", "GETKEYS", "object", "encoding", "a"],
    ["COMMAND", "LIST", "FILTERBY", "ACLCAT", "foo"], ["COMMAND", "LIST", "FILTERBY", "MODULE", "x"],
    ["COMMAND", "LIST", "x"], ["COMMAND", "LIST", "FILTERBY", "PATTERN", "slowlog*"],
    ["COMMAND", "INFO", "time", "reset", "lastsave", "save", "bgsave", "bgrewriteaof", "shutdown", "debug",
     "slowlog", "slowlog|get", "client|kill", "client|reply", "config|resetstat", "command|getkeys"],
    ["COMMAND", "DOCS", "time", "reset", "slowlog", "client|kill", "client|list", "config|set", "command|getkeys"],
    ["SLOWLOG"], ["SLOWLOG", "GET", "abc"], ["SLOWLOG", "GET", "-2"], ["SLOWLOG", "GET", "1", "2"],
    ["SLOWLOG", "RESET", "x"], ["SLOWLOG", "LEN", "x"], ["SLOWLOG", "HELP"], ["SLOWLOG", "FOO"],
    ["CONFIG", "HELP"], ["COMMAND", "HELP"],
    # RESET: back to RESP2, no name, replies on
    ["CLIENT", "SETNAME", "before-reset"], ["RESET"], ["CLIENT", "GETNAME"], ["GET", "nope"], ["HELLO", "3"],
    ["GET", "nope"], ["RESET"], ["GET", "nope"], ["MGET", "nope"],
    # CLIENT REPLY: OFF drops every reply (fast-path commands too) until ON; SKIP drops the next one
    Raw(encode(["CLIENT", "REPLY", "OFF"], ["PING"], ["SET", "r", "1"], ["GET", "r"], ["NOSUCH"],
               ["CLIENT", "REPLY", "ON"])),
    ["GET", "r"],
    Raw(encode(["CLIENT", "REPLY", "SKIP"], ["INCR", "r"], ["GET", "r"]), 1),
    Raw(encode(["CLIENT", "REPLY", "SKIP"], ["CLIENT", "REPLY", "SKIP"], ["ECHO", "a"], ["ECHO", "b"]), 1),
    Raw(encode(["CLIENT", "REPLY", "OFF"], ["CLIENT", "REPLY", "SKIP"], ["PING"], ["CLIENT", "REPLY", "ON"],
               ["ECHO", "c"]), 2),
    Raw(b"CLIENT REPLY OFF\r\nPING\r\nCLIENT REPLY ON\r\n"),
]


# One connection only: WATCH broken by other clients is in tests/behaviour/test_transactions.py.
TRANSACTIONS = [
    ["MULTI"], ["SET", "a", "1"], ["INCR", "a"], ["GET", "a"], ["MGET", "a", "nope"], ["EXEC"], ["GET", "a"],
    ["MULTI"], ["EXEC"], ["EXEC"], ["DISCARD"], ["UNWATCH"], ["MULTI", "x"], ["EXEC", "x"], ["DISCARD", "x"],
    ["WATCH"], ["UNWATCH", "x"],
    # errors while queueing doom the EXEC; errors while running are elements of its array
    ["MULTI"], ["SET", "a", "2"], ["NOSUCH", "x"], ["GET"], ["SET", "a", "3"], ["EXEC"], ["GET", "a"],
    ["MULTI"], ["CLIENT", "FOO"], ["EXEC"],
    ["MULTI"], ["SET", "s", "x"], ["INCR", "s"], ["SET", "s", "1", "EX", "0"], ["SET", "s", "v", "FOO"],
    ["EXPIRE", "s", "abc"], ["GET", "s"], ["DECRBY", "s", I64_MIN], ["EXEC"],
    ["MULTI"], ["MULTI"], ["WATCH", "a"], ["SET", "a", "4"], ["EXEC"], ["GET", "a"],
    ["MULTI"], ["EXEC", "x"], ["PING"], ["EXEC"],
    ["MULTI"], ["DISCARD", "x"], ["PING"], ["DISCARD"], ["DISCARD"],
    ["MULTI"], ["SET", "a", "5"], ["DISCARD"], ["GET", "a"],
    ["MULTI"], ["UNWATCH"], ["WATCH", "a"], ["PING", "x"], ["ECHO", "e"], ["DBSIZE"], ["SELECT", "0"], ["EXEC"],
    ["MULTI"], ["DEL", "a", "s"], ["EXISTS", "a"], ["FLUSHALL"], ["DBSIZE"], ["EXEC"],
    ["multi"], ["set", "lower", "1"], ["exec"],
    ["MULTI"], ["SET", "big", "x" * 70_000], ["GET", "big"], ["EXEC"],
    # WATCH from this connection: its own writes before MULTI count, as any write does
    ["SET", "w", "1"], ["WATCH", "w"], ["SET", "w", "1"], ["MULTI"], ["GET", "w"], ["EXEC"],
    ["MULTI"], ["GET", "w"], ["EXEC"],
    ["WATCH", "w", "w2"], ["WATCH", "w"], ["GET", "w"], ["EXISTS", "w2"], ["MULTI"], ["INCR", "w"], ["EXEC"],
    ["WATCH", "w2"], ["SET", "w2", "x", "NX"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "w"], ["SET", "w", "9", "NX"], ["SET", "nope", "1", "XX"], ["DEL", "nope"], ["EXPIRE", "nope", "10"],
    ["PERSIST", "w"], ["EXPIRE", "w", "100", "XX"], ["INCR", "s"], ["MULTI"], ["GET", "w"], ["EXEC"],
    ["WATCH", "w"], ["EXPIRE", "w", "100"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "w"], ["PERSIST", "w"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "w"], ["DECR", "w"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "w"], ["MSET", "x", "1", "w", "2"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "w"], ["DEL", "w"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "w"], ["SET", "w", "1", "PXAT", "1"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "w"], ["SET", "other", "1"], ["UNWATCH"], ["SET", "w", "2"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "w"], ["MULTI"], ["DISCARD"], ["SET", "w", "3"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "w"], ["MULTI"], ["NOSUCH"], ["EXEC"], ["SET", "w", "4"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "w"], ["EXEC", "x"], ["SET", "w", "5"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "w"], ["SET", "w", "6"], ["MULTI"], ["SET", "w", "7"], ["EXEC"], ["GET", "w"],
    ["WATCH", "w"], ["MULTI"], ["SET", "w", "8"], ["EXEC"], ["GET", "w"], ["MULTI"], ["PING"], ["EXEC"],
    # FLUSHALL fails the EXEC only for keys that existed
    ["SET", "f", "1"], ["WATCH", "f", "absent"], ["FLUSHALL"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "absent"], ["FLUSHDB"], ["MULTI"], ["PING"], ["EXEC"],
    # pipelined: the commands after MULTI in the same read must be queued, not run by the fast path
    Raw(b"MULTI\r\nSET p 1\r\nINCR p\r\nGET p\r\nEXEC\r\nGET p\r\n", 6),
    Raw(b"*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nGET\r\n$1\r\np\r\n*1\r\n$7\r\nDISCARD\r\n"
        b"*2\r\n$4\r\nINCR\r\n$1\r\np\r\n", 4),
    Raw(b"WATCH p\r\nINCR p\r\nMULTI\r\nINCR p\r\nEXEC\r\nGET p\r\n", 6),
    Raw(b"MULTI\r\nSET p\r\nSET p 1\r\nEXEC\r\nPING\r\n", 5),
    # the clock stands still for a whole EXEC: a key set with PX 1 is still there 2000 commands later
    Raw(b"MULTI\r\nSET t v PX 1\r\n" + b"INCR n\r\n" * 2000 + b"GET t\r\nEXISTS t\r\nEXEC\r\n", 2005),
    ["COMMAND", "INFO", "multi", "exec", "discard", "watch", "unwatch"],
    ["COMMAND", "DOCS", "multi", "exec", "discard", "watch", "unwatch"],
    ["MULTI"], ["SAVE"], ["PING"], ["EXEC"], ["MULTI"], ["SHUTDOWN", "NOSAVE"], ["NOSUCH"], ["EXEC"],
    ["WATCH", "w"], ["MULTI"], ["SET", "w", "1"], ["RESET"], ["EXEC"], ["SET", "w", "2"], ["MULTI"], ["PING"], ["EXEC"],
    ["MULTI"], ["QUIT"],
]

# WATCH and expiry (Redis 7.0): a key live at WATCH that has expired by EXEC fails it, whether or not it
# was reclaimed meanwhile; a key already expired at WATCH time fails it only if written.  The outcomes
# do not depend on when active expiry runs, on either server.  The first four keys live 500 ms: WATCH
# must reach them alive even on a loaded machine (with 100 ms it sometimes did not, on either side).
WATCH_EXPIRY = [
    ["SET", "k", "v", "PX", "500"], ["WATCH", "k"], Sleep(0.8), ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "500"], ["WATCH", "k"], Sleep(0.8), ["GET", "k"], ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "500"], ["WATCH", "k"], Sleep(0.8), ["MULTI"], ["GET", "k"], ["EXEC"],
    ["SET", "k", "v", "PX", "500"], ["WATCH", "k"], Sleep(0.8), ["FLUSHALL"], ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "100000"], ["WATCH", "k"], ["MULTI"], ["TTL", "k"], ["EXEC"],
    ["SET", "k", "v", "PX", "50"], Sleep(0.2), ["WATCH", "k"], ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "50"], Sleep(0.2), ["WATCH", "k"], ["GET", "k"], ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "50"], Sleep(0.2), ["WATCH", "k"], ["DEL", "k"], ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "50"], Sleep(0.2), ["WATCH", "k"], ["FLUSHALL"], ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "50"], Sleep(0.2), ["WATCH", "k"], ["SET", "k", "1"], ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "50"], Sleep(0.2), ["WATCH", "k"], ["GET", "k"], ["INCR", "k"], ["MULTI"], ["PING"],
    ["EXEC"],
]

# Hashes.  Replies whose order is Redis's hash table's (HGETALL, HKEYS...) are compared as
# sorted multisets, random ones (HRANDFIELD) by kind and size (test_differential.normalise).
HASHES = [
    ["HSET", "h", "a", "1"], ["HSET", "h", "a", "2", "b", "3"], ["HSET", "h", "x"], ["HSET", "h"],
    ["HMSET", "h", "c", "4"], ["HMSET", "h", "c"], ["HSETNX", "h", "a", "9"], ["HSETNX", "h", "d", "5"],
    ["HGET", "h", "a"], ["HGET", "h", "nope"], ["HGET", "nokey", "a"], ["HMGET", "h", "a", "nope", "b"],
    ["HMGET", "nokey", "a", "b"], ["HGETALL", "h"], ["HGETALL", "nokey"], ["HKEYS", "h"], ["HVALS", "h"],
    ["HKEYS", "nokey"], ["HVALS", "nokey"], ["HLEN", "h"], ["HLEN", "nokey"], ["HEXISTS", "h", "a"],
    ["HEXISTS", "h", "zz"], ["HEXISTS", "nokey", "a"], ["HSTRLEN", "h", "a"], ["HSTRLEN", "h", "zz"],
    ["HSTRLEN", "nokey", "a"], ["HDEL", "h", "a", "a", "zz"], ["HDEL", "nokey", "a"], ["HDEL", "h"],
    ["HINCRBY", "h", "n", "5"], ["HINCRBY", "h", "n", "-7"], ["HINCRBY", "h", "n", "x"], ["HINCRBY", "h", "n", "1.5"],
    ["HINCRBY", "h", "n", I64_MAX], ["HSET", "h", "big", I64_MAX], ["HINCRBY", "h", "big", "1"],
    ["HSET", "h", "small", I64_MIN], ["HINCRBY", "h", "small", "-1"], ["HSET", "h", "s", "abc"],
    ["HINCRBY", "h", "s", "1"], ["HINCRBY", "h", "s", ""], ["HINCRBY", "newh", "f", "3"], ["HGETALL", "newh"],
    ["HINCRBYFLOAT", "h", "fl", "1.5"], ["HINCRBYFLOAT", "h", "fl", "0.1"], ["HINCRBYFLOAT", "h", "fl", "-1.6"],
    ["HINCRBYFLOAT", "h", "fl", "1e3"], ["HINCRBYFLOAT", "h", "fl", "abc"], ["HINCRBYFLOAT", "h", "fl", "inf"],
    ["HINCRBYFLOAT", "h", "fl", "nan"], ["HINCRBYFLOAT", "h", "s", "1"], ["HINCRBYFLOAT", "h", "n", "2.5"],
    ["HINCRBYFLOAT", "h", "fl", "1.7976931348623157e308"], ["HINCRBYFLOAT", "h", "e", "5.0e3"],
    ["HINCRBYFLOAT", "h", "e", "-5000"], ["HGET", "h", "e"], ["HINCRBYFLOAT", "nope", "f", " 1"],
    ["HGETALL", "h"],
    # the key goes when its last field does
    ["HSET", "one", "f", "v"], ["HDEL", "one", "f"], ["EXISTS", "one"], ["TYPE", "one"],
    # WRONGTYPE both ways
    ["SET", "str", "v"], ["HSET", "str", "a", "1"], ["HGET", "str", "a"], ["HGETALL", "str"], ["HLEN", "str"],
    ["HDEL", "str", "a"], ["HINCRBY", "str", "a", "1"], ["HINCRBYFLOAT", "str", "a", "1"], ["HMGET", "str", "a"],
    ["HRANDFIELD", "str"], ["HSCAN", "str", "0"], ["HSETNX", "str", "a", "b"], ["HEXISTS", "str", "a"],
    ["GET", "h"], ["MGET", "h", "str"], ["INCR", "h"], ["APPEND", "h", "x"], ["STRLEN", "h"], ["GETRANGE", "h", "0", "1"],
    ["SETRANGE", "h", "0", "x"], ["INCRBYFLOAT", "h", "1"], ["GETDEL", "h"], ["GETEX", "h"], ["GETSET", "h", "v"],
    ["LCS", "h", "str"], ["TYPE", "h"], ["OBJECT", "ENCODING", "h"], ["EXISTS", "h"], ["MEMORY", "USAGE", "h"],
    # generic key commands on a hash
    ["RENAME", "h", "h2"], ["HGETALL", "h2"], ["EXISTS", "h"], ["COPY", "h2", "h3"], ["HSET", "h3", "new", "1"],
    ["HLEN", "h2"], ["HLEN", "h3"], ["COPY", "h2", "h3"], ["COPY", "h2", "h3", "REPLACE"], ["HLEN", "h3"],
    ["RENAMENX", "h2", "h3"], ["EXPIRE", "h3", "100"], ["TTL", "h3"], ["HSET", "h3", "z", "1"], ["TTL", "h3"],
    ["PERSIST", "h3"], ["SET", "h3", "str"], ["TYPE", "h3"], ["DEL", "h2", "h3"], ["EXISTS", "h2"],
    ["HSET", "h", "a", "1"], ScanAll(("TYPE", "hash")), ScanAll(("TYPE", "string")), ScanAll(("TYPE", "HASH")),
    ["HSET", "u", "a", "1"], ["UNLINK", "u"], ["EXISTS", "u"],
    # encodings (Redis 7.0's listpack thresholds)
    ["HSET", "enc", "f", "v"], ["OBJECT", "ENCODING", "enc"], ["HSET", "enc", "long", "x" * 65],
    ["OBJECT", "ENCODING", "enc"], ["HDEL", "enc", "long"], ["OBJECT", "ENCODING", "enc"],
    ["HSET", "enc2", "x" * 65, "v"], ["OBJECT", "ENCODING", "enc2"],
    # HRANDFIELD
    ["HRANDFIELD", "nokey"], ["HRANDFIELD", "nokey", "3"], ["HRANDFIELD", "nokey", "-3", "WITHVALUES"],
    ["HSET", "r", "a", "1", "b", "2", "c", "3"], ["HRANDFIELD", "r", "0"], ["HRANDFIELD", "r", "1"],
    ["HRANDFIELD", "r", "2"], ["HRANDFIELD", "r", "5"], ["HRANDFIELD", "r", "-5"], ["HRANDFIELD", "r", "2", "WITHVALUES"],
    ["HRANDFIELD", "r", "-4", "WITHVALUES"], ["HRANDFIELD", "r", "9", "WITHVALUES"], ["HRANDFIELD", "r", "1", "WITHVALUES"],
    ["HRANDFIELD", "r", "x"], ["HRANDFIELD", "r", "1", "FOO"], ["HRANDFIELD", "r", "1", "WITHVALUES", "x"],
    ["HRANDFIELD", "r", I64_MIN], ["HRANDFIELD", "r", I64_MAX, "WITHVALUES"],
    # HSCAN (small hashes come back whole, cursor 0)
    ["HSCAN", "r", "0"], ["HSCAN", "r", "0", "MATCH", "a*"], ["HSCAN", "r", "0", "COUNT", "1"],
    ["HSCAN", "r", "0", "COUNT", "0"], ["HSCAN", "r", "0", "COUNT", "x"], ["HSCAN", "r", "x"], ["HSCAN", "r", "-1"],
    ["HSCAN", "r", "0", "TYPE", "hash"], ["HSCAN", "r", "0", "MATCH"], ["HSCAN", "nokey", "0"],
    ["HSCAN", "nokey", "0", "BAD"], ["HSCAN", "r", " 1"], ["HSCAN", "r", "18446744073709551616"],
    # arity
    ["HGET", "h"], ["HSETNX", "h", "a"], ["HLEN"], ["HKEYS", "h", "x"], ["HINCRBY", "h", "a"], ["HSCAN", "h"],
    ["hset", "lower", "f", "v"], ["HGETALL", "lower"],
    ["MULTI"], ["HSET", "m", "a", "1"], ["HINCRBY", "m", "a", "2"], ["HGET", "m", "a"], ["HGET", "str", "a"],
    ["HGETALL", "m"], ["EXEC"],
    ["COMMAND", "INFO", "hset", "hgetall", "hscan", "hrandfield"],
]

# Sets.  SMEMBERS, SINTER... are compared as sorted multisets (Redis's order is its hash
# table's); SPOP/SRANDMEMBER by kind and size.
SETS = [
    ["SADD", "s", "a", "b", "c", "a"], ["SADD", "s", "d"], ["SADD", "s"], ["SCARD", "s"], ["SCARD", "nokey"],
    ["SMEMBERS", "s"], ["SMEMBERS", "nokey"], ["SISMEMBER", "s", "a"], ["SISMEMBER", "s", "z"],
    ["SISMEMBER", "nokey", "a"], ["SMISMEMBER", "s", "a", "z", "b"], ["SMISMEMBER", "nokey", "a"],
    ["SREM", "s", "a", "z", "a"], ["SREM", "nokey", "a"], ["SMEMBERS", "s"],
    ["SADD", "t", "c", "d", "e"], ["SINTER", "s", "t"], ["SINTER", "s", "nokey"], ["SINTER", "nokey", "s"],
    ["SUNION", "s", "t", "nokey"], ["SDIFF", "s", "t"], ["SDIFF", "t", "s"], ["SDIFF", "nokey", "s"], ["SDIFF", "s"],
    ["SINTERSTORE", "dst", "s", "t"], ["SMEMBERS", "dst"], ["SUNIONSTORE", "dst", "s", "t"], ["SCARD", "dst"],
    ["SDIFFSTORE", "dst", "s", "t"], ["SMEMBERS", "dst"], ["SINTERSTORE", "dst", "s", "nokey"], ["EXISTS", "dst"],
    ["SET", "dst", "x"], ["EXPIRE", "dst", "100"], ["SUNIONSTORE", "dst", "s"], ["TTL", "dst"], ["TYPE", "dst"],
    ["SUNIONSTORE", "s", "s", "t"], ["SCARD", "s"], ["SDIFFSTORE", "e", "s", "s"], ["EXISTS", "e"],
    ["SINTERCARD", "2", "s", "t"], ["SINTERCARD", "1", "s"], ["SINTERCARD", "2", "s", "t", "LIMIT", "1"],
    ["SINTERCARD", "2", "s", "t", "LIMIT", "0"], ["SINTERCARD", "2", "s", "nokey"], ["SINTERCARD", "0", "s"],
    ["SINTERCARD", "x", "s"], ["SINTERCARD", "3", "s", "t"], ["SINTERCARD", "2", "s", "t", "LIMIT", "-1"],
    ["SINTERCARD", "2", "s", "t", "LIMIT"], ["SINTERCARD", "2", "s", "t", "FOO", "1"], ["SINTERCARD", "-1", "s"],
    ["SINTERCARD", "1", "s", "LIMIT", "x"],
    ["SMOVE", "s", "t", "c"], ["SMOVE", "s", "t", "zz"], ["SMOVE", "nokey", "t", "a"], ["SMOVE", "s", "new", "d"],
    ["SMEMBERS", "new"], ["SMOVE", "t", "t", "c"], ["SMOVE", "t", "t", "zz"], ["SMOVE", "new", "t", "d"],
    ["EXISTS", "new"], ["SMEMBERS", "t"],
    # SPOP / SRANDMEMBER
    ["SPOP", "nokey"], ["SPOP", "nokey", "2"], ["SPOP", "nokey", "0"], ["SPOP", "t", "-1"], ["SPOP", "t", "x"],
    ["SPOP", "t", "1", "2"], ["SRANDMEMBER", "nokey"], ["SRANDMEMBER", "nokey", "3"], ["SRANDMEMBER", "t", "x"],
    ["SRANDMEMBER", "t", "1", "2"], ["SRANDMEMBER", "t", "0"], ["SRANDMEMBER", "t", "2"], ["SRANDMEMBER", "t", "-7"],
    ["SRANDMEMBER", "t", "50"], ["SRANDMEMBER", "t", "1"], ["SRANDMEMBER", "t", I64_MIN],
    ["SADD", "p", "1", "2", "3", "4", "5"], ["SPOP", "p", "0"], ["SPOP", "p", "2"], ["SCARD", "p"], ["SPOP", "p"],
    ["SCARD", "p"], ["SPOP", "p", "10"], ["EXISTS", "p"], ["SADD", "p", "x"], ["SPOP", "p"], ["EXISTS", "p"],
    # encodings: intset for small integer sets, hashtable otherwise
    ["SADD", "i", "1", "2", "-3"], ["OBJECT", "ENCODING", "i"], ["SMEMBERS", "i"], ["SADD", "i", "x"],
    ["OBJECT", "ENCODING", "i"], ["SREM", "i", "x"], ["OBJECT", "ENCODING", "i"], ["SADD", "j", "01"],
    ["OBJECT", "ENCODING", "j"], ["SADD", "k", I64_MAX, I64_MIN], ["OBJECT", "ENCODING", "k"],
    ["SSCAN", "i", "0"], ["SSCAN", "i", "0", "MATCH", "-*"], ["SSCAN", "nokey", "0"], ["SSCAN", "i", "x"],
    ["SSCAN", "i", "0", "COUNT", "0"], ["SSCAN", "i", "0", "TYPE", "set"],
    # WRONGTYPE
    ["SET", "str", "v"], ["SADD", "str", "a"], ["SREM", "str", "a"], ["SMEMBERS", "str"], ["SCARD", "str"],
    ["SISMEMBER", "str", "a"], ["SMISMEMBER", "str", "a"], ["SPOP", "str"], ["SPOP", "str", "2"],
    ["SRANDMEMBER", "str"], ["SRANDMEMBER", "str", "2"], ["SINTER", "t", "str"], ["SINTER", "nokey", "str"],
    ["SUNION", "t", "str"], ["SDIFF", "t", "str"], ["SINTERSTORE", "d2", "t", "str"], ["SINTERCARD", "2", "t", "str"],
    ["SMOVE", "str", "t", "a"], ["SMOVE", "t", "str", "c"], ["SMOVE", "nokey", "str", "a"], ["SSCAN", "str", "0"],
    ["HSET", "hh", "a", "1"], ["SADD", "hh", "x"], ["HGET", "t", "a"], ["GET", "t"], ["MGET", "t", "str"],
    ["SUNIONSTORE", "str", "t"], ["TYPE", "str"], ["SUNIONSTORE", "hh", "t"], ["TYPE", "hh"],
    # generic key commands on a set
    ["RENAME", "t", "t2"], ["SMEMBERS", "t2"], ["COPY", "t2", "t3"], ["SADD", "t3", "extra"], ["SCARD", "t2"],
    ["SCARD", "t3"], ["TYPE", "t3"], ScanAll(("TYPE", "set")), ["DEL", "t2", "t3"], ["DBSIZE"],
    ["SADD", "exp", "a"], ["PEXPIRE", "exp", "50"], Sleep(0.15), ["SCARD", "exp"], ["EXISTS", "exp"],
    # arity
    ["SADD", "s"], ["SCARD"], ["SMOVE", "a", "b"], ["SINTER"], ["SINTERSTORE", "d"], ["SSCAN", "s"],
    ["SADD", "one", "x"], ["MULTI"], ["SADD", "m", "a", "b"], ["SCARD", "m"], ["SISMEMBER", "m", "a"], ["SMEMBERS", "one"], ["SCARD", "str"],
    ["EXEC"],
    ["COMMAND", "INFO", "sadd", "sintercard", "smove", "sunionstore"],
    ["COMMAND", "GETKEYS", "sintercard", "2", "a", "b", "LIMIT", "1"], ["COMMAND", "GETKEYS", "sintercard", "5", "a"],
    ["COMMAND", "GETKEYS", "sintercard", "x", "a"], ["COMMAND", "GETKEYS", "sintercard", "0", "a"],
    ["COMMAND", "GETKEYS", "sintercard", "1"], ["COMMAND", "GETKEYSANDFLAGS", "sintercard", "2", "a", "b"],
    ["COMMAND", "GETKEYS", "sadd", "s", "a"], ["COMMAND", "GETKEYS", "sunion", "a", "b", "c"],
    ["COMMAND", "GETKEYS", "hset", "h", "f", "v"],
    ["COMMAND", "GETKEYSANDFLAGS", "sinterstore", "d", "a", "b"], ["COMMAND", "GETKEYSANDFLAGS", "smove", "a", "b", "m"],
    ["COMMAND", "GETKEYSANDFLAGS", "sdiffstore", "d", "a"], ["COMMAND", "GETKEYSANDFLAGS", "hset", "h", "f", "v"],
    ["COMMAND", "INFO", "sinterstore", "smove", "sintercard", "hgetall"],
]

# Sorted sets.  Every reply is in the sorted set's order, so everything but ZRANDMEMBER's random
# picks is compared byte for byte (scores: RESP2 "%.17g" bulks, RESP3 doubles, inf spelled out).
ZSETS = [
    ["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["ZADD", "z", "1.5", "a"], ["ZADD", "z", "CH", "1.5", "a", "9", "b", "4", "d"],
    ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["ZADD", "z", "NX", "100", "a", "5", "e"], ["ZADD", "z", "XX", "100", "a", "5", "f"],
    ["ZADD", "z", "XX", "CH", "100", "a"], ["ZADD", "z", "GT", "CH", "1", "a", "200", "b"], ["ZADD", "z", "LT", "CH", "300", "a", "0", "b"],
    ["ZADD", "z", "GT", "LT", "1", "a"], ["ZADD", "z", "NX", "XX", "1", "a"], ["ZADD", "z", "NX", "GT", "1", "a"],
    ["ZADD", "z", "INCR", "1", "a", "2", "b"], ["ZADD", "z", "INCR", "2.5", "a"], ["ZADD", "z", "INCR", "NX", "1", "a"],
    ["ZADD", "z", "INCR", "XX", "1", "nope"], ["ZADD", "z", "INCR", "GT", "-1", "a"], ["ZADD", "z", "INCR", "LT", "-1", "a"],
    ["ZADD", "z", "1"], ["ZADD", "z", "1", "a", "2"], ["ZADD", "z", "x", "a"], ["ZADD", "z", "nan", "a"], ["ZADD", "z", "", "a"],
    ["ZADD", "z", " 1", "a"], ["ZADD", "z", "1 ", "a"], ["ZADD", "z", "0x10", "hex"], ["ZADD", "z", "1e400", "a"],
    ["ZADD", "z", "FOO", "1", "a"], ["ZADD", "z", "NX"], ["ZADD", "z", "xx", "ch", "7", "c"],
    ["ZADD", "inf", "inf", "p", "-inf", "n", "+inf", "p2", "-0", "zero", "1e-320", "tiny", "0.1", "tenth"],
    ["ZRANGE", "inf", "0", "-1", "WITHSCORES"], ["ZSCORE", "inf", "p"], ["ZSCORE", "inf", "n"], ["ZSCORE", "inf", "zero"],
    ["ZSCORE", "inf", "tenth"], ["ZSCORE", "inf", "tiny"], ["ZINCRBY", "inf", "-inf", "p"], ["ZINCRBY", "inf", "inf", "p"],
    ["ZADD", "inf", "INCR", "-inf", "p"], ["ZINCRBY", "inf", "1", "p"], ["ZINCRBY", "inf", "0.2", "tenth"],
    ["ZINCRBY", "inf", "x", "tenth"], ["ZINCRBY", "inf", "1", "newm"], ["ZINCRBY", "newz", "3", "m"],
    ["ZADD", "big", "123456789012345678", "a", "1.7976931348623157e308", "b", "2.5e-5", "c", "-1e21", "d", "3.14159265358979", "e"],
    ["ZRANGE", "big", "0", "-1", "WITHSCORES"], ["ZSCAN", "big", "0"], ["ZSCAN", "inf", "0"],
    ["ZSCORE", "z", "a"], ["ZSCORE", "z", "nope"], ["ZSCORE", "nokey", "a"], ["ZMSCORE", "z", "a", "nope", "c"],
    ["ZMSCORE", "nokey", "a", "b"], ["ZCARD", "z"], ["ZCARD", "nokey"],
    # ranks and ranges
    ["DEL", "z"], ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "5", "ee", "5", "e2", "6", "f"],
    ["ZRANK", "z", "a"], ["ZRANK", "z", "e2"], ["ZRANK", "z", "f"], ["ZRANK", "z", "nope"], ["ZRANK", "nokey", "a"],
    ["ZREVRANK", "z", "a"], ["ZREVRANK", "z", "f"], ["ZREVRANK", "z", "nope"], ["ZRANK", "z", "a", "WITHSCORE"],
    ["ZRANGE", "z", "0", "-1"], ["ZRANGE", "z", "2", "4"], ["ZRANGE", "z", "-3", "-1", "WITHSCORES"], ["ZRANGE", "z", "5", "2"],
    ["ZRANGE", "z", "100", "200"], ["ZRANGE", "z", "-100", "1"], ["ZRANGE", "z", "0", "100", "REV"],
    ["ZRANGE", "z", "0", "1", "REV", "WITHSCORES"], ["ZRANGE", "z", "x", "1"], ["ZRANGE", "z", "0", "1", "LIMIT", "0", "1"],
    ["ZRANGE", "z", "2", "5", "BYSCORE"], ["ZRANGE", "z", "(2", "5", "BYSCORE", "WITHSCORES"], ["ZRANGE", "z", "2", "(5", "BYSCORE"],
    ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "2", "3"], ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "2", "-1"],
    ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "-1", "3"], ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "100", "3"],
    ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "0"], ["ZRANGE", "z", "5", "2", "BYSCORE", "REV"],
    ["ZRANGE", "z", "(5", "(2", "BYSCORE", "REV", "WITHSCORES", "LIMIT", "1", "2"], ["ZRANGE", "z", "x", "2", "BYSCORE"],
    ["ZRANGE", "z", "1", "(x", "BYSCORE"], ["ZRANGE", "z", "((1", "2", "BYSCORE"], ["ZRANGE", "z", "", "", "BYSCORE"],
    ["ZRANGE", "z", "nan", "2", "BYSCORE"], ["ZRANGE", "z", "3", "1", "BYSCORE"], ["ZRANGE", "z", "(3", "3", "BYSCORE"],
    ["ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"], ["ZRANGE", "z", "0", "1", "REV", "REV"], ["ZRANGE", "z", "0", "1", "FOO"],
    ["ZRANGE", "z", "0", "1", "LIMIT", "0"], ["ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "x", "1"],
    ["ZRANGE", "z", "-", "+", "BYLEX"], ["ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"], ["ZRANGE", "nokey", "0", "-1"],
    ["ZRANGE", "nokey", "x", "1"], ["ZRANGE", "nokey", "0", "-1", "WITHSCORES"],
    ["ZREVRANGE", "z", "0", "2"], ["ZREVRANGE", "z", "0", "2", "WITHSCORES"], ["ZREVRANGE", "z", "0", "2", "REV"],
    ["ZREVRANGE", "z", "0", "2", "BYSCORE"], ["ZREVRANGE", "z", "-2", "-1"],
    ["ZRANGEBYSCORE", "z", "2", "4"], ["ZRANGEBYSCORE", "z", "-inf", "inf", "WITHSCORES", "LIMIT", "1", "2"],
    ["ZRANGEBYSCORE", "z", "(1", "(5"], ["ZRANGEBYSCORE", "z", "2", "4", "BYSCORE"], ["ZRANGEBYSCORE", "z", "2", "4", "REV"],
    ["ZRANGEBYSCORE", "z", "a", "4"], ["ZREVRANGEBYSCORE", "z", "4", "2"], ["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES"],
    ["ZREVRANGEBYSCORE", "z", "2", "4"], ["ZREVRANGEBYSCORE", "z", "(5", "1", "LIMIT", "0", "2"],
    ["ZCOUNT", "z", "2", "5"], ["ZCOUNT", "z", "(2", "(5"], ["ZCOUNT", "z", "-inf", "+inf"], ["ZCOUNT", "z", "5", "2"],
    ["ZCOUNT", "z", "x", "2"], ["ZCOUNT", "nokey", "0", "1"], ["ZCOUNT", "nokey", "x", "1"],
    # lex
    ["ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "", "0", "ab", "0", "b\x00"],
    ["ZRANGEBYLEX", "lex", "-", "+"], ["ZRANGEBYLEX", "lex", "[b", "(d"], ["ZRANGEBYLEX", "lex", "(a", "[c", "LIMIT", "1", "1"],
    ["ZRANGEBYLEX", "lex", "[", "[b"], ["ZRANGEBYLEX", "lex", "+", "-"], ["ZRANGEBYLEX", "lex", "-", "-"],
    ["ZRANGEBYLEX", "lex", "a", "c"], ["ZRANGEBYLEX", "lex", "[a", "+x"], ["ZRANGEBYLEX", "lex", "[c", "[a"],
    ["ZREVRANGEBYLEX", "lex", "+", "-"], ["ZREVRANGEBYLEX", "lex", "[d", "(a", "LIMIT", "0", "2"],
    ["ZRANGE", "lex", "[d", "[b", "BYLEX", "REV"], ["ZLEXCOUNT", "lex", "-", "+"], ["ZLEXCOUNT", "lex", "[b", "[d"],
    ["ZLEXCOUNT", "lex", "(b", "(b"], ["ZLEXCOUNT", "lex", "x", "+"], ["ZLEXCOUNT", "nokey", "-", "+"],
    # removal
    ["ZREM", "z", "a", "nope", "a"], ["ZREM", "nokey", "a"], ["ZREMRANGEBYRANK", "z", "0", "0"], ["ZRANGE", "z", "0", "-1"],
    ["ZREMRANGEBYRANK", "z", "-2", "-1"], ["ZREMRANGEBYRANK", "z", "5", "1"], ["ZREMRANGEBYRANK", "z", "x", "1"],
    ["ZREMRANGEBYSCORE", "z", "(3", "5"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["ZREMRANGEBYSCORE", "z", "x", "5"],
    ["ZREMRANGEBYSCORE", "nokey", "0", "1"], ["ZREMRANGEBYLEX", "lex", "[b", "(d"], ["ZRANGE", "lex", "0", "-1"],
    ["ZREMRANGEBYLEX", "lex", "b", "c"], ["ZREMRANGEBYLEX", "lex", "-", "+"], ["EXISTS", "lex"],
    ["ZREMRANGEBYRANK", "z", "0", "-1"], ["EXISTS", "z"], ["ZADD", "one", "1", "x"], ["ZREM", "one", "x"], ["TYPE", "one"],
    # pops
    ["ZADD", "p", "1", "a", "2", "b", "3", "c", "4", "d"], ["ZPOPMIN", "p"], ["ZPOPMAX", "p"], ["ZPOPMIN", "p", "0"],
    ["ZPOPMIN", "p", "1"], ["ZPOPMAX", "p", "5"], ["EXISTS", "p"], ["ZPOPMIN", "p"], ["ZPOPMIN", "p", "2"],
    ["ZPOPMIN", "p", "-1"], ["ZPOPMIN", "p", "x"], ["ZPOPMIN", "p", "1", "2"], ["SET", "s", "v"], ["ZPOPMIN", "s", "0"],
    ["ZPOPMIN", "s"],
    # ZRANDMEMBER (random picks compared by kind and size)
    ["ZADD", "r", "1", "a", "2", "b", "3", "c"], ["ZRANDMEMBER", "r"], ["ZRANDMEMBER", "nokey"], ["ZRANDMEMBER", "nokey", "2"],
    ["ZRANDMEMBER", "r", "0"], ["ZRANDMEMBER", "r", "2"], ["ZRANDMEMBER", "r", "-5"], ["ZRANDMEMBER", "r", "2", "WITHSCORES"],
    ["ZRANDMEMBER", "r", "-5", "WITHSCORES"], ["ZRANDMEMBER", "r", "1", "WITHSCORES"], ["ZRANDMEMBER", "r", "x"],
    ["ZRANDMEMBER", "r", "1", "FOO"], ["ZRANDMEMBER", "r", "1", "WITHSCORES", "x"], ["ZRANDMEMBER", "r", I64_MIN],
    ["ZRANDMEMBER", "r", I64_MAX, "WITHSCORES"], ["ZRANDMEMBER", "r", "-" + I64_MAX, "WITHSCORES"],
    # a whole set comes back in order
    ["ZRANDMEMBER", "r", "3"], ["ZRANDMEMBER", "r", "10", "WITHSCORES"],
    # ZSCAN
    ["ZSCAN", "r", "0"], ["ZSCAN", "r", "0", "MATCH", "b*"], ["ZSCAN", "r", "0", "COUNT", "1"], ["ZSCAN", "r", "0", "COUNT", "0"],
    ["ZSCAN", "r", "x"], ["ZSCAN", "nokey", "0"], ["ZSCAN", "r", "0", "FOO"], ["ZSCAN", "s", "0"],
    # ZUNIONSTORE / ZINTERSTORE (sets count as score 1)
    ["ZADD", "u1", "1", "a", "2", "b", "3", "c"], ["ZADD", "u2", "10", "b", "20", "c", "30", "d"], ["SADD", "set", "a", "d", "q"],
    ["ZUNIONSTORE", "dst", "2", "u1", "u2"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
    ["ZINTERSTORE", "dst", "2", "u1", "u2"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
    ["ZUNIONSTORE", "dst", "3", "u1", "u2", "set", "WEIGHTS", "2", "0.5", "100"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
    ["ZUNIONSTORE", "dst", "2", "u1", "u2", "AGGREGATE", "MIN"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
    ["ZINTERSTORE", "dst", "2", "u1", "u2", "AGGREGATE", "max", "WEIGHTS", "1", "-1"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
    ["ZINTERSTORE", "dst", "2", "u1", "set"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
    ["ZINTERSTORE", "dst", "2", "u1", "nokey"], ["EXISTS", "dst"], ["ZUNIONSTORE", "dst", "1", "nokey"],
    ["ZUNIONSTORE", "u1", "2", "u1", "u1"], ["ZRANGE", "u1", "0", "-1", "WITHSCORES"],
    ["ZUNIONSTORE", "dst", "0", "u1"], ["ZINTERSTORE", "dst", "0", "u1"], ["ZUNIONSTORE", "dst", "-1", "u1"],
    ["ZUNIONSTORE", "dst", "x", "u1"], ["ZUNIONSTORE", "dst", "3", "u1", "u2"], ["ZUNIONSTORE", "dst", "1", "u1", "WEIGHTS"],
    ["ZUNIONSTORE", "dst", "1", "u1", "WEIGHTS", "x"], ["ZUNIONSTORE", "dst", "2", "u1", "u2", "WEIGHTS", "1"],
    ["ZUNIONSTORE", "dst", "1", "u1", "AGGREGATE", "avg"], ["ZUNIONSTORE", "dst", "1", "u1", "AGGREGATE"],
    ["ZUNIONSTORE", "dst", "1", "u1", "WITHSCORES"], ["ZUNIONSTORE", "dst", "2", "u1", "s"],
    ["ZUNIONSTORE", "dst", "2", "u1", "s", "FOO"], ["ZADD", "ii", "inf", "a"], ["ZADD", "jj", "-inf", "a"],
    ["ZADD", "fa", "0.1", "x"], ["ZADD", "fb", "0.2", "x"], ["ZADD", "fc", "0.3", "x", "1", "y"],
    ["ZUNIONSTORE", "dst", "3", "fc", "fb", "fa"], ["ZSCORE", "dst", "x"], ["ZUNIONSTORE", "dst", "3", "fa", "fc", "fb"],
    ["ZSCORE", "dst", "x"], ["ZINTERSTORE", "dst", "3", "fc", "fb", "fa"], ["ZSCORE", "dst", "x"],
    ["ZUNIONSTORE", "dst", "2", "ii", "jj"], ["ZSCORE", "dst", "a"], ["ZINTERSTORE", "dst", "2", "ii", "jj", "WEIGHTS", "0", "1"],
    ["ZSCORE", "dst", "a"], ["SET", "sdst", "x"], ["EXPIRE", "sdst", "100"], ["ZUNIONSTORE", "sdst", "1", "u2"],
    ["TTL", "sdst"], ["TYPE", "sdst"],
    # ZUNION / ZINTER / ZDIFF (+STORE), ZINTERCARD, ZRANGESTORE
    ["ZUNION", "2", "u2", "set"], ["ZUNION", "2", "u2", "set", "WITHSCORES"], ["ZUNION", "2", "u2", "set", "WEIGHTS", "2", "3", "AGGREGATE", "MAX", "WITHSCORES"],
    ["ZINTER", "2", "u2", "set", "WITHSCORES"], ["ZINTER", "2", "u2", "nokey"], ["ZINTER", "1", "u2", "WITHSCORES", "WITHSCORES"],
    ["ZDIFF", "2", "u2", "set"], ["ZDIFF", "2", "u2", "set", "WITHSCORES"], ["ZDIFF", "1", "nokey"], ["ZDIFF", "2", "set", "u2", "WITHSCORES"],
    ["ZDIFF", "2", "u2", "set", "WEIGHTS", "1", "1"], ["ZDIFF", "2", "u2", "set", "AGGREGATE", "SUM"], ["ZDIFF", "0", "u2"],
    ["ZDIFFSTORE", "dd", "2", "u2", "set"], ["ZRANGE", "dd", "0", "-1", "WITHSCORES"], ["ZDIFFSTORE", "dd", "2", "u2", "u2"],
    ["EXISTS", "dd"], ["ZDIFFSTORE", "dd", "1", "u2", "WITHSCORES"], ["ZDIFFSTORE", "dd", "0", "u2"], ["ZUNION", "0", "u2"],
    ["ZINTER", "0", "u2"], ["ZUNION", "x", "u2"], ["ZUNION", "3", "u2"], ["ZUNION", "1", "u2", "FOO"],
    ["ZINTERCARD", "2", "u2", "set"], ["ZINTERCARD", "2", "u2", "fc"], ["ZINTERCARD", "1", "u2", "LIMIT", "1"],
    ["ZINTERCARD", "1", "u2", "LIMIT", "0"], ["ZINTERCARD", "1", "u2", "LIMIT", "-1"], ["ZINTERCARD", "1", "u2", "LIMIT", "x"],
    ["ZINTERCARD", "0", "u2"], ["ZINTERCARD", "1", "u2", "WITHSCORES"], ["ZINTERCARD", "1", "u2", "WEIGHTS", "1"],
    ["ZINTERCARD", "2", "u2"], ["ZINTERCARD", "1", "nokey"], ["ZINTERCARD", "2", "u2", "s"],
    ["ZRANGESTORE", "rs", "u2", "0", "1"], ["ZRANGE", "rs", "0", "-1", "WITHSCORES"], ["ZRANGESTORE", "rs", "u2", "(10", "+inf", "BYSCORE", "LIMIT", "0", "1"],
    ["ZRANGE", "rs", "0", "-1", "WITHSCORES"], ["ZRANGESTORE", "rs", "u2", "+", "-", "BYLEX", "REV"], ["ZCARD", "rs"],
    ["ZRANGESTORE", "rs", "u2", "0", "1", "WITHSCORES"], ["ZRANGESTORE", "rs", "u2", "5", "1"], ["EXISTS", "rs"],
    ["ZRANGESTORE", "rs", "nokey", "0", "-1"], ["ZRANGESTORE", "rs", "s", "0", "-1"], ["ZRANGESTORE", "s", "u2", "0", "-1"], ["TYPE", "s"],
    ["SET", "s", "v"], ["ZRANGESTORE", "rs", "u2", "x", "1"], ["ZRANGESTORE", "rs", "u2", "0", "1", "LIMIT", "0", "1"],
    ["ZUNION", "2", "u2", "s"], ["ZDIFF", "2", "u2", "s"],
    ["ZADD", "mp", "1", "a", "2", "b", "3", "c"], ["ZMPOP", "2", "nokey", "mp", "MIN"], ["ZMPOP", "1", "mp", "max", "COUNT", "5"],
    ["EXISTS", "mp"], ["ZMPOP", "1", "mp", "MIN"], ["ZMPOP", "2", "nokey", "s", "MIN"], ["ZMPOP", "0", "mp", "MIN"],
    ["ZMPOP", "x", "mp", "MIN"], ["ZMPOP", "1", "mp", "LEFT"], ["ZMPOP", "3", "mp", "MIN"], ["ZMPOP", "1", "mp", "MIN", "COUNT", "0"],
    ["ZMPOP", "1", "mp", "MIN", "COUNT", "x"], ["ZMPOP", "1", "mp", "MIN", "COUNT", "1", "COUNT", "1"], ["ZMPOP", "1", "mp", "MIN", "COUNT"],
    ["ZMPOP", "99999999999999", "mp", "MIN"], ["ZMPOP", "1", "mp"],
    # WRONGTYPE
    ["ZADD", "s", "1", "a"], ["ZINCRBY", "s", "1", "a"], ["ZSCORE", "s", "a"], ["ZMSCORE", "s", "a"], ["ZCARD", "s"],
    ["ZCOUNT", "s", "0", "1"], ["ZLEXCOUNT", "s", "-", "+"], ["ZRANK", "s", "a"], ["ZREVRANK", "s", "a"],
    ["ZRANGE", "s", "0", "1"], ["ZREVRANGE", "s", "0", "1"], ["ZRANGEBYSCORE", "s", "0", "1"], ["ZRANGEBYLEX", "s", "-", "+"],
    ["ZREM", "s", "a"], ["ZREMRANGEBYRANK", "s", "0", "1"], ["ZREMRANGEBYSCORE", "s", "0", "1"],
    ["ZREMRANGEBYLEX", "s", "-", "+"], ["ZRANDMEMBER", "s"], ["ZRANDMEMBER", "s", "2"], ["ZPOPMAX", "s"],
    ["ZADD", "s", "x", "a"], ["ZRANGE", "s", "x", "1"], ["ZADD", "z2", "1", "a"], ["GET", "z2"], ["SADD", "z2", "a"],
    ["HGET", "z2", "a"], ["SMEMBERS", "z2"], ["SINTER", "z2"], ["TYPE", "z2"], ["OBJECT", "ENCODING", "z2"],
    # generic key commands on a sorted set
    ["RENAME", "z2", "z3"], ["ZRANGE", "z3", "0", "-1"], ["COPY", "z3", "z4"], ["ZADD", "z4", "2", "b"], ["ZCARD", "z3"],
    ["ZCARD", "z4"], ["EXPIRE", "z4", "100"], ["ZADD", "z4", "3", "c"], ["TTL", "z4"], ScanAll(("TYPE", "zset")),
    ["DEL", "z3", "z4"], ["ZADD", "exp", "1", "a"], ["PEXPIRE", "exp", "50"], Sleep(0.15), ["ZCARD", "exp"], ["EXISTS", "exp"],
    # encodings (Redis 7.0's thresholds: 128 entries, 64 bytes)
    ["ZADD", "enc", "1", "a"], ["OBJECT", "ENCODING", "enc"], ["ZADD", "enc", "2", "x" * 65], ["OBJECT", "ENCODING", "enc"],
    ["ZREM", "enc", "x" * 65], ["OBJECT", "ENCODING", "enc"], ["ZADD", "enc2", "1", "x" * 65], ["OBJECT", "ENCODING", "enc2"],
    ["ZUNIONSTORE", "enc3", "1", "enc"], ["OBJECT", "ENCODING", "enc3"],
    # arity
    ["ZADD", "z"], ["ZADD", "z", "1"], ["ZCARD"], ["ZSCORE", "z"], ["ZRANK", "z"], ["ZRANGE", "z", "0"], ["ZCOUNT", "z", "0"],
    ["ZPOPMIN"], ["ZUNIONSTORE", "d", "1"], ["ZSCAN", "z"],
    ["MULTI"], ["ZADD", "m", "1", "a", "2", "b"], ["ZINCRBY", "m", "5", "a"], ["ZRANGE", "m", "0", "-1", "WITHSCORES"],
    ["ZSCORE", "s", "a"], ["ZPOPMIN", "m"], ["EXEC"],
    # CONFIG SET of the thresholds moves the conversion point; ZADD's size hint; STORE converts back
    ["CONFIG", "SET", "zset-max-listpack-entries", "2"], ["ZADD", "t1", "1", "a", "2", "b"], ["OBJECT", "ENCODING", "t1"],
    ["ZADD", "t1", "3", "c"], ["OBJECT", "ENCODING", "t1"], ["ZREM", "t1", "c"], ["OBJECT", "ENCODING", "t1"],
    ["ZADD", "t2", "1", "a", "2", "b", "3", "c"], ["OBJECT", "ENCODING", "t2"], ["ZPOPMIN", "t2"],
    ["ZUNIONSTORE", "t3", "1", "t2"], ["OBJECT", "ENCODING", "t3"], ["ZADD", "t4", "-0", "a"], ["ZSCORE", "t4", "a"],
    ["CONFIG", "SET", "zset-max-listpack-value", "3"], ["ZADD", "t5", "1", "abcd"], ["OBJECT", "ENCODING", "t5"],
    ["ZADD", "t6", "1", "abc"], ["OBJECT", "ENCODING", "t6"],
    ["CONFIG", "SET", "zset-max-listpack-entries", "128", "zset-max-listpack-value", "64"],
    ["ZADD", "t7", "-0", "a"], ["ZSCORE", "t7", "a"], ["ZADD", "t7", "-0", "x" * 70], ["ZSCORE", "t7", "x" * 70],
    ["ZRANGE", "t7", "0", "-1", "WITHSCORES"],
    ["ZADD", "t8", "-0", "x" * 70], ["ZUNIONSTORE", "t9", "1", "t8"], ["ZUNIONSTORE", "t9", "1", "t7"], ["ZSCORE", "t9", "a"],
    ["ZADD", "t10", "1", "x" * 70, "-0", "a"], ["ZREM", "t10", "x" * 70], ["ZSCORE", "t10", "a"],
    ["ZUNIONSTORE", "t11", "1", "t10"], ["ZSCORE", "t11", "a"], ["OBJECT", "ENCODING", "t11"],
    ["COMMAND", "INFO", "zadd", "zrange", "zunionstore", "zscan", "zpopmin", "zrangestore"],
    # score text: integral scores print as their digits (C's shortcut for "%.17g"), up to and past its 1e15
    # bound; -0 keeps its sign; 1e17 and up switch to the exponent form
    ["ZADD", "st", "-0", "negzero", "0", "zero", "7", "seven", "-42", "neg", "999999999999999", "b15",
     "1000000000000000", "e15", "-1000000000000000", "me15", "99999999999999999", "b17", "1e17", "e17",
     "123456789012345678", "big", "9007199254740993", "odd", "0.5", "half", "-2.5e-3", "small"],
    ["ZRANGE", "st", "0", "-1", "WITHSCORES"], ["ZSCORE", "st", "negzero"], ["ZSCORE", "st", "b15"],
    ["ZINCRBY", "st", "1", "seven"], ["ZPOPMIN", "st", "3"], ["ZPOPMAX", "st", "2"], ["ZSCAN", "st", "0"],
    # score parsing: plain integers up to 15 digits skip strtod; signs, zeros, 16 digits, bare signs
    ["ZADD", "sp", "+5", "plus", "007", "zeros", "-0", "nz", "123456789012345", "d15", "1234567890123456", "d16"],
    ["ZRANGE", "sp", "0", "-1", "WITHSCORES"], ["ZADD", "sp", "-", "bad"], ["ZADD", "sp", "+", "bad"],
    ["ZADD", "sp", "1-", "bad"], ["ZADD", "sp", "--1", "bad"], ["ZRANGEBYSCORE", "sp", "-0", "+5", "WITHSCORES"],
    ["ZCOUNT", "sp", "(5", "123456789012345"], ["ZINCRBY", "sp", "-7", "zeros"], ["ZSCORE", "sp", "zeros"],
]

# CONFIG SET of the encoding thresholds: accepted, and they change OBJECT ENCODING as in Redis.
TYPE_CONFIG = [
    # the defaults, at the edges: 512 fields / 64-byte values for a listpack, 512 integers for an intset
    ["HSET", "e"] + [x for i in range(512) for x in (f"f{i}", "v")], ["OBJECT", "ENCODING", "e"],
    ["HSET", "e", "f512", "v"], ["OBJECT", "ENCODING", "e"], ["HSET", "e64", "f", "x" * 64],
    ["OBJECT", "ENCODING", "e64"], ["HINCRBYFLOAT", "e64", "n", "1e60"], ["OBJECT", "ENCODING", "e64"],
    ["SADD", "si5"] + [str(i) for i in range(512)], ["OBJECT", "ENCODING", "si5"], ["SADD", "si5", "512"],
    ["OBJECT", "ENCODING", "si5"], ["SINTERSTORE", "st", "si5", "si5"], ["OBJECT", "ENCODING", "st"],
    ["SADD", "mix", "1", "a"], ["SDIFFSTORE", "st2", "mix"], ["OBJECT", "ENCODING", "st2"],
    ["SMOVE", "mix", "new", "1"], ["OBJECT", "ENCODING", "new"], ["HSCAN", "e", "0", "COUNT", "100000"],
    ["DEL", "e", "si5", "st", "e64"],
    ["CONFIG", "SET", "hash-max-listpack-entries", "2"], ["HSET", "c", "a", "1", "b", "2"],
    ["OBJECT", "ENCODING", "c"], ["HSET", "c", "c", "3"], ["OBJECT", "ENCODING", "c"],
    ["CONFIG", "SET", "set-max-intset-entries", "2"], ["SADD", "si", "1", "2"], ["OBJECT", "ENCODING", "si"],
    ["SADD", "si", "3"], ["OBJECT", "ENCODING", "si"],
    ["CONFIG", "SET", "hash-max-listpack-value", "3"], ["HSET", "v", "f", "abcd"], ["OBJECT", "ENCODING", "v"],
    ["CONFIG", "SET", "zset-max-listpack-entries", "64", "zset-max-listpack-value", "32"],
    ["CONFIG", "SET", "list-max-listpack-size", "-3"],
    ["CONFIG", "SET", "hash-max-listpack-entries", "512", "hash-max-listpack-value", "64",
     "set-max-intset-entries", "512", "zset-max-listpack-entries", "128", "zset-max-listpack-value", "64",
     "list-max-listpack-size", "-2"],
]

# WATCH and the type commands: a write that changes nothing (SADD of a member present, SREM/HDEL of
# nothing, HSETNX of a present field, SMOVE of a missing member) does not fail the EXEC; real changes do.
TYPES_WATCH = [
    ["SADD", "s", "a"], ["HSET", "h", "f", "v"],
    ["WATCH", "s"], ["SADD", "s", "a"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "s"], ["SREM", "s", "zz"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "s"], ["SMOVE", "s", "t", "zz"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "s"], ["SADD", "s", "b"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "h"], ["HSETNX", "h", "f", "w"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "h"], ["HDEL", "h", "zz"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "h"], ["HSET", "h", "f", "v"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "h"], ["HINCRBY", "h", "f", "1"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "h"], ["HINCRBY", "h", "n", "1"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "t"], ["SMOVE", "s", "t", "a"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "d"], ["SINTERSTORE", "d", "s", "nokey"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "d"], ["SUNIONSTORE", "d", "s"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "d"], ["SDIFFSTORE", "d", "s", "s"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "s"], ["SPOP", "s", "10"], ["MULTI"], ["PING"], ["EXEC"], ["EXISTS", "s"],
    ["WATCH", "h"], ["HGETALL", "h"], ["HRANDFIELD", "h"], ["MULTI"], ["PING"], ["EXEC"],
]


# Lists.
LISTS = [
    ["RPUSH", "l", "a", "b", "c"], ["LPUSH", "l", "z", "y"], ["LPUSH", "l"], ["RPUSH", "l"], ["LLEN", "l"],
    ["LLEN", "nokey"], ["LRANGE", "l", "0", "-1"], ["LRANGE", "l", "1", "2"], ["LRANGE", "l", "-2", "-1"],
    ["LRANGE", "l", "-100", "100"], ["LRANGE", "l", "3", "1"], ["LRANGE", "l", "5", "10"], ["LRANGE", "l", "x", "1"],
    ["LRANGE", "l", "0", "y"], ["LRANGE", "nokey", "0", "-1"], ["LRANGE", "nokey", "x", "1"],
    ["LRANGE", "l", I64_MIN, I64_MAX], ["LRANGE", "l", "0", "99999999999999999999"],
    ["LPUSHX", "nokey", "a"], ["RPUSHX", "nokey", "a", "b"], ["EXISTS", "nokey"], ["LPUSHX", "l", "x1", "x2"],
    ["RPUSHX", "l", "r1"], ["LRANGE", "l", "0", "-1"],
    ["LINDEX", "l", "0"], ["LINDEX", "l", "-1"], ["LINDEX", "l", "-100"], ["LINDEX", "l", "100"],
    ["LINDEX", "l", "x"], ["LINDEX", "nokey", "x"], ["LINDEX", "nokey", "0"], ["LINDEX", "l", I64_MIN],
    # LPOP / RPOP [count]: nil and null-array forms
    ["LPOP", "l"], ["RPOP", "l"], ["LPOP", "l", "2"], ["RPOP", "l", "2"], ["LPOP", "l", "0"], ["RPOP", "l", "0"],
    ["LPOP", "l", "-1"], ["LPOP", "l", "x"], ["LPOP", "l", "1", "2"], ["RPOP", "l", "1", "2"],
    ["LPOP", "nokey"], ["RPOP", "nokey"], ["LPOP", "nokey", "1"], ["RPOP", "nokey", "0"], ["LPOP", "nokey", "-1"],
    ["LRANGE", "l", "0", "-1"], ["RPOP", "l", "100"], ["EXISTS", "l"], ["LPOP", "l", "1"],
    ["RPUSH", "one", "a"], ["LPOP", "one"], ["EXISTS", "one"], ["TYPE", "one"],
    # LSET
    ["RPUSH", "s", "a", "b", "c"], ["LSET", "s", "0", "A"], ["LSET", "s", "-1", "C"], ["LSET", "s", "3", "x"],
    ["LSET", "s", "-4", "x"], ["LSET", "s", "x", "v"], ["LSET", "nokey", "0", "v"], ["LSET", "nokey", "x", "v"],
    ["LRANGE", "s", "0", "-1"],
    # LREM
    ["RPUSH", "r", "a", "b", "a", "c", "a", "b", "a"], ["LREM", "r", "2", "a"], ["LRANGE", "r", "0", "-1"],
    ["LREM", "r", "-1", "a"], ["LRANGE", "r", "0", "-1"], ["LREM", "r", "0", "b"], ["LRANGE", "r", "0", "-1"],
    ["LREM", "r", "0", "zz"], ["LREM", "r", "x", "a"], ["LREM", "nokey", "1", "a"], ["LREM", "nokey", "x", "a"],
    ["RPUSH", "r2", "a", "b", "a", "c", "a", "b", "a"], ["LREM", "r2", "-3", "a"], ["LRANGE", "r2", "0", "-1"],
    ["LREM", "r", "0", "a"], ["LREM", "r", "0", "c"], ["EXISTS", "r"],
    # LTRIM
    ["RPUSH", "t", "1", "2", "3", "4", "5", "6"], ["LTRIM", "t", "1", "-2"], ["LRANGE", "t", "0", "-1"],
    ["LTRIM", "t", "-100", "100"], ["LRANGE", "t", "0", "-1"], ["LTRIM", "t", "1", "1"], ["LRANGE", "t", "0", "-1"],
    ["LTRIM", "t", "x", "1"], ["LTRIM", "nokey", "0", "1"], ["LTRIM", "nokey", "x", "1"], ["LTRIM", "t", "5", "1"],
    ["EXISTS", "t"],
    # LINSERT
    ["RPUSH", "i", "a", "b", "c"], ["LINSERT", "i", "BEFORE", "b", "x"], ["LINSERT", "i", "after", "c", "y"],
    ["LINSERT", "i", "AFTER", "a", "z"], ["LINSERT", "i", "before", "a", "w"], ["LINSERT", "i", "before", "nope", "v"],
    ["LINSERT", "i", "middle", "a", "v"], ["LINSERT", "nokey", "before", "a", "v"], ["LINSERT", "nokey", "x", "a", "v"],
    ["LRANGE", "i", "0", "-1"],
    # LPOS
    ["RPUSH", "p", "a", "b", "c", "1", "2", "3", "c", "c"], ["LPOS", "p", "c"], ["LPOS", "p", "zz"],
    ["LPOS", "p", "c", "RANK", "2"], ["LPOS", "p", "c", "RANK", "-1"], ["LPOS", "p", "c", "RANK", "-3"],
    ["LPOS", "p", "c", "RANK", "4"], ["LPOS", "p", "c", "COUNT", "0"], ["LPOS", "p", "c", "COUNT", "2"],
    ["LPOS", "p", "c", "COUNT", "2", "RANK", "-1"], ["LPOS", "p", "c", "COUNT", "0", "MAXLEN", "7"],
    ["LPOS", "p", "c", "MAXLEN", "2"], ["LPOS", "p", "c", "MAXLEN", "3"], ["LPOS", "p", "zz", "COUNT", "1"],
    ["LPOS", "p", "c", "RANK", "0"], ["LPOS", "p", "c", "RANK", "x"], ["LPOS", "p", "c", "RANK", I64_MIN],
    ["LPOS", "p", "c", "RANK", I64_MAX], ["LPOS", "p", "c", "COUNT", "-1"], ["LPOS", "p", "c", "COUNT", "x"],
    ["LPOS", "p", "c", "MAXLEN", "-1"], ["LPOS", "p", "c", "MAXLEN", "x"], ["LPOS", "p", "c", "RANK"],
    ["LPOS", "p", "c", "FOO", "1"], ["LPOS", "nokey", "c"], ["LPOS", "nokey", "c", "COUNT", "1"],
    ["LPOS", "nokey", "c", "RANK", "0"], ["LPOS", "p", "c", "RANK", "-2", "MAXLEN", "2"],
    # LMOVE / RPOPLPUSH
    ["RPUSH", "src", "1", "2", "3"], ["LMOVE", "src", "dst", "LEFT", "RIGHT"], ["LMOVE", "src", "dst", "right", "left"],
    ["LRANGE", "dst", "0", "-1"], ["LMOVE", "src", "src", "LEFT", "RIGHT"], ["LMOVE", "src", "dst", "up", "left"],
    ["LMOVE", "src", "dst", "left", "down"], ["LMOVE", "nokey", "dst", "left", "left"], ["RPOPLPUSH", "src", "dst"],
    ["EXISTS", "src"], ["LRANGE", "dst", "0", "-1"], ["RPOPLPUSH", "nokey", "dst"], ["RPOPLPUSH", "dst", "dst"],
    ["LRANGE", "dst", "0", "-1"], ["RPUSH", "solo", "x"], ["LMOVE", "solo", "solo", "left", "left"],
    ["LRANGE", "solo", "0", "-1"], ["RPOPLPUSH", "solo", "solo"], ["EXISTS", "solo"],
    # WRONGTYPE
    ["SET", "str", "v"], ["LPUSH", "str", "a"], ["RPUSH", "str", "a"], ["LPUSHX", "str", "a"], ["RPUSHX", "str", "a"],
    ["LPOP", "str"], ["RPOP", "str", "2"], ["LPOP", "str", "0"], ["LLEN", "str"], ["LINDEX", "str", "0"],
    ["LINDEX", "str", "x"], ["LRANGE", "str", "0", "-1"], ["LRANGE", "str", "x", "1"], ["LSET", "str", "0", "v"],
    ["LSET", "str", "x", "v"], ["LREM", "str", "0", "a"], ["LTRIM", "str", "0", "1"], ["LINSERT", "str", "before", "a", "b"],
    ["LPOS", "str", "a"], ["LPOS", "str", "a", "RANK", "0"], ["LMOVE", "str", "dst", "left", "left"],
    ["LMOVE", "dst", "str", "left", "left"], ["LMOVE", "nokey", "str", "left", "left"], ["RPOPLPUSH", "dst", "str"],
    ["LRANGE", "dst", "0", "-1"], ["HSET", "h", "a", "1"], ["LPUSH", "h", "x"], ["HGET", "dst", "a"], ["SADD", "dst", "x"],
    ["GET", "dst"],
    # generic key commands on a list
    ["RPUSH", "g", "a", "b"], ["TYPE", "g"], ["OBJECT", "ENCODING", "g"], ["RENAME", "g", "g2"], ["LRANGE", "g2", "0", "-1"],
    ["COPY", "g2", "g3"], ["RPUSH", "g3", "c"], ["LLEN", "g2"], ["LLEN", "g3"], ["TYPE", "g3"],
    ScanAll(("TYPE", "list")), ["DEL", "g2", "g3"], ["EXISTS", "g2"],
    ["RPUSH", "exp", "a"], ["PEXPIRE", "exp", "50"], Sleep(0.15), ["LLEN", "exp"], ["EXISTS", "exp"],
    ["RPUSH", "e2", "a"], ["EXPIRE", "e2", "100"], ["RPUSH", "e2", "b"], ["TTL", "e2"], ["LPOP", "e2", "5"], ["TTL", "e2"],
    # arity
    ["LPUSH", "l"], ["LLEN"], ["LINDEX", "l"], ["LRANGE", "l", "0"], ["LSET", "l", "0"], ["LREM", "l", "0"],
    ["LTRIM", "l", "0"], ["LINSERT", "l", "before", "a"], ["LPOS", "l"], ["LMOVE", "a", "b", "left"], ["RPOPLPUSH", "a"],
    ["LPOP"], ["RPUSHX", "l"],
    ["RPUSH", "big", *[str(i) for i in range(300)]], ["LINDEX", "big", "150"], ["LRANGE", "big", "100", "105"],
    ["LINSERT", "big", "before", "150", "x"], ["LINSERT", "big", "after", "10", "y"], ["LRANGE", "big", "8", "13"],
    ["LRANGE", "big", "148", "153"], ["LREM", "big", "0", "x"], ["LTRIM", "big", "100", "199"], ["LPOP", "big", "50"],
    ["RPOP", "big", "30"], ["LRANGE", "big", "0", "-1"], ["OBJECT", "ENCODING", "big"],
    ["MULTI"], ["RPUSH", "m", "a", "b"], ["LPOP", "m"], ["LRANGE", "m", "0", "-1"], ["LLEN", "str"], ["LSET", "nokey", "0", "x"],
    ["EXEC"],
    ["COMMAND", "INFO", "lpush", "lpop", "lmove", "rpoplpush", "lpos", "lrange", "linsert"],
]

# Blocking list pops, where they answer without blocking (data there, errors, MULTI) or
# after a short timeout.
BLOCKING = [
    ["RPUSH", "l", "a", "b", "c"], ["BLPOP", "nokey", "l", "0"], ["BRPOP", "l", "nokey", "1"],
    ["BLPOP", "nokey", "0.05"], ["BRPOP", "nokey", "nokey2", "0.01"], ["BLPOP", "l", "abc"], ["BLPOP", "l", "-1"],
    ["BLPOP", "l", "inf"], ["BLPOP", "l", " 1"], ["BLPOP", "l", ""], ["BLPOP", "l", "0x0"], ["BLPOP", "l"],
    ["BLPOP", "l", "1e-9"], ["LLEN", "l"],
    ["SET", "str", "v"], ["BLPOP", "nokey", "str", "0"], ["BLPOP", "l", "str", "0"], ["BRPOP", "str", "1"],
    ["RPUSH", "s", "1", "2"], ["BLMOVE", "s", "d", "LEFT", "RIGHT", "0"], ["BLMOVE", "s", "d", "up", "left", "0"],
    ["BLMOVE", "s", "d", "left", "left", "-1"], ["BLMOVE", "s", "d", "left", "left", "x"],
    ["BLMOVE", "s", "str", "left", "left", "0"], ["BLMOVE", "str", "d", "left", "left", "0"],
    ["BRPOPLPUSH", "s", "d", "0"], ["BRPOPLPUSH", "s", "d", "0.02"], ["BLMOVE", "s", "d", "left", "left", "0.02"],
    ["LRANGE", "d", "0", "-1"], ["EXISTS", "s"], ["BRPOPLPUSH", "d", "d", "0"], ["LRANGE", "d", "0", "-1"],
    ["BRPOPLPUSH", "s"], ["BLMOVE", "s", "d", "left", "left"],
    ["MULTI"], ["BLPOP", "nokey", "0"], ["BRPOP", "nokey", "10"], ["BLMOVE", "nokey", "d", "left", "left", "0"],
    ["BRPOPLPUSH", "nokey", "d", "0"], ["RPUSH", "m", "x"], ["BLPOP", "m", "0"], ["EXEC"],
    ["COMMAND", "INFO", "blpop", "brpop", "blmove", "brpoplpush"],
]

# LMPOP/BLMPOP, BZPOPMIN/BZPOPMAX/BZMPOP, CLIENT UNBLOCK of nobody, where they answer without
# blocking (data there, argument errors, WRONGTYPE, MULTI) or after a short timeout.
BLOCKING_MORE = [
    ["RPUSH", "l", "a", "b", "c", "d"], ["LMPOP", "2", "nokey", "l", "LEFT"], ["LMPOP", "1", "l", "right", "COUNT", "2"],
    ["LMPOP", "1", "l", "left", "count", "10"], ["EXISTS", "l"], ["LMPOP", "1", "l", "LEFT"], ["LMPOP", "0", "l", "LEFT"],
    ["LMPOP", "-1", "l", "LEFT"], ["LMPOP", "x", "l", "LEFT"], ["LMPOP", "2", "l", "LEFT"], ["LMPOP", "1", "l", "UP"],
    ["LMPOP", "1", "l", "LEFT", "COUNT"], ["LMPOP", "1", "l", "LEFT", "COUNT", "0"], ["LMPOP", "1", "l", "LEFT", "COUNT", "x"],
    ["LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "1"], ["LMPOP", "1", "l", "LEFT", "FOO"], ["LMPOP", "1", "l"],
    ["LMPOP", "99999999999999999999", "l", "LEFT"], ["SET", "str", "v"], ["RPUSH", "l2", "x", "y"],
    ["LMPOP", "2", "str", "l2", "LEFT"], ["LMPOP", "2", "l2", "str", "LEFT"], ["LMPOP", "2", "nokey", "str", "RIGHT"],
    ["BLMPOP", "0", "2", "nokey", "l2", "LEFT"], ["BLMPOP", "0.01", "1", "nokey", "LEFT"], ["BLMPOP", "-1", "1", "l", "LEFT"],
    ["BLMPOP", "x", "1", "l", "LEFT"], ["BLMPOP", "0", "0", "l", "LEFT"], ["BLMPOP", "0", "1", "l", "MIDDLE"],
    ["BLMPOP", "0", "1", "str", "LEFT"], ["BLMPOP", "0", "1", "l"], ["RPUSH", "l3", "1", "2", "3"],
    ["BLMPOP", "0", "1", "l3", "RIGHT", "COUNT", "5"],
    ["ZADD", "z", "1", "a", "2", "b", "3", "c", "1.5", "d"], ["BZPOPMIN", "nokey", "z", "0"], ["BZPOPMAX", "z", "1"],
    ["BZPOPMIN", "nokey", "0.01"], ["BZPOPMAX", "nokey", "nokey2", "0.01"], ["BZPOPMIN", "z", "-1"], ["BZPOPMIN", "z", "abc"],
    ["BZPOPMIN", "str", "0"], ["BZPOPMIN", "nokey", "str", "0"], ["BZPOPMIN", "z"],
    ["ZADD", "z2", "-inf", "m", "inf", "n", "0", "o"], ["BZPOPMIN", "z2", "0"], ["BZPOPMAX", "z2", "0"],
    ["BZMPOP", "0", "2", "nokey", "z2", "MIN"], ["EXISTS", "z2"], ["BZMPOP", "0.01", "1", "nokey", "MAX"],
    ["BZMPOP", "0", "1", "z", "MAX", "COUNT", "10"], ["BZMPOP", "-1", "1", "z", "MIN"], ["BZMPOP", "0", "0", "z", "MIN"],
    ["BZMPOP", "0", "1", "z", "LEFT"], ["BZMPOP", "0", "1", "z", "MIN", "COUNT", "0"], ["BZMPOP", "0", "1", "str", "MIN"],
    ["BZMPOP", "0", "1", "z"],
    ["CLIENT", "UNBLOCK", "999999"], ["CLIENT", "UNBLOCK", "999999", "ERROR"], ["CLIENT", "UNBLOCK", "999999", "TIMEOUT"],
    ["CLIENT", "UNBLOCK", "x"], ["CLIENT", "UNBLOCK", "1", "FOO"], ["CLIENT", "UNBLOCK", "x", "FOO"],
    ["CLIENT", "UNBLOCK", "1", "ERROR", "x"], ["CLIENT", "UNBLOCK"],
    ["MULTI"], ["BLMPOP", "0", "1", "nokey", "LEFT"], ["BZPOPMIN", "nokey", "0"], ["BZPOPMAX", "nokey", "0"],
    ["BZMPOP", "0", "1", "nokey", "MIN"], ["LMPOP", "1", "nokey", "LEFT"], ["ZADD", "mz", "1", "x"],
    ["BZPOPMAX", "mz", "0"], ["EXEC"],
    ["COMMAND", "INFO", "lmpop", "blmpop", "bzpopmin", "bzpopmax", "bzmpop"],
    ["COMMAND", "GETKEYS", "BLMPOP", "0", "2", "a", "b", "LEFT"], ["COMMAND", "GETKEYS", "LMPOP", "1", "a", "LEFT"],
    ["COMMAND", "GETKEYS", "BZMPOP", "0", "1", "a", "MIN"], ["COMMAND", "GETKEYS", "BZPOPMIN", "a", "b", "0"],
]


# CONFIG SET all or nothing (names first, then values, in order), Redis's parameter table (aliases,
# hidden names, percent values, enums, special syntaxes), CONFIG GET of several patterns.  Every
# change is undone at the end: the servers are shared by the session.
CONFIG_PARAMS = [
    ["CONFIG", "SET", "maxmemory-samples", "7", "timeout", "9", "maxmemory-clients", "200%"],
    ["CONFIG", "GET", "maxmemory-samples"], ["CONFIG", "GET", "timeout"],
    ["CONFIG", "SET", "maxmemory-samples", "7", "nosuch", "1", "daemonize", "yes"],
    ["CONFIG", "SET", "maxmemory-samples", "7", "daemonize", "yes", "nosuch", "1"],
    ["CONFIG", "SET", "maxmemory-samples", "7", "dir", "/tmp"], ["CONFIG", "SET", "databases", "4"],
    ["CONFIG", "SET", "maxmemory-samples", "7", "MAXMEMORY-SAMPLES", "8"],
    ["CONFIG", "SET", "maxmemory-samples", "x", "timeout", "y"], ["CONFIG", "GET", "maxmemory-samples"],
    ["CONFIG", "SET", "hash-max-ziplist-entries", "100", "hash-max-listpack-entries", "200"],
    ["CONFIG", "GET", "hash-max-*"], ["CONFIG", "SET", "hash-max-listpack-entries", "512"],
    ["CONFIG", "GET", "maxmemory-samples", "maxmemory-s*", "*of", "hz", "HZ"],
    ["CONFIG", "GET", "key-load-delay"], ["CONFIG", "GET", "key-load-*"], ["CONFIG", "GET", "*-delay"],
    ["CONFIG", "SET", "maxmemory-clients", "10%"], ["CONFIG", "GET", "maxmemory-clients"],
    ["CONFIG", "SET", "maxmemory-clients", "1mb"], ["CONFIG", "GET", "maxmemory-clients"],
    ["CONFIG", "SET", "maxmemory-clients", "x"], ["CONFIG", "SET", "maxmemory-clients", "0"],
    ["CONFIG", "SET", "repl-backlog-size", "10000002", "save", "3000 5"], ["CONFIG", "GET", "repl-backlog-size"],
    ["CONFIG", "GET", "save"], ["CONFIG", "SET", "repl-backlog-size", "1mb", "save", ""],
    ["CONFIG", "SET", "shutdown-on-sigint", "nosave now"], ["CONFIG", "GET", "shutdown-on-sigint"],
    ["CONFIG", "SET", "shutdown-on-sigint", "save nosave"], ["CONFIG", "SET", "shutdown-on-sigint", "maybe"],
    ["CONFIG", "SET", "shutdown-on-sigint", "default"],
    ["CONFIG", "SET", "oom-score-adj", "relative"], ["CONFIG", "GET", "oom-score-adj"],
    ["CONFIG", "SET", "oom-score-adj", "no"], ["CONFIG", "SET", "oom-score-adj-values", "1 2"],
    ["CONFIG", "SET", "oom-score-adj-values", "1 2 3000"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "50.0 99.00 1e1"],
    ["CONFIG", "GET", "latency-tracking-info-percentiles"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "101"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "abc"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "0x10 1e1"], ["CONFIG", "GET", "latency-tracking-info-percentiles"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "nan"], ["CONFIG", "SET", "latency-tracking-info-percentiles", " 5"],
    ["CONFIG", "SET", "repl-backlog-size", "1k"], ["CONFIG", "GET", "repl-backlog-size"],
    ["CONFIG", "SET", "save", "3000  5"], ["CONFIG", "SET", "save", " 3000 5"], ["CONFIG", "GET", "save"],
    ["CONFIG", "SET", "client-output-buffer-limit", "normal 0  0 0"], ["CONFIG", "SET", "client-output-buffer-limit", ""],
    ["CONFIG", "SET", "shutdown-on-sigint", "nosave  now"], ["CONFIG", "SET", "shutdown-on-sigint", " nosave"],
    ["CONFIG", "SET", "shutdown-on-sigint", ""], ["CONFIG", "SET", "oom-score-adj-values", "1 2  3"],
    ["CONFIG", "SET", "oom-score-adj-values", ""], ["CONFIG", "SET", "oom-score-adj-values", "2  3"],
    ["CONFIG", "GET", "oom-score-adj-values"], ["CONFIG", "SET", "oom-score-adj-values", "0 200 800"], ["CONFIG", "SET", "latency-tracking-info-percentiles", "50  99"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", ""], ["CONFIG", "GET", "latency-tracking-info-percentiles"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9"], ["CONFIG", "SET", "bind", "127.0.0.1 "],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9"],
    ["CONFIG", "SET", "activedefrag", "yes"], ["CONFIG", "SET", "cluster-announce-hostname", "a_b"],
    ["CONFIG", "SET", "cluster-announce-hostname", "a" * 300], ["CONFIG", "SET", "hz", "0"], ["CONFIG", "GET", "hz"],
    ["CONFIG", "SET", "hz", "10"], ["CONFIG", "SET", "client-output-buffer-limit", "normal +1 2 3"],
    ["CONFIG", "SET", "proc-title-template", "{foo}"], ["CONFIG", "SET", "proc-title-template", "{title}"],
    ["CONFIG", "SET", "proc-title-template", "x {"], ["CONFIG", "SET", "proc-title-template", "{{ } {port"],
    ["CONFIG", "SET", "proc-title-template", "{{x}} {listen-addr}"], ["CONFIG", "GET", "proc-title-template"],
    ["CONFIG", "SET", "proc-title-template", "{title} {listen-addr} {server-mode}"],
    ["CONFIG", "SET", "proto-max-bulk-len", "1000"], ["CONFIG", "SET", "proto-max-bulk-len", "99999999999999999999"],
    ["CONFIG", "SET", "proto-max-bulk-len", "x"],
    ["CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"],
    ["CONFIG", "SET", "client-output-buffer-limit", "master 1 2 3"],
    ["CONFIG", "SET", "client-output-buffer-limit", "pubsub 1 x 3"],
    ["CONFIG", "SET", "maxmemory", "99999999999999999999"], ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "SET", "maxmemory", "99999999999999999999kb"], ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "SET", "maxmemory", "-1"], ["CONFIG", "SET", "maxmemory", "1.5mb"], ["CONFIG", "SET", "maxmemory", "0"],
    ["CONFIG", "SET", "maxclients", "-1"], ["CONFIG", "SET", "slaveof", "x"], ["CONFIG", "SET", "port", "99999"],
    ["CONFIG", "SET", "slowlog-max-len", "99999999999999999999"], ["CONFIG", "SET", "tcp-keepalive", "0x10"],
    ["CONFIG", "SET", "maxmemory-samples", "5", "timeout", "0"],
    ["CONFIG", "GET", "maxmemory-samples"], ["CONFIG", "GET", "timeout"], ["CONFIG", "GET", "maxmemory"],
]

# SORT and SORT_RO with every option: BY (weights from strings and hash fields, a constant "nosort"),
# LIMIT at and past the edges, GET # and patterns, ASC/DESC, ALPHA (NUL bytes included), STORE
# (replacing another type, deleting on an empty result); errors, and COMMAND GETKEYS's STORE lookup.
SORT = [
    ["RPUSH", "l", "3", "1", "2", "10", "-5", "1.5"], ["SADD", "s", "c", "a", "b"],
    ["ZADD", "z", "3", "x", "1", "y", "2", "w"],
    ["MSET", "w_3", "30", "w_1", "10", "w_2", "20", "w_10", "5", "w_-5", "7", "w_1.5", "1"],
    ["HSET", "h_3", "f", "c"], ["HSET", "h_1", "f", "a"], ["HSET", "h_2", "f", "b"], ["SET", "str", "v"],
    ["RPUSH", "al", "b", "a", "C", "", "a\x00z", "a\x00b"], ["RPUSH", "nan", "1", "x"],
    ["SORT", "l"], ["SORT", "l", "desc"], ["SORT", "l", "limit", "1", "2"], ["SORT", "l", "limit", "-1", "2"],
    ["SORT", "l", "limit", "0", "-1"], ["SORT", "l", "limit", "10", "2"], ["SORT", "l", "limit", "2", "100"],
    ["SORT", "l", "limit", "-9223372036854775808", "9223372036854775807"],
    ["SORT", "l", "limit", "9223372036854775807", "9223372036854775807"],
    ["SORT", "l", "by", "w_*"], ["SORT", "l", "by", "w_*", "desc"], ["SORT", "l", "by", "w_*", "limit", "1", "2"],
    ["SORT", "l", "by", "nosort"], ["SORT", "l", "by", "nosort", "desc"], ["SORT", "l", "by", "nosort", "desc", "limit", "1", "2"],
    ["SORT", "l", "get", "#", "get", "w_*"], ["SORT", "l", "get", "h_*->f"], ["SORT", "l", "get", "nokey"],
    ["SORT", "l", "by", "h_*->f", "alpha"], ["SORT", "l", "by", "w_*->"], ["SORT", "l", "get", "#", "get", "#"],
    ["SORT", "l", "by", "w_*", "get", "#", "store", "dst"], ["LRANGE", "dst", "0", "-1"],
    ["SORT", "l", "store", "dst2", "get", "h_*->f"], ["LRANGE", "dst2", "0", "-1"],
    ["SORT", "s", "alpha"], ["SORT", "s", "alpha", "desc"], ["SORT", "s"],
    ["SORT", "s", "by", "nosort", "store", "ds"], ["LRANGE", "ds", "0", "-1"],
    ["SORT", "z"], ["SORT", "z", "by", "nosort"], ["SORT", "z", "by", "nosort", "desc"],
    ["SORT", "z", "by", "nosort", "limit", "1", "1"], ["SORT", "z", "by", "nosort", "desc", "limit", "1", "5"],
    ["SORT", "al", "alpha"], ["SORT", "al", "alpha", "store", "dal"], ["LRANGE", "dal", "0", "-1"],
    ["SORT", "str"], ["SORT", "missing"], ["SORT", "missing", "store", "dst"], ["EXISTS", "dst"],
    ["SORT", "l", "limit"], ["SORT", "l", "limit", "a", "1"], ["SORT", "l", "foo"], ["SORT", "l", "get"],
    ["SORT", "nan"], ["SORT", "l", "asc", "desc", "asc"],
    ["SORT", "l", "store", "str"], ["TYPE", "str"], ["SORT_RO", "l", "store", "x"], ["SORT_RO", "l", "desc"],
    ["MULTI"], ["SORT", "l", "by", "w_*", "store", "m"], ["SORT_RO", "m"], ["EXEC"],
    ["COMMAND", "GETKEYS", "sort", "l", "store", "d", "get", "store"], ["COMMAND", "GETKEYS", "sort", "l", "get", "store"],
    ["COMMAND", "GETKEYSANDFLAGS", "sort", "l", "store", "d"], ["COMMAND", "INFO", "sort", "sort_ro"],
]


# maxmemory 1: nothing left to evict means -OOM, also for a command queued in MULTI (EXECABORT), after
# every key was evicted; the limit goes back to 0 (the policy stays volatile-lru on both servers).
OOM_EMPTIED = [
    ["SET", "a", "1"], ["RPUSH", "l", "x", "y"],
    ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"], ["CONFIG", "SET", "maxmemory", "1"],
    ["SET", "c", "d"], ["DBSIZE"], ["MULTI"], ["SET", "foo1", "bar1"], ["LPUSH", "mylist", "v"], ["EXEC"],
    ["CONFIG", "SET", "maxmemory", "0"], ["SET", "c", "d"], ["DBSIZE"],
    ["CONFIG", "SET", "maxmemory-policy", "volatile-lru"], ["CONFIG", "SET", "maxmemory", "1"],
    ["SET", "e", "f"], ["SET", "t", "v", "EX", "100"], ["CONFIG", "SET", "maxmemory", "0"], ["DBSIZE"],
]


def _zset_moves() -> list:
    """Re-scoring members of a skiplist-encoded set (200 > 128 members): ZINCRBY by tiny steps keeps a
    node between its neighbours (updated in place), big steps and ties (order by member) relink it.
    After every few moves the whole order, ranks and score ranges are compared."""
    steps: list = [["ZADD", "zm", *[x for i in range(200) for x in (str(i * 2), "m%03d" % i)]]]
    for i in range(120):
        m = "m%03d" % ((i * 37) % 200)
        delta = ("0.5", "-0.25", "150", "-399", "2", "-2")[i % 6]
        steps.append(["ZINCRBY", "zm", delta, m])
        steps.append(["ZADD", "zm", "CH", str((i * 53) % 400), "m%03d" % ((i * 11) % 200)])
        if i % 10 == 9:
            steps += [["ZRANGE", "zm", "0", "-1", "WITHSCORES"], ["ZRANK", "zm", m], ["ZREVRANK", "zm", m],
                      ["ZRANGEBYSCORE", "zm", "100", "(200"], ["ZCOUNT", "zm", "-inf", "50"]]
    steps += [["ZADD", "zm", "GT", "CH", "1000", "m000", "-5", "m001"], ["ZADD", "zm", "LT", "CH", "-1000", "m002"],
              ["ZRANGE", "zm", "0", "9", "WITHSCORES"], ["ZRANGE", "zm", "-5", "-1", "WITHSCORES"],
              ["ZPOPMIN", "zm", "3"], ["ZPOPMAX", "zm", "3"], ["ZRANGE", "zm", "0", "-1", "WITHSCORES"],
              ["OBJECT", "ENCODING", "zm"]]
    # Scores a float cannot tell apart (links keep a float copy of the next score) and out-of-float-range ones.
    close = [x for i in range(150) for x in ("%.3f" % (1e12 + (i * 7919) % 150 * 0.001), "f%03d" % i)]
    steps += [["ZADD", "zf", *close, "1e39", "big1", "2e39", "big2", "-1e300", "neg", "1e300", "huge",
               "inf", "top", "-inf", "bottom", "1.0000000001", "one1", "1.0000000002", "one2"]]
    for i in range(60):
        steps.append(["ZINCRBY", "zf", ("0.001", "-0.002", "1e39", "-1e39", "0.0000000001")[i % 5], "f%03d" % (i * 7 % 150)])
    steps += [["ZRANGE", "zf", "0", "-1", "WITHSCORES"], ["ZRANK", "zf", "one2"], ["ZRANK", "zf", "big2"],
              ["ZRANGEBYSCORE", "zf", "1e12", "(1000000000000.05"], ["OBJECT", "ENCODING", "zf"]]
    return steps


ZSET_MOVES = _zset_moves()

# CLIENT PAUSE / UNPAUSE errors, a pause of 0 ms (over at once: nothing is held), MONITOR in a
# transaction and MONITOR ended by RESET (no other client runs meanwhile, so no monitor line).
PAUSE_MONITOR = [
    ["CLIENT", "PAUSE"], ["CLIENT", "PAUSE", "abc"], ["CLIENT", "PAUSE", "-1"], ["CLIENT", "PAUSE", "10", "READ"],
    ["CLIENT", "PAUSE", "10", "write", "x"], ["CLIENT", "PAUSE", "99999999999999999999"], ["CLIENT", "PAUSE", "1.5"],
    ["CLIENT", "UNPAUSE", "x"], ["CLIENT", "UNPAUSE"], ["CLIENT", "PAUSE", "0", "WRITE"], ["SET", "k", "v"], ["GET", "k"],
    ["CLIENT", "PAUSE", "0", "all"], ["PING"], ["CLIENT", "UNPAUSE"],
    ["MULTI"], ["MONITOR"], ["SET", "k", "w"], ["EXEC"], ["GET", "k"], ["MONITOR", "x"], ["MONITOR"], ["RESET"], ["GET", "k"],
]

PER_PROTOCOL = {
    "strings": STRINGS,
    "incr": INCR,
    "keys": KEYS,
    "expiry": EXPIRY,
    "connection": CONNECTION,
    "server": SERVER,
    "strings_more": STRINGS_MORE,
    "incrbyfloat": INCRBYFLOAT,
    "lcs": LCS,
    "strings_c": STRINGS_C,
    "keys_more": KEYS_MORE,
    "scan_keys": SCAN_KEYS,
    "keys-in-c": KEYS_IN_C,
    "expiry_more": EXPIRY_MORE,
    "server-commands": SERVER_COMMANDS,
    "transactions": TRANSACTIONS,
    "watch-expiry": WATCH_EXPIRY,
    "hashes": HASHES,
    "sets": SETS,
    "type-config": TYPE_CONFIG,
    "types-watch": TYPES_WATCH,
    "zsets": ZSETS,
    "zset-moves": ZSET_MOVES,
    "lists": LISTS,
    "blocking": BLOCKING,
    "blocking_more": BLOCKING_MORE,
    "config-params": CONFIG_PARAMS,
    "sort": SORT,
    "oom-emptied": OOM_EMPTIED,
    "pause-monitor": PAUSE_MONITOR,
}

INLINE = [
    Raw(b"PING\r\n"), Raw(b"ping\n"), Raw(b"   PING   \r\n"), Raw(b"\r\n\r\nPING\r\n"),
    Raw(b"SET a b\r\nGET a\r\n", 2), Raw(b"SET \"a b\" 'x y'\r\nGET \"a b\"\r\n", 2),
    Raw(b'ECHO "\\x41\\x42"\r\n'), Raw(b'ECHO "a\\nb\\t\\\\\\r\\a\\b"\r\n'), Raw(b"ECHO 'it\\'s'\r\n"),
    Raw(b'ECHO ""\r\n'), Raw(b"ECHO ''\r\n"), Raw(b'ECHO "\\xzz"\r\n'), Raw(b"ECHO 'a\\nb'\r\n"),
    Raw(b"SET k v EX 100\r\nTTL k\r\n", 2), Raw(b"GET\r\n"), Raw(b"NOSUCH a\r\n"),
    Raw(b"MSET x 1 y 2\r\nMGET x y z\r\n", 2), Raw(b"INCR x\r\nINCRBY x 10\r\n", 2),
    Raw(b"PING\r\n*1\r\n$4\r\nPING\r\nECHO x\r\n", 3),
    Raw(b"*-1\r\n*1\r\n$4\r\nPING\r\n"), Raw(b"*0\r\nPING\r\n"),
    Raw(b"SET s " + b"v" * 60_000 + b"\r\n"), ["GET", "s"],
    Raw(b"SET\ta\tb\r\nGET a\r\n", 2), Raw(b"   \r\n\t\r\nPING\r\n"), Raw(b"ECHO a\\x41b\r\n"),
    Raw(b"ECHO \"\\x4\"\r\n"), Raw(b"ECHO \"\\x414\"\r\n"), Raw(b"ECHO \"\\\"q\\\"\"\r\n"),
    Raw(b"MSET a 1 b\r\n"), Raw(b"set   spaced    key\r\nget spaced\r\n", 2),
]

# Each malformed case runs alone: a valid command first, then bad bytes; the server must answer the first,
# send its protocol error, and close.
MALFORMED = {
    "multibulk-len-abc": b"*abc\r\n",
    "multibulk-len-empty": b"*\r\n",
    "multibulk-len-plus": b"*+1\r\n$4\r\nPING\r\n",
    "bulk-len-abc": b"*1\r\n$abc\r\n",
    "bulk-len-empty": b"*1\r\n$\r\n",
    "bulk-len-neg": b"*1\r\n$-1\r\n",
    "bulk-len-over-512mb": b"*1\r\n$536870913\r\n",
    "bulk-len-huge": b"*1\r\n$99999999999999999999\r\n",
    "expected-dollar": b"*1\r\nfoo\r\n",
    "expected-dollar-colon": b"*2\r\n$3\r\nGET\r\n:1\r\n",
    "unbalanced-double": b'ECHO "unbalanced\r\n',
    "unbalanced-single": b"ECHO 'un\r\n",
    "quote-then-text": b'ECHO "a"b\r\n',
    "inline-too-big": b"x" * (65 * 1024),
    "quit": b"QUIT\r\nPING\r\n",
    "multibulk-over-int-max": b"*2147483648\r\n",
    "too-big-mbulk-count-string": b"*" + b"1" * 70_000,
    "too-big-bulk-count-string": b"*1\r\n$" + b"1" * 70_000,
    "quotes-adjacent": b'ECHO "a""b"\r\n',
    "error-after-pipeline": b"SET a 1\r\n*1\r\n$3\r\nGET\r\n*1\r\n$x\r\nPING\r\n",
}
