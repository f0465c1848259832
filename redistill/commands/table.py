"""THE command table: one row per command, the one source of every command's metadata.

Python reads it directly (redistill/commands/__init__.py builds COMMANDS from it, resolving each
row's handler); C reads it through csrc/commands_generated.h, which gen_header.py writes from it at
build time (build_ffi.py, and the Makefile for the builds that compile csrc/*.c with gcc directly).
A unit test fails when the checked-in header is stale.  This module imports nothing from the
package, so the build can load it before the C core exists.

A row:  command(name, arity, flags, handler, group, since, summary, keys=..., c=..., gate=...,
                 wakes=..., tips=..., subcommands=...)
  name      lowercase; "container|sub" for a subcommand, as Redis names them
  arity     Redis convention: N exact, -N at least N (the name included)
  flags     Redis's command flags, then the ACL categories its src/commands/*.json lists
            (@string...); acl_categories adds those the flags imply (@read, @write, @fast, @slow,
            @admin, @dangerous, @pubsub, @blocking).  "movablekeys" is derived from the key specs.
  handler   "module.function" in redistill/commands/ (None: a container that needs a subcommand)
  keys      Redis's key specs (ks, keynum, unknown below); the legacy first/last/step triple is
            derived from them as Redis's populateCommandLegacyRangeSpec does
  c         where csrc/ runs it:  None  Python only;
            "fast"  the fast path's own handler (fastpath.c, cmd_<name>; c_fn names another);
            "tx"    a type command (tx_<name>): the fast path and rd_exec (APPEND too: an error
                    after its big value's block hands the frame to Python whole, as
                    tests/reliability/test_big_values.py checks; XREAD/XREADGROUP: the
                    handler waits for BLOCK, the fast path hands it those that must wait);
            "exec"  tx_<name> through rd_exec only (never on the fast path: SORT, the blocking
                    pops' attempt, GETSET/GETDEL/GETEX, whose big value reaches the Python
                    path in its block, and the gate="own" ones, which take the gate exclusive
                    themselves, a hold the fast path's shared batch cannot give);
                    on a container (OBJECT, MEMORY) tx_<name> serves the subcommands whose rows
                    name datatypes.run, as Redis's objectCommand does
  gate      how the dispatcher holds the keyspace gate: "shared" (default); "exclusive" (SORT may
            read keys its arguments do not name; MONITOR and CLIENT PAUSE switch the fast path);
            "own" (takes it exclusive itself: an upgrade from shared would deadlock)
  wakes     True when it can add a list or sorted set a blocked client waits on: the dispatcher
            then serves those waiters after it (Redis's signalKeyAsReady from dbAdd), and the
            fast path hands it to Python while any client is blocked
  tips      COMMAND INFO tips for cluster clients

Key specs, ACL categories, flags and arities are Redis 7.0's (src/commands/*.json), read once from
COMMAND INFO of Debian's redis-server 7.0.15 with tools/row_from_redis.py
(tests/differential/test_command_info.py keeps them equal to it).
"""
from __future__ import annotations

from typing import NamedTuple


class KeySpec(NamedTuple):
    flags: tuple[str, ...]          # RO, RW, OW, RM, access, update, insert, delete, variable_flags
    begin_search: tuple             # ("index", pos), ("keyword", word, startfrom) or ("unknown",)
    find_keys: tuple                # ("range", lastkey, keystep, limit), ("keynum", keynumidx,
                                    # firstkey, keystep) or ("unknown",)
    notes: str = ""


def ks(flags: str, index: int, last: int = 0, step: int = 1, limit: int = 0, notes: str = "") -> KeySpec:
    """Keys from argument `index` to `last` (relative to index; negative: from the end), every `step`."""
    return KeySpec(tuple(flags.split()), ("index", index), ("range", last, step, limit), notes)


def keyword(flags: str, word: str, startfrom: int, last: int = 0, step: int = 1, limit: int = 0) -> KeySpec:
    """Keys after the argument `word`, searched from `startfrom` (XREAD's STREAMS)."""
    return KeySpec(tuple(flags.split()), ("keyword", word, startfrom), ("range", last, step, limit))


def keynum(flags: str, index: int, notes: str = "") -> KeySpec:
    """A numkeys argument at `index`, the keys right after it."""
    return KeySpec(tuple(flags.split()), ("index", index), ("keynum", 0, 1, 1), notes)


def unknown(flags: str, notes: str) -> KeySpec:
    """Keys no rule can find (SORT's BY/GET patterns and STORE)."""
    return KeySpec(tuple(flags.split()), ("unknown",), ("unknown",), notes)


class Row(NamedTuple):
    name: str
    arity: int
    flags: tuple[str, ...]
    acl: tuple[str, ...]
    handler: str | None
    group: str
    since: str
    summary: str
    key_specs: tuple[KeySpec, ...]
    c: str | None
    c_fn: str | None
    gate: str
    wakes: bool
    tips: tuple[str, ...]
    subcommands: tuple["Row", ...] | None


C_KINDS = (None, "fast", "tx", "exec")
GATES = ("shared", "exclusive", "own")


def command(name: str, arity: int, flags: str, handler: str | None, group: str, since: str, summary: str, *,
            keys: list[KeySpec] = (), c: str | None = None, c_fn: str | None = None, gate: str = "shared",
            wakes: bool = False, tips: str = "", subcommands: list[Row] | None = None) -> Row:
    words = flags.split()
    if c not in C_KINDS or gate not in GATES:
        raise ValueError(f"{name}: c={c!r} gate={gate!r}")
    return Row(name, arity, tuple(w for w in words if not w.startswith("@")),
               tuple(w for w in words if w.startswith("@")), handler, group, since, summary, tuple(keys),
               c, c_fn, gate, wakes, tuple(tips.split()), None if subcommands is None else tuple(subcommands))


# Redis's setImplicitACLCategories: the categories a command's flags imply.
_IMPLIED_ACL = (("write", ("@write",)), ("admin", ("@admin", "@dangerous")), ("pubsub", ("@pubsub",)),
                ("fast", ("@fast",)), ("blocking", ("@blocking",)))


def acl_categories(flags: frozenset[str] | tuple[str, ...], acl: frozenset[str] | tuple[str, ...]) -> set[str]:
    """A command's ACL categories: those its row lists plus those its flags imply (@read not for a
    scripting command, @slow for every command that is not @fast), as Redis 7.0 derives them."""
    cats = set(acl)
    for flag, implied in _IMPLIED_ACL:
        if flag in flags:
            cats.update(implied)
    if "readonly" in flags and "@scripting" not in cats:
        cats.add("@read")
    if "@fast" not in cats:
        cats.add("@slow")
    return cats


def legacy_range(specs: tuple[KeySpec, ...]) -> tuple[int, int, int]:
    """COMMAND INFO's first/last/step, from the key specs (Redis's populateCommandLegacyRangeSpec):
    the one index+range spec, or the run of consecutive index+range specs of step 1; (0, 0, 0)
    otherwise."""
    ranges = [s for s in specs if s.begin_search[0] == "index" and s.find_keys[0] == "range"]
    if len(specs) == 1 and ranges:
        (_, pos), (_, last, step, _) = ranges[0].begin_search, ranges[0].find_keys
        return pos, last if last < 0 else pos + last, step
    first, last, prev = None, 0, 0
    for s in ranges:
        pos, (_, rel, step, _) = s.begin_search[1], s.find_keys
        if step != 1 or (prev and prev != pos - 1):
            return 0, 0, 0
        first = pos if first is None else min(first, pos)
        absolute = rel if rel < 0 else rel + pos
        last = max(last, absolute, key=lambda v: v & 0xFFFFFFFF)   # Redis compares them unsigned
        prev = last
    return (0, 0, 0) if first is None else (first, last, 1)


def movable(specs: tuple[KeySpec, ...]) -> bool:
    """Redis's movablekeys: some key spec is not a plain index+range."""
    return any(s.begin_search[0] != "index" or s.find_keys[0] != "range" for s in specs)


_EVAL_RW = "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"
_EVAL_RO = "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"

