"""Blocking list pops: BLPOP/BRPOP/BLMOVE/BRPOPLPUSH served by pushes from other clients,
oldest waiter first, timeouts, MULTI, and a blocked client neither blocking its worker nor keeping an
element after it disconnected.  Every wait is bounded; "is it blocked yet" is read from CLIENT LIST
(cmd=blpop...), never from a sleep."""

import threading
import time

import pytest

from resp import RespSocket, encode_command as cmd


def wait_blocked(r, names: set[str], n: int = 1) -> None:
    """Until n clients show one of `names` as their last command (at most 10 s)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        clients = r.client_list()
        if sum(1 for c in clients if c["cmd"] in names) >= n:
            return
        time.sleep(0.02)
    raise AssertionError(f"no {n} clients blocked in {names}: {r.client_list()}")


class Blocked:
    """A raw connection that sent one blocking command; reply() reads its answer."""

    def __init__(self, server, *args):
        self.s = RespSocket(server.host, server.port, timeout=15)
        self.s.send(cmd(*args))

    def reply(self) -> bytes:
        return self.s.reply()

    def close(self):
        self.s.close()


def test_blpop_is_served_by_a_push(server, r):
    w = Blocked(server, "BLPOP", "nokey", "l", "10")
    try:
        wait_blocked(r, {"blpop"})
        assert r.ping()  # the worker is not blocked: other clients are served meanwhile
        assert r.rpush("l", "x", "y") == 2
        assert w.reply() == b"*2\r\n$1\r\nl\r\n$1\r\nx\r\n"
        assert r.lrange("l", 0, -1) == [b"y"]
    finally:
        w.close()


def test_oldest_waiter_first(server, r):
    first = Blocked(server, "BRPOP", "q", "10")
    try:
        wait_blocked(r, {"brpop"})
        second = Blocked(server, "BRPOP", "q", "10")
        try:
            wait_blocked(r, {"brpop"}, 2)
            r.lpush("q", "1")
            assert first.reply() == b"*2\r\n$1\r\nq\r\n$1\r\n1\r\n"
            r.lpush("q", "2")
            assert second.reply() == b"*2\r\n$1\r\nq\r\n$1\r\n2\r\n"
        finally:
            second.close()
    finally:
        first.close()


def test_timeout_then_the_connection_goes_on(server, r):
    s = RespSocket(server.host, server.port, timeout=10)
    try:
        s.send(cmd("BLPOP", "nokey", "0.1") + cmd("PING"))  # PING is read after the timeout
        assert s.reply() == b"*-1\r\n"
        assert s.reply() == b"+PONG\r\n"
        s.send(cmd("HELLO", "3"))
        s.reply()
        assert s.call("BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.05") == b"_\r\n"
    finally:
        s.close()


def test_pipelined_commands_wait_for_the_blocked_one(server, r):
    s = RespSocket(server.host, server.port, timeout=10)
    try:
        s.send(cmd("BLPOP", "l", "10") + cmd("LLEN", "l"))
        wait_blocked(r, {"blpop"})
        r.rpush("l", "a", "b")
        assert s.reply() == b"*2\r\n$1\r\nl\r\n$1\r\na\r\n"
        assert s.reply() == b":1\r\n"  # run after BLPOP was served, not before
    finally:
        s.close()


def test_blmove_feeds_another_waiter(server, r):
    a = Blocked(server, "BLPOP", "dst", "10")
    try:
        wait_blocked(r, {"blpop"})
        b = Blocked(server, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "10")
        try:
            wait_blocked(r, {"blmove"})
            r.rpush("src", "m")
            assert b.reply() == b"$1\r\nm\r\n"
            assert a.reply() == b"*2\r\n$3\r\ndst\r\n$1\r\nm\r\n"  # the move into dst served BLPOP dst
            assert r.exists("src", "dst") == 0
        finally:
            b.close()
    finally:
        a.close()


def test_brpoplpush_and_many_waiters_on_one_push(server, r):
    waiters = [Blocked(server, "BRPOPLPUSH", "src", f"d{i}", "10") for i in range(3)]
    try:
        wait_blocked(r, {"brpoplpush"}, 3)
        r.rpush("src", "1", "2", "3")  # three elements: every waiter is served once
        got = sorted(w.reply() for w in waiters)
        assert got == [b"$1\r\n1\r\n", b"$1\r\n2\r\n", b"$1\r\n3\r\n"]
        assert sorted(r.keys("d*")) == [b"d0", b"d1", b"d2"]
    finally:
        for w in waiters:
            w.close()


def test_disconnected_waiter_takes_nothing(server, r):
    w = Blocked(server, "BLPOP", "l", "0")
    wait_blocked(r, {"blpop"})
    w.close()
    deadline = time.monotonic() + 10
    while any(c["cmd"] == "blpop" for c in r.client_list()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert r.rpush("l", "x") == 1
    assert r.lrange("l", 0, -1) == [b"x"]


def test_multi_does_not_block(rc):
    pipe = rc.pipeline(transaction=True)
    pipe.blpop(["nokey"], 0).brpoplpush("nokey", "d", 0).rpush("l", "v").brpop(["l"], 0)
    assert [list(x) if isinstance(x, tuple) else x for x in pipe.execute()] == [None, None, 1, [b"l", b"v"]]


def test_errors(rc):
    rc.set("str", "v")
    with pytest.raises(Exception, match="WRONGTYPE"):
        rc.blpop(["nokey", "str"], 0)
    with pytest.raises(Exception, match="timeout is negative"):
        rc.blpop(["l"], -1)
    with pytest.raises(Exception, match="timeout is not a float"):
        rc.execute_command("BLPOP", "l", "abc")


def test_many_threads_push_and_block(server, r):
    """Pushers and blocked poppers on several connections: every element is delivered exactly once."""
    n_pop, per = 4, 25
    got: list[bytes] = []
    lock = threading.Lock()

    def popper():
        c = RespSocket(server.host, server.port, timeout=20)
        try:
            for _ in range(per):
                reply = c.call("BLPOP", "work", "15")
                assert reply.startswith(b"*2\r\n"), reply
                with lock:
                    got.append(reply.split(b"\r\n")[4])
        finally:
            c.close()

    threads = [threading.Thread(target=popper) for _ in range(n_pop)]
    for t in threads:
        t.start()
    for i in range(n_pop * per):
        r.rpush("work", str(i))
    for t in threads:
        t.join(30)
    assert sorted(got, key=int) == [str(i).encode() for i in range(n_pop * per)]
    assert r.exists("work") == 0


def test_shutdown_answers_blocked_clients(start_extra):
    """SIGTERM: a client blocked in BLPOP gets the timeout's null reply, then the close; exit 0."""
    import signal

    import redis

    sp = start_extra([], kind="redistill")
    admin = redis.Redis(host=sp.host, port=sp.port, socket_timeout=10)
    w = Blocked(sp, "BLPOP", "l", "0")
    try:
        wait_blocked(admin, {"blpop"})
        assert admin.info("clients")["blocked_clients"] == 1
        admin.close()
        sp.proc.send_signal(signal.SIGTERM)
        data, closed = w.s.read_until_closed(timeout=20)
        assert data == b"*-1\r\n" and closed
    finally:
        w.close()
    assert sp.proc.wait(timeout=20) == 0
