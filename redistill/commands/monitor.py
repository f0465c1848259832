"""MONITOR (Redis's monitorCommand / replicationFeedMonitors) and the switch that sends every
command through Python while anyone monitors or clients are paused.

Rules:
  - the monitors are an immutable tuple swapped under _lock; call() reads it unlocked once per
    command, so a server without monitors pays one global load and a truth test;
  - a line is built once per command, on the thread that ran it, after it ran (Redis 7.0 feeds
    monitors at the end of call()), and handed to each monitor's own worker with
    Connection.monitor_push (a deque append; the owner thread writes it out): C's output
    limit then drops a monitor that does not read, as any client past client_output_buffer_limit;
  - while monitors exist or CLIENT PAUSE is on (commands/pause.py), rd_set_python_only makes the C
    fast path hand every command to Python, so commands C would serve are seen too; both are
    switched under the exclusive keyspace gate (the dispatcher's _GATED), so no fast-path batch
    that started before the switch is still running when MONITOR or CLIENT PAUSE replies.
"""
from __future__ import annotations

import re
import threading
import time
from typing import Any

from redistill import errors
from redistill.commands.args import word
from redistill.core import set_python_only
from redistill.errors import CommandError
from redistill.protocol import Encoded

_lock = threading.Lock()
_monitors: tuple = ()          # the monitoring connections, in MONITOR order
_python_only: set[str] = set()  # why every command must reach Python: "monitor", "pause"


def python_only(reason: str, on: bool) -> None:
    """Turns a reason for handing every command to Python on or off (any thread)."""
    with _lock:
        if on:
            _python_only.add(reason)
        else:
            _python_only.discard(reason)
        set_python_only(int(bool(_python_only)))


def active() -> bool:
    return bool(_monitors)


# MONITOR
def monitor(client: Any, args: list[bytes]) -> Any:
    global _monitors
    if client.in_exec:   # Redis's CLIENT_DENY_BLOCKING: a transaction expects one reply per command
        raise CommandError(errors.MONITOR_DENY_BLOCKING)
    if client.monitoring:
        return Encoded(b"")   # Redis ignores a second MONITOR without a reply
    with _lock:
        _monitors = _monitors + (client,)
    client.monitoring = True
    python_only("monitor", True)
    return "OK"


def stop(client: Any) -> None:
    """RESET and the connection's close: the client no longer monitors."""
    global _monitors
    if not client.monitoring:
        return
    client.monitoring = False
    with _lock:
        _monitors = tuple(m for m in _monitors if m is not client)
        remaining = bool(_monitors)
    if not remaining:
        python_only("monitor", False)


def feed(client: Any, args: list[bytes]) -> None:
    """One executed command to every monitor (its own included), in Redis's format."""
    monitors = _monitors
    if not monitors:
        return
    line = format_line(time.time_ns() // 1000, client.db, client.addr, redact(args))
    for m in monitors:
        m.monitor_push(line)


def format_line(usec: int, db: int, addr: str, args: list[bytes]) -> bytes:
    """+<sec>.<usec> [<db> <ip:port>] "arg" "arg"...\\r\\n, each argument as sdscatrepr quotes it."""
    sec, frac = divmod(usec, 1_000_000)
    head = b"+%d.%06d [%d %s]" % (sec, frac, db, addr.encode("latin-1"))
    return b" ".join([head] + [quote(bytes(a)) for a in args]) + b"\r\n"   # bytes(): a BlockValue too


_PLAIN = re.compile(rb'[^\x20\x21\x23-\x5b\x5d-\x7e]')   # what sdscatrepr leaves as it is
_ESCAPES = {ord("\\"): b"\\\\", ord('"'): b'\\"', ord("\n"): b"\\n", ord("\r"): b"\\r",
            ord("\t"): b"\\t", 7: b"\\a", 8: b"\\b"}


def quote(arg: bytes) -> bytes:
    """Redis's sdscatrepr: printable ASCII as is, \\ and " escaped, \\n \\r \\t \\a \\b, else \\xHH."""
    if _PLAIN.search(arg) is None:
        return b'"' + arg + b'"'
    out = bytearray(b'"')
    for ch in arg:
        esc = _ESCAPES.get(ch)
        if esc is not None:
            out += esc
        elif 0x20 <= ch <= 0x7e:
            out.append(ch)
        else:
            out += b"\\x%02x" % ch
    out += b'"'
    return bytes(out)


_REDACTED = b"(redacted)"


def redact(args: list[bytes]) -> list[bytes]:
    """Passwords never reach a monitor: the arguments Redis's AUTH and HELLO redact."""
    name = args[0].lower()
    if name == b"auth" and len(args) <= 3:   # more is a syntax error, replied before redacting
        return [args[0]] + [_REDACTED] * (len(args) - 1)
    if name == b"hello" and len(args) > 2:
        return _redact_hello(args)
    return args


def _redact_hello(args: list[bytes]) -> list[bytes]:
    """HELLO's AUTH username password, redacted as Redis parses them: only after a valid
    protocol version, and only up to the first bad option."""
    if args[1] not in (b"2", b"3"):
        return args
    out = list(args)
    j = 2
    while j < len(args):
        more = len(args) - 1 - j
        opt = word(args[j])
        if opt == b"auth" and more >= 2:
            out[j + 1] = out[j + 2] = _REDACTED
            j += 3
        elif opt == b"setname" and more:
            j += 2
        else:
            break
    return out
