"""Differential fuzzer: seeded random command sequences to Debian's redis-server and to Redistill, every reply
compared byte for byte (only what must differ is normalised, see norm()).

The generator is a table of command templates (TEMPLATES). Each names the command it exercises as COMMAND
INFO knows it ("get", "client|list"); at start the fuzzer asks the Redistill under test COMMAND INFO for every
name and silently drops the templates it does not know, so commands merged later are fuzzed from the moment
they exist. Templates for deliberately unknown commands have name None and always run.

Each step is sent to Redis, then to Redistill, and both replies are read before the next step (interleaved,
so a relative expiry set on both lands within milliseconds). Two connections per server (0 and 1) let a
second client break a WATCH. Relative expiries are far away (>= 100000 s) or already due, absolute ones far
future or past: never a few seconds, which would race.

    python tests/differential/fuzz.py --seed 7 -n 20000     (what `make fuzz SEED=7 N=20000` runs)

On a mismatch the failing prefix is shrunk (delta debugging: drop chunks of steps while some reply still
differs) and printed as a minimal reproducer.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import select
import sys
import time
from dataclasses import dataclass, field
from hashlib import sha1
from pathlib import Path
from typing import Callable

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from resp import RespSocket, encode_command, parse  # noqa: E402

from differential.test_differential import normalise as script_normalise  # noqa: E402

# ---- the data -----------------------------------------------------------------------------------------------

KEYS = [b"a", b"b", b"c", b"n", b"", b"k\x00\r\nx", b"{tag}k"]
BIG = b"x" * 100_000  # LCS never sees it (see lcs_block): Redis's LCS table would be too big
INTS = [b"0", b"1", b"-1", b"10", b"-10", b"007", b"+1", b"-0", b" 1", b"1.0", b"abc", b"",
        str(2**63 - 1).encode(), str(-(2**63)).encode(), str(2**63).encode(), b"9223372036854775",
        b"99999999999999999999", str(-(2**63) + 1).encode()]
# LLONG_MIN, LLONG_MIN+1, -1, 0, LLONG_MAX: for every count, offset, index, rank and limit (negating
# LLONG_MIN overflows in C). Not as a random count (SRANDMEMBER...): -LLONG_MAX would stream 9.2e18 elements.
EXTREMES = [str(-(2**63)).encode(), str(-(2**63) + 1).encode(), b"-1", b"0", str(2**63 - 1).encode()]
BIG_COUNTS = [str(-(2**63)).encode(), str(2**63 - 1).encode()]  # safe for random and pop counts too
FLOATS = [b"0.1", b"-1.5", b"1e3", b"3", b"5.0e3", b"inf", b"-inf", b"nan", b"abc", b"", b"1.7976931348623157e308",
          b"0x10", b" 1", b"1.", b".5", b"-0", b"1e-20"]
VALUES = [b"v", b"", b"hello world", b"\x00\xff", b"a\r\nb", b"\r\n", b"x" * 300, BIG] + INTS[:12] + [b"3.5", b"1e2"]
OFFSETS = [b"0", b"1", b"3", b"-1", b"-3", b"100", b"-100", b"abc", b"", b"2147483648", b"536870911",
           b"536870912", str(2**63).encode()] + EXTREMES[:2] + EXTREMES[4:]
PATTERNS = [b"*", b"a", b"?", b"[a-c]", b"[^a]", b"*\x00*", b"k*", b"\\*", b"[", b"[a-", b"{tag}*", b"*x",
            b"[\\a]", b"**", b"", b"[a-\xff]", b"[\x80-a]*", b"*[^\x00-a]*", b"[]a]", b"[^]*"]
FAR_REL = [b"100000", b"1000000", b"4102444800"]
DUE_REL = [b"0", b"-1", b"-100"]
FAR_ABS = [b"4102444800", b"4102444800000"]
PAST_ABS = [b"1", b"100", b"0", b"-1"]
NOT_TIMES = [b"abc", b"", b"1.5", b" 1", str(2**63).encode(), str(2**63 - 1).encode(), str(-(2**63)).encode(),
             b"9223372036854775", b"99999999999999999999"]
EXPIRE_FLAGS = [b"NX", b"XX", b"GT", b"LT", b"gt", b"BAD"]
# CONFIG parameters with the same default on both servers and no effect on the replies we compare; the
# fuzzer sets them back to DEFAULTS at the start of every run.
CONFIG_DEFAULTS = {b"slowlog-max-len": b"128", b"maxmemory-policy": b"noeviction",
                   b"notify-keyspace-events": b"", b"lazyfree-lazy-user-del": b"no", b"hll-sparse-max-bytes": b"3000"}
CONFIG_VALUES = {b"slowlog-max-len": [b"128", b"10", b"-1", b"abc", b"0"],
                 b"maxmemory-policy": [b"noeviction", b"allkeys-lru", b"volatile-ttl", b"sometimes", b""],
                 b"notify-keyspace-events": [b"", b"KEA", b"Z?"],
                 b"lazyfree-lazy-user-del": [b"yes", b"no", b"maybe"],
                 b"hll-sparse-max-bytes": [b"3000", b"0", b"100", b"1kb", b"-1"]}
# Exact names only (glob patterns are in scripts.py): Redis has ~200 parameters, a pattern would compare
# the whole list. Names the server under test does not list are left out (see known_commands).
CONFIG_GET_PARAMS = [b"save", b"appendonly", b"databases", b"maxmemory", b"maxmemory-policy",
                     b"slowlog-max-len", b"slowlog-log-slower-than", b"lazyfree-lazy-user-del",
                     b"notify-keyspace-events"]


FIELDS = [b"f", b"g", b"n", b"", b"x" * 70, b"\x00\r\n"]
MEMBERS = [b"1", b"2", b"-3", b"007", b"m", b"", b"x" * 70]


def key(rnd: random.Random) -> bytes:
    return rnd.choice(KEYS)


def value(rnd: random.Random) -> bytes:
    return rnd.choice(VALUES)


def expire_value(rnd: random.Random, absolute: bool = False) -> bytes:
    r = rnd.random()
    if r < 0.5:
        return rnd.choice(FAR_ABS if absolute else FAR_REL)
    if r < 0.8:
        return rnd.choice(PAST_ABS if absolute else DUE_REL)
    return rnd.choice(NOT_TIMES)


def expire_opts(rnd: random.Random) -> list[bytes]:
    return [rnd.choice(EXPIRE_FLAGS) for _ in range(rnd.choice((0, 0, 1, 1, 2)))]


# ---- templates ----------------------------------------------------------------------------------------------
# A step is (connection, args). A template returns a list of steps (most return one).

Step = tuple[int, list[bytes]]


@dataclass
class Template:
    name: str | None        # COMMAND INFO name ("client|list"); None: always runs (unknown-command probes)
    weight: int
    gen: Callable[[random.Random, "Context"], list[Step]]
    in_txn: bool = True     # may be queued inside MULTI by txn_block
    needs: tuple[str, ...] = ()  # other commands the block uses (all must be known)


@dataclass
class Context:
    known: set[str]                              # COMMAND INFO names the server under test knows
    simple: list[Template] = field(default_factory=list)  # templates usable inside MULTI
    stream_ms: int = 0                           # the last explicit stream id's ms (rising within a run)


def one(*args) -> list[Step]:
    return [(0, [a if isinstance(a, bytes) else str(a).encode() for a in args])]


def g_set(rnd, ctx):
    args = [b"SET", key(rnd), value(rnd)]
    for _ in range(rnd.choice((0, 0, 1, 1, 2, 3))):
        opt = rnd.choice([b"NX", b"XX", b"GET", b"KEEPTTL", b"EX", b"PX", b"EXAT", b"PXAT", b"nx", b"get", b"BAD"])
        args.append(opt)
        if opt in (b"EX", b"PX", b"EXAT", b"PXAT") and rnd.random() < 0.9:
            args.append(expire_value(rnd, absolute=opt.endswith(b"AT")))
    if _sets_past_expiry(args):
        # SET with a past EXAT/PXAT stores a key that is already expired; Redis counts it in DBSIZE and
        # INFO keyspace until its 10 Hz expiry cycle happens to reclaim it. EXISTS reclaims it on both now.
        return [(0, args), (0, [b"EXISTS", args[1]])]
    return [(0, args)]


def _sets_past_expiry(args: list[bytes]) -> bool:
    """SET ... EXAT/PXAT t with t before 2033 (e.g. PXAT 4102444800 is in 1970)."""
    for opt, val in zip(args, args[1:]):
        if opt.upper() in (b"EXAT", b"PXAT") and val.lstrip(b"-").isdigit():
            ms = int(val) * (1000 if opt.upper() == b"EXAT" else 1)
            if ms < 2_000_000_000_000:
                return True
    return False


def g_getex(rnd, ctx):
    args = [b"GETEX", key(rnd)]
    r = rnd.random()
    if r < 0.6:
        opt = rnd.choice([b"EX", b"PX", b"EXAT", b"PXAT", b"ex"])
        args += [opt] + ([expire_value(rnd, absolute=opt.upper().endswith(b"AT"))] if rnd.random() < 0.9 else [])
    elif r < 0.8:
        args.append(rnd.choice([b"PERSIST", b"persist", b"BAD"]))
    if rnd.random() < 0.1:
        args += [b"PERSIST"]
    return [(0, args)]


def g_lcs_block(rnd, ctx):
    """LCS on two keys only this block writes, with short values: Redis's LCS table is len(a)*len(b)."""
    words = [b"ohmytext", b"mynewtext", b"", b"a\x00b", b"abcabcabc", b"xyz", b"\r\n\r\n", b"aaaa"]
    steps = [(0, [b"SET", b"lcs1", rnd.choice(words)]), (0, [b"SET", b"lcs2", rnd.choice(words)])]
    args = [b"LCS", b"lcs1", rnd.choice([b"lcs2", b"lcs1", b"nolcs"])]
    for _ in range(rnd.choice((0, 1, 2, 3))):
        opt = rnd.choice([b"LEN", b"IDX", b"MINMATCHLEN", b"WITHMATCHLEN", b"BAD", b"idx"])
        args.append(opt)
        if opt == b"MINMATCHLEN" and rnd.random() < 0.9:
            args.append(rnd.choice([b"0", b"2", b"-1", b"abc", b"100"]))
    return steps + [(0, args)]


def g_expire(rnd, ctx):
    name = rnd.choice([b"EXPIRE", b"PEXPIRE", b"EXPIREAT", b"PEXPIREAT"])
    return [(0, [name, key(rnd), expire_value(rnd, absolute=name.endswith(b"AT"))] + expire_opts(rnd))]


def g_scan(rnd, ctx):
    # Cursor 0 with a COUNT larger than the keyspace: both servers return everything in one call, so only
    # the order of the keys differs (normalised). Bad cursors and options test the errors. (Any other
    # number, "-1" included, is a position in Redis's own table: not comparable.)
    args = [b"SCAN", rnd.choice([b"0", b"0", b"0", b"abc", b"", b"1x"])]
    for _ in range(rnd.choice((0, 1, 2, 3))):
        opt = rnd.choice([b"MATCH", b"COUNT", b"TYPE", b"BAD"])
        args.append(opt)
        if rnd.random() < 0.95:
            args.append({b"MATCH": lambda: rnd.choice(PATTERNS),
                         b"COUNT": lambda: rnd.choice([b"1000", b"1000", b"0", b"-1", b"abc"] + BIG_COUNTS),
                         b"TYPE": lambda: rnd.choice([b"string", b"list", b"nosuchtype", b"STRING"]),
                         b"BAD": lambda: b"x"}[opt]())
    if b"COUNT" not in args:
        args += [b"COUNT", b"1000"]
    return [(0, args)]


