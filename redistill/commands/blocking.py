"""Blocking list pops (issue 8): BLPOP, BRPOP, BLMOVE, BRPOPLPUSH.

A command first tries its non-blocking form (LPOP, RPOP, LMOVE through the C list commands).  When
every key is empty it blocks without blocking its worker thread:
- the waiter goes into a per-key registry (oldest first, across all threads, one lock);
- the connection is parked as for a held reply (connection.py: it leaves the event loop, so
  nothing more is read from it) and the handler's reply is dropped;
- a push onto a key with waiters (datatypes.run after LPUSH/RPUSH/LPUSHX/RPUSHX/LMOVE/RPOPLPUSH,
  and BLMOVE here) wakes as many of its oldest waiters as the list now holds, each on its own
  worker (call_soon), where it tries its pop again: the first that finds an element is served;
- while any client is blocked the C fast path leaves those push commands to Python
  (rd_set_list_waiters), so every push is seen;
- a worker timer ends the wait at the timeout (null reply), and a poll every 100 ms catches
  what no push signals (RENAME or COPY onto a waited key, a push racing the registration) and
  closes a waiter whose peer has gone (a parked socket is not read, so its EOF is peeked at).
Inside MULTI/EXEC a blocking command does not block: it answers as at its timeout (as Redis).
"""
from __future__ import annotations

import math
import threading
from typing import Any, Callable

from redistill._core import lib
from redistill.errors import CommandError
from redistill.protocol import Encoded

_POLL = 0.1
_lock = threading.Lock()
_waiters: dict[bytes, list["Waiter"]] = {}   # key -> waiters, oldest first
_count = 0                                  # registered waiters (the C fast-path flag)

# Commands whose success can make a waited list non-empty: name -> index of the key they push to.
PUSHES = {b"lpush": 1, b"rpush": 1, b"lpushx": 1, b"rpushx": 1, b"lmove": 2, b"rpoplpush": 2}


def _null_array(resp: int) -> bytes:
    return b"_\r\n" if resp == 3 else b"*-1\r\n"


class Waiter:
    __slots__ = ("client", "keys", "attempt", "null", "done")

    def __init__(self, client: Any, keys: list[bytes], attempt: Callable[[bool], bytes | None],
                 null: bytes) -> None:
        self.client = client
        self.keys = keys
        self.attempt = attempt   # attempt(strict) -> reply bytes, or None when nothing to pop
        self.null = null
        self.done = False

    # ---- on the client's own worker thread ------------------------------------------------------
    def retry(self) -> None:
        """A push signalled one of our keys (or the poll fired): serve ourselves if we can."""
        if self.done or self.client.closed:
            return
        if self.client.peer_gone():  # Redis would have read the EOF: the client goes, takes nothing
            self.cancel()
            self.client.close()
            return
        ks = self.client.server.keyspace
        ks.shared_begin()
        try:
            reply = self.attempt(False)
        finally:
            ks.shared_end()
        if reply is not None:
            self.finish(reply)

    def poll(self) -> None:
        if self.done or self.client.closed:
            return
        self.retry()
        if not self.done:
            self.client.worker.call_later(_POLL, self.poll)

    def expire(self) -> None:
        if not self.done and not self.client.closed:
            self.finish(self.null)

    def finish(self, reply: bytes) -> None:
        self.cancel()
        self.client.unblock(reply)

    def cancel(self) -> None:
        """Leaves the registry (served, timed out, or the connection closed)."""
        global _count
        with _lock:   # the check too: two threads cancelling at once must not both count down
            if self.done:
                return
            self.done = True
            for key in set(self.keys):
                queue = _waiters.get(key)
                if queue and self in queue:
                    queue.remove(self)
                    if not queue:
                        del _waiters[key]
            _count -= 1
            lib.rd_set_list_waiters(_count)


def _register(w: Waiter) -> None:
    global _count
    with _lock:
        for key in dict.fromkeys(w.keys):
            _waiters.setdefault(key, []).append(w)
        _count += 1
        lib.rd_set_list_waiters(_count)


def blocked_clients() -> int:
    """INFO clients' blocked_clients."""
    return _count


def signal(key: bytes, elements: int) -> None:
    """`key` may hold `elements` elements now: wake that many of its oldest waiters."""
    if not _count:
        return
    with _lock:
        woken = list(_waiters.get(key, ()))[:max(elements, 1)]
    for w in woken:
        w.client.worker.call_soon(w.retry)


