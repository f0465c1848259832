"""Blocking pops (issue 8): BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP;
LMPOP (the non-blocking form BLMPOP shares); CLIENT UNBLOCK.

A command first tries its non-blocking form (LPOP, RPOP, LMOVE, ZPOPMIN... through the C type
commands).  When every key is empty it blocks without blocking its worker thread:
- the waiter goes into a per-key registry (oldest first, across all threads, one lock);
- the connection stays in its event loop, but C only reads it (connection.py block()): its EOF
  closes it and cancels the wait before any push could hand it an element; the handler's reply
  is dropped;
- every write command run by Python (dispatcher's call(), EXEC's queued ones included) signals
  its arguments as keys; while any client is blocked the C fast path leaves the commands that can
  fill a list or a sorted set to Python (rd_set_list_waiters), so every such write is seen;
- a signal wakes the OLDEST waiter of the key, which tries its pop again: right there when it
  lives on the writer's worker (served before the writer's next command, as Redis), else on its
  own worker (call_soon); a served waiter passes the wake on to the next one, a waiter that leaves
  unserved (timeout, close, CLIENT UNBLOCK) with a wake pending passes it on too: FIFO per key, one
  retry per element;
- no polling: a C push checks for waiters under the key's stripe lock (types.c tx_open), and a
  waiter registers before its second attempt takes that lock, so a push is either seen by the
  attempt or deferred to Python, which signals it;
- a worker timer ends the wait at the timeout (null reply).
Inside MULTI/EXEC a blocking command does not block: it answers as at its timeout (as Redis).
"""
from __future__ import annotations

import math
import threading
from typing import Any, Callable

from redistill import errors
from redistill._core import lib
from redistill.commands.args import parse_ll, word
from redistill.errors import CommandError
from redistill.protocol import Encoded

_lock = threading.Lock()
_waiters: dict[bytes, list["Waiter"]] = {}   # key -> waiters, oldest first
_count = 0                                  # registered waiters (the C fast-path flag)
_timed = 0                                  # ... of which have a timeout (INFO clients_in_timeout_table)

UNBLOCKED = b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"


def _null_array(resp: int) -> bytes:
    return b"_\r\n" if resp == 3 else b"*-1\r\n"


def _null_bulk(resp: int) -> bytes:
    return b"_\r\n" if resp == 3 else b"$-1\r\n"


class Waiter:
    __slots__ = ("client", "keys", "attempt", "null", "timeout", "done", "woken")

    def __init__(self, client: Any, keys: list[bytes], attempt: Callable[[bool], bytes | None],
                 null: bytes, timeout: float) -> None:
        self.client = client
        self.timeout = timeout   # seconds, 0 = forever
        self.keys = keys
        self.attempt = attempt   # attempt(strict) -> reply bytes, or None when nothing to pop
        self.null = null
        self.done = False        # left the registry (under _lock)
        self.woken = False       # a retry is queued for a signal (under _lock)

    # ---- on the client's own worker thread ------------------------------------------------------
    def retry(self) -> None:
        """call_soon after a signal for one of our keys: serve ourselves if we can, then let the
        next waiter try."""
        if self.serve(False):
            signal(self.keys, self.client.worker)

    def serve(self, in_write: bool) -> bool:
        """Pops for this waiter and replies; True when served.  in_write: called inside a write
        command on our worker, which must not run our pipelined commands (they resume from the
        event loop)."""
        with _lock:
            self.woken = False
            if self.done:
                return False
        ks = self.client.server.keyspace
        ks.shared_begin()
        try:
            reply = self.attempt(False)
        finally:
            ks.shared_end()
        if reply is None:
            return False
        self.finish(reply, in_write)   # even if CLIENT UNBLOCK raced us: never drop an element
        return True

    def expire(self) -> None:
        if not self.done and not self.client.closed:
            self.finish(self.null)

    def finish(self, reply: bytes, resume_later: bool = False) -> None:
        self.cancel()
        if self.client.blocked is self:
            self.client.unblock(reply, resume_later)

    def cancel(self) -> None:
        """Leaves the registry (served, timed out, or the connection closed)."""
        if self._leave():
            self._pass_on()

    # ---- any thread ---------------------------------------------------------------------------
    def _leave(self) -> bool:
        """Out of the registry; False when it already was."""
        global _count, _timed
        with _lock:
            if self.done:
                return False
            self.done = True
            for key in set(self.keys):
                queue = _waiters.get(key)
                if queue and self in queue:
                    queue.remove(self)
                    if not queue:
                        del _waiters[key]
            _count -= 1
            _timed -= self.timeout > 0
            lib.rd_set_list_waiters(_count)
            return True

    def _pass_on(self) -> None:
        """A wake meant for us goes to the next waiter when we leave without using it."""
        if self.woken:
            signal(self.keys)

    def unblock(self, reply: bytes) -> bool:
        """CLIENT UNBLOCK (any thread): ends the wait with `reply` on the client's worker."""
        if not self._leave():
            return False
        self._pass_on()
        self.client.worker.call_soon(lambda: self.client.blocked is self and self.client.unblock(reply))
        return True