def g_copy(rnd, ctx):
    args = [b"COPY", key(rnd), key(rnd)]
    for _ in range(rnd.choice((0, 0, 1, 2))):
        opt = rnd.choice([b"REPLACE", b"DB", b"BAD"])
        args.append(opt)
        if opt == b"DB":
            args.append(rnd.choice([b"0", b"1", b"abc"]))
    return [(0, args)]


def g_config_set(rnd, ctx):
    # Only parameters the server under test lists in CONFIG GET (known as "config:<name>", see
    # known_commands): the others are a missing feature, reported once rather than on every run.
    names = [n for n in CONFIG_VALUES if "config:" + n.decode() in ctx.known] or [b"nosuch-param"]
    name = rnd.choice(names)
    args = [b"CONFIG", b"SET", name, rnd.choice(CONFIG_VALUES.get(name, [b"x"]))]
    if rnd.random() < 0.2:
        args.append(rnd.choice([b"slowlog-max-len", b"nosuch-param"]))
    return [(0, args)]


def g_command_info(rnd, ctx):
    names = sorted(n for n in ctx.known if n)
    return [(0, [b"COMMAND", b"INFO"] + [n.encode() for n in rnd.sample(names, min(len(names), rnd.randint(1, 3)))]
             + ([b"nosuchcmd"] if rnd.random() < 0.3 else []))]


def g_command_getkeys(rnd, ctx):
    cmd = rnd.choice([[b"SET", b"k", b"v"], [b"MSET", b"a", b"1", b"b", b"2"], [b"GET", b"k"], [b"PING"],
                      [b"NOSUCH", b"x"], [b"MGET", b"a", b"b"], [b"SET"], [b"COPY", b"a", b"b"],
                      [b"LCS", b"a", b"b"], [b"DEL", b"a", b"b", b"c"]])
    return [(0, [b"COMMAND", b"GETKEYS"] + cmd)]


def g_client_reply_block(rnd, ctx):
    """CLIENT REPLY OFF/SKIP: the runner's model knows which steps get no reply."""
    mode = rnd.choice([b"OFF", b"SKIP", b"ON", b"BAD"])
    steps = [(0, [b"CLIENT", b"REPLY", mode])]
    steps += [st for _ in range(rnd.randint(1, 3)) for st in rnd.choice(ctx.simple).gen(rnd, ctx)]
    if mode == b"OFF":
        steps.append((0, [b"CLIENT", b"REPLY", b"ON"]))
    return steps


def g_txn_block(rnd, ctx):
    """[WATCH k..] [a write from connection 1] MULTI, queued commands (some invalid), EXEC or DISCARD."""
    steps: list[Step] = []
    watched = rnd.sample(KEYS, rnd.randint(1, 2))
    if rnd.random() < 0.5:
        steps.append((0, [b"WATCH"] + watched))
        if rnd.random() < 0.5:
            steps.append((1, rnd.choice([[b"SET", rnd.choice(watched), b"other"], [b"DEL", rnd.choice(watched)],
                                         [b"GET", rnd.choice(watched)], [b"FLUSHALL"],
                                         [b"EXPIRE", rnd.choice(watched), b"0"]])))
        if rnd.random() < 0.2:
            steps.append((0, [b"UNWATCH"]))
    steps.append((0, [b"MULTI"]))
    for _ in range(rnd.randint(0, 4)):
        r = rnd.random()
        if r < 0.08:
            steps.append((0, rnd.choice([[b"NOSUCHCMD", b"x"], [b"GET"], [b"MULTI"], [b"WATCH", b"a"]])))
        else:
            steps += rnd.choice(ctx.simple).gen(rnd, ctx)
    steps.append((0, rnd.choice([[b"EXEC"], [b"EXEC"], [b"EXEC"], [b"DISCARD"], [b"EXEC", b"x"]])))
    if steps[-1][1] == [b"EXEC", b"x"]:  # an arity error leaves the transaction open
        steps.append((0, [b"DISCARD"]))
    return steps


def g_arity(rnd, ctx):
    names = [b"GET", b"SET", b"GETSET", b"GETDEL", b"GETEX", b"SETNX", b"SETEX", b"PSETEX", b"APPEND", b"STRLEN",
             b"GETRANGE", b"SETRANGE", b"SUBSTR", b"INCRBYFLOAT", b"MSETNX", b"LCS", b"INCR", b"INCRBY", b"DEL",
             b"EXISTS", b"UNLINK", b"TOUCH", b"EXPIRE", b"PEXPIREAT", b"TTL", b"EXPIRETIME", b"TYPE", b"KEYS",
             b"SCAN", b"RENAME", b"RENAMENX", b"COPY", b"OBJECT", b"MEMORY", b"ECHO", b"SELECT", b"WATCH",
             b"CLIENT", b"CONFIG", b"TIME", b"DBSIZE", b"RANDOMKEY", b"MSET", b"MGET", b"PERSIST", b"SLOWLOG"]
    known = [n for n in names if n.decode().lower() in ctx.known]
    name = rnd.choice(known)
    extra = [b"x"] * rnd.choice((0, 0, 4, 7))
    return [(0, [rnd.choice([name, name.lower()])] + extra)]


def g_unknown(rnd, ctx):
    # (No "get\x00": Redis compares command names with strcasecmp, so it is GET when its hash lands
    # in GET's bucket, which depends on Redis's random hash seed.)
    probes = [[b"NOSUCH"], [b"foo", b"a", b"b"], [b"GETT", b"k"], [b"FOO", b"a\r\nb"], [b"xyz\x00get"],
              [b"X" * 130, b"y" * 130], [b"FOO"] + [str(i).encode() for i in range(30)]]
    # an unknown subcommand of a container the server has (an unknown container is the case above)
    probes += [[c.upper().encode(), b"NOSUCH", b"a"][:rnd.randint(2, 3)]
               for c in ("client", "config", "object", "slowlog", "command", "memory") if c in ctx.known]
    return one(*rnd.choice(probes))


