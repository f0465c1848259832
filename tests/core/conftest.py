"""Fixtures for the C core tests: a fresh keyspace per test and connection drivers on it."""

from __future__ import annotations

import os
import sys

import pytest

pytest.importorskip("redistill._core", reason="the C core is not built (make build)")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corehelp import KS, Conn  # noqa: E402
from redistill._core import ffi, lib  # noqa: E402


@pytest.fixture
def ks():
    k = lib.rd_keyspace_new(0)
    assert k != ffi.NULL
    yield k
    lib.rd_keyspace_free(k)


@pytest.fixture
def conn_factory(ks):
    made = []

    def make(**kw) -> Conn:
        c = Conn(ks, **kw)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture
def conn(conn_factory) -> Conn:
    return conn_factory()


@pytest.fixture
def kv(ks) -> KS:
    return KS(ks)
