"""CLIENT PAUSE / CLIENT UNPAUSE (Redis 7.0's pauseClients / unpauseClients / BLOCKED_POSTPONE).

Rules:
  - one pause for the whole server: its kind (WRITE < ALL, a new PAUSE keeps the stricter) and
    its end (the later one), under _lock; the dispatcher reads _kind unlocked once per command;
  - a paused command is not rejected but postponed: its client parks as a blocked one (C keeps
    reading it and runs nothing) and the command runs again, from the dispatcher's checks on, when
    the pause ends (UNPAUSE, or the timeout: a timer on the pausing client's worker and a check by
    every command), on the client's own worker (call_soon), in the order the clients were held;
  - WRITE holds commands flagged write or may_replicate, and EXEC when its queue has one; ALL holds
    every command; monitors are never held (Redis exempts replicas, and a monitor is one);
  - the check runs under the keyspace gate (the dispatcher), and CLIENT PAUSE runs under the
    exclusive gate with the fast path switched to Python (commands/monitor.py python_only):
    once PAUSE has replied no write starts, on any thread; except that the commands that take the
    gate themselves (EXEC, FLUSHALL, FLUSHDB: the dispatcher's OWN_GATE) are checked just before
    it, so one that passed the check as PAUSE arrived may still run right after its reply;
  - while paused the dataset stays still, as in Redis: the cron neither expires nor evicts, lazy
    expiry leaves expired keys in place (rd_ks_pause_expiry: they read as absent), and the
    dispatcher does not evict before denyoom commands.
"""
from __future__ import annotations

import threading
import time
from typing import Any

from redistill import core, errors
from redistill.commands import monitor
from redistill.commands.args import LLONG_MAX, parse_ll, word
from redistill.errors import CommandError
from redistill.keyspace import pause_expiry
from redistill.protocol import Encoded

OFF, WRITE, ALL = 0, 1, 2

_lock = threading.Lock()
_kind = OFF
_end_ms = 0
_held: list["Postponed"] = []   # in the order they were postponed


def active() -> bool:
    """True while a pause is on (cron: no active expiry, no eviction).  Ends an elapsed one."""
    if _kind == OFF:
        return False
    if _now_ms() > _end_ms:
        _unpause()
    return _kind != OFF


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def holds(client: Any, spec: Any, args: list[bytes] | None = None) -> bool:
    """Whether the pause postpones this command (Redis's processCommand check)."""
    if _kind == OFF or getattr(client, "monitoring", False) or not active():
        return False
    if _kind == ALL:
        return True
    if _may_replicate(client, spec, args):
        return True
    queue = getattr(client, "multi", None)
    return spec.name == "exec" and bool(queue) and any(_may_replicate(client, s, a) for s, a in queue)


# The scripting commands whose flags come from the script (Redis's evalGetCommandFlags): kind, _RO.
_SCRIPTS = {"eval": (core.SCRIPT_BODY, False), "eval_ro": (core.SCRIPT_BODY, True),
            "evalsha": (core.SCRIPT_SHA, False), "evalsha_ro": (core.SCRIPT_SHA, True),
            "fcall": (core.SCRIPT_FUNCTION, False), "fcall_ro": (core.SCRIPT_FUNCTION, True)}


def _may_replicate(client: Any, spec: Any, args: list[bytes] | None) -> bool:
    script = _SCRIPTS.get(spec.name)
    if script is None:
        return "write" in spec.flags or "may_replicate" in spec.flags
    if args is None or len(args) < 2:
        return True
    ks = client.server.keyspace   # the script cache and the functions change under the gate exclusive
    if not ks.gate_begin_unless_busy(False):
        return True
    try:
        return core.script_may_write(script[0], script[1], bytes(args[1]))
    finally:
        ks.shared_end()


def postpone(client: Any, args: list[bytes]) -> Encoded:
    """Parks the client until the pause ends; its command then runs as if just received."""
    waiter = Postponed(client, args)
    with _lock:
        _held.append(waiter)
    client.block(waiter)
    return Encoded(b"")   # dropped: the connection parks instead of replying


def held_clients() -> int:
    """Postponed clients (INFO blocked_clients counts them, as Redis's BLOCKED_POSTPONE)."""
    return len(_held)


# CLIENT PAUSE timeout [WRITE|ALL]
def client_pause(client: Any, args: list[bytes]) -> str:
    global _kind, _end_ms
    if len(args) > 4:
        raise CommandError(errors.subcommand_syntax(args[1], "CLIENT"))
    kind = ALL
    if len(args) == 4:
        mode = word(args[3])
        if mode not in (b"write", b"all"):
            raise CommandError(errors.PAUSE_MODE)
        kind = WRITE if mode == b"write" else ALL
    ms = parse_ll(args[2], errors.TIMEOUT_NOT_INTEGER)
    if ms < 0:
        raise CommandError(errors.TIMEOUT_NEGATIVE)
    end = _wrap(ms + _now_ms()) if ms > 0 else 0   # Redis's mstime() + timeout, overflow included
    with _lock:
        _kind = max(_kind, kind)
        _end_ms = max(_end_ms, end)
        delay = _end_ms - _now_ms()
    monitor.python_only("pause", True)
    pause_expiry(True)
    worker = getattr(client, "worker", None)
    if worker is not None and 0 < delay < 1 << 40:
        worker.call_later(delay / 1000.0 + 0.001, active)   # ends it on time without traffic
    return "OK"


def _wrap(ms: int) -> int:
    """A C long long sum: past LLONG_MAX it wraps negative (the pause then ends at once)."""
    return ms if ms <= LLONG_MAX else ms - (1 << 64)


# CLIENT UNPAUSE
def client_unpause(client: Any, args: list[bytes]) -> str:
    _unpause()
    return "OK"


def _unpause() -> None:
    """Ends the pause and runs the held commands again, each on its client's worker."""
    global _kind, _end_ms, _held
    with _lock:
        if _kind == OFF:
            return
        _kind, _end_ms = OFF, 0
        held, _held = _held, []
    pause_expiry(False)
    monitor.python_only("pause", False)
    for waiter in held:
        waiter.client.worker.call_soon(waiter.replay)


class Postponed:
    """The parked command of a paused client: what Connection.blocked holds meanwhile."""

    __slots__ = ("client", "args", "null", "reply")

    def __init__(self, client: Any, args: list[bytes]) -> None:
        self.client = client
        self.args = args
        self.null = b""   # shutdown drains a parked client without running its command
        self.reply = self.null

    def end(self, reply: bytes) -> bool:
        """Shutdown (Connection.drain): the command is dropped with `reply`."""
        self.cancel()
        self.reply = reply
        return True

    def replay(self) -> None:
        """On the client's worker: the command goes through the dispatcher again."""
        if self.client.blocked is self:
            self.client.replay(self)

    def cancel(self) -> None:
        """The connection closes (or shuts down) while held."""
        with _lock:
            if self in _held:
                _held.remove(self)

    def unblock(self, reply: bytes) -> bool:
        """CLIENT UNBLOCK: Redis re-processes a postponed client (held again while paused)."""
        self.cancel()
        self.client.worker.call_soon(self.replay)
        return True