# weights are relative; the string and key commands dominate.
TEMPLATES: list[Template] = [
    # strings: SET, GET, MGET/MSET, INCR/DECR
    Template("set", 12, g_set),
    Template("get", 8, lambda r, c: one(b"GET", key(r))),
    Template("mget", 3, lambda r, c: one(b"MGET", *[key(r) for _ in range(r.randint(1, 4))])),
    Template("mset", 3, lambda r, c: one(b"MSET", *[x for _ in range(r.randint(1, 3)) for x in (key(r), value(r))])),
    Template("incr", 3, lambda r, c: one(r.choice([b"INCR", b"DECR"]), key(r))),
    Template("incrby", 3, lambda r, c: one(r.choice([b"INCRBY", b"DECRBY"]), key(r), r.choice(INTS))),
    # the other string commands
    Template("setnx", 2, lambda r, c: one(b"SETNX", key(r), value(r))),
    Template("setex", 2, lambda r, c: one(b"SETEX", key(r), r.choice(FAR_REL + DUE_REL + NOT_TIMES[:3]), value(r))),
    Template("psetex", 2, lambda r, c: one(b"PSETEX", key(r), r.choice(FAR_REL + DUE_REL + NOT_TIMES[:3]),
                                           value(r))),
    Template("getset", 2, lambda r, c: one(b"GETSET", key(r), value(r))),
    Template("getdel", 2, lambda r, c: one(b"GETDEL", key(r))),
    Template("getex", 3, g_getex),
    Template("append", 3, lambda r, c: one(b"APPEND", key(r), r.choice(VALUES[:7]))),
    Template("strlen", 2, lambda r, c: one(b"STRLEN", key(r))),
    Template("getrange", 3, lambda r, c: one(r.choice([b"GETRANGE", b"SUBSTR"]), key(r), r.choice(OFFSETS),
                                             r.choice(OFFSETS))),
    Template("setrange", 3, lambda r, c: one(b"SETRANGE", key(r), r.choice(OFFSETS[:8] + [b"536870912"]),
                                             r.choice(VALUES[:7]))),
    Template("incrbyfloat", 3, lambda r, c: one(b"INCRBYFLOAT", key(r), r.choice(FLOATS))),
    Template("msetnx", 2, lambda r, c: one(b"MSETNX", *[x for _ in range(r.randint(1, 3))
                                                       for x in (key(r), value(r))])),
    Template("lcs", 2, g_lcs_block, in_txn=False, needs=("set",)),
    # keyspace: DEL, EXISTS, EXPIRE, TTL, PERSIST, DBSIZE, FLUSH*
    Template("del", 3, lambda r, c: one(b"DEL", *r.sample(KEYS, r.randint(1, 3)))),
    Template("exists", 3, lambda r, c: one(b"EXISTS", *[key(r) for _ in range(r.randint(1, 4))])),
    Template("expire", 5, g_expire, needs=("pexpire", "expireat", "pexpireat")),
    Template("expire", 3, lambda r, c: one(r.choice([b"EXPIRE", b"PEXPIRE"]), key(r), expire_value(r),
                                           *expire_opts(r))),
    Template("ttl", 4, lambda r, c: one(r.choice([b"TTL", b"PTTL"]), key(r))),
    Template("persist", 2, lambda r, c: one(b"PERSIST", key(r))),
    Template("dbsize", 1, lambda r, c: one(b"DBSIZE")),
    Template("flushall", 1, lambda r, c: one(r.choice([b"FLUSHALL", b"FLUSHDB"]),
                                             *r.choice([[], [b"SYNC"], [b"ASYNC"], [b"BAD"]]))),
    # the other keyspace commands
    Template("unlink", 2, lambda r, c: one(b"UNLINK", *r.sample(KEYS, r.randint(1, 3)))),
    Template("touch", 2, lambda r, c: one(b"TOUCH", *[key(r) for _ in range(r.randint(1, 3))])),
    Template("expiretime", 3, lambda r, c: one(r.choice([b"EXPIRETIME", b"PEXPIRETIME"]), key(r)),
             needs=("pexpiretime",)),
    Template("type", 2, lambda r, c: one(b"TYPE", key(r))),
    Template("keys", 2, lambda r, c: one(b"KEYS", r.choice(PATTERNS))),
    Template("scan", 2, g_scan),
    Template("randomkey", 1, lambda r, c: one(b"RANDOMKEY")),
    Template("rename", 2, lambda r, c: one(r.choice([b"RENAME", b"RENAMENX"]), key(r), key(r)),
             needs=("renamenx",)),
    Template("copy", 2, g_copy),
    Template("object|encoding", 1, lambda r, c: one(b"OBJECT", b"ENCODING", key(r))),
    Template("object|refcount", 1, lambda r, c: one(b"OBJECT", b"REFCOUNT", key(r))),
    Template("object|idletime", 1, lambda r, c: one(b"OBJECT", b"IDLETIME", key(r))),
    Template("object|freq", 1, lambda r, c: one(b"OBJECT", b"FREQ", key(r))),
    Template("memory|usage", 1, lambda r, c: one(b"MEMORY", b"USAGE", key(r), *r.choice([[], [b"SAMPLES", b"5"],
                                                                                        [b"BAD"]]))),
    Template("memory|help", 1, lambda r, c: one(b"MEMORY", b"HELP", *r.choice([[], [b"x"]]))),
    # LATENCY where Redis 7.0 is deterministic: no threshold is set, so no event; unknown names only
    Template("latency|latest", 1, lambda r, c: one(b"LATENCY", r.choice([b"LATEST", b"latest"]))),
    Template("latency|history", 1, lambda r, c: one(b"LATENCY", b"HISTORY", r.choice([b"command", b"x", b""]))),
    Template("latency|graph", 1, lambda r, c: one(b"LATENCY", b"GRAPH", r.choice([b"command", b"x\r\ny"]))),
    Template("latency|reset", 1, lambda r, c: one(b"LATENCY", b"RESET", *r.sample([b"command", b"x", b"y"],
                                                                                r.randint(0, 2)))),
    Template("latency|histogram", 1, lambda r, c: one(b"LATENCY", b"HISTOGRAM",
                                                      *r.sample([b"nosuch", b"client|nosuch", b"x|y"],
                                                                r.randint(1, 3)))),
    Template("latency|help", 1, lambda r, c: one(b"LATENCY", b"HELP")),
    # hashes and sets: keys shared with the string templates, so WRONGTYPE comes up often
    Template("hset", 3, lambda r, c: one(r.choice([b"HSET", b"HMSET"]), key(r),
                                         *[x for _ in range(r.randint(0, 3)) for x in (r.choice(FIELDS), value(r))])),
    Template("hsetnx", 1, lambda r, c: one(b"HSETNX", key(r), r.choice(FIELDS), value(r))),
    Template("hget", 2, lambda r, c: one(r.choice([b"HGET", b"HEXISTS", b"HSTRLEN"]), key(r), r.choice(FIELDS)),
             needs=("hexists", "hstrlen")),
    Template("hmget", 1, lambda r, c: one(b"HMGET", key(r), *r.sample(FIELDS, r.randint(1, 3)))),
    Template("hdel", 2, lambda r, c: one(b"HDEL", key(r), *r.sample(FIELDS, r.randint(1, 3)))),
    Template("hgetall", 2, lambda r, c: one(r.choice([b"HGETALL", b"HKEYS", b"HVALS", b"HLEN"]), key(r)),
             needs=("hkeys", "hvals", "hlen")),
    Template("hincrby", 2, lambda r, c: one(b"HINCRBY", key(r), r.choice(FIELDS), r.choice(INTS))),
    Template("hincrbyfloat", 2, lambda r, c: one(b"HINCRBYFLOAT", key(r), r.choice(FIELDS), r.choice(FLOATS))),
    Template("hrandfield", 1, lambda r, c: one(b"HRANDFIELD", key(r), *r.choice([[], [b"2"], [b"-3"], [b"5", b"WITHVALUES"],
                                                                                  [b"x"], [b"1", b"BAD"]]
                                                                        + [[n] for n in BIG_COUNTS]))),
    Template("hscan", 1, lambda r, c: one(b"HSCAN", key(r), r.choice([b"0", b"x"]),
                                          *r.choice([[], [b"MATCH", b"f*"], [b"COUNT", b"0"], [b"BAD"],
                                                     [b"COUNT", BIG_COUNTS[1]]]))),
    Template("sadd", 3, lambda r, c: one(r.choice([b"SADD", b"SREM"]), key(r), *r.sample(MEMBERS, r.randint(1, 3))),
             needs=("srem",)),
    Template("scard", 2, lambda r, c: one(r.choice([b"SCARD", b"SMEMBERS"]), key(r)), needs=("smembers",)),
    Template("sismember", 2, lambda r, c: one(r.choice([b"SISMEMBER", b"SMISMEMBER"]), key(r), r.choice(MEMBERS)),
             needs=("smismember",)),
    Template("smove", 1, lambda r, c: one(b"SMOVE", key(r), key(r), r.choice(MEMBERS))),
    # (SRANDMEMBER only: a partial SPOP would leave the two servers holding different members)
    Template("srandmember", 1, lambda r, c: one(b"SRANDMEMBER", key(r), *r.choice([[], [b"0"], [b"2"], [b"-2"],
                                                                                   [b"x"]]
                                                                        + [[n] for n in BIG_COUNTS]))),
    Template("sinter", 2, lambda r, c: one(r.choice([b"SINTER", b"SUNION", b"SDIFF", b"SINTERSTORE", b"SUNIONSTORE",
                                                     b"SDIFFSTORE"]), *[key(r) for _ in range(r.randint(1, 3))]),
             needs=("sunion", "sdiff", "sinterstore", "sunionstore", "sdiffstore")),
    Template("sintercard", 1, lambda r, c: one(b"SINTERCARD", r.choice([b"1", b"2", b"0", b"x"]), key(r), key(r),
                                               *r.choice([[], [b"LIMIT", b"1"], [b"LIMIT", b"-1"]]
                                                         + [[b"LIMIT", n] for n in EXTREMES]))),
    Template("sscan", 1, lambda r, c: one(b"SSCAN", key(r), b"0", *r.choice([[], [b"MATCH", b"1*"], [b"COUNT", b"x"],
                                                                            [b"COUNT", BIG_COUNTS[1]]]))),
    # connection and server
    Template("ping", 1, lambda r, c: one(b"PING", *r.choice([[], [value(r)], [b"a", b"b"]]))),
    Template("echo", 1, lambda r, c: one(b"ECHO", value(r))),
    Template("select", 1, lambda r, c: one(b"SELECT", r.choice([b"0", b"1", b"-1", b"abc"]))),
    Template("hello", 1, lambda r, c: one(b"HELLO", *r.choice([[b"3"], [b"2"], [b"3"], [b"4"], [b"abc"], [],
                                                               [b"3", b"SETNAME", b"fz"], [b"2", b"BAD"]])),
             in_txn=False),
    Template("client|setname", 1, lambda r, c: one(b"CLIENT", b"SETNAME", r.choice([b"fz", b"", b"a b"]))),
    Template("client|getname", 1, lambda r, c: one(b"CLIENT", b"GETNAME")),
    Template("client|id", 1, lambda r, c: one(b"CLIENT", b"ID")),
    Template("client|info", 1, lambda r, c: one(b"CLIENT", b"INFO")),
    Template("client|list", 1, lambda r, c: one(b"CLIENT", b"LIST", *r.choice([[], [b"TYPE", b"normal"],
                                                                               [b"TYPE", b"bad"], [b"ID", b"abc"]]))),
    Template("client|no-evict", 1, lambda r, c: one(b"CLIENT", b"NO-EVICT", r.choice([b"on", b"off", b"bad"]))),
    # (CLIENT NO-TOUCH is Redis 7.2; the reference redis-server is 7.0, so it cannot be compared here.)
    Template("client|kill", 1, lambda r, c: one(b"CLIENT", b"KILL", *r.choice([[b"ID", b"999999999"],
                                                                               [b"1.2.3.4:5"], [b"ID", b"abc"],
                                                                               [b"BAD", b"x"]]))),
    Template("client|reply", 1, g_client_reply_block, in_txn=False),
    Template("time", 1, lambda r, c: one(b"TIME")),
    Template("info", 1, lambda r, c: one(b"INFO", *r.choice([[b"keyspace"], [b"server"], [], [b"nosuch"]]))),
    Template("config|get", 1, lambda r, c: one(b"CONFIG", b"GET", *[r.choice([p for p in CONFIG_GET_PARAMS if
                                                                                "config:" + p.decode() in c.known]
                                                                               + [b"nosuch", b"MAXMEMORY"])
                                                                      for _ in range(r.randint(1, 2))])),
    Template("config|set", 1, g_config_set),
    Template("config|resetstat", 1, lambda r, c: one(b"CONFIG", b"RESETSTAT")),
    Template("command|info", 1, g_command_info),
    Template("command|getkeys", 1, g_command_getkeys),
    Template("slowlog|len", 1, lambda r, c: one(b"SLOWLOG", b"LEN")),
    Template("slowlog|get", 1, lambda r, c: one(b"SLOWLOG", b"GET", *r.choice([[], [b"1"], [b"-1"], [b"abc"]]))),
    Template("slowlog|reset", 1, lambda r, c: one(b"SLOWLOG", b"RESET")),
    Template("reset", 1, lambda r, c: one(b"RESET"), in_txn=False),
    Template("quit", 1, lambda r, c: one(b"QUIT"), in_txn=False),
    # transactions
    Template("multi", 4, g_txn_block, in_txn=False, needs=("exec", "discard", "watch", "unwatch")),
    Template("exec", 1, lambda r, c: one(r.choice([b"EXEC", b"DISCARD", b"UNWATCH"])), in_txn=False,
             needs=("discard", "unwatch")),
    # errors every server gives
    Template(None, 2, g_unknown),
    Template(None, 2, g_arity),
]

# lists (on the same keys as strings, so WRONGTYPE both ways comes up often).
LIST_ENDS = [b"LEFT", b"RIGHT", b"left", b"up"]
TEMPLATES += [
    Template("lpush", 4, lambda r, c: one(r.choice([b"LPUSH", b"RPUSH", b"LPUSHX", b"RPUSHX"]), key(r),
                                          *[value(r) for _ in range(r.randint(1, 4))]),
             needs=("rpush", "lpushx", "rpushx")),
    Template("lpop", 3, lambda r, c: one(r.choice([b"LPOP", b"RPOP"]), key(r),
                                         *r.choice([[], [], [b"2"], [b"0"], [b"-1"], [b"abc"], [b"100"]]
                                                   + [[n] for n in EXTREMES])),
             needs=("rpop",)),
    Template("lrange", 3, lambda r, c: one(b"LRANGE", key(r), r.choice(OFFSETS), r.choice(OFFSETS))),
    Template("llen", 1, lambda r, c: one(b"LLEN", key(r))),
    Template("lindex", 2, lambda r, c: one(b"LINDEX", key(r), r.choice(OFFSETS))),
    Template("lset", 1, lambda r, c: one(b"LSET", key(r), r.choice(OFFSETS[:7]), value(r))),
    Template("lrem", 1, lambda r, c: one(b"LREM", key(r), r.choice(INTS[:6] + EXTREMES), value(r))),
    Template("ltrim", 1, lambda r, c: one(b"LTRIM", key(r), r.choice(OFFSETS), r.choice(OFFSETS))),
    Template("linsert", 1, lambda r, c: one(b"LINSERT", key(r), r.choice([b"BEFORE", b"after", b"middle"]),
                                            value(r), value(r))),
    Template("lpos", 1, lambda r, c: one(b"LPOS", key(r), value(r),
                                         *r.choice([[], [b"RANK", b"-1"], [b"RANK", b"0"], [b"COUNT", b"0"],
                                                    [b"COUNT", b"2", b"MAXLEN", b"3"], [b"RANK", b"abc"],
                                                    [b"BAD"]] + [[opt, n] for opt in (b"RANK", b"COUNT", b"MAXLEN")
                                                                  for n in EXTREMES]
                                                  + [[b"RANK", EXTREMES[0], b"COUNT", b"1"]]))),
    Template("lmove", 2, lambda r, c: one(b"LMOVE", key(r), key(r), r.choice(LIST_ENDS), r.choice(LIST_ENDS))),
    Template("rpoplpush", 1, lambda r, c: one(b"RPOPLPUSH", key(r), key(r))),
]


