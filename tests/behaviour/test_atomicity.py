"""Every command is atomic, as on Redis's single thread: clients on several worker threads race
whole-keyspace commands (FLUSHALL, KEYS, DBSIZE, RANDOMKEY, INFO keyspace) against multi-key writes,
and everything each one observes must be explainable by some serial order of the commands.  SCAN
promises, as on Redis, only what a whole iteration returns."""

import os
import random
import threading
import time

from resp import ErrorReply, RespSocket, encode_command as cmd, parse
from servers import run_threads

GROUP = 4  # keys per group in the fuzzer: MSET and DEL write a whole group at once


def _int(reply: bytes) -> int:
    assert reply[:1] == b":", reply
    return int(reply[1:-2])


def _preload(s: RespSocket, n: int, prefix: str) -> None:
    """n keys, MSETs of 500 pairs pipelined 40 at a time."""
    frames = [cmd("MSET", *[x for i in range(start, min(n, start + 500)) for x in (f"{prefix}{i}", "x")])
              for start in range(0, n, 500)]
    for at in range(0, len(frames), 40):
        s.send(b"".join(frames[at:at + 40]))
        assert s.replies(len(frames[at:at + 40]), timeout=60) == [b"+OK\r\n"] * len(frames[at:at + 40])


def _sequence_writer(server, w: int, flushed: threading.Event, stop: threading.Event, out: list):
    """SETs seq:w:0, seq:w:1, ... one acknowledged write at a time until `stop`, and at least 20
    after the flush was answered; out[w] = how many."""
    s = RespSocket(server.host, server.port, timeout=60)
    i = after = 0
    try:
        while not (stop.is_set() and after >= 20) and i < 200_000:
            done = flushed.is_set()
            assert s.call("SET", f"seq:{w}:{i}", "1") == b"+OK\r\n"
            i += 1
            after += done
    finally:
        out[w] = i
        s.close()


def _survivors(s: RespSocket, w: int, n: int) -> list[int]:
    alive = []
    for start in range(0, n, 1000):
        idx = list(range(start, min(n, start + 1000)))
        vals = parse(s.call("MGET", *[f"seq:{w}:{i}" for i in idx], timeout=60))
        alive += [i for i, v in zip(idx, vals) if v is not None]
    return alive


def test_flushall_keeps_a_contiguous_tail_of_acknowledged_writes(server, raw):
    """Writers each SET seq:w:0, seq:w:1, ... one acknowledged write at a time while FLUSHALL empties a
    preloaded keyspace: what survives of each sequence is a contiguous tail (a FLUSHALL that empties the
    stripes one at a time deletes acknowledged writes made after later ones survived)."""
    writers = 3
    for trial in range(3):
        assert raw.call("FLUSHALL") == b"+OK\r\n"
        _preload(raw, 200_000, f"pre{trial}:")
        flushed, stop = threading.Event(), threading.Event()
        written = [0] * writers

        def flusher():
            s = RespSocket(server.host, server.port, timeout=60)
            try:
                time.sleep(0.15)  # the writers are under way
                assert s.call("FLUSHALL", timeout=60) == b"+OK\r\n"
                flushed.set()
                time.sleep(0.1)  # writes after the flush must all survive
            finally:
                stop.set()
                s.close()

        run_threads([flusher] + [lambda w=w: _sequence_writer(server, w, flushed, stop, written)
                                 for w in range(writers)], timeout=120)
        total = 0
        for w in range(writers):
            alive = _survivors(raw, w, written[w])
            assert alive, f"trial {trial}: writer {w}'s writes after the FLUSHALL reply are gone"
            first = alive[0]
            lost = sorted(set(range(first, written[w])) - set(alive))
            assert not lost, (f"trial {trial}: writer {w} lost {len(lost)} acknowledged writes after seq "
                              f"{first} survived (first lost: {lost[:5]}, {written[w]} written)")
            total += len(alive)
        assert _int(raw.call("DBSIZE")) == total, "preloaded keys survived the FLUSHALL"
    assert raw.call("FLUSHALL") == b"+OK\r\n"


