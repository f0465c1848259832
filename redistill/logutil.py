"""Loggers whose repeated lines are rate-limited: the one guard against a log that fills the disk.

Rules:
- Every module logs through get_logger(name), which puts the one shared RepeatFilter on that
  logger, so whatever logs in a loop (accept failures, rejected clients, per-connection errors,
  a failing cron) is limited the same way, whoever configured the handlers.
- A "repeated line" is the same logger, level and message template (the text before %-formatting):
  "Rejected client %s: %s" for a thousand addresses is one line repeated.
- Each template may log BURST lines per WINDOW seconds; the rest are counted, and the first line
  let through in a later window says how many were dropped.
- Any thread: the filter's table has a lock of its own, held for a dict lookup only.
"""
from __future__ import annotations

import logging
import threading
import time

BURST = 10            # lines per template per window
WINDOW = 10.0         # seconds
_MAX_TEMPLATES = 1000  # forgotten all at once past this (templates are code, not user input)


class RepeatFilter(logging.Filter):
    """Lets BURST records per WINDOW through for each (logger, level, template)."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, int, str], list] = {}   # key -> [window start, count, dropped]

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, str(record.msg))
        now = time.monotonic()
        dropped = 0
        with self._lock:
            entry = self._seen.get(key)
            if entry is None or now - entry[0] >= WINDOW:
                if entry is not None:
                    dropped = entry[2]
                elif len(self._seen) >= _MAX_TEMPLATES:
                    self._seen.clear()
                self._seen[key] = [now, 1, 0]
            else:
                entry[1] += 1
                if entry[1] > BURST:
                    entry[2] += 1
                    return False
        if dropped:
            record.msg = (f"{record.getMessage()} (and {dropped} more like this before it, "
                          f"not logged: at most {BURST} per {WINDOW:g} s)")
            record.args = None
        return True


_FILTER = RepeatFilter()


def get_logger(name: str) -> logging.Logger:
    """logging.getLogger(name) with the shared repeat filter on it."""
    logger = logging.getLogger(name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger
