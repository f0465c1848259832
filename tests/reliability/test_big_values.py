"""Memory of big requests, judged by the server's RSS: a big argument is copied at most once on its way to
the keyspace (peak resident memory, VmHWM, stays under about twice the value), inside MULTI/EXEC too, on the
C fast path and on the Python path; and a very wide frame leaves nothing pinned once the client is idle."""

from __future__ import annotations

import os
import time

import pytest

from resp import RespSocket

from .relhelp import rss_bytes, under_asan

MB = 1 << 20
VALUE = 64 * MB


def _vm(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} for pid {pid}")


def _fresh(start_extra, fastpath: str):
    sp = start_extra(env={"REDISTILL_FASTPATH": fastpath})
    if sp.proc is None or under_asan(sp.proc.pid):
        pytest.skip("needs a server process of our own, without ASan's quarantine")
    return sp


@pytest.mark.parametrize("fastpath", ["1", "0"], ids=["fastpath", "python-path"])
@pytest.mark.parametrize("multi", [False, True], ids=["set", "multi-set-exec"])
def test_big_set_peaks_under_twice_the_value(start_extra, fastpath, multi):
    """Redis holds a 64 MB SET once (it reads the bulk into the value itself); we hold it at most twice
    at any moment (the input buffer or the argument, and the stored value), never the 4x of copying it
    through Python bytes, hiredis and a queued transaction."""
    sp = _fresh(start_extra, fastpath)
    c = RespSocket(sp.host, sp.port, timeout=120)
    try:
        assert c.call("PING") == b"+PONG\r\n"
        base = _vm(sp.proc.pid, "VmHWM")
        head = b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n" % VALUE
        value = b"v" * VALUE
        if multi:
            c.send(b"*1\r\n$5\r\nMULTI\r\n")
        c.send(head)
        c.send(value)
        c.send(b"\r\n" + (b"*1\r\n$4\r\nEXEC\r\n" if multi else b""))
        del value
        want = [b"+OK\r\n", b"+QUEUED\r\n", b"*1\r\n+OK\r\n"] if multi else [b"+OK\r\n"]
        assert c.replies(len(want), timeout=120) == want
        assert c.call("STRLEN", "big") == b":%d\r\n" % VALUE
        grown = _vm(sp.proc.pid, "VmHWM") - base
        assert grown < 2.5 * VALUE, f"peak RSS grew by {grown / MB:.0f} MB for a {VALUE // MB} MB value"
    finally:
        c.close()


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
