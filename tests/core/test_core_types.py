"""Collection entries in the C core: rd_exec replies, and every path that frees, moves or copies
a hash or set object (DEL, SET over it, RENAME, COPY, lazy and active expiry, FLUSHALL, keyspace free).
Under `make sanitize-quick` these run with ASan, which catches a double free or use after free."""

from __future__ import annotations

import time

from corehelp import KS
from redistill._core import ffi, lib


class Exec:
    """rd_exec on one keyspace: run(*args, resp=2) -> reply bytes."""

    def __init__(self, ks):
        self.ks = ks
        self.buf = lib.rd_buf_new()

    def __del__(self):
        lib.rd_buf_free(self.buf)

    def run(self, *args, resp: int = 2) -> bytes:
        raw = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        keep = [ffi.new("char[]", a) for a in raw]
        lib.rd_buf_clear(self.buf)
        st = lib.rd_exec(self.ks, len(raw), ffi.new("const char *[]", keep), ffi.new("size_t[]", [len(a) for a in raw]),
                         resp, self.buf)
        assert st == lib.RD_OK, st
        return ffi.unpack(lib.rd_buf_data(self.buf), lib.rd_buf_len(self.buf))


def used(kv: KS) -> int:
    return kv.stats()["used_memory"]


def fill(x: Exec, n: int = 200) -> None:
    x.run("HSET", "h", *[v for i in range(n) for v in (f"f{i}", f"v{i}")])
    x.run("SADD", "s", *[f"m{i}" for i in range(n)])


def test_not_a_command_c_runs(ks):
    """rd_exec runs every command C implements (GET included) and refuses the others untouched."""
    buf = lib.rd_buf_new()
    try:
        argv = [ffi.new("char[]", b"config"), ffi.new("char[]", b"get"), ffi.new("char[]", b"v")]
        assert lib.rd_exec(ks, 3, ffi.new("const char *[]", argv), ffi.new("size_t[]", [6, 3, 1]), 2, buf) == lib.RD_NOT_FOUND
        assert lib.rd_buf_len(buf) == 0
        argv = [ffi.new("char[]", b"get"), ffi.new("char[]", b"k")]
        assert lib.rd_exec(ks, 2, ffi.new("const char *[]", argv), ffi.new("size_t[]", [3, 1]), 2, buf) == lib.RD_OK
        assert lib.rd_buf_len(buf) == 5   # $-1\r\n
    finally:
        lib.rd_buf_free(buf)


def test_replies_and_wrongtype(ks):
    x, kv = Exec(ks), KS(ks)
    assert x.run("HSET", "h", "a", "1") == b":1\r\n"
    assert x.run("HGETALL", "h", resp=3) == b"%1\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert x.run("HGETALL", "h", resp=2) == b"*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert x.run("SADD", "s", "x") == b":1\r\n"
    assert x.run("SMEMBERS", "s", resp=3) == b"~1\r\n$1\r\nx\r\n"
    assert x.run("SADD", "h", "x").startswith(b"-WRONGTYPE ")
    assert kv.get(b"s") == (lib.RD_ERR_WRONGTYPE, None)
    assert kv.incrby(b"h", 1)[0] == lib.RD_ERR_WRONGTYPE
    assert x.run("HINCRBYFLOAT", "h", "f", "0.1") == b"$3\r\n0.1\r\n"


def test_memory_is_counted_and_given_back(ks):
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    fill(x)
    grown = used(kv)
    assert grown > base + 200 * 2 * 16  # every field and member is counted
    x.run("HDEL", "h", *[f"f{i}" for i in range(100)])
    assert used(kv) < grown
    assert kv.delete(b"h") == lib.RD_OK and kv.delete(b"s") == lib.RD_OK
    assert used(kv) == base
    fill(x)
    x.run("SPOP", "s", "1000")  # popping everything deletes the key
    x.run("HDEL", "h", *[f"f{i}" for i in range(200)])
    assert kv.exists(b"s") == lib.RD_NOT_FOUND and kv.exists(b"h") == lib.RD_NOT_FOUND
    assert used(kv) == base


def test_set_over_a_collection_frees_it(ks):
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    fill(x)
    kv.set(b"h", b"v")
    kv.set(b"s", b"v")
    assert kv.get(b"h") == (lib.RD_OK, b"v")
    kv.delete(b"h")
    kv.delete(b"s")
    assert used(kv) == base


