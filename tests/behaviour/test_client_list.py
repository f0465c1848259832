"""CLIENT LIST / CLIENT INFO compared with redis-server 7.0: the same field names in the same
order, and the values that mean the same thing on both (qbuf of the running command, argv-mem,
multi-mem, the output counters of an idle client, flags of monitors, MULTI and held clients)."""

import re

import pytest

from resp import parse
from servers import RawClient

FIELDS = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub",
          "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem",
          "tot-mem", "events", "cmd", "user", "redir", "resp"]

# What is the same on both servers for the same session; the rest (ids, addresses, fd, ages,
# buffer capacities, tot-mem) depends on the process.
COMPARED = ["name", "flags", "db", "sub", "psub", "ssub", "multi", "qbuf", "argv-mem", "multi-mem",
            "obl", "oll", "omem", "events", "cmd", "user", "redir", "resp"]


def fields(line: str) -> dict[str, str]:
    return dict(kv.split("=", 1) for kv in line.strip("\n").split(" "))


def session(host: str, port: int) -> list[dict[str, str]]:
    """The same commands on one server; the CLIENT INFO / LIST lines they print."""
    c = RawClient(host, port, 5.0)
    mon = RawClient(host, port, 5.0)
    try:
        out = []
        out.append(fields(parse(c.call("CLIENT", "INFO")).decode()))
        assert c.call("CLIENT", "SETNAME", "cmp") == b"+OK\r\n"
        out.append(fields(parse(c.call("client", "info")).decode()))
        c.send(b"CLIENT INFO\r\n")                                      # inline: qbuf 13
        out.append(fields(parse(c.reply()).decode()))
        c.send(b"MULTI\r\nSET key value\r\nGET key\r\nEXEC\r\n")
        assert c.replies(4)[3] == b"*2\r\n+OK\r\n$5\r\nvalue\r\n"
        assert mon.call("MONITOR") == b"+OK\r\n"
        cid = int(c.call("CLIENT", "ID")[1:-2])
        mon.reply()   # the CLIENT ID line
        listing = parse(c.call("CLIENT", "LIST", "ID", str(cid))).decode().splitlines()
        line = fields(listing[0])
        for k in ("qbuf", "argv-mem"):   # without the id's digits, which differ between servers
            line[k] = str(int(line[k]) - len(str(cid)))
        out.append(line)
        mon_id = parse(c.call("CLIENT", "LIST")).decode()
        out.append(next(fields(ln) for ln in mon_id.splitlines() if " flags=O " in ln))
        c.call("MULTI")
        c.call("SET", "k", "vvvv")
        c.call("CLIENT", "INFO")   # queued: the MULTI state is seen from another client
        other = RawClient(host, port, 5.0)
        try:
            line = next(fields(ln) for ln in parse(other.call("CLIENT", "LIST")).decode().splitlines()
                        if ln.startswith(f"id={cid} "))
            out.append(line)
        finally:
            other.close()
        c.call("DISCARD")
        return out
    finally:
        c.close()
        mon.close()


def test_client_info_and_list_match_redis(server, redis_server):
    if server.is_redis:
        pytest.skip("compares Redistill with redis-server")
    ours = session(server.host, server.port)
    theirs = session(redis_server.host, redis_server.port)
    assert len(ours) == len(theirs)
    for mine, ref in zip(ours, theirs):
        assert list(mine) == FIELDS == list(ref)
        assert {k: mine[k] for k in COMPARED} == {k: ref[k] for k in COMPARED}, (mine, ref)
        for k in ("id", "fd", "age", "idle", "qbuf-free", "rbs", "rbp", "tot-mem"):
            assert re.fullmatch(r"\d+", mine[k]), (k, mine[k])


def test_client_list_type_filter_and_flags(raw, raw_factory):
    mon = raw_factory()
    assert mon.call("MONITOR") == b"+OK\r\n"
    normal = parse(raw.call("CLIENT", "LIST", "TYPE", "normal")).decode()
    assert " flags=O " in normal          # a monitor is a normal client to Redis 7.0
    for kind in ("pubsub", "replica", "master", "slave"):
        assert parse(raw.call("CLIENT", "LIST", "TYPE", kind)) == b""
    assert raw.call("CLIENT", "LIST", "TYPE", "bogus") == b"-ERR Unknown client type 'bogus'\r\n"
    assert raw.call("CLIENT", "LIST", "ID", "abc") == b"-ERR Invalid client ID\r\n"
