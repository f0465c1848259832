"""Server commands (Redis's server.c / config.c): INFO, CONFIG GET/SET/HELP, COMMAND and its subcommands."""
from __future__ import annotations

import time
from typing import Any

from redistill import errors
from redistill.commands.args import help_reply, parse_ll, word
from redistill.commands.config_cmd import config_get, config_params, config_set  # noqa: F401 (the table's)
from redistill.commands.docs import docs_fields
from redistill.errors import CommandError
from redistill.keyspace import glob_match
from redistill.logutil import get_logger
from redistill.protocol import SetReply, Verbatim

log = get_logger("redistill")


# INFO [section [section ...]]
def info(client: Any, args: list[bytes]) -> Verbatim:
    # Redis 7 replies with addReplyVerbatim: "=len\r\ntxt:..." in RESP3, a bulk string in RESP2.
    return Verbatim("txt", client.server.info([a.decode("latin-1") for a in args[1:]]))


# ---- CONFIG (GET and SET: config_cmd.py) ----------------------------------------------------------

# CONFIG RESETSTAT   (INFO's counters, commandstats and errorstats; not the slowlog, as Redis)
def config_resetstat(client: Any, args: list[bytes]) -> str:
    from redistill import commands   # the table imports this module first

    commands.reset_stats()
    stats = getattr(client.server, "stats", None)
    if stats is not None and hasattr(stats, "reset"):
        stats.reset(client.server)
    return "OK"


# CONFIG REWRITE   (unsupported: the configuration is TOML, see errors.CONFIG_REWRITE_UNSUPPORTED)
def config_rewrite(client: Any, args: list[bytes]) -> str:
    raise CommandError(errors.CONFIG_REWRITE_UNSUPPORTED)


