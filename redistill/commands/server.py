"""Server commands (Redis's server.c / config.c): INFO, CONFIG GET/SET/HELP, COMMAND and its subcommands."""
from __future__ import annotations

import dataclasses
from typing import Any

from redistill import config as config_module
from redistill import errors
from redistill.commands.args import help_reply, word
from redistill.commands.glob import stringmatch
from redistill.errors import CommandError
from redistill.protocol import SetReply, Verbatim


# INFO [section [section ...]]
def info(client: Any, args: list[bytes]) -> Verbatim:
    # Redis 7 replies with addReplyVerbatim: "=len\r\ntxt:..." in RESP3, a bulk string in RESP2.
    return Verbatim("txt", client.server.info([a.decode("latin-1") for a in args[1:]]))


# ---- CONFIG --------------------------------------------------------------------------------------

# Parameters Redis has that mean nothing here: CONFIG SET stores them so CONFIG GET shows them.
_overrides: dict[int, dict[str, str]] = {}  # id(server) -> name -> value

_YES_NO = {"yes": True, "no": False}


def config_params(server: Any) -> dict[str, str]:
    """Every parameter CONFIG GET knows, with its current value."""
    params = config_module.redis_params(server.config)
    params.update(_overrides.get(id(server), {}))
    return params


# CONFIG GET parameter [parameter ...]
def config_get(client: Any, args: list[bytes]) -> dict[bytes, bytes]:
    params = config_params(client.server)
    found: dict[str, tuple[bytes, bytes]] = {}  # name -> (name as replied, value)
    for pattern in args[2:]:  # a parameter matched by two patterns is listed once
        if not any(c in pattern for c in b"[*?"):
            # Redis looks a plain name up directly and replies with it as the client spelled it.
            name = pattern.decode("latin-1").lower()
            if name in params and name not in found:
                found[name] = (pattern, params[name].encode("latin-1"))
            continue
        for name, value in params.items():
            if name not in found and stringmatch(pattern, name.encode(), nocase=True):
                found[name] = (name.encode(), value.encode("latin-1"))
    return dict(found.values())


def _parse_memory(value: str) -> int:
    try:
        return config_module.parse_size(value)
    except ValueError:
        raise CommandError("argument must be a memory value") from None


def _parse_uint(value: str) -> int:
    if not value.isdigit():
        raise CommandError("argument couldn't be parsed into an integer")
    return int(value)


def _parse_choice(choices: tuple[str, ...]) -> Any:
    def parse(value: str) -> str:
        if value.lower() not in choices:
            raise CommandError("argument(s) must be one of the following: " + ", ".join(choices))
        return value.lower()
    return parse


def _parse_yes_no(value: str) -> bool:
    if value.lower() not in _YES_NO:
        raise CommandError("argument must be 'yes' or 'no'")
    return _YES_NO[value.lower()]


# Settable parameters: Redis name -> (Config field or None for "stored only", parser).
_SETTABLE = {
    "maxmemory": ("max_memory", _parse_memory),
    "maxmemory-policy": ("eviction_policy", _parse_choice(config_module.EVICTION_POLICIES)),
    "maxclients": ("max_connections", _parse_uint),
    "timeout": ("timeout", _parse_uint),
    "tcp-keepalive": ("tcp_keepalive", _parse_uint),
    "requirepass": ("password", lambda v: v or None),
    "protected-mode": ("protected_mode", _parse_yes_no),
    "loglevel": ("log_level", _parse_choice(config_module.LOG_LEVELS)),
    "save": (None, str),
    "appendonly": (None, lambda v: "yes" if _parse_yes_no(v) else "no"),
    "appendfsync": (None, _parse_choice(("always", "everysec", "no"))),
}


# CONFIG SET parameter value [parameter value ...]
def config_set(client: Any, args: list[bytes]) -> str:
    if len(args) % 2:  # a name without its value (fewer than one pair is an arity error)
        raise CommandError(errors.SYNTAX)
    server = client.server
    known = config_params(server)
    pairs = [(args[i], args[i + 1].decode("latin-1")) for i in range(2, len(args), 2)]
    # Like Redis: first every name is checked (unknown, immutable, duplicate), then the values;
    # nothing changes unless all of them are valid.
    seen: set[str] = set()
    for raw, _ in pairs:
        name = raw.decode("latin-1").lower()
        if name not in known:
            raise CommandError(errors.config_set_unknown(raw))
        if name not in _SETTABLE:
            raise CommandError(errors.config_set_failed(raw, "can't set immutable config"))
        if name in seen:
            raise CommandError(errors.config_set_failed(raw, "duplicate parameter"))
        seen.add(name)
    changes, stored = {}, {}
    for raw, value in pairs:
        name = raw.decode("latin-1").lower()
        field, parse = _SETTABLE[name]
        try:
            parsed = parse(value)
        except CommandError as e:
            # Value errors name the parameter as Redis spells it (name checks: as the client did).
            raise CommandError(errors.config_set_failed(name.encode(), e.line[len("-ERR "):])) from None
        if field is None:
            stored[name] = parsed
        else:
            changes[field] = parsed
    # The new Config is visible to CONFIG GET and to whoever reads server.config afterwards.
    server.config = dataclasses.replace(server.config, **changes)
    if "max_memory" in changes or "eviction_policy" in changes:
        server.keyspace.set_eviction(server.config.max_memory, server.config.eviction_policy)
    _overrides.setdefault(id(server), {}).update(stored)
    return "OK"


