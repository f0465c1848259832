"""redis-py's client-side cache (RESP3, `cache_config`) against the server, as an application uses it:
a cached GET is served from the client's memory, and the entry is dropped when another client writes
the key (the server's `invalidate` push), so the next GET reads the new value.  In each of redis-py's
tracking modes (plain, OPTIN, OPTOUT), and for FLUSHALL (a null invalidation drops everything).

redis-py enables its cache only for a server whose HELLO says 7.4 or later (older Redis releases had
RESP3 tracking bugs its cache does not work around); Redistill answers as the 7.0.15 it follows, so
the tests lower that floor for their own connections (fixture below) to exercise the protocol."""

from __future__ import annotations

import time

import pytest
import redis
from redis.cache import CacheConfig, CacheKey, TrackingMode
from redis.connection import CacheProxyConnection


@pytest.fixture(autouse=True)
def _server_version_floor(monkeypatch):
    monkeypatch.setattr(CacheProxyConnection, "MIN_ALLOWED_VERSION", "7.0.0")


def _everything(command: str, keys: tuple) -> bool:
    return True


def _wait_dropped(cache, key: CacheKey, r: redis.Redis, timeout: float = 10.0) -> None:
    """Until the invalidation has reached the client (redis-py reads pushes before each command)."""
    deadline = time.monotonic() + timeout
    while cache.get(key) is not None:
        assert time.monotonic() < deadline, "the cached entry was never invalidated"
        r.ping()   # lets the connection read the pending push
        time.sleep(0.01)


@pytest.mark.parametrize("mode", [TrackingMode.PLAIN, TrackingMode.OPTIN, TrackingMode.OPTOUT])
def test_entry_dropped_when_another_client_writes(server, mode):
    r = redis.Redis(host=server.host, port=server.port, protocol=3, decode_responses=True,
                    cache_config=CacheConfig(tracking_mode=mode,
                                             cache_predicate=None if mode is TrackingMode.PLAIN else _everything),
                    single_connection_client=True)
    w = redis.Redis(host=server.host, port=server.port, decode_responses=True)
    try:
        w.set("csc:user:1", "alice")
        assert r.get("csc:user:1") == "alice"
        cache = r.get_cache()
        key = CacheKey(command="GET", redis_keys=("csc:user:1",), redis_args=("GET", "csc:user:1"))
        assert cache.get(key) is not None and cache.get(key).cache_value == "alice"
        assert r.get("csc:user:1") == "alice"          # from the cache
        w.set("csc:user:1", "bob")
        _wait_dropped(cache, key, r)
        assert r.get("csc:user:1") == "bob"
        assert cache.get(key).cache_value == "bob"     # cached again, and tracked again
        w.delete("csc:user:1")
        _wait_dropped(cache, key, r)
        assert r.get("csc:user:1") is None
    finally:
        r.close()
        w.close()


def test_flushall_drops_every_entry(server):
    r = redis.Redis(host=server.host, port=server.port, protocol=3, decode_responses=True,
                    cache_config=CacheConfig(), single_connection_client=True)
    w = redis.Redis(host=server.host, port=server.port, decode_responses=True)
    try:
        w.mset({"csc:a": "1", "csc:b": "2"})
        assert (r.get("csc:a"), r.get("csc:b")) == ("1", "2")
        cache = r.get_cache()
        assert cache.size >= 2
        w.flushall()
        deadline = time.monotonic() + 10
        while cache.size:
            assert time.monotonic() < deadline, "FLUSHALL's null invalidation never arrived"
            r.ping()
            time.sleep(0.01)
        assert r.get("csc:a") is None
    finally:
        r.close()
        w.close()
