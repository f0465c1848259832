"""rd_ks_*: statuses, SET flags, counters, expiry commands, MSET, stats, binary keys."""

from redistill._core import ffi, lib


def test_get_set_del_exists(kv):
    assert kv.get(b"k") == (lib.RD_NOT_FOUND, None)
    assert kv.set(b"k", b"v")[0] == lib.RD_OK
    assert kv.get(b"k") == (lib.RD_OK, b"v")
    assert kv.exists(b"k") == lib.RD_OK
    assert kv.delete(b"k") == lib.RD_OK
    assert kv.delete(b"k") == lib.RD_NOT_FOUND
    assert kv.exists(b"k") == lib.RD_NOT_FOUND


def test_binary_keys_and_values(kv):
    for key, val in [(b"", b""), (b"\x00", b"\x00\x00"), (b"a\x00b", b"\r\n\x00\xff"), (b"\xff" * 300, b"x" * (1 << 20))]:
        assert kv.set(key, val)[0] == lib.RD_OK
        assert kv.get(key) == (lib.RD_OK, val)
    assert kv.get(b"a") == (lib.RD_NOT_FOUND, None)


def test_set_nx_xx_get_keepttl(kv):
    assert kv.set(b"k", b"1", lib.RD_SET_XX) == (lib.RD_NOT_DONE, None)
    assert kv.set(b"k", b"1", lib.RD_SET_NX) == (lib.RD_OK, None)
    assert kv.set(b"k", b"2", lib.RD_SET_NX) == (lib.RD_NOT_DONE, None)
    assert kv.set(b"k", b"3", lib.RD_SET_XX | lib.RD_SET_GET) == (lib.RD_OK, b"1")
    assert kv.set(b"k", b"4", lib.RD_SET_NX | lib.RD_SET_GET) == (lib.RD_NOT_DONE, b"3")
    assert kv.set(b"new", b"x", lib.RD_SET_GET) == (lib.RD_OK, None)
    at = lib.rd_now_ms() + 100_000
    kv.set(b"t", b"v", 0, at)
    kv.set(b"t", b"w", lib.RD_SET_KEEPTTL)
    st, ms = kv.pttl(b"t")
    assert st == lib.RD_OK and 90_000 < ms <= 100_000
    kv.set(b"t", b"x")  # a plain SET clears the TTL
    assert kv.pttl(b"t") == (lib.RD_OK, -1)


def test_incrby(kv):
    assert kv.incrby(b"n", 1) == (lib.RD_OK, 1)
    assert kv.incrby(b"n", -11) == (lib.RD_OK, -10)
    kv.set(b"big", b"9223372036854775806")
    assert kv.incrby(b"big", 1) == (lib.RD_OK, 2**63 - 1)
    assert kv.incrby(b"big", 1)[0] == lib.RD_ERR_OVERFLOW
    kv.set(b"small", b"-9223372036854775808")
    assert kv.incrby(b"small", -1)[0] == lib.RD_ERR_OVERFLOW
    for bad in [b"abc", b"", b" 1", b"1 ", b"+1", b"01", b"-0", b"1.5", b"9223372036854775808", b"1" * 21]:
        kv.set(b"s", bad)
        assert kv.incrby(b"s", 1)[0] == lib.RD_ERR_NOTINT, bad
        assert kv.get(b"s") == (lib.RD_OK, bad)
    kv.set(b"z", b"0")
    assert kv.incrby(b"z", 0) == (lib.RD_OK, 0)


def test_incr_keeps_ttl_and_grows_value(kv):
    at = lib.rd_now_ms() + 100_000
    kv.set(b"n", b"9", 0, at)
    assert kv.incrby(b"n", 10**17) == (lib.RD_OK, 10**17 + 9)  # outgrows the allocation
    assert kv.get(b"n") == (lib.RD_OK, b"100000000000000009")
    assert kv.pttl(b"n")[1] > 90_000


