"""Fixtures of the differential tests."""

from __future__ import annotations

import pytest

from resp import RespSocket


@pytest.fixture(scope="module")
def socks(redis_server, server):
    """One connection to real redis-server and one to the server under test."""
    a = RespSocket(redis_server.host, redis_server.port, timeout=10)
    b = RespSocket(server.host, server.port, timeout=10)
    yield a, b
    a.close()
    b.close()
