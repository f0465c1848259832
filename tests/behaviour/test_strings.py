"""String commands: SET (every option and error), GET, MGET, MSET, INCR/DECR family, binary safety, concurrency."""

import threading
import time

import pytest
import redis

from resp import RespSocket, encode_command, parse

I64_MAX = 2**63 - 1
I64_MIN = -(2**63)

NOT_INT = b"-ERR value is not an integer or out of range\r\n"
SYNTAX = b"-ERR syntax error\r\n"
OVERFLOW = b"-ERR increment or decrement would overflow\r\n"
BAD_EXPIRE_SET = b"-ERR invalid expire time in 'set' command\r\n"


def wrong_args(name: str) -> bytes:
    return b"-ERR wrong number of arguments for '%s' command\r\n" % name.encode()


# ---- SET / GET through redis-py, both protocols -------------------------------------------------

def test_set_get_roundtrip(rc):
    assert rc.set("k", "v") is True
    assert rc.get("k") == b"v"
    assert rc.get("missing") is None
    assert rc.set("k", "w") is True
    assert rc.get("k") == b"w"


def test_set_nx_xx(rc):
    assert rc.set("k", "1", nx=True) is True
    assert rc.set("k", "2", nx=True) is None
    assert rc.get("k") == b"1"
    assert rc.set("k", "3", xx=True) is True
    assert rc.get("k") == b"3"
    assert rc.set("other", "x", xx=True) is None
    assert rc.exists("other") == 0


def test_set_expire_options(rc):
    now = time.time()
    assert rc.set("ex", "v", ex=100)
    assert 99 <= rc.ttl("ex") <= 100
    assert rc.set("px", "v", px=100_000)
    assert 99_000 <= rc.pttl("px") <= 100_000
    assert rc.set("exat", "v", exat=int(now) + 200)
    assert 198 <= rc.ttl("exat") <= 200
    assert rc.set("pxat", "v", pxat=int(now * 1000) + 300_000)
    assert 298_000 <= rc.pttl("pxat") <= 300_000
    assert rc.set("plain", "v")
    assert rc.ttl("plain") == -1


def test_set_without_keepttl_clears_ttl_and_keepttl_keeps_it(rc):
    rc.set("k", "v", ex=100)
    rc.set("k", "v2", keepttl=True)
    assert 99 <= rc.ttl("k") <= 100
    assert rc.get("k") == b"v2"
    rc.set("k", "v3")
    assert rc.ttl("k") == -1


def test_set_get_option(rc):
    assert rc.set("k", "v1", get=True) is None
    assert rc.get("k") == b"v1"
    assert rc.set("k", "v2", get=True) == b"v1"
    assert rc.get("k") == b"v2"


def test_set_nx_get(rc):
    # Redis 7: NX and GET together are allowed; on an existing key: old value back, nothing written
    rc.set("k", "old")
    assert rc.set("k", "new", nx=True, get=True) == b"old"
    assert rc.get("k") == b"old"
    assert rc.set("fresh", "new", nx=True, get=True) is None
    assert rc.get("fresh") == b"new"


def test_set_xx_get_on_missing_writes_nothing(rc):
    assert rc.set("k", "v", xx=True, get=True) is None
    assert rc.exists("k") == 0


def test_set_exact_replies(rawp):
    nil = rawp.nil
    assert rawp.call("SET", "k", "v") == b"+OK\r\n"
    assert rawp.call("SET", "k", "v", "NX") == nil
    assert rawp.call("SET", "k2", "v", "XX") == nil
    assert rawp.call("SET", "k", "v2", "GET") == b"$1\r\nv\r\n"
    assert rawp.call("SET", "new", "v", "GET") == nil
    assert rawp.call("SET", "k", "v3", "NX", "GET") == b"$2\r\nv2\r\n"
    assert rawp.call("SET", "k", "v3", "xx", "get", "ex", "10") == b"$2\r\nv2\r\n"
    assert rawp.call("GET", "k") == b"$2\r\nv3\r\n"
    assert rawp.call("GET", "nope") == nil


