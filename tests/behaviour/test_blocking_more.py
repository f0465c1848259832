"""Blocking pops beyond the list basics (issue 8): a blocked client that sent more and then closed
takes nothing; writes other than pushes (RENAME, COPY, ZUNIONSTORE, EXEC) wake waiters; BZPOPMIN,
BZPOPMAX, BZMPOP, BLMPOP served by writes; FIFO order; CLIENT UNBLOCK; CLIENT LIST flag b and INFO
blocked_clients.  Every wait is bounded; "is it blocked yet" is read from INFO/CLIENT LIST, never
from a sleep.  Also runs against Redis itself (--target redis), which fixes the expected bytes."""

import time

import pytest

from resp import RespSocket, encode_command as cmd


def blocked_count(r) -> int:
    return r.info("clients")["blocked_clients"]


def wait_blocked_count(r, n: int) -> None:
    """Until INFO says exactly n clients are blocked (at most 10 s)."""
    deadline = time.monotonic() + 10
    while blocked_count(r) != n:
        if time.monotonic() > deadline:
            raise AssertionError(f"blocked_clients never reached {n}: {r.client_list()}")
        time.sleep(0.02)


class Blocked:
    """A raw connection (RESP2, or RESP3 after HELLO 3) that sent one blocking command."""

    def __init__(self, server, *args, resp3: bool = False):
        self.s = RespSocket(server.host, server.port, timeout=15)
        if resp3:
            self.s.call("HELLO", "3")
        self.id = int(self.s.call("CLIENT", "ID")[1:-2])
        self.s.send(cmd(*args))

    def reply(self) -> bytes:
        return self.s.reply()

    def close(self):
        self.s.close()


@pytest.fixture
def blocked(server, r):
    """Factory of Blocked clients; each is closed at the end; waits until the new one is blocked."""
    made = []

    def make(*args, resp3=False):
        before = blocked_count(r)
        b = Blocked(server, *args, resp3=resp3)
        made.append(b)
        wait_blocked_count(r, before + 1)
        return b

    yield make
    for b in made:
        b.close()


def test_client_that_sent_more_and_closed_takes_nothing(server, r):
    """The hard rule: BLPOP, then PING in the same connection, then close.  The server must notice
    the close (the PING sits unread behind BLPOP) and the later push must stay in the list."""
    s = RespSocket(server.host, server.port, timeout=10)
    s.send(cmd("BLPOP", "l", "0"))
    wait_blocked_count(r, 1)
    s.send(cmd("PING"))
    s.close()
    wait_blocked_count(r, 0)
    assert r.rpush("l", "x") == 1
    assert r.lrange("l", 0, -1) == [b"x"]


def test_replies_before_the_blocking_command_are_sent_at_once(server, r):
    s = RespSocket(server.host, server.port, timeout=10)
    try:
        s.send(cmd("PING") + cmd("BLPOP", "l", "0") + cmd("ECHO", "after"))
        assert s.reply() == b"+PONG\r\n"   # not held until BLPOP is served
        wait_blocked_count(r, 1)
        r.rpush("l", "v")
        assert s.reply() == b"*2\r\n$1\r\nl\r\n$1\r\nv\r\n"
        assert s.reply() == b"$5\r\nafter\r\n"
    finally:
        s.close()


def run_fill(server, fill) -> bytes:
    """Sends the commands pipelined on a raw connection; their replies, concatenated."""
    s = RespSocket(server.host, server.port, timeout=10)
    try:
        s.send(b"".join(cmd(*c) for c in fill))
        return b"".join(s.replies(len(fill)))
    finally:
        s.close()


@pytest.mark.parametrize("fill,replies", [
    ([["RPUSH", "src", "a"], ["RENAME", "src", "l"]], b":1\r\n+OK\r\n"),
    ([["RPUSH", "src", "a"], ["COPY", "src", "l"]], b":1\r\n:1\r\n"),
    ([["MULTI"], ["RPUSH", "l", "a"], ["EXEC"]], b"+OK\r\n+QUEUED\r\n*1\r\n:1\r\n"),
    ([["RPUSH", "src", "a"], ["LMOVE", "src", "l", "LEFT", "LEFT"]], b":1\r\n$1\r\na\r\n"),
    ([["LPUSH", "l", "a"]], b":1\r\n"),
    ([["RPUSH", "src", "a"], ["RPOPLPUSH", "src", "l"]], b":1\r\n$1\r\na\r\n"),
], ids=["rename", "copy", "exec", "lmove", "lpush", "rpoplpush"])
def test_writes_that_fill_a_list_wake_blpop(blocked, server, fill, replies):
    b = blocked("BLPOP", "l", "0")
    assert run_fill(server, fill) == replies   # the writer's own replies are untouched
    assert b.reply() == b"*2\r\n$1\r\nl\r\n$1\r\na\r\n"