# ---- sorted sets ----
ZMEMBERS = [b"a", b"b", b"c", b"m1", b"", b"\x00\xff", b"x" * 65, b"1"]
ZSCORES = FLOATS + [b"1", b"2", b"-3", b"10", b"+inf"]
ZRANGE_ENDS = [b"-inf", b"+inf", b"(1", b"(2", b"0", b"1", b"2.5", b"(-inf", b"x", b"(", b"nan", b"10", b""]
ZLEX_ENDS = [b"-", b"+", b"[a", b"(b", b"[m", b"(", b"a", b"[", b"[\x00", b"[x"]
ZRANKS = [b"0", b"1", b"-1", b"2", b"-2", b"100", b"-100", b"x"] + EXTREMES[:2] + EXTREMES[4:]


def g_zadd(rnd, ctx):
    flags = rnd.sample([b"NX", b"XX", b"GT", b"LT", b"CH", b"INCR", b"ch"], rnd.choice((0, 0, 1, 2)))
    pairs = [x for _ in range(rnd.choice((1, 1, 2, 3))) for x in (rnd.choice(ZSCORES), rnd.choice(ZMEMBERS))]
    if rnd.random() < 0.05:
        pairs = pairs[:-1]  # odd: a syntax error
    return one(b"ZADD", key(rnd), *flags, *pairs)


def g_zrange(rnd, ctx):
    by = rnd.choice(["rank", "rank", "score", "lex"])
    ends = {"rank": ZRANKS, "score": ZRANGE_ENDS, "lex": ZLEX_ENDS}[by]
    opts = [] if by == "rank" else [b"BYSCORE" if by == "score" else b"BYLEX"]
    if rnd.random() < 0.4:
        opts.append(b"REV")
    if rnd.random() < 0.4:
        opts.append(b"WITHSCORES")
    if by != "rank" and rnd.random() < 0.4 or rnd.random() < 0.05:
        opts += [b"LIMIT", rnd.choice(ZRANKS), rnd.choice(ZRANKS)]
    rnd.shuffle(opts)
    return one(b"ZRANGE", key(rnd), rnd.choice(ends), rnd.choice(ends), *opts)


def g_zrange_legacy(rnd, ctx):
    name = rnd.choice([b"ZREVRANGE", b"ZRANGEBYSCORE", b"ZREVRANGEBYSCORE", b"ZRANGEBYLEX", b"ZREVRANGEBYLEX"])
    ends = ZRANKS if name == b"ZREVRANGE" else ZLEX_ENDS if b"LEX" in name else ZRANGE_ENDS
    opts = []
    if b"LEX" not in name and rnd.random() < 0.5:
        opts.append(b"WITHSCORES")
    if name != b"ZREVRANGE" and rnd.random() < 0.3:
        opts += [b"LIMIT", rnd.choice(ZRANKS), rnd.choice(ZRANKS)]
    return one(name, key(rnd), rnd.choice(ends), rnd.choice(ends), *opts)


def g_zremrange(rnd, ctx):
    name = rnd.choice([b"ZREMRANGEBYRANK", b"ZREMRANGEBYSCORE", b"ZREMRANGEBYLEX"])
    ends = ZRANKS if name.endswith(b"RANK") else ZLEX_ENDS if name.endswith(b"LEX") else ZRANGE_ENDS
    return one(name, key(rnd), rnd.choice(ends), rnd.choice(ends))


def g_zstore(rnd, ctx):
    srcs = [key(rnd) for _ in range(rnd.randint(1, 3))]
    opts = []
    if rnd.random() < 0.4:
        opts += [b"WEIGHTS"] + [rnd.choice(ZSCORES[:8]) for _ in srcs]
    if rnd.random() < 0.4:
        opts += [b"AGGREGATE", rnd.choice([b"SUM", b"MIN", b"max", b"avg"])]
    return one(rnd.choice([b"ZUNIONSTORE", b"ZINTERSTORE"]), key(rnd),
               rnd.choice([str(len(srcs)).encode()] * 4 + [b"0", b"x", b"9"]), *srcs, *opts)


def g_zread_op(rnd):
    name = rnd.choice([b"ZUNION", b"ZINTER", b"ZDIFF", b"ZINTERCARD"])
    srcs = [key(rnd) for _ in range(rnd.randint(1, 3))]
    opts = []
    if name == b"ZINTERCARD":
        opts = rnd.choice([[], [b"LIMIT", b"1"], [b"LIMIT", b"0"], [b"LIMIT", b"-1"]]
                          + [[b"LIMIT", n] for n in EXTREMES])
    elif rnd.random() < 0.5:
        opts = [b"WITHSCORES"]
    if name in (b"ZUNION", b"ZINTER") and rnd.random() < 0.3:
        opts += [b"AGGREGATE", rnd.choice([b"MIN", b"MAX"])]
    return one(name, str(len(srcs)).encode(), *srcs, *opts)


ZSET_TEMPLATES: list[Template] = [
    Template("zadd", 6, g_zadd),
    Template("zincrby", 2, lambda r, c: one(b"ZINCRBY", key(r), r.choice(ZSCORES), r.choice(ZMEMBERS))),
    Template("zscore", 2, lambda r, c: one(b"ZSCORE", key(r), r.choice(ZMEMBERS))),
    Template("zmscore", 1, lambda r, c: one(b"ZMSCORE", key(r), *r.sample(ZMEMBERS, r.randint(1, 3)))),
    Template("zcard", 2, lambda r, c: one(b"ZCARD", key(r))),
    Template("zcount", 2, lambda r, c: one(b"ZCOUNT", key(r), r.choice(ZRANGE_ENDS), r.choice(ZRANGE_ENDS))),
    Template("zlexcount", 1, lambda r, c: one(b"ZLEXCOUNT", key(r), r.choice(ZLEX_ENDS), r.choice(ZLEX_ENDS))),
    Template("zrank", 2, lambda r, c: one(r.choice([b"ZRANK", b"ZREVRANK"]), key(r), r.choice(ZMEMBERS)),
             needs=("zrevrank",)),
    Template("zrange", 4, g_zrange),
    Template("zrevrange", 2, g_zrange_legacy, needs=("zrangebyscore", "zrevrangebyscore", "zrangebylex",
                                                      "zrevrangebylex")),
    Template("zrem", 2, lambda r, c: one(b"ZREM", key(r), *r.sample(ZMEMBERS, r.randint(1, 3)))),
    Template("zremrangebyrank", 1, g_zremrange, needs=("zremrangebyscore", "zremrangebylex")),
    Template("zpopmin", 2, lambda r, c: one(r.choice([b"ZPOPMIN", b"ZPOPMAX"]), key(r),
                                            *r.choice([[], [b"1"], [b"2"], [b"0"], [b"-1"], [b"x"], [b"100"]]
                                                      + [[n] for n in EXTREMES])),
             needs=("zpopmax",)),
    Template("zrandmember", 1, lambda r, c: one(b"ZRANDMEMBER", key(r), *r.choice([[], [b"2"], [b"-3"],
                                                                                   [b"2", b"WITHSCORES"], [b"x"]]
                                                                        + [[n] for n in BIG_COUNTS]))),
    # COUNT above any set's size: one call returns everything on both servers (order compared sorted)
    Template("zscan", 1, lambda r, c: one(b"ZSCAN", key(r), b"0", b"COUNT", b"1000",
                                          *r.choice([[], [b"MATCH", b"a*"], [b"MATCH", b"*"]]))),
    Template("zunionstore", 2, g_zstore, needs=("zinterstore",)),
    Template("zunion", 2, lambda r, c: g_zread_op(r), needs=("zinter", "zdiff", "zintercard")),
    Template("zmpop", 1, lambda r, c: one(b"ZMPOP", b"2", key(r), key(r), r.choice([b"MIN", b"MAX", b"BAD"]),
                                          *r.choice([[], [b"COUNT", b"2"], [b"COUNT", b"0"]]
                                                    + [[b"COUNT", n] for n in EXTREMES]))),
    Template("zdiffstore", 1, lambda r, c: one(b"ZDIFFSTORE", key(r), b"2", key(r), key(r))),
    Template("zrangestore", 1, lambda r, c: [(s[0], [b"ZRANGESTORE", key(r)] + s[1][1:]) for s in g_zrange(r, c)]),
]
TEMPLATES += ZSET_TEMPLATES


# ---- bitmaps (on the string keys); offsets stay small: a valid far offset allocates up to 512 MB ----
BIT_OFFSETS = [b"0", b"1", b"7", b"8", b"63", b"100", b"1000", b"-1", b"abc", b"", b"4294967296", b"#3", b"1 "]
BIT_RANGE_ENDS = [b"0", b"1", b"-1", b"2", b"-2", b"5", b"-5", b"17", b"100", b"-100", b"x"] + EXTREMES[:1] + EXTREMES[4:]
BIT_UNITS = [b"BIT", b"BYTE", b"bit", b"bits", b"bit\x00"]
BIT_TYPES = [b"u1", b"i1", b"u8", b"i8", b"u16", b"i13", b"u63", b"i64", b"u64", b"i65", b"i0", b"x8", b"", b"u8\x00"]
BIT_FIELD_OFFSETS = [b"0", b"1", b"3", b"9", b"64", b"100", b"#0", b"#1", b"#7", b"-1", b"#-1", b"#", b"x",
                     b"4294967296", b"#" + str(2**62 + 1).encode()]


def g_bitfield(rnd, ctx):
    args = [rnd.choice([b"BITFIELD", b"BITFIELD", b"BITFIELD_RO"]), key(rnd)]
    for _ in range(rnd.randint(0, 4)):
        op = rnd.choice([b"GET", b"SET", b"INCRBY", b"OVERFLOW", b"get", b"incrby", b"BAD"])
        if op == b"OVERFLOW":
            args += [op, rnd.choice([b"WRAP", b"SAT", b"FAIL", b"fail", b"BAD"])]
            continue
        args += [op, rnd.choice(BIT_TYPES), rnd.choice(BIT_FIELD_OFFSETS)]
        if op.upper() in (b"SET", b"INCRBY") and rnd.random() < 0.95:
            args.append(rnd.choice(INTS + EXTREMES))
    return one(*args)


def g_bitrange(rnd, ctx):
    tail = [rnd.choice(BIT_RANGE_ENDS) for _ in range(rnd.choice((0, 1, 2, 2)))]
    if len(tail) == 2 and rnd.random() < 0.6:
        tail.append(rnd.choice(BIT_UNITS))
    if rnd.random() < 0.5:
        return one(b"BITCOUNT", key(rnd), *tail)
    return one(b"BITPOS", key(rnd), rnd.choice([b"0", b"1", b"1", b"2", b"x"]), *tail)


TEMPLATES += [
    Template("setbit", 3, lambda r, c: one(b"SETBIT", key(r), r.choice(BIT_OFFSETS), r.choice([b"0", b"1", b"2", b"x"]))),
    Template("getbit", 2, lambda r, c: one(b"GETBIT", key(r), r.choice(BIT_OFFSETS))),
    Template("bitcount", 3, g_bitrange, needs=("bitpos",)),
    Template("bitop", 2, lambda r, c: one(b"BITOP", r.choice([b"AND", b"OR", b"XOR", b"NOT", b"not", b"NAND"]),
                                          *[key(r) for _ in range(r.randint(2, 4))])),
    Template("bitfield", 3, g_bitfield, needs=("bitfield_ro",)),
]