def test_rename_moves_and_copy_deep_copies(ks):
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    fill(x)
    after_fill = used(kv)
    assert lib.rd_ks_rename(ks, b"h", 1, b"h2", 2, 0) == lib.RD_OK
    assert lib.rd_ks_rename(ks, b"s", 1, b"h2", 2, 0) == lib.RD_OK  # replaces (frees) the hash
    assert x.run("SCARD", "h2") == b":200\r\n"
    assert lib.rd_ks_copy(ks, b"h2", 2, b"c", 1, 0) == lib.RD_OK
    x.run("SREM", "c", "m0")
    assert x.run("SCARD", "h2") == b":200\r\n" and x.run("SCARD", "c") == b":199\r\n"
    assert used(kv) > after_fill - 200 * 16  # the copy is counted
    kv.delete(b"h2")
    kv.delete(b"c")
    assert used(kv) == base


def test_store_commands_replace_and_delete(ks):
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    x.run("SADD", "a", "1", "2")
    x.run("SADD", "b", "2", "3")
    kv.set(b"d", b"string")
    assert x.run("SUNIONSTORE", "d", "a", "b") == b":3\r\n"
    assert x.run("SINTERSTORE", "d", "a", "nokey") == b":0\r\n"
    assert kv.exists(b"d") == lib.RD_NOT_FOUND
    assert x.run("SMOVE", "a", "b", "1") == b":1\r\n"
    assert x.run("SMOVE", "a", "b", "2") == b":1\r\n"  # a is empty now: deleted
    assert kv.exists(b"a") == lib.RD_NOT_FOUND
    kv.delete(b"b")
    assert used(kv) == base


def test_expiry_frees_collections(ks):
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    fill(x)
    now = lib.rd_now_ms()
    assert kv.expire(b"h", now + 30) == lib.RD_OK
    assert kv.expire(b"s", now + 30) == lib.RD_OK
    time.sleep(0.1)
    assert x.run("HLEN", "h") == b":0\r\n"  # lazy expiry
    for _ in range(200):  # active expiry, bounded
        if used(kv) == base:
            break
        kv.active_expire(100000)
    assert used(kv) == base


def test_expire_keeps_the_collection(ks):
    # A collection key has no expire slot until EXPIRE: the entry (its typed_val inside) moves.
    x, kv = Exec(ks), KS(ks)
    fill(x)
    assert kv.expire(b"h", lib.rd_now_ms() + 3_600_000) == lib.RD_OK
    assert x.run("HLEN", "h") == b":200\r\n" and x.run("HGET", "h", "f199") == b"$4\r\nv199\r\n"
    assert kv.pttl(b"h")[1] > 0 and kv.persist(b"h") == lib.RD_OK and kv.pttl(b"h")[1] == -1
    x.run("HSET", "h", "new", "1")
    assert x.run("HLEN", "h") == b":201\r\n"


def test_flush_and_free_with_live_collections(ks):
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    for i in range(20):
        x.run("HSET", f"h{i}", "a", "1", "b", "2")
        x.run("SADD", f"s{i}", "1", "x")
    assert lib.rd_ks_flush(ks) == lib.RD_OK
    assert used(kv) <= base  # flush also shrinks every table to its minimum
    fill(x)  # left for rd_keyspace_free (the fixture) to free


def test_big_collections_scan_and_random(ks):
    x = Exec(ks)
    fill(x, 3000)
    seen, cursor = set(), b"0"
    for _ in range(10_000):
        reply = x.run("SSCAN", "s", cursor, "COUNT", "100")
        head, _, rest = reply.partition(b"\r\n")  # *2
        _, _, rest = rest.partition(b"\r\n")      # $len
        cursor, _, rest = rest.partition(b"\r\n")
        seen.update(rest.split(b"\r\n")[2::2])
        if cursor == b"0":
            break
    assert cursor == b"0" and seen == {f"m{i}".encode() for i in range(3000)}
    picked = x.run("SRANDMEMBER", "s", "100")
    assert picked.startswith(b"*100\r\n") and len(set(picked.split(b"\r\n")[2::2])) == 100
    assert x.run("SPOP", "s", "2999").startswith(b"*2999\r\n")
    assert x.run("SCARD", "s") == b":1\r\n"


def test_threads_on_shared_collections(ks):
    """Several threads (cffi drops the GIL in rd_exec) run multi-key type commands over the same few keys:
    stripes are locked in ascending order, so nothing deadlocks, and no member is lost or duplicated."""
    import random
    import threading

    keys = ["a", "b", "c", "{x}", "y"]
    Exec(ks).run("SADD", "a", *range(200))
    errors = []

    def worker(seed: int) -> None:
        x, rnd = Exec(ks), random.Random(seed)
        try:
            for _ in range(1500):
                src, dst = rnd.sample(keys, 2)
                op = rnd.random()
                if op < 0.6:
                    x.run("SMOVE", src, dst, rnd.randrange(200))
                elif op < 0.8:
                    x.run("SINTERCARD", "2", src, dst)
                else:
                    x.run("SUNION", src, dst, rnd.choice(keys))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and not any(t.is_alive() for t in threads)
    x = Exec(ks)
    total = sum(int(x.run("SCARD", k)[1:-2]) for k in keys)
    assert total == 200  # SMOVE moves, never copies or drops
    assert x.run("SUNION", *keys).startswith(b"*200\r\n")


