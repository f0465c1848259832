"""Key commands: DEL, EXISTS, EXPIRE/PEXPIRE (NX XX GT LT), TTL/PTTL, PERSIST, DBSIZE, FLUSHDB/FLUSHALL, expiry;
UNLINK, TOUCH, EXPIREAT/PEXPIREAT, EXPIRETIME, TYPE, RENAME/RENAMENX/COPY, KEYS, SCAN (also while tables
grow and shrink), RANDOMKEY, OBJECT, MEMORY USAGE."""

import threading
import time

import pytest
import redis

from resp import RespSocket, encode_command as cmd, parse

NOT_INT = b"-ERR value is not an integer or out of range\r\n"


def wrong_args(name: str) -> bytes:
    return b"-ERR wrong number of arguments for '%s' command\r\n" % name.encode()


def wait_until(pred, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def test_del_counts_existing_only(rc):
    rc.mset({"a": "1", "b": "2"})
    assert rc.delete("a", "b", "c") == 2
    assert rc.delete("a") == 0
    assert rc.get("b") is None


def test_del_duplicate_key_counts_once(raw):
    raw.call("SET", "a", "1")
    assert raw.call("DEL", "a", "a", "a") == b":1\r\n"


def test_exists_counts_duplicates(rc):
    rc.set("a", "1")
    assert rc.exists("a") == 1
    assert rc.exists("a", "a", "a") == 3
    assert rc.exists("a", "b", "a") == 2
    assert rc.exists("nope") == 0


def test_exists_del_exact(raw):
    raw.call("SET", "x", "1")
    assert raw.call("EXISTS", "x", "x", "y") == b":2\r\n"
    assert raw.call("DEL", "x", "y") == b":1\r\n"
    assert raw.call("EXISTS", "x") == b":0\r\n"


@pytest.mark.parametrize("argv", [["DEL"], ["EXISTS"], ["EXPIRE", "k"], ["EXPIRE"], ["PEXPIRE", "k"],
                                  ["TTL"], ["TTL", "a", "b"], ["PTTL"], ["PERSIST"], ["PERSIST", "a", "b"],
                                  ["DBSIZE", "x"]])
def test_keys_wrong_arity(raw, argv):
    assert raw.call(*argv) == wrong_args(argv[0].lower())


def test_ttl_pttl_states(rc):
    assert rc.ttl("nope") == -2
    assert rc.pttl("nope") == -2
    rc.set("k", "v")
    assert rc.ttl("k") == -1
    assert rc.pttl("k") == -1
    assert rc.expire("k", 100) is True
    assert 99 <= rc.ttl("k") <= 100
    assert 99_000 <= rc.pttl("k") <= 100_000
    assert rc.pexpire("k", 50_500) is True
    assert 50 <= rc.ttl("k") <= 51  # Redis rounds TTL to the nearest second
    assert rc.persist("k") is True
    assert rc.persist("k") is False
    assert rc.ttl("k") == -1
    assert rc.expire("nope", 10) is False
    assert rc.persist("nope") is False


def test_expire_exact(raw):
    assert raw.call("EXPIRE", "nope", "10") == b":0\r\n"
    raw.call("SET", "k", "v")
    assert raw.call("EXPIRE", "k", "100") == b":1\r\n"
    assert raw.call("TTL", "k") == b":100\r\n"
    assert raw.call("PERSIST", "k") == b":1\r\n"
    assert raw.call("TTL", "k") == b":-1\r\n"
    assert raw.call("PTTL", "nope") == b":-2\r\n"


def test_expire_nx_xx_gt_lt(rc):
    rc.set("k", "v")
    assert rc.expire("k", 100, xx=True) is False  # no TTL yet
    assert rc.ttl("k") == -1
    assert rc.expire("k", 100, gt=True) is False  # no TTL counts as infinite
    assert rc.expire("k", 100, lt=True) is True
    assert rc.expire("k", 200, nx=True) is False  # already has one
    assert rc.expire("k", 50, gt=True) is False
    assert 99 <= rc.ttl("k") <= 100
    assert rc.expire("k", 200, gt=True) is True
    assert 199 <= rc.ttl("k") <= 200
    assert rc.expire("k", 300, lt=True) is False
    assert rc.expire("k", 20, lt=True) is True
    assert 19 <= rc.ttl("k") <= 20
    assert rc.expire("k", 30, xx=True) is True
    assert 29 <= rc.ttl("k") <= 30
    rc.set("n", "v")
    assert rc.expire("n", 30, nx=True) is True
    assert rc.pexpire("n", 40_000, gt=True) is True
    assert 39_000 <= rc.pttl("n") <= 40_000
    assert rc.pexpire("n", 1_000_000, lt=True) is False


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["EXPIRE", "k", "10", "NX", "XX"], b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"),
        (["EXPIRE", "k", "10", "NX", "GT"], b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"),
        (["PEXPIRE", "k", "10", "LT", "NX"], b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"),
        (["EXPIRE", "k", "10", "GT", "LT"], b"-ERR GT and LT options at the same time are not compatible\r\n"),
        (["EXPIRE", "k", "10", "FOO"], b"-ERR Unsupported option FOO\r\n"),
        (["EXPIRE", "k", "abc"], NOT_INT),
        (["EXPIRE", "k", "1.5"], NOT_INT),
        (["PEXPIRE", "k", ""], NOT_INT),
        (["EXPIRE", "k", "9223372036854775807"], b"-ERR invalid expire time in 'expire' command\r\n"),
        (["EXPIRE", "k", "-9223372036854775808"], b"-ERR invalid expire time in 'expire' command\r\n"),
        (["PEXPIRE", "k", "9223372036854775807"], b"-ERR invalid expire time in 'pexpire' command\r\n"),
    ],
)
def test_expire_errors(raw, argv, expected):
    raw.call("SET", "k", "v")
    assert raw.call(*argv) == expected
    assert raw.call("TTL", "k") == b":-1\r\n"


@pytest.mark.parametrize("cmd, arg", [("EXPIRE", "0"), ("EXPIRE", "-10"), ("PEXPIRE", "0"), ("PEXPIRE", "-1")])
def test_expire_non_positive_deletes(raw, cmd, arg):
    raw.call("SET", "k", "v")
    assert raw.call(cmd, "k", arg) == b":1\r\n"
    assert raw.call("EXISTS", "k") == b":0\r\n"
    assert raw.call("TTL", "k") == b":-2\r\n"


def test_lazy_expiry(rc):
    start = time.monotonic()
    rc.set("k", "v", px=100)
    rc.set("e", "v")
    rc.pexpire("e", 100)
    got = rc.get("k")
    if time.monotonic() - start < 0.09:   # a loaded machine may take past the 100 ms to get here
        assert got == b"v"
    time.sleep(0.25)
    assert rc.get("k") is None
    assert rc.exists("e") == 0
    assert rc.ttl("k") == -2
    assert rc.mget("k", "e") == [None, None]
    assert rc.incr("k") == 1  # an expired key is gone, so INCR starts from 0
    assert rc.ttl("k") == -1


def test_a_long_pipelined_batch_sees_keys_expire(raw):
    """Outside a transaction Redis reads the clock per command, so the commands of one long pipelined
    batch must see a key's time come.  One small write runs, between TIME and TIME, triples of a costly C
    command (SUNIONSTORE of a 100,000-member set), SET k PXAT <send time + 50 ms> and GET k: only the GETs
    of about the first 50 ms of the batch may see k.  (The key is set again each time, so active expiry,
    which reads the real clock on another thread, cannot hide a stale batch clock.)"""
    members = 100_000
    for i in range(0, members, 5000):
        raw.send(b"".join(cmd("SADD", "big", *range(j, j + 1000)) for j in range(i, i + 5000, 1000)))
        raw.replies(5, timeout=30)
    triples, due_in_ms = 40, 50
    due = int(time.time() * 1000) + due_in_ms
    raw.send(cmd("TIME") + (cmd("SUNIONSTORE", "tmp", "big") + cmd("SET", "k", "v", "PXAT", due)
                            + cmd("GET", "k")) * triples + cmd("TIME"))
    replies = raw.replies(3 * triples + 2, timeout=120)
    t1, t2 = (int(s) * 1_000_000 + int(us) for s, us in (parse(replies[0]), parse(replies[-1])))
    span_ms = (t2 - t1) / 1000
    assert set(replies[1:-1:3]) == {b":%d\r\n" % members}
    gets = replies[3:-1:3]
    hits = gets.count(b"$1\r\nv\r\n")
    assert hits + gets.count(b"$-1\r\n") == triples
    # At the batch's average pace, twice the triples of the first due_in_ms + 2 ms, plus the triples
    # that may run before the clock is read again (16 commands).
    bound = 6 + 2 * triples * (due_in_ms + 2) / span_ms
    assert hits <= bound, f"{hits} of {triples} GETs saw k in a {span_ms:.0f} ms batch (bound {bound:.1f})"


def test_set_nx_after_expiry_succeeds(rc):
    rc.set("k", "v", px=50)
    time.sleep(0.15)
    assert rc.set("k", "new", nx=True) is True
    assert rc.get("k") == b"new"


def test_active_expiry_reclaims_unread_keys(rc):
    """Keys that are never touched again must still disappear (DBSIZE drops) within a few seconds."""
    rc.set("keep", "v")
    expired_before = rc.info("stats")["expired_keys"]
    pipe = rc.pipeline(transaction=False)
    for i in range(500):
        pipe.set(f"short:{i}", "v", px=100)
    assert pipe.execute() == [True] * 500
    # No assertion on DBSIZE right now: on a loaded machine the sweep may already have run.
    assert wait_until(lambda: rc.dbsize() == 1, timeout=8, step=0.2), f"DBSIZE still {rc.dbsize()} after 8 s"
    assert rc.info("stats")["expired_keys"] - expired_before == 500   # reclaimed, never read
    assert rc.get("keep") == b"v"


def test_dbsize_flushdb_flushall(rc):
    assert rc.dbsize() == 0
    rc.mset({f"k{i}": i for i in range(10)})
    assert rc.dbsize() == 10
    rc.delete("k0")
    assert rc.dbsize() == 9
    assert rc.flushdb() is True
    assert rc.dbsize() == 0
    rc.set("a", "1")
    assert rc.flushall(asynchronous=True) is True
    assert wait_until(lambda: rc.dbsize() == 0, timeout=5)
    assert rc.get("a") is None
    rc.set("a", "1")
    assert rc.execute_command("FLUSHALL", "SYNC") in (True, b"OK", "OK")
    assert rc.dbsize() == 0


@pytest.mark.parametrize("argv, expected", [
    (["FLUSHALL"], b"+OK\r\n"), (["FLUSHALL", "ASYNC"], b"+OK\r\n"), (["FLUSHALL", "sync"], b"+OK\r\n"),
    (["FLUSHDB"], b"+OK\r\n"), (["FLUSHDB", "async"], b"+OK\r\n"), (["FLUSHDB", "SYNC"], b"+OK\r\n"),
    (["FLUSHALL", "FOO"], b"-ERR syntax error\r\n"), (["FLUSHDB", "ASYNC", "SYNC"], b"-ERR syntax error\r\n"),
])
def test_flush_exact(raw, argv, expected):
    raw.call("SET", "k", "v")
    assert raw.call(*argv) == expected
    if expected == b"+OK\r\n":
        assert wait_until(lambda: raw.call("DBSIZE") == b":0\r\n", timeout=5)
    else:
        assert raw.call("DBSIZE") == b":1\r\n"


def test_expired_keys_not_counted_by_exists_or_del(rc):
    rc.set("a", "v", px=50)
    time.sleep(0.15)
    assert rc.exists("a") == 0
    assert rc.delete("a") == 0


def test_ttl_rounds_to_nearest_second(raw):
    """Redis's TTL is (pttl + 500) / 1000: 1700 ms left reads as 2, 1200 ms as 1."""
    raw.call("SET", "k", "v")
    raw.call("PEXPIRE", "k", "1700")
    assert raw.call("TTL", "k") == b":2\r\n"
    raw.call("PEXPIRE", "k", "1200")
    assert raw.call("TTL", "k") == b":1\r\n"
    raw.call("PEXPIRE", "k", "2600")
    assert raw.call("TTL", "k") == b":3\r\n"


def test_set_exat_in_the_past_deletes(raw):
    raw.call("SET", "k", "old")
    assert raw.call("SET", "k", "v", "EXAT", "1") == b"+OK\r\n"
    assert raw.call("EXISTS", "k") == b":0\r\n"
    assert raw.call("SET", "k", "v", "PXAT", "1", "GET") == b"$-1\r\n"
    assert raw.call("GET", "k") == b"$-1\r\n"


def test_expired_keys_stat_counts(raw):
    def stat(name):
        for line in raw.call("INFO", "stats").split(b"\r\n"):
            if line.startswith(name.encode() + b":"):
                return int(line.split(b":")[1])
        raise AssertionError(f"{name} missing from INFO stats")

    before = stat("expired_keys")
    for i in range(3):
        raw.call("SET", f"e{i}", "v", "PX", "30")
    time.sleep(0.15)
    for i in range(3):
        assert raw.call("GET", f"e{i}") == b"$-1\r\n"
    assert stat("expired_keys") - before == 3


def test_active_expiry_has_no_long_pauses(server, raw, raw_factory):
    """50,000 keys expiring at once: they are reclaimed within a few seconds and PING never waits > 500 ms."""
    n = 50_000
    for start in range(0, n, 5000):
        raw.send(b"".join(b"*5\r\n$3\r\nSET\r\n$%d\r\nx:%d\r\n$1\r\nv\r\n$2\r\nPX\r\n$3\r\n300\r\n"
                          % (len(b"x:%d" % i), i) for i in range(start, start + 5000)))
        assert raw.replies(5000, timeout=30) == [b"+OK\r\n"] * 5000
    probe = raw_factory()
    worst = 0.0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        t0 = time.monotonic()
        assert probe.call("PING") == b"+PONG\r\n"
        worst = max(worst, time.monotonic() - t0)
        if probe.call("DBSIZE") == b":0\r\n":
            break
        time.sleep(0.01)
    assert probe.call("DBSIZE") == b":0\r\n", "expired keys were not reclaimed within 10 s"
    assert worst < 0.5, f"a PING took {worst * 1000:.0f} ms during the expiry sweep"


def test_expiry_millisecond_precision(raw):
    start = time.monotonic()
    raw.call("SET", "k", "v", "PX", "400")
    time.sleep(0.2)
    got, pttl = raw.call("GET", "k"), int(raw.call("PTTL", "k")[1:-2])
    if time.monotonic() - start < 0.39:   # a loaded machine may stall us past the expiry: then only the end
        assert got == b"$1\r\nv\r\n"
        assert 0 < pttl <= 200, pttl
    time.sleep(max(0.0, start + 0.5 - time.monotonic()))
    assert raw.call("GET", "k") == b"$-1\r\n"


def test_absolute_expiry_times(raw):
    now_ms = int(time.time() * 1000)
    raw.call("SET", "a", "v", "PXAT", str(now_ms + 100_000))
    assert 98_000 <= int(raw.call("PTTL", "a")[1:-2]) <= 100_000
    raw.call("SET", "b", "v", "EXAT", str(now_ms // 1000 + 1000))
    assert 998 <= int(raw.call("TTL", "b")[1:-2]) <= 1000


# ---- the rest of the generic key commands (byte-exact cases: tests/differential) ----------------

def test_unlink_touch_type(rc):
    rc.mset({"a": "1", "b": "2"})
    assert rc.touch("a", "b", "zz") == 2
    assert rc.type("a") in (b"string", "string")
    assert rc.unlink("a", "zz") == 1
    assert rc.type("a") in (b"none", "none")


def test_expireat_and_expiretime(rc):
    rc.set("k", "v")
    at = int(time.time()) + 100
    assert rc.expireat("k", at) is True
    assert rc.expiretime("k") == at
    assert rc.pexpiretime("k") == at * 1000
    assert rc.pexpireat("k", at * 1000 + 250) is True
    assert rc.pexpiretime("k") == at * 1000 + 250
    assert rc.expireat("k", at + 10, gt=True) is True
    assert rc.expireat("k", at, gt=True) is False
    assert rc.expiretime("nope") == -2
    rc.set("p", "v")
    assert rc.expiretime("p") == -1


def test_rename_renamenx_copy(rc):
    rc.set("a", "1", ex=100)
    assert rc.rename("a", "b") is True
    assert rc.get("b") == b"1" and rc.exists("a") == 0
    assert 99 <= rc.ttl("b") <= 100
    with pytest.raises(redis.ResponseError, match="no such key"):
        rc.rename("a", "c")
    rc.set("c", "3")
    assert rc.renamenx("b", "c") is False
    assert rc.copy("b", "c") is False
    assert rc.copy("b", "c", replace=True) is True
    assert rc.get("c") == b"1" and 99 <= rc.ttl("c") <= 100
    with pytest.raises(redis.ResponseError, match="DB index is out of range"):
        rc.copy("b", "d", destination_db=1)
    assert rc.copy("b", "d", destination_db=0) is True


def test_rename_is_atomic_for_readers(server):
    """RENAME locks both stripes: an MGET of both names always sees exactly one of them."""
    w = redis.Redis(host=server.host, port=server.port, socket_timeout=10)
    rd = redis.Redis(host=server.host, port=server.port, socket_timeout=10)
    w.flushall()
    w.set("ping", "x")
    stop = threading.Event()
    bad = []

    def reader():
        while not stop.is_set() and len(bad) < 5:
            got = rd.mget("ping", "pong")
            if sum(v is not None for v in got) != 1:
                bad.append(got)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    try:
        for _ in range(500):
            w.rename("ping", "pong")
            w.rename("pong", "ping")
    finally:
        stop.set()
        t.join(10)
    assert not bad
    w.close()
    rd.close()


def test_keys_and_scan_patterns(r):
    r.mset({f"user:{i}": i for i in range(300)} | {f"item:{i}": i for i in range(200)})
    assert sorted(r.keys("user:*")) == sorted(f"user:{i}".encode() for i in range(300))
    assert sorted(r.keys("item:1?")) == sorted(f"item:1{i}".encode() for i in range(10))
    assert len(r.keys("*")) == 500
    got = list(r.scan_iter(match="item:*", count=7))
    assert sorted(set(got)) == sorted(f"item:{i}".encode() for i in range(200))
    assert len(set(r.scan_iter(_type="string"))) == 500
    assert list(r.scan_iter(_type="hash")) == []


def _scan_while(r, base: set, step) -> tuple[set, int]:
    """SCAN (COUNT 20) from 0 to 0, calling step(i) between calls; (keys seen, calls)."""
    seen, cursor, calls = set(), 0, 0
    while True:
        cursor, batch = r.scan(cursor, count=20)
        seen.update(batch)
        calls += 1
        if cursor == 0 or calls > 20_000:
            return seen, calls
        step(calls)


def test_scan_returns_every_key_while_the_table_grows(r):
    base = {f"base:{i}".encode() for i in range(3000)}
    r.mset({k: "v" for k in base})

    def grow(i):  # 500 new keys between each of the first 60 calls: the tables grow ~10x mid-scan
        if i <= 60:
            r.mset({f"new:{i}:{j}": "v" for j in range(500)})

    seen, calls = _scan_while(r, base, grow)
    assert calls <= 20_000, "scan did not finish"
    assert base <= seen, f"{len(base - seen)} keys present for the whole scan were never returned"
    assert r.dbsize() == 3000 + 500 * 60  # the keyspace really grew meanwhile


# Tables shrinking under the cursor (the case a forward cursor fails) is driven through the C API in
# tests/core/test_core_scan.py, where the churn between calls is cheap enough to do often.


def test_scan_small_keyspace_ends_in_one_call(raw):
    raw.call("MSET", "a", "1", "b", "2", "c", "3")
    cursor, keys = parse(raw.call("SCAN", "0", "COUNT", "100"))
    assert cursor == b"0" and sorted(keys) == [b"a", b"b", b"c"]


def test_randomkey(rc):
    assert rc.randomkey() is None
    keys = {f"k{i}".encode() for i in range(50)}
    rc.mset({k: "v" for k in keys})
    picks = {rc.randomkey() for _ in range(200)}
    assert picks <= keys and len(picks) > 5


def test_randomkey_of_a_sparse_keyspace_is_fair(raw):
    """A few keys in 1,024 stripes: each is picked about as often as the others (Redis's suite checks
    that 100 picks of 2 keys see both), not the key after the widest run of empty stripes."""
    names = [b"r%d" % i for i in range(8)]
    raw.call("MSET", *[x for n in names for x in (n, b"v")])
    raw.send(cmd("RANDOMKEY") * 800)
    picks = [parse(r) for r in raw.replies(800, timeout=30)]
    counts = {n: picks.count(n) for n in names}
    assert sum(counts.values()) == 800 and min(counts.values()) >= 40, counts   # 100 expected each


def test_object_and_memory_help(raw):
    """Served by C with the rest of OBJECT and MEMORY (a script's call gets them too); MEMORY lists
    Redis's subcommands, all of which Redistill serves."""
    memory = parse(raw.call("MEMORY", "HELP"))
    assert memory[0] == b"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert memory[1] == b"DOCTOR" and b"USAGE <key> [SAMPLES <count>]" in memory
    assert memory[-2:] == [b"HELP", b"    Prints this help."]
    obj = raw.call("object", "help")
    assert obj.startswith(b"*15\r\n+OBJECT <subcommand>") and b"+REFCOUNT <key>\r\n" in obj
    assert raw.call("MEMORY", "HELP", "x") == wrong_args("memory|help")


def test_object_and_memory_usage(rc):
    rc.set("int", "123")
    rc.set("emb", "hello")
    rc.set("raw", "x" * 100)
    assert rc.object("encoding", "int") in (b"int", "int")
    assert rc.object("encoding", "emb") in (b"embstr", "embstr")
    assert rc.object("encoding", "raw") in (b"raw", "raw")
    assert rc.object("refcount", "emb") == 1
    assert rc.object("idletime", "emb") in (0, 1)
    assert rc.object("encoding", "nope") is None
    small = rc.memory_usage("emb")
    big = rc.memory_usage("raw")
    rc.set("huge", "x" * 100_000)
    assert 0 < small < big < rc.memory_usage("huge")
    assert rc.memory_usage("huge") >= 100_000
    assert rc.memory_usage("nope") is None


def test_object_idletime_counts_from_last_access(raw):
    raw.call("SET", "k", "v")
    time.sleep(2.2)
    idle = int(raw.call("OBJECT", "IDLETIME", "k")[1:-2])
    assert 1 <= idle <= 3
    raw.call("GET", "k")  # an access resets it; OBJECT itself does not count as one
    assert raw.call("OBJECT", "IDLETIME", "k") in (b":0\r\n", b":1\r\n")


def test_object_freq_and_idletime_under_lfu(start_extra):
    sp = start_extra(args=["--maxmemory-policy", "allkeys-lfu"])
    c = RespSocket(sp.host, sp.port)
    try:
        c.call("SET", "k", "v")
        assert c.call("OBJECT", "FREQ", "k") == b":5\r\n"   # LFU_INIT_VAL: a new key's counter
        for _ in range(300):   # the counter grows logarithmically with reads (probabilistic)
            c.call("GET", "k")
        assert int(c.call("OBJECT", "FREQ", "k")[1:]) > 5
        assert c.call("OBJECT", "IDLETIME", "k").startswith(b"-ERR An LFU maxmemory policy is selected")
        assert c.call("OBJECT", "FREQ", "nokey") == b"$-1\r\n"
    finally:
        c.close()
