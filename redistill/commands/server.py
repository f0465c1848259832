"""Server commands (Redis's server.c / config.c): INFO, CONFIG GET/SET/HELP, COMMAND and its subcommands."""
from __future__ import annotations

import time
from typing import Any

from redistill import core, errors
from redistill.commands import table
from redistill.commands.args import help_reply, parse_ll, word
from redistill.commands.config_cmd import config_get, config_params, config_set  # noqa: F401 (the table's)
from redistill.commands.docs import docs_fields
from redistill.errors import CommandError
from redistill.keyspace import glob_match
from redistill.logutil import get_logger
from redistill.protocol import Encoded, SetReply, Verbatim

log = get_logger("redistill")


# INFO [section [section ...]]
def info(client: Any, args: list[bytes]) -> Verbatim:
    # Redis 7 replies with addReplyVerbatim: "=len\r\ntxt:..." in RESP3, a bulk string in RESP2.
    return Verbatim("txt", client.server.info([a.decode("latin-1") for a in args[1:]]))


# ---- CONFIG (GET and SET: config_cmd.py) ----------------------------------------------------------

# CONFIG RESETSTAT   (INFO's counters, commandstats, errorstats and LATENCY HISTOGRAM; not the slowlog, as Redis)
def config_resetstat(client: Any, args: list[bytes]) -> str:
    from redistill import commands   # the table imports this module first

    commands.reset_stats()
    commands.latency.reset_histograms()   # Redis's resetCommandTableStats drops them too
    core.script_call_stats_reset()
    stats = getattr(client.server, "stats", None)
    if stats is not None and hasattr(stats, "reset"):
        stats.reset(client.server)
    registry = getattr(client.server, "acl", None)
    if registry is not None:
        registry.reset_denied()
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
    """The table's categories and those the flags imply (table.acl_categories), in Redis's order."""
    cats = table.acl_categories(spec.flags, spec.acl)
    return sorted(cats, key=lambda c: _ACL_ORDER.index(c) if c in _ACL_ORDER else len(_ACL_ORDER))


# Flags Redis keeps out of COMMAND INFO on purpose (addReplyCommandFlags): may_replicate still makes a
# read-only script refuse the command and CLIENT PAUSE WRITE hold it.
_HIDDEN_FLAGS = frozenset({"may_replicate"})

# Redis's command flag order (COMMAND INFO lists them in it).
_FLAG_ORDER = ("write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking",
               "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth",
               "may_replicate", "sentinel", "only_sentinel", "no_mandatory_keys", "protected",
               "module_getkeys", "module_no_cluster", "no_async_loading", "no_multi", "movablekeys",
               "allow_busy")


def _key_spec_reply(ks: Any) -> dict:
    """One key spec of the table (table.KeySpec) as Redis's addReplyKeySpec writes it."""
    if ks.begin_search[0] == "index":
        begin = {b"type": b"index", b"spec": {b"index": ks.begin_search[1]}}
    elif ks.begin_search[0] == "keyword":
        begin = {b"type": b"keyword",
                 b"spec": {b"keyword": ks.begin_search[1].encode(), b"startfrom": ks.begin_search[2]}}
    else:
        begin = {b"type": b"unknown", b"spec": {}}
    if ks.find_keys[0] == "range":
        _, last, step, limit = ks.find_keys
        find = {b"type": b"range", b"spec": {b"lastkey": last, b"keystep": step, b"limit": limit}}
    elif ks.find_keys[0] == "keynum":
        _, keynumidx, firstkey, step = ks.find_keys
        find = {b"type": b"keynum", b"spec": {b"keynumidx": keynumidx, b"firstkey": firstkey, b"keystep": step}}
    else:
        find = {b"type": b"unknown", b"spec": {}}
    return {**({b"notes": ks.notes.encode()} if ks.notes else {}), b"flags": SetReply(ks.flags),
            b"begin_search": begin, b"find_keys": find}


