"""maxmemory and eviction end to end: a pipelined write flood from several clients stays under the limit,
noeviction answers Redis's OOM error and loses nothing acknowledged, the policy can change at runtime,
and volatile-* policies evict only keys with a TTL.  Servers are started per test with a small limit."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from redis.exceptions import OutOfMemoryError

from servers import make_client

OOM = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
MB = 1024 * 1024


def info(c) -> dict:
    return {**c.info("memory"), **c.info("stats")}


def flood(port: int, clients: int, total_bytes: int, value_sizes=(1000, 4000, 8000), ttl: bool = False,
          prefix: str = "f") -> list[list[bytes]]:
    """Pipelined SETs from `clients` threads until total_bytes of values were sent; every reply must be +OK.
    Returns each client's keys in write order, the client that finished last first."""
    per_client = total_bytes // clients
    keys: list[list[bytes]] = [[] for _ in range(clients)]
    errors: list[str] = []
    finished: list[int] = []

    def run(cid: int) -> None:
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        try:
            sent, i = 0, 0
            while sent < per_client:
                batch = []
                for _ in range(200):
                    key = b"%s:%d:%d" % (prefix.encode(), cid, i)
                    val = bytes([97 + i % 26]) * value_sizes[i % len(value_sizes)]
                    extra = b"$2\r\nEX\r\n$4\r\n3600\r\n" if ttl else b""
                    batch.append(b"*%d\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n%s"
                                 % (5 if ttl else 3, len(key), key, len(val), val, extra))
                    keys[cid].append(key)
                    sent += len(val)
                    i += 1
                s.sendall(b"".join(batch))
                want, got = b"+OK\r\n" * len(batch), b""
                while len(got) < len(want):
                    chunk = s.recv(65536)
                    if not chunk:
                        raise ConnectionError("closed")
                    got += chunk
                if got != want:
                    errors.append(got[:200].decode("latin-1"))
                    return
            finished.append(cid)
        except Exception as e:  # reported below: a thread's exception would otherwise vanish
            errors.append(repr(e))
        finally:
            s.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:3]
    return [keys[cid] for cid in reversed(finished)]


def expected_value(key: bytes, sizes=(1000, 4000, 8000)) -> bytes:
    i = int(key.rsplit(b":", 1)[1])
    return bytes([97 + i % 26]) * sizes[i % len(sizes)]


def test_flood_of_400mb_into_64mb_stays_under_the_limit(start_extra):
    sp = start_extra(["--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"], kind="redistill")
    c = make_client(sp)
    rss_before = info(c)["used_memory_rss"]
    keys = flood(sp.port, clients=4, total_bytes=400 * MB)
    st = info(c)
    assert st["maxmemory"] == 64 * MB
    assert 0 < st["used_memory"] <= 64 * MB
    assert st["used_memory"] > 48 * MB  # the limit is used, not wasted
    assert st["evicted_keys"] > 0
    # RSS: the interpreter, plus the data, plus allocator slack; bounded, nowhere near the 400 MB sent.
    assert st["used_memory_rss"] < rss_before + 2 * 64 * MB, st["used_memory_rss"]
    assert st["used_memory_peak"] <= 64 * MB + 64 * 1024  # at most an entry in flight per writer
    # The newest keys are there, with their values: the last batch of the client that finished last
    # (the others may have finished long before; LRU rightly evicts their last keys then).
    for key in keys[0][-200:]:
        assert c.get(key) == expected_value(key)
    assert c.dbsize() + st["evicted_keys"] == sum(map(len, keys))
    c.close()


