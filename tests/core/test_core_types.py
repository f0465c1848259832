"""Collection entries in the C core (issue 8): rd_exec replies, and every path that frees, moves or copies
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


def test_not_a_type_command(ks):
    buf = lib.rd_buf_new()
    try:
        argv = [ffi.new("char[]", b"get"), ffi.new("char[]", b"k")]
        assert lib.rd_exec(ks, 2, ffi.new("const char *[]", argv), ffi.new("size_t[]", [3, 1]), 2, buf) == lib.RD_NOT_FOUND
        assert lib.rd_buf_len(buf) == 0
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
