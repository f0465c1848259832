"""Blocking pops: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP;
CLIENT UNBLOCK.

A command first tries its non-blocking form in one C call over all its keys (C's BLPOP, BRPOP,
BZPOPMIN, BZPOPMAX attempts, LMPOP, ZMPOP, LMOVE: one view of every key, so the first non-empty key
is chosen and popped at one instant, never passing over a push to an earlier key).  When every key
is empty it blocks without blocking its worker thread:
- the waiter goes into a per-key registry (oldest first, across all threads, one lock);
- the connection stays in its event loop, but C only reads it (connection.py block()): its EOF
  closes it and cancels the wait; the handler's reply is dropped;
- every write command run by Python (dispatcher's call()) signals its arguments as keys; while
  any client is blocked the C fast path leaves the commands that can fill a list or a sorted set
  to Python (rd_set_list_waiters), so every such write is seen;
- a waiter registers only under the keyspace gate exclusive (a command that finds every key empty
  while the gate is held shared raises Upgrade, and the dispatcher runs it again exclusive), so
  while a command or a fast-path batch holds the gate shared the set of waited keys cannot grow:
  a write whose keys nobody waits on runs shared; one whose keys someone waits on runs exclusive
  (the dispatcher asks serves()), so its write and the serving of its waiters are one instant,
  as Redis serves them before any other client's command (serveClientsBlockedOnKeys);
- a signal serves the keys as Redis's handleClientsBlockedOnKeys does, right there on the
  writer's thread, before the writer's next command: a queue of ready keys, worked in a loop
  (keys that a served BLMOVE fills join the queue: no recursion, circular moves included); per
  key every waiter in FIFO order pops from that key, a waiter of the other type (a BZPOPMIN
  waiter on a list) is skipped and stays blocked, until the key is empty; a BLMOVE whose
  destination has the wrong type gets -WRONGTYPE, pops nothing and is unblocked;
- the pop happens on the writer's thread under the registry lock; the reply is handed to the
  waiter's connection on its own worker (call_soon) unless that is the writer's;
- inside EXEC the signals are kept and served after its last command, still under its exclusive
  hold (as Redis, after the whole transaction and before anyone else);
- a worker timer ends the wait at the timeout (null reply).
Inside MULTI/EXEC a blocking command does not block: it answers as at its timeout (as Redis).
Lock order: the keyspace gate (exclusive, or shared when no waiter's key is touched) -> _lock ->
the keyspace's stripe locks (the pops).
"""
from __future__ import annotations

import logging
import math
import threading
from collections import deque
from typing import Any, Callable

from redistill import errors
from redistill.core import set_list_waiters
from redistill.commands.args import parse_ll, word
from redistill.errors import CommandError
from redistill.protocol import Encoded

log = logging.getLogger("redistill.commands")

_lock = threading.RLock()   # the registry, and serving (re-entrant: a served waiter leaves under it)
_waiters: dict[bytes, list["Waiter"]] = {}   # key -> waiters, oldest first
_count = 0                                  # registered waiters (the C fast-path flag)
_timed = 0                                  # ... of which have a timeout (INFO clients_in_timeout_table)
_exec_keys = threading.local()              # keys signalled inside EXEC on this thread

UNBLOCKED = errors.reply_line(errors.UNBLOCKED)
_SKIP = object()   # take()'s answer when the key holds the other type: the waiter stays blocked
SKIP = _SKIP       # for the other blocking commands (streams.py)

# take(key, strict) -> reply bytes (served), None (nothing to pop) or _SKIP (the key's type is not
# this waiter's); strict raises the error instead of _SKIP.  A served waiter pops from the ready key.
Take = Callable[[bytes, bool], Any]
# attempt() -> the command's own try over all its keys at once: reply bytes, or None (all empty);
# an error raises.
Attempt = Callable[[], bytes | None]


def _null_array(resp: int) -> bytes:
    return b"_\r\n" if resp == 3 else b"*-1\r\n"


def _null_bulk(resp: int) -> bytes:
    return b"_\r\n" if resp == 3 else b"$-1\r\n"


