"""Hostile or broken clients must not stop the server serving everyone else: half-sent frames held open,
frames trickled a byte at a time, resets mid-reply, thousands of connections, a query buffer over its limit,
and a file-descriptor limit lower than maxclients.  Every loop is bounded in count and time."""

from __future__ import annotations

import os
import resource
import selectors
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from servers import free_port, redistill_python  # noqa: E402
from resp import RespSocket, encode_command  # noqa: E402

from .relhelp import fd_count, raise_nofile

ROOT = Path(__file__).resolve().parent.parent.parent
MB = 1 << 20


def _served(sp, n: int = 50) -> None:
    """A fresh client gets n correct replies in a row."""
    c = RespSocket(sp.host, sp.port, timeout=10)
    try:
        for i in range(n):
            assert c.call("SET", f"bystander:{i}", i) == b"+OK\r\n"
            assert c.call("GET", f"bystander:{i}") == b"$%d\r\n%d\r\n" % (len(str(i)), i)
    finally:
        c.close()


def _open_many(sp, n: int) -> list[socket.socket]:
    socks = []
    try:
        for _ in range(n):
            s = socket.create_connection((sp.host, sp.port), timeout=30)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            socks.append(s)
    except BaseException:
        for s in socks:
            s.close()
        raise
    return socks


def _ping_all(socks: list[socket.socket], timeout: float = 60.0) -> int:
    """Sends PING on every socket, then collects the replies with one selector; returns how many said PONG."""
    for s in socks:
        s.sendall(b"PING\r\n")
    sel = selectors.DefaultSelector()
    got: dict[socket.socket, bytes] = {}
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    done = 0
    try:
        while done < len(socks) and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=1.0):
                s = key.fileobj
                try:
                    chunk = s.recv(64)
                except BlockingIOError:
                    continue
                buf = got.get(s, b"") + chunk
                got[s] = buf
                if buf == b"+PONG\r\n" or not chunk:
                    sel.unregister(s)
                    done += 1
    finally:
        sel.close()
    return sum(1 for v in got.values() if v == b"+PONG\r\n")


def test_half_sent_frames_do_not_block_others(server):
    head = b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$10\r\nabc"
    socks = _open_many(server, 300)
    try:
        for i, s in enumerate(socks):
            key = b"half:%d" % i
            s.sendall(head % (len(key), key))
        _served(server, 100)
        for s in socks:
            s.sendall(b"defghij\r\n")
        for i, s in enumerate(socks):
            s.settimeout(10)
            assert s.recv(16) == b"+OK\r\n", i
        c = RespSocket(server.host, server.port)
        try:
            assert c.call("GET", "half:299") == b"$10\r\nabcdefghij\r\n"
        finally:
            c.close()
    finally:
        for s in socks:
            s.close()


@pytest.mark.parametrize("frame, reply", [
    (encode_command("SET", "trickle", "a value\r\nwith CRLF"), b"+OK\r\n"),
    (encode_command("GET", "trickle"), b"$18\r\na value\r\nwith CRLF\r\n"),
    (b"ECHO \"in line\"\r\n", b"$7\r\nin line\r\n"),
    (encode_command("INCRBY", "trickle:n", "42"), b":42\r\n"),
])
def test_slow_trickle_byte_at_a_time(server, raw_factory, frame, reply):
    c = raw_factory(timeout=10)
    for i in range(len(frame)):
        c.send(frame[i:i + 1])
        if i % 8 == 0:
            time.sleep(0.002)  # let most bytes arrive as their own read
    assert c.reply() == reply
    _served(server, 5)


def _clients(c: RespSocket) -> int:
    return c.call("CLIENT", "LIST").count(b"id=")


def test_reset_mid_reply(server):
    watcher = RespSocket(server.host, server.port)
    assert watcher.call("SET", "reset:big", b"r" * (4 * MB)) == b"+OK\r\n"
    before = _clients(watcher)
    for _ in range(30):
        s = socket.create_connection((server.host, server.port), timeout=10)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(encode_command("GET", "reset:big") * 8)
        s.recv(1000)  # the reply has started
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()      # RST with 32 MB of replies still to come
    _served(server, 20)
    try:
        # The reset connections are gone from the server's list (closed on the send error).
        deadline = time.monotonic() + 10
        while (n := _clients(watcher)) > before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert n <= before, watcher.call("CLIENT", "LIST")[:2000]
    finally:
        watcher.close()


def _need_fds(n: int) -> None:
    have = raise_nofile(n)
    if have < n:
        pytest.skip(f"this machine allows {have} open files per process; the test needs {n}")


