"""Every way a value dies gives its memory back, for every type, judged by the server's RSS.

For each (type, death) the test makes and kills ROUNDS x BATCH values through a live set of about BATCH
values (~1.5 MB), ~18 MB in all, and asserts that RSS grows by less than GROWTH_MB over the measured rounds
(the first rounds are a warm-up that brings glibc's arenas to their working size).  A death that forgot to
free the value would keep all of it.  used_memory must come back to where it started once every value is
dead (exactly but for a chunk's slack: nothing else may stay counted).  Eviction under every policy is in
test_evict_memory.py.  The server is started once for the module (the target: Redistill, or real Redis)."""

from __future__ import annotations

import time

import pytest

from resp import encode_command

from .valuemem import pipe, sp  # noqa: F401 (the fixtures)
from .valuemem import (BATCH, MB, TYPES, Pipe, churn_growth, elements, make, rss, set_members,
                       skip_rss_under_asan, wait_until)

ROUNDS = 12  # of BATCH values each: 480 deaths
WARMUP = 3
GROWTH_MB = 8  # a leak of these values would cost 12+ MB over the measured rounds


def _fields(i: int) -> int:
    return len(elements(i))


def _pop_all(kind: str, key: str, i: int) -> list[bytes]:
    """Commands that empty key by popping or removing its elements (Redis then deletes the key)."""
    if kind == "string":
        return [encode_command("GETDEL", key)]
    if kind == "hash":
        return [encode_command("HDEL", key, *[b"f%d" % j for j in range(_fields(i))])]
    if kind == "list":
        return [encode_command("LPOP", key), encode_command("RPOP", key, 5),
                encode_command("LMPOP", 1, key, "LEFT", "COUNT", 1000)]
    if kind == "set":
        return [encode_command("SPOP", key), encode_command("SPOP", key, 1000)]
    return [encode_command("ZPOPMIN", key), encode_command("ZPOPMAX", key, 3), encode_command("ZPOPMIN", key, 1000)]


def _trim(kind: str, key: str, i: int) -> list[bytes]:
    """Removes elements in place (part, then the rest, which deletes the key)."""
    if kind == "list":
        return [encode_command("LTRIM", key, 3, 20), encode_command("LTRIM", key, 5, 4)]
    if kind == "hash":
        fields = [b"f%d" % j for j in range(_fields(i))]
        return [encode_command("HDEL", key, *fields[::2]), encode_command("HDEL", key, *fields[1::2])]
    if kind == "set":
        m = set_members(i)
        return [encode_command("SREM", key, *m[::2]), encode_command("SREM", key, *m[1::2])]
    if kind == "zset":
        return [encode_command("ZREMRANGEBYRANK", key, 0, 9), encode_command("ZREMRANGEBYSCORE", key, "-inf", 40),
                encode_command("ZREMRANGEBYSCORE", key, "-inf", "+inf")]
    return [encode_command("SETRANGE", key, 0, "x"), encode_command("DEL", key)]  # strings: no element removal


STORES = {  # *STORE commands that replace dst with a copy of src (same type)
    "set": [("SUNIONSTORE", "{d}", "{s}"), ("SINTERSTORE", "{d}", "{s}", "{s}"), ("SDIFFSTORE", "{d}", "{s}", "nokey")],
    "zset": [("ZUNIONSTORE", "{d}", 1, "{s}"), ("ZINTERSTORE", "{d}", 1, "{s}"), ("ZDIFFSTORE", "{d}", 1, "{s}"),
             ("ZRANGESTORE", "{d}", "{s}", 0, -1)],
}


def _store(kind: str, dst: str, i: int) -> list[bytes]:
    """A *STORE over dst, which holds a value of `kind`: a set/zset is replaced by a copy of src; other
    types by an empty result, which deletes dst."""
    if kind in STORES:
        form = STORES[kind][i % len(STORES[kind])]
        return [encode_command(*[a.format(d=dst, s="src") if isinstance(a, str) else a for a in form])]
    return [encode_command(*(("SUNIONSTORE", dst, "nokey") if i % 2 else ("ZUNIONSTORE", dst, 1, "nokey")))]