class Waiter:
    __slots__ = ("client", "keys", "take", "null", "timeout", "done", "reply", "dest")

    def __init__(self, client: Any, keys: list[bytes], take: Take, null: bytes, timeout: float,
                 dest: bytes | None) -> None:
        self.client = client
        self.timeout = timeout   # seconds, 0 = forever
        self.keys = keys
        self.take = take
        self.null = null
        self.dest = dest         # BLMOVE's destination: filled when this waiter is served
        self.done = False        # left the registry (under _lock)
        self.reply: bytes | None = None   # its answer, set when it leaves

    def end(self, reply: bytes) -> bool:
        """Leaves the registry with `reply` as its answer; False when it had already left (served,
        timed out, unblocked): then self.reply is the answer it left with.  Any thread."""
        global _count, _timed
        with _lock:
            if self.done:
                return False
            self.done = True
            self.reply = reply
            for key in set(self.keys):
                queue = _waiters.get(key)
                if queue and self in queue:
                    queue.remove(self)
                    if not queue:
                        del _waiters[key]
            _count -= 1
            _timed -= self.timeout > 0
            set_list_waiters(_count)
            return True

    def deliver(self) -> None:
        """Sends self.reply to the client on its own worker: now when that is this thread (inside
        a command there: its pipelined commands resume from the event loop), else call_soon."""
        client = self.client
        if client.worker is threading.current_thread():
            if client.blocked is self:
                client.unblock(self.reply, True)
        else:
            client.worker.call_soon(lambda: client.blocked is self and client.unblock(self.reply))

    def expire(self) -> None:
        """The worker timer at the timeout (owner thread)."""
        if self.end(self.null) and not self.client.closed:
            self.deliver()

    def cancel(self) -> None:
        """The connection closed: out of the registry (an answer it was given is dropped)."""
        self.end(self.null)

    def unblock(self, reply: bytes) -> bool:
        """CLIENT UNBLOCK (any thread): ends the wait with `reply` on the client's worker."""
        if not self.end(reply):
            return False
        self.client.worker.call_soon(lambda: self.client.blocked is self and self.client.unblock(reply))
        return True


def _register(w: Waiter) -> None:
    global _count, _timed
    with _lock:
        for key in dict.fromkeys(w.keys):
            _waiters.setdefault(key, []).append(w)
        _count += 1
        _timed += w.timeout > 0
        set_list_waiters(_count)


def blocked_clients() -> int:
    """INFO clients' blocked_clients."""
    return _count


def timed_blocked_clients() -> int:
    """INFO clients' clients_in_timeout_table: blocked clients with a timeout."""
    return _timed


def waiting() -> bool:
    """Is any client blocked?  (A hint read without the lock: the dispatcher's cheap test.)"""
    return _count > 0


class Upgrade(Exception):
    """Raised by a blocking command that must register a waiter while its thread holds the gate
    shared, before it changed anything: the dispatcher runs it again under the gate exclusive."""


def serves(args: list[bytes]) -> bool:
    """Before a write runs, under the gate shared: does a client wait on one of its arguments?
    Then it must run exclusive, so that its write and the serving are one instant.  Exact while the
    gate is held: waiters register only under it exclusive (they may leave meanwhile)."""
    return _count > 0 and any(k in _waiters for k in args[1:])


# Redis 7.0 wakes a key's waiters when a write adds the key (dbAdd: a push or ZADD creating it;
# RENAME, COPY and RESTORE, which delete and add), never when it writes into or overwrites one that
# exists (setKey's dbOverwrite: a *STORE over a string leaves a BZPOPMIN waiter blocked, and so does
# a later ZADD into that sorted set; SORT ... STORE will too).
_READDS = frozenset(("rename", "renamenx", "copy", "restore"))
# A stream's waiters are signalled by every XADD (signalKeyAsReady), not only when it adds the key;
# and by XGROUP DESTROY, whose blocked XREADGROUP clients then get -NOGROUP.
_STREAM_SIGNALS = frozenset(("xadd", "xgroup"))


