"""MIGRATE's connection cache (commands/migrate.py): links unused for CACHE_TTL are closed by one
sweep chain, the cache holds at most CACHE_ITEMS, and INFO counts what it holds."""

from __future__ import annotations

import socket

import pytest

from redistill.commands import migrate


class FakeWorker:
    """Collects call_later timers instead of running an event loop."""

    def __init__(self):
        self.timers = []

    def call_later(self, delay, fn):
        self.timers.append(fn)


@pytest.fixture
def cache():
    yield migrate
    with migrate._cache_lock:
        links = list(migrate._cache.values())
        migrate._cache.clear()
        migrate._sweeping = False
    for link in links:
        migrate._close(link)


def _link():
    a, b = socket.socketpair()
    b.close()
    return migrate._Link(a)


def test_idle_links_are_closed_by_one_sweep_chain(cache, monkeypatch):
    w = FakeWorker()
    old, fresh = _link(), _link()
    cache._give(b"h:1", old)
    cache._give(b"h:2", fresh)
    old.last_use -= cache.CACHE_TTL + 1
    assert cache.cached_sockets() == 2
    cache._start_sweep(w)
    cache._start_sweep(w)          # a second transfer: still one chain
    assert len(w.timers) == 1
    w.timers.pop()()
    assert cache.cached_sockets() == 1 and old.sock.fileno() == -1 and fresh.sock.fileno() != -1
    assert len(w.timers) == 1      # the cache still holds a link: the chain goes on
    fresh.last_use -= cache.CACHE_TTL + 1
    w.timers.pop()()
    assert cache.cached_sockets() == 0 and not w.timers and not cache._sweeping


def test_cache_is_bounded(cache, monkeypatch):
    monkeypatch.setattr(cache, "CACHE_ITEMS", 3)
    links = [_link() for _ in range(5)]
    for i, link in enumerate(links):
        cache._give(b"h:%d" % i, link)
    assert cache.cached_sockets() == 3
    assert sum(link.sock.fileno() == -1 for link in links) == 2   # dropped ones are closed
    assert cache._take(b"h:4") is links[4] and cache.cached_sockets() == 2