# CONFIG HELP
def config_help(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("CONFIG", [
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
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
_ACL_ORDER = ("@keyspace", "@read", "@write", "@set", "@sortedset", "@list", "@hash", "@string", "@bitmap",
              "@hyperloglog", "@geo", "@stream", "@pubsub", "@admin", "@fast", "@slow", "@blocking",
              "@dangerous", "@connection", "@transaction", "@scripting")


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


# Redis's command flag order (COMMAND INFO lists them in it).
_FLAG_ORDER = ("write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking",
               "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth",
               "may_replicate", "sentinel", "only_sentinel", "no_mandatory_keys", "protected",
               "module_getkeys", "module_no_cluster", "no_async_loading", "no_multi", "movablekeys",
               "allow_busy")


# Commands whose keys have different flags (one Redis key spec per key): name -> per key, in
# argument order, (argument index, flags).  The table's legacy triple still covers all of them.
_PER_KEY_FLAGS = {
    "rename": ((1, ("RW", "access", "delete")), (2, ("OW", "update"))),
    "renamenx": ((1, ("RW", "access", "delete")), (2, ("OW", "insert"))),
    "copy": ((1, ("RO", "access")), (2, ("OW", "update"))),
    "zrangestore": ((1, ("OW", "update")), (2, ("RO", "access"))),
}
# list moves (source, destination)
_PER_KEY_FLAGS.update({name: ((1, ("RW", "access", "delete")), (2, ("RW", "insert")))
                       for name in ("lmove", "rpoplpush", "blmove", "brpoplpush")})


# Redis's key-spec notes (COMMAND INFO shows them first).
_KEY_SPEC_NOTES = {
    "set": b"RW and ACCESS due to the optional `GET` argument",
    "getex": b"RW and UPDATE because it changes the TTL",
}


def _key_spec(flags: Any, index: int, lastkey: int, step: int, notes: bytes | None = None) -> dict:
    return {
        **({b"notes": notes} if notes else {}),
        b"flags": SetReply(flags),
        b"begin_search": {b"type": b"index", b"spec": {b"index": index}},
        b"find_keys": {b"type": b"range",
                       b"spec": {b"lastkey": lastkey, b"keystep": step, b"limit": 0}},
    }


# Commands with a range of keys after a differently flagged first one (Redis's two key specs):
# name -> ((flags, index, lastkey relative to index), ...).
_RANGE_KEY_SPECS = {
    "sinterstore": ((("RW", "update"), 1, 0), (("RO", "access"), 2, -1)),
    "sunionstore": ((("OW", "update"), 1, 0), (("RO", "access"), 2, -1)),
    "sdiffstore": ((("OW", "update"), 1, 0), (("RO", "access"), 2, -1)),
    "smove": ((("RW", "access", "delete"), 1, 0), (("RW", "insert"), 2, 0)),
}


def _keynum_spec(flags: Any, index: int) -> dict:
    """A "keynum" key spec (numkeys at index, the keys right after it): SINTERCARD."""
    return {b"flags": SetReply(flags), b"begin_search": {b"type": b"index", b"spec": {b"index": index}},
            b"find_keys": {b"type": b"keynum", b"spec": {b"keynumidx": 0, b"firstkey": 1, b"keystep": 1}}}


def _unknown_spec(flags: Any, notes: bytes) -> dict:
    """A key spec whose keys no rule can find (SORT's BY/GET patterns and STORE)."""
    return {b"notes": notes, b"flags": SetReply(flags), b"begin_search": {b"type": b"unknown", b"spec": {}},
            b"find_keys": {b"type": b"unknown", b"spec": {}}}


def _flags_of_key(name: str, position: int) -> Any:
    """The flags of the key at argument `position` for a _RANGE_KEY_SPECS command."""
    for flags, index, lastkey in _RANGE_KEY_SPECS[name]:
        if position == index or (position > index and lastkey < 0):
            return flags
    return ()


def _key_specs(spec: Any) -> SetReply:
    if spec.name in _MOVABLE_KEYS:
        pos, flags, dest = _MOVABLE_KEYS[spec.name]
        return SetReply(([_key_spec(dest, 1, 0, 1)] if dest else []) + [_keynum_spec(flags, pos)])
    if spec.name in _RANGE_KEY_SPECS:
        return SetReply(_key_spec(flags, index, lastkey, 1) for flags, index, lastkey in _RANGE_KEY_SPECS[spec.name])
    if not spec.first_key:
        return SetReply()
    if spec.name in _PER_KEY_FLAGS:
        return SetReply(_key_spec(flags, index, 0, 1) for index, flags in _PER_KEY_FLAGS[spec.name])
    if spec.name in ("sort", "sort_ro"):
        extra = _SORT_SPECS if spec.name == "sort" else _SORT_SPECS[:1]
        return SetReply([_key_spec(_RO, 1, 0, 1)] + [_unknown_spec(f, notes) for f, notes in extra])
    lastkey = spec.last_key if spec.last_key < 0 else spec.last_key - spec.first_key
    return SetReply([_key_spec(spec.key_flags, spec.first_key, lastkey, spec.step,
                               _KEY_SPEC_NOTES.get(spec.name))])


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
    """addReplyCommandDocs: summary, since, group, then complexity, doc flags, history and the
    arguments from docs.py, then the subcommands."""
    docs: dict[bytes, Any] = {b"summary": spec.summary.encode(), b"since": spec.since.encode(),
                              b"group": spec.group.encode()}
    docs.update(docs_fields(spec.name))
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
            names = [s for s in names if glob_match(value, s.name.encode(), nocase=True)]
        else:
            raise CommandError(errors.SYNTAX)
    elif len(args) != 2:
        raise CommandError(errors.SYNTAX)
    return [s.name.encode() for s in names]


# Commands whose keys follow a numkeys argument (Redis's "keynum" key specs, movablekeys flag):
# name -> (position of numkeys, the keys' flags).
# Keys counted by a numkeys argument: name -> (index of numkeys, the keys' flags, flags of a
# destination key at index 1 before it, or None).
_RO, _OW = ("RO", "access"), ("OW", "update")
_MOVABLE_KEYS = {
    "sintercard": (1, _RO, None), "zunion": (1, _RO, None), "zinter": (1, _RO, None),
    "zdiff": (1, _RO, None), "zintercard": (1, _RO, None), "zmpop": (1, ("RW", "access", "delete"), None),
    "lmpop": (1, ("RW", "access", "delete"), None), "blmpop": (2, ("RW", "access", "delete"), None),
    "bzmpop": (2, ("RW", "access", "delete"), None),
    "zunionstore": (2, _RO, _OW), "zinterstore": (2, _RO, _OW), "zdiffstore": (2, _RO, _OW),
}

# SORT's and SORT_RO's key specs after the sorted key, as Redis 7.0 words them.
_SORT_SPECS = (
    (_RO, b"For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the "
          b"content of the key we sort"),
    (_OW, b"For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in "
          b"the argument array"),
)


def _movable_keys(spec: Any, cmd: list[bytes]) -> list[bytes]:
    pos, _, dest = _MOVABLE_KEYS[spec.name]
    if not spec.arity_ok(len(cmd)):
        raise CommandError(errors.COMMAND_ARGS_COUNT)
    try:
        n = parse_ll(cmd[pos])
    except CommandError:
        n = -1
    if n < 1 or pos + n >= len(cmd):
        raise CommandError(errors.COMMAND_ARGS)
    return ([cmd[1]] if dest else []) + cmd[pos + 1:pos + 1 + n]


def _sort_keys(cmd: list[bytes]) -> list[bytes]:
    """Redis's sortGetKeys: the key, and STORE's destination (the last one), stepping over the
    arguments of LIMIT, GET and BY so that a pattern spelled "store" is not taken for the option."""
    store, i = None, 2
    while i < len(cmd):
        w = word(cmd[i])
        if w in _SORT_SKIP:
            i += _SORT_SKIP[w]
        elif w == b"store" and i + 1 < len(cmd):
            store = cmd[i + 1]
            i += 1
        i += 1
    return [cmd[1]] if store is None else [cmd[1], store]


_SORT_SKIP = {b"limit": 2, b"get": 1, b"by": 1}


def _keys_of(args: list[bytes]) -> tuple[Any, list[bytes]]:
    """COMMAND GETKEYS[ANDFLAGS] <full-command>: the command's spec and its key arguments."""
    cmd = args[2:]
    spec = _find(cmd[0])
    if spec is not None and spec.subcommands is not None and len(cmd) >= 2:
        spec = spec.subcommands.get(cmd[1].lower().decode("latin-1"))
    if spec is None or spec.handler is None and spec.subcommands is None:
        raise CommandError(errors.COMMAND_INVALID)
    if not spec.first_key and spec.name not in _MOVABLE_KEYS:
        raise CommandError(errors.COMMAND_NO_KEYS)
    return spec, command_keys(spec, cmd)


def command_keys(spec: Any, cmd: list[bytes]) -> list[bytes]:
    """The key arguments of cmd (the full command, spec its resolved spec; [] for a command without
    keys); CommandError when the arguments cannot hold them.  COMMAND GETKEYS and cluster routing."""
    if spec.name in _MOVABLE_KEYS:
        return _movable_keys(spec, cmd)
    if spec.name == "sort":
        return _sort_keys(cmd)
    if not spec.first_key:
        return []
    if not spec.arity_ok(len(cmd)):
        raise CommandError(errors.COMMAND_ARGS_COUNT)
    last = spec.last_key if spec.last_key >= 0 else len(cmd) + spec.last_key
    if last >= len(cmd):
        raise CommandError(errors.COMMAND_ARGS)
    return cmd[spec.first_key:last + 1:spec.step]


# COMMAND GETKEYS <full-command>
def command_getkeys(client: Any, args: list[bytes]) -> list[bytes]:
    return _keys_of(args)[1]


# COMMAND GETKEYSANDFLAGS <full-command>
def command_getkeysandflags(client: Any, args: list[bytes]) -> list:
    spec, keys = _keys_of(args)
    if spec.name in _PER_KEY_FLAGS:
        return [[key, SetReply(flags)] for key, (_, flags) in zip(keys, _PER_KEY_FLAGS[spec.name])]
    if spec.name in _RANGE_KEY_SPECS:
        return [[key, SetReply(_flags_of_key(spec.name, spec.first_key + i * spec.step))]
                for i, key in enumerate(keys)]
    if spec.name in _MOVABLE_KEYS:
        _, flags, dest = _MOVABLE_KEYS[spec.name]
        return [[key, SetReply(dest if dest and i == 0 else flags)] for i, key in enumerate(keys)]
    if spec.name == "sort":  # the sorted key is read, STORE's destination overwritten
        return [[key, SetReply(_OW if i else _RO)] for i, key in enumerate(keys)]
    flags = spec.key_flags
    if "variable_flags" in flags:   # SET: setGetKeys overwrites unless GET reads the old value
        get = any(word(a) == b"get" for a in args[5:])
        flags = ("RW", "access", "update") if get else ("OW", "update")
    return [[key, SetReply(flags)] for key in keys]


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
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
    ])


# ---- TIME, persistence, SHUTDOWN ------------------------------------------------------------

# TIME
def time_(client: Any, args: list[bytes]) -> list[bytes]:
    now_us = time.time_ns() // 1000
    return [b"%d" % (now_us // 1_000_000), b"%d" % (now_us % 1_000_000)]


# LASTSAVE   (nothing is ever saved: the start time, as Redis reports before its first save and
#             as INFO persistence's rdb_last_save_time)
def lastsave(client: Any, args: list[bytes]) -> int:
    return int(client.server.start_time)


# SAVE / BGSAVE [SCHEDULE] / BGREWRITEAOF   (persistence is off: see errors.persistence_off)
def save(client: Any, args: list[bytes]) -> str:
    raise CommandError(errors.persistence_off("SAVE"))


def bgsave(client: Any, args: list[bytes]) -> str:
    if len(args) > 2 or len(args) == 2 and word(args[1]) != b"schedule":
        raise CommandError(errors.SYNTAX)
    raise CommandError(errors.persistence_off("BGSAVE"))


def bgrewriteaof(client: Any, args: list[bytes]) -> str:
    raise CommandError(errors.persistence_off("BGREWRITEAOF"))


# SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]
def shutdown(client: Any, args: list[bytes]) -> str:
    opts = set()
    for arg in args[1:]:
        opt = word(arg)
        if opt not in (b"nosave", b"save", b"now", b"force", b"abort"):
            raise CommandError(errors.SYNTAX)
        opts.add(opt)
    if b"abort" in opts and len(opts) > 1 or {b"save", b"nosave"} <= opts:
        raise CommandError(errors.SYNTAX)
    if b"abort" in opts:
        raise CommandError(errors.NO_SHUTDOWN)   # a shutdown here starts at once: nothing to abort
    if b"save" in opts and b"force" not in opts:
        # Redis fails SHUTDOWN when its final save fails; here there is nothing to save to.
        log.warning("SHUTDOWN SAVE refused: persistence is off (use SHUTDOWN NOSAVE, or add FORCE)")
        raise CommandError(errors.SHUTDOWN_FAILED)
    log.warning("User requested shutdown (client id=%s addr=%s)", client.id, client.addr)
    # As Redis: the connection closes without a reply; the other clients are drained.
    drop_reply = getattr(client, "drop_reply", None)
    if drop_reply is not None:
        drop_reply()
    client.close_after_reply()
    client.server.shutdown()
    return "OK"


# ---- SLOWLOG -----------------------------------------------------------------------------------

# SLOWLOG GET [count]
def slowlog_get(client: Any, args: list[bytes]) -> list:
    if len(args) > 3:
        raise CommandError(errors.subcommand_syntax(args[1], "SLOWLOG"))
    count = 10
    if len(args) == 3:
        count = parse_ll(args[2], errors.COUNT_MINUS_ONE)
        if count < -1:
            raise CommandError(errors.COUNT_MINUS_ONE)
    return client.server.slowlog.get(count)


# SLOWLOG LEN
def slowlog_len(client: Any, args: list[bytes]) -> int:
    return len(client.server.slowlog)


# SLOWLOG RESET
def slowlog_reset(client: Any, args: list[bytes]) -> str:
    client.server.slowlog.reset()
    return "OK"


# SLOWLOG HELP
def slowlog_help(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("SLOWLOG", [
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
    ])
