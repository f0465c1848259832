"""accept() with back-off, for every listening loop: the workers' Redis and TLS ports and the health endpoint.

Rules:
- Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM), the gate's listeners leave
  the selector for PAUSE seconds.  A listener with a pending connection stays readable, so
  without the pause the loop would wake at once, fail again and spin (a log line per turn).
- ECONNABORTED and EPROTO mean that peer gave up before its accept: take the next one.
- The warning goes through the rate-limited logger (logutil).
- Owner thread only: the thread whose loop owns the selector.
"""
from __future__ import annotations

import errno
import selectors
import socket
import time
from typing import Any

from .logutil import get_logger

log = get_logger("redistill.accept")

PAUSE_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
RETRY_ERRNOS = frozenset({errno.ECONNABORTED, errno.EPROTO})
PAUSE = 0.1   # seconds without accepting after such a failure


class AcceptGate:
    """The listeners of one loop, registered in its selector, and accept() on them."""

    def __init__(self, selector: selectors.BaseSelector, where: str) -> None:
        self._selector = selector
        self._where = where                  # "worker 0", "the health endpoint": for the log
        self._listeners: list[tuple[socket.socket, Any]] = []
        self.paused_until = 0.0              # time.monotonic() when accepting resumes; 0: not paused

    def add(self, listener: socket.socket, data: Any) -> None:
        """Registers a non-blocking listener for reading with data as its selector key's data."""
        self._listeners.append((listener, data))
        self._selector.register(listener, selectors.EVENT_READ, data)

    def entries(self) -> list[tuple[socket.socket, Any]]:
        """(listener, data) of every listener, a copy."""
        return list(self._listeners)

    def remove(self, listener: socket.socket) -> None:
        """Unregisters a listener and forgets it (not closed: CONFIG SET bind/port hands it over)."""
        self._unregister(listener)
        self._listeners = [(s, d) for s, d in self._listeners if s is not listener]

    def accept(self, listener: socket.socket) -> tuple[socket.socket, Any] | None:
        """The next connection, or None: none pending, or accepting is paused from now on."""
        while True:
            try:
                return listener.accept()
            except (BlockingIOError, InterruptedError):
                return None
            except OSError as e:
                if e.errno in RETRY_ERRNOS:
                    continue
                if e.errno in PAUSE_ERRNOS:
                    self._pause(e)
                    return None
                raise

    def timeout(self, timeout: float | None) -> float | None:
        """The loop's wait, shortened so it wakes up when a pause ends."""
        if not self.paused_until:
            return timeout
        pause = max(0.0, self.paused_until - time.monotonic())
        return pause if timeout is None else min(timeout, pause)

    def resume_if_due(self) -> None:
        """Call after each turn of the loop: re-registers the listeners once the pause is over."""
        if self.paused_until and time.monotonic() >= self.paused_until:
            self.paused_until = 0.0
            for listener, data in self._listeners:
                if listener.fileno() >= 0:
                    self._selector.register(listener, selectors.EVENT_READ, data)

    def close(self) -> None:
        """Unregisters and closes every listener (stop accepting for good)."""
        for listener, _ in self._listeners:
            self._unregister(listener)
            try:
                listener.close()
            except OSError:
                pass
        self.paused_until = 0.0

    def _pause(self, err: OSError) -> None:
        log.warning("accept() failed on %s: %s; pausing accepts for %.0f ms", self._where, err, PAUSE * 1000)
        for listener, _ in self._listeners:
            self._unregister(listener)
        self.paused_until = time.monotonic() + PAUSE

    def _unregister(self, listener: socket.socket) -> None:
        try:
            self._selector.unregister(listener)
        except (KeyError, ValueError):
            pass
