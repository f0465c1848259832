"""THE command table (one line per command) and the dispatcher of the Python path.

Rules:
  - dispatch() is the only place that answers unknown command, unknown subcommand, wrong arity
    and NOAUTH, in Redis's order (processCommand): existence, arity, then authentication (the
    few arity rules a table can't express, PING's upper bound and MSET's pairs, stay in their
    handlers, as in Redis);
  - handlers (string.py, keys.py, server.py, connection.py) return a Python value that
    protocol.encode turns into RESP2/RESP3, or raise CommandError;
  - datatypes.run is the handler of every command implemented in C (csrc/cmd_*.c, csrc/t_*.c):
    C writes the whole reply, errors included, for this path and the fast path alike;
  - fast=True marks the commands csrc/'s fast path serves; tests/unit/test_commands_table.py
    keeps that set equal to C's list.  Each of them is a datatypes.run command;
  - a handler never kills a connection: anything unexpected becomes "-ERR internal error".
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from redistill import errors
from redistill.commands import connection, datatypes, keys, server, string, transactions
from redistill.commands import blocking
from redistill.commands import cluster
from redistill.commands import debug
from redistill.commands import monitor, pause
from redistill.commands.connection import REDIS_VERSION  # noqa: F401  (re-exported for INFO)
from redistill.errors import CommandError
from redistill.logutil import get_logger
from redistill.protocol import Encoded, encode

log = get_logger("redistill.commands")


@dataclass(frozen=True)
class CommandSpec:
    name: str                 # lowercase; "container|sub" for subcommands, as Redis names them
    arity: int                # Redis convention: N exact, -N at least N (name included)
    flags: frozenset[str]     # Redis's command flags: write, readonly, fast, denyoom, admin, no_auth...
    first_key: int            # key positions (Redis's legacy triple): first, last (-1 = end), step
    last_key: int
    step: int
    handler: Callable[[Any, list[bytes]], Any] | None  # None only for containers that need a subcommand
    fast: bool                # csrc/ fast path serves it too
    group: str                # Redis doc group: string, generic, connection, server
    summary: str
    since: str
    subcommands: dict[str, "CommandSpec"] | None = None
    acl: frozenset[str] = frozenset()  # ACL categories Redis can't derive from flags (@string...)
    key_flags: tuple[str, ...] = ()    # COMMAND INFO key-spec flags (RO, RW, access, update...)
    tips: tuple[str, ...] = ()         # COMMAND INFO tips for cluster clients (request_policy:...)

    def arity_ok(self, argc: int) -> bool:
        return argc == self.arity if self.arity >= 0 else argc >= -self.arity


def command(name: str, arity: int, flags: str, keys: tuple[int, int, int], handler: Callable | None,
            group: str, since: str, summary: str, *, fast: bool = False, key_flags: str = "",
            tips: str = "", subcommands: list[CommandSpec] | None = None) -> CommandSpec:
    """One table line.  `flags` holds Redis's command flags and, prefixed with @, the ACL
    categories it lists explicitly, as in Redis's src/commands/*.json."""
    words = flags.split()
    subs = None if subcommands is None else {s.name.split("|", 1)[1]: s for s in subcommands}
    return CommandSpec(name, arity, frozenset(w for w in words if not w.startswith("@")), *keys,
                       handler, fast, group, summary, since, subs,
                       frozenset(w for w in words if w.startswith("@")), tuple(key_flags.split()),
                       tuple(tips.split()))


NOKEYS = (0, 0, 0)
ONEKEY = (1, 1, 1)
ALLKEYS = (1, -1, 1)
_CONN = "noscript loading stale"        # Redis's flags of the CLIENT subcommands
_PRE_AUTH = "noscript loading stale fast no_auth allow_busy @connection"  # AUTH, HELLO, QUIT