def command_info_entry(spec: Any) -> list:
    """addReplyCommandInfo: name, arity, flags, first/last/step, ACL categories, tips, key specs,
    subcommands."""
    flags = sorted(spec.flags - _HIDDEN_FLAGS, key=lambda f: _FLAG_ORDER.index(f) if f in _FLAG_ORDER else 99)
    subs = [command_info_entry(s) for s in (spec.subcommands or {}).values()]
    return [spec.name.encode(), spec.arity, SetReply(flags), spec.first_key, spec.last_key,
            spec.step, SetReply(acl_categories(spec)), SetReply(t.encode() for t in spec.tips),
            SetReply(_key_spec_reply(ks) for ks in spec.key_specs),
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
            wanted = "@" + word(value).decode("latin-1")
            names = [s for s in names if wanted in acl_categories(s)]
        elif kind == b"pattern":
            names = [s for s in names if glob_match(value, s.name.encode(), nocase=True)]
        else:
            raise CommandError(errors.SYNTAX)
    elif len(args) != 2:
        raise CommandError(errors.SYNTAX)
    return [s.name.encode() for s in names]


def _sort_keys(cmd: list[bytes]) -> list[tuple[bytes, tuple[str, ...]]]:
    """Redis's sortGetKeys: the key (read), and STORE's destination (the last one, overwritten),
    stepping over the arguments of LIMIT, GET and BY so that a pattern spelled "store" is not taken
    for the option."""
    store, i = None, 2
    while i < len(cmd):
        w = word(cmd[i])
        if w in _SORT_SKIP:
            i += _SORT_SKIP[w]
        elif w == b"store" and i + 1 < len(cmd):
            store = cmd[i + 1]
            i += 1
        i += 1
    return [(cmd[1], _READ)] + ([] if store is None else [(store, _OVERWRITE)])


def _migrate_keys(cmd: list[bytes]) -> list[tuple[bytes, tuple[str, ...]]]:
    """MIGRATE's keys as Redis 7.0 finds them: by its key specs while the KEYS spec (searched from
    the end) finds no KEYS; once it does, that spec is incomplete and Redis falls back to
    migrateGetKeys: everything after the first KEYS (AUTH's and AUTH2's arguments stepped over), no
    key when the key argument is not empty (MIGRATE's own syntax error), and no key is an error."""
    if _keyword_first("KEYS", -2, cmd) is None:
        return [(cmd[3], _MOVED)]
    first, num, i = 3, 1, 6
    while i < len(cmd):
        w = word(cmd[i])
        if w == b"keys":
            first, num = (i + 1, len(cmd) - i - 1) if not cmd[3] else (first, 0)
            break
        i += {b"auth": 1, b"auth2": 2}.get(w, 0) + 1
    if not num:
        raise CommandError(errors.COMMAND_ARGS)
    return [(k, _MOVED) for k in cmd[first:first + num]]


_SORT_SKIP = {b"limit": 2, b"get": 1, b"by": 1}
_READ, _OVERWRITE, _MOVED = ("RO", "access"), ("OW", "update"), ("RW", "access", "delete")
# Redis's getkeys functions, for the commands whose key specs cannot find every key ("unknown",
# "incomplete").
_GETKEYS = {"sort": _sort_keys, "sort_ro": lambda cmd: [(cmd[1], _READ)], "migrate": _migrate_keys}


class _InvalidSpec(Exception):
    """The arguments do not hold the keys a key spec describes."""


def _keyword_first(word: str, startfrom: int, cmd: list[bytes]) -> int | None:
    """Redis's KSPEC_BS_KEYWORD search: the argument after `word` (case-insensitive), searched
    from startfrom (from the end when negative), never the last argument; None when absent."""
    start = startfrom if startfrom > 0 else len(cmd) + startfrom
    end = len(cmd) - 1 if startfrom > 0 else 1
    i = start
    while i != end and 1 <= i < len(cmd):
        if cmd[i].lower() == word.lower().encode():
            return i + 1
        i = i + 1 if start <= end else i - 1
    return None


def _keys_by_specs(spec: Any, cmd: list[bytes]) -> list[tuple[bytes, tuple[str, ...]]]:
    """Redis's getKeysUsingKeySpecs: every key spec's keys, with that spec's flags."""
    out = []
    for ks in spec.key_specs:
        if ks.begin_search[0] == "unknown" or ks.find_keys[0] == "unknown":
            raise _InvalidSpec
        if ks.begin_search[0] == "keyword":
            first = _keyword_first(ks.begin_search[1], ks.begin_search[2], cmd)
            if first is None:   # this spec finds no key (GEORADIUS without STORE)
                continue
        else:
            first = ks.begin_search[1]
        if ks.find_keys[0] == "range":
            _, lastkey, step, limit = ks.find_keys
            if lastkey >= 0:
                last = first + lastkey
            else:
                last = len(cmd) + lastkey if not limit else first + (len(cmd) - first) // limit + lastkey
        else:
            _, keynumidx, firstkey, step = ks.find_keys
            try:
                numkeys = parse_ll(cmd[first + keynumidx])
            except (CommandError, IndexError):
                raise _InvalidSpec from None
            if numkeys < 0:
                raise _InvalidSpec
            first += firstkey
            last = first + numkeys - 1
        if last >= len(cmd) or last < first or first >= len(cmd):
            raise _InvalidSpec
        out.extend((cmd[i], ks.flags) for i in range(first, last + 1, step))
    if not out:   # no key at all is "Invalid arguments" (XREAD without STREAMS), as Redis's commandGetKeys
        raise _InvalidSpec
    return out


def _keys_and_flags(spec: Any, cmd: list[bytes]) -> list[tuple[bytes, tuple[str, ...]]]:
    """The key arguments of cmd with their flags (Redis's getKeysFromCommandWithSpecs); CommandError
    when the arguments cannot hold them."""
    if not spec.arity_ok(len(cmd)):
        raise CommandError(errors.COMMAND_ARGS_COUNT)
    if spec.name in _GETKEYS:
        return _GETKEYS[spec.name](cmd)
    try:
        keys = _keys_by_specs(spec, cmd)
    except _InvalidSpec:
        if "no_mandatory_keys" in spec.flags:   # EVAL's bad numkeys: no keys, not an error (Redis)
            return []
        raise CommandError(errors.COMMAND_ARGS) from None
    if any("variable_flags" in ks.flags for ks in spec.key_specs):
        flags = _bitfield_key_flags(cmd) if spec.name == "bitfield" else _set_key_flags(cmd)
        keys = [(key, flags) for key, _ in keys]
    return keys


def _set_key_flags(cmd: list[bytes]) -> tuple[str, ...]:
    """Redis's setGetKeys: SET ... GET reads the key."""
    return ("RW", "access", "update") if any(word(a) == b"get" for a in cmd[3:]) else ("OW", "update")


def _bitfield_key_flags(cmd: list[bytes]) -> tuple[str, ...]:
    """Redis's bitfieldGetKeys: read-only while only GET and OVERFLOW come (a syntax error counts as a write)."""
    i = 2
    while i < len(cmd):
        rem, w = len(cmd) - i - 1, word(cmd[i])
        if w == b"get" and rem >= 2:
            i += 3
        elif w == b"overflow" and rem >= 1:
            i += 2
        else:
            return ("RW", "access", "update")
    return ("RO", "access")


def _keys_of(args: list[bytes]) -> list[tuple[bytes, tuple[str, ...]]]:
    """COMMAND GETKEYS[ANDFLAGS] <full-command>: the command's keys with their flags."""
    cmd = args[2:]
    spec = _find(cmd[0])
    if spec is not None and spec.subcommands is not None and len(cmd) >= 2:
        spec = spec.subcommands.get(cmd[1].lower().decode("latin-1"))
    if spec is None or spec.handler is None and spec.subcommands is None:
        raise CommandError(errors.COMMAND_INVALID)
    # Redis's doesCommandHaveKeys: shard channels (not_key specs) are no keys to GETKEYS, though
    # cluster routing follows them (command_keys)
    if all("not_key" in ks.flags for ks in spec.key_specs):
        raise CommandError(errors.COMMAND_NO_KEYS)
    return _keys_and_flags(spec, cmd)


def command_keys(spec: Any, cmd: list[bytes]) -> list[bytes]:
    """The key arguments of cmd (the full command, spec its resolved spec; [] for a command without
    keys); CommandError when the arguments cannot hold them.  Cluster routing."""
    return [key for key, _ in _keys_and_flags(spec, cmd)] if spec.key_specs else []


# COMMAND GETKEYS <full-command>
def command_getkeys(client: Any, args: list[bytes]) -> list[bytes]:
    return [key for key, _ in _keys_of(args)]


# COMMAND GETKEYSANDFLAGS <full-command>
def command_getkeysandflags(client: Any, args: list[bytes]) -> list:
    return [[key, SetReply(flags)] for key, flags in _keys_of(args)]


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


# LASTSAVE   (the last successful save, or the start)
def lastsave(client: Any, args: list[bytes]) -> int:
    return client.server.persistence.last_save_time


# SAVE   (on this thread, while the other workers keep serving: docs/LOCKING.md)
def save(client: Any, args: list[bytes]) -> str:
    from redistill.persistence import SaveInProgress
    try:
        client.server.persistence.save()
    except SaveInProgress:
        raise CommandError(errors.BGSAVE_IN_PROGRESS) from None
    except (OSError, MemoryError) as e:
        log.warning("Error saving DB on disk: %s", e)
        raise CommandError(errors.SAVE_FAILED) from None
    return "OK"


# BGSAVE [SCHEDULE]   (a thread, not a fork)
def bgsave(client: Any, args: list[bytes]) -> str:
    from redistill.persistence import SaveInProgress
    if len(args) > 2 or len(args) == 2 and word(args[1]) != b"schedule":
        raise CommandError(errors.SYNTAX)
    try:
        client.server.persistence.bgsave()
    except SaveInProgress:
        raise CommandError(errors.BGSAVE_IN_PROGRESS) from None
    return "Background saving started"


# SYNC   (redis-cli --rdb: a full transfer, then the connection closes; no replication stream)
def sync(client: Any, args: list[bytes]) -> Encoded:
    data = client.server.persistence.snapshot_bytes()
    client.close_after_reply()
    return Encoded(b"$%d\r\n" % len(data) + data)


# REPLCONF ...   (what redis-cli --rdb sends first: accepted, nothing to configure)
def replconf(client: Any, args: list[bytes]) -> str:
    return "OK"


# BGREWRITEAOF   (no append-only file)
def bgrewriteaof(client: Any, args: list[bytes]) -> str:
    raise CommandError(errors.persistence_off("BGREWRITEAOF"))


def _save_for_shutdown(server: Any, force: bool) -> None:
    """SHUTDOWN's final save, as Redis's: a failure refuses the shutdown unless FORCE."""
    log.info("Saving the final RDB snapshot before exiting.")
    running = server.persistence.bgsave_thread
    if running is not None:
        running.join()   # Redis kills its child; a thread cannot be: its snapshot completes first
    try:
        server.persistence.save()
        server.saved_for_shutdown = True
    except Exception as e:
        log.warning("Error trying to save the DB, can't exit: %s", e)
        if not force:
            raise CommandError(errors.SHUTDOWN_FAILED) from None


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
    server = client.server
    if b"nosave" in opts:
        server.saved_for_shutdown = True    # nor does the stop save (snapshot_on_shutdown)
    elif b"save" in opts or server.config.snapshot_on_shutdown:
        _save_for_shutdown(server, force=b"force" in opts)
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
