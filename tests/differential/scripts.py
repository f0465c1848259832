"""Command scripts sent byte-for-byte to real redis-server and to Redistill (see test_differential.py).

A step is one of:
  [arg, ...]                  a RESP multibulk command; one reply is read
  Raw(data, n)                bytes sent as they are (inline commands, odd framing); n replies are read
  Close(data)                 bytes sent, then everything is read until the server closes (malformed input)
  Sleep(seconds)              wait (expiry)
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

EXPIRY = [
    ["SET", "a", "v", "PX", "150"], ["SET", "b", "v"], ["PEXPIRE", "b", "150"], ["SET", "c", "v", "EX", "100"],
    ["GET", "a"], ["EXISTS", "a", "b"], Sleep(0.4),
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
    ["MULTI"], ["QUIT"],
]

# WATCH and expiry (Redis 7.0): a key live at WATCH that has expired by EXEC fails it, whether or not it
# was reclaimed meanwhile; a key already expired at WATCH time fails it only if written.  The outcomes
# do not depend on when active expiry runs, on either server.
WATCH_EXPIRY = [
    ["SET", "k", "v", "PX", "100"], ["WATCH", "k"], Sleep(0.3), ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "100"], ["WATCH", "k"], Sleep(0.3), ["GET", "k"], ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "100"], ["WATCH", "k"], Sleep(0.3), ["MULTI"], ["GET", "k"], ["EXEC"],
    ["SET", "k", "v", "PX", "100"], ["WATCH", "k"], Sleep(0.3), ["FLUSHALL"], ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "100000"], ["WATCH", "k"], ["MULTI"], ["TTL", "k"], ["EXEC"],
    ["SET", "k", "v", "PX", "50"], Sleep(0.2), ["WATCH", "k"], ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "50"], Sleep(0.2), ["WATCH", "k"], ["GET", "k"], ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "50"], Sleep(0.2), ["WATCH", "k"], ["DEL", "k"], ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "50"], Sleep(0.2), ["WATCH", "k"], ["FLUSHALL"], ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "50"], Sleep(0.2), ["WATCH", "k"], ["SET", "k", "1"], ["MULTI"], ["PING"], ["EXEC"],
    ["SET", "k", "v", "PX", "50"], Sleep(0.2), ["WATCH", "k"], ["GET", "k"], ["INCR", "k"], ["MULTI"], ["PING"],
    ["EXEC"],
]

PER_PROTOCOL = {
    "strings": STRINGS,
    "incr": INCR,
    "keys": KEYS,
    "expiry": EXPIRY,
    "connection": CONNECTION,
    "server": SERVER,
    "transactions": TRANSACTIONS,
    "watch-expiry": WATCH_EXPIRY,
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