_TABLE = [
    # name             arity flags                                   keys        handler                 group         since     summary
    command("get",         2, "readonly fast @string",                ONEKEY,     datatypes.run,           "string",     "1.0.0",  "Get the value of a key", fast=True, key_flags="RO access"),
    command("set",        -3, "write denyoom @string",                ONEKEY,     datatypes.run,           "string",     "1.0.0",  "Set the string value of a key", fast=True, key_flags="RW access update variable_flags"),
    command("mget",       -2, "readonly fast @string",                ALLKEYS,    datatypes.run,           "string",     "1.0.0",  "Get the values of all the given keys", fast=True, key_flags="RO access", tips="request_policy:multi_shard"),
    command("mset",       -3, "write denyoom @string",                (1, -1, 2), datatypes.run,           "string",     "1.0.1",  "Set multiple keys to multiple values", fast=True, key_flags="OW update", tips="request_policy:multi_shard response_policy:all_succeeded"),
    command("incr",        2, "write denyoom fast @string",           ONEKEY,     datatypes.run,           "string",     "1.0.0",  "Increment the integer value of a key by one", fast=True, key_flags="RW access update"),
    command("decr",        2, "write denyoom fast @string",           ONEKEY,     datatypes.run,           "string",     "1.0.0",  "Decrement the integer value of a key by one", fast=True, key_flags="RW access update"),
    command("incrby",      3, "write denyoom fast @string",           ONEKEY,     datatypes.run,           "string",     "1.0.0",  "Increment the integer value of a key by the given amount", fast=True, key_flags="RW access update"),
    command("decrby",      3, "write denyoom fast @string",           ONEKEY,     datatypes.run,           "string",     "1.0.0",  "Decrement the integer value of a key by the given number", fast=True, key_flags="RW access update"),
    command("del",        -2, "write @keyspace",                      ALLKEYS,    datatypes.run,           "generic",    "1.0.0",  "Delete a key", fast=True, key_flags="RM delete", tips="request_policy:multi_shard response_policy:agg_sum"),
    command("exists",     -2, "readonly fast @keyspace",              ALLKEYS,    datatypes.run,           "generic",    "1.0.0",  "Determine if a key exists", fast=True, key_flags="RO", tips="request_policy:multi_shard response_policy:agg_sum"),
    command("expire",     -3, "write fast @keyspace",                 ONEKEY,     keys.expire,            "generic",    "1.0.0",  "Set a key's time to live in seconds", key_flags="RW update"),
    command("pexpire",    -3, "write fast @keyspace",                 ONEKEY,     keys.pexpire,           "generic",    "2.6.0",  "Set a key's time to live in milliseconds", key_flags="RW update"),
    command("ttl",         2, "readonly fast @keyspace",              ONEKEY,     keys.ttl,               "generic",    "1.0.0",  "Get the time to live for a key in seconds", key_flags="RO access", tips="nondeterministic_output"),
    command("pttl",        2, "readonly fast @keyspace",              ONEKEY,     keys.pttl,              "generic",    "2.6.0",  "Get the time to live for a key in milliseconds", key_flags="RO access", tips="nondeterministic_output"),
    command("persist",     2, "write fast @keyspace",                 ONEKEY,     keys.persist,           "generic",    "2.2.0",  "Remove the expiration from a key", key_flags="RW update"),
    command("dbsize",      1, "readonly fast @keyspace",              NOKEYS,     keys.dbsize,            "server",     "1.0.0",  "Return the number of keys in the selected database", tips="request_policy:all_shards response_policy:agg_sum"),
    command("flushdb",    -1, "write @keyspace @dangerous",           NOKEYS,     keys.flushdb,           "server",     "1.0.0",  "Remove all keys from the current database", tips="request_policy:all_shards response_policy:all_succeeded"),
    command("flushall",   -1, "write @keyspace @dangerous",           NOKEYS,     keys.flushall,          "server",     "1.0.0",  "Remove all keys from all databases", tips="request_policy:all_shards response_policy:all_succeeded"),
    command("ping",       -1, "fast @connection",                     NOKEYS,     datatypes.run,           "connection", "1.0.0",  "Ping the server", fast=True, tips="request_policy:all_shards response_policy:all_succeeded"),
    command("echo",        2, "loading stale fast @connection",       NOKEYS,     datatypes.run,           "connection", "1.0.0",  "Echo the given string", fast=True),
    command("auth",       -2, _PRE_AUTH,                              NOKEYS,     connection.auth,        "connection", "1.0.0",  "Authenticate to the server"),
    command("hello",      -1, _PRE_AUTH,                              NOKEYS,     connection.hello,       "connection", "6.0.0",  "Handshake with Redis"),
    command("quit",       -1, _PRE_AUTH,                              NOKEYS,     connection.quit,        "connection", "1.0.0",  "Close the connection"),
    command("select",      2, "loading stale fast @connection",       NOKEYS,     connection.select,      "connection", "1.0.0",  "Change the selected database for the current connection"),
    command("client",     -2, "",                                     NOKEYS,     None,                   "connection", "2.4.0",  "A container for client connection commands", subcommands=[
        command("client|id",       2, _CONN + " @connection",         NOKEYS,     connection.client_id,      "connection", "5.0.0", "Returns the client ID for the current connection"),
        command("client|getname",  2, _CONN + " @connection",         NOKEYS,     connection.client_getname, "connection", "2.6.9", "Get the current connection name"),
        command("client|setname",  3, _CONN + " @connection",         NOKEYS,     connection.client_setname, "connection", "2.6.9", "Set the current connection name"),
        command("client|setinfo",  4, _CONN + " @connection",         NOKEYS,     connection.client_setinfo, "connection", "7.2.0", "Set client or connection specific info"),
        command("client|info",     2, _CONN + " @connection",         NOKEYS,     connection.client_info,    "connection", "6.2.0", "Returns information about the current client connection.", tips="nondeterministic_output"),
        command("client|list",    -2, "admin " + _CONN + " @connection", NOKEYS,  connection.client_list,    "connection", "2.4.0", "Get the list of client connections", tips="nondeterministic_output"),
        command("client|help",     2, "loading stale @connection",    NOKEYS,     connection.client_help,    "connection", "5.0.0", "Show helpful text about the different subcommands"),
        command("client|kill",    -3, "admin " + _CONN + " @connection", NOKEYS,  connection.client_kill,    "connection", "2.4.0", "Kill the connection of a client"),
        command("client|no-evict", 3, "admin " + _CONN + " @connection", NOKEYS,  connection.client_no_evict, "connection", "7.0.0", "Set client eviction mode for the current connection"),
        command("client|no-touch", 3, _CONN + " @connection",         NOKEYS,     connection.client_no_touch, "connection", "7.2.0", "Controls whether commands sent by the client will alter the LRU/LFU of the keys they access."),
        command("client|reply",    3, _CONN + " @connection",         NOKEYS,     connection.client_reply,   "connection", "3.2.0", "Instruct the server whether to reply to commands"),
        command("client|getredir", 2, _CONN + " @connection",         NOKEYS,     connection.client_getredir, "connection", "6.0.0", "Get tracking notifications redirection client ID if any"),
        command("client|tracking", -3, _CONN + " @connection",        NOKEYS,     connection.client_tracking, "connection", "6.0.0", "Enable or disable server assisted client side caching support"),
        command("client|trackinginfo", 2, _CONN + " @connection",     NOKEYS,     connection.client_trackinginfo, "connection", "6.2.0", "Return information about server assisted client side caching for the current connection"),
        command("client|unblock", -3, "admin " + _CONN + " @connection", NOKEYS,  blocking.client_unblock, "connection", "5.0.0", "Unblock a client blocked in a blocking command from a different connection"),
        command("client|pause",   -3, "admin " + _CONN + " @connection", NOKEYS,  pause.client_pause,    "connection", "2.9.50", "Stop processing commands from clients for some time"),
        command("client|unpause",  2, "admin " + _CONN + " @connection", NOKEYS,  pause.client_unpause,  "connection", "6.2.0", "Resume processing of clients that were paused"),
    ]),
    command("monitor",     1, "admin noscript loading stale",         NOKEYS,     monitor.monitor,        "server",     "1.0.0",  "Listen for all requests received by the server in real time"),
    command("reset",       1, "noscript loading stale fast no_auth allow_busy @connection", NOKEYS, connection.reset, "connection", "6.2.0", "Reset the connection"),
    command("time",        1, "loading stale fast",                   NOKEYS,     server.time_,           "server",     "2.6.0",  "Return the current server time", tips="nondeterministic_output"),
    command("lastsave",    1, "loading stale fast @admin @dangerous", NOKEYS,     server.lastsave,        "server",     "1.0.0",  "Get the UNIX time stamp of the last successful save to disk", tips="nondeterministic_output"),
    command("save",        1, "admin noscript no_async_loading no_multi", NOKEYS, server.save,            "server",     "1.0.0",  "Synchronously save the dataset to disk"),
    command("bgsave",     -1, "admin noscript no_async_loading",      NOKEYS,     server.bgsave,          "server",     "1.0.0",  "Asynchronously save the dataset to disk"),
    command("bgrewriteaof", 1, "admin noscript no_async_loading",     NOKEYS,     server.bgrewriteaof,    "server",     "1.0.0",  "Asynchronously rewrite the append-only file"),
    command("shutdown",   -1, "admin noscript loading stale no_multi allow_busy", NOKEYS, server.shutdown, "server",   "1.0.0",  "Synchronously save the dataset to disk and then shut down the server"),
    command("debug",      -2, "admin noscript loading stale",         NOKEYS,     debug.debug,            "server",     "1.0.0",  "A container for debugging commands"),
    command("slowlog",    -2, "",                                     NOKEYS,     None,                   "server",     "2.2.12", "A container for slow log commands", subcommands=[
        command("slowlog|get",    -2, "admin loading stale",          NOKEYS,     server.slowlog_get,     "server",     "2.2.12", "Get the slow log's entries", tips="request_policy:all_nodes nondeterministic_output"),
        command("slowlog|len",     2, "admin loading stale",          NOKEYS,     server.slowlog_len,     "server",     "2.2.12", "Get the slow log's length", tips="request_policy:all_nodes response_policy:agg_sum nondeterministic_output"),
        command("slowlog|reset",   2, "admin loading stale",          NOKEYS,     server.slowlog_reset,   "server",     "2.2.12", "Clear all entries from the slow log", tips="request_policy:all_nodes response_policy:all_succeeded"),
        command("slowlog|help",    2, "loading stale",                NOKEYS,     server.slowlog_help,    "server",     "6.2.0",  "Show helpful text about the different subcommands"),
    ]),
    command("multi",       1, "noscript loading stale fast allow_busy @transaction", NOKEYS, transactions.multi,   "transactions", "1.2.0",  "Mark the start of a transaction block"),
    command("exec",        1, "noscript loading stale skip_slowlog @transaction", NOKEYS, transactions.exec_,    "transactions", "1.2.0",  "Execute all commands issued after MULTI"),
    command("discard",     1, "noscript loading stale fast allow_busy @transaction", NOKEYS, transactions.discard, "transactions", "2.0.0",  "Discard all commands issued after MULTI"),
    command("watch",      -2, "noscript loading stale fast allow_busy @transaction", ALLKEYS, transactions.watch,  "transactions", "2.2.0",  "Watch the given keys to determine execution of the MULTI/EXEC block", key_flags="RO"),
    command("unwatch",     1, "noscript loading stale fast allow_busy @transaction", NOKEYS, transactions.unwatch, "transactions", "2.2.0",  "Forget about all watched keys"),
    command("info",       -1, "loading stale @dangerous",             NOKEYS,     server.info,            "server",     "1.0.0",  "Get information and statistics about the server", tips="nondeterministic_output request_policy:all_shards response_policy:special"),
    command("config",     -2, "",                                     NOKEYS,     None,                   "server",     "2.0.0",  "A container for server configuration commands", subcommands=[
        command("config|get",     -3, "admin " + _CONN,               NOKEYS,     server.config_get,      "server",     "2.0.0",  "Get the values of configuration parameters"),
        command("config|set",     -4, "admin " + _CONN,               NOKEYS,     server.config_set,      "server",     "2.0.0",  "Set configuration parameters to the given values", tips="request_policy:all_nodes response_policy:all_succeeded"),
        command("config|help",     2, "loading stale",                NOKEYS,     server.config_help,     "server",     "5.0.0",  "Show helpful text about the different subcommands"),
        command("config|resetstat", 2, "admin " + _CONN,              NOKEYS,     server.config_resetstat, "server",    "2.0.0",  "Reset the stats returned by INFO"),
        command("config|rewrite",  2, "admin " + _CONN,               NOKEYS,     server.config_rewrite,  "server",     "2.8.0",  "Rewrite the configuration file with the in memory configuration"),
    ]),
    command("command",    -1, "loading stale @connection",            NOKEYS,     server.command_all,     "server",     "2.8.13", "Get array of Redis command details", tips="nondeterministic_output_order", subcommands=[
        command("command|count",   2, "loading stale @connection",    NOKEYS,     server.command_count,   "server",     "2.8.13", "Get total number of Redis commands"),
        command("command|info",   -2, "loading stale @connection",    NOKEYS,     server.command_info,    "server",     "2.8.13", "Get array of specific Redis command details, or all when no argument is given.", tips="nondeterministic_output_order"),
        command("command|docs",   -2, "loading stale @connection",    NOKEYS,     server.command_docs,    "server",     "7.0.0",  "Get array of specific Redis command documentation", tips="nondeterministic_output_order"),
        command("command|list",   -2, "loading stale @connection",    NOKEYS,     server.command_list,    "server",     "7.0.0",  "Get an array of Redis command names", tips="nondeterministic_output_order"),
        command("command|help",    2, "loading stale @connection",    NOKEYS,     server.command_help,    "server",     "5.0.0",  "Show helpful text about the different subcommands"),
        command("command|getkeys", -4, "loading stale @connection",   NOKEYS,     server.command_getkeys, "server",     "2.8.13", "Extract keys given a full Redis command"),
        command("command|getkeysandflags", -4, "loading stale @connection", NOKEYS, server.command_getkeysandflags, "server", "7.0.0", "Extract keys and access flags given a full Redis command"),
    ]),
    # issue 3: strings
    command("setnx",       3, "write denyoom fast @string",           ONEKEY,     datatypes.run,           "string",     "1.0.0",  "Set the value of a key, only if the key does not exist", fast=True, key_flags="OW insert"),
    command("setex",       4, "write denyoom @string",                ONEKEY,     datatypes.run,           "string",     "2.0.0",  "Set the value and expiration of a key", fast=True, key_flags="OW update"),
    command("psetex",      4, "write denyoom @string",                ONEKEY,     datatypes.run,           "string",     "2.6.0",  "Set the value and expiration in milliseconds of a key", fast=True, key_flags="OW update"),
    command("getset",      3, "write denyoom fast @string",           ONEKEY,     datatypes.run,           "string",     "1.0.0",  "Set the string value of a key and return its old value", key_flags="RW access update"),
    command("getdel",      2, "write fast @string",                   ONEKEY,     datatypes.run,           "string",     "6.2.0",  "Get the value of a key and delete the key", key_flags="RW access delete"),
    command("getex",      -2, "write fast @string",                   ONEKEY,     datatypes.run,           "string",     "6.2.0",  "Get the value of a key and optionally set its expiration", key_flags="RW access update"),
    command("append",      3, "write denyoom fast @string",           ONEKEY,     string.append,          "string",     "2.0.0",  "Append a value to a key", key_flags="RW insert"),
    command("strlen",      2, "readonly fast @string",                ONEKEY,     datatypes.run,           "string",     "2.2.0",  "Get the length of the value stored in a key", fast=True, key_flags="RO"),
    command("getrange",    4, "readonly @string",                     ONEKEY,     string.getrange,        "string",     "2.4.0",  "Get a substring of the string stored at a key", key_flags="RO access"),
    command("substr",      4, "readonly @string",                     ONEKEY,     string.substr,          "string",     "1.0.0",  "Get a substring of the string stored at a key", key_flags="RO access"),
    command("setrange",    4, "write denyoom @string",                ONEKEY,     string.setrange,        "string",     "2.2.0",  "Overwrite part of a string at key starting at the specified offset", key_flags="RW update"),
    command("incrbyfloat", 3, "write denyoom fast @string",           ONEKEY,     string.incrbyfloat,     "string",     "2.6.0",  "Increment the float value of a key by the given amount", key_flags="RW access update"),
    command("msetnx",     -3, "write denyoom @string",                (1, -1, 2), string.msetnx,          "string",     "1.0.1",  "Set multiple keys to multiple values, only if none of the keys exist", key_flags="OW insert", tips="request_policy:multi_shard response_policy:agg_min"),
    command("lcs",        -3, "readonly @string",                     (1, 2, 1),  string.lcs,             "string",     "7.0.0",  "Find longest common substring", key_flags="RO access"),
    # issue 3: generic key commands
    command("unlink",     -2, "write fast @keyspace",                 ALLKEYS,    datatypes.run,           "generic",    "4.0.0",  "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", fast=True, key_flags="RM delete", tips="request_policy:multi_shard response_policy:agg_sum"),
    command("touch",      -2, "readonly fast @keyspace",              ALLKEYS,    keys.touch,             "generic",    "3.2.1",  "Alters the last access time of a key(s). Returns the number of existing keys specified.", key_flags="RO", tips="request_policy:multi_shard response_policy:agg_sum"),
    command("expireat",   -3, "write fast @keyspace",                 ONEKEY,     keys.expireat,          "generic",    "1.2.0",  "Set the expiration for a key as a UNIX timestamp", key_flags="RW update"),
    command("pexpireat",  -3, "write fast @keyspace",                 ONEKEY,     keys.pexpireat,         "generic",    "2.6.0",  "Set the expiration for a key as a UNIX timestamp specified in milliseconds", key_flags="RW update"),
    command("expiretime",  2, "readonly fast @keyspace",              ONEKEY,     keys.expiretime,        "generic",    "7.0.0",  "Get the expiration Unix timestamp for a key", key_flags="RO access"),
    command("pexpiretime", 2, "readonly fast @keyspace",              ONEKEY,     keys.pexpiretime,       "generic",    "7.0.0",  "Get the expiration Unix timestamp for a key in milliseconds", key_flags="RO access"),
    command("type",        2, "readonly fast @keyspace",              ONEKEY,     keys.type_,             "generic",    "1.0.0",  "Determine the type stored at key", key_flags="RO"),
    command("keys",        2, "readonly @keyspace @dangerous",        NOKEYS,     keys.keys,              "generic",    "1.0.0",  "Find all keys matching the given pattern", tips="request_policy:all_shards nondeterministic_output_order"),
    command("scan",       -2, "readonly @keyspace",                   NOKEYS,     keys.scan,              "generic",    "2.8.0",  "Incrementally iterate the keys space", tips="nondeterministic_output request_policy:special"),
    command("randomkey",   1, "readonly @keyspace",                   NOKEYS,     keys.randomkey,         "generic",    "1.0.0",  "Return a random key from the keyspace", tips="request_policy:all_shards nondeterministic_output"),
    command("rename",      3, "write @keyspace",                      (1, 2, 1),  keys.rename,            "generic",    "1.0.0",  "Rename a key", key_flags="RW access delete"),
    command("renamenx",    3, "write fast @keyspace",                 (1, 2, 1),  keys.renamenx,          "generic",    "1.0.0",  "Rename a key, only if the new key does not exist", key_flags="RW access delete"),
    command("copy",       -3, "write denyoom @keyspace",              (1, 2, 1),  keys.copy,              "generic",    "6.2.0",  "Copy a key", key_flags="RO access"),
    command("sort",       -2, "write denyoom movablekeys @set @sortedset @list @dangerous", ONEKEY, datatypes.run, "generic", "1.0.0", "Sort the elements in a list, set or sorted set", key_flags="RO access"),
    command("sort_ro",    -2, "readonly movablekeys @set @sortedset @list @dangerous", ONEKEY, datatypes.run, "generic", "7.0.0", "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", key_flags="RO access"),
    command("object",     -2, "",                                     NOKEYS,     None,                   "generic",    "2.2.3",  "A container for object introspection commands", subcommands=[
        command("object|encoding", 3, "readonly @keyspace",           (2, 2, 1),  keys.object_encoding,   "generic",    "2.2.3",  "Inspect the internal encoding of a Redis object", key_flags="RO", tips="nondeterministic_output"),
        command("object|freq",     3, "readonly @keyspace",           (2, 2, 1),  keys.object_freq,       "generic",    "4.0.0",  "Get the logarithmic access frequency counter of a Redis object", key_flags="RO", tips="nondeterministic_output"),
        command("object|idletime", 3, "readonly @keyspace",           (2, 2, 1),  keys.object_idletime,   "generic",    "2.2.3",  "Get the time since a Redis object was last accessed", key_flags="RO", tips="nondeterministic_output"),
        command("object|refcount", 3, "readonly @keyspace",           (2, 2, 1),  keys.object_refcount,   "generic",    "2.2.3",  "Get the number of references to the value of the key", key_flags="RO", tips="nondeterministic_output"),
        command("object|help",     2, "loading stale @keyspace",      NOKEYS,     keys.object_help,       "generic",    "6.2.0",  "Show helpful text about the different subcommands"),
    ]),
    command("memory",     -2, "",                                     NOKEYS,     None,                   "server",     "4.0.0",  "A container for memory diagnostics commands", subcommands=[
        command("memory|usage",   -3, "readonly",                     (2, 2, 1),  keys.memory_usage,      "server",     "4.0.0",  "Estimate the memory usage of a key", key_flags="RO"),
        command("memory|help",     2, "loading stale",                NOKEYS,     keys.memory_help,       "server",     "4.0.0",  "Show helpful text about the different subcommands"),
    ]),
    # issue 8: hashes and sets, run whole in C (csrc/t_hash.c, csrc/t_set.c) by datatypes.run
    command("hset",          -4, "write denyoom fast @hash",              ONEKEY,     datatypes.run, "hash", "2.0.0", "Set the string value of a hash field", fast=True, key_flags="RW update"),
    command("hsetnx",         4, "write denyoom fast @hash",              ONEKEY,     datatypes.run, "hash", "2.0.0", "Set the value of a hash field, only if the field does not exist", fast=True, key_flags="RW insert"),
    command("hget",           3, "readonly fast @hash",                   ONEKEY,     datatypes.run, "hash", "2.0.0", "Get the value of a hash field", fast=True, key_flags="RO access"),
    command("hmget",         -3, "readonly fast @hash",                   ONEKEY,     datatypes.run, "hash", "2.0.0", "Get the values of all the given hash fields", fast=True, key_flags="RO access"),
    command("hmset",         -4, "write denyoom fast @hash",              ONEKEY,     datatypes.run, "hash", "2.0.0", "Set multiple hash fields to multiple values", fast=True, key_flags="RW update"),
    command("hgetall",        2, "readonly @hash",                        ONEKEY,     datatypes.run, "hash", "2.0.0", "Get all the fields and values in a hash", fast=True, key_flags="RO access", tips="nondeterministic_output_order"),
    command("hdel",          -3, "write fast @hash",                      ONEKEY,     datatypes.run, "hash", "2.0.0", "Delete one or more hash fields", fast=True, key_flags="RW delete"),
    command("hexists",        3, "readonly fast @hash",                   ONEKEY,     datatypes.run, "hash", "2.0.0", "Determine if a hash field exists", fast=True, key_flags="RO"),
    command("hlen",           2, "readonly fast @hash",                   ONEKEY,     datatypes.run, "hash", "2.0.0", "Get the number of fields in a hash", fast=True, key_flags="RO"),
    command("hkeys",          2, "readonly @hash",                        ONEKEY,     datatypes.run, "hash", "2.0.0", "Get all the fields in a hash", fast=True, key_flags="RO access", tips="nondeterministic_output_order"),
    command("hvals",          2, "readonly @hash",                        ONEKEY,     datatypes.run, "hash", "2.0.0", "Get all the values in a hash", fast=True, key_flags="RO access", tips="nondeterministic_output_order"),
    command("hstrlen",        3, "readonly fast @hash",                   ONEKEY,     datatypes.run, "hash", "3.2.0", "Get the length of the value of a hash field", fast=True, key_flags="RO"),
    command("hincrby",        4, "write denyoom fast @hash",              ONEKEY,     datatypes.run, "hash", "2.0.0", "Increment the integer value of a hash field by the given number", fast=True, key_flags="RW access update"),
    command("hincrbyfloat",   4, "write denyoom fast @hash",              ONEKEY,     datatypes.run, "hash", "2.6.0", "Increment the float value of a hash field by the given amount", fast=True, key_flags="RW access update"),
    command("hrandfield",    -2, "readonly @hash",                        ONEKEY,     datatypes.run, "hash", "6.2.0", "Get one or multiple random fields from a hash", fast=True, key_flags="RO access", tips="nondeterministic_output"),
    command("hscan",         -3, "readonly @hash",                        ONEKEY,     datatypes.run, "hash", "2.8.0", "Incrementally iterate hash fields and associated values", fast=True, key_flags="RO access", tips="nondeterministic_output"),
    command("sadd",          -3, "write denyoom fast @set",               ONEKEY,     datatypes.run, "set", "1.0.0", "Add one or more members to a set", fast=True, key_flags="RW insert"),
    command("srem",          -3, "write fast @set",                       ONEKEY,     datatypes.run, "set", "1.0.0", "Remove one or more members from a set", fast=True, key_flags="RW delete"),
    command("smembers",       2, "readonly @set",                         ONEKEY,     datatypes.run, "set", "1.0.0", "Get all the members in a set", fast=True, key_flags="RO access", tips="nondeterministic_output_order"),
    command("sismember",      3, "readonly fast @set",                    ONEKEY,     datatypes.run, "set", "1.0.0", "Determine if a given value is a member of a set", fast=True, key_flags="RO"),
    command("smismember",    -3, "readonly fast @set",                    ONEKEY,     datatypes.run, "set", "6.2.0", "Returns the membership associated with the given elements for a set", fast=True, key_flags="RO access"),
    command("scard",          2, "readonly fast @set",                    ONEKEY,     datatypes.run, "set", "1.0.0", "Get the number of members in a set", fast=True, key_flags="RO"),
    command("spop",          -2, "write fast @set",                       ONEKEY,     datatypes.run, "set", "1.0.0", "Remove and return one or multiple random members from a set", fast=True, key_flags="RW access delete", tips="nondeterministic_output"),
    command("srandmember",   -2, "readonly @set",                         ONEKEY,     datatypes.run, "set", "1.0.0", "Get one or multiple random members from a set", fast=True, key_flags="RO access", tips="nondeterministic_output"),
    command("smove",          4, "write fast @set",                       (1, 2, 1),  datatypes.run, "set", "1.0.0", "Move a member from one set to another", fast=True, key_flags="RW access delete"),
    command("sinter",        -2, "readonly @set",                         ALLKEYS,    datatypes.run, "set", "1.0.0", "Intersect multiple sets", fast=True, key_flags="RO access", tips="nondeterministic_output_order"),
    command("sinterstore",   -3, "write denyoom @set",                    ALLKEYS,    datatypes.run, "set", "1.0.0", "Intersect multiple sets and store the resulting set in a key", fast=True, key_flags="RW update"),
    command("sunion",        -2, "readonly @set",                         ALLKEYS,    datatypes.run, "set", "1.0.0", "Add multiple sets", fast=True, key_flags="RO access", tips="nondeterministic_output_order"),
    command("sunionstore",   -3, "write denyoom @set",                    ALLKEYS,    datatypes.run, "set", "1.0.0", "Add multiple sets and store the resulting set in a key", fast=True, key_flags="OW update"),
    command("sdiff",         -2, "readonly @set",                         ALLKEYS,    datatypes.run, "set", "1.0.0", "Subtract multiple sets", fast=True, key_flags="RO access", tips="nondeterministic_output_order"),
    command("sdiffstore",    -3, "write denyoom @set",                    ALLKEYS,    datatypes.run, "set", "1.0.0", "Subtract multiple sets and store the resulting set in a key", fast=True, key_flags="OW update"),
    command("sintercard",    -3, "readonly movablekeys @set",             NOKEYS,     datatypes.run, "set", "7.0.0", "Intersect multiple sets and return the cardinality of the result", fast=True),  # movable keys: no legacy triple
    command("sscan",         -3, "readonly @set",                         ONEKEY,     datatypes.run, "set", "2.8.0", "Incrementally iterate Set elements", fast=True, key_flags="RO access", tips="nondeterministic_output"),
    # issue 8: sorted sets, run whole in C (csrc/t_zset.c) by datatypes.run
    command("zadd",           -4, "write denyoom fast @sortedset",               ONEKEY,     datatypes.run, "sorted-set", "1.2.0", "Add one or more members to a sorted set, or update its score if it already exists", fast=True, key_flags="RW update"),
    command("zincrby",         4, "write denyoom fast @sortedset",               ONEKEY,     datatypes.run, "sorted-set", "1.2.0", "Increment the score of a member in a sorted set", fast=True, key_flags="RW access update"),
    command("zscore",          3, "readonly fast @sortedset",                    ONEKEY,     datatypes.run, "sorted-set", "1.2.0", "Get the score associated with the given member in a sorted set", fast=True, key_flags="RO access"),
    command("zmscore",        -3, "readonly fast @sortedset",                    ONEKEY,     datatypes.run, "sorted-set", "6.2.0", "Get the score associated with the given members in a sorted set", fast=True, key_flags="RO access"),
    command("zcard",           2, "readonly fast @sortedset",                    ONEKEY,     datatypes.run, "sorted-set", "1.2.0", "Get the number of members in a sorted set", fast=True, key_flags="RO"),
    command("zcount",          4, "readonly fast @sortedset",                    ONEKEY,     datatypes.run, "sorted-set", "2.0.0", "Count the members in a sorted set with scores within the given values", fast=True, key_flags="RO access"),
    command("zlexcount",       4, "readonly fast @sortedset",                    ONEKEY,     datatypes.run, "sorted-set", "2.8.9", "Count the number of members in a sorted set between a given lexicographical range", fast=True, key_flags="RO access"),
    command("zrank",           3, "readonly fast @sortedset",                    ONEKEY,     datatypes.run, "sorted-set", "2.0.0", "Determine the index of a member in a sorted set", fast=True, key_flags="RO access"),
    command("zrevrank",        3, "readonly fast @sortedset",                    ONEKEY,     datatypes.run, "sorted-set", "2.0.0", "Determine the index of a member in a sorted set, with scores ordered from high to low", fast=True, key_flags="RO access"),
    command("zrange",         -4, "readonly @sortedset",                         ONEKEY,     datatypes.run, "sorted-set", "1.2.0", "Return a range of members in a sorted set", fast=True, key_flags="RO access"),
    command("zrevrange",      -4, "readonly @sortedset",                         ONEKEY,     datatypes.run, "sorted-set", "1.2.0", "Return a range of members in a sorted set, by index, with scores ordered from high to low", fast=True, key_flags="RO access"),
    command("zrangebyscore",  -4, "readonly @sortedset",                         ONEKEY,     datatypes.run, "sorted-set", "1.0.5", "Return a range of members in a sorted set, by score", fast=True, key_flags="RO access"),
    command("zrevrangebyscore", -4, "readonly @sortedset",                         ONEKEY,     datatypes.run, "sorted-set", "2.2.0", "Return a range of members in a sorted set, by score, with scores ordered from high to low", fast=True, key_flags="RO access"),
    command("zrangebylex",    -4, "readonly @sortedset",                         ONEKEY,     datatypes.run, "sorted-set", "2.8.9", "Return a range of members in a sorted set, by lexicographical range", fast=True, key_flags="RO access"),
    command("zrevrangebylex", -4, "readonly @sortedset",                         ONEKEY,     datatypes.run, "sorted-set", "2.8.9", "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", fast=True, key_flags="RO access"),
    command("zrem",           -3, "write fast @sortedset",                       ONEKEY,     datatypes.run, "sorted-set", "1.2.0", "Remove one or more members from a sorted set", fast=True, key_flags="RW delete"),
    command("zremrangebyrank",  4, "write @sortedset",                            ONEKEY,     datatypes.run, "sorted-set", "2.0.0", "Remove all members in a sorted set within the given indexes", fast=True, key_flags="RW delete"),
    command("zremrangebyscore",  4, "write @sortedset",                            ONEKEY,     datatypes.run, "sorted-set", "1.2.0", "Remove all members in a sorted set within the given scores", fast=True, key_flags="RW delete"),
    command("zremrangebylex",  4, "write @sortedset",                            ONEKEY,     datatypes.run, "sorted-set", "2.8.9", "Remove all members in a sorted set between the given lexicographical range", fast=True, key_flags="RW delete"),
    command("zpopmin",        -2, "write fast @sortedset",                       ONEKEY,     datatypes.run, "sorted-set", "5.0.0", "Remove and return members with the lowest scores in a sorted set", fast=True, key_flags="RW access delete"),
    command("zpopmax",        -2, "write fast @sortedset",                       ONEKEY,     datatypes.run, "sorted-set", "5.0.0", "Remove and return members with the highest scores in a sorted set", fast=True, key_flags="RW access delete"),
    command("zrandmember",    -2, "readonly @sortedset",                         ONEKEY,     datatypes.run, "sorted-set", "6.2.0", "Get one or multiple random elements from a sorted set", fast=True, key_flags="RO access", tips="nondeterministic_output"),
    command("zscan",          -3, "readonly @sortedset",                         ONEKEY,     datatypes.run, "sorted-set", "2.8.0", "Incrementally iterate sorted sets elements and associated scores", fast=True, key_flags="RO access", tips="nondeterministic_output"),
    command("zunionstore",    -4, "write denyoom movablekeys @sortedset",        ONEKEY,     datatypes.run, "sorted-set", "2.0.0", "Add multiple sorted sets and store the resulting sorted set in a new key", fast=True, key_flags="OW update"),
    command("zinterstore",    -4, "write denyoom movablekeys @sortedset",        ONEKEY,     datatypes.run, "sorted-set", "2.0.0", "Intersect multiple sorted sets and store the resulting sorted set in a new key", fast=True, key_flags="OW update"),
    command("zrangestore",    -5, "write denyoom @sortedset",                    (1, 2, 1),  datatypes.run, "sorted-set", "6.2.0", "Store a range of members from sorted set into another key", fast=True, key_flags="OW update"),
    command("zunion",         -3, "readonly movablekeys @sortedset",             NOKEYS,     datatypes.run, "sorted-set", "6.2.0", "Add multiple sorted sets", fast=True),  # movable keys: no legacy triple
    command("zinter",         -3, "readonly movablekeys @sortedset",             NOKEYS,     datatypes.run, "sorted-set", "6.2.0", "Intersect multiple sorted sets", fast=True),
    command("zdiff",          -3, "readonly movablekeys @sortedset",             NOKEYS,     datatypes.run, "sorted-set", "6.2.0", "Subtract multiple sorted sets", fast=True),
    command("zdiffstore",     -4, "write denyoom movablekeys @sortedset",        ONEKEY,     datatypes.run, "sorted-set", "6.2.0", "Subtract multiple sorted sets and store the resulting sorted set in a new key", fast=True, key_flags="OW update"),
    command("zintercard",     -3, "readonly movablekeys @sortedset",             NOKEYS,     datatypes.run, "sorted-set", "7.0.0", "Intersect multiple sorted sets and return the cardinality of the result", fast=True),
    command("zmpop",          -4, "write movablekeys @sortedset",                NOKEYS,     datatypes.run, "sorted-set", "7.0.0", "Remove and return members with scores in a sorted set", fast=True),
    # issue 8: lists, run whole in C (csrc/t_list.c) by datatypes.run
    command("lpush",          -3, "write denyoom fast @list",              ONEKEY,     datatypes.run, "list", "1.0.0", "Prepend one or multiple elements to a list", fast=True, key_flags="RW insert"),
    command("rpush",          -3, "write denyoom fast @list",              ONEKEY,     datatypes.run, "list", "1.0.0", "Append one or multiple elements to a list", fast=True, key_flags="RW insert"),
    command("lpushx",         -3, "write denyoom fast @list",              ONEKEY,     datatypes.run, "list", "2.2.0", "Prepend an element to a list, only if the list exists", fast=True, key_flags="RW insert"),
    command("rpushx",         -3, "write denyoom fast @list",              ONEKEY,     datatypes.run, "list", "2.2.0", "Append an element to a list, only if the list exists", fast=True, key_flags="RW insert"),
    command("lpop",           -2, "write fast @list",                      ONEKEY,     datatypes.run, "list", "1.0.0", "Remove and get the first elements in a list", fast=True, key_flags="RW access delete"),
    command("rpop",           -2, "write fast @list",                      ONEKEY,     datatypes.run, "list", "1.0.0", "Remove and get the last elements in a list", fast=True, key_flags="RW access delete"),
    command("llen",            2, "readonly fast @list",                   ONEKEY,     datatypes.run, "list", "1.0.0", "Get the length of a list", fast=True, key_flags="RO"),
    command("lindex",          3, "readonly @list",                        ONEKEY,     datatypes.run, "list", "1.0.0", "Get an element from a list by its index", fast=True, key_flags="RO access"),
    command("lrange",          4, "readonly @list",                        ONEKEY,     datatypes.run, "list", "1.0.0", "Get a range of elements from a list", fast=True, key_flags="RO access"),
    command("lpos",           -3, "readonly @list",                        ONEKEY,     datatypes.run, "list", "6.0.6", "Return the index of matching elements on a list", fast=True, key_flags="RO access"),
    command("lset",            4, "write denyoom @list",                   ONEKEY,     datatypes.run, "list", "1.0.0", "Set the value of an element in a list by its index", fast=True, key_flags="RW update"),
    command("lrem",            4, "write @list",                           ONEKEY,     datatypes.run, "list", "1.0.0", "Remove elements from a list", fast=True, key_flags="RW delete"),
    command("ltrim",           4, "write @list",                           ONEKEY,     datatypes.run, "list", "1.0.0", "Trim a list to the specified range", fast=True, key_flags="RW delete"),
    command("linsert",         5, "write denyoom @list",                   ONEKEY,     datatypes.run, "list", "2.2.0", "Insert an element before or after another element in a list", fast=True, key_flags="RW insert"),
    command("lmove",           5, "write denyoom @list",                   (1, 2, 1),  datatypes.run, "list", "6.2.0", "Pop an element from a list, push it to another list and return it", fast=True, key_flags="RW access delete"),
    command("rpoplpush",       3, "write denyoom @list",                   (1, 2, 1),  datatypes.run, "list", "1.2.0", "Remove the last element in a list, prepend it to another list and return it", fast=True, key_flags="RW access delete"),
    command("blpop",          -3, "write noscript blocking @list @blocking", (1, -2, 1), blocking.blpop, "list", "2.0.0", "Remove and get the first element in a list, or block until one is available", key_flags="RW access delete"),
    command("brpop",          -3, "write noscript blocking @list @blocking", (1, -2, 1), blocking.brpop, "list", "2.0.0", "Remove and get the last element in a list, or block until one is available", key_flags="RW access delete"),
    command("blmove",          6, "write denyoom noscript blocking @list @blocking", (1, 2, 1),  blocking.blmove, "list", "6.2.0", "Pop an element from a list, push it to another list and return it; or block until one is available", key_flags="RW access delete"),
    command("brpoplpush",      4, "write denyoom noscript blocking @list @blocking", (1, 2, 1),  blocking.brpoplpush, "list", "2.2.0", "Pop an element from a list, push it to another list and return it; or block until one is available", key_flags="RW access delete"),
    command("lmpop",          -4, "write movablekeys @list",              NOKEYS,     datatypes.run, "list", "7.0.0", "Pop elements from a list", fast=True),
    command("blmpop",         -5, "write blocking movablekeys @list @blocking", NOKEYS, blocking.blmpop, "list", "7.0.0", "Pop elements from a list, or block until one is available"),
    command("bzpopmin",       -3, "write noscript blocking fast @sortedset @blocking", (1, -2, 1), blocking.bzpopmin, "sorted-set", "5.0.0", "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", key_flags="RW access delete"),
    command("bzpopmax",       -3, "write noscript blocking fast @sortedset @blocking", (1, -2, 1), blocking.bzpopmax, "sorted-set", "5.0.0", "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", key_flags="RW access delete"),
    command("bzmpop",         -5, "write blocking movablekeys @sortedset @blocking", NOKEYS, blocking.bzmpop, "sorted-set", "7.0.0", "Remove and return members with scores in a sorted set or block until one is available"),
    # issue 9: emulated cluster mode (commands/cluster.py; off: "cluster support disabled", as Redis)
    command("readonly",        1, "loading stale fast @connection",   NOKEYS,     cluster.accept, "cluster", "3.0.0", "Enables read queries for a connection to a cluster replica node"),
    command("readwrite",       1, "loading stale fast @connection",   NOKEYS,     cluster.accept, "cluster", "3.0.0", "Disables read queries for a connection to a cluster replica node"),
    command("asking",          1, "fast @connection",                 NOKEYS,     cluster.accept, "cluster", "3.0.0", "Sent by cluster clients after an -ASK redirect"),
    command("cluster",        -2, "",                                       NOKEYS,     None,           "cluster", "3.0.0", "A container for cluster commands", subcommands=[
        command("cluster|keyslot",          3, "stale", NOKEYS, cluster.keyslot,         "cluster", "3.0.0", "Returns the hash slot of the specified key"),
        command("cluster|info",             2, "stale", NOKEYS, cluster.info,            "cluster", "3.0.0", "Provides info about Redis Cluster node state", tips="nondeterministic_output"),
        command("cluster|myid",             2, "stale", NOKEYS, cluster.myid,            "cluster", "3.0.0", "Return the node id"),
        command("cluster|slots",            2, "stale", NOKEYS, cluster.slots,           "cluster", "3.0.0", "Get array of Cluster slot to node mappings", tips="nondeterministic_output"),
        command("cluster|shards",           2, "stale", NOKEYS, cluster.shards,          "cluster", "7.0.0", "Get array of cluster slots to node mappings", tips="nondeterministic_output"),
        command("cluster|nodes",            2, "stale", NOKEYS, cluster.nodes,           "cluster", "3.0.0", "Get Cluster config for the node", tips="nondeterministic_output"),
        command("cluster|countkeysinslot",  3, "stale", NOKEYS, cluster.countkeysinslot, "cluster", "3.0.0", "Return the number of local keys in the specified hash slot"),
        command("cluster|getkeysinslot",    4, "stale", NOKEYS, cluster.getkeysinslot,   "cluster", "3.0.0", "Return local key names in the specified hash slot", tips="nondeterministic_output"),
        command("cluster|help",             2, "loading stale", NOKEYS, cluster.help_,   "cluster", "5.0.0", "Show helpful text about the different subcommands"),
    ]),
]

