"""SLOWLOG: commands slower than slowlog-log-slower-than microseconds, newest first (Redis's slowlog.c).

Rules:
  - only commands run by the Python path are timed (dispatch measures the handler, as Redis's
    call() measures the command proc); the C fast path's GET/SET/... are never logged;
  - an entry keeps at most 32 arguments (the last one then says how many more there were) and
    at most 128 bytes of each (the rest summarised), exactly as Redis;
  - AUTH's arguments, HELLO's AUTH credentials and CONFIG SET requirepass, masterauth and masteruser values are redacted;
  - the log belongs to one Server; record() may run on any worker thread: one small lock.
"""
from __future__ import annotations

import collections
import threading
import time
from typing import Any

MAX_ARGC = 32      # SLOWLOG_ENTRY_MAX_ARGC
MAX_STRING = 128   # SLOWLOG_ENTRY_MAX_STRING
REDACTED = b"(redacted)"


def _redacted(args: list[bytes]) -> list[bytes]:
    """The argument list as Redis keeps it after redactClientCommandArgument."""
    name = args[0].lower()
    if name == b"auth":
        return [args[0]] + [REDACTED] * (len(args) - 1)
    out = list(args)
    if name == b"hello":
        for i in range(2, len(out) - 2):
            if out[i].lower() == b"auth":
                out[i + 1] = out[i + 2] = REDACTED
                break
    elif name == b"config" and len(out) > 3 and out[1].lower() == b"set":
        for i in range(2, len(out) - 1, 2):
            if out[i].lower() in (b"requirepass", b"masterauth", b"masteruser"):   # SENSITIVE_CONFIG
                out[i + 1] = REDACTED
    return out


def entry_args(args: list[bytes]) -> list[bytes]:
    """At most 32 arguments, each at most 128 bytes plus a note of what was cut."""
    args = _redacted(args)
    argc = min(len(args), MAX_ARGC)
    out = []
    for j in range(argc):
        if argc != len(args) and j == argc - 1:
            out.append(b"... (%d more arguments)" % (len(args) - argc + 1))
            break
        a = args[j]
        if len(a) > MAX_STRING:
            a = a[:MAX_STRING] + b"... (%d more bytes)" % (len(a) - MAX_STRING)
        out.append(a)
    return out


class Slowlog:
    """The entries of one server, newest first; threshold and length follow CONFIG SET."""

    def __init__(self, slower_than_us: int = 10000, max_len: int = 128) -> None:
        self.slower_than = slower_than_us   # < 0 disables, 0 logs everything (read unlocked)
        self.max_len = max_len
        self._entries: collections.deque[list[Any]] = collections.deque()
        self._next_id = 0
        self._lock = threading.Lock()

    def record(self, client: Any, args: list[bytes], usec: int) -> None:
        """Called after a command that took usec (the caller already compared the threshold)."""
        name = client.name or b""
        item = [0, int(time.time()), usec, entry_args(args), client.addr.encode("latin-1"), name]
        with self._lock:
            item[0] = self._next_id
            self._next_id += 1
            self._entries.appendleft(item)
            while len(self._entries) > self.max_len:
                self._entries.pop()

    def set_max_len(self, n: int) -> None:
        with self._lock:
            self.max_len = n
            while len(self._entries) > n:
                self._entries.pop()

    def get(self, count: int) -> list[list[Any]]:
        """The newest `count` entries (-1: all)."""
        with self._lock:
            entries = list(self._entries)
        return entries if count < 0 else entries[:count]

    def __len__(self) -> int:
        return len(self._entries)

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()
