"""COMMAND INFO, COMMAND GETKEYS and COMMAND GETKEYSANDFLAGS for every command in the table, against
redis-server 7.0: the table's arity, flags, key specs and ACL categories are Redis's (table.py), and the
key extraction that reads them finds the same keys with the same flags.  Both protocols: key specs are
maps in RESP3."""

from __future__ import annotations

import pytest

from redistill.commands import COMMANDS
from resp import RespSocket, parse

# Commands Redis 7.0 does not have (7.2 ones Redistill already serves): COMMAND INFO answers nil there.
NEWER_THAN_REDIS = {"client|setinfo", "client|no-touch",
                    # Redis 7.4's hash-field TTLs
                    "hexpire", "hpexpire", "hexpireat", "hpexpireat", "httl", "hpttl", "hexpiretime",
                    "hpexpiretime", "hpersist"}
NEWER_THAN_REDIS_BYTES = {n.encode() for n in NEWER_THAN_REDIS}

SPECS = [spec for top in COMMANDS.values() for spec in (top, *(top.subcommands or {}).values())]

# Argument vectors after the name, covering the key-spec shapes: ranges (single key, every key, every
# second key, all but the timeout), numkeys (good, zero, too many, not a number), SORT's STORE.
ARGVS = [["a"], ["a", "b"], ["a", "b", "c", "d"], ["2", "a", "b", "c"], ["a", "2", "b", "c", "d"],
         ["0", "a", "b"], ["9", "a"], ["x", "a", "b"], ["a", "BY", "p", "STORE", "d", "GET", "store"],
         ["a", "b", "GET"], ["a", "b", "0", "1", "2", "3", "4", "5"]]


def _both(redis_server, server, resp: int, *args) -> tuple[bytes, bytes]:
    replies = []
    for port in (redis_server.port, server.port):
        s = RespSocket("127.0.0.1", port, timeout=10)
        try:
            if resp == 3:
                assert s.call("HELLO", "3")[:1] == b"%"
            replies.append(s.call(*args))
        finally:
            s.close()
    return replies[0], replies[1]


def _name_args(spec) -> list[str]:
    return spec.name.split("|")


@pytest.mark.parametrize("resp", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_command_info_is_redis(redis_server, server, spec, resp):
    want, got = _both(redis_server, server, resp, "COMMAND", "INFO", spec.name)
    if spec.name in NEWER_THAN_REDIS:
        assert parse(want) == [None] and parse(got)[0][0] == spec.name.encode()
        return
    if not spec.subcommands:   # the whole entry, byte for byte
        assert got == want
        return
    # A container: its own fields byte for byte; its subcommands are some of Redis's (each one is
    # compared on its own above), listed in another order (Redis's: its dict's).
    w, g = parse(want)[0], parse(got)[0]
    assert g[:9] == w[:9]
    assert {e[0] for e in g[9]} - NEWER_THAN_REDIS_BYTES <= {e[0] for e in w[9]}


KEYED = [spec for spec in SPECS if spec.key_specs and spec.name not in NEWER_THAN_REDIS]


@pytest.mark.parametrize("sub", ["GETKEYS", "GETKEYSANDFLAGS"])
@pytest.mark.parametrize("spec", KEYED, ids=lambda s: s.name)
def test_command_getkeys_is_redis(redis_server, server, spec, sub):
    for argv in ARGVS:
        args = ["COMMAND", sub, *_name_args(spec), *argv]
        want, got = _both(redis_server, server, 2, *args)
        assert got == want, f"{args}: redis {want!r}, ours {got!r}"
