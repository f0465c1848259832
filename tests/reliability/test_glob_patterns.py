"""Abusive glob patterns through every path that matches one: KEYS, SCAN/HSCAN/SSCAN/ZSCAN MATCH, CONFIG GET
and COMMAND LIST FILTERBY PATTERN.  The reply must be Redis's byte for byte (after the usual order
normalisation; for CONFIG GET and COMMAND LIST, the same names among those both servers have) and the
server must still be serving.

Redis bounds its matcher's recursion (a match that needs more than 1000 nested '*' is no match); a matcher
that recurses once per '*' without a bound overflows a worker thread's stack on 100,000 stars.  Own servers
(not the session's): a crash here must not take the other tests' server down."""

from __future__ import annotations

import os
import resource
import subprocess
import time
from pathlib import Path

import pytest

from resp import RespSocket, parse
from servers import start_server, stop_and_check

from differential.fuzz import norm

ROOT = Path(__file__).resolve().parent.parent.parent
LONG = b"a" * 100_000   # the subject: each path holds it (a key, a field, a member)
MID = b"a" * 2_000      # longer than the nesting bound, so the bound decides matches

# Patterns around Redis's nesting bound of 1000 '*': each atom between stars consumes one byte, so
# "*a" * N needs N nested levels to match a run of a's.
PATTERNS = [
    b"*a" * 100_000 + b"*b",          # the crash: no match, 100,000 levels deep without a bound
    b"*a" * 1000,                     # 1000 levels: matches MID and LONG
    b"*a" * 1001,                     # 1001 levels: Redis says no, though the glob "should" match
    b"*a" * 1000 + b"*",              # a trailing '*' needs no further level
    b"*a" * 1001 + b"*",
    b"*?" * 1001 + b"*",
    b"*[a]" * 1001,
    b"*[^b]" * 50_000 + b"*",
    b"*\\a" * 1001,
    b"*[a-b]" * 999 + b"?" * 10 + b"*",
    b"a*" * 100_000,
    b"*" * 200_000,                   # consecutive stars collapse into one
    b"?" * 100_000,
    b"*A" * 100_000 + b"*B",          # the crash to the nocase paths (CONFIG GET, COMMAND LIST)
]


def _paths(pattern: bytes) -> list[list[bytes]]:
    return [
        [b"KEYS", pattern],
        [b"SCAN", b"0", b"MATCH", pattern, b"COUNT", b"1000"],
        [b"HSCAN", b"h", b"0", b"MATCH", pattern, b"COUNT", b"1000"],
        [b"SSCAN", b"s", b"0", b"MATCH", pattern, b"COUNT", b"1000"],
        [b"ZSCAN", b"z", b"0", b"MATCH", pattern, b"COUNT", b"1000"],
        [b"CONFIG", b"GET", pattern],
        [b"COMMAND", b"LIST", b"FILTERBY", b"PATTERN", pattern],
    ]


_LISTING = {b"CONFIG": 5, b"COMMAND": 6}  # their index in _paths()


def _listed(kind: bytes, reply: bytes) -> set[bytes]:
    v = parse(reply)
    return set(v[0::2] if kind == b"CONFIG" else v)


def _load(sock: RespSocket) -> None:
    assert sock.call("FLUSHALL") == b"+OK\r\n"
    for subject in (LONG, MID, b"ab", b"\x80a", b"maxmemory", b"a\\", b"?x", b"]"):
        assert sock.call("SET", subject, "v") == b"+OK\r\n"
        assert sock.call("HSET", "h", subject, "v") == b":1\r\n"
        assert sock.call("SADD", "s", subject) == b":1\r\n"
        assert sock.call("ZADD", "z", "1", subject) == b":1\r\n"


class Pair:
    """redis-server and Redistill loaded alike; a Redistill that died is replaced for the next test."""

    def __init__(self) -> None:
        self.ref = start_server("redis")
        self.rs = RespSocket(self.ref.host, self.ref.port, timeout=30)
        _load(self.rs)
        self.sut = self.ts = None
        self.common: dict[bytes, set[bytes]] = {}

    def common_names(self, kind: bytes) -> set[bytes]:
        """CONFIG parameters or commands both servers list: the glob decides among these alike."""
        if kind not in self.common:
            rs, ts = self.live()
            self.common[kind] = _listed(kind, rs.call(*_paths(b"*")[_LISTING[kind]])) & _listed(
                kind, ts.call(*_paths(b"*")[_LISTING[kind]]))
        return self.common[kind]

    def live(self) -> tuple[RespSocket, RespSocket]:
        if self.sut is None or self.sut.proc.poll() is not None:
            self.sut = start_server("redistill")
            self.ts = RespSocket(self.sut.host, self.sut.port, timeout=30)
            _load(self.ts)
        return self.rs, self.ts

    def close(self) -> None:
        self.rs.close()
        stop_and_check(self.ref)
        if self.sut is not None:
            self.ts.close()
            stop_and_check(self.sut)


@pytest.fixture(scope="module")
def pair():
    p = Pair()
    try:
        yield p
    finally:
        p.close()