# CONFIG HELP
def config_help(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("CONFIG", [
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
    ])


# ---- COMMAND -------------------------------------------------------------------------------------

def _table() -> dict[str, Any]:
    from redistill.commands import COMMANDS  # the table imports this module first
    return COMMANDS


def _all_specs() -> list[Any]:
    """Every command and subcommand, containers first."""
    out = []
    for spec in _table().values():
        out.append(spec)
        out.extend((spec.subcommands or {}).values())
    return out


def _find(name: bytes) -> Any:
    """A command by name, or a subcommand by "container|sub"; None when unknown."""
    container, _, sub = name.lower().decode("latin-1").partition("|")
    spec = _table().get(container)
    if spec is not None and sub:
        spec = (spec.subcommands or {}).get(sub)
    return spec


# Redis's ACL category order, the order COMMAND INFO lists them in.
_ACL_ORDER = ("@keyspace", "@read", "@write", "@string", "@admin", "@fast", "@slow", "@dangerous",
              "@connection")


def acl_categories(spec: Any) -> list[str]:
    """Categories Redis derives from the flags, plus the ones the table names (spec.acl)."""
    cats = set(spec.acl)
    cats.add("@fast" if "fast" in spec.flags else "@slow")
    if "write" in spec.flags:
        cats.add("@write")
    if "readonly" in spec.flags:
        cats.add("@read")
    if "admin" in spec.flags:
        cats.update(("@admin", "@dangerous"))
    return sorted(cats, key=lambda c: _ACL_ORDER.index(c) if c in _ACL_ORDER else len(_ACL_ORDER))


_FLAG_ORDER = ("write", "readonly", "denyoom", "admin", "noscript", "loading", "stale", "fast",
               "no_auth", "allow_busy")


def _key_specs(spec: Any) -> SetReply:
    if not spec.first_key:
        return SetReply()
    lastkey = spec.last_key if spec.last_key < 0 else spec.last_key - spec.first_key
    return SetReply([{
        b"flags": SetReply(spec.key_flags),
        b"begin_search": {b"type": b"index", b"spec": {b"index": spec.first_key}},
        b"find_keys": {b"type": b"range",
                       b"spec": {b"lastkey": lastkey, b"keystep": spec.step, b"limit": 0}},
    }])


def command_info_entry(spec: Any) -> list:
    """addReplyCommandInfo: name, arity, flags, first/last/step, ACL categories, tips, key specs,
    subcommands."""
    flags = sorted(spec.flags, key=lambda f: _FLAG_ORDER.index(f) if f in _FLAG_ORDER else 99)
    subs = [command_info_entry(s) for s in (spec.subcommands or {}).values()]
    return [spec.name.encode(), spec.arity, SetReply(flags), spec.first_key, spec.last_key,
            spec.step, SetReply(acl_categories(spec)), SetReply(t.encode() for t in spec.tips),
            _key_specs(spec),
            subs or SetReply()]


def command_docs_entry(spec: Any) -> dict:
    docs: dict[bytes, Any] = {b"summary": spec.summary.encode(), b"since": spec.since.encode(),
                              b"group": spec.group.encode()}
    if spec.subcommands:
        docs[b"subcommands"] = {s.name.encode(): command_docs_entry(s)
                                for s in spec.subcommands.values()}
    return docs


# COMMAND
def command_all(client: Any, args: list[bytes]) -> list:
    return [command_info_entry(spec) for spec in _table().values()]


# COMMAND COUNT
def command_count(client: Any, args: list[bytes]) -> int:
    return len(_table())


# COMMAND INFO [command-name [command-name ...]]
def command_info(client: Any, args: list[bytes]) -> list:
    if len(args) == 2:
        return command_all(client, args)
    return [None if (spec := _find(name)) is None else command_info_entry(spec) for name in args[2:]]


# COMMAND DOCS [command-name [command-name ...]]
def command_docs(client: Any, args: list[bytes]) -> dict:
    specs = _table().values() if len(args) == 2 else filter(None, map(_find, args[2:]))
    return {spec.name.encode(): command_docs_entry(spec) for spec in specs}


# COMMAND LIST [FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]
def command_list(client: Any, args: list[bytes]) -> list[bytes]:
    names = _all_specs()
    if len(args) == 5 and word(args[2]) == b"filterby":
        kind, value = word(args[3]), args[4]
        if kind == b"module":
            names = []  # no modules here
        elif kind == b"aclcat":
            wanted = "@" + value.decode("latin-1").lower()
            names = [s for s in names if wanted in acl_categories(s)]
        elif kind == b"pattern":
            names = [s for s in names if stringmatch(value, s.name.encode(), nocase=True)]
        else:
            raise CommandError(errors.SYNTAX)
    elif len(args) != 2:
        raise CommandError(errors.SYNTAX)
    return [s.name.encode() for s in names]


# COMMAND HELP
def command_help(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("COMMAND", [
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
    ])
