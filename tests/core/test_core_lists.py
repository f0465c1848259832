"""List objects in the C core: the ring buffer against a Python model through wrap-around,
growth and shrinking, and every path that frees, moves or copies a list (pops, LREM, LTRIM, LMOVE,
DEL, SET over it, RENAME, COPY, expiry, FLUSHALL, keyspace free) with exact memory accounting.
Under `make sanitize-quick` these run with ASan, which catches a double free or use after free."""

from __future__ import annotations

import random
import time

from corehelp import KS
from redistill._core import lib
from test_core_types import Exec, used


def items(reply: bytes) -> list[bytes]:
    """The bulks of a flat RESP2 array reply."""
    assert reply.startswith(b"*"), reply
    return reply.split(b"\r\n")[2:-1:2]


def lrange(x: Exec, key: str) -> list[bytes]:
    return items(x.run("LRANGE", key, "0", "-1"))


def test_model_random_operations(ks):
    """Random pushes, pops, inserts, removals and trims keep the list equal to a Python list."""
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    rng = random.Random(8)
    model: list[bytes] = []
    for step in range(3000):
        op = rng.randrange(9)
        v = str(rng.randrange(20)).encode()
        if op <= 1:  # pushes dominate so the list grows past several ring sizes
            n = rng.randrange(1, 6)
            vals = [str(rng.randrange(20)).encode() for _ in range(n)]
            if op == 0:
                x.run("LPUSH", "l", *vals)
                model[:0] = vals[::-1]
            else:
                x.run("RPUSH", "l", *vals)
                model.extend(vals)
        elif op == 2:
            n = rng.randrange(0, 4)
            got = x.run("LPOP", "l", n)
            if not model:
                assert got == b"*-1\r\n", (step, got)  # no key: the null array
            elif n == 0:
                assert got == b"*0\r\n", (step, got)
            else:
                assert items(got) == model[:n], step
                model = model[n:]
        elif op == 3:
            got = x.run("RPOP", "l")
            if model:
                assert got == b"$%d\r\n%s\r\n" % (len(model[-1]), model[-1])
                model.pop()
            else:
                assert got == b"$-1\r\n"
        elif op == 4 and model:
            pivot = rng.choice(model)
            after = rng.randrange(2)
            i = model.index(pivot) + after
            x.run("LINSERT", "l", "AFTER" if after else "BEFORE", pivot, v)
            model.insert(i, v)
        elif op == 5:
            count = rng.randrange(-3, 4)
            got = x.run("LREM", "l", count, v)
            idx = [i for i, e in enumerate(model) if e == v]
            if count > 0:
                idx = idx[:count]
            elif count < 0:
                idx = idx[count:]
            model = [e for i, e in enumerate(model) if i not in set(idx)]
            assert got == b":%d\r\n" % len(idx)
        elif op == 6 and len(model) > 40:
            start, stop = rng.randrange(-10, 10), rng.randrange(-10, 50)
            x.run("LTRIM", "l", start, stop)
            n = len(model)
            s, e = (start + n if start < 0 else start), (stop + n if stop < 0 else stop)
            s = max(s, 0)
            model = [] if s > e or s >= n else model[s:min(e, n - 1) + 1]
        elif op == 7 and model:
            i = rng.randrange(-len(model), len(model))
            x.run("LSET", "l", i, v)
            model[i] = v
        elif op == 8:
            src, dst = rng.choice(["LEFT", "RIGHT"]), rng.choice(["LEFT", "RIGHT"])
            x.run("LMOVE", "l", "l", src, dst)
            if model:  # a rotation of the same list
                e = model.pop(0 if src == "LEFT" else -1)
                model.insert(0 if dst == "LEFT" else len(model), e)
        assert lrange(x, "l") == model, step
        assert x.run("LLEN", "l") == b":%d\r\n" % len(model)
        if model:
            i = rng.randrange(len(model))
            assert x.run("LINDEX", "l", i) == b"$%d\r\n%s\r\n" % (len(model[i]), model[i])
    kv.delete(b"l")
    assert used(kv) == base


def test_lmove_rotation_and_between_lists(ks):
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    x.run("RPUSH", "a", *range(10))
    assert x.run("LMOVE", "a", "a", "LEFT", "RIGHT") == b"$1\r\n0\r\n"
    assert lrange(x, "a") == [str(i).encode() for i in [*range(1, 10), 0]]
    for _ in range(10):
        x.run("RPOPLPUSH", "a", "b")
    assert kv.exists(b"a") == lib.RD_NOT_FOUND
    assert lrange(x, "b") == [str(i).encode() for i in [*range(1, 10), 0]]
    kv.delete(b"b")
    assert used(kv) == base  # moved elements changed owner in the counts


def test_memory_is_counted_and_given_back(ks):
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    x.run("RPUSH", "l", *[f"element-{i}" for i in range(1000)])
    grown = used(kv)
    assert grown > base + 1000 * 16
    x.run("LTRIM", "l", "0", "9")
    assert used(kv) < grown
    x.run("LPOP", "l", "100")
    assert kv.exists(b"l") == lib.RD_NOT_FOUND and used(kv) == base


def test_free_paths(ks):
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    x.run("RPUSH", "l", *range(200))
    kv.set(b"l", b"v")  # SET over a list frees it
    kv.delete(b"l")
    x.run("RPUSH", "l", *range(200))
    x.run("RPUSH", "other", "x")
    assert lib.rd_ks_rename(ks, b"l", 1, b"other", 5, 0) == lib.RD_OK  # replaces (frees) the old one
    assert lib.rd_ks_copy(ks, b"other", 5, b"c", 1, 0) == lib.RD_OK
    x.run("LPOP", "c")
    assert x.run("LLEN", "other") == b":200\r\n" and x.run("LLEN", "c") == b":199\r\n"
    assert x.run("LINDEX", "c", "0") == b"$1\r\n1\r\n" and x.run("LINDEX", "other", "0") == b"$1\r\n0\r\n"
    kv.delete(b"other")
    kv.delete(b"c")
    assert used(kv) == base
    x.run("RPUSH", "e", *range(50))
    assert kv.expire(b"e", lib.rd_now_ms() + 30) == lib.RD_OK
    time.sleep(0.1)
    assert x.run("LLEN", "e") == b":0\r\n"  # lazy expiry frees it
    assert used(kv) == base
    for i in range(20):
        x.run("RPUSH", f"l{i}", *range(30))
    assert lib.rd_ks_flush(ks) == lib.RD_OK
    x.run("RPUSH", "left", *range(30))  # left for rd_keyspace_free (the fixture) to free