def existing(client: Any, name: str, args: list[bytes]) -> list[bytes] | None:
    """Before a write runs: the waited-on keys among its arguments that exist (it cannot add them)."""
    if name in _READDS or name.split("|")[0] in _STREAM_SIGNALS:
        return None
    ks = client.server.keyspace
    return [k for k in args[1:] if k in _waiters and ks.exists(k)] or None


def signal(writer: Any, keys: list[bytes], existed: list[bytes] | None = None) -> None:
    """`writer`'s command may have added some of `keys` (not those that `existed` before it): serve
    their waiters now (inside EXEC: after it, signal_exec_done)."""
    if existed:
        keys = [k for k in keys if k not in existed]
    if not _count or not keys:
        return
    if getattr(writer, "in_exec", False):
        pending = getattr(_exec_keys, "keys", None)
        if pending is None:
            pending = _exec_keys.keys = {}
        pending.update(dict.fromkeys(keys))
        return
    serve_keys(writer.server.keyspace, keys)


def serve_keys(ks: Any, keys: list[bytes]) -> None:
    """Serves the waiters of keys that changed (a write's, or streams freed: streams.py)."""
    ks.shared_begin()   # the gate before _lock, as every command that registers a waiter
    try:
        with _lock:
            _serve(keys)
    finally:
        ks.shared_end()


def signal_exec_done(client: Any) -> None:
    """After EXEC's last command, still under its exclusive hold: serve the keys its commands
    signalled."""
    pending = getattr(_exec_keys, "keys", None)
    if pending:
        _exec_keys.keys = None
        signal(client, list(pending))


def _serve(keys: list[bytes]) -> None:
    """Redis's handleClientsBlockedOnKeys (under _lock): each ready key serves its waiters in FIFO
    order until it is empty; a destination a BLMOVE filled becomes ready in the same loop."""
    ready = deque(k for k in dict.fromkeys(keys) if k in _waiters)
    queued = set(ready)
    while ready:
        key = ready.popleft()
        queued.discard(key)
        for w in list(_waiters.get(key, ())):
            if w.done:
                continue
            outcome = _take(w, key)
            if outcome is _SKIP:
                continue
            if outcome is None:
                break
            w.end(outcome)
            w.deliver()
            if w.dest is not None and w.dest in _waiters and w.dest not in queued:
                ready.append(w.dest)
                queued.add(w.dest)


def _take(w: Waiter, key: bytes) -> Any:
    if w.client.closed:   # closed, its close not yet seen by the registry: it takes nothing
        return _SKIP
    try:
        return w.take(key, False)
    except Exception:   # a bug must not leave the waiter blocked forever, nor the count wrong
        log.exception("serving a blocked client")
        return errors.reply_line(errors.INTERNAL)


def _timeout(arg: bytes) -> float:
    """Redis's getTimeoutFromObjectOrReply (seconds, as a long double): 0 = forever."""
    text = arg.decode("latin-1")
    try:
        if not text or text[0].isspace() or "_" in text:
            raise ValueError
        t = float.fromhex(text) if text.lower().lstrip("+-").startswith("0x") else float(text)
    except ValueError:
        raise CommandError(errors.TIMEOUT_NOT_FLOAT) from None
    if math.isnan(t):
        raise CommandError(errors.TIMEOUT_NOT_FLOAT)
    ms = t * 1000.0
    if ms < 0 or math.isinf(ms) or ms >= 2.0 ** 63:  # (long long)inf is negative in Redis too
        raise CommandError(errors.TIMEOUT_NEGATIVE)
    return math.ceil(ms) / 1000.0  # Redis rounds up to whole milliseconds (ceill)