COMMANDS: dict[str, CommandSpec] = {spec.name: spec for spec in _TABLE}


# ---- statistics (INFO commandstats / errorstats) -----------------------------------------------
# Each worker thread counts into its own dicts (no lock on the hot path); readers merge them.
# Row per command: [calls, usec, rejected_calls (arity/auth), failed_calls (handler error)].
# Errors are counted by their code, the first word of the line ("ERR", "WRONGTYPE", ...).

_local = threading.local()
_all_threads: list[tuple[dict[str, list[int]], dict[str, int]]] = []
_all_lock = threading.Lock()


def _thread_stats() -> tuple[dict[str, list[int]], dict[str, int]]:
    stats = getattr(_local, "stats", None)
    if stats is None:
        stats = _local.stats = ({}, {})
        with _all_lock:
            _all_threads.append(stats)
    return stats


def _count(name: str, column: int, amount: int = 1) -> None:
    counters = _thread_stats()[0]
    row = counters.get(name)
    if row is None:
        row = counters[name] = [0, 0, 0, 0]
    row[column] += amount


def _count_error(error: CommandError) -> None:
    code = error.line[1:].split(" ", 1)[0]
    per_code = _thread_stats()[1]
    per_code[code] = per_code.get(code, 0) + 1


def command_stats() -> dict[str, dict[str, int]]:
    """Merged counters of every thread: name -> calls, usec, rejected_calls, failed_calls."""
    merged: dict[str, list[int]] = {}
    with _all_lock:
        snapshot = [dict(counters) for counters, _ in _all_threads]
    for counters in snapshot:
        for name, row in counters.items():
            total = merged.setdefault(name, [0, 0, 0, 0])
            for i, v in enumerate(list(row)):
                total[i] += v
    return {name: dict(zip(("calls", "usec", "rejected_calls", "failed_calls"), row))
            for name, row in sorted(merged.items())}


def reset_stats() -> None:
    """CONFIG RESETSTAT: empties every thread's command and error counters (a racing increment
    on another thread may land in a row just dropped: lost, as a reset allows)."""
    with _all_lock:
        for counters, per_code in _all_threads:
            counters.clear()
            per_code.clear()


def error_stats() -> dict[str, int]:
    """Merged error counts of every thread: code -> count."""
    merged: dict[str, int] = {}
    with _all_lock:
        snapshot = [dict(per_code) for _, per_code in _all_threads]
    for per_code in snapshot:
        for code, n in per_code.items():
            merged[code] = merged.get(code, 0) + n
    return dict(sorted(merged.items()))


def commandstats_rows() -> list[tuple[str, str]]:
    """INFO commandstats lines as Redis prints them: cmdstat_<name>:calls=..,usec=..,..."""
    rows = []
    for name, s in command_stats().items():
        per_call = s["usec"] / s["calls"] if s["calls"] else 0.0
        rows.append((f"cmdstat_{name}", f"calls={s['calls']},usec={s['usec']},usec_per_call={per_call:.2f},"
                                        f"rejected_calls={s['rejected_calls']},failed_calls={s['failed_calls']}"))
    return rows


def errorstats_rows() -> list[tuple[str, str]]:
    """INFO errorstats lines as Redis prints them: errorstat_ERR:count=3."""
    return [(f"errorstat_{code}", f"count={n}") for code, n in error_stats().items()]


