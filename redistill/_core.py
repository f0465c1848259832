"""Fallback for a missing compiled core: Python imports this file only when no extension module
named redistill._core exists (an extension takes precedence over a .py file of the same name).

The normal core is the cffi extension `make build` compiles (build_ffi.py).  On a free-threaded
CPython 3.13 cffi does not build, so `make test-ft` compiles the same C sources into a plain
shared library and the core is loaded through ctypes (_core_ctypes.py, docs/FREE_THREADING.md).
Anywhere else a missing extension is a build problem, reported as such rather than papered over.
"""
import os
import sys

_free_threaded = not getattr(sys, "_is_gil_enabled", lambda: True)()
if not (_free_threaded or os.environ.get("REDISTILL_CORE") == "ctypes"):
    raise ImportError("redistill._core is not built (run `make build`); the ctypes fallback is "
                      "for free-threaded interpreters or REDISTILL_CORE=ctypes")

from redistill._core_ctypes import ffi, lib  # noqa: E402,F401  (re-exported as the core)
