"""The command table and the dispatcher: table sanity, the C fast list, and the errors only dispatch() gives."""
import importlib.util
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from redistill import acl, commands
from redistill.commands import COMMANDS, CommandSpec, dispatch
from redistill.config import Config

REDIS_FLAGS = {"write", "readonly", "denyoom", "admin", "noscript", "loading", "stale", "skip_slowlog", "fast",
               "no_auth", "allow_busy", "no_async_loading", "no_multi", "movablekeys", "blocking", "pubsub",
               "skip_monitor", "no_mandatory_keys", "asking", "may_replicate"}


def _all_specs():
    for spec in COMMANDS.values():
        yield spec
        yield from (spec.subcommands or {}).values()


def test_table_is_keyed_by_lowercase_name():
    for name, spec in COMMANDS.items():
        assert isinstance(spec, CommandSpec)
        assert name == spec.name == name.lower() and "|" not in name
        for sub, sspec in (spec.subcommands or {}).items():
            assert sspec.name == f"{name}|{sub}" == sspec.name.lower()


@pytest.mark.parametrize("spec", list(_all_specs()), ids=lambda s: s.name)
def test_spec_sanity(spec):
    assert spec.arity != 0 and abs(spec.arity) >= 1
    assert spec.flags <= REDIS_FLAGS, spec.flags - REDIS_FLAGS
    assert not {"write", "readonly"} <= spec.flags
    assert all(c.startswith("@") for c in spec.acl)
    # Shard channels are "not_key" specs (SSUBSCRIBE & co.): Redis gives SUNSUBSCRIBE, of arity -1,
    # first key 1 too, so only real keys are held to the minimum arity.
    not_key = any("not_key" in ks.flags for ks in spec.key_specs)
    if spec.first_key:  # key positions inside the minimum arity
        assert 1 <= spec.first_key < abs(spec.arity) + not_key and spec.step >= 1
        assert spec.last_key in (-1, -2) or spec.last_key >= spec.first_key  # -2: BLPOP's keys before the timeout
    else:
        assert spec.last_key == spec.step == 0
    for ks in spec.key_specs:  # Redis's key-spec flags: one access type, then operation flags
        assert len({"RO", "RW", "OW", "RM"} & set(ks.flags)) == 1 or ks.flags == ("not_key",), ks
        # keys from an index to the end may be none at all (PFMERGE's sources): the index may be past the arity
        open_end = ks.find_keys[0] == "range" and ks.find_keys[1] < 0 and ks.begin_search[0] == "index"
        assert (ks.begin_search[0] == "index" and 1 <= ks.begin_search[1] < abs(spec.arity) + not_key + open_end
                or ks.notes
                or ks.begin_search[0] == "keyword" and 1 <= abs(ks.begin_search[2]) <= abs(spec.arity))  # MIGRATE: from the end; GEORADIUS: STORE after the minimum
    assert ("movablekeys" in spec.flags) == any(ks.begin_search[0] != "index" or ks.find_keys[0] != "range"
                                                for ks in spec.key_specs)
    assert spec.group in {"string", "generic", "connection", "server", "transactions", "hash", "set",   # Redis's
                          "sorted-set", "list", "cluster", "bitmap", "hyperloglog", "geo", "stream", "pubsub",
                          "scripting", "sentinel"}
    assert spec.summary and spec.since.count(".") == 2


@pytest.mark.parametrize("spec", list(_all_specs()), ids=lambda s: s.name)
def test_every_handler_is_callable(spec):
    if spec.handler is None:  # a container that always needs a subcommand
        assert spec.subcommands and spec.arity <= -2
    else:
        assert callable(spec.handler)


@pytest.mark.parametrize("spec", list(_all_specs()), ids=lambda s: s.name)
def test_c_gate_and_wakes_columns(spec):
    """The columns C's lists come from say something coherent about the command."""
    assert spec.c in (None, "fast", "tx", "exec") and spec.gate in ("shared", "exclusive", "own")
    from redistill.commands import datatypes

    if spec.c is not None:   # a container's tx_<name> serves the subcommands that name datatypes.run
        assert "|" not in spec.name
        assert spec.handler is not None or any(s.handler is datatypes.run for s in spec.subcommands.values())
    if "|" in spec.name and spec.handler is datatypes.run:
        assert COMMANDS[spec.name.split("|")[0]].c == "exec"
    if spec.c == "exec":   # never on the fast path: Python runs it under its gate (or without it: "own"
        # takes it exclusive itself, which a fast-path batch holding it shared cannot), blocks first, or
        # hands a big value over in its block (GETSET, GETDEL, GETEX: the fast path adopts SET's only)
        assert spec.gate in ("exclusive", "own") or spec.subcommands or "blocking" in spec.flags \
            or spec.name in ("getset", "getdel", "getex")
    if spec.gate == "own":
        assert spec.c in (None, "exec")
    if spec.wakes:   # only a write adds a key; a blocking command serves its own (blocking.py)
        assert "write" in spec.flags and "blocking" not in spec.flags and spec.key_specs


def _gen_header():
    """redistill/commands/gen_header.py, loaded by path as the build loads it."""
    spec = importlib.util.spec_from_file_location("gen_header_under_test",
                                                  Path(commands.__file__).with_name("gen_header.py"))
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return gen


def test_generated_header_is_current():
    """csrc/commands_generated.h is checked in (a bare gcc of csrc/*.c needs it): it must be what
    the table generates now, or C runs another command list than Python's."""
    gen = _gen_header()
    assert Path(gen.HEADER).read_text(encoding="utf-8") == gen.render(), \
        "stale csrc/commands_generated.h: run python redistill/commands/gen_header.py"


def test_fast_set_equals_the_c_list():
    from redistill._core import ffi, lib

    name, arity = ffi.new("const char **"), ffi.new("int *")
    c_list, i = {}, 0
    while lib.rd_fast_command(i, name, arity) == lib.RD_OK:
        c_list[ffi.string(name[0]).decode()] = arity[0]
        i += 1
    python = {n: s.arity for n, s in COMMANDS.items() if s.fast}
    # EVALSHA[_RO] of a cached script: conn.c runs and counts them, not the type/fast tables
    assert {n: c_list.pop(n) for n in ("evalsha", "evalsha_ro")} == {"evalsha": -3, "evalsha_ro": -3}
    assert python == c_list
    # the list, so neither side can shrink unnoticed
    assert set(python) >= {"get", "set", "del", "exists", "ping", "echo", "incr", "decr", "incrby",
                           "decrby", "mget", "mset", "setnx", "setex", "psetex", "strlen", "unlink"}
    # every hash and set command runs in C (csrc/cmdtable.c's table)
    assert {n for n, s in COMMANDS.items() if s.group in ("hash", "set")} <= set(python)


def test_fast_commands_have_one_implementation():
    """A command the fast path serves runs the same C handler on the Python path (rd_exec), so the
    two paths cannot disagree: its table line names datatypes.run, and rd_exec knows it."""
    from redistill.commands import datatypes
    from redistill.keyspace import Keyspace

    ks = Keyspace()
    try:
        for spec in (s for s in COMMANDS.values() if s.fast):
            # a blocking read's handler waits (streams.py) and runs C's for the rest
            assert spec.handler is datatypes.run or "blocking" in spec.flags, spec.name
            args = [spec.name.encode()] + [b"x"] * (abs(spec.arity) - 1)
            assert ks.exec(args, 2)[:1] in (b"+", b"-", b":", b"$", b"*", b"%", b"~"), spec.name
    finally:
        ks.close()


def test_rd_exec_answers_a_wrong_argument_count():
    """A caller of rd_exec that skipped the dispatcher's arity check (a script's call) gets Redis's
    error, never a handler reading past argv."""
    from redistill.errors import wrong_arity
    from redistill.keyspace import Keyspace

    ks = Keyspace()
    try:
        for spec in (s for s in COMMANDS.values() if s.c is not None):
            wrong = [[b"x"] * spec.arity] if spec.arity > 0 else []
            if spec.arity not in (1, -1):
                wrong.append([])
            for extra in wrong:
                reply = ks.exec([spec.name.upper().encode(), *extra], 2)
                assert reply == wrong_arity(spec.name).encode() + b"\r\n", (spec.name, reply)
    finally:
        ks.close()


