"""Redistill: a Redis-compatible in-memory cache (Python server loop, C keyspace and fast path)."""
import os as _os
import sys as _sys

__version__ = "0.1.0"

# Python 3.13+ may be free-threaded, where the C core may have to load through ctypes.
if hasattr(_sys, "_is_gil_enabled") or _os.environ.get("REDISTILL_CORE") == "ctypes":
    from redistill import _core_loader

    _core_loader.install()