# ---- dispatch ---------------------------------------------------------------------------------

def lookup(args: list[bytes]) -> CommandSpec:
    """The spec for args (subcommand resolved), or CommandError for an unknown (sub)command."""
    spec = COMMANDS.get(args[0].lower().decode("latin-1"))
    if spec is None:
        raise CommandError(errors.unknown_command(args))
    if spec.subcommands is not None and len(args) >= 2:
        sub = spec.subcommands.get(args[1].lower().decode("latin-1"))
        if sub is None:
            raise CommandError(errors.unknown_subcommand(args[1], spec.name))
        return sub
    return spec


def dispatch(client: Any, args: list[bytes]) -> bytes:
    """Runs one command for `client`; returns the reply encoded for client.resp."""
    if not args:  # an empty multibulk: Redis ignores it without a reply
        return b""
    result = _run(client, args)
    if type(result) is Encoded:  # EXEC: encoded element by element already
        return result
    return encode_reply(client, result)


def encode_reply(client: Any, result: Any) -> bytes:
    """result in client.resp's protocol; errors are counted for INFO errorstats."""
    try:
        reply = encode(result, client.resp)
    except Exception:  # a handler returned something RESP can't carry: a bug, not a crash
        log.exception("cannot encode a reply of type %s", type(result).__name__)
        result = CommandError(errors.INTERNAL)
        reply = encode(result, client.resp)
    if isinstance(result, CommandError):
        _count_error(result)
    return reply