def _connected(server, stop: threading.Event, body, seed: int = 0) -> None:
    """Runs body(sock, rnd) on a fresh connection until `stop`."""
    s = RespSocket(server.host, server.port, timeout=30)
    rnd = random.Random(seed)
    try:
        while not stop.is_set():
            body(s, rnd)
    finally:
        s.close()


def _race(server, seconds: float, *bodies, seed: int = 0) -> None:
    """Each body(sock, rnd) on its own connection (so spread over the server's worker threads),
    over and over, for `seconds`; body i's rnd is seeded with seed * 1000 + i."""
    stop = threading.Event()

    def timer():
        time.sleep(seconds)
        stop.set()

    run_threads([timer] + [lambda i=i, b=b: _connected(server, stop, b, seed * 1000 + i)
                            for i, b in enumerate(bodies)],
                timeout=60 + seconds)


def _info_keys(s: RespSocket) -> int:
    """INFO keyspace's key count (0 when it has no db0 line)."""
    text = parse(s.call("INFO", "keyspace")).decode()
    return int(text.split("db0:keys=")[1].split(",")[0]) if "db0:keys=" in text else 0


def test_keys_dbsize_info_see_an_mset_whole(server, raw):
    """While two clients alternate MSET pa pb / DEL pa pb, KEYS, DBSIZE, INFO keyspace, EXISTS and MGET
    on other connections see both keys or neither."""
    assert raw.call("FLUSHALL") == b"+OK\r\n"
    seen = {"both": 0, "none": 0}

    def writer(s, rnd):  # one acknowledged command at a time: a pipeline of both would let Redis run
        assert s.call("MSET", "pa", "1", "pb", "1") == b"+OK\r\n"  # them back to back, unseen
        assert s.call("DEL", "pa", "pb") in (b":0\r\n", b":2\r\n")

    def observe(s, rnd):
        op = rnd.randrange(5)
        if op == 0:
            got = sorted(parse(s.call("KEYS", "p*")))
        elif op == 1:
            got = [b"pa", b"pb"][:_info_keys(s)]
        elif op == 2:
            got = [b"pa", b"pb"][:_int(s.call("DBSIZE"))]
        elif op == 3:
            got = [b"pa", b"pb"][:_int(s.call("EXISTS", "pa", "pb"))]
        else:
            got = [k for k, v in zip((b"pa", b"pb"), parse(s.call("MGET", "pa", "pb"))) if v]
        assert got in ([], [b"pa", b"pb"]), f"op {op} saw half of MSET pa pb: {got}"
        seen["both" if got else "none"] += 1

    _race(server, 3.0, writer, writer, observe, observe, observe, observe)
    assert seen["both"] and seen["none"], seen  # both states were observed: the race was real
    assert raw.call("FLUSHALL") == b"+OK\r\n"


def test_moving_a_key_is_never_seen_half_done(server, raw):
    """Keys moved back and forth between two names, by RENAME (4 pairs) and by LMOVE of a one-element
    list (4 pairs, run by the C fast path): DBSIZE is always 8, KEYS always one key of each pair,
    RANDOMKEY never nil, INFO keyspace always 8 keys, EXISTS of all 16 names always 8."""
    pairs = 8
    assert raw.call("FLUSHALL") == b"+OK\r\n"
    for i in range(pairs):
        assert raw.call("SET", f"r{i}a", "v") if i % 2 == 0 else raw.call("RPUSH", f"r{i}a", "v")
    names = [f"r{i}{ab}" for i in range(pairs) for ab in "ab"]

    def mover(first: int):
        def move(i: int, src: str, dst: str) -> bytes:
            return cmd("RENAME", src, dst) if i % 2 == 0 else cmd("LMOVE", src, dst, "LEFT", "LEFT")

        def body(s, rnd):
            mine = [i for i in range(first, pairs, 2) for _ in range(20)]
            s.send(b"".join(move(i, f"r{i}a", f"r{i}b") + move(i, f"r{i}b", f"r{i}a") for i in mine))
            assert all(r in (b"+OK\r\n", b"$1\r\nv\r\n") for r in s.replies(2 * len(mine), timeout=30))
        return body

    def observe(s, rnd):
        op = rnd.randrange(5)
        if op == 0:
            assert s.call("DBSIZE") == b":%d\r\n" % pairs
        elif op == 4:
            assert _info_keys(s) == pairs
        elif op == 1:
            got = sorted(k[:-1] for k in parse(s.call("KEYS", "r*")))
            assert got == sorted(f"r{i}".encode() for i in range(pairs)), got
        elif op == 2:
            assert parse(s.call("RANDOMKEY")) in [n.encode() for n in names]
        else:
            assert s.call("EXISTS", *names) == b":%d\r\n" % pairs

    _race(server, 2.0, mover(0), mover(1), observe, observe, observe)
    assert raw.call("FLUSHALL") == b"+OK\r\n"


