"""Streams against real redis-server: the same scripts to both, raw reply bytes compared (RESP2 and
RESP3), through test_differential's runner.  Masked, as they must differ: times and idle times
(XPENDING's extended form, XINFO CONSUMERS, XINFO STREAM FULL) and XINFO STREAM's radix-tree-nodes,
a count of Redis's radix tree nodes that Redistill's node array does not have."""
from __future__ import annotations

import re

import pytest

from resp import RespSocket

from .test_differential import compare, run_script

BIN = b"f\x00\r\n\xff"

BASICS = [
    ["XADD", "s", "1-1", "a", "1", "b", "2"],
    ["XADD", "s", "1-2", "a", "3", "b", "4"],
    ["XADD", "s", "1-*", "a", "5"],
    ["XADD", "s", "2-*", "c", "6", "d", "7", "e", "8"],
    ["XADD", "s", "2-1", "x", "y"],
    ["XADD", "s", "1-9", "x", "y"],
    ["XADD", "s", "0-0", "x", "y"],
    ["XADD", "s", "0-*", "x", "y"],
    ["XADD", "s", "0", "x", "y"],
    ["XADD", "s", "3", "x", "y"],
    ["XADD", "s", "3", "x"],
    ["XADD", "s", "4-1", "x", "y", "z"],
    ["XADD", "s", "abc", "x", "y"],
    ["XADD", "s", "-", "x", "y"],
    ["XADD", "s", "+", "x", "y"],
    ["XADD", "s", "1-", "x", "y"],
    ["XADD", "s", "-1-1", "x", "y"],
    ["XADD", "s", "18446744073709551616-1", "x", "y"],
    ["XADD", "s", "5-18446744073709551615", BIN, BIN],
    ["XADD", "s", "5-*", "x", "y"],
    ["XADD", "s", "6-0", BIN, "v"],
    ["XLEN", "s"],
    ["XLEN", "nosuch"],
    ["XRANGE", "s", "-", "+"],
    ["XRANGE", "s", "-", "+", "COUNT", "2"],
    ["XRANGE", "s", "-", "+", "COUNT", "0"],
    ["XRANGE", "s", "-", "+", "COUNT", "-3"],
    ["XRANGE", "s", "1", "2"],
    ["XRANGE", "s", "(1-1", "(2-0"],
    ["XRANGE", "s", "(1-1", "+", "COUNT", "1"],
    ["XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"],
    ["XRANGE", "s", "-", "(0-0"],
    ["XRANGE", "s", "(-", "+"],
    ["XRANGE", "s", "-", "+", "COUNT"],
    ["XRANGE", "s", "-", "+", "LIMIT", "2"],
    ["XRANGE", "s", "-", "+", "COUNT", "x"],
    ["XRANGE", "s", "x", "+"],
    ["XRANGE", "nosuch", "-", "+"],
    ["XREVRANGE", "s", "+", "-"],
    ["XREVRANGE", "s", "+", "-", "COUNT", "2"],
    ["XREVRANGE", "s", "(2-0", "(1-1"],
    ["XREVRANGE", "s", "2", "1"],
    ["XREVRANGE", "nosuch", "+", "-"],
    ["XDEL", "s", "1-2", "9-9", "1-2"],
    ["XDEL", "s", "x"],
    ["XDEL", "nosuch", "1-1"],
    ["XRANGE", "s", "-", "+"],
    ["XDEL", "s", "1-1"],
    ["XRANGE", "s", "-", "1"],
    ["SET", "str", "v"],
    ["XADD", "str", "*", "a", "b"],
    ["XRANGE", "str", "-", "+"],
    ["XLEN", "str"],
    ["XDEL", "str", "1-1"],
    ["TYPE", "s"],
    ["OBJECT", "ENCODING", "s"],
    ["EXISTS", "s"],
    ["XADD", "new", "NOMKSTREAM", "*", "a", "b"],
    ["EXISTS", "new"],
    ["XADD", "new", "NOMKSTREAM", "MAXLEN", "1", "*", "a", "b"],
    ["COPY", "s", "s2"],
    ["XRANGE", "s2", "-", "+"],
    ["XADD", "s2", "7-0", "only", "copy"],
    ["XLEN", "s"],
    ["XLEN", "s2"],
    ["RENAME", "s2", "s3"],
    ["XRANGE", "s3", "7", "+"],
    ["TYPE", "s3"],
    ["DEL", "s3"],
    ["EXISTS", "s3"],
]

