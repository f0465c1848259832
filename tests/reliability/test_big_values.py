"""Memory of big requests, judged by the server's RSS: a big SET value is never copied on its way to the
keyspace (peak resident memory, VmHWM, grows by about the value, as in Redis), with options, SETEX and
inside MULTI/EXEC too, on the C fast path and on the Python path; one that is not stored is freed; and a
very wide frame leaves nothing pinned once the client is idle."""

from __future__ import annotations

import shutil
import time

import pytest

from resp import RespSocket

from .relhelp import rss_bytes, status_bytes, under_asan

MB = 1 << 20
BIG = 128 * MB


def _fresh(start_extra, fastpath: str):
    sp = start_extra(env={"REDISTILL_FASTPATH": fastpath})
    if sp.proc is None or under_asan(sp.proc.pid):
        pytest.skip("needs a server process of our own, without ASan's quarantine")
    return sp


# How a big value can be sent to be stored: (frame head before the value, bytes after it, replies,
# whether the key gets a TTL).  The value is the last bulk but for SET's options.
_SHAPES = {
    "set": (b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n", b"", [b"+OK\r\n"], False),
    "set-ex": (b"*5\r\n$3\r\nSET\r\n$3\r\nbig\r\n", b"$2\r\nEX\r\n$3\r\n100\r\n", [b"+OK\r\n"], True),
    "setex": (b"*4\r\n$5\r\nSETEX\r\n$3\r\nbig\r\n$3\r\n100\r\n", b"", [b"+OK\r\n"], True),
    "append-new-key": (b"*3\r\n$6\r\nAPPEND\r\n$3\r\nbig\r\n", b"", [b":%d\r\n" % BIG], False),
    "multi-set-exec": (b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n", b"*1\r\n$4\r\nEXEC\r\n",
                       [b"+OK\r\n", b"+QUEUED\r\n", b"*1\r\n+OK\r\n"], False),
}


def _send_value(c: RespSocket, size: int, chunk: int = 4 * MB) -> None:
    """size bytes of "v" ending in "end", in pieces (the client holds no second copy)."""
    piece = b"v" * chunk
    left = size - 3
    while left:
        n = min(left, chunk)
        c.send(piece[:n])
        left -= n
    c.send(b"end")


@pytest.mark.parametrize("fastpath", ["1", "0"], ids=["fastpath", "python-path"])
@pytest.mark.parametrize("shape", list(_SHAPES))
def test_big_set_peaks_at_the_value(start_extra, fastpath, shape):
    """Redis holds a 128 MB SET once (it reads the bulk into the value itself), with options or
    inside MULTI too, and so does Redistill on both paths: the value is read into a block that
    becomes the stored entry (the Python path and a MULTI queue keep it there, never a Python
    copy).  Peak resident memory (VmHWM) grows by about the value, not twice it."""
    size = BIG
    sp = _fresh(start_extra, fastpath)
    c = RespSocket(sp.host, sp.port, timeout=120)
    try:
        assert c.call("PING") == b"+PONG\r\n"
        base = status_bytes(sp.proc.pid, "VmHWM")
        head, tail, want, ttl = _SHAPES[shape]
        c.send(head + b"$%d\r\n" % size)
        _send_value(c, size)
        c.send(b"\r\n" + tail)
        assert c.replies(len(want), timeout=120) == want
        grown = status_bytes(sp.proc.pid, "VmHWM") - base
        assert c.call("STRLEN", "big") == b":%d\r\n" % size
        assert c.call("GETRANGE", "big", "-4", "-1") == b"$4\r\nvend\r\n"
        # EX 100: 99 once the big value's transfer and the read took past half a second (a loaded machine)
        assert c.call("TTL", "big") in ((b":100\r\n", b":99\r\n") if ttl else (b":-1\r\n",))
        assert grown < 1.5 * size, f"peak RSS grew by {grown / MB:.0f} MB for a {size // MB} MB value"
    finally:
        c.close()


def test_big_values_no_entry_took_are_freed(start_extra):
    """A big SET value kept in its C block until the command runs: when no entry takes it (NX
    refused, DISCARD, the client gone with the MULTI open) the block is freed, and the server's
    RSS comes back near where it was."""
    sp = _fresh(start_extra, "0")
    pid = sp.proc.pid
    c = RespSocket(sp.host, sp.port, timeout=120)
    other = RespSocket(sp.host, sp.port, timeout=120)
    try:
        assert c.call("SET", "big", "small") == b"+OK\r\n"
        base = rss_bytes(pid)

        def settled() -> int:
            deadline = time.monotonic() + 20  # the closed client is noticed by its worker
            while rss_bytes(pid) > base + 32 * MB and time.monotonic() < deadline:
                time.sleep(0.1)
            return rss_bytes(pid) - base

        c.send(b"*4\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n" % BIG)
        _send_value(c, BIG)
        c.send(b"\r\n$2\r\nNX\r\n")
        assert c.reply(timeout=120) == b"$-1\r\n"
        assert settled() <= 32 * MB, "a value NX refused stayed resident"
        c.send(b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n" % BIG)
        _send_value(c, BIG)
        c.send(b"\r\n*1\r\n$7\r\nDISCARD\r\n")
        assert c.replies(3, timeout=120) == [b"+OK\r\n", b"+QUEUED\r\n", b"+OK\r\n"]
        assert settled() <= 32 * MB, "a value queued then discarded stayed resident"
        other.send(b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n" % BIG)
        _send_value(other, BIG)
        other.send(b"\r\n")
        assert other.replies(2, timeout=120) == [b"+OK\r\n", b"+QUEUED\r\n"]
        other.close()
        assert settled() <= 32 * MB, "a value queued by a client that left stayed resident"
        assert c.call("GET", "big") == b"$5\r\nsmall\r\n"
    finally:
        c.close()
        other.close()


@pytest.mark.parametrize("queued", [False, True], ids=["set", "multi-set-exec"])
def test_monitor_shows_a_big_value_whole(start_extra, queued):
    """MONITOR shows every argument whole, as Redis does, a big SET value too: kept in its C
    block for the keyspace to take, it is copied out for a monitor started even after the SET
    was queued in a MULTI."""
    sp = start_extra(env={"REDISTILL_FASTPATH": "0"})
    c = RespSocket(sp.host, sp.port, timeout=60)
    mon = RespSocket(sp.host, sp.port, timeout=60)
    size = 2 * MB  # past the Python path's big-frame size (protocol.BIG_FRAME)
    try:
        frame = b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n" % size
        if queued:
            c.send(b"*1\r\n$5\r\nMULTI\r\n" + frame)
            _send_value(c, size)
            c.send(b"\r\n")
            assert c.replies(2, timeout=60) == [b"+OK\r\n", b"+QUEUED\r\n"]
        assert mon.call("MONITOR") == b"+OK\r\n"
        if queued:
            c.send(b"*1\r\n$4\r\nEXEC\r\n")
        else:
            c.send(frame)
            _send_value(c, size)
            c.send(b"\r\n")
        assert c.reply(timeout=60) == (b"*1\r\n+OK\r\n" if queued else b"+OK\r\n")
        lines = mon.replies(2 if queued else 1, timeout=60)
        whole = b' "SET" "big" "' + b"v" * (size - 3) + b'end"\r\n'
        assert sorted(line.endswith(whole) for line in lines) == [False] * queued + [True]
        assert sum(line.endswith(b' "EXEC"\r\n') for line in lines) == queued
    finally:
        c.close()
        mon.close()


def test_wide_frame_leaves_nothing_pinned_when_idle(start_extra):
    """A DEL of 2M keys run by the fast path needs 32 MB of argument pointers for that one frame; once
    the client is idle the server's RSS comes back near where it was (the worker's scratch and the
    connection's buffers are given back)."""
    sp = _fresh(start_extra, "1")
    c = RespSocket(sp.host, sp.port, timeout=120)
    try:
        assert c.call("PING") == b"+PONG\r\n"
        before = rss_bytes(sp.proc.pid)
        n = 2_000_000
        c.send(b"".join([b"*%d\r\n$3\r\nDEL\r\n" % (n + 1)] + [b"$8\r\n%08d\r\n" % i for i in range(n)]))
        assert c.reply(timeout=120) == b":0\r\n"
        limit = before + 12 * MB
        deadline = time.monotonic() + 20  # idle trim: clients idle 2 s, checked once a second
        while rss_bytes(sp.proc.pid) > limit and time.monotonic() < deadline:
            time.sleep(0.25)
        after = rss_bytes(sp.proc.pid)
        assert after <= limit, f"RSS {before / MB:.0f} MB before the frame, {after / MB:.0f} MB after idling"
    finally:
        c.close()


def _set_frame(key: bytes, value: bytes, *options: bytes, name: bytes = b"SET") -> bytes:
    args = [name, key, value, *options]
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def _get(raw, key: bytes) -> bytes | None:
    raw.send(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(key), key))
    rep = raw.reply(timeout=60)
    return None if rep == b"$-1\r\n" else rep[rep.index(b"\r\n") + 2:-2]


def test_big_set_values_stored_whole_in_every_shape(raw):
    """The ways a big SET value can arrive and be kept (its own block taken as the entry, or copied):
    alone, trickled, followed by options, by pipelined commands, refused by NX, with a long key, and
    then read, appended to, expired and overwritten; every reply as Redis gives it."""
    v1 = bytes(range(256)) * 1024 + b"end1"  # 256 KB: past Redis's 32 KB big-argument size
    v2 = b"\r\n$5\r\n" * 20000
    long_key = b"k" * 5000
    raw.send(_set_frame(b"a", v1, name=b"sEt"))
    assert raw.reply(timeout=60) == b"+OK\r\n"
    frame = _set_frame(b"b", v2)
    for i in range(0, len(frame), 7919):  # in pieces, each read on its own
        raw.send(frame[i:i + 7919])
        time.sleep(0.001 if i < 50_000 else 0)
    assert raw.reply(timeout=60) == b"+OK\r\n"
    raw.send(_set_frame(b"c", v1, b"PX", b"100000") + _set_frame(b"d", v2) + b"*2\r\n$6\r\nSTRLEN\r\n$1\r\nd\r\n")
    assert raw.replies(3, timeout=60) == [b"+OK\r\n", b"+OK\r\n", b":%d\r\n" % len(v2)]
    raw.send(_set_frame(b"a", v2, b"NX") + _set_frame(long_key, v1) + _set_frame(b"e", v1, b"GET"))
    assert raw.replies(3, timeout=60) == [b"$-1\r\n", b"+OK\r\n", b"$-1\r\n"]
    assert [_get(raw, k) for k in (b"a", b"b", b"c", b"d", long_key, b"e")] == [v1, v2, v1, v2, v1, v1]
    assert raw.call("PTTL", "c").startswith(b":")  # a TTL in place
    assert int(raw.call("PTTL", "c")[1:-2]) > 90_000
    assert raw.call("APPEND", "a", "z") == b":%d\r\n" % (len(v1) + 1)
    assert raw.call("GETRANGE", "a", "-5", "-1") == b"$5\r\nend1z\r\n"
    assert raw.call("EXPIRE", "b", "100") == b":1\r\n"
    assert raw.call("SET", "d", "small") == b"+OK\r\n"
    assert raw.call("DEL", "a", "b", "c", "d", "e", long_key) == b":6\r\n"
    assert raw.call("DBSIZE") == b":0\r\n"



def _frame(*args: bytes) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def _script_of_big_values() -> list[tuple[bytes, int]]:
    """(frames, replies they get): values past the Python path's big-frame size stored, refused
    or failed in the shapes whose value C may keep in its own block, and the reads that check
    what was kept."""
    v1 = b"a" * (3 * MB // 2) + b"end1"
    v2 = b"b" * (5 * MB // 4) + b"end2"
    v3 = b"c" * (40 << 10) + b"end3"  # past the 32 KB block size, under the 1 MB big frame
    long_key = b"k" * 3000  # too long for the block's room: copied

    def probe(key: bytes) -> list[tuple[bytes, int]]:
        return [(_frame(b"GETRANGE", key, b"-6", b"-1"), 1), (_frame(b"STRLEN", key), 1), (_frame(b"TTL", key), 1)]

    return [
        (_frame(b"SET", b"a", v1, b"GET"), 1), *probe(b"a"),
        (_frame(b"SET", b"a", v2, b"GET", b"KEEPTTL"), 1), (_frame(b"SET", b"a", v1, b"NX"), 1), *probe(b"a"),
        (_frame(b"SET", b"a", v1, b"XX", b"PX", b"100000"), 1), *probe(b"a"),
        (_frame(b"SET", b"a", v2, b"EX", b"nope"), 1), (_frame(b"SET", b"a", v2, b"EX"), 1),
        (_frame(b"SET", b"a", v2, b"NX", b"XX"), 1), (_frame(b"set", b"a", v2, b"ex", b"-1"), 1), *probe(b"a"),
        (_frame(b"SETNX", b"b", v2), 1), (_frame(b"SETNX", b"b", v1), 1), *probe(b"b"),
        (_frame(b"GETSET", b"b", v1), 1), *probe(b"b"),
        (_frame(b"PSETEX", b"c", b"100000", v2), 1), *probe(b"c"),
        (_frame(b"SETEX", b"c", b"-5", v2), 1), (_frame(b"SETEX", b"c", v2), 1), *probe(b"c"),
        (_frame(b"LPUSH", b"l", b"x"), 1), (_frame(b"SET", b"l", v1, b"GET"), 1),
        (_frame(b"SET", b"l", v1, b"GET", b"XX"), 1), *probe(b"l"),
        (_frame(b"SET", long_key, v1), 1), *probe(long_key),
        (_frame(b"APPEND", b"f", v1), 1), (_frame(b"APPEND", b"f", v2), 1), *probe(b"f"),
        (_frame(b"APPEND", b"l", v2), 1),
        # APPEND and SETRANGE run their C handler on the fast path: its error after a big value's
        # frame (wrong type, past proto-max-bulk-len) hands that frame to Python whole
        (_frame(b"APPEND", b"l", v3) + _frame(b"GET", b"z"), 2), (_frame(b"SETRANGE", b"l", b"0", v1), 1),
        (_frame(b"SETRANGE", b"f", b"3", v3), 1), (_frame(b"APPEND", b"g", v3) + _frame(b"APPEND", b"g", v1), 2),
        *probe(b"g"), (_frame(b"CONFIG", b"SET", b"proto-max-bulk-len", b"2097152"), 1),
        (_frame(b"APPEND", b"f", v1) + _frame(b"STRLEN", b"f"), 2), (_frame(b"SETRANGE", b"f", b"600000", v1), 1),
        (_frame(b"APPEND", b"h", v1) + _frame(b"APPEND", b"h", v3), 2), *probe(b"f"), *probe(b"h"),
        (_frame(b"CONFIG", b"SET", b"proto-max-bulk-len", b"536870912"), 1),
        (_frame(b"SET", b"d", v1) + _frame(b"SET", b"e", v2) + _frame(b"GET", b"z"), 3),  # pipelined
        *probe(b"d"), *probe(b"e"),
        (_frame(b"MULTI"), 1), (_frame(b"SET", b"m", v1, b"EX", b"100"), 1), (_frame(b"SET", b"m", v2, b"GET"), 1),
        (_frame(b"SETNX", b"m", v1), 1), (_frame(b"APPEND", b"o", v2), 1), (_frame(b"EXEC"), 1), *probe(b"m"),
        *probe(b"o"),
        (_frame(b"MULTI"), 1), (_frame(b"SET", b"n", v1), 1), (_frame(b"DISCARD"), 1), (_frame(b"EXISTS", b"n"), 1),
        (_frame(b"MULTI"), 1), (_frame(b"SET", b"n", v1, b"EX", b"0"), 1), (_frame(b"EXEC"), 1),
    ]


def _run_script(sp, script: list[tuple[bytes, int]]) -> list[bytes]:
    c = RespSocket(sp.host, sp.port, timeout=60)
    try:
        out = []
        for frames, n in script:
            c.send(frames)
            out += c.replies(n, timeout=60)
        return out
    finally:
        c.close()


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
@pytest.mark.parametrize("fastpath", ["1", "0"], ids=["fastpath", "python-path"])
def test_big_values_in_every_shape_as_redis(start_extra, fastpath):
    """Every shape of a stored big value (options, errors, NX refused, GET of another type, a key
    too long for the block, pipelined after, queued in MULTI and discarded) gets Redis's replies,
    and the values read back whole."""
    script = _script_of_big_values()
    want = _run_script(start_extra(kind="redis"), script)
    assert _run_script(start_extra(env={"REDISTILL_FASTPATH": fastpath}), script) == want