# ---- sorted sets (csrc/t_zset.c): skiplist + member dict ---------------------------------------------

def zfill(x: Exec, key: str = "z", n: int = 300) -> None:
    x.run("ZADD", key, *[v for i in range(n) for v in (str(i % 37), f"m{i}")])


def test_zset_memory_is_counted_and_given_back(ks):
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    zfill(x)
    grown = used(kv)
    assert grown > base + 300 * 40  # skiplist node + dict node per member
    x.run("ZREM", "z", *[f"m{i}" for i in range(100)])
    assert used(kv) < grown
    x.run("ZREMRANGEBYRANK", "z", "0", "9")
    x.run("ZREMRANGEBYSCORE", "z", "0", "(3")
    x.run("ZPOPMAX", "z", "5")
    x.run("ZINCRBY", "z", "1000", "m299")  # a move keeps the node: nothing leaks
    assert kv.delete(b"z") == lib.RD_OK and used(kv) == base
    zfill(x)
    x.run("ZPOPMIN", "z", "1000")  # popping everything deletes the key
    assert kv.exists(b"z") == lib.RD_NOT_FOUND and used(kv) == base
    zfill(x)
    x.run("ZREMRANGEBYLEX", "z", "-", "+")
    assert kv.exists(b"z") == lib.RD_NOT_FOUND and used(kv) == base


def test_zset_set_over_rename_copy_store(ks):
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    zfill(x)
    kv.set(b"z", b"v")  # SET over it frees the sorted set
    assert used(kv) < base + 1000
    kv.delete(b"z")
    zfill(x)
    assert lib.rd_ks_rename(ks, b"z", 1, b"z2", 2, 0) == lib.RD_OK
    assert lib.rd_ks_copy(ks, b"z2", 2, b"c", 1, 0) == lib.RD_OK
    x.run("ZREM", "c", "m0")
    assert x.run("ZCARD", "z2") == b":300\r\n" and x.run("ZCARD", "c") == b":299\r\n"
    assert x.run("ZRANGE", "c", "0", "-1") == x.run("ZRANGE", "z2", "0", "-1").replace(
        b"*300\r\n", b"*299\r\n").replace(b"$2\r\nm0\r\n", b"")
    x.run("SADD", "s", "a", "m1")
    assert x.run("ZUNIONSTORE", "c", "3", "z2", "c", "s") == b":301\r\n"  # replaces its own source
    assert x.run("ZINTERSTORE", "c", "2", "z2", "nokey") == b":0\r\n"
    assert kv.exists(b"c") == lib.RD_NOT_FOUND
    for k in (b"z2", b"s"):
        kv.delete(k)
    assert used(kv) == base


def test_zset_expiry_and_flush(ks):
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    zfill(x)
    assert kv.expire(b"z", lib.rd_now_ms() + 30) == lib.RD_OK
    time.sleep(0.1)
    assert x.run("ZCARD", "z") == b":0\r\n"  # lazy expiry
    assert used(kv) == base
    for i in range(20):
        x.run("ZADD", f"z{i}", "1", "a", "2", "b")
    assert lib.rd_ks_flush(ks) == lib.RD_OK
    assert used(kv) <= base
    zfill(x)  # left for rd_keyspace_free (the fixture) to free


def _members(reply: bytes) -> list[bytes]:
    return reply.split(b"\r\n")[2::2]


def test_zset_ranks_match_a_model(ks):
    """Random adds, score moves and removals; every rank, range and count is checked against sorted()."""
    import random
    rng = random.Random(8)
    x = Exec(ks)
    model: dict[bytes, int] = {}
    for step in range(3000):
        m = f"m{rng.randrange(400)}".encode()
        op = rng.random()
        if op < 0.6:
            s = rng.randrange(-50, 50)
            x.run("ZADD", "z", str(s), m)
            model[m] = s
        elif op < 0.8:
            x.run("ZINCRBY", "z", "3", m)
            model[m] = model.get(m, 0) + 3
        else:
            assert x.run("ZREM", "z", m) == b":%d\r\n" % (m in model)
            model.pop(m, None)
        if step % 300 == 299:
            order = [k for k, _ in sorted(model.items(), key=lambda kv: (kv[1], kv[0]))]
            assert _members(x.run("ZRANGE", "z", "0", "-1")) == order
            for i in rng.sample(range(len(order)), 20):
                assert x.run("ZRANK", "z", order[i]) == b":%d\r\n" % i
                assert x.run("ZREVRANK", "z", order[i]) == b":%d\r\n" % (len(order) - 1 - i)
                assert _members(x.run("ZRANGE", "z", str(i), str(i + 4))) == order[i:i + 5]
            lo, hi = sorted(rng.sample(range(-50, 60), 2))
            inside = [k for k in order if lo <= model[k] < hi]
            assert x.run("ZCOUNT", "z", str(lo), f"({hi}") == b":%d\r\n" % len(inside)
            assert _members(x.run("ZRANGEBYSCORE", "z", str(lo), f"({hi}")) == inside