TRIM = [
    *[["XADD", "t", f"{i}-1", "f", f"v{i}"] for i in range(1, 31)],
    ["XTRIM", "t", "MAXLEN", "25"],
    ["XLEN", "t"],
    ["XTRIM", "t", "MAXLEN", "=", "20"],
    ["XTRIM", "t", "MINID", "12"],
    ["XRANGE", "t", "-", "+", "COUNT", "2"],
    ["XTRIM", "t", "MINID", "=", "14-1"],
    ["XTRIM", "t", "MAXLEN", "~", "2"],
    ["XTRIM", "t", "MAXLEN", "~", "2", "LIMIT", "10"],
    ["XTRIM", "t", "MAXLEN", "2", "LIMIT", "10"],
    ["XTRIM", "t", "LIMIT", "10"],
    ["XTRIM", "t"],
    ["XTRIM", "t", "MAXLEN", "-1"],
    ["XTRIM", "t", "MAXLEN", "x"],
    ["XTRIM", "t", "MAXLEN", "1", "MINID", "1"],
    ["XTRIM", "t", "MINID", "x"],
    ["XTRIM", "t", "MINID", "+"],
    ["XTRIM", "t", "MAXLEN", "1", "LIMIT", "-1"],
    ["XTRIM", "t", "FOO"],
    ["XTRIM", "nosuch", "MAXLEN", "1"],
    ["XTRIM", "nosuch", "MINID", "(9"],
    ["XTRIM", "nosuch", "FOO"],
    ["XLEN", "t"],
    ["XADD", "t", "MAXLEN", "3", "100-1", "f", "v"],
    ["XRANGE", "t", "-", "+"],
    ["XADD", "t", "MINID", "100", "101-1", "f", "v"],
    ["XRANGE", "t", "-", "+"],
    ["XADD", "t", "MAXLEN", "~", "0", "LIMIT", "0", "102-1", "f", "v"],
    ["XADD", "t", "LIMIT", "5", "103-1", "f", "v"],
    ["XADD", "t", "MAXLEN", "1", "LIMIT", "5", "103-1", "f", "v"],
    ["XADD", "t", "MAXLEN", "0", "104-1", "f", "v"],
    ["XLEN", "t"],
    ["EXISTS", "t"],
    ["XRANGE", "t", "-", "+"],
    ["XINFO", "STREAM", "t"],
    ["XDEL", "t", "104-1"],
    ["XINFO", "STREAM", "t"],
    *[["XADD", "big", f"{i}-0", "f", "v"] for i in range(1, 251)],
    ["XTRIM", "big", "MAXLEN", "~", "120"],
    ["XLEN", "big"],
    ["XTRIM", "big", "MINID", "~", "210"],
    ["XLEN", "big"],
    ["XINFO", "STREAM", "big"],
    ["CONFIG", "GET", "stream-node-max-*"],
    ["CONFIG", "SET", "stream-node-max-entries", "10"],
    *[["XADD", "cfg", f"{i}-0", "f", "v"] for i in range(1, 36)],
    ["XINFO", "STREAM", "cfg"],
    ["XTRIM", "cfg", "MAXLEN", "~", "12"],
    ["XLEN", "cfg"],
    ["XTRIM", "cfg", "MINID", "~", "33"],
    ["XRANGE", "cfg", "-", "+", "COUNT", "1"],
    ["CONFIG", "SET", "stream-node-max-entries", "0"],
    *[["XADD", "cfg0", f"{i}-0", "f", "v"] for i in range(1, 150)],
    ["XTRIM", "cfg0", "MAXLEN", "~", "10"],
    ["XLEN", "cfg0"],
    ["CONFIG", "SET", "stream-node-max-entries", "100"],
]

SETID = [
    ["XADD", "x", "5-5", "a", "b"],
    ["XSETID", "x", "5-4"],
    ["XSETID", "x", "5-5"],
    ["XSETID", "x", "10-0"],
    ["XADD", "x", "9-9", "a", "b"],
    ["XADD", "x", "10-*", "a", "b"],
    ["XSETID", "x", "20-0", "ENTRIESADDED", "1"],
    ["XSETID", "x", "20-0", "ENTRIESADDED", "-1"],
    ["XSETID", "x", "20-0", "ENTRIESADDED", "5", "MAXDELETEDID", "21-0"],
    ["XSETID", "x", "20-0", "ENTRIESADDED", "5", "MAXDELETEDID", "3-0"],
    ["XSETID", "x", "20-0", "FOO", "1"],
    ["XSETID", "x", "20-0", "ENTRIESADDED"],
    ["XSETID", "x", "+"],
    ["XSETID", "nosuch", "1-1"],
    ["XINFO", "STREAM", "x"],
    ["XDEL", "x", "5-5", "10-1"],
    ["XINFO", "STREAM", "x"],
    ["XSETID", "x", "1-1"],
    ["XADD", "x", "2-0", "a", "b"],
    ["XSETID", "x", "18446744073709551615-18446744073709551615"],
    ["XADD", "x", "*", "a", "b"],
    ["XADD", "x", "18446744073709551615-*", "a", "b"],
]

