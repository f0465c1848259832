"""Blocking pops beyond the list basics: a blocked client that sent more and then closed
takes nothing; writes other than pushes (RENAME, COPY, ZUNIONSTORE, EXEC) wake waiters; BZPOPMIN,
BZPOPMAX, BZMPOP, BLMPOP served by writes; FIFO order; CLIENT UNBLOCK; CLIENT LIST flag b and INFO
blocked_clients.  Every wait is bounded; "is it blocked yet" is read from INFO/CLIENT LIST, never
from a sleep.  Also runs against Redis itself (--target redis), which fixes the expected bytes."""

import time

import pytest

from resp import RespSocket, encode_command as cmd
from servers import make_client, start_server, stop_and_check


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

    # timeout 2, not 1: on a loaded machine a worker can go a second without reading the waiter's BLPOP,
    # and the sweep then rightly closes it before it blocks (seen once in CI)
    sp = start_extra(config_text="[server]\ntimeout = 2\n")
    waiter = Blocked(sp, "BLPOP", "l", "0")
    idle = RespSocket(sp.host, sp.port, timeout=10)
    try:
        info = make_client(sp)
        wait_blocked_count(info, 1)
        info.close()
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
    next (pipelined) command: LLEN sees the list already emptied (one worker thread here; across
    workers: test_served_before_the_writers_next_command_on_any_worker)."""
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


# ---- every waiter of a ready key is tried, as Redis's handleClientsBlockedOnKeys ------------------
# Each runs on a server of one worker thread (waiters and writer share it) and of two (several
# connections, spread over both workers by SO_REUSEPORT: some waiters sit on the writer's worker,
# some on the other); against Redis both are the one redis-server.

@pytest.fixture(scope="module", params=[1, 2], ids=["one-thread", "two-threads"])
def srv_started(request, target):
    sp = start_server(target, [] if target == "redis" else ["--threads", str(request.param)])
    yield sp
    stop_and_check(sp)


@pytest.fixture
def srv(srv_started):
    """srv_started, emptied, with no client blocked (the previous test's closes all seen)."""
    c = RespSocket(srv_started.host, srv_started.port, timeout=10)
    try:
        assert c.call("FLUSHALL") == b"+OK\r\n"
        until_blocked(c, 0)
    finally:
        c.close()
    return srv_started


def connect(sp, n: int = 1, timeout: float = 15) -> list[RespSocket]:
    return [RespSocket(sp.host, sp.port, timeout=timeout) for _ in range(n)]


def info_blocked(c: RespSocket) -> int:
    text = c.call("INFO", "clients")
    return int(text.split(b"blocked_clients:")[1].split(b"\r\n")[0])


def until_blocked(c: RespSocket, n: int) -> None:
    deadline = time.monotonic() + 10
    while info_blocked(c) != n:
        assert time.monotonic() < deadline, f"blocked_clients never reached {n}"
        time.sleep(0.02)


KEYS = [f"k{i}" for i in range(6)]


@pytest.mark.parametrize("first,second,fill,served", [
    (["BZPOPMIN"], ["BLPOP"], ["RPUSH", "x"], b"*2\r\n$2\r\n%s\r\n$1\r\nx\r\n"),
    (["BLPOP"], ["BZPOPMIN"], ["ZADD", "1", "m"], b"*3\r\n$2\r\n%s\r\n$1\r\nm\r\n$1\r\n1\r\n"),
    (["BZMPOP", "0", "1"], ["BLMPOP", "0", "1"], ["RPUSH", "x"], b"*2\r\n$2\r\n%s\r\n*1\r\n$1\r\nx\r\n"),
], ids=["zset-waiter-first", "list-waiter-first", "mpop"])
def test_a_waiter_of_the_other_type_does_not_starve_the_next(srv, first, second, fill, served):
    """A waits on k for a sorted set, B (after it) for a list; a push serves B at once and A stays
    blocked (Redis skips the waiter of the other type).  Used to: B waited until its timeout."""
    admin, = connect(srv)
    firsts, seconds = connect(srv, len(KEYS)), connect(srv, len(KEYS))
    try:
        def blocking(prefix, key):
            if prefix[0].endswith("MPOP"):   # BZMPOP 0 1 key MIN / BLMPOP 0 1 key LEFT
                return cmd(*prefix, key, "MIN" if prefix[0] == "BZMPOP" else "LEFT")
            return cmd(*prefix, key, "0")
        for a, key in zip(firsts, KEYS):
            a.send(blocking(first, key))
        until_blocked(admin, len(KEYS))
        for b, key in zip(seconds, KEYS):
            b.send(blocking(second, key))
        until_blocked(admin, 2 * len(KEYS))
        for key in KEYS:
            assert admin.call(fill[0], key, *fill[1:]) == b":1\r\n"
        assert [b.reply(timeout=10) for b in seconds] == [served % k.encode() for k in KEYS]
        assert info_blocked(admin) == len(KEYS)   # the others still wait, on a key of the other type
    finally:
        for c in firsts + seconds + [admin]:
            c.close()
    admin, = connect(srv)
    try:
        until_blocked(admin, 0)   # their close ends every wait
    finally:
        admin.close()


@pytest.mark.parametrize("move", [["BLMOVE", "LEFT", "RIGHT"], ["BRPOPLPUSH"]], ids=["blmove", "brpoplpush"])
def test_blocked_move_into_a_wrong_type_destination(srv, move):
    """A blocked move whose destination holds a string gets -WRONGTYPE when its source is filled,
    pops nothing and is unblocked; the waiter after it is served.  Used to: both hung, and
    blocked_clients stayed up."""
    admin, = connect(srv)
    movers, poppers = connect(srv, len(KEYS)), connect(srv, len(KEYS))
    try:
        for m, key in zip(movers, KEYS):
            admin.call("SET", "str" + key, "v")
            m.send(cmd(move[0], key, "str" + key, *move[1:], "0"))
        until_blocked(admin, len(KEYS))
        for p, key in zip(poppers, KEYS):
            p.send(cmd("BLPOP", key, "0"))
        until_blocked(admin, 2 * len(KEYS))
        for key in KEYS:
            assert admin.call("RPUSH", key, "x") == b":1\r\n"
        wrongtype = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
        assert [m.reply(timeout=10) for m in movers] == [wrongtype] * len(KEYS)
        assert [p.reply(timeout=10) for p in poppers] == [b"*2\r\n$2\r\n%s\r\n$1\r\nx\r\n" % k.encode()
                                                          for k in KEYS]
        assert info_blocked(admin) == 0
        # alone: the error, and the element stays in the source (Redis's list.tcl)
        admin.call("DEL", "k0")
        movers[0].send(cmd(move[0], "k0", "strk0", *move[1:], "0"))
        until_blocked(admin, 1)
        assert admin.call("RPUSH", "k0", "a", "b", "c") == b":3\r\n"
        assert movers[0].reply(timeout=10) == wrongtype
        assert admin.call("LRANGE", "k0", "0", "-1") == b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
        assert info_blocked(admin) == 0
    finally:
        for c in movers + poppers + [admin]:
            c.close()


def test_circular_and_self_moves(srv):
    """a->b and b->a blocked at once, then a->a: a push is moved round and every client is served,
    iteratively.  Used to: unbounded recursion, a closed connection and blocked_clients stuck.
    Four rounds on fresh connections, so on two workers some pairs sit on different ones."""
    admin, = connect(srv)
    try:
        for _ in range(4):
            x, y = connect(srv, 2)
            try:
                x.send(cmd("BLMOVE", "a", "b", "LEFT", "LEFT", "0"))
                until_blocked(admin, 1)
                y.send(cmd("BRPOPLPUSH", "b", "a", "0"))
                until_blocked(admin, 2)
                assert admin.call("RPUSH", "a", "v") == b":1\r\n"
                assert x.reply(timeout=10) == b"$1\r\nv\r\n"
                assert y.reply(timeout=10) == b"$1\r\nv\r\n"
                assert admin.call("LRANGE", "a", "0", "-1") == b"*1\r\n$1\r\nv\r\n"
                assert admin.call("EXISTS", "b") == b":0\r\n"
                admin.call("DEL", "a")
                x.send(cmd("BLMOVE", "a", "a", "RIGHT", "LEFT", "0"))
                until_blocked(admin, 1)
                assert admin.call("RPUSH", "a", "w") == b":1\r\n"
                assert x.reply(timeout=10) == b"$1\r\nw\r\n"
                assert admin.call("LRANGE", "a", "0", "-1") == b"*1\r\n$1\r\nw\r\n"
                assert info_blocked(admin) == 0
                assert x.call("PING") == b"+PONG\r\n" and y.call("PING") == b"+PONG\r\n"
                admin.call("DEL", "a")
            finally:
                x.close()
                y.close()
    finally:
        admin.close()


def test_a_ring_of_many_moves_is_served_without_recursion(srv):
    """A chain of 3000 clients, each blocked moving r<i> -> r<i+1>: one push walks the whole chain
    (Python's recursion limit is 1000)."""
    n = 3000 if srv.kind == "redistill" else 300
    admin, = connect(srv, timeout=60)
    movers = []
    try:
        for i in range(n):
            m, = connect(srv, timeout=60)
            movers.append(m)
            m.send(cmd("BLMOVE", f"r{i}", f"r{i + 1}", "LEFT", "LEFT", "0"))
        deadline = time.monotonic() + 60
        while info_blocked(admin) != n:
            assert time.monotonic() < deadline, "not all blocked"
            time.sleep(0.05)
        assert admin.call("RPUSH", "r0", "v") == b":1\r\n"
        assert admin.call("LRANGE", f"r{n}", "0", "-1") == b"*1\r\n$1\r\nv\r\n"
        assert all(m.reply(timeout=30) == b"$1\r\nv\r\n" for m in movers)
        assert info_blocked(admin) == 0
    finally:
        for m in movers + [admin]:
            m.close()


def test_ready_keys_are_served_in_the_order_they_were_filled(srv):
    """A client blocked on `a b` when one transaction fills b then a is served from b, the key made
    ready first (Redis's ready_keys order), not from its first key."""
    admin, w = connect(srv, 2)
    try:
        w.send(cmd("BLPOP", "a", "b", "0"))
        until_blocked(admin, 1)
        admin.send(cmd("MULTI") + cmd("RPUSH", "b", "x") + cmd("RPUSH", "a", "y") + cmd("EXEC"))
        assert admin.replies(4)[3] == b"*2\r\n:1\r\n:1\r\n"
        assert w.reply(timeout=10) == b"*2\r\n$1\r\nb\r\n$1\r\nx\r\n"
        assert admin.call("LRANGE", "a", "0", "-1") == b"*1\r\n$1\r\ny\r\n"
    finally:
        admin.close()
        w.close()


def test_served_before_the_writers_next_command_on_any_worker(srv):
    """The pop happens inside the write, whatever worker the waiters are on: the writer's pipelined
    LLEN already sees them served."""
    admin, = connect(srv)
    waiters = connect(srv, len(KEYS))
    try:
        for i, w in enumerate(waiters):   # one at a time: FIFO order is the order they blocked in
            w.send(cmd("BLPOP", "l", "0"))
            until_blocked(admin, i + 1)
        admin.send(cmd("RPUSH", "l", *[str(i) for i in range(len(KEYS) + 1)]) + cmd("LLEN", "l"))
        assert admin.replies(2) == [b":%d\r\n" % (len(KEYS) + 1), b":1\r\n"]
        assert [w.reply(timeout=10) for w in waiters] == [b"*2\r\n$1\r\nl\r\n$1\r\n%d\r\n" % i
                                                          for i in range(len(KEYS))]
    finally:
        for c in waiters + [admin]:
            c.close()


@pytest.mark.parametrize("blocking", [["BLPOP", "q", "0.1"], ["BZPOPMIN", "q", "0.1"],
                                      ["BLMOVE", "q", "d", "LEFT", "LEFT", "0.1"]],
                         ids=["blpop", "bzpopmin", "blmove"])
def test_client_reply_off_and_skip_drop_a_blocked_commands_reply(srv, blocking):
    """CLIENT REPLY OFF/SKIP as issued with the blocking command hold when its reply comes later
    (timeout or served).  Used to: the late reply was sent anyway, out of step with the replies.
    Four clients in turn, so on two workers some sit on another worker than the writer's."""
    admin, = connect(srv)
    clients = connect(srv, 4)
    try:
        for c in clients:
            _reply_off_and_skip(admin, c, blocking)
    finally:
        for c in clients + [admin]:
            c.close()


def _reply_off_and_skip(admin: RespSocket, c: RespSocket, blocking: list[str]) -> None:
    c.send(cmd("CLIENT", "REPLY", "OFF") + cmd(*blocking) + cmd("CLIENT", "REPLY", "ON") + cmd("PING"))
    assert c.replies(2) == [b"+OK\r\n", b"+PONG\r\n"]
    c.send(cmd("CLIENT", "REPLY", "SKIP") + cmd(*blocking) + cmd("PING"))
    assert c.reply() == b"+PONG\r\n"
    forever = blocking[:-1] + ["0"]
    push = ["ZADD", "q", "1", "m"] if blocking[0] == "BZPOPMIN" else ["RPUSH", "q", "m"]
    for mode in ("OFF", "SKIP"):
        c.send(cmd("CLIENT", "REPLY", mode) + cmd(*forever))
        until_blocked(admin, 1)
        assert admin.call(*push) == b":1\r\n"
        until_blocked(admin, 0)
        assert admin.call("EXISTS", "q") == b":0\r\n"   # served: its element taken
        admin.call("DEL", "d")
        c.send(cmd("CLIENT", "REPLY", "ON") + cmd("PING"))
        assert c.replies(2) == [b"+OK\r\n", b"+PONG\r\n"]   # and no late reply before them


def test_blocked_clients_count_is_exact_on_every_exit(srv):
    """INFO blocked_clients goes back to 0 after each way out: served, timeout, -WRONGTYPE, close,
    CLIENT UNBLOCK, CLIENT KILL; CLIENT LIST no longer shows flag b."""
    admin, = connect(srv)
    cs = connect(srv, 6)
    try:
        admin.call("SET", "str", "v")
        cs[0].send(cmd("BLPOP", "e0", "0"))                                  # served
        cs[1].send(cmd("BZPOPMIN", "e1", "0.05"))                            # times out
        cs[2].send(cmd("BLMOVE", "e2", "str", "LEFT", "LEFT", "0"))          # -WRONGTYPE
        cs[3].send(cmd("BLMPOP", "0", "1", "e3", "LEFT"))                    # closes
        cs[4].send(cmd("BRPOPLPUSH", "e4", "d4", "0"))                       # CLIENT UNBLOCK
        cs[5].send(cmd("BZMPOP", "0", "1", "e5", "MAX"))                     # CLIENT KILL
        assert cs[1].reply(timeout=10) == b"*-1\r\n"
        until_blocked(admin, 5)
        admin.call("RPUSH", "e0", "x")
        assert cs[0].reply(timeout=10) == b"*2\r\n$2\r\ne0\r\n$1\r\nx\r\n"
        admin.call("RPUSH", "e2", "x")
        assert cs[2].reply(timeout=10).startswith(b"-WRONGTYPE")
        cs[3].close()
        until_blocked(admin, 2)
        listing = admin.call("CLIENT", "LIST").decode().splitlines()
        by_cmd = {line.split(" cmd=")[1].split()[0]: line.split()[0][3:] for line in listing if " flags=b " in line}
        assert sorted(by_cmd) == ["brpoplpush", "bzmpop"]
        assert admin.call("CLIENT", "UNBLOCK", by_cmd["brpoplpush"]) == b":1\r\n"
        assert cs[4].reply(timeout=10) == b"*-1\r\n"
        assert admin.call("CLIENT", "KILL", "ID", by_cmd["bzmpop"]) == b":1\r\n"
        until_blocked(admin, 0)
        assert " flags=b " not in admin.call("CLIENT", "LIST").decode()
        assert admin.call("LRANGE", "e2", "0", "-1") == b"*1\r\n$1\r\nx\r\n"   # nothing popped
    finally:
        for c in cs + [admin]:
            c.close()


FILLS = [
    ("l", [["RPUSH", "s{K}", "a"], ["RENAME", "s{K}", "K"]]),
    ("l", [["RPUSH", "s{K}", "a"], ["RENAMENX", "s{K}", "K"]]),
    ("l", [["RPUSH", "s{K}", "a"], ["COPY", "s{K}", "K"]]),
    ("l", [["RPUSH", "s{K}", "a"], ["LMOVE", "s{K}", "K", "LEFT", "RIGHT"]]),
    ("l", [["RPUSH", "s{K}", "a"], ["RPOPLPUSH", "s{K}", "K"]]),
    ("l", [["LPUSH", "K", "a"]]),
    ("l", [["RPUSHX", "K", "z"], ["RPUSH", "K", "a"]]),
    ("l", [["MULTI"], ["RPUSH", "K", "a"], ["LLEN", "K"], ["EXEC"]]),
    ("l", [["RPUSH", "s{K}", "a"], ["SORT", "s{K}", "ALPHA", "STORE", "K"]]),
    ("z", [["ZADD", "K", "1", "a"]]),
    ("z", [["ZINCRBY", "K", "1", "a"]]),
    ("z", [["ZADD", "s{K}", "1", "a"], ["ZUNIONSTORE", "K", "1", "s{K}"]]),
    ("z", [["ZADD", "s{K}", "1", "a"], ["ZINTERSTORE", "K", "1", "s{K}"]]),
    ("z", [["ZADD", "s{K}", "1", "a"], ["ZDIFFSTORE", "K", "1", "s{K}"]]),
    ("z", [["ZADD", "s{K}", "1", "a"], ["ZRANGESTORE", "K", "s{K}", "0", "-1"]]),
    ("z", [["ZADD", "s{K}", "1", "a"], ["RENAME", "s{K}", "K"]]),
    ("z", [["ZADD", "s{K}", "1", "a"], ["COPY", "s{K}", "K"]]),
    ("z", [["MULTI"], ["ZADD", "K", "1", "a"], ["EXEC"]]),
]


def test_every_write_that_adds_a_key_wakes_its_waiters(srv):
    """Each write that fills a list or a sorted set serves the clients blocked on it, whichever worker
    they are on (several waiters on several keys) and on the C fast path or the Python path."""
    admin, = connect(srv)
    waiters = connect(srv, 3)
    try:
        for kind, fill in FILLS:
            keys = [f"w{i}" for i in range(len(waiters))]
            for w, k in zip(waiters, keys):
                w.send(cmd("BLPOP" if kind == "l" else "BZPOPMIN", k, "0"))
            until_blocked(admin, len(waiters))
            for k in keys:
                admin.send(b"".join(cmd(*[a.replace("K", k) for a in c]) for c in fill))
                admin.replies(len(fill))
            expected = [(b"*2\r\n$2\r\n%s\r\n$1\r\na\r\n" if kind == "l" else
                         b"*3\r\n$2\r\n%s\r\n$1\r\na\r\n$1\r\n1\r\n") % k.encode() for k in keys]
            assert [w.reply(timeout=10) for w in waiters] == expected, fill
            admin.call("FLUSHALL")
    finally:
        for c in waiters + [admin]:
            c.close()


@pytest.mark.parametrize("store", [["ZUNIONSTORE", "k", "1", "s{k}"], ["ZINTERSTORE", "k", "1", "s{k}"],
                                   ["ZDIFFSTORE", "k", "1", "s{k}"], ["ZRANGESTORE", "k", "s{k}", "0", "-1"]],
                         ids=["zunionstore", "zinterstore", "zdiffstore", "zrangestore"])
def test_a_store_over_an_existing_key_does_not_wake(srv, store):
    """Redis 7.0 wakes on a key being added, not on a *STORE overwriting one (setKey's dbOverwrite),
    nor on a ZADD into the sorted set that left: the client blocked on k stays blocked until k is
    added again."""
    admin, w = connect(srv, 2)
    try:
        w.send(cmd("BZPOPMIN", "k", "0"))
        until_blocked(admin, 1)
        admin.call("SET", "k", "str")
        admin.call("ZADD", "s{k}", "1", "a")
        assert admin.call(*store) == b":1\r\n"
        assert admin.call("ZCARD", "k") == b":1\r\n"
        assert info_blocked(admin) == 1
        assert admin.call("ZADD", "k", "2", "b") == b":1\r\n"
        assert admin.call("ZCARD", "k") == b":2\r\n"
        assert info_blocked(admin) == 1
        assert admin.call("DEL", "k") == b":1\r\n"
        assert admin.call("ZADD", "k", "3", "c") == b":1\r\n"
        assert w.reply(timeout=10) == b"*3\r\n$1\r\nk\r\n$1\r\nc\r\n$1\r\n3\r\n"
    finally:
        admin.close()
        w.close()
