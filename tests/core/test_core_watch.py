"""The transaction primitives in C: the keyspace gate (csrc/gate.c) and WATCH's registry (csrc/watch.c)."""

import threading
import time

from redistill._core import ffi, lib


class Watch:
    def __init__(self, ks):
        self.ks = ks
        self._v = ffi.new("uint64_t *")
        self._live = ffi.new("int *")

    def watch(self, key: bytes):
        assert lib.rd_ks_watch(self.ks, key, len(key), self._v, self._live) == lib.RD_OK
        return self._v[0], bool(self._live[0])

    def check(self, key: bytes, state) -> int:
        return lib.rd_ks_watch_check(self.ks, key, len(key), state[0], int(state[1]))

    def unwatch(self, key: bytes) -> int:
        return lib.rd_ks_unwatch(self.ks, key, len(key))


def test_every_explicit_write_changes_a_watched_key(ks, kv):
    w = Watch(ks)
    at = lambda ms: lib.rd_now_ms() + ms  # noqa: E731
    writes = [
        ("set", lambda: kv.set(b"k", b"1")),
        ("set same value", lambda: kv.set(b"k", b"1")),
        ("incr", lambda: kv.incrby(b"k", 1)),
        ("expire", lambda: kv.expire(b"k", at(100_000))),
        ("persist", lambda: kv.persist(b"k")),
        ("mset", lambda: kv.mset([(b"x", b"1"), (b"k", b"2")])),
        ("expire in the past", lambda: kv.expire(b"k", 1)),
        ("set again", lambda: kv.set(b"k", b"3")),
        ("del", lambda: kv.delete(b"k")),
        ("incr of a missing key", lambda: kv.incrby(b"k", 5)),
    ]
    for name, write in writes:
        state = w.watch(b"k")
        assert w.check(b"k", state) == lib.RD_OK, name
        write()
        assert w.check(b"k", state) == lib.RD_NOT_DONE, name
        assert w.unwatch(b"k") == lib.RD_OK


def test_no_op_writes_and_other_keys_leave_it_alone(ks, kv):
    w = Watch(ks)
    kv.set(b"k", b"v")
    state = w.watch(b"k")
    assert state[1] is True
    kv.set(b"k", b"w", lib.RD_SET_NX)
    kv.persist(b"k")  # had no TTL
    kv.expire(b"k", lib.rd_now_ms() + 10_000, lib.RD_EXP_XX)
    kv.get(b"k")
    kv.exists(b"k")
    for i in range(3000):  # enough keys that many share the watched key's shard
        kv.set(b"other%d" % i, b"x")
        kv.incrby(b"n%d" % i, 1)
        kv.delete(b"other%d" % i)
    assert w.check(b"k", state) == lib.RD_OK


def test_expiry_rules_of_redis_7_0(ks, kv):
    w = Watch(ks)
    now = lib.rd_now_ms()
    # live at WATCH, expired by the check: changed, whether or not something reclaimed it
    kv.set(b"a", b"v", 0, now + 30)
    kv.set(b"b", b"v", 0, now + 30)
    a, b = w.watch(b"a"), w.watch(b"b")
    assert a[1] and b[1]
    time.sleep(0.1)
    assert kv.get(b"b") == (lib.RD_NOT_FOUND, None)  # lazy expiry reclaims b
    assert w.check(b"a", a) == lib.RD_NOT_DONE
    assert w.check(b"b", b) == lib.RD_NOT_DONE
    # expired at WATCH: reclaiming it is no change; writing it is
    kv.set(b"c", b"v", 0, lib.rd_now_ms() + 1)
    kv.set(b"d", b"v", 0, lib.rd_now_ms() + 1)
    time.sleep(0.05)
    c, d = w.watch(b"c"), w.watch(b"d")
    assert not c[1] and not d[1]
    kv.get(b"c")
    kv.active_expire()
    assert w.check(b"c", c) == lib.RD_OK
    kv.set(b"d", b"new")
    assert w.check(b"d", d) == lib.RD_NOT_DONE


def test_flush_changes_only_keys_that_were_live(ks, kv):
    w = Watch(ks)
    kv.set(b"live", b"v")
    live, absent = w.watch(b"live"), w.watch(b"absent")
    assert lib.rd_ks_flush(ks) == lib.RD_OK
    assert w.check(b"live", live) == lib.RD_NOT_DONE
    assert w.check(b"absent", absent) == lib.RD_OK


def test_registrations_are_counted(ks, kv):
    w = Watch(ks)
    first = w.watch(b"k")
    second = w.watch(b"k")  # another client
    assert first == second
    assert w.unwatch(b"k") == lib.RD_OK
    kv.set(b"k", b"v")  # the node survives while one registration holds it
    assert w.check(b"k", second) == lib.RD_NOT_DONE
    assert w.unwatch(b"k") == lib.RD_OK
    assert w.unwatch(b"k") == lib.RD_NOT_FOUND
    assert w.check(b"k", second) == lib.RD_NOT_FOUND


def test_binary_and_empty_keys(ks, kv):
    w = Watch(ks)
    for key in (b"", b"\x00", b"a\x00b", b"\xff" * 300):
        state = w.watch(key)
        kv.set(key + b"x", b"v")
        assert w.check(key, state) == lib.RD_OK, key
        kv.set(key, b"v")
        assert w.check(key, state) == lib.RD_NOT_DONE, key
        assert w.unwatch(key) == lib.RD_OK


def test_gate_is_reentrant_and_never_upgrades(ks):
    lib.rd_ks_shared_begin(ks)
    lib.rd_ks_shared_begin(ks)
    assert lib.rd_ks_exclusive_begin(ks) == lib.RD_NOT_DONE
    lib.rd_ks_shared_end(ks)
    lib.rd_ks_shared_end(ks)
    assert lib.rd_ks_exclusive_begin(ks) == lib.RD_OK
    assert lib.rd_ks_exclusive_begin(ks) == lib.RD_OK  # nested
    lib.rd_ks_shared_begin(ks)  # counts inside an exclusive hold
    lib.rd_ks_shared_end(ks)
    lib.rd_ks_exclusive_end(ks)
    lib.rd_ks_exclusive_end(ks)
    lib.rd_ks_shared_begin(ks)  # released: takes it again
    lib.rd_ks_shared_end(ks)


def test_exclusive_holder_keeps_other_threads_out(ks, conn):
    """While one thread holds the gate exclusive, another thread's command (Python path) and
    fast-path batch wait for it: what they do lands after everything the holder did."""
    events = []
    started = threading.Barrier(3, timeout=10)

    def shared_user():
        started.wait()
        lib.rd_ks_shared_begin(ks)
        events.append("shared")
        lib.rd_ks_shared_end(ks)

    def batch():
        started.wait()
        conn.feed(b"SET b 1\r\n")
        conn.run()
        events.append("batch")

    assert lib.rd_ks_exclusive_begin(ks) == lib.RD_OK
    threads = [threading.Thread(target=shared_user), threading.Thread(target=batch)]
    for t in threads:
        t.start()
    started.wait()
    time.sleep(0.2)  # give them every chance to get in (they must not)
    events.append("exclusive done")
    lib.rd_ks_exclusive_end(ks)
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads)
    assert events[0] == "exclusive done" and sorted(events[1:]) == ["batch", "shared"]
    assert conn.output() == b"+OK\r\n"