def test_big_zset_scan_and_random(ks):
    x = Exec(ks)
    zfill(x, n=3000)
    seen, cursor = set(), b"0"
    for _ in range(10_000):
        reply = x.run("ZSCAN", "z", cursor, "COUNT", "100")
        head, _, rest = reply.partition(b"\r\n")
        _, _, rest = rest.partition(b"\r\n")
        cursor, _, rest = rest.partition(b"\r\n")
        seen.update(rest.split(b"\r\n")[2::4])
        if cursor == b"0":
            break
    assert cursor == b"0" and seen == {f"m{i}".encode() for i in range(3000)}
    picked = x.run("ZRANDMEMBER", "z", "100")
    assert picked.startswith(b"*100\r\n") and len(set(_members(picked))) == 100
    assert x.run("ZPOPMIN", "z", "2999").startswith(b"*5998\r\n")
    assert x.run("ZCARD", "z") == b":1\r\n"


def test_zset_range_and_diff_stores_free(ks):
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    zfill(x)
    kv.set(b"d", b"string")
    assert x.run("ZRANGESTORE", "d", "z", "0", "9") == b":10\r\n"  # replaces the string
    assert x.run("ZRANGESTORE", "d", "z", "(1000", "+inf", "BYSCORE") == b":0\r\n"  # empty: deleted
    assert kv.exists(b"d") == lib.RD_NOT_FOUND
    assert x.run("ZDIFFSTORE", "d", "2", "z", "nokey") == b":300\r\n"
    assert x.run("ZDIFFSTORE", "d", "2", "z", "z") == b":0\r\n" and kv.exists(b"d") == lib.RD_NOT_FOUND
    assert x.run("ZINTERCARD", "2", "z", "z", "LIMIT", "5") == b":5\r\n"
    assert x.run("ZUNION", "2", "z", "nokey").startswith(b"*300\r\n")
    kv.delete(b"z")
    assert used(kv) == base


LLONG_MIN, LLONG_MAX = -(2**63), 2**63 - 1


def _scan_all(x: Exec, cmd: str, key: str, count: int) -> list[bytes]:
    reply = x.run(cmd, key, "0", "COUNT", count)
    assert reply.startswith(b"*2\r\n$1\r\n0\r\n"), reply[:40]  # one call, the whole object
    return reply.split(b"\r\n")[5:-1:2]


def test_llong_extremes_in_counts_and_offsets(ks):
    """Negating LLONG_MIN or counting down from it overflows a long long: Redis's answers come from its
    wrapping arithmetic.  In-process, so `make sanitize-quick` runs these paths under UBSan."""
    x = Exec(ks)
    elems = ["a", "b", "a", "c", "a", "d", "a"]
    x.run("RPUSH", "l", *elems)
    assert x.run("LPOS", "l", "a", "RANK", LLONG_MIN, "COUNT", 1) == b"*4\r\n:6\r\n:4\r\n:2\r\n:0\r\n"
    assert x.run("LPOS", "l", "a", "RANK", LLONG_MIN) == b":6\r\n"
    assert x.run("LREM", "l", LLONG_MIN, "a") == b":%d\r\n" % elems.count("a")
    assert items_of(x.run("LRANGE", "l", LLONG_MIN, LLONG_MAX)) == [b"b", b"c", b"d"]
    x.run("ZADD", "z", *[v for i in range(5) for v in (i, f"m{i}")])
    everything = items_of(x.run("ZRANGE", "z", 0, -1))
    assert items_of(x.run("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", 0, LLONG_MIN)) == everything
    assert x.run("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", LLONG_MIN, 1) == b"*0\r\n"
    assert items_of(x.run("ZRANGE", "z", LLONG_MIN, LLONG_MAX)) == everything
    fill(x)  # hashtable-sized hash and set: the bounded dictScan loop, count * 10 past LLONG_MAX
    x.run("ZADD", "zbig", *[v for i in range(200) for v in (i, f"m{i}")])
    assert len(_scan_all(x, "HSCAN", "h", LLONG_MAX)) == 400
    assert len(_scan_all(x, "SSCAN", "s", LLONG_MAX)) == 200
    assert len(_scan_all(x, "ZSCAN", "zbig", LLONG_MAX)) == 400


def items_of(reply: bytes) -> list[bytes]:
    assert reply.startswith(b"*"), reply
    return reply.split(b"\r\n")[2:-1:2]