def _register(w: Waiter) -> None:
    global _count, _timed
    with _lock:
        for key in dict.fromkeys(w.keys):
            _waiters.setdefault(key, []).append(w)
        _count += 1
        _timed += w.timeout > 0
        lib.rd_set_list_waiters(_count)


def blocked_clients() -> int:
    """INFO clients' blocked_clients."""
    return _count


def timed_blocked_clients() -> int:
    """INFO clients' clients_in_timeout_table: blocked clients with a timeout."""
    return _timed


def waiting() -> bool:
    """Is any client blocked?  (A hint read without the lock: the dispatcher's cheap test.)"""
    return _count > 0


def signal(keys: list[bytes], here: Any = None) -> None:
    """Some of `keys` may have been filled: wake the oldest waiter of each (once).  A waiter on
    `here` (the worker running this, outside EXEC) is served right now, as Redis serves blocked
    clients before the writer's next command; the others on their own worker (call_soon)."""
    while keys and _count:   # a loop, not recursion: one write may serve thousands of waiters
        woken = []
        with _lock:
            for key in keys:
                queue = _waiters.get(key)
                if queue and not queue[0].woken:
                    queue[0].woken = True
                    woken.append(queue[0])
        keys = []
        for w in woken:
            if here is not None and w.client.worker is here:
                if w.serve(True):
                    keys.extend(w.keys)   # the next waiter of those keys may be served too
            else:
                w.client.worker.call_soon(w.retry)


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
    w = Waiter(client, keys, attempt, null, timeout)
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
    return Encoded(b"")


def _exec(client: Any, args: list[bytes], strict: bool) -> bytes | None:
    """One non-blocking step through C: its reply, None for a nil; errors raise when strict."""
    reply = client.server.keyspace.exec(args, client.resp)
    if reply[:1] == b"-":
        if strict:
            raise CommandError(reply[:-2].decode("latin-1"))
        return None
    if reply[:1] == b"_" or reply.startswith((b"$-1", b"*-1")):  # nil, or a nil array (count forms)
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
            signal([args[2]], client.worker)  # the destination may serve another waiter
        return value
    return attempt


def _single_pop(make_attempt: Callable[..., Callable[[bool], bytes | None]], op: bytes) -> Callable[..., Encoded]:
    """BLPOP, BRPOP, BZPOPMIN, BZPOPMAX: `B<op> key [key ...] timeout`, the first non-empty key served."""
    def handler(client: Any, args: list[bytes]) -> Encoded:
        keys = args[1:-1]
        return _block(client, keys, make_attempt(client, keys, op), _timeout(args[-1]), _null_array(client.resp))
    return handler


# BLPOP key [key ...] timeout
blpop = _single_pop(_pop_attempt, b"LPOP")


# BRPOP key [key ...] timeout
brpop = _single_pop(_pop_attempt, b"RPOP")


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
                  _null_bulk(client.resp))


# BRPOPLPUSH source destination timeout
def brpoplpush(client: Any, args: list[bytes]) -> Encoded:
    timeout = _timeout(args[3])
    move = [b"LMOVE", args[1], args[2], b"right", b"left"]
    return _block(client, [args[1]], _move_attempt(client, move), timeout, _null_array(client.resp),
                  _null_bulk(client.resp))