# ---- geo: a few spots near the poles' limits and the antimeridian, and some past the limits or not numbers.
# GEOADD and the stores write their own keys (GEO_KEYS): members at mixed scores would meet the lex range
# commands, whose result on such a set Redis leaves undefined (it follows the skiplist's random levels);
# the reads also take the other keys, whose ZADD scores decode too ----
GEO_SPOTS = [(b"13.361389", b"38.115556"), (b"15.087269", b"37.502669"), (b"-180", b"85.05112878"), (b"0", b"0"),
             (b"180", b"-85.05112878"), (b"179.9999", b"-0.0001"), (b"-179.9999", b"0.0001"), (b"12.5", b"85"),
             (b"181", b"0"), (b"0", b"85.06"), (b"x", b"1"), (b"1", b"")]
GEO_UNITS = [b"m", b"km", b"mi", b"ft", b"KM", b"yd"]
GEO_SIZES = [b"0", b"1", b"500", b"300000", b"20000000", b"-1", b"x", b"1e3", b"inf"]
GEO_KEYS = [b"geo1", b"{tag}geo2"]


def geo_key(rnd: random.Random, write: bool = False) -> bytes:
    return rnd.choice(GEO_KEYS) if write or rnd.random() < 0.7 else key(rnd)


def g_geoadd(rnd, ctx):
    flags = rnd.sample([b"NX", b"XX", b"CH", b"ch"], rnd.choice((0, 0, 1, 2)))
    triples = [x for _ in range(rnd.choice((1, 1, 2, 3))) for x in (*rnd.choice(GEO_SPOTS), rnd.choice(ZMEMBERS))]
    if rnd.random() < 0.05:
        triples = triples[:-1]  # not triples: a syntax error
    return one(b"GEOADD", geo_key(rnd, True), *flags, *triples)


def g_geosearch(rnd, ctx):
    opts = rnd.sample([b"WITHDIST", b"WITHCOORD", b"WITHHASH", b"ASC", b"DESC", b"ANY"], rnd.choice((0, 1, 2, 3)))
    if rnd.random() < 0.4:
        opts += [b"COUNT", rnd.choice([b"1", b"2", b"5", b"0", b"-1", b"x"])]
    rnd.shuffle(opts)
    radius = [rnd.choice(GEO_SIZES), rnd.choice(GEO_UNITS)]
    kind = rnd.randrange(5)
    if kind == 0:
        store = rnd.choice([[], [], [b"STORE", geo_key(rnd, True)], [b"STOREDIST", geo_key(rnd, True)]])
        return one(rnd.choice([b"GEORADIUS", b"GEORADIUS_RO"]), geo_key(rnd), *rnd.choice(GEO_SPOTS), *radius, *opts, *store)
    if kind == 1:
        store = rnd.choice([[], [], [b"STORE", geo_key(rnd, True)], [b"STOREDIST", geo_key(rnd, True)]])
        return one(rnd.choice([b"GEORADIUSBYMEMBER", b"GEORADIUSBYMEMBER_RO"]), geo_key(rnd), rnd.choice(ZMEMBERS), *radius,
                   *opts, *store)
    center = rnd.choice([[b"FROMMEMBER", rnd.choice(ZMEMBERS)], [b"FROMLONLAT", *rnd.choice(GEO_SPOTS)], []])
    shape = rnd.choice([[b"BYRADIUS", *radius], [b"BYBOX", rnd.choice(GEO_SIZES), *radius], []])
    if kind == 2:
        return one(b"GEOSEARCHSTORE", geo_key(rnd, True), geo_key(rnd), *center, *shape, *opts, *rnd.choice([[], [b"STOREDIST"]]))
    return one(b"GEOSEARCH", geo_key(rnd), *center, *shape, *opts)


TEMPLATES += [
    Template("geoadd", 3, g_geoadd),
    Template("geopos", 1, lambda r, c: one(r.choice([b"GEOPOS", b"GEOHASH"]), geo_key(r), *r.sample(ZMEMBERS, r.randint(0, 3))),
             needs=("geohash",)),
    Template("geodist", 1, lambda r, c: one(b"GEODIST", geo_key(r), r.choice(ZMEMBERS), r.choice(ZMEMBERS),
                                            *r.choice([[], [b"km"], [b"FT"], [b"yd"], [b"m", b"x"]]))),
    Template("geosearch", 3, g_geosearch, needs=("geosearchstore", "georadius", "georadius_ro", "georadiusbymember",
                                                 "georadiusbymember_ro")),
]


# ---- HyperLogLog (on the string keys): elements from a small pool, so registers repeat and PFADD answers 0
# too; the string commands' SETRANGE/APPEND corrupt some of them, as Redis's own fuzzing test does ----
HLL_ELEMENTS = [b"a", b"b", b"", b"\x00", b"x" * 70] + [b"%d" % i for i in range(40)]
HLL_DEBUG = [b"ENCODING", b"DECODE", b"TODENSE", b"GETREG", b"decode", b"BAD"]


def g_pfadd(rnd, ctx):
    return one(b"PFADD", key(rnd), *[rnd.choice(HLL_ELEMENTS) for _ in range(rnd.choice((0, 1, 1, 3, 10)))])


TEMPLATES += [
    Template("pfadd", 3, g_pfadd),
    Template("pfcount", 2, lambda r, c: one(b"PFCOUNT", *[key(r) for _ in range(r.choice((1, 1, 2, 3)))])),
    Template("pfmerge", 1, lambda r, c: one(b"PFMERGE", *[key(r) for _ in range(r.randint(1, 3))])),
    Template("pfdebug", 1, lambda r, c: one(b"PFDEBUG", r.choice(HLL_DEBUG), key(r))),
]


# ---- streams: explicit ids (mostly rising, from one counter), small values so that both servers cut
# nodes at the same entry (stream-node-max-entries) and "~" trims agree; no "*" ids, XINFO STREAM,
# XPENDING's extended form or XINFO CONSUMERS (times) ----
SFIELDS = [b"f", b"g"]
SVALUES = [b"v", b"1", b"", b"xy", b"\x00"]


def g_sid(rnd, ctx) -> bytes:
    ctx.stream_ms += 3  # rising ids within a run, and the same ones for the same seed
    ms = ctx.stream_ms
    return rnd.choice([b"%d-%d" % (ms - 2, rnd.randint(0, 2)), b"%d-*" % (ms - 1),
                       b"%d" % ms, b"0-0", b"1-1", b"x", b"-", b"+", b"(5"])


def g_range_id(rnd) -> bytes:
    return rnd.choice([b"-", b"+", b"0", b"(1-1", b"%d" % rnd.randint(0, 300), b"(%d-1" % rnd.randint(0, 300),
                       b"x", b"(+", b"(-"])


def g_xadd(rnd, ctx):
    trim = rnd.choice([[], [], [b"MAXLEN", b"5"], [b"MAXLEN", b"=", b"3"], [b"MAXLEN", b"~", b"2"],
                       [b"MINID", b"%d" % rnd.randint(0, 300)], [b"MAXLEN", b"~", b"1", b"LIMIT", b"100"],
                       [b"MAXLEN", b"-1"], [b"LIMIT", b"1"], [b"NOMKSTREAM"]])
    pairs = [x for _ in range(rnd.choice((1, 1, 2))) for x in (rnd.choice(SFIELDS), rnd.choice(SVALUES))]
    return one(b"XADD", key(rnd), *trim, g_sid(rnd, ctx), *pairs[:rnd.choice((len(pairs), len(pairs), 1))])


def g_xread(rnd, ctx):
    k = key(rnd)
    count = rnd.choice([[], [b"COUNT", b"2"], [b"COUNT", b"0"], [b"COUNT", b"x"]])
    return one(b"XREAD", *count, b"STREAMS", k, *rnd.choice([[b"0"], [b"$"], [b">"], [b"x"], []]))


def g_xreadgroup(rnd, ctx):
    return one(b"XREADGROUP", b"GROUP", rnd.choice([b"g1", b"g2"]), rnd.choice([b"c1", b"c2"]),
               *rnd.choice([[], [b"COUNT", b"1"], [b"NOACK"]]), b"STREAMS", key(rnd),
               rnd.choice([b">", b">", b"0", b"$", b"x"]))


def g_xgroup(rnd, ctx):
    k, g = key(rnd), rnd.choice([b"g1", b"g2"])
    return one(b"XGROUP", *rnd.choice([[b"CREATE", k, g, rnd.choice([b"$", b"0", b"x"])],
                                       [b"CREATE", k, g, b"$", b"MKSTREAM"], [b"SETID", k, g, b"0"],
                                       [b"SETID", k, g, b"$", b"ENTRIESREAD", b"1"], [b"DESTROY", k, g],
                                       [b"CREATECONSUMER", k, g, b"c1"], [b"DELCONSUMER", k, g, b"c2"],
                                       [b"CREATE", k, g, b"0", b"ENTRIESREAD", b"-5"], [b"BAD", k, g]]))


STREAM_TEMPLATES: list[Template] = [
    Template("xadd", 6, g_xadd),
    Template("xlen", 1, lambda r, c: one(b"XLEN", key(r))),
    Template("xrange", 3, lambda r, c: one(r.choice([b"XRANGE", b"XREVRANGE"]), key(r), g_range_id(r), g_range_id(r),
                                           *r.choice([[], [b"COUNT", b"2"], [b"COUNT", b"0"], [b"COUNT", b"-1"]])),
             needs=("xrevrange",)),
    Template("xdel", 1, lambda r, c: one(b"XDEL", key(r), *[g_range_id(r) for _ in range(r.randint(1, 2))])),
    Template("xtrim", 1, lambda r, c: one(b"XTRIM", key(r), *r.choice([[b"MAXLEN", b"3"], [b"MINID", b"(9"],
                                                                       [b"MAXLEN", b"~", b"1"], [b"BAD"], []]))),
    Template("xsetid", 1, lambda r, c: one(b"XSETID", key(r), g_range_id(r))),
    Template("xread", 2, g_xread),
    Template("xgroup|create", 2, g_xgroup),
    Template("xreadgroup", 2, g_xreadgroup),
    Template("xack", 1, lambda r, c: one(b"XACK", key(r), r.choice([b"g1", b"g2"]), g_range_id(r))),
    Template("xpending", 1, lambda r, c: one(b"XPENDING", key(r), r.choice([b"g1", b"g2"]))),
    Template("xclaim", 1, lambda r, c: one(b"XCLAIM", key(r), b"g1", b"c2", b"0", g_range_id(r),
                                           *r.choice([[b"JUSTID"], [], [b"FORCE"], [b"RETRYCOUNT", b"3"]]))),
    Template("xautoclaim", 1, lambda r, c: one(b"XAUTOCLAIM", key(r), b"g1", b"c1", b"0", g_range_id(r),
                                               *r.choice([[], [b"COUNT", b"1"], [b"JUSTID"]]))),
    Template("xinfo|groups", 1, lambda r, c: one(b"XINFO", b"GROUPS", key(r))),
]
TEMPLATES += STREAM_TEMPLATES