def _block(client: Any, keys: list[bytes], take: Take, attempt: Attempt, timeout: float, null: bytes,
           exec_null: bytes | None = None, dest: bytes | None = None) -> Encoded:
    """Answers at once when a key has something (or is of the wrong type), else blocks."""
    reply = attempt()
    if reply is None and client.in_exec:  # MULTI/EXEC never blocks: the timeout's reply
        return Encoded(exec_null or null)  # (BLMOVE's is a nil bulk there)
    if reply is None:
        ks = client.server.keyspace
        if not ks.try_exclusive_begin():   # held shared: nothing done yet
            raise Upgrade
        try:   # exclusive: no push can come between the attempt and the registration
            w = Waiter(client, keys, take, null, timeout, dest)
            _register(w)
            client.block(w)
        finally:
            ks.exclusive_end()
        if timeout:
            client.worker.call_later(timeout, w.expire)
        return Encoded(b"")
    if dest is not None:
        signal(client, [dest])   # the destination may serve another waiter
    return Encoded(reply)


def block(client: Any, keys: list[bytes], take: Take, attempt: Attempt, timeout: float, null: bytes) -> Encoded:
    """Another module's blocking command (XREAD, XREADGROUP): as the pops, through the one registry."""
    return _block(client, keys, take, attempt, timeout, null)


def _attempt(client: Any, args: list[bytes]) -> Attempt:
    """The command's own attempt: one C call (`args`) over all its keys."""
    return lambda: _exec(client, args, True)


def _exec(client: Any, args: list[bytes], strict: bool) -> Any:
    """One non-blocking step through C: its reply, None for a nil; an error raises when strict,
    else is _SKIP (WRONGTYPE: the key is not of this waiter's type)."""
    reply = client.server.keyspace.exec(args, client.resp)
    if reply[:1] == b"-":
        if strict:
            raise CommandError(reply[:-2].decode("latin-1"))
        return _SKIP
    if reply[:1] == b"_" or reply.startswith((b"$-1", b"*-1")) or reply == b"*0\r\n":
        return None   # nil, a nil array (count forms), ZPOPMIN's empty array
    return reply


def _pop_take(client: Any, op: bytes) -> Take:
    def take(key: bytes, strict: bool) -> Any:
        value = _exec(client, [op, key], strict)
        if value is None or value is _SKIP:
            return value
        return b"*2\r\n$%d\r\n%s\r\n%s" % (len(key), key, value)
    return take


def _move_take(client: Any, args: list[bytes]) -> Take:
    """LMOVE src dst ...: served with LMOVE's error when src has elements but dst is not a list
    (Redis 7.0's serveClientBlockedOnList: -WRONGTYPE, nothing popped, unblocked)."""
    def take(key: bytes, strict: bool) -> Any:
        value = _exec(client, args, strict)
        if value is _SKIP and _exec(client, [b"LLEN", key], False) not in (None, _SKIP, b":0\r\n"):
            return client.server.keyspace.exec(args, client.resp)   # the error, for the client
        return value
    return take


def _single_pop(make_take: Callable[[Any, bytes], Take], op: bytes) -> Callable[..., Encoded]:
    """BLPOP, BRPOP, BZPOPMIN, BZPOPMAX: `B<op> key [key ...] timeout`, the first non-empty key served
    (the attempt: C's command of the same name, which leaves the timeout unread)."""
    def handler(client: Any, args: list[bytes]) -> Encoded:
        timeout = _timeout(args[-1])
        return _block(client, args[1:-1], make_take(client, op), _attempt(client, args), timeout,
                      _null_array(client.resp))
    return handler


# BLPOP key [key ...] timeout
blpop = _single_pop(_pop_take, b"LPOP")


# BRPOP key [key ...] timeout
brpop = _single_pop(_pop_take, b"RPOP")


def _end(arg: bytes) -> bytes:
    end = word(arg)
    if end not in (b"left", b"right"):
        raise CommandError(errors.SYNTAX)
    return end


# BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
def blmove(client: Any, args: list[bytes]) -> Encoded:
    wherefrom, whereto = _end(args[3]), _end(args[4])
    return _blocking_move(client, args[1], args[2], wherefrom, whereto, _timeout(args[5]))


# BRPOPLPUSH source destination timeout
def brpoplpush(client: Any, args: list[bytes]) -> Encoded:
    return _blocking_move(client, args[1], args[2], b"right", b"left", _timeout(args[3]))