# ---- dispatch with stand-ins for the server and the connection ----------------------------------

class _Client(SimpleNamespace):
    def set_resp(self, n):
        self.resp = n

    def set_authenticated(self, b):
        self.authenticated = b

    def set_user(self, user):
        self.user = user

    def close_after_reply(self):
        self.closing = True


@pytest.fixture
def client():
    from redistill.keyspace import Keyspace

    ks = Keyspace()
    server = SimpleNamespace(config=Config(password="pw"), keyspace=ks, clients=lambda: [c], acl=acl.Registry("pw"),
                             info=lambda sections: "# Server\r\n")
    c = _Client(id=7, name=None, lib_name="", lib_ver="", resp=2, authenticated=True, server=server,
                addr="127.0.0.1:1", laddr="127.0.0.1:2", fd=9, created=time.time(),
                last_interaction=time.time(), last_command="NULL", db=0, closing=False)
    yield c
    ks.close()


def run(client, *args):
    return dispatch(client, [a if isinstance(a, bytes) else a.encode() for a in args])


def test_unknown_command_lists_args_like_redis(client):
    assert run(client, "nope") == b"-ERR unknown command 'nope', with args beginning with: \r\n"
    assert run(client, "foo", "a\r\nb") == b"-ERR unknown command 'foo', with args beginning with: 'a  b' \r\n"
    reply = run(client, "foo", *["x" * 50] * 5)
    assert reply == (b"-ERR unknown command 'foo', with args beginning with: "
                     + b"'" + b"x" * 50 + b"' " + b"'" + b"x" * 50 + b"' " + b"'" + b"x" * 22 + b"' \r\n")
    assert run(client, "f" * 200) == b"-ERR unknown command '" + b"f" * 128 + b"', with args beginning with: \r\n"


def test_arity_and_subcommand_errors(client):
    assert run(client, "GET") == b"-ERR wrong number of arguments for 'get' command\r\n"
    assert run(client, "client") == b"-ERR wrong number of arguments for 'client' command\r\n"
    assert run(client, "client", "setname") == b"-ERR wrong number of arguments for 'client|setname' command\r\n"
    assert run(client, "CLIENT", "FOO") == b"-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n"
    assert run(client, "config", "x" * 200) == (b"-ERR unknown subcommand '" + b"x" * 128
                                                + b"'. Try CONFIG HELP.\r\n")


def test_noauth_gate_comes_after_existence_and_arity(client):
    client.authenticated = False
    assert run(client, "get", "a") == b"-NOAUTH Authentication required.\r\n"
    assert run(client, "get") == b"-ERR wrong number of arguments for 'get' command\r\n"
    assert run(client, "nope").startswith(b"-ERR unknown command")
    assert run(client, "auth", "bad") == b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    assert run(client, "auth", "pw") == b"+OK\r\n" and client.authenticated
    assert run(client, "get", "a") == b"$-1\r\n"


def test_reply_follows_client_resp(client):
    assert run(client, "hello", "3")[:1] == b"%" and client.resp == 3
    assert run(client, "get", "missing") == b"_\r\n"
    assert run(client, "ping") == b"+PONG\r\n"


def test_handler_failure_is_an_error_reply_not_a_crash(client, monkeypatch):
    def boom(client, args):
        raise RuntimeError("bug")
    spec = COMMANDS["echo"]
    monkeypatch.setitem(COMMANDS, "echo", CommandSpec(**{**spec.__dict__, "handler": boom}))
    assert run(client, "echo", "x") == b"-ERR internal error\r\n"
    assert commands.command_stats()["echo"]["failed_calls"] >= 1


def test_last_command_and_stats(client):
    before = commands.command_stats().get("client|id", {}).get("calls", 0)
    assert run(client, "client", "id") == b":7\r\n"
    assert client.last_command == "client|id"
    assert commands.command_stats()["client|id"]["calls"] == before + 1
    assert any(name == "cmdstat_client|id" for name, _ in commands.commandstats_rows())