# ---- the fuzzer -----------------------------------------------------------------------------------

class _Writer:
    """Writes only its own keys, always GROUP of them at once, so every key is in a GROUP-key group
    that exists whole or not at all: groups g:w:k:* (MSET, DEL or UNLINK of the group), a counter
    c:w:* (MSET of n, n increasing) and a sequence of groups seq:w:i:* (one acknowledged MSET each)."""

    def __init__(self, w: int):
        self.w, self.n, self.seq = w, 0, 0

    def keys(self, kind: str, k: int) -> list[str]:
        return [f"{kind}:{self.w}:{k}:{j}" for j in range(GROUP)]

    def step(self, s: RespSocket, rnd: random.Random) -> None:
        op = rnd.randrange(4)
        if op == 0:
            assert s.call("MSET", *[x for k in self.keys("g", rnd.randrange(8)) for x in (k, "v")]) == b"+OK\r\n"
        elif op == 1:  # a FLUSHALL between this writer's own writes removes a group whole or not at all
            removed = _int(s.call(rnd.choice(("DEL", "UNLINK")), *self.keys("g", rnd.randrange(8))))
            assert removed in (0, GROUP), f"DEL removed {removed} keys of a {GROUP}-key group"
        elif op == 2:
            self.n += 1
            assert s.call("MSET", *[x for k in self.keys("c", 0) for x in (k, self.n)]) == b"+OK\r\n"
        else:
            assert s.call("MSET", *[x for k in self.keys("seq", self.seq) for x in (k, "1")]) == b"+OK\r\n"
            self.seq += 1


def _check_snapshot(keys: list[bytes], where: str) -> None:
    """One instant's keys: every group whole, each writer's sequence one run without holes."""
    groups: dict[tuple, int] = {}
    for k in keys:
        kind, w, i, _ = k.decode().split(":")
        groups[kind, w, int(i)] = groups.get((kind, w, int(i)), 0) + 1
    half = {g: n for g, n in groups.items() if n != GROUP}
    assert not half, f"{where} saw part of a group: {half}"
    for w in {w for kind, w, _ in groups if kind == "seq"}:
        idx = sorted(i for kind, ww, i in groups if kind == "seq" and ww == w)
        assert idx == list(range(idx[0], idx[0] + len(idx))), \
            f"{where}: writer {w}'s sequence has holes: {idx[:10]}..."


STABLE = [f"st:0:{i}:{j}" for i in range(4) for j in range(GROUP)]  # made again after each flush


def _full_scan(s: RespSocket) -> set[bytes]:
    """One whole SCAN iteration, COUNT 20 a call."""
    seen, cursor = set(), b"0"
    for _ in range(100_000):
        cursor, keys = parse(s.call("SCAN", cursor, "COUNT", "20"))
        seen.update(keys)
        if cursor == b"0":
            return seen
    raise AssertionError("SCAN did not end")