def _round(pipe: Pipe, kind: str, death: str, r: int) -> None:
    """Makes BATCH values (numbers r*BATCH...) and kills them the way `death` says."""
    first = r * BATCH
    for i in range(first, first + BATCH):
        slot, key = i % BATCH, f"v:{i}"
        if death in ("del", "unlink"):
            pipe.add(make(kind, key, i) + [encode_command(death.upper(), key)])
        elif death == "pop":
            pipe.add(make(kind, key, i) + _pop_all(kind, key, i))
        elif death == "trim":
            pipe.add(make(kind, key, i) + _trim(kind, key, i))
        elif death == "set-overwrite":
            pipe.add(make(kind, key, i) + [encode_command("SET", key, "x"), encode_command("DEL", key)]
                     if kind != "string" else make(kind, f"slot:{slot}", i))  # SET over the previous string
        elif death == "rename":
            pipe.add(make(kind, "new", i) + [encode_command("RENAME", "new", f"slot:{slot}")])
        elif death == "store":
            if kind not in STORES:
                pipe.add(make(kind, f"slot:{slot}", i))
            pipe.add(_store(kind, f"slot:{slot}", i))
        elif death == "copy-replace":
            pipe.add([encode_command("COPY", "src", f"slot:{slot}", "REPLACE")])
        elif death in ("expire-active", "expire-lazy"):
            pipe.add(make(kind, key, i) + [encode_command("PEXPIRE", key, 1)])
        elif death == "flush":
            pipe.add(make(kind, key, i))
        else:
            raise AssertionError(death)
    pipe.flush()
    if death == "expire-lazy":  # read each key once it has expired: the read reclaims it
        time.sleep(0.005)
        pipe.add([encode_command("EXISTS", f"v:{i}") for i in range(first, first + BATCH)])
        assert all(x == 0 for x in pipe.flush())
    elif death == "expire-active":  # nobody reads them: the cron's active expiry reclaims them
        wait_until(lambda: pipe.call("DBSIZE") == 0, 10, "active expiry to reclaim every key")
    elif death == "flush":
        pipe.call(*["FLUSHALL", "FLUSHDB", "FLUSHALL ASYNC", "FLUSHDB SYNC"][r % 4].split())
        if r % 4 == 2:
            wait_until(lambda: pipe.call("DBSIZE") == 0, 10, "FLUSHALL ASYNC")


DEATHS = ["del", "unlink", "pop", "trim", "set-overwrite", "rename", "store", "copy-replace",
          "expire-active", "expire-lazy", "flush"]


@pytest.mark.parametrize("death", DEATHS)
@pytest.mark.parametrize("kind", TYPES)
def test_dead_values_give_their_memory_back(sp, pipe, kind, death):
    if death == "copy-replace" or (death == "store" and kind in STORES):
        pipe.add(make(kind, "src", 0))  # the source every copy (or store) duplicates
        pipe.flush()
    used0 = pipe.info("used_memory")
    grown, peak = churn_growth(sp, [lambda r=r: _round(pipe, kind, death, r) for r in range(ROUNDS)], WARMUP)
    live = 1 if pipe.call("EXISTS", "src") else 0
    # Dead is dead: nothing but the slots (and src) remains, and nothing of the churn stays counted.
    pipe.add([encode_command("DEL", *[f"slot:{s}" for s in range(BATCH)])])
    pipe.flush()
    assert pipe.call("DBSIZE") == live
    if not skip_rss_under_asan(sp):
        assert grown < GROWTH_MB * MB, (
            f"{kind} values dying by {death}: RSS grew {grown / MB:.1f} MB over {ROUNDS - WARMUP} rounds "
            f"of {BATCH} values (peak {peak / MB:.0f} MB): their memory is not freed")
    used1 = pipe.info("used_memory")
    if not sp.is_redis:  # Redis's used_memory also counts client buffers; Redistill's is the keyspace's alone
        assert abs(used1 - used0) < 64 * 1024, f"used_memory {used0} before, {used1} after every value died"


@pytest.mark.parametrize("kind", TYPES)
def test_flush_hands_the_memory_back(sp, pipe, kind):
    """~30 MB of values, then FLUSHALL (or FLUSHDB): RSS falls back near where it was before them, as with
    Redis, whose allocator returns freed pages (Redistill asks glibc to, with malloc_trim)."""
    before = rss(sp)
    for r in range(20):
        pipe.add([c for i in range(r * BATCH, (r + 1) * BATCH) for c in make(kind, f"v:{i}", i)])
        pipe.flush()
    full = rss(sp)
    pipe.call("FLUSHALL" if kind != "list" else "FLUSHDB")
    if not skip_rss_under_asan(sp):
        assert full - before > 20 * MB, f"the values took only {(full - before) / MB:.1f} MB"
        after = rss(sp)
        assert after - before < 8 * MB, (
            f"{kind}: RSS {before / MB:.0f} MB before the values, {full / MB:.0f} MB with them, "
            f"{after / MB:.0f} MB after the flush")
