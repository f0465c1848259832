"""COMMANDS (built from THE command table, table.py) and the dispatcher of the Python path.

Rules:
  - dispatch() is the only place that answers unknown command, unknown subcommand, wrong arity
    and NOAUTH, in Redis's order (processCommand): existence, arity, then authentication (the
    few arity rules a table can't express, PING's upper bound and MSET's pairs, stay in their
    handlers, as in Redis);
  - handlers (server.py, connection.py, transactions.py) return a Python value that
    protocol.encode turns into RESP2/RESP3, or raise CommandError;
  - a row's c column marks the commands csrc/ also serves (C's lists are generated from the same
    rows).  C hands every error case of the fast ones to Python, so their handlers must implement
    every Redis rule too;
  - a handler never kills a connection: anything unexpected becomes "-ERR internal error".
"""
from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from redistill import errors
from redistill.commands import acl_cmd, connection, datatypes, server, transactions
from redistill.commands import blocking
from redistill.commands import cluster
from redistill.commands import debug
from redistill.commands import latency, memory
from redistill.commands import migrate
from redistill.commands import monitor, pause
from redistill.commands import pubsub
from redistill.commands import streams
from redistill.commands import scripting
from redistill.commands import table
from redistill.commands import tracking
from redistill.commands.connection import REDIS_VERSION  # noqa: F401  (re-exported for INFO)
from redistill.core import script_busy
from redistill.errors import CommandError
from redistill.logutil import get_logger
from redistill.protocol import Encoded, encode

log = get_logger("redistill.commands")


@dataclass(frozen=True)
class CommandSpec:
    """A table row (table.py says what each column means) with its handler resolved and the
    columns Redis derives (the legacy key triple, movablekeys) filled in."""
    name: str
    arity: int
    flags: frozenset[str]     # Redis's command flags: write, readonly, fast, denyoom, admin, no_auth...
    first_key: int            # key positions (Redis's legacy triple): first, last (-1 = end), step
    last_key: int
    step: int
    handler: Callable[[Any, list[bytes]], Any] | None  # None only for containers that need a subcommand
    fast: bool                # csrc/'s fast path serves it too
    group: str
    summary: str
    since: str
    subcommands: dict[str, "CommandSpec"] | None = None
    acl: frozenset[str] = frozenset()  # ACL categories Redis can't derive from flags (@string...)
    key_specs: tuple[table.KeySpec, ...] = ()
    tips: tuple[str, ...] = ()
    c: str | None = None      # where csrc/ runs it (table.py)
    gate: str = "shared"      # the dispatcher's hold of the keyspace gate (table.py)
    wakes: bool = False       # serves blocked clients after it (table.py)

    def arity_ok(self, argc: int) -> bool:
        return argc == self.arity if self.arity >= 0 else argc >= -self.arity


_MODULES = {m.__name__.rsplit(".", 1)[1]: m for m in (acl_cmd, blocking, cluster, connection, datatypes, debug,
                                                       latency, memory, migrate, monitor, pause, pubsub, scripting,
                                                       server, streams, tracking, transactions)}


def _spec(row: table.Row) -> CommandSpec:
    handler = None
    if row.handler is not None:
        module, _, attr = row.handler.partition(".")
        handler = getattr(_MODULES[module], attr)
    flags = frozenset(row.flags) | ({"movablekeys"} if table.movable(row.key_specs) else frozenset())
    subs = None if row.subcommands is None else {s.name.split("|", 1)[1]: _spec(s) for s in row.subcommands}
    return CommandSpec(row.name, row.arity, flags, *table.legacy_range(row.key_specs), handler,
                       row.c in ("fast", "tx"), row.group, row.summary, row.since, subs, frozenset(row.acl),
                       row.key_specs, row.tips, row.c, row.gate, row.wakes)


_TABLE = [_spec(row) for row in table.TABLE]
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


def count_unblocked_error(name: str, error: CommandError) -> None:
    """A blocked command answered with an error after its call() returned (a blocked XREADGROUP
    whose group went): failed_calls and errorstats, as Redis's updateStatsOnUnblock."""
    _count(name, 3)
    _count_error(error)


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

def _all_specs() -> list[CommandSpec]:
    return [s for spec in _TABLE for s in (spec, *(spec.subcommands or {}).values())]