def _observer(writers: int, stats: dict, flushes: dict):
    last = [0] * writers  # a counter never goes back, except to nothing after a FLUSHALL

    def observe(s: RespSocket, rnd: random.Random) -> None:
        op = rnd.randrange(7)
        if op == 0:
            _check_snapshot(parse(s.call("KEYS", "*")), "KEYS")
        elif op == 1:  # SCAN's promise (a call is not one instant, on Redis either): a whole
            before = dict(flushes)  # iteration returns every key present from its start to its end
            seen = _full_scan(s)
            if not before["active"] and before == flushes:
                missing = set(k.encode() for k in STABLE) - seen
                assert not missing, f"a SCAN iteration missed keys present all along: {sorted(missing)[:5]}"
            assert all(k.split(b":")[0] in (b"g", b"c", b"seq", b"st") for k in seen), seen
        elif op == 2:
            n = _int(s.call("DBSIZE"))
            assert n % GROUP == 0, f"DBSIZE {n}: part of a {GROUP}-key group"
        elif op == 3:
            w = rnd.randrange(writers)
            vals = parse(s.call("MGET", *[f"c:{w}:0:{j}" for j in range(GROUP)]))
            assert len(set(vals)) == 1, f"MGET saw part of a counter's MSET: {vals}"
            if vals[0] is not None:
                assert int(vals[0]) >= last[w], f"counter {w} went back from {last[w]} to {vals[0]}"
                last[w] = int(vals[0])
        elif op == 4:
            w, k = rnd.randrange(writers), rnd.randrange(8)
            n = _int(s.call("EXISTS", *[f"g:{w}:{k}:{j}" for j in range(GROUP)]))
            assert n in (0, GROUP), f"EXISTS saw {n} keys of a {GROUP}-key group"
        elif op == 5:
            assert _info_keys(s) % GROUP == 0, "INFO keyspace saw part of a group"
        else:
            key = parse(s.call("RANDOMKEY"))
            assert key is None or not isinstance(key, ErrorReply), key
        stats["observations"] += 1

    return observe


def test_fuzz_whole_keyspace_commands_racing_writers(server, raw):
    """Writers (MSET/DEL/UNLINK of groups, counters, sequences) race KEYS, DBSIZE, INFO keyspace, EXISTS,
    MGET, RANDOMKEY, whole SCAN iterations and FLUSHALL/FLUSHDB on other connections (spread over the
    server's worker threads) for a few seconds: every observation must be possible under some serial
    order, and every SCAN iteration must keep Redis's promise."""
    seed = int(os.environ.get("ATOMICITY_SEED", "0")) or random.randrange(1, 1 << 30)
    duration = float(os.environ.get("ATOMICITY_SECONDS", "3"))
    writers = [_Writer(w) for w in range(3)]
    stats = {"observations": 0, "flushes": 0}
    flushes = {"active": False, "done": 0}  # read by the SCAN checks
    rnd = random.Random(seed)
    make_stable = cmd("MSET", *[x for k in STABLE for x in (k, "v")])

    def flusher(s: RespSocket, _rnd: random.Random) -> None:
        time.sleep(rnd.uniform(0.05, 0.25))
        flush = rnd.choice((["FLUSHALL"], ["FLUSHDB"], ["FLUSHALL", "ASYNC"], ["FLUSHDB", "SYNC"]))
        flushes["active"] = True
        assert s.call(*flush, timeout=30) == b"+OK\r\n"
        s.send(make_stable)
        assert s.reply(timeout=30) == b"+OK\r\n"
        flushes["done"] += 1
        flushes["active"] = False
        stats["flushes"] += 1

    assert raw.call("FLUSHALL") == b"+OK\r\n"
    raw.send(make_stable)
    assert raw.reply() == b"+OK\r\n"
    bodies = [flusher] + [w.step for w in writers] + [_observer(len(writers), stats, flushes) for _ in range(3)]
    random.Random(seed).shuffle(bodies)  # which connection lands on which worker varies too
    try:
        _race(server, duration, *bodies, seed=seed)
    except AssertionError as e:
        raise AssertionError(f"ATOMICITY_SEED={seed}: {e}") from None
    # The end: each sequence's survivors are a run ending at its last write (unless flushed after it).
    keys = parse(raw.call("KEYS", "*"))
    _check_snapshot(keys, "final KEYS")
    for w in writers:
        alive = sorted({int(k.split(b":")[2]) for k in keys if k.startswith(b"seq:%d:" % w.w)})
        assert not alive or alive[-1] == w.seq - 1, \
            f"ATOMICITY_SEED={seed}: writer {w.w}'s last write {w.seq - 1} is gone, {alive[-3:]} survive"
    assert stats["observations"] > 50 and stats["flushes"] >= 3, stats
    assert raw.call("FLUSHALL") == b"+OK\r\n"