def test_expire_flags(kv):
    now = lib.rd_now_ms()
    assert kv.expire(b"missing", now + 1000) == lib.RD_NOT_FOUND
    kv.set(b"k", b"v")
    assert kv.expire(b"k", now + 5000, lib.RD_EXP_XX) == lib.RD_NOT_DONE
    assert kv.expire(b"k", now + 5000, lib.RD_EXP_GT) == lib.RD_NOT_DONE  # no TTL = infinite
    assert kv.expire(b"k", now + 5000, lib.RD_EXP_LT) == lib.RD_OK
    assert kv.expire(b"k", now + 9000, lib.RD_EXP_NX) == lib.RD_NOT_DONE
    assert kv.expire(b"k", now + 4000, lib.RD_EXP_GT) == lib.RD_NOT_DONE
    assert kv.expire(b"k", now + 9000, lib.RD_EXP_GT) == lib.RD_OK
    assert kv.expire(b"k", now + 9500, lib.RD_EXP_LT) == lib.RD_NOT_DONE
    assert kv.stats()["expires"] == 1
    assert kv.persist(b"k") == lib.RD_OK
    assert kv.persist(b"k") == lib.RD_NOT_DONE
    assert kv.persist(b"nope") == lib.RD_NOT_FOUND
    assert kv.stats()["expires"] == 0
    assert kv.expire(b"k", now - 1) == lib.RD_OK  # a past time deletes
    assert kv.get(b"k") == (lib.RD_NOT_FOUND, None)
    assert kv.pttl(b"k")[0] == lib.RD_NOT_FOUND


def test_mset(kv):
    pairs = [(b"k%d" % i, b"v%d" % i) for i in range(100)] + [(b"k1", b"last")]
    assert kv.mset(pairs) == lib.RD_OK
    assert kv.get(b"k1") == (lib.RD_OK, b"last")
    assert kv.get(b"k99") == (lib.RD_OK, b"v99")
    assert kv.stats()["keys"] == 100
    assert kv.mset([]) == lib.RD_OK


def test_stats_hits_misses_memory(kv):
    before = kv.stats()
    kv.set(b"a", b"x" * 1000)
    kv.get(b"a")
    kv.get(b"b")
    s = kv.stats()
    assert s["keys"] == 1 and s["hits"] == 1 and s["misses"] == 1
    assert s["used_memory"] >= before["used_memory"] + 1000
    assert s["peak_memory"] >= s["used_memory"]
    assert lib.rd_ks_flush(kv.ks) == lib.RD_OK
    s2 = kv.stats()
    # Only the empty tables remain (their usable size depends on which chunks malloc reuses).
    assert s2["keys"] == 0 and s2["used_memory"] < before["used_memory"] + 4096
    assert s2["peak_memory"] >= s["used_memory"] and s2["hits"] == 1


def test_flush_async_and_inside_a_gate_hold(kv):
    """FLUSHALL ASYNC empties at once and counts the memory back at once (a thread frees the keys);
    a flush under the gate exclusive (an EXEC) frees its keys when the hold ends."""
    empty = kv.stats()["used_memory"]
    for rnd in range(2):
        kv.mset([(b"k%d" % i, b"v" * 50) for i in range(5000)])
        assert kv.stats()["keys"] == 5000
        if rnd == 0:
            assert lib.rd_ks_flush_async(kv.ks) == lib.RD_OK
        else:
            assert lib.rd_ks_exclusive_begin(kv.ks) == lib.RD_OK
            assert lib.rd_ks_flush(kv.ks) == lib.RD_OK
            assert kv.stats()["keys"] == 0  # nested in the hold: still one instant
            lib.rd_ks_exclusive_end(kv.ks)
        s = kv.stats()
        assert s["keys"] == 0 and s["used_memory"] < empty + 4096
        assert kv.get(b"k1") == (lib.RD_NOT_FOUND, None)


def test_stats_short_array(kv):
    out = ffi.new("uint64_t[2]", [7, 7])
    assert lib.rd_ks_stats(kv.ks, out, 1) == lib.RD_OK
    assert out[1] == 7


def test_status_messages():
    assert ffi.string(lib.rd_status_message(lib.RD_ERR_WRONGTYPE)) == (
        b"-WRONGTYPE Operation against a key holding the wrong kind of value")
    assert ffi.string(lib.rd_status_message(lib.RD_ERR_NOTINT)) == b"-ERR value is not an integer or out of range"
    assert ffi.string(lib.rd_status_message(lib.RD_ERR_OVERFLOW)) == b"-ERR increment or decrement would overflow"
    assert ffi.string(lib.rd_status_message(lib.RD_ERR_OOM)) == (
        b"-OOM command not allowed when used memory > 'maxmemory'.")
    assert ffi.string(lib.rd_status_message(lib.RD_ERR_NOMEM)).startswith(b"-ERR ")
    for st in (lib.RD_OK, lib.RD_NOT_FOUND, lib.RD_SLOW, lib.RD_STATUS_COUNT, 999):
        assert ffi.string(lib.rd_status_message(st)) == b""


