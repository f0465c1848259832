"""Redistill: a Redis-compatible in-memory cache (Python server loop, C keyspace and fast path)."""

__version__ = "0.1.0"