TABLE = [
    # name, arity, flags and ACL categories, handler, group, since, summary, then the keyword columns
    command("get", 2, "readonly fast @string", "datatypes.run", "string", "1.0.0", "Get the value of a key", keys=[ks("RO access", 1)], c="fast"),
    command("set", -3, "write denyoom @string", "datatypes.run", "string", "1.0.0", "Set the string value of a key", keys=[ks("RW access update variable_flags", 1, notes="RW and ACCESS due to the optional `GET` argument")], c="fast"),
    command("mget", -2, "readonly fast @string", "datatypes.run", "string", "1.0.0", "Get the values of all the given keys", keys=[ks("RO access", 1, last=-1)], c="fast", tips="request_policy:multi_shard"),
    command("mset", -3, "write denyoom @string", "datatypes.run", "string", "1.0.1", "Set multiple keys to multiple values", keys=[ks("OW update", 1, last=-1, step=2)], c="fast", tips="request_policy:multi_shard response_policy:all_succeeded"),
    command("incr", 2, "write denyoom fast @string", "datatypes.run", "string", "1.0.0", "Increment the integer value of a key by one", keys=[ks("RW access update", 1)], c="fast"),
    command("decr", 2, "write denyoom fast @string", "datatypes.run", "string", "1.0.0", "Decrement the integer value of a key by one", keys=[ks("RW access update", 1)], c="fast"),
    command("incrby", 3, "write denyoom fast @string", "datatypes.run", "string", "1.0.0", "Increment the integer value of a key by the given amount", keys=[ks("RW access update", 1)], c="fast"),
    command("decrby", 3, "write denyoom fast @string", "datatypes.run", "string", "1.0.0", "Decrement the integer value of a key by the given number", keys=[ks("RW access update", 1)], c="fast"),
    command("del", -2, "write @keyspace", "datatypes.run", "generic", "1.0.0", "Delete a key", keys=[ks("RM delete", 1, last=-1)], c="fast", tips="request_policy:multi_shard response_policy:agg_sum"),
    command("exists", -2, "readonly fast @keyspace", "datatypes.run", "generic", "1.0.0", "Determine if a key exists", keys=[ks("RO", 1, last=-1)], c="fast", tips="request_policy:multi_shard response_policy:agg_sum"),
    command("expire", -3, "write fast @keyspace", "datatypes.run", "generic", "1.0.0", "Set a key's time to live in seconds", keys=[ks("RW update", 1)], c="tx"),
    command("pexpire", -3, "write fast @keyspace", "datatypes.run", "generic", "2.6.0", "Set a key's time to live in milliseconds", keys=[ks("RW update", 1)], c="tx"),
    command("ttl", 2, "readonly fast @keyspace", "datatypes.run", "generic", "1.0.0", "Get the time to live for a key in seconds", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output"),
    command("pttl", 2, "readonly fast @keyspace", "datatypes.run", "generic", "2.6.0", "Get the time to live for a key in milliseconds", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output"),
    command("persist", 2, "write fast @keyspace", "datatypes.run", "generic", "2.2.0", "Remove the expiration from a key", keys=[ks("RW update", 1)], c="tx"),
    command("dbsize", 1, "readonly fast @keyspace", "datatypes.run", "server", "1.0.0", "Return the number of keys in the selected database", c="exec", gate="own", tips="request_policy:all_shards response_policy:agg_sum"),
    command("flushdb", -1, "write @keyspace @dangerous", "datatypes.run", "server", "1.0.0", "Remove all keys from the current database", c="exec", gate="own", tips="request_policy:all_shards response_policy:all_succeeded"),
    command("flushall", -1, "write @keyspace @dangerous", "datatypes.run", "server", "1.0.0", "Remove all keys from all databases", c="exec", gate="own", tips="request_policy:all_shards response_policy:all_succeeded"),
    command("ping", -1, "fast @connection", "datatypes.run", "connection", "1.0.0", "Ping the server", c="fast", tips="request_policy:all_shards response_policy:all_succeeded"),
    command("echo", 2, "loading stale fast @connection", "datatypes.run", "connection", "1.0.0", "Echo the given string", c="fast"),
    command("auth", -2, "noscript loading stale fast no_auth allow_busy @connection", "connection.auth", "connection", "1.0.0", "Authenticate to the server"),
    command("hello", -1, "noscript loading stale fast no_auth allow_busy @connection", "connection.hello", "connection", "6.0.0", "Handshake with Redis"),
    command("quit", -1, "noscript loading stale fast no_auth allow_busy @connection", "connection.quit", "connection", "1.0.0", "Close the connection"),
    command("select", 2, "loading stale fast @connection", "connection.select", "connection", "1.0.0", "Change the selected database for the current connection"),
    command("client", -2, "", None, "connection", "2.4.0", "A container for client connection commands", subcommands=[
        command("client|id", 2, "noscript loading stale @connection", "connection.client_id", "connection", "5.0.0", "Returns the client ID for the current connection"),
        command("client|getname", 2, "noscript loading stale @connection", "connection.client_getname", "connection", "2.6.9", "Get the current connection name"),
        command("client|setname", 3, "noscript loading stale @connection", "connection.client_setname", "connection", "2.6.9", "Set the current connection name"),
        command("client|setinfo", 4, "noscript loading stale @connection", "connection.client_setinfo", "connection", "7.2.0", "Set client or connection specific info"),
        command("client|info", 2, "noscript loading stale @connection", "connection.client_info", "connection", "6.2.0", "Returns information about the current client connection.", tips="nondeterministic_output"),
        command("client|list", -2, "admin noscript loading stale @connection", "connection.client_list", "connection", "2.4.0", "Get the list of client connections", tips="nondeterministic_output"),
        command("client|help", 2, "loading stale @connection", "connection.client_help", "connection", "5.0.0", "Show helpful text about the different subcommands"),
        command("client|kill", -3, "admin noscript loading stale @connection", "connection.client_kill", "connection", "2.4.0", "Kill the connection of a client"),
        command("client|no-evict", 3, "admin noscript loading stale @connection", "connection.client_no_evict", "connection", "7.0.0", "Set client eviction mode for the current connection"),
        command("client|no-touch", 3, "noscript loading stale @connection", "connection.client_no_touch", "connection", "7.2.0", "Controls whether commands sent by the client will alter the LRU/LFU of the keys they access."),
        command("client|reply", 3, "noscript loading stale @connection", "connection.client_reply", "connection", "3.2.0", "Instruct the server whether to reply to commands"),
        command("client|caching", 3, "noscript loading stale @connection", "tracking.client_caching", "connection", "6.0.0", "Instruct the server about tracking or not keys in the next request"),
        command("client|getredir", 2, "noscript loading stale @connection", "tracking.client_getredir", "connection", "6.0.0", "Get tracking notifications redirection client ID if any"),
        command("client|tracking", -3, "noscript loading stale @connection", "tracking.client_tracking", "connection", "6.0.0", "Enable or disable server assisted client side caching support"),
        command("client|trackinginfo", 2, "noscript loading stale @connection", "tracking.client_trackinginfo", "connection", "6.2.0", "Return information about server assisted client side caching for the current connection"),
        command("client|unblock", -3, "admin noscript loading stale @connection", "blocking.client_unblock", "connection", "5.0.0", "Unblock a client blocked in a blocking command from a different connection"),
        command("client|pause", -3, "admin noscript loading stale @connection", "pause.client_pause", "connection", "2.9.50", "Stop processing commands from clients for some time", gate="exclusive"),
        command("client|unpause", 2, "admin noscript loading stale @connection", "pause.client_unpause", "connection", "6.2.0", "Resume processing of clients that were paused"),
    ]),
    command("monitor", 1, "admin noscript loading stale", "monitor.monitor", "server", "1.0.0", "Listen for all requests received by the server in real time", gate="exclusive"),
    command("reset", 1, "noscript loading stale fast no_auth allow_busy @connection", "connection.reset", "connection", "6.2.0", "Reset the connection"),
    command("time", 1, "loading stale fast", "server.time_", "server", "2.6.0", "Return the current server time", tips="nondeterministic_output"),
    command("lastsave", 1, "loading stale fast @admin @dangerous", "server.lastsave", "server", "1.0.0", "Get the UNIX time stamp of the last successful save to disk", tips="nondeterministic_output"),
    command("save", 1, "admin noscript no_async_loading no_multi", "server.save", "server", "1.0.0", "Synchronously save the dataset to disk"),
    command("bgsave", -1, "admin noscript no_async_loading", "server.bgsave", "server", "1.0.0", "Asynchronously save the dataset to disk"),
    command("sync", 1, "admin noscript no_async_loading no_multi", "server.sync", "server", "1.0.0", "Internal command used for replication"),
    command("replconf", -1, "admin noscript loading stale allow_busy", "server.replconf", "server", "3.0.0", "An internal command for configuring the replication stream"),
    command("bgrewriteaof", 1, "admin noscript no_async_loading", "server.bgrewriteaof", "server", "1.0.0", "Asynchronously rewrite the append-only file"),
    command("shutdown", -1, "admin noscript loading stale no_multi allow_busy", "server.shutdown", "server", "1.0.0", "Synchronously save the dataset to disk and then shut down the server"),
    command("debug", -2, "admin noscript loading stale", "debug.debug", "server", "1.0.0", "A container for debugging commands"),
    command("slowlog", -2, "", None, "server", "2.2.12", "A container for slow log commands", subcommands=[
        command("slowlog|get", -2, "admin loading stale", "server.slowlog_get", "server", "2.2.12", "Get the slow log's entries", tips="request_policy:all_nodes nondeterministic_output"),
        command("slowlog|len", 2, "admin loading stale", "server.slowlog_len", "server", "2.2.12", "Get the slow log's length", tips="request_policy:all_nodes response_policy:agg_sum nondeterministic_output"),
        command("slowlog|reset", 2, "admin loading stale", "server.slowlog_reset", "server", "2.2.12", "Clear all entries from the slow log", tips="request_policy:all_nodes response_policy:all_succeeded"),
        command("slowlog|help", 2, "loading stale", "server.slowlog_help", "server", "6.2.0", "Show helpful text about the different subcommands"),
    ]),
    command("multi", 1, "noscript loading stale fast allow_busy @transaction", "transactions.multi", "transactions", "1.2.0", "Mark the start of a transaction block"),
    command("exec", 1, "noscript loading stale skip_slowlog @transaction", "transactions.exec_", "transactions", "1.2.0", "Execute all commands issued after MULTI", gate="own"),
    command("discard", 1, "noscript loading stale fast allow_busy @transaction", "transactions.discard", "transactions", "2.0.0", "Discard all commands issued after MULTI"),
    command("watch", -2, "noscript loading stale fast allow_busy @transaction", "transactions.watch", "transactions", "2.2.0", "Watch the given keys to determine execution of the MULTI/EXEC block", keys=[ks("RO", 1, last=-1)]),
    command("unwatch", 1, "noscript loading stale fast allow_busy @transaction", "transactions.unwatch", "transactions", "2.2.0", "Forget about all watched keys"),
    command("info", -1, "loading stale @dangerous", "server.info", "server", "1.0.0", "Get information and statistics about the server", gate="own", tips="nondeterministic_output request_policy:all_shards response_policy:special"),
    command("acl", -2, "", None, "server", "6.0.0", "A container for Access List Control commands ", subcommands=[
        command("acl|cat", -2, "noscript loading stale", "acl_cmd.cat", "server", "6.0.0", "List the ACL categories or the commands inside a category"),
        command("acl|deluser", -3, "admin noscript loading stale", "acl_cmd.deluser", "server", "6.0.0", "Remove the specified ACL users and the associated rules", gate="exclusive"),
        command("acl|dryrun", -4, "admin noscript loading stale", "acl_cmd.dryrun", "server", "7.0.0", "Returns whether the user can execute the given command without executing the command."),
        command("acl|genpass", -2, "noscript loading stale", "acl_cmd.genpass", "server", "6.0.0", "Generate a pseudorandom secure password to use for ACL users"),
        command("acl|getuser", 3, "admin noscript loading stale", "acl_cmd.getuser", "server", "6.0.0", "Get the rules for a specific ACL user"),
        command("acl|help", 2, "loading stale", "acl_cmd.help_", "server", "6.0.0", "Show helpful text about the different subcommands"),
        command("acl|list", 2, "admin noscript loading stale", "acl_cmd.list_", "server", "6.0.0", "List the current ACL rules in ACL config file format"),
        command("acl|load", 2, "admin noscript loading stale", "acl_cmd.load", "server", "6.0.0", "Reload the ACLs from the configured ACL file", gate="exclusive"),
        command("acl|log", -2, "admin noscript loading stale", "acl_cmd.log", "server", "6.0.0", "List latest events denied because of ACLs in place"),
        command("acl|save", 2, "admin noscript loading stale", "acl_cmd.save", "server", "6.0.0", "Save the current ACL rules in the configured ACL file"),
        command("acl|setuser", -3, "admin noscript loading stale", "acl_cmd.setuser", "server", "6.0.0", "Modify or create the rules for a specific ACL user", gate="exclusive"),
        command("acl|users", 2, "admin noscript loading stale", "acl_cmd.users", "server", "6.0.0", "List the username of all the configured ACL rules"),
        command("acl|whoami", 2, "noscript loading stale", "acl_cmd.whoami", "server", "6.0.0", "Return the name of the user associated to the current connection"),
    ]),
    command("config", -2, "", None, "server", "2.0.0", "A container for server configuration commands", subcommands=[
        command("config|get", -3, "admin noscript loading stale", "server.config_get", "server", "2.0.0", "Get the values of configuration parameters"),
        command("config|set", -4, "admin noscript loading stale", "server.config_set", "server", "2.0.0", "Set configuration parameters to the given values", tips="request_policy:all_nodes response_policy:all_succeeded"),
        command("config|help", 2, "loading stale", "server.config_help", "server", "5.0.0", "Show helpful text about the different subcommands"),
        command("config|resetstat", 2, "admin noscript loading stale", "server.config_resetstat", "server", "2.0.0", "Reset the stats returned by INFO"),
        command("config|rewrite", 2, "admin noscript loading stale", "server.config_rewrite", "server", "2.8.0", "Rewrite the configuration file with the in memory configuration"),
    ]),
    command("command", -1, "loading stale @connection", "server.command_all", "server", "2.8.13", "Get array of Redis command details", tips="nondeterministic_output_order", subcommands=[
        command("command|count", 2, "loading stale @connection", "server.command_count", "server", "2.8.13", "Get total number of Redis commands"),
        command("command|info", -2, "loading stale @connection", "server.command_info", "server", "2.8.13", "Get array of specific Redis command details, or all when no argument is given.", tips="nondeterministic_output_order"),
        command("command|docs", -2, "loading stale @connection", "server.command_docs", "server", "7.0.0", "Get array of specific Redis command documentation", tips="nondeterministic_output_order"),
        command("command|list", -2, "loading stale @connection", "server.command_list", "server", "7.0.0", "Get an array of Redis command names", tips="nondeterministic_output_order"),
        command("command|help", 2, "loading stale @connection", "server.command_help", "server", "5.0.0", "Show helpful text about the different subcommands"),
        command("command|getkeys", -4, "loading stale @connection", "server.command_getkeys", "server", "2.8.13", "Extract keys given a full Redis command"),
        command("command|getkeysandflags", -4, "loading stale @connection", "server.command_getkeysandflags", "server", "7.0.0", "Extract keys and access flags given a full Redis command"),
    ]),
    # strings
    command("setnx", 3, "write denyoom fast @string", "datatypes.run", "string", "1.0.0", "Set the value of a key, only if the key does not exist", keys=[ks("OW insert", 1)], c="fast"),
    command("setex", 4, "write denyoom @string", "datatypes.run", "string", "2.0.0", "Set the value and expiration of a key", keys=[ks("OW update", 1)], c="fast"),
    command("psetex", 4, "write denyoom @string", "datatypes.run", "string", "2.6.0", "Set the value and expiration in milliseconds of a key", keys=[ks("OW update", 1)], c="fast"),
    command("getset", 3, "write denyoom fast @string", "datatypes.run", "string", "1.0.0", "Set the string value of a key and return its old value", keys=[ks("RW access update", 1)], c="exec"),
    command("getdel", 2, "write fast @string", "datatypes.run", "string", "6.2.0", "Get the value of a key and delete the key", keys=[ks("RW access delete", 1)], c="exec"),
    command("getex", -2, "write fast @string", "datatypes.run", "string", "6.2.0", "Get the value of a key and optionally set its expiration", keys=[ks("RW access update", 1, notes="RW and UPDATE because it changes the TTL")], c="exec"),
    command("append", 3, "write denyoom fast @string", "datatypes.run", "string", "2.0.0", "Append a value to a key", keys=[ks("RW insert", 1)], c="tx"),
    command("strlen", 2, "readonly fast @string", "datatypes.run", "string", "2.2.0", "Get the length of the value stored in a key", keys=[ks("RO", 1)], c="fast"),
    command("getrange", 4, "readonly @string", "datatypes.run", "string", "2.4.0", "Get a substring of the string stored at a key", keys=[ks("RO access", 1)], c="tx"),
    command("substr", 4, "readonly @string", "datatypes.run", "string", "1.0.0", "Get a substring of the string stored at a key", keys=[ks("RO access", 1)], c="tx"),
    command("setrange", 4, "write denyoom @string", "datatypes.run", "string", "2.2.0", "Overwrite part of a string at key starting at the specified offset", keys=[ks("RW update", 1)], c="tx"),
    command("setbit", 4, "write denyoom @bitmap", "datatypes.run", "bitmap", "2.2.0", "Sets or clears the bit at offset in the string value stored at key", keys=[ks("RW access update", 1)], c="tx"),
    command("getbit", 3, "readonly fast @bitmap", "datatypes.run", "bitmap", "2.2.0", "Returns the bit value at offset in the string value stored at key", keys=[ks("RO access", 1)], c="tx"),
    command("bitcount", -2, "readonly @bitmap", "datatypes.run", "bitmap", "2.6.0", "Count set bits in a string", keys=[ks("RO access", 1)], c="tx"),
    command("bitpos", -3, "readonly @bitmap", "datatypes.run", "bitmap", "2.8.7", "Find first bit set or clear in a string", keys=[ks("RO access", 1)], c="tx"),
    command("bitop", -4, "write denyoom @bitmap", "datatypes.run", "bitmap", "2.6.0", "Perform bitwise operations between strings", keys=[ks("OW update", 2), ks("RO access", 3, last=-1)], c="tx"),
    command("bitfield", -2, "write denyoom @bitmap", "datatypes.run", "bitmap", "3.2.0", "Perform arbitrary bitfield integer operations on strings", keys=[ks("RW access update variable_flags", 1, notes="This command allows both access and modification of the key")], c="tx"),
    command("bitfield_ro", -2, "readonly fast @bitmap", "datatypes.run", "bitmap", "6.0.0", "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", keys=[ks("RO access", 1)], c="tx"),
    command("pfadd", -2, "write denyoom fast @hyperloglog", "datatypes.run", "hyperloglog", "2.8.9", "Adds the specified elements to the specified HyperLogLog.", keys=[ks("RW insert", 1)], c="tx"),
    command("pfcount", -2, "readonly may_replicate @hyperloglog", "datatypes.run", "hyperloglog", "2.8.9", "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).", keys=[ks("RW access", 1, last=-1, notes="RW because it may change the internal representation of the key, and propagate to replicas")], c="tx"),
    command("pfmerge", -2, "write denyoom @hyperloglog", "datatypes.run", "hyperloglog", "2.8.9", "Merge N different HyperLogLogs into a single one.", keys=[ks("RW access insert", 1), ks("RO access", 2, last=-1)], c="tx"),
    command("pfdebug", 3, "write denyoom admin @hyperloglog", "datatypes.run", "hyperloglog", "2.8.9", "Internal commands for debugging HyperLogLog values", keys=[ks("RW access", 2)], c="tx"),
    command("pfselftest", 1, "admin @hyperloglog", "datatypes.run", "hyperloglog", "2.8.9", "An internal command for testing HyperLogLog values", c="tx"),
    command("incrbyfloat", 3, "write denyoom fast @string", "datatypes.run", "string", "2.6.0", "Increment the float value of a key by the given amount", keys=[ks("RW access update", 1)], c="tx"),
    command("msetnx", -3, "write denyoom @string", "datatypes.run", "string", "1.0.1", "Set multiple keys to multiple values, only if none of the keys exist", keys=[ks("OW insert", 1, last=-1, step=2)], tips="request_policy:multi_shard response_policy:agg_min", c="tx"),
    command("lcs", -3, "readonly @string", "datatypes.run", "string", "7.0.0", "Find longest common substring", keys=[ks("RO access", 1, last=1)], c="tx"),
    # generic key commands
    command("unlink", -2, "write fast @keyspace", "datatypes.run", "generic", "4.0.0", "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", keys=[ks("RM delete", 1, last=-1)], c="fast", c_fn="cmd_del", tips="request_policy:multi_shard response_policy:agg_sum"),
    command("touch", -2, "readonly fast @keyspace", "datatypes.run", "generic", "3.2.1", "Alters the last access time of a key(s). Returns the number of existing keys specified.", keys=[ks("RO", 1, last=-1)], c="tx", tips="request_policy:multi_shard response_policy:agg_sum"),
    command("expireat", -3, "write fast @keyspace", "datatypes.run", "generic", "1.2.0", "Set the expiration for a key as a UNIX timestamp", keys=[ks("RW update", 1)], c="tx"),
    command("pexpireat", -3, "write fast @keyspace", "datatypes.run", "generic", "2.6.0", "Set the expiration for a key as a UNIX timestamp specified in milliseconds", keys=[ks("RW update", 1)], c="tx"),
    command("expiretime", 2, "readonly fast @keyspace", "datatypes.run", "generic", "7.0.0", "Get the expiration Unix timestamp for a key", keys=[ks("RO access", 1)], c="tx"),
    command("pexpiretime", 2, "readonly fast @keyspace", "datatypes.run", "generic", "7.0.0", "Get the expiration Unix timestamp for a key in milliseconds", keys=[ks("RO access", 1)], c="tx"),
    command("type", 2, "readonly fast @keyspace", "datatypes.run", "generic", "1.0.0", "Determine the type stored at key", keys=[ks("RO", 1)], c="tx"),
    command("keys", 2, "readonly @keyspace @dangerous", "datatypes.run", "generic", "1.0.0", "Find all keys matching the given pattern", c="exec", gate="own", tips="request_policy:all_shards nondeterministic_output_order"),
    command("scan", -2, "readonly @keyspace", "datatypes.run", "generic", "2.8.0", "Incrementally iterate the keys space", c="tx", tips="nondeterministic_output request_policy:special"),
    command("randomkey", 1, "readonly @keyspace", "datatypes.run", "generic", "1.0.0", "Return a random key from the keyspace", c="exec", gate="own", tips="request_policy:all_shards nondeterministic_output"),
    command("rename", 3, "write @keyspace", "datatypes.run", "generic", "1.0.0", "Rename a key", keys=[ks("RW access delete", 1), ks("OW update", 2)], c="tx", wakes=True),
    command("renamenx", 3, "write fast @keyspace", "datatypes.run", "generic", "1.0.0", "Rename a key, only if the new key does not exist", keys=[ks("RW access delete", 1), ks("OW insert", 2)], c="tx", wakes=True),
    command("copy", -3, "write denyoom @keyspace", "datatypes.run", "generic", "6.2.0", "Copy a key", keys=[ks("RO access", 1), ks("OW update", 2)], c="tx", wakes=True),
    command("dump", 2, "readonly @keyspace", "datatypes.run", "generic", "2.6.0", "Return a serialized version of the value stored at the specified key.", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output"),
    command("restore", -4, "write denyoom @keyspace @dangerous", "datatypes.run", "generic", "2.6.0", "Create a key using the provided serialized value, previously obtained using DUMP.", keys=[ks("OW update", 1)], c="tx", wakes=True),
    command("restore-asking", -4, "write denyoom asking @keyspace @dangerous", "migrate.restore_asking", "server", "3.0.0", "An internal command for migrating keys in a cluster", keys=[ks("OW update", 1)], wakes=True),
    command("migrate", -6, "write @keyspace @dangerous", "migrate.migrate", "generic", "2.6.0", "Atomically transfer a key from a Redis instance to another one.", keys=[ks("RW access delete", 3), keyword("RW access delete incomplete", "KEYS", -2, last=-1)], tips="nondeterministic_output"),
    command("sort", -2, "write denyoom @set @sortedset @list @dangerous", "datatypes.sort", "generic", "1.0.0", "Sort the elements in a list, set or sorted set", keys=[ks("RO access", 1), unknown("RO access", "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"), unknown("OW update", "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array")], c="exec", gate="exclusive", wakes=True),
    command("sort_ro", -2, "readonly @set @sortedset @list @dangerous", "datatypes.sort", "generic", "7.0.0", "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", keys=[ks("RO access", 1), unknown("RO access", "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort")], c="exec", gate="exclusive"),
    command("object", -2, "", None, "generic", "2.2.3", "A container for object introspection commands", c="exec", subcommands=[
        command("object|encoding", 3, "readonly @keyspace", "datatypes.run", "generic", "2.2.3", "Inspect the internal encoding of a Redis object", keys=[ks("RO", 2)], tips="nondeterministic_output"),
        command("object|freq", 3, "readonly @keyspace", "datatypes.run", "generic", "4.0.0", "Get the logarithmic access frequency counter of a Redis object", keys=[ks("RO", 2)], tips="nondeterministic_output"),
        command("object|idletime", 3, "readonly @keyspace", "datatypes.run", "generic", "2.2.3", "Get the time since a Redis object was last accessed", keys=[ks("RO", 2)], tips="nondeterministic_output"),
        command("object|refcount", 3, "readonly @keyspace", "datatypes.run", "generic", "2.2.3", "Get the number of references to the value of the key", keys=[ks("RO", 2)], tips="nondeterministic_output"),
        command("object|help", 2, "loading stale @keyspace", "datatypes.run", "generic", "6.2.0", "Show helpful text about the different subcommands"),
    ]),
    command("memory", -2, "", None, "server", "4.0.0", "A container for memory diagnostics commands", c="exec", subcommands=[
        command("memory|usage", -3, "readonly", "datatypes.run", "server", "4.0.0", "Estimate the memory usage of a key", keys=[ks("RO", 2)]),
        command("memory|help", 2, "loading stale", "datatypes.run", "server", "4.0.0", "Show helpful text about the different subcommands"),
        command("memory|doctor", 2, "", "memory.doctor", "server", "4.0.0", "Outputs memory problems report", tips="nondeterministic_output request_policy:all_shards response_policy:special"),
        command("memory|stats", 2, "", "memory.stats", "server", "4.0.0", "Show memory usage details", tips="nondeterministic_output request_policy:all_shards response_policy:special"),
        command("memory|malloc-stats", 2, "", "memory.malloc_stats", "server", "4.0.0", "Show allocator internal stats", tips="nondeterministic_output request_policy:all_shards response_policy:special"),
        command("memory|purge", 2, "", "memory.purge", "server", "4.0.0", "Ask the allocator to release memory", tips="request_policy:all_shards response_policy:all_succeeded"),
    ]),
    command("latency", -2, "", None, "server", "2.8.13", "A container for latency diagnostics commands", subcommands=[
        command("latency|doctor", 2, "admin noscript loading stale", "latency.doctor", "server", "2.8.13", "Return a human readable latency analysis report.", tips="nondeterministic_output request_policy:all_nodes response_policy:special"),
        command("latency|graph", 3, "admin noscript loading stale", "latency.graph", "server", "2.8.13", "Return a latency graph for the event.", tips="nondeterministic_output request_policy:all_nodes response_policy:special"),
        command("latency|help", 2, "loading stale", "latency.help_", "server", "2.8.13", "Show helpful text about the different subcommands."),
        command("latency|histogram", -2, "admin noscript loading stale", "latency.histogram", "server", "7.0.0", "Return the cumulative distribution of latencies of a subset of commands or all.", tips="nondeterministic_output request_policy:all_nodes response_policy:special"),
        command("latency|history", 3, "admin noscript loading stale", "latency.history", "server", "2.8.13", "Return timestamp-latency samples for the event.", tips="nondeterministic_output request_policy:all_nodes response_policy:special"),
        command("latency|latest", 2, "admin noscript loading stale", "latency.latest", "server", "2.8.13", "Return the latest latency samples for all events.", tips="nondeterministic_output request_policy:all_nodes response_policy:special"),
        command("latency|reset", -2, "admin noscript loading stale", "latency.reset", "server", "2.8.13", "Reset latency data for one or more events.", tips="request_policy:all_nodes response_policy:all_succeeded"),
    ]),
    # hashes and sets, run whole in C (csrc/t_hash.c, csrc/t_set.c) by datatypes.run
    command("hset", -4, "write denyoom fast @hash", "datatypes.run", "hash", "2.0.0", "Set the string value of a hash field", keys=[ks("RW update", 1)], c="tx"),
    command("hsetnx", 4, "write denyoom fast @hash", "datatypes.run", "hash", "2.0.0", "Set the value of a hash field, only if the field does not exist", keys=[ks("RW insert", 1)], c="tx"),
    command("hget", 3, "readonly fast @hash", "datatypes.run", "hash", "2.0.0", "Get the value of a hash field", keys=[ks("RO access", 1)], c="tx"),
    command("hmget", -3, "readonly fast @hash", "datatypes.run", "hash", "2.0.0", "Get the values of all the given hash fields", keys=[ks("RO access", 1)], c="tx"),
    command("hmset", -4, "write denyoom fast @hash", "datatypes.run", "hash", "2.0.0", "Set multiple hash fields to multiple values", keys=[ks("RW update", 1)], c="tx"),
    command("hgetall", 2, "readonly @hash", "datatypes.run", "hash", "2.0.0", "Get all the fields and values in a hash", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output_order"),
    command("hdel", -3, "write fast @hash", "datatypes.run", "hash", "2.0.0", "Delete one or more hash fields", keys=[ks("RW delete", 1)], c="tx"),
    command("hexists", 3, "readonly fast @hash", "datatypes.run", "hash", "2.0.0", "Determine if a hash field exists", keys=[ks("RO", 1)], c="tx"),
    command("hlen", 2, "readonly fast @hash", "datatypes.run", "hash", "2.0.0", "Get the number of fields in a hash", keys=[ks("RO", 1)], c="tx"),
    command("hkeys", 2, "readonly @hash", "datatypes.run", "hash", "2.0.0", "Get all the fields in a hash", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output_order"),
    command("hvals", 2, "readonly @hash", "datatypes.run", "hash", "2.0.0", "Get all the values in a hash", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output_order"),
    command("hstrlen", 3, "readonly fast @hash", "datatypes.run", "hash", "3.2.0", "Get the length of the value of a hash field", keys=[ks("RO", 1)], c="tx"),
    command("hincrby", 4, "write denyoom fast @hash", "datatypes.run", "hash", "2.0.0", "Increment the integer value of a hash field by the given number", keys=[ks("RW access update", 1)], c="tx"),
    command("hincrbyfloat", 4, "write denyoom fast @hash", "datatypes.run", "hash", "2.6.0", "Increment the float value of a hash field by the given amount", keys=[ks("RW access update", 1)], c="tx"),
    command("hrandfield", -2, "readonly @hash", "datatypes.run", "hash", "6.2.0", "Get one or multiple random fields from a hash", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output"),
    command("hscan", -3, "readonly @hash", "datatypes.run", "hash", "2.8.0", "Incrementally iterate hash fields and associated values", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output"),
    command("hexpire", -6, "write denyoom fast @hash", "datatypes.run", "hash", "7.4.0", "Set expiry for hash field using relative time to expire (seconds)", keys=[ks("RW update", 1)], c="tx"),
    command("hpexpire", -6, "write denyoom fast @hash", "datatypes.run", "hash", "7.4.0", "Set expiry for hash field using relative time to expire (milliseconds)", keys=[ks("RW update", 1)], c="tx"),
    command("hexpireat", -6, "write denyoom fast @hash", "datatypes.run", "hash", "7.4.0", "Set expiry for hash field using an absolute Unix timestamp (seconds)", keys=[ks("RW update", 1)], c="tx"),
    command("hpexpireat", -6, "write denyoom fast @hash", "datatypes.run", "hash", "7.4.0", "Set expiry for hash field using an absolute Unix timestamp (milliseconds)", keys=[ks("RW update", 1)], c="tx"),
    command("httl", -5, "readonly fast @hash", "datatypes.run", "hash", "7.4.0", "Returns the TTL in seconds of a hash field.", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output"),
    command("hpttl", -5, "readonly fast @hash", "datatypes.run", "hash", "7.4.0", "Returns the TTL in milliseconds of a hash field.", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output"),
    command("hexpiretime", -5, "readonly fast @hash", "datatypes.run", "hash", "7.4.0", "Returns the expiration time of a hash field as a Unix timestamp, in seconds.", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output"),
    command("hpexpiretime", -5, "readonly fast @hash", "datatypes.run", "hash", "7.4.0", "Returns the expiration time of a hash field as a Unix timestamp, in msec.", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output"),
    command("hpersist", -5, "write fast @hash", "datatypes.run", "hash", "7.4.0", "Removes the expiration time for each specified field", keys=[ks("RW update", 1)], c="tx"),
    command("sadd", -3, "write denyoom fast @set", "datatypes.run", "set", "1.0.0", "Add one or more members to a set", keys=[ks("RW insert", 1)], c="tx"),
    command("srem", -3, "write fast @set", "datatypes.run", "set", "1.0.0", "Remove one or more members from a set", keys=[ks("RW delete", 1)], c="tx"),
    command("smembers", 2, "readonly @set", "datatypes.run", "set", "1.0.0", "Get all the members in a set", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output_order"),
    command("sismember", 3, "readonly fast @set", "datatypes.run", "set", "1.0.0", "Determine if a given value is a member of a set", keys=[ks("RO", 1)], c="tx"),
    command("smismember", -3, "readonly fast @set", "datatypes.run", "set", "6.2.0", "Returns the membership associated with the given elements for a set", keys=[ks("RO access", 1)], c="tx"),
    command("scard", 2, "readonly fast @set", "datatypes.run", "set", "1.0.0", "Get the number of members in a set", keys=[ks("RO", 1)], c="tx"),
    command("spop", -2, "write fast @set", "datatypes.run", "set", "1.0.0", "Remove and return one or multiple random members from a set", keys=[ks("RW access delete", 1)], c="tx", tips="nondeterministic_output"),
    command("srandmember", -2, "readonly @set", "datatypes.run", "set", "1.0.0", "Get one or multiple random members from a set", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output"),
    command("smove", 4, "write fast @set", "datatypes.run", "set", "1.0.0", "Move a member from one set to another", keys=[ks("RW access delete", 1), ks("RW insert", 2)], c="tx"),
    command("sinter", -2, "readonly @set", "datatypes.run", "set", "1.0.0", "Intersect multiple sets", keys=[ks("RO access", 1, last=-1)], c="tx", tips="nondeterministic_output_order"),
    command("sinterstore", -3, "write denyoom @set", "datatypes.run", "set", "1.0.0", "Intersect multiple sets and store the resulting set in a key", keys=[ks("RW update", 1), ks("RO access", 2, last=-1)], c="tx"),
    command("sunion", -2, "readonly @set", "datatypes.run", "set", "1.0.0", "Add multiple sets", keys=[ks("RO access", 1, last=-1)], c="tx", tips="nondeterministic_output_order"),
    command("sunionstore", -3, "write denyoom @set", "datatypes.run", "set", "1.0.0", "Add multiple sets and store the resulting set in a key", keys=[ks("OW update", 1), ks("RO access", 2, last=-1)], c="tx"),
    command("sdiff", -2, "readonly @set", "datatypes.run", "set", "1.0.0", "Subtract multiple sets", keys=[ks("RO access", 1, last=-1)], c="tx", tips="nondeterministic_output_order"),
    command("sdiffstore", -3, "write denyoom @set", "datatypes.run", "set", "1.0.0", "Subtract multiple sets and store the resulting set in a key", keys=[ks("OW update", 1), ks("RO access", 2, last=-1)], c="tx"),
    command("sintercard", -3, "readonly @set", "datatypes.run", "set", "7.0.0", "Intersect multiple sets and return the cardinality of the result", keys=[keynum("RO access", 1)], c="tx"),
    command("sscan", -3, "readonly @set", "datatypes.run", "set", "2.8.0", "Incrementally iterate Set elements", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output"),
    # sorted sets, run whole in C (csrc/t_zset.c) by datatypes.run
    command("geoadd", -5, "write denyoom @geo", "datatypes.run", "geo", "3.2.0", "Add one or more geospatial items in the geospatial index represented using a sorted set", keys=[ks("RW update", 1)], c="tx", wakes=True),
    command("geodist", -4, "readonly @geo", "datatypes.run", "geo", "3.2.0", "Returns the distance between two members of a geospatial index", keys=[ks("RO access", 1)], c="tx"),
    command("geohash", -2, "readonly @geo", "datatypes.run", "geo", "3.2.0", "Returns members of a geospatial index as standard geohash strings", keys=[ks("RO access", 1)], c="tx"),
    command("geopos", -2, "readonly @geo", "datatypes.run", "geo", "3.2.0", "Returns longitude and latitude of members of a geospatial index", keys=[ks("RO access", 1)], c="tx"),
    command("geosearch", -7, "readonly @geo", "datatypes.run", "geo", "6.2.0", "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.", keys=[ks("RO access", 1)], c="tx"),
    command("geosearchstore", -8, "write denyoom @geo", "datatypes.run", "geo", "6.2.0", "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.", keys=[ks("OW update", 1), ks("RO access", 2)], c="tx", wakes=True),
    command("georadius", -6, "write denyoom @geo", "datatypes.run", "geo", "3.2.0", "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point", keys=[ks("RO access", 1), keyword("OW update", "STORE", 6), keyword("OW update", "STOREDIST", 6)], c="tx", wakes=True),
    command("georadius_ro", -6, "readonly @geo", "datatypes.run", "geo", "3.2.10", "A read-only variant for GEORADIUS", keys=[ks("RO access", 1)], c="tx"),
    command("georadiusbymember", -5, "write denyoom @geo", "datatypes.run", "geo", "3.2.0", "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member", keys=[ks("RO access", 1), keyword("OW update", "STORE", 5), keyword("OW update", "STOREDIST", 5)], c="tx", wakes=True),
    command("georadiusbymember_ro", -5, "readonly @geo", "datatypes.run", "geo", "3.2.10", "A read-only variant for GEORADIUSBYMEMBER", keys=[ks("RO access", 1)], c="tx"),
    command("zadd", -4, "write denyoom fast @sortedset", "datatypes.run", "sorted-set", "1.2.0", "Add one or more members to a sorted set, or update its score if it already exists", keys=[ks("RW update", 1)], c="tx", wakes=True),
    command("zincrby", 4, "write denyoom fast @sortedset", "datatypes.run", "sorted-set", "1.2.0", "Increment the score of a member in a sorted set", keys=[ks("RW access update", 1)], c="tx", wakes=True),
    command("zscore", 3, "readonly fast @sortedset", "datatypes.run", "sorted-set", "1.2.0", "Get the score associated with the given member in a sorted set", keys=[ks("RO access", 1)], c="tx"),
    command("zmscore", -3, "readonly fast @sortedset", "datatypes.run", "sorted-set", "6.2.0", "Get the score associated with the given members in a sorted set", keys=[ks("RO access", 1)], c="tx"),
    command("zcard", 2, "readonly fast @sortedset", "datatypes.run", "sorted-set", "1.2.0", "Get the number of members in a sorted set", keys=[ks("RO", 1)], c="tx"),
    command("zcount", 4, "readonly fast @sortedset", "datatypes.run", "sorted-set", "2.0.0", "Count the members in a sorted set with scores within the given values", keys=[ks("RO access", 1)], c="tx"),
    command("zlexcount", 4, "readonly fast @sortedset", "datatypes.run", "sorted-set", "2.8.9", "Count the number of members in a sorted set between a given lexicographical range", keys=[ks("RO access", 1)], c="tx"),
    command("zrank", 3, "readonly fast @sortedset", "datatypes.run", "sorted-set", "2.0.0", "Determine the index of a member in a sorted set", keys=[ks("RO access", 1)], c="tx"),
    command("zrevrank", 3, "readonly fast @sortedset", "datatypes.run", "sorted-set", "2.0.0", "Determine the index of a member in a sorted set, with scores ordered from high to low", keys=[ks("RO access", 1)], c="tx"),
    command("zrange", -4, "readonly @sortedset", "datatypes.run", "sorted-set", "1.2.0", "Return a range of members in a sorted set", keys=[ks("RO access", 1)], c="tx"),
    command("zrevrange", -4, "readonly @sortedset", "datatypes.run", "sorted-set", "1.2.0", "Return a range of members in a sorted set, by index, with scores ordered from high to low", keys=[ks("RO access", 1)], c="tx"),
    command("zrangebyscore", -4, "readonly @sortedset", "datatypes.run", "sorted-set", "1.0.5", "Return a range of members in a sorted set, by score", keys=[ks("RO access", 1)], c="tx"),
    command("zrevrangebyscore", -4, "readonly @sortedset", "datatypes.run", "sorted-set", "2.2.0", "Return a range of members in a sorted set, by score, with scores ordered from high to low", keys=[ks("RO access", 1)], c="tx"),
    command("zrangebylex", -4, "readonly @sortedset", "datatypes.run", "sorted-set", "2.8.9", "Return a range of members in a sorted set, by lexicographical range", keys=[ks("RO access", 1)], c="tx"),
    command("zrevrangebylex", -4, "readonly @sortedset", "datatypes.run", "sorted-set", "2.8.9", "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", keys=[ks("RO access", 1)], c="tx"),
    command("zrem", -3, "write fast @sortedset", "datatypes.run", "sorted-set", "1.2.0", "Remove one or more members from a sorted set", keys=[ks("RW delete", 1)], c="tx"),
    command("zremrangebyrank", 4, "write @sortedset", "datatypes.run", "sorted-set", "2.0.0", "Remove all members in a sorted set within the given indexes", keys=[ks("RW delete", 1)], c="tx"),
    command("zremrangebyscore", 4, "write @sortedset", "datatypes.run", "sorted-set", "1.2.0", "Remove all members in a sorted set within the given scores", keys=[ks("RW delete", 1)], c="tx"),
    command("zremrangebylex", 4, "write @sortedset", "datatypes.run", "sorted-set", "2.8.9", "Remove all members in a sorted set between the given lexicographical range", keys=[ks("RW delete", 1)], c="tx"),
    command("zpopmin", -2, "write fast @sortedset", "datatypes.run", "sorted-set", "5.0.0", "Remove and return members with the lowest scores in a sorted set", keys=[ks("RW access delete", 1)], c="tx"),
    command("zpopmax", -2, "write fast @sortedset", "datatypes.run", "sorted-set", "5.0.0", "Remove and return members with the highest scores in a sorted set", keys=[ks("RW access delete", 1)], c="tx"),
    command("zrandmember", -2, "readonly @sortedset", "datatypes.run", "sorted-set", "6.2.0", "Get one or multiple random elements from a sorted set", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output"),
    command("zscan", -3, "readonly @sortedset", "datatypes.run", "sorted-set", "2.8.0", "Incrementally iterate sorted sets elements and associated scores", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output"),
    command("zunionstore", -4, "write denyoom @sortedset", "datatypes.run", "sorted-set", "2.0.0", "Add multiple sorted sets and store the resulting sorted set in a new key", keys=[ks("OW update", 1), keynum("RO access", 2)], c="tx", wakes=True),
    command("zinterstore", -4, "write denyoom @sortedset", "datatypes.run", "sorted-set", "2.0.0", "Intersect multiple sorted sets and store the resulting sorted set in a new key", keys=[ks("OW update", 1), keynum("RO access", 2)], c="tx", wakes=True),
    command("zrangestore", -5, "write denyoom @sortedset", "datatypes.run", "sorted-set", "6.2.0", "Store a range of members from sorted set into another key", keys=[ks("OW update", 1), ks("RO access", 2)], c="tx", wakes=True),
    command("zunion", -3, "readonly @sortedset", "datatypes.run", "sorted-set", "6.2.0", "Add multiple sorted sets", keys=[keynum("RO access", 1)], c="tx"),
    command("zinter", -3, "readonly @sortedset", "datatypes.run", "sorted-set", "6.2.0", "Intersect multiple sorted sets", keys=[keynum("RO access", 1)], c="tx"),
    command("zdiff", -3, "readonly @sortedset", "datatypes.run", "sorted-set", "6.2.0", "Subtract multiple sorted sets", keys=[keynum("RO access", 1)], c="tx"),
    command("zdiffstore", -4, "write denyoom @sortedset", "datatypes.run", "sorted-set", "6.2.0", "Subtract multiple sorted sets and store the resulting sorted set in a new key", keys=[ks("OW update", 1), keynum("RO access", 2)], c="tx", wakes=True),
    command("zintercard", -3, "readonly @sortedset", "datatypes.run", "sorted-set", "7.0.0", "Intersect multiple sorted sets and return the cardinality of the result", keys=[keynum("RO access", 1)], c="tx"),
    command("zmpop", -4, "write @sortedset", "datatypes.run", "sorted-set", "7.0.0", "Remove and return members with scores in a sorted set", keys=[keynum("RW access delete", 1)], c="tx"),
    # lists, run whole in C (csrc/t_list.c) by datatypes.run; the blocking ones by blocking.py
    command("lpush", -3, "write denyoom fast @list", "datatypes.run", "list", "1.0.0", "Prepend one or multiple elements to a list", keys=[ks("RW insert", 1)], c="tx", wakes=True),
    command("rpush", -3, "write denyoom fast @list", "datatypes.run", "list", "1.0.0", "Append one or multiple elements to a list", keys=[ks("RW insert", 1)], c="tx", wakes=True),
    command("lpushx", -3, "write denyoom fast @list", "datatypes.run", "list", "2.2.0", "Prepend an element to a list, only if the list exists", keys=[ks("RW insert", 1)], c="tx", wakes=True),
    command("rpushx", -3, "write denyoom fast @list", "datatypes.run", "list", "2.2.0", "Append an element to a list, only if the list exists", keys=[ks("RW insert", 1)], c="tx", wakes=True),
    command("lpop", -2, "write fast @list", "datatypes.run", "list", "1.0.0", "Remove and get the first elements in a list", keys=[ks("RW access delete", 1)], c="tx"),
    command("rpop", -2, "write fast @list", "datatypes.run", "list", "1.0.0", "Remove and get the last elements in a list", keys=[ks("RW access delete", 1)], c="tx"),
    command("llen", 2, "readonly fast @list", "datatypes.run", "list", "1.0.0", "Get the length of a list", keys=[ks("RO", 1)], c="tx"),
    command("lindex", 3, "readonly @list", "datatypes.run", "list", "1.0.0", "Get an element from a list by its index", keys=[ks("RO access", 1)], c="tx"),
    command("lrange", 4, "readonly @list", "datatypes.run", "list", "1.0.0", "Get a range of elements from a list", keys=[ks("RO access", 1)], c="tx"),
    command("lpos", -3, "readonly @list", "datatypes.run", "list", "6.0.6", "Return the index of matching elements on a list", keys=[ks("RO access", 1)], c="tx"),
    command("lset", 4, "write denyoom @list", "datatypes.run", "list", "1.0.0", "Set the value of an element in a list by its index", keys=[ks("RW update", 1)], c="tx"),
    command("lrem", 4, "write @list", "datatypes.run", "list", "1.0.0", "Remove elements from a list", keys=[ks("RW delete", 1)], c="tx"),
    command("ltrim", 4, "write @list", "datatypes.run", "list", "1.0.0", "Trim a list to the specified range", keys=[ks("RW delete", 1)], c="tx"),
    command("linsert", 5, "write denyoom @list", "datatypes.run", "list", "2.2.0", "Insert an element before or after another element in a list", keys=[ks("RW insert", 1)], c="tx"),
    command("lmove", 5, "write denyoom @list", "datatypes.run", "list", "6.2.0", "Pop an element from a list, push it to another list and return it", keys=[ks("RW access delete", 1), ks("RW insert", 2)], c="tx", wakes=True),
    command("rpoplpush", 3, "write denyoom @list", "datatypes.run", "list", "1.2.0", "Remove the last element in a list, prepend it to another list and return it", keys=[ks("RW access delete", 1), ks("RW insert", 2)], c="tx", wakes=True),
    command("blpop", -3, "write noscript blocking @list @blocking", "blocking.blpop", "list", "2.0.0", "Remove and get the first element in a list, or block until one is available", keys=[ks("RW access delete", 1, last=-2)], c="exec"),
    command("brpop", -3, "write noscript blocking @list @blocking", "blocking.brpop", "list", "2.0.0", "Remove and get the last element in a list, or block until one is available", keys=[ks("RW access delete", 1, last=-2)], c="exec"),
    command("blmove", 6, "write denyoom noscript blocking @list @blocking", "blocking.blmove", "list", "6.2.0", "Pop an element from a list, push it to another list and return it; or block until one is available", keys=[ks("RW access delete", 1), ks("RW insert", 2)]),
    command("brpoplpush", 4, "write denyoom noscript blocking @list @blocking", "blocking.brpoplpush", "list", "2.2.0", "Pop an element from a list, push it to another list and return it; or block until one is available", keys=[ks("RW access delete", 1), ks("RW insert", 2)]),
    command("lmpop", -4, "write @list", "datatypes.run", "list", "7.0.0", "Pop elements from a list", keys=[keynum("RW access delete", 1)], c="tx"),
    command("blmpop", -5, "write blocking @list @blocking", "blocking.blmpop", "list", "7.0.0", "Pop elements from a list, or block until one is available", keys=[keynum("RW access delete", 2)]),
    command("bzpopmin", -3, "write noscript blocking fast @sortedset @blocking", "blocking.bzpopmin", "sorted-set", "5.0.0", "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", keys=[ks("RW access delete", 1, last=-2)], c="exec"),
    command("bzpopmax", -3, "write noscript blocking fast @sortedset @blocking", "blocking.bzpopmax", "sorted-set", "5.0.0", "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", keys=[ks("RW access delete", 1, last=-2)], c="exec"),
    command("bzmpop", -5, "write blocking @sortedset @blocking", "blocking.bzmpop", "sorted-set", "7.0.0", "Remove and return members with scores in a sorted set or block until one is available", keys=[keynum("RW access delete", 2)]),
    # Pub/Sub (commands/pubsub.py; the registry and PUBLISH's fan-out are csrc/pubsub.c's)
    command("subscribe", -2, "pubsub noscript loading stale", "pubsub.subscribe", "pubsub", "2.0.0", "Listen for messages published to the given channels"),
    command("unsubscribe", -1, "pubsub noscript loading stale", "pubsub.unsubscribe", "pubsub", "2.0.0", "Stop listening for messages posted to the given channels"),
    command("psubscribe", -2, "pubsub noscript loading stale", "pubsub.psubscribe", "pubsub", "2.0.0", "Listen for messages published to channels matching the given patterns"),
    command("punsubscribe", -1, "pubsub noscript loading stale", "pubsub.punsubscribe", "pubsub", "2.0.0", "Stop listening for messages posted to channels matching the given patterns"),
    command("publish", 3, "pubsub loading stale fast", "datatypes.run", "pubsub", "2.0.0", "Post a message to a channel", c="tx"),
    command("ssubscribe", -2, "pubsub noscript loading stale", "pubsub.ssubscribe", "pubsub", "7.0.0", "Listen for messages published to the given shard channels", keys=[ks("not_key", 1, last=-1)]),
    command("sunsubscribe", -1, "pubsub noscript loading stale", "pubsub.sunsubscribe", "pubsub", "7.0.0", "Stop listening for messages posted to the given shard channels", keys=[ks("not_key", 1, last=-1)]),
    command("spublish", 3, "pubsub loading stale fast", "datatypes.run", "pubsub", "7.0.0", "Post a message to a shard channel", keys=[ks("not_key", 1)], c="tx"),
    command("pubsub", -2, "", None, "pubsub", "2.8.0", "A container for Pub/Sub commands", subcommands=[
        command("pubsub|channels", -2, "pubsub loading stale", "pubsub.channels", "pubsub", "2.8.0", "List active channels"),
        command("pubsub|numsub", -2, "pubsub loading stale", "pubsub.numsub", "pubsub", "2.8.0", "Get the count of subscribers for channels"),
        command("pubsub|numpat", 2, "pubsub loading stale", "pubsub.numpat", "pubsub", "2.8.0", "Get the count of unique patterns pattern subscriptions"),
        command("pubsub|shardchannels", -2, "pubsub loading stale", "pubsub.shardchannels", "pubsub", "7.0.0", "List active shard channels"),
        command("pubsub|shardnumsub", -2, "pubsub loading stale", "pubsub.shardnumsub", "pubsub", "7.0.0", "Get the count of subscribers for shard channels"),
        command("pubsub|help", 2, "loading stale", "pubsub.help_", "pubsub", "6.2.0", "Show helpful text about the different subcommands"),
    ]),
    # streams, run whole in C (csrc/t_stream.c, csrc/t_stream_cg.c); XREAD/XREADGROUP BLOCK by streams.py
    command("xadd", -5, "write denyoom fast @stream", "datatypes.run", "stream", "5.0.0", "Appends a new entry to a stream", keys=[ks("RW update", 1, notes="UPDATE instead of INSERT because of the optional trimming feature")], c="tx", wakes=True, tips="nondeterministic_output"),
    command("xrange", -4, "readonly @stream", "datatypes.run", "stream", "5.0.0", "Return a range of elements in a stream, with IDs matching the specified IDs interval", keys=[ks("RO access", 1)], c="tx"),
    command("xrevrange", -4, "readonly @stream", "datatypes.run", "stream", "5.0.0", "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE", keys=[ks("RO access", 1)], c="tx"),
    command("xlen", 2, "readonly fast @stream", "datatypes.run", "stream", "5.0.0", "Return the number of entries in a stream", keys=[ks("RO", 1)], c="tx"),
    command("xdel", -3, "write fast @stream", "datatypes.run", "stream", "5.0.0", "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.", keys=[ks("RW delete", 1)], c="tx"),
    command("xtrim", -4, "write @stream", "datatypes.run", "stream", "5.0.0", "Trims the stream to (approximately if '~' is passed) a certain size", keys=[ks("RW delete", 1)], c="tx", tips="nondeterministic_output"),
    command("xsetid", -3, "write denyoom fast @stream", "datatypes.run", "stream", "5.0.0", "An internal command for replicating stream values", keys=[ks("RW update", 1)], c="tx"),
    command("xread", -4, "readonly blocking @stream", "streams.xread", "stream", "5.0.0", "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.", keys=[keyword("RO access", "STREAMS", 1, last=-1, limit=2)], c="tx"),
    command("xreadgroup", -7, "write blocking @stream", "streams.xreadgroup", "stream", "5.0.0", "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.", keys=[keyword("RO access", "STREAMS", 4, last=-1, limit=2)], c="tx"),
    command("xgroup", -2, "", None, "stream", "5.0.0", "A container for consumer groups commands", c="exec", subcommands=[
        command("xgroup|setid", -5, "write @stream", "datatypes.run", "stream", "5.0.0", "Set a consumer group to an arbitrary last delivered ID value.", keys=[ks("RW update", 2)]),
        command("xgroup|create", -5, "write denyoom @stream", "datatypes.run", "stream", "5.0.0", "Create a consumer group.", keys=[ks("RW insert", 2)]),
        command("xgroup|delconsumer", 5, "write @stream", "datatypes.run", "stream", "5.0.0", "Delete a consumer from a consumer group.", keys=[ks("RW delete", 2)]),
        command("xgroup|createconsumer", 5, "write denyoom @stream", "datatypes.run", "stream", "6.2.0", "Create a consumer in a consumer group.", keys=[ks("RW insert", 2)]),
        command("xgroup|destroy", 4, "write @stream", "datatypes.run", "stream", "5.0.0", "Destroy a consumer group.", keys=[ks("RW delete", 2)], wakes=True),
        command("xgroup|help", 2, "loading stale @stream", "streams.xgroup_help", "stream", "5.0.0", "Show helpful text about the different subcommands"),
    ]),
    command("xack", -4, "write fast @stream", "datatypes.run", "stream", "5.0.0", "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.", keys=[ks("RW update", 1)], c="tx"),
    command("xpending", -3, "readonly @stream", "datatypes.run", "stream", "5.0.0", "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.", keys=[ks("RO access", 1)], c="tx", tips="nondeterministic_output"),
    command("xclaim", -6, "write fast @stream", "datatypes.run", "stream", "5.0.0", "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.", keys=[ks("RW update", 1)], c="tx", tips="nondeterministic_output"),
    command("xautoclaim", -6, "write fast @stream", "datatypes.run", "stream", "6.2.0", "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.", keys=[ks("RW delete", 1)], c="tx", tips="nondeterministic_output"),
    command("xinfo", -2, "", None, "stream", "5.0.0", "A container for stream introspection commands", c="exec", subcommands=[
        command("xinfo|stream", -3, "readonly @stream", "datatypes.run", "stream", "5.0.0", "Get information about a stream", keys=[ks("RO access", 2)]),
        command("xinfo|groups", 3, "readonly @stream", "datatypes.run", "stream", "5.0.0", "List the consumer groups of a stream", keys=[ks("RO access", 2)]),
        command("xinfo|consumers", 4, "readonly @stream", "datatypes.run", "stream", "5.0.0", "List the consumers in a consumer group", keys=[ks("RO access", 2)], tips="nondeterministic_output"),
        command("xinfo|help", 2, "loading stale @stream", "streams.xinfo_help", "stream", "5.0.0", "Show helpful text about the different subcommands"),
    ]),
    # emulated cluster mode (commands/cluster.py; off: "cluster support disabled", as Redis)
    command("readonly", 1, "loading stale fast @connection", "cluster.accept", "cluster", "3.0.0", "Enables read queries for a connection to a cluster replica node"),
    command("readwrite", 1, "loading stale fast @connection", "cluster.accept", "cluster", "3.0.0", "Disables read queries for a connection to a cluster replica node"),
    command("asking", 1, "fast @connection", "cluster.accept", "cluster", "3.0.0", "Sent by cluster clients after an -ASK redirect"),
    command("cluster", -2, "", None, "cluster", "3.0.0", "A container for cluster commands", subcommands=[
        command("cluster|keyslot", 3, "stale", "cluster.keyslot", "cluster", "3.0.0", "Returns the hash slot of the specified key"),
        command("cluster|info", 2, "stale", "cluster.info", "cluster", "3.0.0", "Provides info about Redis Cluster node state", tips="nondeterministic_output"),
        command("cluster|myid", 2, "stale", "cluster.myid", "cluster", "3.0.0", "Return the node id"),
        command("cluster|slots", 2, "stale", "cluster.slots", "cluster", "3.0.0", "Get array of Cluster slot to node mappings", tips="nondeterministic_output"),
        command("cluster|shards", 2, "stale", "cluster.shards", "cluster", "7.0.0", "Get array of cluster slots to node mappings", tips="nondeterministic_output"),
        command("cluster|nodes", 2, "stale", "cluster.nodes", "cluster", "3.0.0", "Get Cluster config for the node", tips="nondeterministic_output"),
        command("cluster|countkeysinslot", 3, "stale", "cluster.countkeysinslot", "cluster", "3.0.0", "Return the number of local keys in the specified hash slot", gate="own"),
        command("cluster|getkeysinslot", 4, "stale", "cluster.getkeysinslot", "cluster", "3.0.0", "Return local key names in the specified hash slot", gate="own", tips="nondeterministic_output"),
        command("cluster|help", 2, "loading stale", "cluster.help_", "cluster", "5.0.0", "Show helpful text about the different subcommands"),
    ]),
    # scripting (commands/scripting.py; the engine is csrc/script*.c): a script holds the gate exclusive
    command("eval", -3, "noscript stale skip_monitor no_mandatory_keys @scripting", "scripting.eval_", "scripting", "2.6.0", "Execute a Lua script server side", keys=[keynum("RW access update", 2, _EVAL_RW)], gate="exclusive"),
    command("evalsha", -3, "noscript stale skip_monitor no_mandatory_keys @scripting", "scripting.evalsha", "scripting", "2.6.0", "Execute a Lua script server side", keys=[keynum("RW access update", 2)], gate="exclusive"),
    command("eval_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys @scripting", "scripting.eval_ro", "scripting", "7.0.0", "Execute a read-only Lua script server side", keys=[keynum("RO access", 2, _EVAL_RO)], gate="exclusive"),
    command("evalsha_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys @scripting", "scripting.evalsha_ro", "scripting", "7.0.0", "Execute a read-only Lua script server side", keys=[keynum("RO access", 2)], gate="exclusive"),
    command("script", -2, "", None, "scripting", "2.6.0", "A container for Lua scripts management commands", subcommands=[
        command("script|load", 3, "noscript stale @scripting", "scripting.script_load", "scripting", "2.6.0", "Load the specified Lua script into the script cache.", gate="exclusive", tips="request_policy:all_nodes response_policy:all_succeeded"),
        command("script|exists", -3, "noscript @scripting", "scripting.script_exists", "scripting", "2.6.0", "Check existence of scripts in the script cache.", gate="exclusive", tips="request_policy:all_shards response_policy:agg_logical_and"),
        command("script|flush", -2, "noscript @scripting", "scripting.script_flush", "scripting", "2.6.0", "Remove all the scripts from the script cache.", gate="exclusive", tips="request_policy:all_nodes response_policy:all_succeeded"),
        command("script|kill", 2, "noscript allow_busy @scripting", "scripting.script_kill", "scripting", "2.6.0", "Kill the script currently in execution.", gate="own", tips="request_policy:all_shards response_policy:one_succeeded"),
        command("script|help", 2, "loading stale @scripting", "scripting.script_help", "scripting", "5.0.0", "Show helpful text about the different subcommands"),
        command("script|debug", 3, "noscript @scripting", "scripting.script_debug", "scripting", "3.2.0", "Set the debug mode for executed scripts."),
    ]),
    command("fcall", -3, "noscript stale skip_monitor no_mandatory_keys @scripting", "scripting.fcall", "scripting", "7.0.0", "Invoke a function", keys=[keynum("RW access update", 2, _EVAL_RW)], gate="exclusive"),
    command("fcall_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys @scripting", "scripting.fcall_ro", "scripting", "7.0.0", "Invoke a read-only function", keys=[keynum("RO access", 2, _EVAL_RO)], gate="exclusive"),
    command("function", -2, "", None, "scripting", "7.0.0", "A container for function commands", subcommands=[
        command("function|load", -3, "write denyoom noscript @scripting", "scripting.function_load", "scripting", "7.0.0", "Create a function with the given arguments (name, code, description)", gate="exclusive", tips="request_policy:all_shards response_policy:all_succeeded"),
        command("function|delete", 3, "write noscript @scripting", "scripting.function_delete", "scripting", "7.0.0", "Delete a function by name", gate="exclusive", tips="request_policy:all_shards response_policy:all_succeeded"),
        command("function|flush", -2, "write noscript @scripting", "scripting.function_flush", "scripting", "7.0.0", "Deleting all functions", gate="exclusive", tips="request_policy:all_shards response_policy:all_succeeded"),
        command("function|list", -2, "noscript @scripting", "scripting.function_list", "scripting", "7.0.0", "List information about all the functions", gate="exclusive", tips="nondeterministic_output_order"),
        command("function|dump", 2, "noscript @scripting", "scripting.function_dump", "scripting", "7.0.0", "Dump all functions into a serialized binary payload", gate="exclusive"),
        command("function|restore", -3, "write denyoom noscript @scripting", "scripting.function_restore", "scripting", "7.0.0", "Restore all the functions on the given payload", gate="exclusive", tips="request_policy:all_shards response_policy:all_succeeded"),
        command("function|stats", 2, "noscript allow_busy @scripting", "scripting.function_stats", "scripting", "7.0.0", "Return information about the function currently running (name, description, duration)", gate="own", tips="nondeterministic_output request_policy:all_shards response_policy:special"),
        command("function|kill", 2, "noscript allow_busy @scripting", "scripting.function_kill", "scripting", "7.0.0", "Kill the function currently in execution.", gate="own", tips="request_policy:all_shards response_policy:one_succeeded"),
        command("function|help", 2, "loading stale @scripting", "scripting.function_help", "scripting", "7.0.0", "Show helpful text about the different subcommands"),
    ]),
]