XREAD = [
    ["XADD", "r1", "1-1", "a", "1"],
    ["XADD", "r1", "2-1", "b", "2"],
    ["XADD", "r2", "1-5", "c", "3"],
    ["XREAD", "STREAMS", "r1", "0"],
    ["XREAD", "COUNT", "1", "STREAMS", "r1", "r2", "0", "0"],
    ["XREAD", "STREAMS", "r1", "r2", "1-1", "1-5"],
    ["XREAD", "STREAMS", "r1", "r2", "$", "$"],
    ["XREAD", "STREAMS", "r1", "nosuch", "0", "0"],
    ["XREAD", "STREAMS", "nosuch", "0"],
    ["XREAD", "COUNT", "0", "STREAMS", "r1", "0"],
    ["XREAD", "COUNT", "-1", "STREAMS", "r1", "0"],
    ["XREAD", "STREAMS", "r1"],
    ["XREAD", "STREAMS", "r1", "r2", "0"],
    ["XREAD", "STREAMS", "r1", ">"],
    ["XREAD", "STREAMS", "r1", "x"],
    ["XREAD", "STREAMS", "r1", "+"],
    ["XREAD", "GROUP", "g", "c", "STREAMS", "r1", "0"],
    ["XREAD", "NOACK", "STREAMS", "r1", "0"],
    ["XREAD", "COUNT", "x", "STREAMS", "r1", "0"],
    ["XREAD", "FOO", "STREAMS", "r1", "0"],
    ["XREAD", "COUNT", "1", "r1", "0"],
    ["SET", "str", "v"],
    ["XREAD", "STREAMS", "r1", "str", "0", "0"],
    ["XREAD", "BLOCK", "0", "STREAMS", "r1", "0"],
    ["XREAD", "BLOCK", "10", "STREAMS", "r1", "$"],
    ["XREAD", "BLOCK", "-1", "STREAMS", "r1", "$"],
    ["XREAD", "BLOCK", "x", "STREAMS", "r1", "$"],
    ["MULTI"],
    ["XREAD", "BLOCK", "0", "STREAMS", "r1", "$"],
    ["EXEC"],
]

