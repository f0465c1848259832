"""HyperLogLog (PFADD, PFCOUNT, PFMERGE, PFDEBUG) against redis-server 7.0.15: the reply bytes and the raw
bytes of every HLL afterwards (GET) must match, so the representation is Redis's own (header, cached
cardinality, sparse opcodes, the sparse -> dense promotion under hll-sparse-max-bytes).

Fixed cases cover each command's error order (WRONGTYPE, a string that is not an HLL, a corrupted one,
PFDEBUG's missing key before its subcommand), expiries kept through every rewrite, and run as they are
(RESP2, RESP3) and queued inside MULTI/EXEC.  Seeded random streams then add, merge, count and corrupt
(SETRANGE) a few HLLs under changing hll-sparse-max-bytes, comparing every reply and the values.  Values
move between the two servers with GET/SET both ways.  Run with the fast path on and with REDISTILL_FASTPATH=0.
"""

from __future__ import annotations

import random
import time

import pytest

from resp import RespSocket

from .test_string_options import assert_cases_match
from .test_watch_noop import _outcome as watch_outcome

HEADER_SPARSE = b"HYLL\x01\x00\x00\x00" + bytes(8)
ALL_ZERO = HEADER_SPARSE + b"\x7f\xff"                  # what PFADD creates: one XZERO run over 16384 registers
SETUP = [
    ["PFADD", "sp", "a", "b", "c"],                     # sparse
    ["PFADD", "dn", "x"], ["PFDEBUG", "TODENSE", "dn"], ["PFADD", "dn", "y", "z"],   # dense
    ["PFADD", "ttl", "1", "2"], ["EXPIRE", "ttl", "1000"],
    ["SET", "s", "hello"], ["HSET", "h", "f", "v"], ["SET", "n", "12345"],
    ["SET", "tail", ALL_ZERO + b"junk"],                # sparse runs past the last register
    ["SET", "short", HEADER_SPARSE + b"\x7f"],          # an XZERO cut by the end: covers 16129 registers
    ["SET", "enc", b"HYLL\x02" + bytes(11)],            # unknown encoding
    ["SET", "dlen", b"HYLL\x00" + bytes(11) + bytes(100)],   # dense of the wrong length
    ["SET", "hdr", b"HYLL\x01"],                        # shorter than the header
]
KEYS = ["sp", "dn", "ttl", "s", "h", "tail", "short", "enc", "dlen", "hdr", "new", "d"]

PFADD = [
    ["PFADD", "new"], ["PFADD", "new", "a"], ["PFADD", "new", ""], ["PFADD", "sp"], ["PFADD", "sp", "a"],
    ["PFADD", "sp", "d", "e"], ["PFADD", "dn", "x"], ["PFADD", "dn", "q"], ["PFADD", "dn"], ["PFADD", "ttl", "3"],
    ["PFADD", "s", "a"], ["PFADD", "h", "a"], ["PFADD", "n", "a"], ["PFADD", "tail", "a"], ["PFADD", "tail"],
    ["PFADD", "short", "a", "b", "c", "d", "e", "f", "g"], ["PFADD", "enc", "a"], ["PFADD", "dlen", "a"],
    ["PFADD", "hdr", "a"], ["PFADD", "new", *[f"e{i}" for i in range(200)]],
    ["PFADD", "sp", *[f"e{i}" for i in range(3000)]],       # promoted to dense on the way
    ["PFADD", "ttl", *[f"e{i}" for i in range(3000)]],      # promoted, keeping its expiry
]

PFCOUNT = [
    ["PFCOUNT", "new"], ["PFCOUNT", "sp"], ["PFCOUNT", "dn"], ["PFCOUNT", "ttl"], ["PFCOUNT", "s"], ["PFCOUNT", "h"],
    ["PFCOUNT", "tail"], ["PFCOUNT", "short"], ["PFCOUNT", "enc"], ["PFCOUNT", "dlen"], ["PFCOUNT", "hdr"],
    ["PFCOUNT", "sp", "dn"], ["PFCOUNT", "sp", "new", "dn", "sp"], ["PFCOUNT", "new", "new"],
    ["PFCOUNT", "sp", "h"], ["PFCOUNT", "h", "sp"], ["PFCOUNT", "sp", "s"], ["PFCOUNT", "sp", "tail"],
    ["PFCOUNT", "tail", "s"], ["PFCOUNT", "short", "sp"], ["PFCOUNT", "new", "enc"],
]