def after_push(args: list[bytes], reply: bytes) -> None:
    """datatypes.run after a type command: wakes the waiters of the key a push filled."""
    if not _count:
        return
    i = PUSHES.get(args[0].lower())
    if i is None or reply[:1] in (b"-", b"_") or reply.startswith(b"$-1") or reply == b":0\r\n":
        return
    n = int(reply[1:-2]) if reply[:1] == b":" else 1
    signal(args[i], n)


def _timeout(arg: bytes) -> float:
    """Redis's getTimeoutFromObjectOrReply (seconds, as a long double): 0 = forever."""
    text = arg.decode("latin-1")
    try:
        if not text or text[0].isspace() or "_" in text:
            raise ValueError
        t = float.fromhex(text) if text.lower().lstrip("+-").startswith("0x") else float(text)
    except ValueError:
        raise CommandError("timeout is not a float or out of range") from None
    if math.isnan(t):
        raise CommandError("timeout is not a float or out of range")
    ms = t * 1000.0
    if ms < 0 or math.isinf(ms) or ms >= 2.0 ** 63:  # (long long)inf is negative in Redis too
        raise CommandError("timeout is negative")
    return math.ceil(ms) / 1000.0  # Redis rounds up to whole milliseconds (ceill)


def _block(client: Any, keys: list[bytes], attempt: Callable[[bool], bytes | None], timeout: float,
           null: bytes, exec_null: bytes | None = None) -> Encoded:
    reply = attempt(True)
    if reply is not None:
        return Encoded(reply)
    if client.in_exec:  # MULTI/EXEC never blocks: the timeout's reply (BLMOVE's is a nil bulk there)
        return Encoded(exec_null or null)
    w = Waiter(client, keys, attempt, null)
    _register(w)
    try:
        reply = attempt(True)  # a push between the first attempt and the registration
    except CommandError:  # (the key changed type meanwhile)
        w.cancel()
        raise
    if reply is not None:
        w.cancel()
        return Encoded(reply)
    client.block(w)
    if timeout:
        client.worker.call_later(timeout, w.expire)
    client.worker.call_later(_POLL, w.poll)
    return Encoded(b"")


def _exec(client: Any, args: list[bytes], strict: bool) -> bytes | None:
    """One non-blocking step through C: its reply, None for a nil; errors raise when strict."""
    reply = client.server.keyspace.exec(args, client.resp)
    if reply[:1] == b"-":
        if strict:
            raise CommandError(reply[:-2].decode("latin-1"))
        return None
    if reply[:1] == b"_" or reply.startswith(b"$-1"):
        return None
    return reply


def _pop_attempt(client: Any, keys: list[bytes], op: bytes) -> Callable[[bool], bytes | None]:
    def attempt(strict: bool) -> bytes | None:
        for key in keys:
            value = _exec(client, [op, key], strict)
            if value is not None:
                return b"*2\r\n$%d\r\n%s\r\n%s" % (len(key), key, value)
        return None
    return attempt


def _move_attempt(client: Any, args: list[bytes]) -> Callable[[bool], bytes | None]:
    def attempt(strict: bool) -> bytes | None:
        value = _exec(client, args, strict)
        if value is not None:
            signal(args[2], 1)
        return value
    return attempt


# BLPOP key [key ...] timeout
def blpop(client: Any, args: list[bytes]) -> Encoded:
    timeout = _timeout(args[-1])
    keys = args[1:-1]
    return _block(client, keys, _pop_attempt(client, keys, b"LPOP"), timeout, _null_array(client.resp))


# BRPOP key [key ...] timeout
def brpop(client: Any, args: list[bytes]) -> Encoded:
    timeout = _timeout(args[-1])
    keys = args[1:-1]
    return _block(client, keys, _pop_attempt(client, keys, b"RPOP"), timeout, _null_array(client.resp))


def _end(arg: bytes) -> bytes:
    word = arg.lower()
    if word not in (b"left", b"right"):
        raise CommandError("syntax error")
    return word


# BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
def blmove(client: Any, args: list[bytes]) -> Encoded:
    wherefrom, whereto = _end(args[3]), _end(args[4])
    timeout = _timeout(args[5])
    move = [b"LMOVE", args[1], args[2], wherefrom, whereto]
    return _block(client, [args[1]], _move_attempt(client, move), timeout, _null_array(client.resp),
                  b"_\r\n" if client.resp == 3 else b"$-1\r\n")


# BRPOPLPUSH source destination timeout
def brpoplpush(client: Any, args: list[bytes]) -> Encoded:
    timeout = _timeout(args[3])
    move = [b"LMOVE", args[1], args[2], b"right", b"left"]
    return _block(client, [args[1]], _move_attempt(client, move), timeout, _null_array(client.resp),
                  b"_\r\n" if client.resp == 3 else b"$-1\r\n")
