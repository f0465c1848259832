"""Stripe locks under real concurrency (cffi releases the GIL around every call), growth to 1M keys, flush."""

import threading

from corehelp import KS, Conn, cmd
from redistill._core import ffi, lib


def run_threads(n, fn):
    errors = []

    def wrap(i):
        try:
            fn(i)
        except BaseException as e:  # surfaced below, with the thread's index
            errors.append((i, e))

    ts = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors


def test_concurrent_incr_exact_totals(ks):
    kv = KS(ks)
    keys = [b"c%d" % i for i in range(8)]
    r = ffi.new("int64_t *")

    def work(i):
        res = ffi.new("int64_t *")
        for j in range(20_000):
            k = keys[j % len(keys)]
            assert lib.rd_ks_incrby(ks, k, len(k), 1, res) == lib.RD_OK

    run_threads(4, work)
    for k in keys:
        assert lib.rd_ks_incrby(ks, k, len(k), 0, r) == lib.RD_OK
        assert r[0] == 4 * 20_000 // len(keys)


def test_concurrent_fast_path_incr(ks):
    """8 connections on 4 threads, INCR through the fast path: exactly 80,000."""
    def work(i):
        for _ in range(2):
            c = Conn(ks)
            try:
                out, _, _ = c.session(cmd("INCR", "hot") * 10_000)
                assert out.count(b":") == 10_000
            finally:
                c.close()

    run_threads(4, work)
    assert KS(ks).get(b"hot") == (lib.RD_OK, b"80000")


def test_concurrent_set_get_del_while_growing(ks):
    def work(i):
        buf = lib.rd_buf_new()
        try:
            for j in range(30_000):
                k = b"t%d-%d" % (i, j)
                v = b"v%d" % j
                assert lib.rd_ks_set(ks, k, len(k), v, len(v), 0, 0, ffi.NULL, ffi.NULL) == lib.RD_OK
                assert lib.rd_ks_get(ks, k, len(k), buf) == lib.RD_OK
                assert ffi.unpack(lib.rd_buf_data(buf), lib.rd_buf_len(buf)) == v
                if j % 3 == 0:
                    assert lib.rd_ks_del(ks, k, len(k)) == lib.RD_OK
                # Shared keys make the threads meet on the same stripes.
                s = b"shared%d" % (j % 64)
                lib.rd_ks_set(ks, s, len(s), v, len(v), 0, 0, ffi.NULL, ffi.NULL)
                lib.rd_ks_get(ks, s, len(s), buf)
        finally:
            lib.rd_buf_free(buf)

    run_threads(4, work)
    assert KS(ks).stats()["keys"] == 4 * 20_000 + 64


def test_mset_is_atomic_for_mget(ks):
    """A reader never sees half of an MSET: every MGET returns one writer's whole set."""
    keys = [b"m%d" % i for i in range(20)]
    stop = threading.Event()

    def writer(i):
        val = b"w%d" % i
        frame = cmd("MSET", *[x for k in keys for x in (k, val)])
        c = Conn(ks)
        try:
            for _ in range(300):
                c.session(frame)
        finally:
            c.close()

    def reader(i):
        c = Conn(ks)
        try:
            frame = cmd("MGET", *keys)
            while not stop.is_set():
                out, _, _ = c.session(frame)
                vals = set(out.split(b"\r\n")[2:-1:2])
                assert len(vals) <= 1, vals
        finally:
            c.close()

    readers = [threading.Thread(target=reader, args=(i,)) for i in range(2)]
    for t in readers:
        t.start()
    try:
        run_threads(2, writer)
    finally:
        stop.set()
        for t in readers:
            t.join()


def test_growth_to_a_million_keys_and_flush(ks):
    kv = KS(ks)
    base = kv.stats()["used_memory"]
    n = 1_000_000
    pairs_per_call = 1000
    keys = [b"key:%07d" % i for i in range(n)]
    val = ffi.new("char[]", b"val")  # must outlive the pointer array
    vals = ffi.new("const char *[]", [val] * pairs_per_call)
    vlens = ffi.new("size_t[]", [3] * pairs_per_call)
    for start in range(0, n, pairs_per_call):
        chunk = keys[start:start + pairs_per_call]
        cks = [ffi.new("char[]", k) for k in chunk]
        assert lib.rd_ks_mset(ks, len(chunk), ffi.new("const char *[]", cks),
                              ffi.new("size_t[]", [len(k) for k in chunk]), vals, vlens) == lib.RD_OK
    s = kv.stats()
    assert s["keys"] == n
    per_key = (s["used_memory"] - base) / n
    assert 40 < per_key < 120, per_key
    for i in range(0, n, 99_991):
        assert kv.get(keys[i]) == (lib.RD_OK, b"val")
    assert lib.rd_ks_flush(ks) == lib.RD_OK
    s2 = kv.stats()
    assert s2["keys"] == 0 and s2["used_memory"] < base + 65536
    assert s2["peak_memory"] >= s["used_memory"]
    assert kv.get(keys[0]) == (lib.RD_NOT_FOUND, None)


def test_tables_shrink_after_deletes(ks):
    kv = KS(ks)
    base = kv.stats()["used_memory"]
    for i in range(100_000):
        kv.set(b"s%d" % i, b"v")
    for i in range(100_000):
        assert kv.delete(b"s%d" % i) == lib.RD_OK
    s = kv.stats()
    assert s["keys"] == 0 and s["used_memory"] < base + 200_000