# ---- DUMP / RESTORE: payloads built here, valid and broken (Redis's CRC-64 in Python) ----
def crc64(data: bytes) -> int:
    """Redis's CRC-64 (Jones, reflected), bit by bit: the tests' own, not the server's."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x95AC9329AC4BC9B5 if crc & 1 else 0)
    return crc


def dump_payload(body: bytes, version: int = 10) -> bytes:
    """A DUMP payload: body, RDB version, CRC-64 (little-endian)."""
    head = body + version.to_bytes(2, "little")
    return head + crc64(head).to_bytes(8, "little")


# A string, an int8 and int32 string, plain list, set, hash and text-score zset (loaded as listpack,
# intset, listpack...), an empty set, duplicate members, an unknown type, a truncated string.
DUMP_BODIES = [b"\x00\x05hello", b"\x00\xc0\x7b", b"\x00\xc2\x00\x00\x01\x80", b"\x01\x02\x01a\x02bb",
               b"\x02\x03\x011\x012\x013", b"\x04\x01\x01f\x01v", b"\x03\x02\x01a\x031.5\x01b\xfe",
               b"\x02\x00", b"\x02\x02\x01a\x01a", b"\x06\x00", b"\x00\x0aabc"]
RESTORE_PAYLOADS = [dump_payload(b) for b in DUMP_BODIES] + [
    dump_payload(b"\x00\x01x", 11), dump_payload(b"\x00\x01x")[:-1] + b"\x00", b"", b"\x00\x01x"]


def g_restore(rnd, ctx):
    args = [b"RESTORE", key(rnd), rnd.choice([b"0", b"0", b"100000000", b"-1", b"abc"]), rnd.choice(RESTORE_PAYLOADS)]
    for _ in range(rnd.choice((0, 1, 1, 2, 3))):
        opt = rnd.choice([b"REPLACE", b"replace", b"ABSTTL", b"IDLETIME", b"FREQ", b"BAD"])
        args.append(opt)
        if opt in (b"IDLETIME", b"FREQ") and rnd.random() < 0.9:
            args.append(rnd.choice([b"0", b"10", b"255", b"256", b"-1", b"x"]))
    return [(0, args)]


def g_dump_block(rnd, ctx):
    """DUMP of a string, an RPUSHed list or a sorted set only this block writes: the layouts Redis's DUMP
    bytes follow from the value alone (a hash's or a set's order is each server's own)."""
    kind = rnd.choice(["string", "list", "zset"])
    if kind == "string":
        fill = [b"SET", b"dumpk", value(rnd)]
    elif kind == "list":
        fill = [b"RPUSH", b"dumpk", *[value(rnd) for _ in range(rnd.randint(1, 40))]]
    else:
        fill = [b"ZADD", b"dumpk", *[x for _ in range(rnd.randint(1, 140)) for x in (rnd.choice(FLOATS[:7]),
                                                                                     rnd.choice(ZMEMBERS + VALUES))]]
    return [(0, [b"DEL", b"dumpk"]), (0, fill), (0, [b"DUMP", b"dumpk"])]


TEMPLATES += [
    Template("restore", 3, g_restore),
    Template("dump", 2, g_dump_block, in_txn=False, needs=("restore", "del", "rpush", "zadd")),
]


# ---- pathological glob patterns, on every MATCH path ----
# Redis's matcher fails a match that needs more than 1000 nested '*'; without that bound, one '*' per
# recursion level overflowed a worker's stack.  Subjects are runs of 'a' around that length.
GLOB_ATOMS = [b"a", b"?", b"[a]", b"[^b]", b"\\a", b"[a-c]", b"A", b"[A-Z]", b"[\\a]"]


def glob_pattern(rnd: random.Random) -> bytes:
    stars = rnd.choice([1, 2, 999, 1000, 1001, 1002, rnd.randint(990, 1010), 100_000])
    atoms = [rnd.choice(GLOB_ATOMS) for _ in range(rnd.choice((1, 1, 2, 3)))]
    body = b"".join(b"*" + atoms[i % len(atoms)] for i in range(stars))
    return rnd.choice([b"", b"a", b"*", b"?"]) + body + rnd.choice([b"", b"*", b"*b", b"?", b"b", b"[", b"\\"])


def g_glob_block(rnd, ctx):
    """A long subject in a key, a hash field, a set and a sorted-set member, then one MATCH path."""
    subject = b"a" * rnd.choice([1, 999, 1000, 1001, 1002, 1500, 3000]) + rnd.choice([b"", b"b", b"A"])
    steps = [(0, [b"SET", subject, b"v"]), (0, [b"HSET", b"globh", subject, b"v"]),
             (0, [b"SADD", b"globs", subject]), (0, [b"ZADD", b"globz", b"1", subject])]
    pattern = glob_pattern(rnd)
    # CONFIG GET and COMMAND LIST match (nocase) names both servers need not share: a \x01 no name
    # has keeps those answers empty on both, so only the walk over the pattern is compared.
    path = rnd.choice([[b"KEYS", pattern], [b"SCAN", b"0", b"MATCH", pattern, b"COUNT", b"1000"],
                       [b"HSCAN", b"globh", b"0", b"MATCH", pattern, b"COUNT", b"1000"],
                       [b"SSCAN", b"globs", b"0", b"MATCH", pattern, b"COUNT", b"1000"],
                       [b"ZSCAN", b"globz", b"0", b"MATCH", pattern, b"COUNT", b"1000"],
                       [b"CONFIG", b"GET", pattern + b"\x01"],
                       [b"COMMAND", b"LIST", b"FILTERBY", b"PATTERN", pattern + b"\x01"]])
    return steps + [(0, path)]


TEMPLATES.append(Template("keys", 2, g_glob_block, in_txn=False,
                          needs=("set", "hset", "sadd", "zadd", "scan", "hscan", "sscan", "zscan", "config|get",
                                 "command|list")))


# ---- blocked clients ----------------------------------------------------------------------------------------
# Connections 2.. block (SEND: sent, not read; the runner waits until the server shows the client
# blocked or answered), connection 0 writes, then every waiter still blocked is ended by CLIENT UNBLOCK
# and each reply is read (RECV) and compared; BLOCKED compares INFO's blocked_clients.  Waiters of
# both types on one key, moves into wrong-type destinations, circular and self moves, tiny timeouts
# (read at once: their nil never races a write), CLIENT REPLY OFF/SKIP around the blocking command.

SEND, RECV, UNBLOCK, BLOCKED = b"<send>", b"<recv>", b"<unblock>", b"<blocked>"
PSEUDO = (SEND, RECV, UNBLOCK, BLOCKED)
WAITERS = (2, 3, 4)   # connections that block
BKEYS = [b"a", b"b", b"c", b"{tag}k"]


def g_blocking_cmd(rnd, timeout: bytes) -> list[bytes]:
    k = rnd.choice(BKEYS)
    keys = [k] + rnd.sample(BKEYS, rnd.randint(0, 1))
    kind = rnd.choice([b"BLPOP", b"BRPOP", b"BZPOPMIN", b"BZPOPMAX", b"BLMPOP", b"BZMPOP", b"BLMOVE",
                       b"BRPOPLPUSH", b"BLMOVE"])
    if kind in (b"BLMPOP", b"BZMPOP"):
        end = rnd.choice([b"LEFT", b"RIGHT"]) if kind == b"BLMPOP" else rnd.choice([b"MIN", b"MAX"])
        return [kind, timeout, b"%d" % len(keys), *keys, end, *rnd.choice([[], [b"COUNT", b"2"]])]
    if kind == b"BLMOVE":
        return [kind, k, rnd.choice(BKEYS), rnd.choice([b"LEFT", b"RIGHT"]), rnd.choice([b"LEFT", b"RIGHT"]),
                timeout]
    if kind == b"BRPOPLPUSH":
        return [kind, k, rnd.choice(BKEYS), timeout]
    return [kind, *keys, timeout]


def g_blocking_fill(rnd) -> list[Step]:
    k, other = rnd.choice(BKEYS), rnd.choice(BKEYS)
    return rnd.choice([
        one(b"RPUSH", k, b"x", b"y"), one(b"LPUSH", k, b"x"), one(b"ZADD", k, b"1", b"m", b"2", b"n"),
        one(b"SET", k, b"str"), one(b"DEL", k), one(b"RENAME", other, k), one(b"LMOVE", other, k, b"LEFT", b"RIGHT"),
        one(b"ZUNIONSTORE", k, b"1", other), one(b"COPY", other, k, b"REPLACE"),
        one(b"SORT", other, b"ALPHA", b"STORE", k),
        one(b"BLMOVE", other, k, b"RIGHT", b"LEFT", b"0.01"),   # moves at once, or blocks until its timeout
        [(0, [b"MULTI"]), (0, [b"RPUSH", k, b"t"]), (0, [b"ZADD", other, b"3", b"z"]), (0, [b"EXEC"])],
    ])


def g_blocking_block(rnd, ctx):
    steps: list[Step] = []
    for _ in range(rnd.randint(0, 2)):   # a starting state: lists, sorted sets, strings
        steps += rnd.choice([one(b"RPUSH", rnd.choice(BKEYS), b"p"), one(b"ZADD", rnd.choice(BKEYS), b"0", b"p"),
                             one(b"SET", rnd.choice(BKEYS), b"s"), one(b"DEL", rnd.choice(BKEYS))])
    blocked = []
    for conn in rnd.sample(WAITERS, rnd.randint(1, len(WAITERS))):
        tiny = rnd.random() < 0.25
        mode = rnd.choice([b"ON", b"ON", b"ON", b"OFF", b"SKIP"])
        steps.append((conn, [SEND, mode] + g_blocking_cmd(rnd, b"0.01" if tiny else b"0")))
        if tiny:
            steps.append((conn, [RECV]))
        else:
            blocked.append(conn)
    for _ in range(rnd.randint(1, 3)):
        steps += g_blocking_fill(rnd)
    for conn in blocked:
        steps += [(0, [UNBLOCK, b"%d" % conn]), (conn, [RECV])]
    return steps + [(0, [BLOCKED])]


TEMPLATES.append(Template("blpop", 3, g_blocking_block, in_txn=False,
                          needs=("brpop", "bzpopmin", "bzpopmax", "blmpop", "bzmpop", "blmove", "brpoplpush",
                                 "client|unblock", "lmove", "zunionstore", "copy", "rename", "sort")))


def usable(known: set[str]) -> list[Template]:
    return [t for t in TEMPLATES if t.name is None or (t.name in known and all(n in known for n in t.needs))]


def template_names() -> set[str]:
    """Every command and subcommand the templates use, and the containers of the subcommands."""
    names = {n for t in TEMPLATES if t.name for n in (t.name, *t.needs)}
    return names | {n.split("|")[0] for n in names}


def generate(rnd: random.Random, n: int, known: set[str]) -> list[Step]:
    """About n steps (a block is never cut): half the sequences start with HELLO 3 on both connections."""
    ctx = Context(known)
    templates = usable(known)
    ctx.simple = [t for t in templates if t.in_txn and t.name is not None]
    weights = [t.weight for t in templates]
    steps: list[Step] = []
    if "hello" in known and rnd.random() < 0.5:
        steps += [(0, [b"HELLO", b"3"]), (1, [b"HELLO", b"3"])]
    while len(steps) < n:
        steps += rnd.choices(templates, weights)[0].gen(rnd, ctx)
    return steps


# ---- normalisation ------------------------------------------------------------------------------------------

def _name(args: list[bytes]) -> tuple[str, str]:
    name = args[0].decode("latin-1").upper() if args else ""
    sub = args[1].decode("latin-1").upper() if len(args) > 1 else ""
    return name, sub


def norm(args: list[bytes], reply):
    """What of this reply must be equal on both servers. Errors are always compared exactly."""
    if not isinstance(reply, bytes) or reply[:1] in (b"-", b"!"):
        return reply
    name, sub = _name(args)
    kind = reply[:1]
    if name == "TIME":
        # Wall clock: only the shape (two integers as bulk strings) is the same.
        v = parse(reply)
        return (kind, "<time>", len(v), all(x.isdigit() for x in v))
    if name == "RANDOMKEY":
        # Any key may come back; only "nil" versus "a key" is deterministic.
        return (kind, reply in (b"$-1\r\n", b"_\r\n"))
    if name == "KEYS":
        # Hash-table order differs between the two stores; the set of keys is the same.
        return (kind, sorted(parse(reply)))
    if name == "ZSCAN":
        # A skiplist-encoded set is scanned in its dict's order (different tables): compare the pairs.
        cursor, items = parse(reply)
        return (kind, cursor, sorted(zip(items[0::2], items[1::2])))
    if name == "SCAN":
        # The cursor encodes table positions (different tables); with COUNT above the keyspace size both
        # finish in one call, so the cursor must be 0 on both and the keys the same set.
        cursor, keys = parse(reply)
        return (kind, cursor, sorted(keys))
    if name == "CONFIG" and sub == "GET":
        # Redis collects the matches in a dict: its reply comes in hash order. The pairs must be equal.
        v = parse(reply)
        pairs = v.items() if isinstance(v, dict) else zip(v[0::2], v[1::2])
        return (kind, sorted(pairs))
    if name == "CLIENT" and sub in ("INFO", "LIST"):
        # id, addr, port, age, idle, memory fields: connection-specific. Only the reply type is compared.
        return (kind, "<client info>")
    if name == "OBJECT" and sub in ("ENCODING", "REFCOUNT", "IDLETIME"):
        # Redis's encodings (int/embstr/raw), its shared-integer refcount (2147483647) and its idle clock
        # belong to its object system; the issue asks for "answers that make sense for this store".
        return (kind, "<object " + sub.lower() + ">")
    if name == "MEMORY" and sub == "USAGE":
        # Bytes used depend on the allocator and entry layout; nil (missing key) must still match.
        return (kind, reply in (b"$-1\r\n", b"_\r\n"))
    if name == "SLOWLOG" and sub in ("GET", "LEN"):
        # Whether a command crosses the 10 ms threshold depends on each server's speed (a 100 KB value, a
        # GC pause), and entries carry ids, timestamps and addresses: only the reply type is compared.
        return (kind, "<slowlog>")
    if name == "INFO" and [a.lower() for a in args[1:]] == [b"keyspace"]:
        # avg_ttl is Redis's running estimate, sampled by its expiry cycle at its own moments (and left
        # stale when no volatile key is left); keys= and expires= must still match.
        reply = re.sub(rb"avg_ttl=-?\d+", b"avg_ttl=<estimate>", parse(reply))
        return (kind, reply)
    return script_normalise(args, reply)


def same(args: list[bytes], a, b, queued: list[list[bytes]] | None = None) -> bool:
    """Equal after norm(); TTL-like integers within a tolerance; EXEC compares each queued reply by the
    queued command's own rules."""
    try:
        if norm(args, a) == norm(args, b):
            return True
    except Exception:  # noqa: BLE001 - an unparseable reply is compared raw
        return a == b
    name, _ = _name(args)
    if name == "CONFIG" and isinstance(b, bytes) and b.startswith(b"-") and b", allkeys-s3fifo" in b:
        # Redistill has one eviction policy more than Redis (the product spec's S3-FIFO); its CONFIG SET
        # error lists it after Redis's eight.
        return a == b.replace(b", allkeys-s3fifo", b"")
    if isinstance(a, bytes) and isinstance(b, bytes) and a[:1] == b[:1] == b":":
        # Expiry times are computed from each server's clock at slightly different instants.
        tol = {"TTL": 1, "PTTL": 1000, "EXPIRETIME": 1, "PEXPIRETIME": 1000}.get(name)
        if tol is not None:
            x, y = int(a[1:-2]), int(b[1:-2])
            return x >= 0 and y >= 0 and abs(x - y) <= tol
    if name == "EXEC" and queued and a[:1] == b[:1] == b"*":
        from resp import reply_end
        pa, pb = _split_array(a, reply_end), _split_array(b, reply_end)
        return len(pa) == len(pb) == len(queued) and all(same(q, x, y) for q, x, y in zip(queued, pa, pb))
    return False


def _split_array(raw: bytes, reply_end) -> list[bytes]:
    nl = raw.index(b"\r\n")
    n = int(raw[1:nl])
    out, pos = [], nl + 2
    for _ in range(max(n, 0)):
        end = reply_end(raw, pos)
        out.append(raw[pos:end])
        pos = end
    return out


# ---- running ------------------------------------------------------------------------------------------------

NO_REPLY = "<no reply expected>"


@dataclass
class ConnModel:
    """What the runner must know to read the right number of replies: CLIENT REPLY mode, MULTI, queued."""
    reply: str = "ON"          # ON, OFF, SKIP (the next command gets no reply)
    in_multi: bool = False
    queued: list = field(default_factory=list)

    def expects_reply(self, args: list[bytes]) -> bool:
        name, sub = _name(args)
        if self.in_multi:
            return True
        if name == "CLIENT" and sub == "REPLY" and len(args) == 3:
            mode = args[2].decode("latin-1").upper()
            if mode in ("OFF", "SKIP"):
                return False
            if mode == "ON":
                return True
        return self.reply == "ON"

    def after(self, args: list[bytes], reply) -> None:
        name, sub = _name(args)
        if self.reply == "SKIP":
            self.reply = "ON"
        if name in ("RESET", "QUIT") and len(args) == 1:
            self.__init__()
            return
        if self.in_multi:
            if name in ("EXEC", "DISCARD") and len(args) == 1:
                self.in_multi = False
            elif isinstance(reply, bytes) and reply.startswith(b"+QUEUED"):
                self.queued.append(args)
            return
        if name == "MULTI" and len(args) == 1 and reply == b"+OK\r\n":
            self.in_multi, self.queued = True, []
        elif name == "CLIENT" and sub == "REPLY" and len(args) == 3:
            mode = args[2].decode("latin-1").upper()
            if mode in ("ON", "OFF", "SKIP"):
                self.reply = mode


class Side:
    """One server: its connections and their models."""

    def __init__(self, host: str, port: int, conns: int = 2 + len(WAITERS)):
        self.host, self.port = host, port
        self.socks = [RespSocket(host, port, timeout=5) for _ in range(conns)]
        self.models = [ConnModel() for _ in range(conns)]
        self.admin = RespSocket(host, port, timeout=5)   # the runner's own: blocked clients' state
        self.ids = [self._client_id(s) for s in self.socks]

    @staticmethod
    def _client_id(sock: RespSocket) -> bytes:
        return sock.call("CLIENT", "ID")[1:-2]

    def step(self, conn: int, args: list[bytes]):
        if args and args[0] in PSEUDO:
            try:
                return self._pseudo(conn, args)
            except (TimeoutError, ConnectionError, OSError, ValueError) as e:
                self.reconnect(conn)
                return f"<{type(e).__name__}: {e}>"
        sock, model = self.socks[conn], self.models[conn]
        expect = model.expects_reply(args)
        try:
            sock.send(encode_command(*args))
            reply = sock.reply() if expect else NO_REPLY
        except (TimeoutError, ConnectionError, OSError, ValueError) as e:
            reply = f"<{type(e).__name__}: {e}>"
            self.reconnect(conn)
            return reply
        if _name(args)[0] == "QUIT":  # Redis answers +OK and closes, even inside MULTI
            self.reconnect(conn)
        else:
            model.after(args, reply)
        return reply

    def _pseudo(self, conn: int, args: list[bytes]):
        """The blocked-client steps (g_blocking_block)."""
        if args[0] == SEND:   # [SEND, reply mode, command...]: one reply to RECV later
            mode, command = args[1], args[2:]
            data = encode_command(*command)
            if mode == b"OFF":   # the command's reply dropped; CLIENT REPLY ON's +OK is the one read
                data = encode_command(b"CLIENT", b"REPLY", b"OFF") + data + encode_command(b"CLIENT", b"REPLY", b"ON")
            elif mode == b"SKIP":   # the command's reply dropped; PING's is the one read
                data = encode_command(b"CLIENT", b"REPLY", b"SKIP") + data + encode_command(b"PING")
            self.socks[conn].send(data)
            self._settle(conn)
            return NO_REPLY
        if args[0] == RECV:
            return self.socks[conn].reply()
        if args[0] == UNBLOCK:
            return self.admin.call(b"CLIENT", b"UNBLOCK", self.ids[int(args[1])])
        info = self.admin.call(b"INFO", b"clients")
        return b":%s\r\n" % info.split(b"blocked_clients:")[1].split(b"\r\n")[0]

    def _settle(self, conn: int) -> None:
        """Until connection `conn` is blocked or has its reply (at most 5 s): the next write must find
        it registered, on both servers."""
        sock = self.socks[conn]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if b"flags=b" in self.admin.call(b"CLIENT", b"LIST", b"ID", self.ids[conn]):
                return
            if sock.buf or select.select([sock.sock], [], [], 0.001)[0]:
                return

    def reconnect(self, conn: int) -> None:
        self.socks[conn].close()
        self.socks[conn] = RespSocket(self.host, self.port, timeout=5)
        self.models[conn] = ConnModel()
        self.ids[conn] = self._client_id(self.socks[conn])

    def close(self) -> None:
        for s in self.socks + [self.admin]:
            s.close()


def reset_server(host: str, port: int, known: set[str]) -> None:
    """FLUSHALL and the CONFIG parameters the fuzzer changes back to their defaults."""
    s = RespSocket(host, port, timeout=10)
    try:
        assert s.call("FLUSHALL") == b"+OK\r\n"
        if "config|set" in known:
            for name, default in CONFIG_DEFAULTS.items():
                s.call("CONFIG", "SET", name, default)
        if "slowlog|reset" in known:
            s.call("SLOWLOG", "RESET")
    finally:
        s.close()


@dataclass
class Mismatch:
    index: int
    step: Step
    redis: object
    redistill: object


def needs_gap(args: list[bytes]) -> bool:
    """EXPIRE-family GT/LT compare the new expiry with the old one in milliseconds: when the key's TTL was
    set from the same relative value less than 1 ms earlier the two are equal, so the answer depends on
    the clock. The runners wait 2 ms before such a step, on both servers."""
    return _name(args)[0] in ("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT") and any(
        a.upper() in (b"GT", b"LT") for a in args[2:])


GAP_S = 0.002


def run(steps: list[Step], ref: tuple[str, int], sut: tuple[str, int], known: set[str],
        deadline: float | None = None) -> tuple[Mismatch | None, int]:
    """Send steps to both; return the first mismatch (or None) and how many steps ran."""
    reset_server(*ref, known)
    reset_server(*sut, known)
    a, b = Side(*ref), Side(*sut)
    try:
        for i, (conn, args) in enumerate(steps):
            if deadline is not None and time.monotonic() > deadline:
                return None, i
            queued = list(a.models[conn].queued)
            if needs_gap(args):
                time.sleep(GAP_S)
            ra, rb = a.step(conn, args), b.step(conn, args)
            if not same(args, ra, rb, queued):
                return Mismatch(i, (conn, args), ra, rb), i + 1
        # A stray reply (one the reference did not send) shows up on the next read: end with a PING.
        for conn in range(len(a.socks)):
            ra, rb = a.step(conn, [b"PING"]), b.step(conn, [b"PING"])
            if not same([b"PING"], ra, rb):
                return Mismatch(len(steps), (conn, [b"PING"]), ra, rb), len(steps)
        return None, len(steps)
    finally:
        a.close()
        b.close()


def pipelinable(steps: list[Step]) -> list[Step]:
    """The steps a pipeline can carry: connection 0, one reply each (no CLIENT REPLY, no QUIT)."""
    return [(c, a) for c, a in steps if c == 0 and _name(a)[0] != "QUIT" and _name(a)[:2] != ("CLIENT", "REPLY")
            and a[0] not in PSEUDO]


def run_pipelined(steps: list[Step], ref: tuple[str, int], sut: tuple[str, int], known: set[str],
                  batch: int = 64) -> tuple[Mismatch | None, int]:
    """The same comparison with `batch` commands per write, so the C fast path and the Python path take
    turns inside one read. Replies are split by the test-side RESP reader and compared one by one."""
    steps = pipelinable(steps)
    reset_server(*ref, known)
    reset_server(*sut, known)
    a, b = RespSocket(*ref, timeout=10), RespSocket(*sut, timeout=10)
    model = ConnModel()
    try:
        start = 0
        while start < len(steps):
            # a batch ends before a step that needs_gap(), which then starts the next one after the wait
            end = start + 1
            while end < min(len(steps), start + batch) and not needs_gap(steps[end][1]):
                end += 1
            chunk = steps[start:end]
            if needs_gap(chunk[0][1]):
                time.sleep(GAP_S)
            data = b"".join(encode_command(*args) for _, args in chunk)
            replies = []
            for sock in (a, b):
                sock.send(data)
                try:
                    replies.append(sock.replies(len(chunk)))
                except (TimeoutError, ConnectionError, OSError, ValueError) as e:
                    replies.append([f"<{type(e).__name__}: {e}>"] * len(chunk))
            for i, ((_, args), ra, rb) in enumerate(zip(chunk, *replies)):
                queued = list(model.queued)
                if not same(args, ra, rb, queued):
                    return Mismatch(start + i, (0, args), ra, rb), start + i + 1
                model.after(args, ra)
            start = end
        return None, len(steps)
    finally:
        a.close()
        b.close()


def shrink(steps: list[Step], ref, sut, known: set[str], budget_s: float = 120.0, runner=None) -> list[Step]:
    """Delta debugging on a failing sequence: remove chunks while some reply still differs."""
    deadline = time.monotonic() + budget_s
    run = runner or globals()["run"]

    chunk = max(1, len(steps) // 2)
    while chunk >= 1 and time.monotonic() < deadline:
        i, removed = 0, False
        while i < len(steps) and time.monotonic() < deadline:
            cand = steps[:i] + steps[i + chunk:]
            mm = run(cand, ref, sut, known)[0] if cand else None
            if mm is not None:  # still fails: keep the candidate up to its first mismatch
                steps = cand[:mm.index + 1]
                removed = True
            else:
                i += chunk
        if not removed:
            chunk //= 2
    return steps


def _arg(a: bytes) -> str:
    """An argument as Python source, long runs of one byte as b"x" * N."""
    if len(a) > 40 and a == a[:1] * len(a):
        return f"{a[:1]!r} * {len(a)}"
    return repr(a) if len(a) <= 200 else f"{a[:100]!r} + ... ({len(a)} bytes)"


def show_step(step: Step) -> str:
    conn, args = step
    plain = lambda a: a and len(a) <= 40 and all(33 <= c < 127 and c not in b"'\"\\" for c in a)  # noqa: E731
    return f"[conn {conn}] " + " ".join(a.decode() if plain(a) else _arg(a) for a in args)


def _cut(v, limit: int = 300) -> str:
    r = repr(v)
    return r if len(r) <= limit else r[:limit] + f"... ({len(r)} chars)"


def report(steps: list[Step], mm: Mismatch) -> str:
    lines = [f"minimal reproducer ({len(steps)} steps; each runs on both servers after FLUSHALL, "
             "connections 0 and 1 are two clients):"]
    lines += ["  " + show_step(s) for s in steps]
    lines.append(f"differs at step {mm.index}: {show_step(mm.step)}")
    lines.append(f"    redis    : {_cut(mm.redis)}")
    lines.append(f"    redistill: {_cut(mm.redistill)}")
    lines.append("as Python: [" + ", ".join(f"({c}, [{', '.join(map(_arg, args))}])" for c, args in steps) + "]")
    return "\n".join(lines)


def known_commands(host: str, port: int, names: set[str]) -> set[str]:
    """The template names this server knows (COMMAND INFO answers nil for unknown ones)."""
    from resp import reply_end
    s = RespSocket(host, port, timeout=10)
    try:
        order = sorted(names)
        raw = s.call("COMMAND", "INFO", *order)
        known = {n for n, entry in zip(order, _split_array(raw, reply_end))
                 if entry not in (b"*-1\r\n", b"_\r\n", b"$-1\r\n")}
        if "config|get" in known:
            for param in set(CONFIG_VALUES) | set(CONFIG_GET_PARAMS):
                if s.call("CONFIG", "GET", param) not in (b"*0\r\n", b"%0\r\n"):
                    known.add("config:" + param.decode())
    finally:
        s.close()
    return known


def fuzz(seed: int, n: int, ref, sut, time_budget: float | None = None, shrink_budget: float = 120.0,
         known: set[str] | None = None, pipeline: bool = False) -> tuple[str | None, int, set[str]]:
    """One seeded sequence, step by step or pipelined. Returns (failure report or None, steps run,
    commands fuzzed)."""
    if known is None:
        known = known_commands(*sut, template_names())
    steps = generate(random.Random(seed), n, known)
    if pipeline:
        steps = pipelinable(steps)
        runner = lambda st, r, s, k, deadline=None: run_pipelined(st, r, s, k)  # noqa: E731
    else:
        runner = run
    deadline = None if time_budget is None else time.monotonic() + time_budget
    mm, ran = runner(steps, ref, sut, known, deadline)
    if mm is None:
        return None, ran, known
    prefix = steps[:mm.index + 1]
    if shrink_budget > 0:
        prefix = shrink(prefix, ref, sut, known, shrink_budget, runner)
        mm = runner(prefix, ref, sut, known)[0] or mm
    mode = "pipelined (64 commands per write) " if pipeline else ""
    return f"seed {seed} {mode}" + report(prefix, mm), ran, known


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=int(os.environ.get("SEED", "1")))
    p.add_argument("-n", type=int, default=int(os.environ.get("N", "20000")), help="steps per sequence")
    p.add_argument("--seqs", type=int, default=1, help="sequences (seed, seed+1, ...)")
    p.add_argument("--pipeline", action="store_true", help="64 commands per write instead of one by one")
    args = p.parse_args(argv)
    from servers import start_server
    ref, sut = start_server("redis"), start_server("redistill")
    try:
        known = known_commands(sut.host, sut.port, template_names())
        skipped = sorted(template_names() - known)
        print(f"fuzzing {len(usable(known))} of {len(TEMPLATES)} templates; commands not on this server: "
              f"{', '.join(skipped) or 'none'} (REDISTILL_FASTPATH={os.environ.get('REDISTILL_FASTPATH', '1')})")
        for seed in range(args.seed, args.seed + args.seqs):
            t0 = time.monotonic()
            failure, ran, _ = fuzz(seed, args.n, (ref.host, ref.port), (sut.host, sut.port), known=known,
                                   pipeline=args.pipeline)
            if failure:
                print(failure)
                return 1
            print(f"seed {seed}: {ran} steps identical ({time.monotonic() - t0:.1f} s)")
    finally:
        sut.stop()
        ref.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())