_OOM_EXEMPT_IN_MULTI = frozenset(("exec", "discard", "quit", "reset"))

# Run without the dispatcher's shared hold of the keyspace gate, because they take it exclusive
# (an upgrade would deadlock): EXEC, and the commands that see or change the whole keyspace at one
# instant, whose C call (rd_ks_flush, rd_ks_keys, rd_ks_stats, rd_ks_randomkey) takes it itself.
# Each makes that one call; anything else they read needs no instant (docs/LOCKING.md).
OWN_GATE = frozenset(("exec", "flushall", "flushdb", "keys", "dbsize", "randomkey", "info",
                      "cluster|countkeysinslot", "cluster|getkeysinslot"))
# Run under the dispatcher's exclusive hold: the commands csrc/ runs only that way (internal.h
# GATED_COMMANDS), since SORT's BY and GET patterns may read any key; and the two that switch the
# fast path to Python (MONITOR, CLIENT PAUSE).
_GATED = frozenset({"sort", "sort_ro", "monitor", "client|pause"})


def _run(client: Any, args: list[bytes]) -> Any:
    try:
        spec = lookup(args)
    except CommandError as e:
        return transactions.rejected(client, None, e)
    client.last_command = spec.name  # Redis sets lastcmd before its arity and auth checks too
    if not spec.arity_ok(len(args)):
        _count(spec.name, 2)
        return transactions.rejected(client, spec, CommandError(errors.wrong_arity(spec.name)), args)
    if not client.authenticated and "no_auth" not in spec.flags:
        _count(spec.name, 2)
        return transactions.rejected(client, spec, CommandError(errors.NOAUTH), args)
    topology = getattr(client.server, "cluster", None)
    if topology is not None:  # emulated cluster mode: Redis redirects before its OOM check
        moved = _cluster_redirect(topology, client, spec, args)
        if moved is not None:
            _count(spec.name, 2)
            if spec.handler is transactions.exec_:  # Redis discards the transaction, error as is
                transactions.reset_transaction_state(client)
                return moved
            return transactions.rejected(client, spec, moved)
    # Redis refuses denyoom commands when over maxmemory, and inside MULTI every command but these
    # (queueing takes memory too), before running or queueing them.
    in_multi = getattr(client, "multi", None) is not None and spec.name not in _OOM_EXEMPT_IN_MULTI
    if (("denyoom" in spec.flags or in_multi or _exec_of_writes(client, spec)) and client.server.config.max_memory
            and not pause.active()):   # a pause keeps the dataset still: no eviction
        try:
            client.server.keyspace.admit()
        except CommandError as e:
            _count(spec.name, 2)
            return transactions.rejected(client, spec, e, args)
    queue = getattr(client, "multi", None)
    if queue is not None and "no_multi" in spec.flags:
        _count(spec.name, 2)
        return transactions.rejected(client, spec, CommandError(errors.NO_MULTI), args)
    if getattr(client, "monitoring", False) and _KEYSPACE_FLAGS & spec.flags:   # a monitor is a replica to Redis
        _count(spec.name, 2)
        return transactions.rejected(client, spec, CommandError(errors.MONITOR_KEYSPACE), args)
    if queue is not None and spec.name not in transactions.NOT_QUEUED:
        if pause.holds(client, spec):   # Redis postpones before queueing
            return pause.postpone(client, args)
        queue.append((spec, args))
        return "QUEUED"
    if spec.name in OWN_GATE:  # takes the keyspace gate exclusive itself
        if pause.holds(client, spec):   # checked just before (see commands/pause.py)
            return pause.postpone(client, args)
        return call(client, spec, args)
    # Every other command holds the gate shared (SORT exclusive), so no EXEC interleaves with it;
    # MONITOR and CLIENT PAUSE exclusive too, so that no batch started before them still runs
    # after.  A pause is checked under the gate: once CLIENT PAUSE has replied, no write starts.
    ks = client.server.keyspace
    exclusive = spec.name in _GATED
    if exclusive:
        ks.exclusive_begin()
    else:
        ks.shared_begin()
    try:
        if pause.holds(client, spec):
            return pause.postpone(client, args)
        return call(client, spec, args)
    finally:
        if exclusive:
            ks.exclusive_end()
        else:
            ks.shared_end()