def _mpop_args(args: list[bytes], at: int, ends: tuple[bytes, bytes]) -> tuple[list[bytes], bytes, int]:
    """numkeys key [key ...] <end> [COUNT count] from args[at] (lmpopGenericCommand's parse):
    the keys, the end word (lowercase) and the count."""
    numkeys = parse_ll(args[at], "numkeys should be greater than 0")
    if numkeys < 1:
        raise CommandError("numkeys should be greater than 0")
    where = at + 1 + numkeys
    if where >= len(args) or word(args[where]) not in ends:
        raise CommandError(errors.SYNTAX)
    count = -1
    j = where + 1
    while j < len(args):
        if count == -1 and word(args[j]) == b"count" and j + 1 < len(args):
            count = parse_ll(args[j + 1], "count should be greater than 0")
            if count < 1:
                raise CommandError("count should be greater than 0")
            j += 2
        else:
            raise CommandError(errors.SYNTAX)
    return args[at + 1:where], word(args[where]), max(count, 1)


def _lmpop_attempt(client: Any, keys: list[bytes], end: bytes, count: int) -> Callable[[bool], bytes | None]:
    """[key, [elements]] from the first non-empty list (LPOP/RPOP key count through C)."""
    op = b"LPOP" if end == b"left" else b"RPOP"
    n = b"%d" % count
    def attempt(strict: bool) -> bytes | None:
        for key in keys:
            elements = _exec(client, [op, key, n], strict)
            if elements is not None:
                return b"*2\r\n$%d\r\n%s\r\n%s" % (len(key), key, elements)
        return None
    return attempt


# LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
def lmpop(client: Any, args: list[bytes]) -> Encoded:
    keys, end, count = _mpop_args(args, 1, (b"left", b"right"))
    return Encoded(_lmpop_attempt(client, keys, end, count)(True) or _null_array(client.resp))


# BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
def blmpop(client: Any, args: list[bytes]) -> Encoded:
    timeout = _timeout(args[1])
    keys, end, count = _mpop_args(args, 2, (b"left", b"right"))
    return _block(client, keys, _lmpop_attempt(client, keys, end, count), timeout,
                  _null_array(client.resp))


def _zpop_attempt(client: Any, keys: list[bytes], op: bytes) -> Callable[[bool], bytes | None]:
    """[key, member, score] from the first non-empty sorted set (ZPOPMIN/ZPOPMAX through C,
    whose [member, score] reply is spliced in after the key)."""
    def attempt(strict: bool) -> bytes | None:
        for key in keys:
            pair = _exec(client, [op, key], strict)
            if pair is not None and pair != b"*0\r\n":
                return b"*3\r\n$%d\r\n%s\r\n%s" % (len(key), key, pair[4:])  # pair: "*2\r\n..."
        return None
    return attempt


# BZPOPMIN key [key ...] timeout
bzpopmin = _single_pop(_zpop_attempt, b"ZPOPMIN")


# BZPOPMAX key [key ...] timeout
bzpopmax = _single_pop(_zpop_attempt, b"ZPOPMAX")


# BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
def bzmpop(client: Any, args: list[bytes]) -> Encoded:
    timeout = _timeout(args[1])
    keys, _, _ = _mpop_args(args, 2, (b"min", b"max"))  # ZMPOP (C) parses again, the same way
    zmpop = [b"ZMPOP"] + args[2:]
    return _block(client, keys, lambda strict: _exec(client, zmpop, strict), timeout,
                  _null_array(client.resp))


# CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
def client_unblock(client: Any, args: list[bytes]) -> int:
    error = False
    if len(args) == 4:
        reason = word(args[3])
        if reason not in (b"timeout", b"error"):
            raise CommandError("CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
        error = reason == b"error"
    elif len(args) != 3:
        raise CommandError(errors.subcommand_syntax(args[1], "CLIENT"))
    target_id = parse_ll(args[2])
    target = next((c for c in client.server.clients() if c.id == target_id), None)
    waiter = target.blocked if target is not None else None
    if waiter is None:
        return 0
    return int(waiter.unblock(UNBLOCKED if error else waiter.null))