# ---- Lua scripts: EVAL / EVALSHA with random sequences of redis.call ----------------------------------
SCRIPT_KEYS = [b"a", b"b", b"n"]
SCRIPT_CALLS = [
    "redis.call('set', {k}, {v})", "redis.call('get', {k})", "redis.call('incr', {k})", "redis.call('del', {k})",
    "redis.call('incrby', {k}, {v})", "redis.call('lpush', {k}, {v})", "redis.call('lrange', {k}, 0, -1)",
    "redis.call('hset', {k}, 'f', {v})", "redis.call('hgetall', {k})", "redis.call('sadd', {k}, {v})",
    "redis.call('zadd', {k}, 1, {v})", "redis.call('zrange', {k}, 0, -1, 'withscores')",
    "redis.call('exists', {k})", "redis.call('type', {k})", "redis.call('expire', {k}, 100)",
    "redis.call('ttl', {k})", "redis.call('append', {k}, {v})", "redis.call('mget', {k}, 'nokey')",
    "redis.pcall('incr', {k})", "redis.pcall('lpush', {k}, {v})", "redis.pcall('nosuch')", "redis.pcall('get')",
    "redis.call('ping')", "redis.call('echo', {v})",
]
SCRIPT_VALUES = ["'v'", "'1'", "'-7'", "'x y'", "''", "3", "1.5", "ARGV[1]", "'3.0'"]
SCRIPT_RETURNS = ["r", "{r}", "{r, 1, 'z'}", "type(r)", "{ok = 'fine'}", "{err = 'bad'}",
                  "redis.error_reply('E r')", "{double = 1.5}", "{map = {a = 1}}", "{set = {a = true}}", "nil", "true",
                  "false", "3.7"]