def _same_or_fail(pair: Pair, args: list[bytes], label: str) -> None:
    rs, ts = pair.live()
    want = rs.call(*args)
    try:
        got = ts.call(*args)
    except (ConnectionError, OSError) as e:
        code = pair.sut.proc.wait(timeout=10)
        pytest.fail(f"{label}: {e!r}; server exit {code}\n{pair.sut.stderr_text()}", pytrace=False)
    if args[0] in _LISTING:
        # Redistill has fewer parameters and commands than Redis: compare the names both have.
        common = pair.common_names(args[0])
        assert _listed(args[0], got) & common == _listed(args[0], want) & common, label
    else:
        assert norm(args, got) == norm(args, want), (label, got[:200], want[:200])
    assert ts.call("PING") == b"+PONG\r\n"


@pytest.mark.parametrize("path", range(len(_paths(b""))), ids=[a[0].decode() for a in _paths(b"")])
def test_issue_pattern_on_every_match_path(pair, path):
    """The reported crash, each path on its own: 100,000 x "*a" then "*b" against a 100 KB subject."""
    args = _paths(PATTERNS[0])[path]
    _same_or_fail(pair, args, f"{args[0].decode()} with 100,000 stars")


@pytest.mark.parametrize("index", range(len(PATTERNS)))
def test_pathological_pattern_on_every_match_path(pair, index):
    pattern = PATTERNS[index]
    for args in _paths(pattern):
        _same_or_fail(pair, args, f"{args[0].decode()} with pattern #{index} ({len(pattern)} bytes)")


# Short ones whose answer turns on a detail of Redis's matcher: a NUL (CONFIG GET reads its pattern as a C
# string), signed chars in ranges, nocase ranges lowered after ordering ([Z-a] is empty), glibc's C-locale
# tolower() turning a negative char unsigned ([\x80-z] is empty under nocase only), escapes in classes.
TRICKY = [b"max*\x00zz", b"maxmemory-polic?\x00", b"maxmemory\x00*", b"[^\x80-\x00]axmemory", b"[\x80-z]axmemory",
          b"[m-\x80]a*", b"[Z-a]axmemory", b"[A-Z]AXMEMORY", b"[\\M]axmemory", b"[a-\xff]*", b"[\xff-a]*", b"*[",
          b"a\\", b"[^]*", b"[]a]*", b"*[\\]]*", b"?", b"[?]*", b"\\?*", b"*-*-*", b"C*|*", b"*|[n-o]*"]


@pytest.mark.parametrize("index", range(len(TRICKY)))
def test_tricky_pattern_on_every_match_path(pair, index):
    for args in _paths(TRICKY[index]):
        _same_or_fail(pair, args, f"{args[0].decode()} with {TRICKY[index]!r}")


def test_the_bound_decides_matches(pair):
    """Not only "no crash": 1000 levels match the two long keys, 1001 do not, as on Redis."""
    for s in pair.live():
        assert s.call("KEYS", b"*a" * 1000).startswith(b"*2\r\n")
        assert s.call("KEYS", b"*a" * 1001) == b"*0\r\n"


def _thread_stacks(pid: int) -> list[int]:
    """Sizes of the thread stacks glibc mapped in pid: the anonymous read-write mapping right above
    a 4 KiB guard page (---p)."""
    rows = []
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split()
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            rows.append((lo, hi, parts[1], len(parts) > 5))
    return [hi2 - lo2 for (lo, hi, perm, named), (lo2, hi2, perm2, named2) in zip(rows, rows[1:])
            if perm == "---p" and hi - lo == 4096 and hi == lo2 and perm2 == "rw-p" and not named and not named2]


def test_worker_stacks_are_fixed_whatever_the_ulimit(tmp_path):
    """Workers get WORKER_STACK_SIZE (8 MiB), not RLIMIT_STACK's size (glibc's default for a new thread:
    here 256 KiB), so the bounded matcher and the interpreter always have the room they were sized for."""
    from servers import free_port, redistill_python

    def small_stack():
        resource.setrlimit(resource.RLIMIT_STACK, (256 << 10, resource.getrlimit(resource.RLIMIT_STACK)[1]))

    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with open(tmp_path / "server.log", "wb") as log:
        proc = subprocess.Popen([redistill_python(), "-m", "redistill", "--port", str(port), "--threads", "2",
                                 "--health-check-port", "0"], cwd=tmp_path, env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=small_stack)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                sock = RespSocket("127.0.0.1", port, timeout=30)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.05)
        try:
            assert sock.call("SET", MID, "v") == b"+OK\r\n"
            assert sock.call("KEYS", b"*a" * 1000).startswith(b"*1\r\n")  # the deepest match there is
            stacks = _thread_stacks(proc.pid)
            assert stacks.count(8 << 20) >= 2, [s >> 10 for s in stacks]
        finally:
            sock.close()
    finally:
        proc.terminate()
        assert proc.wait(timeout=15) == 0, (tmp_path / "server.log").read_text()