PFMERGE = [
    ["PFMERGE", "d"], ["PFMERGE", "d", "sp"], ["PFMERGE", "d", "sp", "dn"], ["PFMERGE", "d", "new"],
    ["PFMERGE", "sp", "dn"], ["PFMERGE", "dn", "sp"], ["PFMERGE", "sp", "sp"], ["PFMERGE", "ttl", "sp"],
    ["PFMERGE", "ttl", "dn"], ["PFMERGE", "d", "s"], ["PFMERGE", "s", "sp"], ["PFMERGE", "h", "sp"],
    ["PFMERGE", "d", "sp", "h"], ["PFMERGE", "d", "tail"], ["PFMERGE", "tail", "sp"], ["PFMERGE", "d", "short"],
    ["PFMERGE", "d", "sp", "enc"], ["PFMERGE", "sp"], ["PFMERGE", "new", "sp", "ttl", "dn"],
]

PFDEBUG = [
    ["PFDEBUG", "GETREG", "sp"], ["PFDEBUG", "getreg", "dn"], ["PFDEBUG", "DECODE", "sp"], ["PFDEBUG", "DECODE", "dn"],
    ["PFDEBUG", "ENCODING", "sp"], ["PFDEBUG", "ENCODING", "dn"], ["PFDEBUG", "TODENSE", "sp"],
    ["PFDEBUG", "TODENSE", "dn"], ["PFDEBUG", "TODENSE", "ttl"], ["PFDEBUG", "GETREG", "new"],
    ["PFDEBUG", "NOPE", "new"], ["PFDEBUG", "NOPE", "sp"], ["PFDEBUG", b"getreg\0x", "sp"],
    ["PFDEBUG", b"no\r\npe\0x", "sp"], ["PFDEBUG", "", "sp"], ["PFDEBUG", "GETREG", "s"], ["PFDEBUG", "GETREG", "h"],
    ["PFDEBUG", "DECODE", "tail"], ["PFDEBUG", "DECODE", "short"], ["PFDEBUG", "GETREG", "tail"],
    ["PFDEBUG", "TODENSE", "short"], ["PFDEBUG", "ENCODING", "enc"], ["PFDEBUG", "DECODE", "hdr"],
    ["PFDEBUG", "GETREG"], ["PFDEBUG", "GETREG", "sp", "x"], ["PFADD"], ["PFCOUNT"], ["PFMERGE"],
]

GROUPS = {"pfadd": PFADD, "pfcount": PFCOUNT, "pfmerge": PFMERGE, "pfdebug": PFDEBUG}


@pytest.mark.parametrize("mode", ["resp2", "resp3", "multi"])
@pytest.mark.parametrize("group", list(GROUPS))
def test_hll_commands_match_redis(socks, group, mode):
    assert_cases_match(socks, GROUPS[group], mode, SETUP, KEYS)


# ---- seeded random streams -------------------------------------------------------------------------

RKEYS = ["a", "b", "c"]


def _elements(rnd: random.Random) -> list[str]:
    n = rnd.choice([0, 1, 1, 2, 5, 20, 100, 400])
    return [str(rnd.randrange(10**rnd.randint(1, 6))) for _ in range(n)]


def gen(rnd: random.Random, n: int) -> list[list]:
    steps = []
    for _ in range(n):
        k = rnd.choice(RKEYS)
        op = rnd.randrange(20)
        if op < 10:
            steps.append(["PFADD", k, *_elements(rnd)])
        elif op < 13:
            steps.append(["PFCOUNT", *rnd.sample(RKEYS + ["missing"], rnd.randint(1, 3))])
        elif op < 15:
            steps.append(["PFMERGE", k, *[rnd.choice(RKEYS + ["missing"]) for _ in range(rnd.randint(0, 3))]])
        elif op == 15:
            steps.append(["PFDEBUG", rnd.choice(["ENCODING", "DECODE", "TODENSE"]), k])
        elif op == 16:
            steps.append(["CONFIG", "SET", "hll-sparse-max-bytes", str(rnd.choice([0, 30, 100, 500, 3000, 10000]))])
        elif op == 17:   # corrupt a byte past the header, as Redis's own fuzzing test does
            steps.append(["SETRANGE", k, str(rnd.randrange(16, 60)), bytes([rnd.randrange(256)])])
        elif op == 18:
            steps.append(["DEL", k])
        else:
            steps.append(["EXPIRE", k, "1000"])
    return steps