@pytest.mark.parametrize("policy", ["allkeys-s3fifo", "allkeys-lfu", "allkeys-random", "volatile-ttl"])
def test_other_policies_hold_the_limit_under_a_flood(start_extra, policy):
    sp = start_extra(["--maxmemory", "8mb", "--maxmemory-policy", policy], kind="redistill")
    c = make_client(sp)
    keys = flood(sp.port, clients=3, total_bytes=48 * MB, ttl=True)
    st = info(c)
    assert 0 < st["used_memory"] <= 8 * MB and st["evicted_keys"] > 0
    assert st["maxmemory_policy"] == policy
    if policy in ("allkeys-random", "allkeys-lfu"):
        # Neither keeps the newest key by rule: random may pick any key, and LFU ties every key never
        # read (each at LFU_INIT_VAL), as on Redis.  The recent keys that are there hold their values.
        recent = keys[0][-50:]
        got = c.mget(recent)
        assert all(v is None or v == expected_value(k) for k, v in zip(recent, got))
        assert any(v is not None for v in got)
    else:
        assert c.get(keys[0][-1]) == expected_value(keys[0][-1])  # the last write survives
    c.close()


def test_noeviction_answers_oom_and_keeps_every_acknowledged_key(start_extra, target):
    sp = start_extra(["--maxmemory", "4mb", "--maxmemory-policy", "noeviction"])
    c = make_client(sp)
    s = socket.create_connection(("127.0.0.1", sp.port), timeout=10)
    acked, reply = [], b""
    for i in range(20000):
        key = b"k%d" % i
        s.sendall(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1000\r\n%s\r\n" % (len(key), key, b"v" * 1000))
        reply = s.recv(1000)
        if reply != b"+OK\r\n":
            break
        acked.append(key)
    assert reply == OOM
    assert len(acked) > 1000
    # Reads work and nothing acknowledged was lost or evicted.
    assert all(v == b"v" * 1000 for v in c.mget(acked))
    assert info(c)["evicted_keys"] == 0
    # Other writes that need memory get the same error; DEL works and makes room.
    s.sendall(b"*3\r\n$4\r\nMSET\r\n$1\r\na\r\n$2000\r\n" + b"x" * 2000 + b"\r\n")
    assert s.recv(1000) == OOM
    assert c.delete(*acked[:500]) == 500
    assert c.set("again", b"v" * 1000)
    s.close()
    c.close()


def test_policy_and_limit_change_at_runtime(start_extra):
    sp = start_extra(["--maxmemory-policy", "noeviction"], kind="redistill")
    c = make_client(sp)
    for i in range(3000):
        c.set(f"k{i}", b"v" * 1000)
    used = info(c)["used_memory"]
    assert c.config_set("maxmemory", str(used // 2))  # below what is held: noeviction refuses
    with pytest.raises(OutOfMemoryError, match="command not allowed when used memory"):
        c.set("x", "y")
    assert c.get("k1") == b"v" * 1000
    assert c.config_set("maxmemory-policy", "allkeys-lru")
    assert c.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
    assert c.set("x", "y")  # evicts (incrementally) and writes
    for i in range(200):
        c.set(f"n{i}", b"w" * 1000)
    st = info(c)
    assert st["used_memory"] <= used // 2 and st["evicted_keys"] > 0
    assert st["maxmemory"] == used // 2 and st["maxmemory_policy"] == "allkeys-lru"
    assert c.get("n199") == b"w" * 1000
    assert c.config_set("maxmemory", "0")  # unlimited again: nothing more is evicted
    evicted = info(c)["evicted_keys"]
    for i in range(3000):
        c.set(f"m{i}", b"v" * 1000)
    assert info(c)["evicted_keys"] == evicted
    c.close()


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"])
def test_volatile_policies_evict_only_keys_with_a_ttl(start_extra, policy):
    sp = start_extra(["--maxmemory", "4mb", "--maxmemory-policy", policy], kind="redistill")
    c = make_client(sp)
    p = c.pipeline(transaction=False)
    for i in range(1000):
        p.set(f"keep{i}", b"p" * 1000)
    p.execute()
    flood(sp.port, clients=2, total_bytes=16 * MB, value_sizes=(1000,), ttl=True, prefix="tmp")
    st = info(c)
    assert st["evicted_keys"] > 0 and st["used_memory"] <= 4 * MB
    assert all(v == b"p" * 1000 for v in c.mget([f"keep{i}" for i in range(1000)]))
    # With nothing volatile left, writes that need memory are refused (Redis's OOM), reads still work.
    c.config_set("maxmemory", str(MB))  # less than the persistent keys alone
    for i in range(500):
        try:
            c.set(f"more{i}", b"m" * 1000)
        except OutOfMemoryError:
            break
    else:
        pytest.fail("no OOM once only persistent keys were left")
    assert c.get("keep0") == b"p" * 1000
    c.close()


def test_limit_and_policy_from_the_config_file(start_extra):
    sp = start_extra(config_text='[memory]\nmax_memory = "2mb"\neviction_policy = "allkeys-s3fifo"\n')
    c = make_client(sp)
    st = info(c)
    assert (st["maxmemory"], st["maxmemory_human"], st["maxmemory_policy"]) == (2 * MB, "2.00M", "allkeys-s3fifo")
    flood(sp.port, clients=2, total_bytes=8 * MB)
    st = info(c)
    assert 0 < st["used_memory"] <= 2 * MB and st["evicted_keys"] > 0
    assert float(st["mem_fragmentation_ratio"]) > 0 and st["used_memory_peak"] >= st["used_memory"]
    c.close()


def test_oom_inside_multi_dooms_the_transaction(start_extra):
    sp = start_extra(["--maxmemory-policy", "noeviction"])
    s = socket.create_connection(("127.0.0.1", sp.port), timeout=10)
    c = make_client(sp)
    for i in range(2000):
        c.set(f"k{i}", b"v" * 500)
    c.config_set("maxmemory", str(info(c)["used_memory"] // 2))

    def call(*args: bytes) -> bytes:
        s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
        return s.recv(4096)

    assert call(b"MULTI") == b"+OK\r\n"
    assert call(b"SET", b"x", b"y") == OOM  # refused when queued, as Redis does
    assert call(b"GET", b"k1") == OOM  # inside MULTI even reads are refused: queueing takes memory
    assert call(b"EXEC") == b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    assert call(b"GET", b"k1") == b"$500\r\n" + b"v" * 500 + b"\r\n"
    s.close()
    c.close()


def _fill_collections(c, n: int, members: int = 50) -> int:
    """Pipelined HSET/SADD of n hashes and n sets; the number of replies that were errors."""
    errors = 0
    for start in range(0, n, 100):
        p = c.pipeline(transaction=False)
        for i in range(start, min(start + 100, n)):
            p.hset(f"h:{i}", mapping={f"f{j}": "x" * 20 for j in range(members)})
            p.sadd(f"s:{i}", *[f"m{j}:{i}" for j in range(members)])
        errors += sum(isinstance(r, Exception) for r in p.execute(raise_on_error=False))
    return errors


def test_hashes_and_sets_are_evicted_and_counted(start_extra):
    """Collections count toward maxmemory (their members' bytes) and are evicted like strings."""
    sp = start_extra(["--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru"], kind="redistill")
    c = make_client(sp)
    assert _fill_collections(c, 2000) == 0
    st = info(c)
    assert st["evicted_keys"] > 0 and st["used_memory"] <= 4 * MB * 1.1
    assert 0 < c.dbsize() < 4000
    kept = [k for k in c.scan_iter(count=1000)]
    for k in kept[:50]:  # whatever was kept is whole
        assert c.hlen(k) == 50 if k.startswith(b"h:") else c.scard(k) == 50


def test_noeviction_refuses_collection_writes(start_extra, target):
    sp = start_extra(["--maxmemory", "2mb", "--maxmemory-policy", "noeviction"])
    c = make_client(sp)
    refused = _fill_collections(c, 2000)
    assert refused > 0
    with pytest.raises(OutOfMemoryError):
        c.hset("one-more", "f", "v")
    assert c.hdel("h:0", "f0") == 1 and c.srem("s:0", "m0:0") == 1  # deletes still run, as Redis


def test_lru_queues_built_at_runtime_while_others_write(start_extra):
    """Keys written without a limit carry no eviction-queue links (csrc/keyspace.h E_LINKS).  CONFIG SET
    allkeys-lru and a limit on the populated server give every entry its links and build each shard's LRU
    queue from the access clock, one shard at a time, while other connections keep writing: the oldest
    keys go first, the keys read last before the switch outlive the older ones, used_memory counts the
    links.  (Eviction compares 5 shards' LRU tails at a time, so the order is exact per shard and close
    to global: the test evicts about a third of the keys and checks the two ends of the order.)"""
    sp = start_extra([], kind="redistill")
    c = make_client(sp)
    n, value = 20000, b"v" * 100
    p = c.pipeline(transaction=False)
    for i in range(n):
        p.set(f"c{i}", value)
    p.execute()
    time.sleep(0.01)  # the access clock (ms) moves on: the reads below get newer stamps
    hot = [f"c{i}" for i in range(0, n, 20)]
    assert all(v == value for v in c.mget(hot))
    plain = info(c)["used_memory"]

    errors: list[str] = []

    def write(tid: int) -> None:
        w = make_client(sp)
        try:
            for i in range(1000):
                if not w.set(f"w{tid}:{i}", value):
                    errors.append(f"w{tid}:{i} not written")
        except Exception as e:  # reported below: a thread's exception would otherwise vanish
            errors.append(repr(e))
        finally:
            w.close()

    writers = [threading.Thread(target=write, args=(t,)) for t in range(2)]
    for t in writers:
        t.start()
    assert c.config_set("maxmemory-policy", "allkeys-lru")
    assert c.config_set("maxmemory", str(1 << 40))  # the queues come: every entry gets its links
    linked = info(c)["used_memory"]
    limit = plain - 3000 * 160  # about 3000 keys fewer than were there
    assert c.config_set("maxmemory", str(limit))
    for t in writers:
        t.join(120)
    assert not errors, errors[:3]
    assert linked - plain >= 8 * n  # 16 bytes of links per entry, less any glibc chunk slack they used
    for i in range(200):  # each write evicts a step: the limit is reached again
        c.set(f"late{i}", value)
    st = info(c)
    assert st["used_memory"] <= limit and st["evicted_keys"] >= 5000
    assert all(v == value for v in c.mget(hot))  # read after every other key that was there
    oldest = [f"c{i}" for i in range(500) if i % 20]
    assert c.mget(oldest) == [None] * len(oldest)  # written first, never read
    assert c.dbsize() == n + 2000 + 200 - st["evicted_keys"]
    c.close()


def test_queue_switches_keep_every_kind_of_key(start_extra):
    """Turning the eviction queues on and off reallocates every entry (with or without its links):
    collections, TTLs, long values and counters come through unchanged, a WATCH is not fired (no key
    was modified), and APPEND/INCR/EXPIRE work on the reshaped entries."""
    sp = start_extra([], kind="redistill")
    c = make_client(sp)
    c.hset("h", mapping={f"f{i}": i for i in range(50)})
    c.sadd("s", *range(20))
    c.rpush("l", *range(30))
    c.zadd("z", {f"m{i}": i for i in range(10)})
    c.set("t", "v", px=3_600_000)
    c.set("big", b"x" * 1000)
    c.set("n", 5)

    def snapshot():
        return (c.hgetall("h"), c.smembers("s"), c.lrange("l", 0, -1), c.zrange("z", 0, -1, withscores=True),
                c.get("t"), c.get("big"), c.get("n"), c.dbsize())

    first = snapshot()
    w = make_client(sp)
    p = w.pipeline()
    p.watch("big", "h", "t")
    for max_memory, policy in [(1 << 40, "allkeys-lru"), (1 << 40, "allkeys-s3fifo"), (0, "allkeys-s3fifo"),
                               (1 << 40, "allkeys-lru"), (1 << 40, "allkeys-lfu")]:
        assert c.config_set("maxmemory-policy", policy) and c.config_set("maxmemory", str(max_memory))
        assert snapshot() == first, policy
        assert 0 < c.pttl("t") <= 3_600_000
    p.multi()
    p.set("big", b"y")
    assert p.execute() == [True]  # the reshaping touched no watched key
    assert c.config_set("maxmemory-policy", "allkeys-lru")  # queues on again (the limit is still set)
    assert c.append("big", b"z" * 300) == 301 and c.incr("n") == 6 and c.expire("n", 100)
    assert c.get("big") == b"y" + b"z" * 300 and 0 < c.ttl("n") <= 100
    w.close()
    c.close()