def _blocking_move(client: Any, src: bytes, dst: bytes, wherefrom: bytes, whereto: bytes,
                   timeout: float) -> Encoded:
    take = _move_take(client, [b"LMOVE", src, dst, wherefrom, whereto])
    return _block(client, [src], take, lambda: take(src, True), timeout, _null_array(client.resp),
                  _null_bulk(client.resp), dst)


def _mpop_args(args: list[bytes], at: int, ends: tuple[bytes, bytes]) -> tuple[list[bytes], bytes, int]:
    """numkeys key [key ...] <end> [COUNT count] from args[at] (lmpopGenericCommand's parse):
    the keys, the end word (lowercase) and the count."""
    numkeys = parse_ll(args[at], errors.NUMKEYS)
    if numkeys < 1:
        raise CommandError(errors.NUMKEYS)
    where = at + 1 + numkeys
    if where >= len(args) or word(args[where]) not in ends:
        raise CommandError(errors.SYNTAX)
    count = -1
    j = where + 1
    while j < len(args):
        if count == -1 and word(args[j]) == b"count" and j + 1 < len(args):
            count = parse_ll(args[j + 1], errors.COUNT_POSITIVE)
            if count < 1:
                raise CommandError(errors.COUNT_POSITIVE)
            j += 2
        else:
            raise CommandError(errors.SYNTAX)
    return args[at + 1:where], word(args[where]), max(count, 1)


def _lmpop_take(client: Any, end: bytes, count: int) -> Take:
    """[key, [elements]] from a non-empty list (LPOP/RPOP key count through C)."""
    op = b"LPOP" if end == b"left" else b"RPOP"
    n = b"%d" % count
    def take(key: bytes, strict: bool) -> Any:
        elements = _exec(client, [op, key, n], strict)
        if elements is None or elements is _SKIP:
            return elements
        return b"*2\r\n$%d\r\n%s\r\n%s" % (len(key), key, elements)
    return take


# BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
def blmpop(client: Any, args: list[bytes]) -> Encoded:
    timeout = _timeout(args[1])
    keys, end, count = _mpop_args(args, 2, (b"left", b"right"))
    return _block(client, keys, _lmpop_take(client, end, count), _attempt(client, [b"LMPOP", *args[2:]]),
                  timeout, _null_array(client.resp))


def _zpop_take(client: Any, op: bytes) -> Take:
    """[key, member, score] from a non-empty sorted set (ZPOPMIN/ZPOPMAX through C, whose
    [member, score] reply is spliced in after the key)."""
    def take(key: bytes, strict: bool) -> Any:
        pair = _exec(client, [op, key], strict)
        if pair is None or pair is _SKIP:
            return pair
        return b"*3\r\n$%d\r\n%s\r\n%s" % (len(key), key, pair[4:])  # pair: "*2\r\n..."
    return take


# BZPOPMIN key [key ...] timeout
bzpopmin = _single_pop(_zpop_take, b"ZPOPMIN")


# BZPOPMAX key [key ...] timeout
bzpopmax = _single_pop(_zpop_take, b"ZPOPMAX")


# BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
def bzmpop(client: Any, args: list[bytes]) -> Encoded:
    timeout = _timeout(args[1])
    keys, end, count = _mpop_args(args, 2, (b"min", b"max"))
    tail = [end, b"COUNT", b"%d" % count]
    return _block(client, keys, lambda key, strict: _exec(client, [b"ZMPOP", b"1", key] + tail, strict),
                  _attempt(client, [b"ZMPOP", *args[2:]]), timeout, _null_array(client.resp))


# CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
def client_unblock(client: Any, args: list[bytes]) -> int:
    error = False
    if len(args) == 4:
        reason = word(args[3])
        if reason not in (b"timeout", b"error"):
            raise CommandError(errors.UNBLOCK_REASON)
        error = reason == b"error"
    elif len(args) != 3:
        raise CommandError(errors.subcommand_syntax(args[1], "CLIENT"))
    target_id = parse_ll(args[2])
    target = next((c for c in client.server.clients() if c.id == target_id), None)
    waiter = target.blocked if target is not None else None
    if waiter is None:
        return 0
    return int(waiter.unblock(UNBLOCKED if error else waiter.null))