@pytest.mark.parametrize("seed", range(4))
def test_random_hll_streams_match_redis(socks, seed):
    steps = gen(random.Random(seed), 250)
    replies = []
    for sock in socks:
        sock.call("FLUSHALL")
        try:
            got = []
            for s in steps:
                got.append(sock.call(*s))
                got.append(sock.call("GET", s[1]) if s[0] in ("PFADD", "PFMERGE", "SETRANGE") else b"")
            replies.append(got + [min(int(sock.call("PTTL", k)[1:-2]), 0) for k in RKEYS])   # -2, -1 or 0: expires
        finally:
            sock.call("CONFIG", "SET", "hll-sparse-max-bytes", "3000")
    for i, (want, got) in enumerate(zip(*replies)):
        step = steps[i // 2] if i // 2 < len(steps) else "final PTTL"
        assert want == got, f"reply {i} ({'GET after ' if i % 2 else ''}{str(step)[:200]})\n redis: {want[:300]!r}\n" \
                            f" redistill: {got[:300]!r}"


def _bulk(reply: bytes) -> bytes:
    head, _, rest = reply.partition(b"\r\n")
    assert head.startswith(b"$") and int(head[1:]) >= 0, reply[:100]
    return rest[:int(head[1:])]


@pytest.mark.parametrize("size", [10, 2000, 50000])
def test_values_move_between_servers(socks, size):
    """An HLL built on one server, moved to the other with GET/SET: the other counts it the same and keeps
    adding to it byte for byte as the first does (sparse at 10 and 2000 elements, dense at 50000)."""
    ref, sut = socks
    for src, dst in ((ref, sut), (sut, ref)):
        for sock in socks:
            sock.call("FLUSHALL")
        for start in range(0, size, 1000):
            src.call("PFADD", "h", *[f"m{i}" for i in range(start, min(size, start + 1000))])
        value = _bulk(src.call("GET", "h"))
        assert dst.call("SET", "h", value) == b"+OK\r\n"
        assert dst.call("PFCOUNT", "h") == src.call("PFCOUNT", "h")
        more = [f"n{i}" for i in range(300)]
        assert dst.call("PFADD", "h", *more) == src.call("PFADD", "h", *more)
        assert dst.call("GET", "h") == src.call("GET", "h")
        assert dst.call("PFDEBUG", "ENCODING", "h") == src.call("PFDEBUG", "ENCODING", "h")


# (setup, the command another client runs while "k" is watched): PFCOUNT writes its cached cardinality
# and signals the key when the cache was stale; PFADD signals only a raised register; PFDEBUG's
# conversions signal nothing (Redis only counts them as dirty).
WATCH_CASES = [
    ([["PFADD", "k", "a"]], ["PFCOUNT", "k"]),
    ([["PFADD", "k", "a"], ["PFCOUNT", "k"]], ["PFCOUNT", "k"]),
    ([["PFADD", "k", "a"]], ["PFCOUNT", "k", "x"]),
    ([["PFADD", "k", "a"]], ["PFADD", "k", "a"]),
    ([["PFADD", "k", "a"]], ["PFADD", "k", "b"]),
    ([["PFADD", "k", "a"]], ["PFADD", "k"]),
    ([], ["PFADD", "k"]),
    ([["PFADD", "k", "a"]], ["PFMERGE", "k"]),
    ([["PFADD", "k", "a"]], ["PFDEBUG", "TODENSE", "k"]),
    ([["PFADD", "k", "a"]], ["PFDEBUG", "GETREG", "k"]),
    ([["PFADD", "k", "a"], ["PFDEBUG", "TODENSE", "k"]], ["PFADD", "k", "a"]),
    ([["PFADD", "k", "a"], ["PFDEBUG", "TODENSE", "k"]], ["PFADD", "k", "zzz"]),
]


@pytest.mark.parametrize("setup,command", WATCH_CASES, ids=[" ".join(c) + f"/{len(s)}" for s, c in WATCH_CASES])
def test_watch_broken_only_by_real_hll_changes(redis_server, server, setup, command):
    want = watch_outcome(redis_server.port, setup, command)
    got = watch_outcome(server.port, setup, command)
    assert got == want, f"{command}: redis (reply, EXEC) {want!r}, ours {got!r}"


def test_keyspace_hits_and_misses_match_redis(socks):
    """PFCOUNT and PFMERGE read their keys (PFMERGE's destination too) and count a hit or miss each; PFADD and
    PFDEBUG look up for writing and count none, as Redis's lookupKeyWrite."""
    steps = [["PFADD", "a", "1"], ["PFADD", "x"], ["PFCOUNT", "a"], ["PFCOUNT", "nosuch"], ["PFCOUNT", "a", "b", "a"],
             ["PFMERGE", "d", "a", "nosuch"], ["PFMERGE", "a", "a"], ["PFDEBUG", "ENCODING", "a"],
             ["PFDEBUG", "ENCODING", "nosuch"]]
    stats = []
    for sock in socks:
        sock.call("FLUSHALL")
        sock.call("CONFIG", "RESETSTAT")
        for s in steps:
            sock.call(*s)
        info = sock.call("INFO", "stats").decode()
        stats.append([line for line in info.split("\r\n") if line.startswith(("keyspace_hits:", "keyspace_misses:"))])
    assert len(stats[0]) == 2 and stats[0] == stats[1], stats


def test_sparse_max_bytes_config_matches_redis(socks):
    """CONFIG SET/GET hll-sparse-max-bytes (memory units, range) and its effect on when PFADD promotes."""
    cases = [["CONFIG", "GET", "hll-sparse-max-bytes"], ["CONFIG", "SET", "hll-sparse-max-bytes", "1kb"],
             ["CONFIG", "GET", "hll-sparse-max-bytes"], ["PFADD", "k", *[str(i) for i in range(150)]],
             ["PFDEBUG", "ENCODING", "k"], ["CONFIG", "SET", "hll-sparse-max-bytes", "-1"],
             ["CONFIG", "SET", "hll-sparse-max-bytes", "abc"], ["CONFIG", "SET", "hll-sparse-max-bytes", "0"],
             ["PFADD", "j", "a"], ["PFDEBUG", "ENCODING", "j"], ["GET", "j"], ["PFADD", "k", "z"],
             ["PFDEBUG", "ENCODING", "k"], ["GET", "k"]]
    got = []
    for sock in socks:
        sock.call("FLUSHALL")
        try:
            got.append([sock.call(*c) for c in cases])
        finally:
            sock.call("CONFIG", "SET", "hll-sparse-max-bytes", "3000")
    assert got[0] == got[1]


def test_selftest_passes(server):
    """PFSELFTEST (dense registers read back; 10 million elements counted dense and sparse alike, within
    the error bound) on the server under test alone: on both it takes seconds."""
    sock = RespSocket(server.host, server.port, timeout=60)
    try:
        assert sock.call("PFSELFTEST") == b"+OK\r\n"
    finally:
        sock.close()


# ---- crafted elements: many registers side by side, so sparse edits split and merge runs all the time ----

def murmur64a(data: bytes, seed: int = 0xADC83B19) -> int:
    """Redis's MurmurHash64A (hyperloglog.c), to pick elements by the register they land in."""
    m, mask = 0xC6A4A7935BD1E995, 2**64 - 1
    h = (seed ^ (len(data) * m)) & mask
    whole = len(data) - len(data) % 8
    for i in range(0, whole, 8):
        k = int.from_bytes(data[i:i + 8], "little") * m & mask
        k = (k ^ k >> 47) * m & mask
        h = (h ^ k) * m & mask
    if len(data) % 8:
        h = (h ^ int.from_bytes(data[whole:], "little")) * m & mask
    h = (h ^ h >> 47) * m & mask
    return h ^ h >> 47


def narrow_pool(registers: int, count: int) -> list[bytes]:
    """`count` elements whose registers are all below `registers` (seeded, the same every run)."""
    out, i = [], 0
    while len(out) < count:
        e = b"e%d" % i
        if murmur64a(e) & 16383 < registers:
            out.append(e)
        i += 1
    return out


POOL = narrow_pool(48, 300)   # about 6 elements a register over registers 0..47


def test_pool_registers_match_redis(socks):
    """The Python hash picks the registers Redis's does (else the crafted tests below would test little)."""
    for sock in socks:
        sock.call("FLUSHALL")
        sock.call("PFADD", "k", *POOL[:50])
    regs = socks[0].call("PFDEBUG", "GETREG", "k").split(b"\r\n")[1:-1]   # ":value" lines, register order
    set_regs = {i for i, line in enumerate(regs) if line != b":0"}
    assert set_regs and max(set_regs) < 48
    assert socks[1].call("PFDEBUG", "GETREG", "k") == socks[0].call("PFDEBUG", "GETREG", "k")


@pytest.mark.parametrize("max_bytes", ["3000", "30", "31", "32", "33", "34", "40"])
def test_crowded_sparse_edits_match_redis(socks, max_bytes):
    """One element at a time into 48 neighbouring registers: every split, every merge of equal VAL runs (up
    to 4 registers) and the promotion at exactly hll-sparse-max-bytes give Redis's bytes after each PFADD."""
    order = random.Random(int(max_bytes)).sample(POOL, len(POOL) if max_bytes == "3000" else 60)
    got = []
    for sock in socks:
        sock.call("FLUSHALL")
        try:
            assert sock.call("CONFIG", "SET", "hll-sparse-max-bytes", max_bytes) == b"+OK\r\n"
            got.append([(sock.call("PFADD", "k", e), sock.call("GET", "k")) for e in order])
        finally:
            sock.call("CONFIG", "SET", "hll-sparse-max-bytes", "3000")
    for i, (want, have) in enumerate(zip(*got)):
        assert want == have, f"after PFADD #{i} ({order[i]!r}):\n redis: {want!r}\n redistill: {have!r}"
    # PFMERGE of that sparse value into a fresh key sets the registers one by one: the same bytes too
    for sock in socks:
        sock.call("DEL", "m")
    assert socks[1].call("PFMERGE", "m", "k") == socks[0].call("PFMERGE", "m", "k") == b"+OK\r\n"
    assert socks[1].call("GET", "m") == socks[0].call("GET", "m")


def test_pfcount_is_refused_in_read_only_scripts_as_redis(socks):
    """PFCOUNT may write its cached cardinality (Redis's hidden may_replicate flag): a read-only script
    refuses it as a write, an ordinary script runs it, and COMMAND INFO does not show the flag."""
    cases = [["PFADD", "k", "a"], ["EVAL_RO", "return redis.call('pfcount', KEYS[1])", "1", "k"],
             ["EVAL", "#!lua flags=no-writes\nreturn redis.call('pfcount', KEYS[1])", "1", "k"],
             ["EVAL", "return redis.call('pfcount', KEYS[1])", "1", "k"], ["COMMAND", "INFO", "pfcount"]]
    got = []
    for sock in socks:
        sock.call("FLUSHALL")
        got.append([sock.call(*c) for c in cases])
    assert got[0] == got[1]


def _paused_pfcount(port: int) -> tuple:
    """PFCOUNT from a second client while the first holds CLIENT PAUSE WRITE: whether it waited (blocked
    client count, polled for up to 5 s), then its reply once unpaused."""
    a, b = RespSocket("127.0.0.1", port, timeout=10), RespSocket("127.0.0.1", port, timeout=10)
    try:
        a.call("FLUSHALL")
        a.call("PFADD", "k", "x")
        assert a.call("CLIENT", "PAUSE", "20000", "WRITE") == b"+OK\r\n"
        b.send(b"*2\r\n$7\r\nPFCOUNT\r\n$1\r\nk\r\n")
        deadline, blocked = time.monotonic() + 5, False
        while not blocked and time.monotonic() < deadline:
            blocked = b"blocked_clients:1\r\n" in a.call("INFO", "clients")
            time.sleep(0.02)
        a.call("CLIENT", "UNPAUSE")
        return blocked, b.reply()
    finally:
        a.call("CLIENT", "UNPAUSE")
        a.close()
        b.close()


def test_pfcount_is_held_by_client_pause_write(redis_server, server):
    want, got = _paused_pfcount(redis_server.port), _paused_pfcount(server.port)
    assert want == (True, b":1\r\n") and got == want, (want, got)