# The table's gate column (table.py says why each command holds the gate the way it does).
OWN_GATE = frozenset(s.name for s in _all_specs() if s.gate == "own")
_GATED = frozenset(s.name for s in _all_specs() if s.gate == "exclusive")
scripting.register_commands(_all_specs())   # what a script's redis.call checks, in C


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
    if not (getattr(client, "multi", None) is not None and "no_multi" in spec.flags):   # that error first
        refused = acl_cmd.toplevel_error(client, spec, args)
        if refused is not None:
            _count(spec.name, 2)
            return transactions.rejected(client, spec, refused, args)
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
        finally:
            if getattr(client, "tracking", None) is not None:   # the evicted keys' news come first
                tracking.flush_self(client)
    if getattr(client, "subscribed", False) and client.resp == 2:   # Redis's RESP2 subscribed mode
        if spec.name not in pubsub.SUBSCRIBED_OK:
            _count(spec.name, 2)
            return transactions.rejected(client, spec, pubsub.refused(spec.name), args)
        if spec.name == "ping":
            spec = _SUBSCRIBED_PING
    queue = getattr(client, "multi", None)
    if queue is not None and "no_multi" in spec.flags:
        _count(spec.name, 2)
        return transactions.rejected(client, spec, CommandError(errors.NO_MULTI), args)
    if getattr(client, "monitoring", False) and _KEYSPACE_FLAGS & spec.flags:   # a monitor is a replica to Redis
        _count(spec.name, 2)
        return transactions.rejected(client, spec, CommandError(errors.MONITOR_KEYSPACE), args)
    if "allow_busy" not in spec.flags and script_busy():   # Redis rejects before queueing (flags MULTI)
        _count(spec.name, 2)
        return transactions.rejected(client, spec, _busy(), args)
    if queue is not None and spec.name not in transactions.NOT_QUEUED:
        if pause.holds(client, spec, args):   # Redis postpones before queueing
            return pause.postpone(client, args)
        queue.append((spec, args))
        return "QUEUED"
    if spec.name in OWN_GATE:  # takes the keyspace gate exclusive itself
        if pause.holds(client, spec, args):   # checked just before (see commands/pause.py)
            return pause.postpone(client, args)
        return call(client, spec, args)
    # Every other command holds the gate shared (SORT exclusive), so no EXEC interleaves with it;
    # MONITOR and CLIENT PAUSE exclusive too, so that no batch started before them still runs
    # after.  A pause is checked under the gate: once CLIENT PAUSE has replied, no write starts.
    ks = client.server.keyspace
    exclusive = spec.name in _GATED
    if not ks.gate_begin_unless_busy(exclusive):   # a script past busy-reply-threshold holds it
        if "allow_busy" not in spec.flags:
            _count(spec.name, 2)
            return transactions.rejected(client, spec, _busy(), args)
        # MULTI, WATCH, AUTH, HELLO...: answered now, as Redis does while a script is busy; none
        # changes a key (SCRIPT KILL and SHUTDOWN take no gate: OWN_GATE)
        return call(client, spec, args)
    try:
        if pause.holds(client, spec, args):
            return pause.postpone(client, args)
        try:
            if exclusive or "write" not in spec.flags or not blocking.serves(args):
                return call(client, spec, args)
        except blocking.Upgrade:
            pass
        # It fills a key clients wait on, or must block: exclusive, so that no other command runs
        # between its write and the serving of the waiters (or between its attempt and its wait).
        ks.shared_end()
        exclusive = True
        ks.exclusive_begin()
        if pause.holds(client, spec, args):
            return pause.postpone(client, args)
        return call(client, spec, args)
    finally:
        if exclusive:
            ks.exclusive_end()
        else:
            ks.shared_end()


def _busy() -> CommandError:
    """The busy error that names the kill for the running script (FUNCTION KILL for a function)."""
    return CommandError(errors.BUSY_FUNCTION if script_busy() == 2 else errors.BUSY)


# PING's row with its subscribed-mode reply (["pong", message]).
_SUBSCRIBED_PING = dataclasses.replace(COMMANDS["ping"], handler=pubsub.subscribed_ping, fast=False, c=None)

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


def _note_latency(client: Any, spec: CommandSpec, ns: int, usec: int) -> None:
    """The latency monitor's sample and the command's histogram (Redis's call()); a blocked
    command's wait is not its latency."""
    mon = getattr(client.server, "latency", None)
    if mon is not None and mon.threshold:
        mon.add_sample_if_needed("fast-command" if "fast" in spec.flags else "command", usec // 1000)
    if latency.tracking and getattr(client, "blocked", None) is None:
        latency.record(spec.name, ns)


def call(client: Any, spec: CommandSpec, args: list[bytes]) -> Any:
    """Runs a checked command's handler (Redis's call()): its result, or the CommandError;
    counts it for INFO commandstats.  Used by _run and by EXEC for the queued commands."""
    start = time.perf_counter_ns()
    fills = spec.wakes
    existed = blocking.existing(client, spec.name, args) if fills and blocking.waiting() else None
    if getattr(client, "tracking", None) is not None:   # before the read: csrc/tracking.c, rule 2
        tracking.remember(client, spec, lambda: server.command_keys(spec, args))
    try:
        result = spec.handler(client, args)
    except blocking.Upgrade:   # nothing done: _run runs it again under the gate exclusive
        raise
    except CommandError as e:
        _count(spec.name, 3)
        result = e
    except Exception:
        log.exception("internal error in %s", spec.name)
        _count(spec.name, 3)
        result = CommandError(errors.INTERNAL)
    ns = time.perf_counter_ns() - start
    usec = ns // 1000
    _note_latency(client, spec, ns, usec)
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
