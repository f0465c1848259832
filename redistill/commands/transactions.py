"""Transactions (Redis's multi.c): MULTI, EXEC, DISCARD, WATCH, UNWATCH.

Rules:
  - queueing is the dispatcher's (commands/__init__.py _run): inside MULTI every command except
    NOT_QUEUED passes the usual checks (existence, arity, auth) and is queued; a command that
    fails them dooms the EXEC (rejected(), Redis's flagTransaction);
  - per-client state lives on the client object: client.multi (the queue of (spec, args), None
    outside MULTI), client.multi_failed, client.watched (key -> (version, live) from
    Keyspace.watch); client.set_multi() also turns the C fast path off inside MULTI;
  - EXEC holds the keyspace gate exclusive (csrc/gate.c) from its WATCH check to the reply of its
    last queued command, so no command of another client, on any thread, interleaves with it;
  - each reply inside EXEC is encoded as its command runs: a HELLO inside the transaction changes
    the protocol of the replies after it, as in Redis.
"""
from __future__ import annotations

from typing import Any

from redistill import commands, errors
from redistill.commands import acl_cmd, blocking, monitor
from redistill.errors import CommandError
from redistill.keyspace import BlockValue
from redistill.protocol import NULL_ARRAY, Encoded

# Run at once even inside MULTI (Redis's processCommand list).
NOT_QUEUED = frozenset({"exec", "discard", "multi", "watch", "quit", "reset"})



# MULTI
def multi(client: Any, args: list[bytes]) -> str:
    if client.multi is not None:
        raise CommandError(errors.MULTI_NESTED)
    client.set_multi([])
    return "OK"


# EXEC
def exec_(client: Any, args: list[bytes]) -> Any:
    queue = client.multi
    if queue is None:
        raise CommandError(errors.EXEC_WITHOUT_MULTI)
    try:  # the client stays in MULTI while its queue runs (CLIENT LIST: flags=x multi=N)
        if client.multi_failed:
            raise CommandError(errors.EXECABORT)
        ks = client.server.keyspace
        ks.exclusive_begin()  # waits for every command and fast-path batch in flight, on all threads
        try:
            if not all(ks.watch_intact(key, *state) for key, state in client.watched.items()):
                return NULL_ARRAY
            unwatch_all(client)
            parts = [b"*%d\r\n" % len(queue)]
            if monitor.active():   # shown whole after each command: a value an entry takes is copied first
                queue = [(spec, [bytes(a) if type(a) is BlockValue else a for a in argv]) for spec, argv in queue]
            client.in_exec = True  # blocking commands answer at once (commands/blocking.py)
            for spec, argv in queue:
                # the rules may have changed since it was queued (Redis checks again)
                refused = acl_cmd.exec_error(client, spec, argv)
                result = refused if refused is not None else commands.call(client, spec, argv)
                parts.append(commands.encode_reply(client, result))
            return Encoded(b"".join(parts))
        finally:
            client.in_exec = False
            try:   # clients blocked on keys it filled: after it, before anyone else (Redis)
                blocking.signal_exec_done(client)
            finally:
                ks.exclusive_end()
    finally:
        reset_transaction_state(client)


# DISCARD
def discard(client: Any, args: list[bytes]) -> str:
    if client.multi is None:
        raise CommandError(errors.DISCARD_WITHOUT_MULTI)
    reset_transaction_state(client)
    return "OK"


# WATCH key [key ...]
def watch(client: Any, args: list[bytes]) -> str:
    if client.multi is not None:
        raise CommandError(errors.WATCH_IN_MULTI)
    ks = client.server.keyspace
    watched = client.watched
    for key in args[1:]:
        if key not in watched:  # watching a key twice keeps the first registration, as Redis
            watched[key] = ks.watch(key)
    return "OK"


# UNWATCH
def unwatch(client: Any, args: list[bytes]) -> str:
    unwatch_all(client)
    return "OK"


def unwatch_all(client: Any) -> None:
    watched = client.watched
    if watched:
        ks = client.server.keyspace
        for key in watched:
            ks.unwatch(key)
        watched.clear()


def reset_transaction_state(client: Any) -> None:
    """Leaves MULTI and drops every WATCH (Redis's discardTransaction): DISCARD, RESET, a
    rejected EXEC, and the connection's close."""
    if client.multi is not None:
        client.set_multi(None)
    unwatch_all(client)


def rejected(client: Any, spec: Any, error: CommandError, args: list[bytes] = ()) -> CommandError:
    """A command failed the dispatcher's checks (Redis's rejectCommand): inside MULTI that dooms
    the EXEC; a rejected EXEC itself discards the transaction, giving the reason."""
    if getattr(client, "multi", None) is not None:
        client.multi_failed = True
    if spec is None or spec.handler is not exec_:
        return error
    reset_transaction_state(client)
    if args:
        monitor.feed(client, args)   # Redis's execCommandAbort shows the EXEC that ended the MULTI
    line = error.line
    return CommandError(errors.execabort_because(line))
