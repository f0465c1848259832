"""Memory limit and eviction at the C level (csrc/evict.c): accounting, every policy, OOM, the kept key,
(the multi-threaded eviction stress, stress_evict.c, runs under the sanitizers in test_core_sanitizers.py)."""

import ctypes

import pytest

from redistill._core import ffi, lib

POLICIES = ["allkeys-lru", "allkeys-lfu", "allkeys-random", "allkeys-s3fifo",
            "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]
HOUR = 3_600_000


def configure(ks, maxmemory: int, policy: str) -> None:
    assert lib.rd_ks_set_policy(ks, policy.encode()) == lib.RD_OK
    assert lib.rd_ks_set_maxmemory(ks, maxmemory) == lib.RD_OK


_libc = ctypes.CDLL(None)  # the process's malloc: glibc's, or ASan's under `make sanitize`
_libc.malloc.restype, _libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
_libc.malloc_usable_size.restype, _libc.malloc_usable_size.argtypes = ctypes.c_size_t, [ctypes.c_void_p]
_libc.free.argtypes = [ctypes.c_void_p]


def chunk(n: int) -> int:
    """The heap cost of an n-byte malloc as used_memory counts it: malloc_usable_size + 8 (with glibc,
    n + 8 rounded up to 16 bytes, 32 at least), asked of the same allocator the keyspace uses."""
    # The smallest of a few live allocations: one alone may be served from a free chunk 16 bytes
    # bigger than the request needs (glibc does not split off less than its 32-byte minimum).
    ps = [_libc.malloc(n) for _ in range(16)]
    try:
        return min(_libc.malloc_usable_size(p) for p in ps) + 8
    finally:
        for p in ps:
            _libc.free(p)


def test_unknown_policy_is_refused(ks):
    assert lib.rd_ks_set_policy(ks, b"allkeys-mru") == lib.RD_NOT_FOUND
    assert lib.rd_ks_set_policy(ks, b"") == lib.RD_NOT_FOUND


def entry_size(klen: int, vlen: int, ttl: bool = False, links: bool = False) -> int:
    """The bytes csrc/keyspace.h asks malloc for: a 15-byte header, the 16 bytes of queue links while
    the keyspace has eviction queues (a limit with allkeys-lru or allkeys-s3fifo), the expire slot of
    a key given a TTL, 1-byte lengths while key and value fit 255 bytes (4-byte ones after), the key,
    the value."""
    wide = klen > 255 or vlen > 255
    return 15 + (16 if links else 0) + (8 if ttl else 0) + (8 if wide else 2) + klen + vlen


def test_used_memory_counts_every_entry_exactly(kv, ks):
    base = kv.stats()["used_memory"]
    assert base > 1024 * 64  # the 1024 shards and their first tables count too
    # One entry: header, key and value in one allocation (glibc may hand out a chunk
    # up to 31 bytes bigger than asked, and used_memory counts what it really got).
    kv.set(b"k", b"v" * 100)
    assert chunk(entry_size(1, 100)) <= kv.stats()["used_memory"] - base < chunk(entry_size(1, 100)) + 32
    kv.set(b"k", b"v" * 1000)
    assert chunk(entry_size(1, 1000)) <= kv.stats()["used_memory"] - base < chunk(entry_size(1, 1000)) + 32
    kv.delete(b"k")
    assert kv.stats()["used_memory"] == base
    for i in range(20000):
        kv.set(b"key:%d" % i, b"x" * 50)
    grown = kv.stats()["used_memory"] - base
    entries = sum(chunk(entry_size(len(b"key:%d" % i), 50)) for i in range(20000))
    assert entries < grown < entries + 20000 * 16 + 2 * 8 * 1024 * 8  # plus the bucket arrays
    assert lib.rd_ks_flush(ks) == lib.RD_OK
    assert abs(kv.stats()["used_memory"] - base) <= 32 * 1024  # 1024 fresh tables, as sized as before


def entry_memory(ks, key: bytes) -> int:
    out = ffi.new("int64_t[]", lib.RD_INFO_NFIELDS)
    assert lib.rd_ks_key_info(ks, key, len(key), 0, out, lib.RD_INFO_NFIELDS) == lib.RD_OK
    return out[lib.RD_INFO_MEMORY]


def test_small_key_fits_one_48_byte_chunk(kv, ks):
    """docs/PERFORMANCE.md's memory cell: a 16-byte key with a 3-byte value is one 48-byte heap chunk
    (40 usable bytes) with glibc; an EXPIRE moves it into a chunk with the expire slot; used_memory stays
    exact."""
    assert entry_size(16, 3) <= 40 < entry_size(16, 3, ttl=True)
    base = kv.stats()["used_memory"]
    keys = [b"key:%012d" % i for i in range(2000)]
    for k in keys:
        kv.set(k, b"abc")
    # glibc may hand a request a chunk 16 bytes bigger than asked (a free one not split further), so
    # the average is checked: five more bytes of header would make every entry a 64-byte chunk.
    mems = [entry_memory(ks, k) for k in keys]
    assert chunk(entry_size(16, 3)) <= sum(mems) / len(mems) < chunk(entry_size(16, 3)) + 8
    assert kv.stats()["used_memory"] - base >= sum(mems)  # plus any bucket arrays that grew
    key = keys[7]
    assert kv.expire(key, lib.rd_now_ms() + HOUR) == lib.RD_OK
    with_slot = entry_memory(ks, key)
    assert chunk(entry_size(16, 3, ttl=True)) <= with_slot < chunk(entry_size(16, 3, ttl=True)) + 32
    assert kv.stats()["used_memory"] - base >= sum(mems) - mems[7] + with_slot
    assert kv.get(key) == (lib.RD_OK, b"abc")
    assert kv.persist(key) == lib.RD_OK
    assert entry_memory(ks, key) == with_slot  # PERSIST keeps the slot: no realloc
    for k in keys:
        kv.delete(k)
    # every entry is given back; the bucket arrays may end a step bigger or smaller than they started
    assert kv.stats()["keys"] == 0 and abs(kv.stats()["used_memory"] - base) <= 1024


@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu", "allkeys-random", "allkeys-s3fifo"])
def test_allkeys_policies_stay_under_the_limit(kv, ks, policy):
    limit = kv.stats()["used_memory"] + 2_000_000
    configure(ks, limit, policy)
    for i in range(10000):
        assert kv.set(b"k%d" % i, b"v" * 1000)[0] == lib.RD_OK
        assert kv.get(b"k%d" % i)[1] == b"v" * 1000  # the key just written is never the victim
    st = kv.stats()
    assert st["used_memory"] <= limit
    assert st["evicted"] > 0 and st["keys"] + st["evicted"] == 10000
    assert st["keys"] > 1000  # most of the limit holds data


def test_lru_keeps_recently_read_keys(kv, ks):
    configure(ks, kv.stats()["used_memory"] + 3_000_000, "allkeys-lru")
    hot = [b"hot%d" % i for i in range(200)]
    for k in hot:
        kv.set(k, b"h" * 1000)
    for i in range(20000):
        kv.set(b"cold%d" % i, b"c" * 1000)
        if i % 100 == 0:
            for k in hot:
                kv.get(k)
    assert all(kv.get(k)[0] == lib.RD_OK for k in hot)
    assert kv.stats()["evicted"] > 10000


@pytest.mark.parametrize("policy", ["allkeys-lfu", "allkeys-s3fifo"])
def test_frequency_policies_keep_keys_read_often(kv, ks, policy):
    configure(ks, kv.stats()["used_memory"] + 3_000_000, policy)
    hot = [b"hot%d" % i for i in range(100)]
    for k in hot:
        kv.set(k, b"h" * 1000)
    for _ in range(20):  # read often early on, rarely later: frequency carries them
        for k in hot:
            kv.get(k)
    for i in range(20000):
        kv.set(b"cold%d" % i, b"c" * 1000)
        if i % 1000 == 0:
            for k in hot:
                kv.get(k)
    survivors = sum(kv.get(k)[0] == lib.RD_OK for k in hot)
    assert survivors >= 90, survivors


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"])
def test_volatile_policies_evict_only_keys_with_a_ttl(kv, ks, policy):
    limit = kv.stats()["used_memory"] + 2_000_000
    configure(ks, limit, policy)
    for i in range(500):
        assert kv.set(b"keep%d" % i, b"p" * 1000)[0] == lib.RD_OK
    for i in range(5000):
        st, _ = kv.set(b"tmp%d" % i, b"t" * 1000, 0, lib.rd_now_ms() + HOUR)
        assert st == lib.RD_OK
    st = kv.stats()
    assert st["evicted"] > 0 and st["used_memory"] <= limit
    assert all(kv.get(b"keep%d" % i)[0] == lib.RD_OK for i in range(500))
    # Once nothing volatile is left to evict, a write past the limit is refused.
    statuses = {kv.set(b"more%d" % i, b"m" * 1000)[0] for i in range(5000)}
    assert lib.RD_ERR_OOM in statuses
    assert all(kv.get(b"keep%d" % i)[0] == lib.RD_OK for i in range(500))


def test_volatile_ttl_prefers_the_nearest_expiry(kv, ks):
    configure(ks, kv.stats()["used_memory"] + 2_000_000, "volatile-ttl")
    now = lib.rd_now_ms()
    for i in range(1000):
        kv.set(b"soon%d" % i, b"s" * 1000, 0, now + HOUR)
    for i in range(3000):
        kv.set(b"late%d" % i, b"l" * 1000, 0, now + 100 * HOUR)
    soon = sum(kv.get(b"soon%d" % i)[0] == lib.RD_OK for i in range(1000)) / 1000
    late = sum(kv.get(b"late%d" % i)[0] == lib.RD_OK for i in range(3000)) / 3000
    assert soon < late / 2, (soon, late)


def test_noeviction_refuses_growth_but_reads_and_deletes_work(kv, ks):
    configure(ks, kv.stats()["used_memory"] + 500_000, "noeviction")
    written = []
    for i in range(2000):
        st, _ = kv.set(b"k%d" % i, b"v" * 1000)
        if st == lib.RD_ERR_OOM:
            break
        assert st == lib.RD_OK
        written.append(b"k%d" % i)
    else:
        pytest.fail("never reached the limit")
    assert kv.stats()["evicted"] == 0
    assert all(kv.get(k) == (lib.RD_OK, b"v" * 1000) for k in written)
    assert kv.mset([(b"a", b"x" * 2000)]) == lib.RD_ERR_OOM
    assert kv.set(written[0], b"w" * 1000)[0] == lib.RD_OK  # same size: needs no memory
    assert kv.delete(written[1]) == lib.RD_OK
    assert kv.set(b"again", b"v" * 1000)[0] == lib.RD_OK
    assert lib.rd_ks_admit(ks) == lib.RD_OK


def test_lowering_the_limit_is_caught_up_incrementally(kv, ks):
    configure(ks, 0, "allkeys-lru")
    for i in range(20000):
        kv.set(b"k%d" % i, b"v" * 500)
    limit = kv.stats()["used_memory"] // 4
    configure(ks, limit, "allkeys-lru")
    n = ffi.new("uint64_t *")
    rounds = 0
    while kv.stats()["used_memory"] > limit and rounds < 10000:
        assert lib.rd_ks_evict(ks, 1000, n) == lib.RD_OK
        rounds += 1
    assert kv.stats()["used_memory"] <= limit
    assert kv.stats()["evicted"] > 10000


def test_noeviction_over_the_limit_refuses_every_write(kv, ks):
    for i in range(1000):
        kv.set(b"k%d" % i, b"v" * 100)
    configure(ks, kv.stats()["used_memory"] // 2, "noeviction")
    assert kv.set(b"x", b"")[0] == lib.RD_ERR_OOM
    assert kv.incrby(b"n", 1)[0] == lib.RD_ERR_OOM
    assert kv.mset([(b"a", b"b")]) == lib.RD_ERR_OOM
    assert lib.rd_ks_admit(ks) == lib.RD_ERR_OOM
    assert kv.get(b"k1") == (lib.RD_OK, b"v" * 100)
    assert kv.delete(b"k1") == lib.RD_OK


def test_the_key_being_written_is_never_evicted(kv, ks):
    configure(ks, kv.stats()["used_memory"] + 10_000, "allkeys-random")
    big = b"b" * 50_000  # alone it passes the limit
    assert kv.set(b"big1", big)[0] == lib.RD_OK
    assert kv.get(b"big1") == (lib.RD_OK, big)
    assert kv.set(b"big2", big)[0] == lib.RD_OK  # evicts big1 first, keeps big2
    assert kv.get(b"big2") == (lib.RD_OK, big)
    assert kv.get(b"big1")[0] == lib.RD_NOT_FOUND


def test_policy_switch_at_runtime_keeps_every_key_reachable(kv, ks):
    limit = kv.stats()["used_memory"] + 3_000_000
    configure(ks, limit, "allkeys-s3fifo")
    for i in range(2000):
        kv.set(b"a%d" % i, b"v" * 1000)
        kv.get(b"a%d" % (i // 2))
    for policy in POLICIES + ["allkeys-s3fifo", "allkeys-lru"]:
        assert lib.rd_ks_set_policy(ks, policy.encode()) == lib.RD_OK
        for i in range(1000):
            kv.set(b"%s:%d" % (policy.encode(), i), b"v" * 1000, 0, lib.rd_now_ms() + HOUR)
            kv.get(b"a%d" % i)
    st = kv.stats()
    assert st["used_memory"] <= limit and st["evicted"] > 0
    # Every key the stats count is reachable and deletable (queues and tables agree).
    for i in range(2000):
        kv.delete(b"a%d" % i)
    for policy in POLICIES + ["allkeys-s3fifo", "allkeys-lru"]:
        for i in range(1000):
            kv.delete(b"%s:%d" % (policy.encode(), i))
    assert kv.stats()["keys"] == 0


@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-s3fifo", "allkeys-lfu"])
def test_append_grows_entries_in_place_without_breaking_the_queues(kv, ks, policy):
    """APPEND/SETRANGE realloc the entry: its eviction-queue neighbours must follow it."""
    limit = kv.stats()["used_memory"] + 1_000_000
    configure(ks, limit, policy)
    newlen = ffi.new("int64_t *")
    for i in range(6000):
        key = b"a%d" % (i % 300)
        assert lib.rd_ks_setrange(ks, key, len(key), -1, b"x" * 100, 100, 1 << 29, newlen) == lib.RD_OK
        kv.set(b"s%d" % i, b"v" * 500)
        if i % 7 == 0:
            kv.get(b"a%d" % (i % 50))
    st = kv.stats()
    assert st["used_memory"] <= limit and st["evicted"] > 0
    for i in range(300):
        kv.delete(b"a%d" % i)
    for i in range(6000):
        kv.delete(b"s%d" % i)
    assert kv.stats()["keys"] == 0  # every queue entry was reachable and unlinked cleanly
    limit = kv.stats()["used_memory"] + 100_000
    configure(ks, limit, policy)
    for i in range(2000):  # the emptied queues still work
        assert kv.set(b"n%d" % i, b"v" * 500)[0] == lib.RD_OK
    assert kv.stats()["used_memory"] <= limit and kv.stats()["keys"] < 2000


def entries_overhead(kv, ks, keys) -> int:
    """used_memory minus the entries' own memory: the tables and fixed structures."""
    return kv.stats()["used_memory"] - sum(entry_memory(ks, k) for k in keys)


def next_ms() -> None:
    """Waits (a bounded number of polls) for the keyspace clock to move on, so accesses get new stamps."""
    start = lib.rd_now_ms()
    for _ in range(10_000_000):
        if lib.rd_now_ms() > start:
            return
    raise AssertionError("the clock did not move")


def test_queue_links_come_with_the_limit_and_go_without_it(kv, ks):
    """Entries carry the 16 bytes of eviction-queue links only while a limit with allkeys-lru or
    allkeys-s3fifo needs the queues: every switch reshapes every entry, used_memory following exactly."""
    keys = [b"key:%012d" % i for i in range(4000)]
    for k in keys:
        kv.set(k, b"abc")
    overhead = entries_overhead(kv, ks, keys)
    plain, linked = chunk(entry_size(16, 3)), chunk(entry_size(16, 3, links=True))
    assert plain < linked
    for max_memory, policy, size in [(1 << 40, "allkeys-lru", linked), (1 << 40, "allkeys-lfu", plain),
                                     (1 << 40, "allkeys-s3fifo", linked), (0, "allkeys-s3fifo", plain),
                                     (1 << 40, "allkeys-lru", linked), (1 << 40, "volatile-lru", plain)]:
        configure(ks, max_memory, policy)
        mems = [entry_memory(ks, k) for k in keys]
        assert size <= sum(mems) / len(mems) < size + 8, (policy, max_memory)
        assert entries_overhead(kv, ks, keys) == overhead, (policy, max_memory)
        assert all(kv.get(k) == (lib.RD_OK, b"abc") for k in keys[::97])
    for k in keys:
        kv.delete(k)
    assert kv.stats()["keys"] == 0


def test_queues_built_at_runtime_follow_the_access_order(kv, ks):
    """Keys written without a limit, some read later: once allkeys-lru and a limit come, the new queues
    hold the keys in the order of their last access, so the ones read survive the evictions."""
    keys = [b"c%d" % i for i in range(20000)]
    for k in keys:
        kv.set(k, b"v" * 20)
    next_ms()
    hot = keys[::20]
    for k in hot:
        kv.get(k)
    configure(ks, 1 << 40, "allkeys-lru")
    limit = kv.stats()["used_memory"] - 6000 * chunk(entry_size(6, 20, links=True))
    configure(ks, limit, "allkeys-lru")
    evicted = ffi.new("uint64_t *")
    assert lib.rd_ks_evict(ks, 10_000_000, evicted) == lib.RD_OK
    st = kv.stats()
    assert st["used_memory"] <= limit and evicted[0] == st["evicted"] >= 5000
    assert all(kv.get(k)[0] == lib.RD_OK for k in hot)