# What a monitor may not run: Redis rejects keyspace commands from replicas.
_KEYSPACE_FLAGS = frozenset({"write", "readonly", "may_replicate"})


def _exec_of_writes(client: Any, spec: CommandSpec) -> bool:
    """EXEC of a queue holding a denyoom command: Redis admits it as a denyoom command (over the
    limit it is refused, and the transaction discarded with -EXECABORT ... OOM)."""
    queue = getattr(client, "multi", None)
    return spec.handler is transactions.exec_ and bool(queue) and any("denyoom" in s.flags for s, _ in queue)


def _cluster_redirect(topology: Any, client: Any, spec: CommandSpec, args: list[bytes]) -> CommandError | None:
    """-MOVED / -CROSSSLOT for a command whose keys this node does not serve (EXEC: the keys of
    its whole queue, as Redis's getNodeByQuery), else None."""
    if spec.handler is transactions.exec_:
        return topology.redirect(_routing_keys(s, a) for s, a in (client.multi or ()))
    return topology.redirect([_routing_keys(spec, args)])


def _routing_keys(spec: CommandSpec, args: list[bytes]) -> list[bytes]:
    try:
        return server.command_keys(spec, args)
    except CommandError:  # bad numkeys: Redis finds no keys to route; the handler reports it
        return []