def g_eval(rnd, ctx):
    """EVAL (or SCRIPT LOAD then EVALSHA) of a script of 1-4 random redis.call/pcall, a random return
    (the Lua -> RESP conversions), sometimes after redis.setresp(3); KEYS from numkeys."""
    nkeys = rnd.randint(0, 2)
    keys = rnd.sample(SCRIPT_KEYS, nkeys)
    names = [f"KEYS[{i + 1}]" for i in range(nkeys)] + ["'a'", "'b'", "'n'"]
    body = ["redis.setresp(3)"] if rnd.random() < 0.3 else []
    body += ["local r = " + rnd.choice(SCRIPT_CALLS).format(k=rnd.choice(names), v=rnd.choice(SCRIPT_VALUES))
             for _ in range(rnd.randint(1, 4))]
    body.append("return " + rnd.choice(SCRIPT_RETURNS))
    script = "\n".join(body).encode()
    args = [str(nkeys).encode(), *keys, rnd.choice([b"5", b"abc", b"-2"])]
    if rnd.random() < 0.3:
        return [(0, [b"SCRIPT", b"LOAD", script]), (0, [b"EVALSHA", sha1(script).hexdigest().encode(), *args])]
    return [(0, [rnd.choice([b"EVAL", b"eval"]), script, *args])]


TEMPLATES.append(Template("eval", 3, g_eval, needs=("script|load", "evalsha")))
