"""Evicted values give their memory back, for every type under every policy, judged by the server's RSS.

Values of one type are written under new keys through a 2 MB maxmemory, several times the limit, so almost
all of them are evicted; after a warm-up RSS must stay flat (used_memory alone cannot see a leak: it counts
what the keyspace holds, not what the heap keeps).  The stress test mixes every type, every policy, limit
changes and every kind of death from two clients at once, seeded, for REDISTILL_FUZZ_SECONDS (default 5)."""

from __future__ import annotations

import os
import random
import threading
import time

import pytest

from resp import ErrorReply, encode_command

from .valuemem import pipe, sp  # noqa: F401 (the fixtures)
from .valuemem import BATCH, MB, TYPES, Pipe, churn_growth, make, rss, skip_rss_under_asan

POLICIES = ["allkeys-lru", "allkeys-lfu", "allkeys-random", "allkeys-s3fifo",
            "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]
LIMIT = 2 * MB
ROUNDS = 12  # of BATCH values, ~1.5 MB each: ~9x the limit
WARMUP = 4
GROWTH_MB = 6  # a leak would keep the ~12 MB evicted over the measured rounds


def _write_round(pipe: Pipe, kind: str, r: int, ttl: bool) -> None:
    for i in range(r * BATCH, (r + 1) * BATCH):
        key = f"e:{i}"
        pipe.add(make(kind, key, i) + ([encode_command("EXPIRE", key, 3600 + i)] if ttl else []))
    pipe.flush()


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("kind", TYPES)
def test_evicted_values_give_their_memory_back(sp, pipe, kind, policy):
    if sp.is_redis and policy == "allkeys-s3fifo":
        pytest.skip("Redistill's own policy")
    pipe.call("CONFIG", "SET", "maxmemory-policy", policy)
    pipe.call("CONFIG", "SET", "maxmemory", LIMIT)
    evicted0 = pipe.info("evicted_keys")
    ttl = policy.startswith("volatile")
    grown, peak = churn_growth(sp, [lambda r=r: _write_round(pipe, kind, r, ttl) for r in range(ROUNDS)], WARMUP)
    evicted = pipe.info("evicted_keys") - evicted0
    assert evicted >= (ROUNDS - WARMUP) * BATCH // 2, f"only {evicted} keys evicted"
    if not skip_rss_under_asan(sp):
        assert grown < GROWTH_MB * MB, (
            f"{kind} values evicted under {policy}: RSS grew {grown / MB:.1f} MB while {evicted} keys were "
            f"evicted through a {LIMIT // MB} MB limit (peak {peak / MB:.0f} MB): evicted values are not freed")
    # FLUSHALL then leaves the keyspace as empty as it found it.
    pipe.call("CONFIG", "SET", "maxmemory", 0)
    pipe.call("FLUSHALL")
    if not sp.is_redis:
        assert pipe.info("used_memory") < 1 * MB


# ---- the stress: every type, policy and death at once ------------------------------------------------------

STRESS_SECONDS = float(os.environ.get("REDISTILL_FUZZ_SECONDS", "5"))


def _stress_client(sp, seed: int, stop: float, errors: list) -> None:
    """Random writes of every type (new keys and a few hot ones), reads, and deaths of every kind."""
    rng = random.Random(seed)
    pipe = Pipe(sp)
    try:
        n = 0
        while time.monotonic() < stop:
            for _ in range(BATCH):
                n += 1
                kind = rng.choice(TYPES)
                key = f"s{seed}:{rng.randrange(400) if rng.random() < 0.3 else n}"
                i = seed * 10_000_000 + n
                op = rng.random()
                if op < 0.55:  # a fresh value (replacing whatever the key held)
                    pipe.add([encode_command("DEL", key)] + make(kind, key, i))
                    if rng.random() < 0.6:
                        pipe.add([encode_command("PEXPIRE", key, rng.choice([1, 50, 3_600_000]))])
                elif op < 0.65:
                    pipe.add([encode_command(rng.choice(["DEL", "UNLINK", "EXISTS", "TYPE"]), key)])
                elif op < 0.75:
                    pipe.add([encode_command("COPY", key, f"s{seed}:{rng.randrange(400)}", "REPLACE")])
                elif op < 0.82:
                    pipe.add([encode_command("RENAME", key, f"s{seed}:{rng.randrange(400)}")])
                elif op < 0.9:
                    dst = f"s{seed}:{rng.randrange(400)}"
                    pipe.add([encode_command(*rng.choice([("SUNIONSTORE", dst, key), ("ZUNIONSTORE", dst, 1, key)]))])
                else:  # pops and trims
                    pipe.add([encode_command(*rng.choice([("LPOP", key, 30), ("SPOP", key, 30), ("ZPOPMIN", key, 30),
                                                           ("LTRIM", key, 0, 10), ("HDEL", key, "f1", "f2", "f3")]))])
            errors += [r for r in pipe.flush(errors_ok=True) if isinstance(r, ErrorReply) and not r.startswith(
                (b"ERR no such key", b"ERR source and destination", b"WRONGTYPE", b"OOM"))]  # expected refusals
    except Exception as e:  # reported by the test
        errors.append(repr(e))
    finally:
        pipe.close()


def test_eviction_stress_of_every_type_keeps_rss_flat(sp, pipe):
    seed = int(os.environ.get("REDISTILL_FUZZ_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    pipe.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
    pipe.call("CONFIG", "SET", "maxmemory", 4 * MB)
    samples: list[int] = []
    errors: list = []
    start = time.monotonic()
    stop = start + STRESS_SECONDS
    clients = [threading.Thread(target=_stress_client, args=(sp, seed + c, stop, errors)) for c in range(2)]
    for t in clients:
        t.start()
    while time.monotonic() < stop:  # the policy and the limit change under the writers
        time.sleep(0.25)
        pipe.call("CONFIG", "SET", "maxmemory-policy",
                  rng.choice([p for p in POLICIES + ["noeviction"] if not (sp.is_redis and p == "allkeys-s3fifo")]))
        pipe.call("CONFIG", "SET", "maxmemory", rng.choice([2, 4, 6]) * MB)
        samples.append(rss(sp))
    for t in clients:
        t.join(60)
    assert not any(t.is_alive() for t in clients), "a stress client is stuck"
    assert not errors, f"seed {seed}: {errors[:5]}"
    pipe.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
    pipe.call("CONFIG", "SET", "maxmemory", 6 * MB)
    pipe.call("SET", "last", "v")
    assert sp.is_redis or pipe.info("used_memory") <= 6 * MB  # Redis's counts client buffers too
    half = samples[len(samples) // 2]  # by then the heap has its working size (~2 s)
    if not skip_rss_under_asan(sp):
        assert samples[-1] - half < 10 * MB, (
            f"seed {seed}: RSS kept growing under a <= 6 MB limit: {[x // MB for x in samples]} MB")
