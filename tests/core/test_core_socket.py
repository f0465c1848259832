"""rd_conn_io on real sockets: one write per batch, peer close, backpressure, protocol errors."""

import select
import socket
import threading

import pytest
from corehelp import Conn, cmd
from redistill._core import ffi, lib


@pytest.fixture
def pair(ks):
    a, b = socket.socketpair()
    a.setblocking(False)
    c = Conn(ks)
    yield c, a, b
    c.close()
    a.close()
    b.close()


def recv_all(sock, n, timeout=5.0):
    sock.settimeout(timeout)
    data = b""
    while len(data) < n:
        chunk = sock.recv(1 << 20)
        if not chunk:
            break
        data += chunk
    return data


def io(c, a, read=1, slow_reply=b"+SLOW\r\n"):
    st = lib.rd_conn_io(c.c, a.fileno(), read)
    while st == lib.RD_SLOW:
        c.reply(slow_reply)
        st = lib.rd_conn_io(c.c, a.fileno(), 0)
    return st


def test_request_reply(pair):
    c, a, b = pair
    b.sendall(cmd("SET", "k", "v") + b"GET k\r\n" + cmd("CLIENT", "ID") + cmd("PING"))
    assert io(c, a) == lib.RD_OK
    exp = b"+OK\r\n$1\r\nv\r\n+SLOW\r\n+PONG\r\n"
    assert recv_all(b, len(exp)) == exp


def test_idle_read_is_ok(pair):
    c, a, b = pair
    assert lib.rd_conn_io(c.c, a.fileno(), 1) == lib.RD_OK


def test_peer_close_runs_buffered_commands_first(pair):
    c, a, b = pair
    b.sendall(cmd("INCR", "n") * 3 + b"*2\r\n$3\r\nGET")
    b.shutdown(socket.SHUT_WR)
    # A short read skips the recv that would report EOF; the socket stays readable, so the next event sees it.
    st = io(c, a)
    if st == lib.RD_OK:
        st = io(c, a)
    assert st == lib.RD_CLOSE
    assert recv_all(b, 12) == b":1\r\n:2\r\n:3\r\n"


def test_protocol_error_is_flushed_then_close(pair):
    c, a, b = pair
    b.sendall(cmd("PING") + b"*1\r\n$x\r\n" + cmd("PING"))
    assert io(c, a) == lib.RD_CLOSE
    exp = b"+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"
    assert recv_all(b, len(exp)) == exp


def test_backpressure(pair):
    c, a, b = pair
    val = b"x" * (1 << 20)
    sender = threading.Thread(target=b.sendall, args=(cmd("SET", "v", val),))
    sender.start()
    ok = b""
    while not ok:
        select.select([a], [], [], 1.0)
        assert io(c, a) == lib.RD_OK
        try:
            ok = b.recv(16, socket.MSG_DONTWAIT)
        except BlockingIOError:
            pass
    sender.join()
    assert ok == b"+OK\r\n"
    b.sendall(cmd("GET", "v") * 20)
    st = io(c, a)
    assert st == lib.RD_NEED_MORE  # the socket buffer filled up; the peer is not reading
    expected = (b"$1048576\r\n" + val + b"\r\n") * 20
    got = b""
    b.settimeout(5)
    while len(got) < len(expected):
        got += b.recv(1 << 20)
        if st == lib.RD_NEED_MORE:
            st = io(c, a, read=0)
    assert got == expected
    assert st == lib.RD_OK
    stats = c.stats()
    assert stats[lib.RD_W_NET_OUT] == len(expected) + 5


def test_broken_peer_is_close(pair):
    c, a, b = pair
    b.sendall(cmd("PING"))
    b.close()
    st = io(c, a)
    if st == lib.RD_OK:
        st = io(c, a)
    assert st == lib.RD_CLOSE


def test_no_read_while_slow(pair):
    c, a, b = pair
    b.sendall(cmd("CLIENT", "ID"))
    assert lib.rd_conn_io(c.c, a.fileno(), 1) == lib.RD_SLOW
    b.sendall(cmd("PING"))
    assert lib.rd_conn_io(c.c, a.fileno(), 1) == lib.RD_SLOW  # still waiting for Python
    p, n = ffi.new("const char **"), ffi.new("size_t *")
    assert lib.rd_conn_command(c.c, p, n) == lib.RD_OK
    assert ffi.unpack(p[0], n[0]) == cmd("CLIENT", "ID")
    c.reply(b":7\r\n")
    assert lib.rd_conn_io(c.c, a.fileno(), 0) == lib.RD_OK
    assert lib.rd_conn_io(c.c, a.fileno(), 1) == lib.RD_OK
    assert recv_all(b, 11) == b":7\r\n+PONG\r\n"