@pytest.mark.parametrize(
    "args, expected",
    [
        (["NX", "XX"], SYNTAX),
        (["XX", "NX"], SYNTAX),
        (["EX", "10", "PX", "100"], SYNTAX),
        (["EX", "10", "EXAT", "100"], SYNTAX),
        (["PXAT", "10", "PX", "100"], SYNTAX),
        (["KEEPTTL", "EX", "10"], SYNTAX),
        (["EX", "10", "KEEPTTL"], SYNTAX),
        (["EX"], SYNTAX),
        (["PX"], SYNTAX),
        (["FOO"], SYNTAX),
        (["EX", "0"], BAD_EXPIRE_SET),
        (["EX", "-1"], BAD_EXPIRE_SET),
        (["PX", "0"], BAD_EXPIRE_SET),
        (["PX", "-5"], BAD_EXPIRE_SET),
        (["EXAT", "0"], BAD_EXPIRE_SET),
        (["PXAT", "-1"], BAD_EXPIRE_SET),
        (["EX", str(I64_MAX)], BAD_EXPIRE_SET),
        (["EX", str(I64_MAX // 1000 + 1)], BAD_EXPIRE_SET),
        (["PX", str(I64_MAX)], BAD_EXPIRE_SET),
        (["EX", "abc"], NOT_INT),
        (["EX", "1.5"], NOT_INT),
        (["EX", "99999999999999999999"], NOT_INT),
        (["PX", ""], NOT_INT),
    ],
)
def test_set_option_errors(raw, args, expected):
    assert raw.call("SET", "k", "old") == b"+OK\r\n"
    assert raw.call("SET", "k", "v", *args) == expected
    # an error must not have written anything
    assert raw.call("GET", "k") == b"$3\r\nold\r\n"
    assert raw.call("TTL", "k") == b":-1\r\n"


@pytest.mark.parametrize("argv", [["SET"], ["SET", "k"], ["GET"], ["GET", "a", "b"], ["MGET"], ["MSET"],
                                  ["MSET", "a"], ["MSET", "a", "1", "b"], ["INCR"], ["INCR", "a", "b"],
                                  ["DECR"], ["INCRBY", "a"], ["DECRBY", "a", "1", "2"]])
def test_string_wrong_arity(raw, argv):
    assert raw.call(*argv) == wrong_args(argv[0].lower())


def test_set_lowercase_options(raw):
    assert raw.call("set", "k", "v", "nx", "px", "100000") == b"+OK\r\n"
    pttl = int(raw.call("PTTL", "k")[1:-2])
    assert 99_000 <= pttl <= 100_000


# ---- GET / MGET / MSET ------------------------------------------------------------------------------

def test_mget_mset(rc):
    assert rc.mset({"a": "1", "b": "2", "c": ""}) is True
    assert rc.mget("a", "missing", "b", "c", "a") == [b"1", None, b"2", b"", b"1"]


def test_mset_overwrites_and_clears_ttl(rc):
    rc.set("a", "old", ex=100)
    rc.mset({"a": "new"})
    assert rc.get("a") == b"new"
    assert rc.ttl("a") == -1


def test_mset_same_key_twice_last_wins(raw):
    assert raw.call("MSET", "k", "1", "k", "2") == b"+OK\r\n"
    assert raw.call("GET", "k") == b"$1\r\n2\r\n"


def test_mget_exact_bytes(rawp):
    rawp.call("SET", "a", "x")
    assert rawp.call("MGET", "a", "nope") == b"*2\r\n$1\r\nx\r\n" + rawp.nil
    assert rawp.call("MGET", "nope") == b"*1\r\n" + rawp.nil


# ---- INCR family --------------------------------------------------------------------------------------

def test_incr_family(rc):
    assert rc.incr("n") == 1
    assert rc.incr("n") == 2
    assert rc.incrby("n", 10) == 12
    assert rc.decr("n") == 11
    assert rc.decrby("n", 20) == -9
    assert rc.incrby("n", -1) == -10
    assert rc.get("n") == b"-10"
    assert rc.decr("fresh") == -1
    assert rc.decrby("fresh2", 5) == -5


def test_incr_keeps_ttl(rc):
    rc.set("n", "5", ex=100)
    assert rc.incr("n") == 6
    assert 99 <= rc.ttl("n") <= 100


@pytest.mark.parametrize(
    "start, argv, expected",
    [
        (str(I64_MAX - 1), ["INCR"], b":%d\r\n" % I64_MAX),
        (str(I64_MAX), ["INCR"], OVERFLOW),
        (str(I64_MIN + 1), ["DECR"], b":%d\r\n" % I64_MIN),
        (str(I64_MIN), ["DECR"], OVERFLOW),
        ("1", ["INCRBY", str(I64_MAX)], OVERFLOW),
        ("0", ["INCRBY", str(I64_MAX)], b":%d\r\n" % I64_MAX),
        ("-1", ["INCRBY", str(I64_MIN)], OVERFLOW),
        ("0", ["INCRBY", str(I64_MIN)], b":%d\r\n" % I64_MIN),
        ("-2", ["DECRBY", str(I64_MAX)], OVERFLOW),
        ("0", ["DECRBY", str(I64_MIN)], b"-ERR decrement would overflow\r\n"),
        ("5", ["DECRBY", str(I64_MIN)], b"-ERR decrement would overflow\r\n"),
        ("0", ["DECRBY", str(I64_MIN + 1)], b":%d\r\n" % I64_MAX),
        ("0", ["INCRBY", str(I64_MAX + 1)], NOT_INT),
        ("0", ["INCRBY", "abc"], NOT_INT),
        ("0", ["INCRBY", "1.5"], NOT_INT),
        ("0", ["INCRBY", ""], NOT_INT),
        ("0", ["DECRBY", "x"], NOT_INT),
        ("abc", ["INCR"], NOT_INT),
        ("1.5", ["INCR"], NOT_INT),
        ("", ["INCR"], NOT_INT),
        (" 1", ["INCR"], NOT_INT),
        ("1 ", ["INCR"], NOT_INT),
        ("01", ["INCR"], NOT_INT),
        (str(I64_MAX + 1), ["INCR"], NOT_INT),
        ("-0", ["INCR"], NOT_INT),
        ("-5", ["INCR"], b":-4\r\n"),
        ("10", ["DECRBY", "-5"], b":15\r\n"),
    ],
)
def test_incr_edges_exact(raw, start, argv, expected):
    assert raw.call("SET", "n", start) == b"+OK\r\n"
    assert raw.call(argv[0], "n", *argv[1:]) == expected
    if expected.startswith(b"-"):  # an error leaves the value alone
        assert raw.call("GET", "n") == b"$%d\r\n%s\r\n" % (len(start), start.encode())
    else:
        assert raw.call("GET", "n") == b"$%d\r\n%s\r\n" % (len(expected) - 3, expected[1:-2])


def test_incr_error_via_redis_py(rc):
    rc.set("s", "hello")
    with pytest.raises(redis.ResponseError, match="^value is not an integer or out of range$"):
        rc.incr("s")
    rc.set("m", I64_MAX)
    with pytest.raises(redis.ResponseError, match="^increment or decrement would overflow$"):
        rc.incr("m")


# ---- binary safety ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "key, value",
    [
        (b"k\x00ey", b"va\x00lue"),
        (b"\x00", b"\x00\x00\x00"),
        (b"crlf\r\nkey", b"\r\n$3\r\nfoo\r\n"),
        (b"\xff\xfe\x80", bytes(range(256))),
        (b"empty-value", b""),
        (b"", b"empty key"),
    ],
    ids=["nul", "only-nul", "crlf", "high-bytes", "empty-value", "empty-key"],
)
def test_binary_safe(rc, key, value):
    assert rc.set(key, value)
    assert rc.get(key) == value
    assert rc.exists(key) == 1
    assert rc.mget(key, b"zz") == [value, None]
    assert rc.delete(key) == 1
    assert rc.get(key) is None


def test_one_megabyte_value(rc):
    value = bytes(i % 251 for i in range(1 << 20))
    key = b"big\x00" + b"k" * 1000
    assert rc.set(key, value)
    assert rc.get(key) == value
    assert rc.set(key, b"x" + value, get=True) == value
    assert rc.mget(key) == [b"x" + value]


def test_binary_exact_bytes(raw):
    assert raw.call(b"SET", b"a\x00b", b"\x00\r\n") == b"+OK\r\n"
    assert raw.call(b"GET", b"a\x00b") == b"$3\r\n\x00\r\n\r\n"
    assert raw.call(b"GET", b"a\x00") == b"$-1\r\n"
    assert raw.call(b"SET", b"", b"") == b"+OK\r\n"
    assert raw.call(b"GET", b"") == b"$0\r\n\r\n"
    assert raw.call(b"ECHO", b"\x00") == b"$1\r\n\x00\r\n"


# ---- concurrency -----------------------------------------------------------------------------------------

def test_eight_clients_ten_thousand_incr_each(server, r):
    """8 connections x 10,000 INCR of one key, pipelined in batches of 50 so it stays quick. The server runs
    2 threads, so the connections are spread over both: every reply value 1..80000 must appear exactly once."""
    threads, per_thread, batch = 8, 10_000, 50
    results: list[list[int]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []
    one = encode_command("INCR", "counter")

    def work(i: int) -> None:
        s = RespSocket(server.host, server.port, timeout=30)
        try:
            for _ in range(per_thread // batch):
                s.send(one * batch)
                for rep in s.replies(batch, timeout=30):
                    assert rep[:1] == b":", rep
                    results[i].append(int(rep[1:-2]))
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            s.close()

    start = time.monotonic()
    ts = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in ts), "INCR threads still running after 120 s"
    assert not errors, errors[:3]
    assert r.get("counter") == b"80000"
    for seq in results:
        assert len(seq) == per_thread
        assert all(a < b for a, b in zip(seq, seq[1:])), "one connection's INCR replies went backwards"
    allv = sorted(v for seq in results for v in seq)
    assert allv == list(range(1, threads * per_thread + 1)), "a value was returned twice: INCR is not atomic"
    assert time.monotonic() - start < 120


def test_mset_is_atomic_for_readers(server, r):
    """3 connections MSET 5 keys to one value each (pipelined), 3 others MGET the 5 keys, for 2 s. Redis runs
    each command alone, so an MGET never shows keys from different MSETs. Several connections on each side so
    that writers and readers land on different server threads."""
    nkeys, stop = 5, time.monotonic() + 2.0
    keys = [f"atom:{k}" for k in range(nkeys)]
    torn: list = []
    reads = [0]

    def writer(w):
        s = RespSocket(server.host, server.port, timeout=10)
        try:
            i = 0
            while time.monotonic() < stop:
                s.send(b"".join(encode_command("MSET", *[x for k in keys for x in (k, f"{w}:{i + j}")])
                                for j in range(20)))
                assert s.replies(20) == [b"+OK\r\n"] * 20
                i += 20
        finally:
            s.close()

    def reader():
        s = RespSocket(server.host, server.port, timeout=10)
        try:
            while time.monotonic() < stop and len(torn) < 5:
                vals = parse(s.call("MGET", *keys))
                reads[0] += 1
                if len(set(vals)) != 1:
                    torn.append(vals)
        finally:
            s.close()

    ts = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(3)]
    ts += [threading.Thread(target=reader, daemon=True) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in ts)
    assert reads[0] > 10
    assert not torn, f"MGET saw keys from different MSETs (not atomic): {torn[:3]}"


def test_eight_clients_ten_thousand_incr_one_at_a_time(server, r):
    """The issue's literal check: 8 connections x 10,000 INCR of one key, each INCR waiting for its reply."""
    one = encode_command("INCR", "counter")
    errors: list[BaseException] = []

    def work() -> None:
        s = RespSocket(server.host, server.port, timeout=30)
        try:
            last = 0
            for _ in range(10_000):
                s.send(one)
                rep = s.reply(timeout=30)
                v = int(rep[1:-2])
                assert rep[:1] == b":" and v > last, rep
                last = v
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            s.close()

    ts = [threading.Thread(target=work, daemon=True) for _ in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in ts), "INCR threads still running after 120 s"
    assert not errors, errors[:3]
    assert r.get("counter") == b"80000"


def test_set_get_is_atomic_swap(server, r):
    """4 connections each run 2,000 SET k <unique> GET (pipelined): as an atomic swap, every old value comes
    back exactly once (one None for the first writer), so no value is ever returned twice."""
    per, conns = 2000, 4
    olds: list = []
    lock = threading.Lock()

    def work(w):
        s = RespSocket(server.host, server.port, timeout=30)
        try:
            got = []
            for start in range(0, per, 100):
                s.send(b"".join(encode_command("SET", "swap", f"{w}:{i}", "GET") for i in range(start, start + 100)))
                got += [parse(x) for x in s.replies(100, timeout=30)]
            with lock:
                olds.extend(got)
        finally:
            s.close()

    ts = [threading.Thread(target=work, args=(w,), daemon=True) for w in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in ts)
    assert len(olds) == per * conns
    assert olds.count(None) == 1
    values = [v for v in olds if v is not None]
    dupes = len(values) - len(set(values))
    assert dupes == 0, f"{dupes} old values were returned twice: SET ... GET is not an atomic swap"
    assert r.get("swap") not in set(values)  # the last value written was never returned as an old one


def test_set_nx_has_one_winner(server, r):
    """8 connections race SET lock NX 200 times: each round has exactly one winner."""
    conns = [RespSocket(server.host, server.port, timeout=10) for _ in range(8)]
    try:
        for rnd in range(200):
            key = f"lock:{rnd}"
            for i, c in enumerate(conns):
                c.send(encode_command("SET", key, str(i), "NX"))
            reps = [c.reply() for c in conns]
            assert reps.count(b"+OK\r\n") == 1, (rnd, reps)
            assert reps.count(b"$-1\r\n") == 7, (rnd, reps)
    finally:
        for c in conns:
            c.close()


# ---- the rest of the string commands (byte-exact cases live in tests/differential) --------------

def test_setnx_setex_psetex_getset(rc):
    assert rc.setnx("k", "v") is True
    assert rc.setnx("k", "w") is False
    assert rc.get("k") == b"v"
    assert rc.setex("e", 100, "v") is True
    assert 99 <= rc.ttl("e") <= 100
    assert rc.psetex("p", 100_000, "v") is True
    assert 99_000 <= rc.pttl("p") <= 100_000
    assert rc.getset("e", "new") == b"v"
    assert rc.ttl("e") == -1  # GETSET clears the expiry like SET
    assert rc.getset("fresh", "x") is None
    with pytest.raises(redis.ResponseError, match="invalid expire time in 'setex' command"):
        rc.setex("e", 0, "v")


def test_getdel_getex(rc):
    rc.set("k", "v")
    assert rc.getdel("k") == b"v"
    assert rc.exists("k") == 0
    assert rc.getdel("k") is None
    rc.set("k", "v")
    assert rc.getex("k", ex=100) == b"v"
    assert 99 <= rc.ttl("k") <= 100
    assert rc.getex("k", persist=True) == b"v"
    assert rc.ttl("k") == -1
    assert rc.getex("k", pxat=1) == b"v"  # a time in the past: read, then deleted
    assert rc.exists("k") == 0
    assert rc.getex("missing", ex=10) is None


def test_getex_invalid_time_checked_only_for_existing_key(raw):
    assert raw.call("GETEX", "nokey", "EX", "-1") == b"$-1\r\n"
    raw.call("SET", "k", "v")
    assert raw.call("GETEX", "k", "EX", "-1") == b"-ERR invalid expire time in 'getex' command\r\n"
    assert raw.call("TTL", "k") == b":-1\r\n"


def test_append_strlen_getrange_setrange(rc):
    assert rc.append("a", "Hello") == 5
    assert rc.append("a", " World") == 11
    assert rc.strlen("a") == 11
    assert rc.strlen("nope") == 0
    assert rc.getrange("a", 0, 4) == b"Hello"
    assert rc.getrange("a", -5, -1) == b"World"
    assert rc.getrange("nope", 0, -1) == b""
    assert rc.setrange("a", 6, "Redis") == 11
    assert rc.get("a") == b"Hello Redis"
    assert rc.setrange("z", 3, "x") == 4
    assert rc.get("z") == b"\x00\x00\x00x"
    assert rc.substr("a", 0, 4) == b"Hello"


def test_append_many_times_builds_the_whole_string(r):
    # APPEND grows the entry with slack (realloc); the content must stay exact across moves.
    expected = bytearray()
    with r.pipeline(transaction=False) as p:
        for i in range(2000):
            piece = b"%d," % i
            expected += piece
            p.append("log", piece)
        lengths = p.execute()
    assert lengths[-1] == len(expected)
    assert r.get("log") == bytes(expected)


def test_setrange_far_offset_zero_fills(r):
    assert r.setrange("k", 1_000_000, "x") == 1_000_001
    v = r.get("k")
    assert v[-1:] == b"x" and v[:-1] == b"\x00" * 1_000_000


def test_setrange_append_size_limit(raw):
    err = b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"
    assert raw.call("SETRANGE", "k", str(512 * 1024 * 1024), "x") == err
    assert raw.call("EXISTS", "k") == b":0\r\n"
    assert raw.call("SETRANGE", "k", str(512 * 1024 * 1024 - 1), "") == b":0\r\n"
    assert raw.call("SETRANGE", "k", "-1", "x") == b"-ERR offset is out of range\r\n"


def test_incrbyfloat(rc):
    assert rc.incrbyfloat("f", 10.5) == 10.5
    assert rc.incrbyfloat("f", 0.1) == pytest.approx(10.6)
    assert rc.get("f") == b"10.6"  # Redis's %.17Lf with the trailing zeros cut
    rc.set("f", "5.0e3")
    assert rc.incrbyfloat("f", 2.0e2) == 5200
    assert rc.get("f") == b"5200"
    rc.set("s", "abc")
    with pytest.raises(redis.ResponseError, match="value is not a valid float"):
        rc.incrbyfloat("s", 1)


def test_incrbyfloat_reply_is_a_bulk_string_in_both_protocols(rawp):
    assert rawp.call("INCRBYFLOAT", "f", "1.5") == b"$3\r\n1.5\r\n"
    assert rawp.call("INCRBYFLOAT", "f", "inf") == b"-ERR increment would produce NaN or Infinity\r\n"


def test_msetnx(rc):
    assert rc.msetnx({"a": "1", "b": "2"}) is True
    assert rc.msetnx({"b": "x", "c": "3"}) is False
    assert rc.mget("a", "b", "c") == [b"1", b"2", None]


def test_lcs(rc):
    rc.mset({"a": "ohmytext", "b": "mynewtext"})
    assert rc.lcs("a", "b") == b"mytext"
    assert rc.lcs("a", "b", len=True) == 6
    res = rc.lcs("a", "b", idx=True, withmatchlen=True, minmatchlen=4)
    if isinstance(res, list):  # RESP2: flat array of pairs
        res = dict(zip(res[0::2], res[1::2]))
    res = {k.decode() if isinstance(k, bytes) else k: v for k, v in res.items()}
    assert res["len"] == 6
    assert res["matches"] == [[[4, 7], [5, 8], 4]]


def test_concurrent_read_modify_write_is_atomic(server):
    """INCRBYFLOAT, APPEND and SETRANGE read and write under one stripe lock: no lost updates."""
    n = 300
    clients = [redis.Redis(host=server.host, port=server.port, socket_timeout=10) for _ in range(3)]
    clients[0].flushall()
    errors = []

    def work(c, piece):
        try:
            for _ in range(n):
                c.incrbyfloat("f", 0.5)
                c.append("s", piece)
        except Exception as e:  # reported below
            errors.append(e)

    ts = [threading.Thread(target=work, args=(c, p), daemon=True) for c, p in zip(clients, "abc")]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert not errors and not any(t.is_alive() for t in ts)
    assert clients[0].get("f") == b"%d" % (n * 3 // 2)
    s = clients[0].get("s")
    assert len(s) == 3 * n and all(s.count(p) == n for p in b"abc")
    for c in clients:
        c.close()


def test_msetnx_is_all_or_nothing_under_races(server):
    """Two clients race MSETNX over the same keys: exactly one wins, and every key has its values."""
    a = redis.Redis(host=server.host, port=server.port, socket_timeout=10)
    b = redis.Redis(host=server.host, port=server.port, socket_timeout=10)
    keys = [f"k{i}" for i in range(20)]
    for _ in range(30):
        a.flushall()
        results = {}
        ts = [threading.Thread(target=lambda c=c, tag=tag: results.__setitem__(tag, c.msetnx({k: tag for k in keys})))
              for c, tag in ((a, "A"), (b, "B"))]
        for t in ts:
            t.start()
        for t in ts:
            t.join(10)
        assert sorted(results.values()) == [False, True]
        winner = "A" if results["A"] else "B"
        assert a.mget(keys) == [winner.encode()] * len(keys)
    a.close()
    b.close()