# Never shown to monitors (Redis: administrative commands are too dangerous to show).
_UNMONITORED = frozenset({"admin", "skip_monitor"})


def call(client: Any, spec: CommandSpec, args: list[bytes]) -> Any:
    """Runs a checked command's handler (Redis's call()): its result, or the CommandError;
    counts it for INFO commandstats.  Used by _run and by EXEC for the queued commands."""
    start = time.perf_counter_ns()
    fills = "write" in spec.flags and "blocking" not in spec.flags
    existed = blocking.existing(client, spec.name, args) if fills and blocking.waiting() else None
    try:
        result = spec.handler(client, args)
    except CommandError as e:
        _count(spec.name, 3)
        result = e
    except Exception:
        log.exception("internal error in %s", spec.name)
        _count(spec.name, 3)
        result = CommandError(errors.INTERNAL)
    usec = (time.perf_counter_ns() - start) // 1000
    if monitor.active() and not _UNMONITORED & spec.flags:   # after it ran, as Redis 7.0's call()
        monitor.feed(client, args)
    _count(spec.name, 0)
    _count(spec.name, 1, usec)
    slowlog = getattr(client.server, "slowlog", None)
    if slowlog is not None and "skip_slowlog" not in spec.flags:   # EXEC: its commands are logged
        if getattr(client, "blocked", None) is not None:
            client.blocked_slowlog = (args, usec)   # logged when the wait ends, as Redis
        elif 0 <= slowlog.slower_than <= usec:
            slowlog.record(client, args, usec)
    if fills and blocking.waiting():
        # It may have added a key someone waits on (its args cover its keys); served after its
        # stats and SLOWLOG entry, as Redis's handleClientsBlockedOnKeys.  Inside EXEC the
        # waiters are served after it, as Redis does (transactions.exec_).
        blocking.signal(client, args[1:], existed)
    return result
