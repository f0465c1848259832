"""Bounded fuzzing of the C framing and fast path (fuzzcore.py), plus a replay of every saved failing input.

REDISTILL_FUZZ_SECONDS sets the budget (default 8 s); REDISTILL_FUZZ_SEED fixes the seed (default: random,
printed in any failure).  `make fuzz-core` runs the same fuzzer for longer."""

from __future__ import annotations

import os
import random

import pytest

import fuzzcore
from redistill._core import lib

BUDGET = float(os.environ.get("REDISTILL_FUZZ_SECONDS", "8"))


def test_fuzz_framing_and_fast_path():
    seed = int(os.environ.get("REDISTILL_FUZZ_SEED") or int.from_bytes(os.urandom(4), "little"))
    n = fuzzcore.fuzz(BUDGET, seed)
    assert n > 0


@pytest.mark.parametrize("data", fuzzcore.HOSTILE, ids=range(len(fuzzcore.HOSTILE)))
def test_hostile_frames(data):
    fuzzcore.check_input(data, random.Random(0))


CORPUS = sorted(fuzzcore.CORPUS.glob("*.bin")) if fuzzcore.CORPUS.exists() else []


@pytest.mark.skipif(not CORPUS, reason="no saved failing inputs")
@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_saved_inputs(path):
    fuzzcore.check_input(path.read_bytes(), random.Random(0))


def test_empty_feed_regression(conn):
    """Found by the fuzzer under UBSan: feeding 0 bytes to a fresh connection passed NULL to memcpy."""
    assert lib.rd_conn_feed(conn.c, b"", 0) == lib.RD_OK
    assert conn.run() == lib.RD_OK
    fuzzcore.check_input(b"", random.Random(0))
