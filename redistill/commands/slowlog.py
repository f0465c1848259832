"""SLOWLOG: commands slower than slowlog-log-slower-than microseconds, newest first (Redis's slowlog.c).

Rules:
  - commands run by the Python path are timed by dispatch (the handler, as Redis's call() times
    the command proc); those the C fast path runs are timed in C (csrc/slowlog.c) and queued
    there, already trimmed, with the client's address and name; every read here drains that
    queue first, and both sides take ids from one C counter, so the merged log is in order;
  - the C queue and threshold are process-wide: the last Slowlog created configures them;
  - an entry keeps at most 32 arguments (the last one then says how many more there were) and
    at most 128 bytes of each (the rest summarised), exactly as Redis;
  - AUTH's arguments, HELLO's AUTH credentials and CONFIG SET requirepass, masterauth and masteruser values are redacted;
  - the log belongs to one Server; record() may run on any worker thread: one small lock.
"""
from __future__ import annotations

import collections
import struct
import threading
import time
from typing import Any

from redistill import core

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
    elif name == b"acl" and len(out) > 2 and out[1].lower() == b"setuser":   # its rules carry passwords
        out[2:] = [REDACTED] * (len(out) - 2)
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
        self._slower_than = slower_than_us   # < 0 disables, 0 logs everything (read unlocked)
        self.max_len = max_len
        self._entries: collections.deque[list[Any]] = collections.deque()
        self._lock = threading.Lock()
        core.slowlog_config(slower_than_us, max_len)

    @property
    def slower_than(self) -> int:
        return self._slower_than

    @slower_than.setter
    def slower_than(self, us: int) -> None:
        self._slower_than = us
        core.slowlog_config(us, self.max_len)

    def record(self, client: Any, args: list[bytes], usec: int) -> None:
        """Called after a command that took usec (the caller already compared the threshold)."""
        name = client.name or b""
        item = [0, int(time.time()), usec, entry_args(args), client.addr.encode("latin-1"), name]
        with self._lock:
            item[0] = core.slowlog_next_id()
            self._merge([item])

    def _merge(self, items: list[list[Any]]) -> None:
        """Adds entries (lock held), newest first by id, at most max_len kept."""
        if len(items) == 1 and (not self._entries or items[0][0] > self._entries[0][0]):
            self._entries.appendleft(items[0])
        elif items:
            merged = sorted([*self._entries, *items], key=lambda e: e[0], reverse=True)
            self._entries = collections.deque(merged)
        while len(self._entries) > self.max_len:
            self._entries.pop()

    def _drain(self) -> None:
        """Takes the fast path's queued entries (lock held)."""
        for _ in range(8):   # entries may arrive meanwhile: bounded, the rest waits for next time
            data = core.slowlog_drain()
            if not data:
                return
            self._merge(_decode(data))

    def set_max_len(self, n: int) -> None:
        with self._lock:
            self.max_len = n
            core.slowlog_config(self._slower_than, n)
            self._drain()
            while len(self._entries) > n:
                self._entries.pop()

    def get(self, count: int) -> list[list[Any]]:
        """The newest `count` entries (-1: all)."""
        with self._lock:
            self._drain()
            entries = list(self._entries)
        return entries if count < 0 else entries[:count]

    def __len__(self) -> int:
        with self._lock:
            self._drain()
            return len(self._entries)

    def reset(self) -> None:
        with self._lock:
            self._drain()
            self._entries.clear()


def _decode(data: bytes) -> list[list[Any]]:
    """rd_slowlog_drain's records (csrc/redistill.h) as entries."""
    out, pos = [], 0
    while pos < len(data):
        (size,) = struct.unpack_from("=I", data, pos)
        end = pos + 4 + size
        ident, ts, usec, argc = struct.unpack_from("=QQQI", data, pos + 4)
        p, args = pos + 32, []
        for _ in range(argc):
            (n,) = struct.unpack_from("=I", data, p)
            args.append(data[p + 4:p + 4 + n])
            p += 4 + n
        addr, _, name = data[p:end].partition(b"\0")
        out.append([ident, ts, usec, args, addr, name])
        pos = end
    return out