@pytest.mark.parametrize("fill,replies", [
    ([["ZADD", "z", "1", "a"]], b":1\r\n"),
    ([["ZINCRBY", "z", "1", "a"]], b"$1\r\n1\r\n"),
    ([["ZADD", "src", "1", "a"], ["ZUNIONSTORE", "z", "1", "src"]], b":1\r\n:1\r\n"),
    ([["ZADD", "src", "1", "a"], ["ZINTERSTORE", "z", "1", "src"]], b":1\r\n:1\r\n"),
    ([["ZADD", "src", "1", "a"], ["ZDIFFSTORE", "z", "1", "src"]], b":1\r\n:1\r\n"),
    ([["ZADD", "src", "1", "a"], ["ZRANGESTORE", "z", "src", "0", "-1"]], b":1\r\n:1\r\n"),
    ([["ZADD", "src", "1", "a"], ["RENAME", "src", "z"]], b":1\r\n+OK\r\n"),
], ids=["zadd", "zincrby", "zunionstore", "zinterstore", "zdiffstore", "zrangestore", "rename"])
def test_writes_that_fill_a_zset_wake_bzpopmin(blocked, server, fill, replies):
    b = blocked("BZPOPMIN", "z", "0")
    assert run_fill(server, fill) == replies
    assert b.reply() == b"*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"


def test_bzpopmax_resp3_and_bzmpop(blocked, r):
    a = blocked("BZPOPMAX", "nokey", "z", "0", resp3=True)
    b = blocked("BZMPOP", "0", "1", "z", "MIN", "COUNT", "5")
    r.zadd("z", {"m": 1, "n": 2.5, "o": 3})
    assert a.reply() == b"*3\r\n$1\r\nz\r\n$1\r\no\r\n,3\r\n"
    assert b.reply() == b"*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nm\r\n$1\r\n1\r\n*2\r\n$1\r\nn\r\n$3\r\n2.5\r\n"
    assert r.exists("z") == 0


def test_blmpop_served_with_count(blocked, r):
    b = blocked("BLMPOP", "0", "2", "a", "l", "RIGHT", "COUNT", "2")
    r.rpush("l", "1", "2", "3")
    assert b.reply() == b"*2\r\n$1\r\nl\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n"
    assert r.lrange("l", 0, -1) == [b"1"]


def test_fifo_among_waiters_of_one_key(blocked, r):
    waiters = [blocked("BLPOP", "q", "0") for _ in range(3)]
    r.rpush("q", "a", "b", "c")
    assert [w.reply() for w in waiters] == [b"*2\r\n$1\r\nq\r\n$1\r\n%s\r\n" % v for v in (b"a", b"b", b"c")]


def test_timeouts_give_null_in_both_protocols(server):
    s = RespSocket(server.host, server.port, timeout=10)
    try:
        assert s.call("BZPOPMIN", "nokey", "0.1") == b"*-1\r\n"
        assert s.call("BLMPOP", "0.1", "1", "nokey", "LEFT") == b"*-1\r\n"
        s.call("HELLO", "3")
        assert s.call("BZMPOP", "0.1", "1", "nokey", "MAX") == b"_\r\n"
        assert s.call("BRPOPLPUSH", "nokey", "d", "0.1") == b"_\r\n"
    finally:
        s.close()


def test_client_unblock(blocked, r):
    a = blocked("BLPOP", "l", "0")
    assert r.execute_command("CLIENT", "UNBLOCK", a.id) == 1
    assert a.reply() == b"*-1\r\n"
    b = blocked("BZPOPMIN", "z", "0")
    assert r.execute_command("CLIENT", "UNBLOCK", b.id, "ERROR") == 1
    assert b.reply() == b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    assert r.execute_command("CLIENT", "UNBLOCK", b.id) == 0   # no longer blocked
    assert b.s.call("PING") == b"+PONG\r\n"                  # and its connection goes on
    wait_blocked_count(r, 0)
    r.rpush("l", "kept")
    assert r.lrange("l", 0, -1) == [b"kept"]