def test_seeded_keyspaces_agree():
    a, b = lib.rd_keyspace_new(42), lib.rd_keyspace_new(42)
    try:
        from corehelp import KS
        for k in (a, b):
            KS(k).set(b"x", b"1")
            assert KS(k).get(b"x") == (lib.RD_OK, b"1")
    finally:
        lib.rd_keyspace_free(a)
        lib.rd_keyspace_free(b)


def test_fast_command_list():
    name, arity = ffi.new("const char **"), ffi.new("int *")
    got = {}
    i = 0
    while lib.rd_fast_command(i, name, arity) == lib.RD_OK:
        got[ffi.string(name[0]).decode()] = arity[0]
        i += 1
    strings = {"get": 2, "set": -3, "del": -2, "exists": -2, "ping": -1, "echo": 2, "incr": 2,
               "decr": 2, "incrby": 3, "decrby": 3, "mget": -2, "mset": -3,
               "setnx": 3, "setex": 4, "psetex": 4, "strlen": 2, "unlink": -2}
    assert {k: v for k, v in got.items() if k in strings} == strings
    # the type commands (csrc/cmdtable.c) follow, with Redis's arities
    assert got["hset"] == -4 and got["sadd"] == -3 and got["sintercard"] == -3
    assert len(got) >= len(strings) + 33
    assert lib.rd_fast_command(-1, name, arity) == lib.RD_NOT_FOUND


def test_buf_empty():
    b = lib.rd_buf_new()
    assert lib.rd_buf_len(b) == 0 and lib.rd_buf_data(b) != ffi.NULL
    lib.rd_buf_clear(b)
    lib.rd_buf_free(b)


def test_set_overwrite_in_place_keeps_accounting(kv):
    # A SET whose value fits the old entry's chunk rewrites it in place (no new allocation): the
    # value, TTL, expires count and used_memory must come out as if the entry had been replaced.
    base = kv.stats()
    at = lib.rd_now_ms() + 100_000
    assert kv.set(b"k", b"a" * 20, 0, at)[0] == lib.RD_OK
    one = kv.stats()
    assert one["expires"] == base["expires"] + 1
    assert kv.set(b"k", b"b" * 20) == (lib.RD_OK, None)  # same size: in place, TTL cleared
    assert kv.get(b"k") == (lib.RD_OK, b"b" * 20) and kv.pttl(b"k") == (lib.RD_OK, -1)
    s = kv.stats()
    assert s["used_memory"] == one["used_memory"] and s["expires"] == base["expires"]
    assert kv.set(b"k", b"c" * 15, 0, at)[0] == lib.RD_OK  # shorter, fits: in place with a TTL
    assert kv.get(b"k") == (lib.RD_OK, b"c" * 15) and kv.stats()["expires"] == base["expires"] + 1
    assert kv.set(b"k", b"d" * 17, lib.RD_SET_KEEPTTL | lib.RD_SET_GET) == (lib.RD_OK, b"c" * 15)
    st, ms = kv.pttl(b"k")
    assert st == lib.RD_OK and 90_000 < ms <= 100_000
    assert kv.set(b"k", b"z", lib.RD_SET_NX) == (lib.RD_NOT_DONE, None)
    assert kv.get(b"k") == (lib.RD_OK, b"d" * 17)
    assert kv.set(b"k", b"e" * 2000)[0] == lib.RD_OK  # grows: a new entry
    big = kv.stats()["used_memory"]
    assert big >= one["used_memory"] + 1900
    assert kv.set(b"k", b"f")[0] == lib.RD_OK  # a small value does not keep the big chunk
    assert kv.get(b"k") == (lib.RD_OK, b"f") and kv.stats()["used_memory"] < big - 1900
    assert kv.delete(b"k") == lib.RD_OK
    assert kv.set(b"n", b"x" * 20)[0] == lib.RD_OK  # no expire slot: a TTL needs a new entry
    assert kv.set(b"n", b"y" * 20, 0, at)[0] == lib.RD_OK
    st, ms = kv.pttl(b"n")
    assert st == lib.RD_OK and 90_000 < ms <= 100_000 and kv.get(b"n") == (lib.RD_OK, b"y" * 20)
    assert kv.stats()["expires"] == base["expires"] + 1 and kv.delete(b"n") == lib.RD_OK
    end = kv.stats()
    assert end["keys"] == base["keys"] and end["expires"] == base["expires"]
    assert end["used_memory"] == base["used_memory"]
