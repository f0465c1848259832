"""Seeded random streams with transactions: test_random's commands with MULTI, EXEC, DISCARD, WATCH, UNWATCH
(valid and invalid) scattered through them, one at a time and pipelined (MULTI switches the fast path off in
the middle of a batch). One connection, so WATCH is broken by the stream's own writes; reply bytes must match
real Redis."""

from __future__ import annotations

import random

import pytest

from resp import encode_command

from .scripts import Raw
from .test_differential import compare, run_script
from .test_random import KEYS, gen

# Stray transaction commands, mostly errors ("EXEC without MULTI", nesting, arity).
STRAY = [["MULTI"], ["EXEC"], ["DISCARD"], ["UNWATCH"], ["EXEC", "x"], ["MULTI", "x"], ["DISCARD", "x"],
         ["WATCH"], ["NOSUCH"]]


_SWAP = {"TTL": lambda a: ["EXISTS"] + a[1:], "PTTL": lambda a: ["EXISTS"] + a[1:], "DBSIZE": lambda a: ["PING"]}


def gen_txn(rnd: random.Random, n: int) -> list[list[str]]:
    """test_random's stream, cut into blocks: [WATCH keys, a few commands,] MULTI, 1-6 commands, EXEC (or
    DISCARD); stray transaction commands between blocks."""
    # Replies inside EXEC's array are compared as a whole: no TTL/PTTL (they may differ by a tick), and no
    # DBSIZE (it counts keys set with a past EXAT until each server's active expiry reclaims them).
    stream = [_SWAP.get(a[0], lambda a: a)(a) for a in gen(rnd, n)]
    steps: list[list[str]] = []
    while stream:
        r = rnd.random()
        if r < 0.1:
            steps.append(list(rnd.choice(STRAY)))
        if r < 0.4:
            steps.append(["WATCH"] + rnd.sample(KEYS, rnd.randrange(1, 3)))
            steps += [stream.pop() for _ in range(min(len(stream), rnd.randrange(0, 3)))]
        steps.append(["MULTI"])
        steps += [stream.pop() for _ in range(min(len(stream), rnd.randrange(1, 7)))]
        steps.append(["DISCARD"] if rnd.random() < 0.1 else ["EXEC"])
        steps += [stream.pop() for _ in range(min(len(stream), rnd.randrange(0, 4)))]
    return steps


@pytest.mark.parametrize("proto", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("seed", [1, 2])
def test_random_transactions(redis_server, server, seed, proto):
    steps = gen_txn(random.Random(seed * 100 + proto), 1000)
    if proto == 3:
        steps = [["HELLO", "3"]] + steps
    expected = run_script(redis_server.host, redis_server.port, steps)
    got = run_script(server.host, server.port, steps)
    compare(steps, expected, got, f"random transactions seed={seed} RESP{proto}")


@pytest.mark.parametrize("seed", [3])
def test_random_transactions_pipelined(redis_server, server, seed):
    cmds = gen_txn(random.Random(seed), 1000)
    steps = [Raw(b"".join(encode_command(*c) for c in cmds[i:i + 50]), len(cmds[i:i + 50]))
             for i in range(0, len(cmds), 50)]
    expected = run_script(redis_server.host, redis_server.port, steps)
    got = run_script(server.host, server.port, steps)
    compare(steps, expected, got, f"pipelined random transactions seed={seed}")