def test_client_list_flag_and_info(blocked, r):
    a = blocked("BLMOVE", "s", "d", "LEFT", "LEFT", "0")
    entry = next(c for c in r.client_list() if int(c["id"]) == a.id)
    assert entry["flags"] == "b" and entry["cmd"] == "blmove"
    assert blocked_count(r) == 1
    assert r.info("clients")["clients_in_timeout_table"] == 0   # waits forever
    b = blocked("BLPOP", "other", "30")
    assert r.info("clients")["clients_in_timeout_table"] == 1
    assert r.execute_command("CLIENT", "UNBLOCK", b.id) == 1
    assert b.reply() == b"*-1\r\n"
    assert r.info("clients")["clients_in_timeout_table"] == 0
    r.rpush("s", "v")
    assert a.reply() == b"$1\r\nv\r\n"
    wait_blocked_count(r, 0)
    entry = next(c for c in r.client_list() if int(c["id"]) == a.id)
    assert entry["flags"] == "N"


def test_idle_timeout_spares_blocked_clients(start_extra):
    """`timeout` closes idle clients but not one blocked in BLPOP (as Redis's clientsCron)."""
    import socket

    sp = start_extra(config_text="[server]\ntimeout = 1\n")
    waiter = Blocked(sp, "BLPOP", "l", "0")
    idle = RespSocket(sp.host, sp.port, timeout=10)
    try:
        assert idle.call("PING") == b"+PONG\r\n"   # idle from after waiter blocked
        idle.sock.settimeout(10)
        try:
            assert idle.sock.recv(100) == b""          # the sweep closed the idle client...
        except socket.timeout:
            pytest.fail("the idle client was never closed")
        pusher = RespSocket(sp.host, sp.port, timeout=10)
        try:
            assert pusher.call("RPUSH", "l", "v") == b":1\r\n"
            assert waiter.reply() == b"*2\r\n$1\r\nl\r\n$1\r\nv\r\n"  # ...and the blocked one is served
        finally:
            pusher.close()
    finally:
        idle.close()
        waiter.close()


@pytest.mark.parametrize("kind", ["redistill", "redis"])
def test_served_before_the_writers_next_command(start_extra, kind):
    """Redis serves a blocked client right after the write that filled its key, before the writer's
    next (pipelined) command: LLEN sees the list already emptied.  Redistill does this when waiter
    and writer share a worker (one worker thread here); across workers it is asynchronous."""
    sp = start_extra(["--threads", "1"] if kind == "redistill" else [], kind=kind)
    waiter = Blocked(sp, "BLPOP", "l", "0")
    writer = RespSocket(sp.host, sp.port, timeout=10)
    try:
        deadline = time.monotonic() + 10
        while b"blocked_clients:1\r\n" not in writer.call("INFO", "clients"):
            assert time.monotonic() < deadline, "never blocked"
            time.sleep(0.02)
        writer.send(cmd("RPUSH", "l", "a") + cmd("LLEN", "l") + cmd("RPUSH", "l", "b") + cmd("LLEN", "l"))
        assert writer.replies(4) == [b":1\r\n", b":0\r\n", b":1\r\n", b":1\r\n"]
        assert waiter.reply() == b"*2\r\n$1\r\nl\r\n$1\r\na\r\n"
    finally:
        writer.close()
        waiter.close()


def test_one_push_serves_many_waiters(start_extra):
    """One RPUSH of 1500 elements serves 1500 clients blocked on the key, each once (one worker: all
    served inside the push, LLEN right after sees none left), with no recursion limit hit."""
    sp = start_extra(["--threads", "1"])
    n = 1500
    admin = RespSocket(sp.host, sp.port, timeout=30)
    waiters = []
    try:
        for _ in range(n):
            s = RespSocket(sp.host, sp.port, timeout=30)
            waiters.append(s)
            s.send(cmd("BLPOP", "q", "0"))
        deadline = time.monotonic() + 30
        while b"blocked_clients:%d\r\n" % n not in admin.call("INFO", "clients"):
            assert time.monotonic() < deadline, "not all blocked"
            time.sleep(0.05)
        assert admin.call("RPUSH", "q", *[str(i) for i in range(n)]) == b":%d\r\n" % n
        assert admin.call("LLEN", "q") == b":0\r\n"
        got = [w.reply().split(b"\r\n")[4] for w in waiters]
        assert len(set(got)) == n   # each element exactly once
    finally:
        for w in waiters:
            w.close()
        admin.close()