GROUPS = [
    ["XGROUP", "CREATE", "g", "grp", "$"],
    ["XGROUP", "CREATE", "g", "grp", "$", "MKSTREAM"],
    ["XGROUP", "CREATE", "g", "grp", "$", "MKSTREAM"],
    ["XGROUP", "CREATE", "g", "grp2", "0", "ENTRIESREAD", "-2"],
    ["XGROUP", "CREATE", "g", "grp2", "0", "FOO"],
    ["XGROUP", "CREATE", "g", "grp2", "x"],
    ["XGROUP", "CREATE", "g", "grp0", "0", "ENTRIESREAD", "0"],
    ["XINFO", "GROUPS", "g"],
    *[["XADD", "g", f"{i}-0", "f", f"v{i}"] for i in range(1, 6)],
    ["XINFO", "GROUPS", "g"],
    ["XREADGROUP", "GROUP", "grp", "alice", "COUNT", "2", "STREAMS", "g", ">"],
    ["XREADGROUP", "GROUP", "grp", "bob", "STREAMS", "g", ">"],
    ["XREADGROUP", "GROUP", "grp", "bob", "STREAMS", "g", ">"],
    ["XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "g", "0"],
    ["XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", "g", "1-0"],
    ["XREADGROUP", "GROUP", "grp", "carol", "STREAMS", "g", "0"],
    ["XREADGROUP", "GROUP", "nogrp", "alice", "STREAMS", "g", ">"],
    ["XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "nosuch", ">"],
    ["XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "g", "$"],
    ["XREADGROUP", "GROUP", "grp", "alice", "STREAMS", "g"],
    ["XREADGROUP", "COUNT", "1", "STREAMS", "g", ">"],
    ["XINFO", "GROUPS", "g"],
    ["XPENDING", "g", "grp"],
    ["XPENDING", "g", "grp", "IDLE", "1000000", "-", "+", "10"],
    ["XPENDING", "g", "grp", "-", "+", "10", "nobody"],
    ["XPENDING", "g", "grp", "-", "+"],
    ["XPENDING", "g", "grp", "-", "+", "x"],
    ["XPENDING", "g", "grp", "x", "+", "10"],
    ["XPENDING", "g", "nogrp"],
    ["XPENDING", "nosuch", "grp"],
    ["XPENDING", "g", "grp", "IDLE", "x", "-", "+", "10"],
    ["XPENDING", "g", "grp", "IDLE", "10", "-", "+"],
    ["XACK", "g", "grp", "1-0", "9-0", "1-0"],
    ["XACK", "g", "grp", "x"],
    ["XACK", "g", "nogrp", "1-0"],
    ["XACK", "nosuch", "grp", "1-0"],
    ["XPENDING", "g", "grp"],
    ["XCLAIM", "g", "grp", "carol", "0", "2-0", "JUSTID"],
    ["XCLAIM", "g", "grp", "carol", "0", "3-0", "4-0", "RETRYCOUNT", "7"],
    ["XCLAIM", "g", "grp", "carol", "0", "3-0", "IDLE", "x"],
    ["XCLAIM", "g", "grp", "carol", "0", "3-0", "TIME", "x"],
    ["XCLAIM", "g", "grp", "carol", "0", "3-0", "RETRYCOUNT", "x"],
    ["XCLAIM", "g", "grp", "carol", "0", "3-0", "BOGUS"],
    ["XCLAIM", "g", "grp", "carol", "x", "3-0"],
    ["XCLAIM", "g", "nogrp", "carol", "0", "3-0"],
    ["XCLAIM", "g", "grp", "carol", "100000", "3-0"],
    ["XCLAIM", "g", "grp", "dave", "0", "1-0", "FORCE", "JUSTID", "LASTID", "9-0"],
    ["XPENDING", "g", "grp"],
    ["XINFO", "GROUPS", "g"],
    ["XDEL", "g", "3-0"],
    ["XCLAIM", "g", "grp", "carol", "0", "3-0"],
    ["XAUTOCLAIM", "g", "grp", "erin", "0", "0", "COUNT", "1"],
    ["XAUTOCLAIM", "g", "grp", "erin", "0", "0", "JUSTID"],
    ["XAUTOCLAIM", "g", "grp", "erin", "0", "(1-0"],
    ["XAUTOCLAIM", "g", "grp", "erin", "0", "0", "COUNT", "0"],
    ["XAUTOCLAIM", "g", "grp", "erin", "x", "0"],
    ["XAUTOCLAIM", "g", "grp", "erin", "0", "x"],
    ["XAUTOCLAIM", "g", "grp", "erin", "0", "0", "FOO"],
    ["XAUTOCLAIM", "g", "nogrp", "erin", "0", "0"],
    ["XPENDING", "g", "grp"],
    ["XREADGROUP", "GROUP", "grp", "erin", "NOACK", "STREAMS", "g", ">"],
    ["XADD", "g", "6-0", "f", "v6"],
    ["XREADGROUP", "GROUP", "grp", "erin", "NOACK", "STREAMS", "g", ">"],
    ["XPENDING", "g", "grp"],
    ["XGROUP", "CREATECONSUMER", "g", "grp", "frank"],
    ["XGROUP", "CREATECONSUMER", "g", "grp", "frank"],
    ["XGROUP", "CREATECONSUMER", "g", "nogrp", "frank"],
    ["XGROUP", "DELCONSUMER", "g", "grp", "erin"],
    ["XGROUP", "DELCONSUMER", "g", "grp", "nobody"],
    ["XGROUP", "SETID", "g", "grp", "0"],
    ["XGROUP", "SETID", "g", "grp", "$", "ENTRIESREAD", "3"],
    ["XGROUP", "SETID", "g", "nogrp", "0"],
    ["XGROUP", "SETID", "g", "grp", "0", "MKSTREAM"],
    ["XINFO", "GROUPS", "g"],
    ["XGROUP", "DESTROY", "g", "grp2"],
    ["XGROUP", "DESTROY", "g", "grp2"],
    ["XGROUP", "DESTROY", "nosuch", "grp2"],
    ["XGROUP", "FOO", "g", "grp"],
    ["XGROUP", "HELP"],
    ["XGROUP", "HELP", "x"],
    ["XINFO", "HELP"],
    ["XINFO", "STREAM", "g"],
    ["XINFO", "STREAM", "g", "FULL"],
    ["XINFO", "STREAM", "g", "FULL", "COUNT", "1"],
    ["XINFO", "STREAM", "g", "FULL", "COUNT", "x"],
    ["XINFO", "STREAM", "g", "FOO"],
    ["XINFO", "STREAM", "nosuch"],
    ["XINFO", "GROUPS", "nosuch"],
    ["XINFO", "CONSUMERS", "g", "grp"],
    ["XINFO", "CONSUMERS", "g", "nogrp"],
    ["XINFO", "FOO", "g"],
    ["SET", "str", "v"],
    ["XGROUP", "CREATE", "str", "grp", "$"],
    ["XINFO", "STREAM", "str"],
    ["XACK", "str", "grp", "1-0"],
    ["XPENDING", "str", "grp"],
    ["COPY", "g", "gcopy"],
    ["XINFO", "GROUPS", "gcopy"],
    ["XPENDING", "gcopy", "grp"],
]

def _watched(*change) -> list:
    """WATCH w, a stream command on w, then a transaction: EXEC fails only if Redis counts it a write."""
    return [["WATCH", "w"], list(change), ["MULTI"], ["PING"], ["EXEC"]]


WATCH = [
    ["XADD", "w", "1-1", "f", "v"],
    ["XGROUP", "CREATE", "w", "g", "0"],
    *_watched("XREADGROUP", "GROUP", "g", "c", "STREAMS", "w", ">"),
    *_watched("XACK", "w", "g", "1-1"),
    *_watched("XCLAIM", "w", "g", "c2", "0", "1-1", "FORCE", "JUSTID"),
    *_watched("XGROUP", "SETID", "w", "g", "0"),
    *_watched("XGROUP", "CREATECONSUMER", "w", "g", "c3"),
    *_watched("XGROUP", "CREATE", "w", "g2", "$"),
    *_watched("XSETID", "w", "5-5"),
    *_watched("XADD", "w", "1-1", "f", "v"),
    *_watched("XADD", "w", "6-1", "f", "v"),
    *_watched("XDEL", "w", "9-9"),
    *_watched("XDEL", "w", "6-1"),
    *_watched("XTRIM", "w", "MAXLEN", "5"),
    *_watched("XTRIM", "w", "MAXLEN", "0"),
    *_watched("XGROUP", "DESTROY", "w", "g2"),
    *_watched("XGROUP", "CREATE", "w2", "g", "$", "MKSTREAM"),
]

SCRIPTS = {"watch": WATCH, "basics": BASICS, "trim": TRIM, "setid": SETID, "xread": XREAD, "groups": GROUPS}

_MASKED = re.compile(rb":\d{10,}\r\n")   # unix times in ms


def _mask(step, reply):
    if not isinstance(reply, bytes):
        return reply
    name = " ".join(str(a) for a in step[:2]).upper()
    if name.startswith("XINFO STREAM"):
        reply = re.sub(rb"(radix-tree-nodes\r\n):\d+", rb"\1:<n>", reply)
    if name.startswith("XINFO CONSUMERS") or (name.startswith("XPENDING") and len(step) > 3):
        reply = re.sub(rb":\d+\r\n", b":<int>\r\n", reply)
    return _MASKED.sub(b":<time>\r\n", reply)


@pytest.mark.parametrize("proto", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("name", list(SCRIPTS))
def test_stream_script(redis_server, server, name, proto):
    steps = list(SCRIPTS[name])
    if proto == 3:
        steps = [["HELLO", "3"]] + steps
    expected = [_mask(s, r) for s, r in zip(steps, run_script(redis_server.host, redis_server.port, steps))]
    got = [_mask(s, r) for s, r in zip(steps, run_script(server.host, server.port, steps))]
    compare(steps, expected, got, f"stream script {name} (RESP{proto})")


@pytest.mark.parametrize("name", ["xadd", "xtrim", "xread", "xreadgroup", "xclaim", "xautoclaim", "xpending", "xsetid",
                                  "xrange", "xack", "xgroup|create", "xgroup|setid", "xgroup|help", "xinfo|stream"])
def test_command_docs_and_info_bytes_are_redis(redis_server, server, name):
    """COMMAND DOCS (arguments, history) and COMMAND INFO, raw (containers by subcommand: Redis lists a
    container's subcommands in its dict's order, which changes with each process's hash seed)."""
    for sub in ("DOCS", "INFO"):
        replies = []
        for sp in (redis_server, server):
            s = RespSocket(sp.host, sp.port, timeout=10)
            try:
                replies.append(s.call("COMMAND", sub, name))
            finally:
                s.close()
        assert replies[1] == replies[0], f"COMMAND {sub} {name}"
