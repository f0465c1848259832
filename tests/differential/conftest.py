"""Fixtures of the differential tests."""

from __future__ import annotations

import pytest

from resp import RespSocket

from .pairs import Pair


@pytest.fixture(scope="module")
def socks(redis_server, server):
    """One connection to real redis-server and one to the server under test."""
    a = RespSocket(redis_server.host, redis_server.port, timeout=10)
    b = RespSocket(server.host, server.port, timeout=10)
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def pair(redis_server, server):
    """pair(proto=2) -> a new Pair (RESP3 after HELLO 3 when proto is 3), closed after the test."""
    opened: list[Pair] = []

    def factory(proto: int = 2) -> Pair:
        p = Pair(redis_server, server)
        opened.append(p)
        if proto == 3:
            p.send("HELLO", "3")
            p.a.reply(), p.b.reply()   # the id differs
        return p

    yield factory
    for p in opened:
        p.close()
