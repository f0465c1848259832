"""Making and killing values of every type in bulk through a raw pipelined socket, with the server's RSS
sampled around the churn (tests/reliability/test_value_memory.py and test_evict_memory.py).

Each type's values alternate between a big shape (64 elements of 1 KB: hashtable, skiplist) and a small one
(listpack, intset): both encodings are made and freed.  A leak then costs ~70 KB per big value's death."""

from __future__ import annotations

import time

import pytest

from resp import ErrorReply, RespSocket, encode_command, parse, reply_end

from servers import start_server, stop_and_check

from .relhelp import rss_bytes, under_asan

MB = 1024 * 1024
TYPES = ["string", "hash", "list", "set", "zset"]
BATCH = 40  # values per pipelined round trip


def elements(i: int) -> list[bytes]:
    """Value number i's elements: 64 of ~1 KB (even i), or 100 of ~32 bytes (odd i); distinct per value."""
    big = i % 2 == 0
    elem = (b"%06d" % i) * (167 if big else 5)
    return [elem + b"%d" % j for j in range(64 if big else 100)]


def set_members(i: int) -> list[bytes]:
    """The members make() gives a set: an intset for odd i."""
    return [b"%d" % (i * 1000 + j) for j in range(400)] if i % 2 else elements(i)


def make(kind: str, key: str, i: int) -> list[bytes]:
    """The command that creates value number i of the type at key (which must be absent, or a string for SET)."""
    els = elements(i)
    if kind == "string":
        return [encode_command("SET", key, b"".join(els))]
    if kind == "hash":
        return [encode_command("HSET", key, *[x for j, e in enumerate(els) for x in (b"f%d" % j, e)])]
    if kind == "list":
        return [encode_command("RPUSH", key, *els)]
    if kind == "set":
        return [encode_command("SADD", key, *set_members(i))]
    assert kind == "zset"
    return [encode_command("ZADD", key, *[x for j, e in enumerate(els) for x in (j, e)])]


class Pipe:
    """A raw connection sending commands in batches and checking that no reply is an error."""

    def __init__(self, sp):
        self.sp = sp
        self.sock = RespSocket(sp.host, sp.port, timeout=60)
        self.out: list[bytes] = []

    def add(self, cmds: list[bytes]) -> None:
        self.out.extend(cmds)

    def flush(self, errors_ok: bool = False) -> list:
        """Sends the queued commands; their parsed replies (error replies are ErrorReply)."""
        if not self.out:
            return []
        n, data = len(self.out), b"".join(self.out)
        self.out = []
        self.sock.send(data)
        got = [parse(r) for r in self._replies(n)]
        errors = [r for r in got if isinstance(r, ErrorReply)]
        assert errors_ok or not errors, errors[:3]
        return got

    def _replies(self, n: int) -> list[bytes]:
        """n raw replies, read in one pass (RespSocket.reply copies its buffer per reply: slow for MBs)."""
        buf, pos, out = bytearray(self.sock.buf), 0, []
        self.sock.buf = b""
        deadline = time.monotonic() + 60
        while len(out) < n:
            end = reply_end(buf, pos)
            if end is not None:
                out.append(bytes(buf[pos:end]))
                pos = end
                continue
            assert time.monotonic() < deadline, f"only {len(out)} of {n} replies within 60 s"
            chunk = self.sock.sock.recv(1 << 20)
            assert chunk, f"connection closed after {len(out)} of {n} replies"
            buf += chunk
        self.sock.buf = bytes(buf[pos:])
        return out

    def call(self, *args):
        self.add([encode_command(*args)])
        return self.flush()[0]

    def info(self, field: str) -> int:
        text = self.call("INFO", "all").decode()
        for line in text.splitlines():
            if line.startswith(field + ":"):
                return int(line.split(":", 1)[1])
        raise KeyError(field)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def sp(target):
    """One server (the target) for a test module."""
    s = start_server(target)
    yield s
    stop_and_check(s)


@pytest.fixture
def pipe(sp):
    """A Pipe to sp, which is empty and without a memory limit before and after the test."""
    p = Pipe(sp)
    p.call("CONFIG", "SET", "maxmemory", 0)
    p.call("FLUSHALL")
    yield p
    p.call("CONFIG", "SET", "maxmemory", 0)
    p.call("FLUSHALL")
    p.close()


def rss(sp) -> int:
    return rss_bytes(sp.proc.pid)


def churn_growth(sp, rounds, warmup: int) -> tuple[int, int]:
    """Runs rounds (callables, each making and killing a batch of values), the first `warmup` of them
    unmeasured (they bring the heap to its working size); returns (RSS growth over the rest, peak RSS)."""
    peak = 0
    start = None
    for n, step in enumerate(rounds):
        if n == warmup:
            start = rss(sp)
        step()
        peak = max(peak, rss(sp))
    assert start is not None, "no measured rounds"
    return rss(sp) - start, peak


def skip_rss_under_asan(sp) -> bool:
    """Under make sanitize the server's allocator is ASan's: freed memory sits in its quarantine."""
    return under_asan(sp.proc.pid)


def wait_until(pred, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, f"timed out after {timeout}s waiting for {what}"
        time.sleep(0.02)