@pytest.mark.parametrize("n", [1000, 10000])
def test_many_concurrent_connections(start_extra, target, n):
    _need_fds(n + 200)
    sp = start_extra(args=["--maxclients", str(n + 100)])
    socks = _open_many(sp, n)
    try:
        assert _ping_all(socks) == n
        _served(sp, 20)
        if target == "redistill":
            assert fd_count(sp.proc.pid) >= n
    finally:
        for s in socks:
            s.close()
    _served(sp, 5)


def test_query_buffer_limit_closes(start_extra, target):
    if target == "redis":
        sp = start_extra(args=["--client-query-buffer-limit", "1mb"], kind="redis")
    else:
        sp = start_extra(config_text="[server]\nclient_query_buffer_limit = \"1mb\"\n")
    c = RespSocket(sp.host, sp.port, timeout=10)
    try:
        # A 4 MB value in one frame: the query buffer passes 1 MB before the frame is complete.
        frame = encode_command("SET", "q", b"q" * (4 * MB))
        try:
            c.send(frame)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed while we were still sending: what we are testing
        data, closed = c.read_until_closed(timeout=10)
        assert closed and data == b"", data[:200]
    finally:
        c.close()
    _served(sp, 10)
    c = RespSocket(sp.host, sp.port)
    try:
        assert c.call("EXISTS", "q") == b":0\r\n"
        # Under the limit is fine.
        assert c.call("SET", "q", b"q" * (MB // 2)) == b"+OK\r\n"
    finally:
        c.close()


def test_fd_limit_below_maxclients_is_logged_and_served():
    """The OS refuses the descriptors maxclients needs: Redis's warnings, fewer clients, still serving."""
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="redistill-fdlimit-"))
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))

    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (150, 150))

    log = open(workdir / "stderr.log", "wb")
    proc = subprocess.Popen([redistill_python(), "-m", "redistill", "--port", str(port), "--threads", "2",
                             "--health-check-port", "0", "--maxclients", "1000"], cwd=workdir, env=env,
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=low_limit)
    log.close()
    socks: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                probe = RespSocket("127.0.0.1", port, timeout=2)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (workdir / "stderr.log").read_text()
                time.sleep(0.05)
        assert probe.call("PING") == b"+PONG\r\n"
        text = (workdir / "stderr.log").read_text()
        assert "You requested maxclients of 1000 requiring at least" in text, text
        assert "maxclients has been reduced to" in text, text
        reduced = int(text.split("maxclients has been reduced to ")[1].split()[0])
        assert 0 < reduced < 150
        assert probe.call("CONFIG", "GET", "maxclients") == b"*2\r\n$10\r\nmaxclients\r\n$%d\r\n%d\r\n" % (
            len(str(reduced)), reduced)
        # More clients than the reduced limit: the extra ones get Redis's error, the rest are served.
        rejected = 0
        for _ in range(reduced + 20):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            socks.append(s)
        for s in socks:
            s.sendall(b"PING\r\n")
            s.settimeout(10)
            rep = s.recv(100)
            if rep.startswith(b"-ERR max number of clients reached"):
                rejected += 1
            else:
                assert rep == b"+PONG\r\n", rep
        assert rejected >= 20
        assert probe.call("PING") == b"+PONG\r\n"
        for s in socks:
            s.close()
        socks.clear()
        # maxclients past the descriptors is refused at runtime too, with Redis's error.
        assert probe.call("CONFIG", "SET", "maxclients", "1000") == (
            b"-ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not "
            b"able to handle the specified number of clients, try with %d\r\n" % reduced)
        # The limit lowered under the running server (prlimit): accept() itself fails (EMFILE).  The worker
        # logs it, pauses accepting briefly and keeps serving the clients it has.
        resource.prlimit(proc.pid, resource.RLIMIT_NOFILE, (fd_count(proc.pid) + 10, 150))
        for _ in range(200):
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=10))  # the kernel completes it
        deadline = time.monotonic() + 15
        while "accept() failed" not in (workdir / "stderr.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        text = (workdir / "stderr.log").read_text()
        assert "accept() failed" in text and "Too many open files" in text, text[-2000:]
        for _ in range(20):
            assert probe.call("PING") == b"+PONG\r\n"
        for s in socks:  # descriptors come back: the backlog is accepted and served again
            s.close()
        socks.clear()
        deadline = time.monotonic() + 15
        while True:
            try:
                late = RespSocket("127.0.0.1", port, timeout=2)
                rep = late.call("PING", timeout=2)
                late.close()
                if rep == b"+PONG\r\n":
                    break
            except (OSError, TimeoutError, ConnectionError):
                pass
            assert time.monotonic() < deadline, "new clients not served after descriptors were freed"
            time.sleep(0.1)
        probe.close()
    finally:
        for s in socks:
            s.close()
        proc.terminate()
        assert proc.wait(timeout=20) == 0, (workdir / "stderr.log").read_text()[-3000:]
