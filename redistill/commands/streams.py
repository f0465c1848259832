"""Streams' Python parts: XREAD and XREADGROUP with BLOCK (the waiting; every read itself is C's,
csrc/t_stream.c), and the XGROUP / XINFO containers' subcommand errors and HELP.

A blocked XREAD waits in blocking.py's registry like BLPOP: its `$` ids are resolved to each
stream's last id when it blocks (rd_stream_last_id), and a write that signals one of its keys (XADD,
or any command whose row says wakes=True) serves it with C's XREAD of that one key after the
waiter's id, at most COUNT (1000 by default) entries, as Redis's serveClientsBlockedOnStreamKey.
A blocked XREADGROUP reads `>` again when served; when its group is gone it is answered Redis's
-NOGROUP error, when its key is gone -UNBLOCKED.  XGROUP's and XINFO's subcommands are C's (the
containers' tx_xgroup, tx_xinfo), but HELP.
"""
from __future__ import annotations

import os
from typing import Any

from redistill import errors
from redistill.commands import blocking, pause
from redistill.commands.args import help_reply, parse_ll, word
from redistill.commands.datatypes import run
from redistill.errors import CommandError

_DEFAULT_BLOCKED_COUNT = b"1000"   # Redis's XREAD_BLOCKED_DEFAULT_COUNT


def _options(args: list[bytes]) -> tuple[int | None, bytes | None, int, bool]:
    """The option words before STREAMS, as xreadCommand walks them: (BLOCK ms or None, COUNT or
    None, index of STREAMS or 0, NOACK).  Argument errors are left to C, which reports them in
    Redis's order; only BLOCK's value is checked here (C skips it)."""
    timeout, count, noack = None, None, False
    i = 1
    while i < len(args):
        more = len(args) - i - 1
        w = word(args[i])
        if w == b"block" and more:
            i += 1
            ms = parse_ll(args[i], errors.TIMEOUT_NOT_INTEGER)
            if ms < 0:
                raise CommandError(errors.TIMEOUT_NEGATIVE)
            timeout = ms
        elif w == b"count" and more:
            i += 1
            count = args[i]
        elif w == b"streams" and more:
            return timeout, count, i, noack
        elif w == b"group" and more >= 2:
            i += 2
        elif w == b"noack":
            noack = True
        else:
            break
        i += 1
    return timeout, count, 0, noack


def _blocking_form(args: list[bytes]) -> tuple[int, bytes, int, list[bytes], bool] | None:
    """(BLOCK ms, COUNT a served waiter reads, index of STREAMS, the keys, NOACK) of a well-formed
    blocking read; None when it does not block (or C is to report its error)."""
    timeout, count, streams, noack = _options(args)
    if timeout is None or not streams or (len(args) - streams - 1) % 2:
        return None
    n = (len(args) - streams - 1) // 2
    served = count if count and parse_ll(count) > 0 else _DEFAULT_BLOCKED_COUNT
    return timeout, served, streams, args[streams + 1:streams + 1 + n], noack


def _is_error(reply: bytes) -> bool:
    return reply[:1] == b"-"


def _empty(reply: bytes) -> bool:
    return reply[:1] == b"_" or reply.startswith(b"*-1")


def _attempt(client: Any, args: list[bytes]) -> Any:
    """C's non-blocking read: its reply, None when nothing was served; errors raise."""
    reply = client.server.keyspace.exec(args, client.resp)
    if _is_error(reply):
        raise CommandError(reply[:-2].decode("latin-1"))
    return None if _empty(reply) else reply


def _last_id(client: Any, key: bytes) -> bytes:
    """`$`: the stream's last generated id (0-0 for a missing key)."""
    found, ms, seq = client.server.keyspace.stream_last_id(key)
    return b"%d-%d" % (ms, seq) if found else b"0-0"


# XREAD [COUNT count] [BLOCK ms] STREAMS key [key ...] id [id ...]
def xread(client: Any, args: list[bytes]) -> Any:
    blocked = _blocking_form(args)
    if blocked is None:
        return run(client, args)
    timeout, served_count, streams, keys, _ = blocked
    n = len(keys)
    ids = [_last_id(client, k) if i == b"$" else i for k, i in zip(keys, args[streams + 1 + n:])]
    head = args[:streams + 1]
    by_key = dict(zip(keys, ids))

    def take(key: bytes, strict: bool) -> Any:
        reply = client.server.keyspace.exec([b"XREAD", b"COUNT", served_count, b"STREAMS", key, by_key[key]],
                                            client.resp)
        if _is_error(reply):
            return blocking.SKIP   # no longer a stream: the waiter stays blocked, as in Redis
        return None if _empty(reply) else reply

    return _block(client, keys, take, lambda: _attempt(client, head + keys + ids), timeout)


# XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key [key ...] id [id ...]
def xreadgroup(client: Any, args: list[bytes]) -> Any:
    blocked = _blocking_form(args)
    if blocked is None:
        return run(client, args)
    timeout, served_count, streams, keys, noack = blocked
    gi = next((i for i in range(1, streams) if word(args[i]) == b"group"), None)
    if gi is None:
        return run(client, args)
    group, consumer = args[gi + 1], args[gi + 2]
    served_args = [b"XREADGROUP", b"GROUP", group, consumer, b"COUNT", served_count] + \
        ([b"NOACK"] if noack else []) + [b"STREAMS"]

    def take(key: bytes, strict: bool) -> Any:
        reply = client.server.keyspace.exec(served_args + [key, b">"], client.resp)
        if reply.startswith((b"-NOGROUP", b"-WRONGTYPE")):   # gone, or no longer a stream
            found, _, _ = client.server.keyspace.stream_last_id(key)
            return _error_reply(errors.STREAM_BLOCKED_NOGROUP if found else errors.STREAM_BLOCKED_NOKEY)
        if _is_error(reply):
            return blocking.SKIP
        return None if _empty(reply) else reply

    return _block(client, keys, take, lambda: _attempt(client, args), timeout)


def _error_reply(text: str) -> bytes:
    """A blocked XREADGROUP's error reply, counted in INFO errorstats as Redis's updateStatsOnUnblock."""
    from redistill import commands   # the dispatcher imports this module
    commands.count_unblocked_error("xreadgroup", CommandError(text))
    return errors.reply_line(text)


def serve_freed(server: Any, fd: int = -1) -> None:
    """The cron thread, woken by C's eventfd `fd` (or at its tick): streams deleted or overwritten
    while clients were blocked (DEL, SET, FLUSHALL, MULTI/EXEC, expiry...) serve their keys' waiters,
    so a blocked XREADGROUP learns that its stream is gone (-UNBLOCKED) or is no stream (Redis's
    signalDeletedKeyAsReady).  Not while clients are paused (the tick after the pause does it)."""
    if fd >= 0:
        try:
            os.read(fd, 8)
        except BlockingIOError:
            pass
    if pause.active():
        return
    keys = server.keyspace.stream_freed_keys()
    if keys and blocking.waiting():
        blocking.serve_keys(server.keyspace, keys)


def _block(client: Any, keys: list[bytes], take: Any, attempt: Any, timeout_ms: int) -> Any:
    null = b"_\r\n" if client.resp == 3 else b"*-1\r\n"
    return blocking.block(client, keys, take, attempt, timeout_ms / 1000.0, null)


# XGROUP HELP
def xgroup_help(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("XGROUP", [
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
    ])


# XINFO HELP
def xinfo_help(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("XINFO", [
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
    ])
