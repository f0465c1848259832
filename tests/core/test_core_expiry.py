"""Expiry: lazy (an expired key is absent and freed on access) and active (reclaimed without reads)."""

import time

from redistill._core import lib


def test_lazy_expiry(kv):
    now = lib.rd_now_ms()
    kv.set(b"gone", b"v", 0, now + 30)
    kv.set(b"stay", b"v", 0, now + 100_000)
    assert kv.get(b"gone") == (lib.RD_OK, b"v")
    time.sleep(0.06)
    assert kv.get(b"gone") == (lib.RD_NOT_FOUND, None)
    s = kv.stats()
    assert s["keys"] == 1 and s["expired"] == 1 and s["expires"] == 1
    for op in (lambda k: kv.exists(k), lambda k: kv.delete(k), lambda k: kv.pttl(k)[0],
               lambda k: kv.persist(k), lambda k: kv.expire(k, now + 99_999)):
        kv.set(b"e", b"v", 0, lib.rd_now_ms() + 20)
        time.sleep(0.03)
        assert op(b"e") == lib.RD_NOT_FOUND
    # SET NX / XX and INCR see an expired key as absent.
    kv.set(b"e", b"5", 0, lib.rd_now_ms() + 20)
    time.sleep(0.03)
    assert kv.set(b"e", b"x", lib.RD_SET_XX)[0] == lib.RD_NOT_DONE
    kv.set(b"e", b"5", 0, lib.rd_now_ms() + 20)
    time.sleep(0.03)
    assert kv.incrby(b"e", 1) == (lib.RD_OK, 1)
    assert kv.pttl(b"e") == (lib.RD_OK, -1)


def test_set_with_past_time_is_absent(kv):
    assert kv.set(b"k", b"v", 0, 1)[0] == lib.RD_OK
    assert kv.get(b"k") == (lib.RD_NOT_FOUND, None)


def test_active_expiry_reclaims_unread_keys(kv):
    now = lib.rd_now_ms()
    n = 20_000
    for i in range(n):
        kv.set(b"t%d" % i, b"v", 0, now + 1000)
    for i in range(1000):
        kv.set(b"p%d" % i, b"v")
    assert kv.stats()["keys"] == n + 1000
    if lib.rd_now_ms() < now + 900:
        assert kv.active_expire(10_000) == 0  # nothing due yet
    time.sleep(max(0, now + 1050 - lib.rd_now_ms()) / 1000)
    reclaimed = 0
    for _ in range(100):
        reclaimed += kv.active_expire(50_000)
        if kv.stats()["keys"] == 1000:
            break
    s = kv.stats()
    assert reclaimed == n and s["keys"] == 1000 and s["expires"] == 0 and s["expired"] == n
    assert kv.get(b"p5") == (lib.RD_OK, b"v")


def test_active_expiry_respects_budget(kv):
    now = lib.rd_now_ms()
    for i in range(50_000):
        kv.set(b"t%d" % i, b"v", 0, now + 20)
    time.sleep(0.05)
    t0 = time.perf_counter()
    kv.active_expire(1000)
    assert time.perf_counter() - t0 < 0.05  # 1 ms budget, generous slack for a loaded machine
    assert kv.active_expire(0) >= 0  # a zero budget still makes one bounded visit


def test_paused_expiry_keeps_expired_keys_and_a_write_replaces_them(kv):
    """rd_ks_pause_expiry (CLIENT PAUSE): an expired key reads as absent but stays (nothing
    counted as expired); a write to it replaces the kept entry, so the key is there once; once
    resumed, lazy expiry reclaims what is left."""
    now = lib.rd_now_ms()
    kv.set(b"kept", b"v", 0, now + 20)
    kv.set(b"rewritten", b"old", 0, now + 20)
    lib.rd_ks_pause_expiry(1)
    try:
        time.sleep(0.04)
        assert kv.get(b"kept") == (lib.RD_NOT_FOUND, None)
        assert kv.get(b"rewritten") == (lib.RD_NOT_FOUND, None)
        s = kv.stats()
        assert s["keys"] == 2 and s["expired"] == 0
        assert kv.set(b"rewritten", b"new")[0] == lib.RD_OK
        assert kv.get(b"rewritten") == (lib.RD_OK, b"new")
        s = kv.stats()
        assert s["keys"] == 2 and s["expired"] == 1
    finally:
        lib.rd_ks_pause_expiry(0)
    assert kv.get(b"kept") == (lib.RD_NOT_FOUND, None)
    assert kv.delete(b"rewritten") == lib.RD_OK
    assert kv.get(b"rewritten") == (lib.RD_NOT_FOUND, None)   # no older copy shows up
    s = kv.stats()
    assert s["keys"] == 0 and s["expired"] == 2
