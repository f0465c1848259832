"""MULTI/EXEC/DISCARD/WATCH/UNWATCH through redis-py and raw sockets: queueing, EXECABORT, errors inside
EXEC, WATCH broken by other clients (on other connections, spread over the server's threads), by expiry and
by FLUSHALL, and EXEC's atomicity against clients on every thread."""

import threading
import time

import pytest
import redis

from resp import RespSocket, encode_command as cmd, parse
from servers import make_client


def _clients(server, n, **kw):
    """n more connections: the kernel spreads them over the server's SO_REUSEPORT listeners (threads)."""
    return [make_client(server, **kw) for _ in range(n)]


def _close(clients):
    for c in clients:
        c.close()


# ---- redis-py pipelines -------------------------------------------------------------------------------

def test_pipeline_is_a_transaction(rc):
    pipe = rc.pipeline()  # transaction=True: MULTI ... EXEC
    pipe.set("a", "1").incr("a").incrby("a", 10).get("a").mget("a", "nope").delete("a").exists("a")
    assert pipe.execute() == [True, 2, 12, b"12", [b"12", None], 1, 0]


def test_pipeline_without_transaction(rc):
    pipe = rc.pipeline(transaction=False)
    pipe.set("a", "1").incr("a").get("a").expire("a", 100).ttl("a")
    assert pipe.execute() == [True, 2, b"2", True, 100]


def test_errors_inside_exec_are_elements(rc):
    pipe = rc.pipeline()
    pipe.set("s", "x").incr("s").get("s").set("t", "1", ex=100).ttl("t")
    out = pipe.execute(raise_on_error=False)
    assert out[0] is True and out[2] == b"x" and out[3] is True and out[4] == 100
    assert isinstance(out[1], redis.ResponseError) and "not an integer" in str(out[1])
    with pytest.raises(redis.ResponseError):
        rc.pipeline().set("s", "y").incr("s").execute()
    assert rc.get("s") == b"y"  # the commands around the failing one ran


def test_queueing_error_aborts_the_whole_transaction(rc):
    pipe = rc.pipeline()
    pipe.set("a", "1").execute_command("NOSUCHCOMMAND").set("b", "2")
    with pytest.raises(redis.ResponseError):
        pipe.execute()
    assert rc.exists("a", "b") == 0


def test_transaction_helper_retries_after_another_client_writes(server, r):
    other = make_client(server)
    calls = []

    def add_one(pipe):
        n = int(pipe.get("counter") or 0)
        calls.append(n)
        if len(calls) == 1:
            other.incrby("counter", 100)  # between WATCH and EXEC, on another connection
        pipe.multi()
        pipe.set("counter", n + 1)

    try:
        r.set("counter", 5)
        assert r.transaction(add_one, "counter") == [True]
        assert calls == [5, 105]
        assert r.get("counter") == b"106"
    finally:
        other.close()


# ---- WATCH ------------------------------------------------------------------------------------------------

def _watched_exec(client, key, meddle):
    """WATCH key, meddle(), then MULTI SET key EXEC: True if it ran, False if aborted."""
    with client.pipeline() as pipe:
        pipe.watch(key)
        meddle()
        pipe.multi()
        pipe.set(key, "mine")
        try:
            pipe.execute()
            return True
        except redis.WatchError:
            return False


def test_watch_broken_by_a_write_from_any_connection(server, r):
    others = _clients(server, 6)  # over several connections, so over both worker threads
    try:
        for i, other in enumerate(others):
            r.set("k", "start")
            assert not _watched_exec(r, "k", lambda: other.set("k", f"other{i}"))
            assert r.get("k") == f"other{i}".encode()
            assert not _watched_exec(r, "k", lambda: other.delete("k"))
            assert _watched_exec(r, "k", lambda: other.set("unrelated", "x"))
            assert r.get("k") == b"mine"
    finally:
        _close(others)


def test_watch_not_broken_by_other_keys_or_no_op_writes(server, r):
    other = make_client(server)
    try:
        r.set("k", "1")

        def meddle():
            pipe = other.pipeline(transaction=False)
            for i in range(3000):  # many keys: some share the watched key's shard
                pipe.set(f"other:{i}", i).incr(f"n:{i}").delete(f"other:{i}")
            pipe.set("k", "x", nx=True).set("missing", "1", xx=True).delete("missing").persist("k")
            pipe.expire("missing", 10).get("k").exists("k").mget("k", "other:1")
            pipe.execute()

        assert _watched_exec(r, "k", meddle)
        assert r.get("k") == b"mine"
    finally:
        other.close()


def test_watch_broken_by_own_write_before_multi(raw):
    assert raw.call("SET", "k", "1") == b"+OK\r\n"
    assert raw.call("WATCH", "k") == b"+OK\r\n"
    assert raw.call("SET", "k", "1") == b"+OK\r\n"  # same value: still a write
    assert raw.call("MULTI") == b"+OK\r\n"
    assert raw.call("GET", "k") == b"+QUEUED\r\n"
    assert raw.call("EXEC") == b"*-1\r\n"
    # EXEC dropped the WATCH: the next transaction runs
    assert raw.call("MULTI") == b"+OK\r\n"
    assert raw.call("GET", "k") == b"+QUEUED\r\n"
    assert raw.call("EXEC") == b"*1\r\n$1\r\n1\r\n"


def test_watch_abort_is_a_null_array_in_both_protocols(server, rawp):
    other = RespSocket(server.host, server.port)
    try:
        assert rawp.call("WATCH", "k") == b"+OK\r\n"
        assert other.call("SET", "k", "x") == b"+OK\r\n"
        assert rawp.call("MULTI") == b"+OK\r\n"
        assert rawp.call("SET", "k", "y") == b"+QUEUED\r\n"
        assert rawp.call("EXEC") == (b"*-1\r\n" if rawp.proto == 2 else b"_\r\n")
        assert rawp.call("GET", "k") == b"$1\r\nx\r\n"
    finally:
        other.close()


def test_watch_broken_by_expiry(r):
    r.set("k", "v", px=100)
    with r.pipeline() as pipe:
        pipe.watch("k")
        time.sleep(0.3)  # the key expires; Redis 7.0 then fails the EXEC whether or not it was reclaimed
        pipe.multi()
        pipe.set("k", "mine")
        with pytest.raises(redis.WatchError):
            pipe.execute()
    assert r.get("k") is None


def test_watch_of_an_already_expired_key(r):
    r.set("k", "v", px=20)
    time.sleep(0.1)
    with r.pipeline() as pipe:
        pipe.watch("k")
        r.get("k")  # reclaims it: no change for WATCH
        pipe.multi()
        pipe.set("k", "mine")
        assert pipe.execute() == [True]


def test_watch_broken_by_flushall_only_for_existing_keys(server, r):
    other = make_client(server)
    try:
        r.set("k", "v")
        assert not _watched_exec(r, "k", lambda: other.flushall())
        assert _watched_exec(r, "absent", lambda: other.flushdb())
    finally:
        other.close()


def test_watch_survives_until_unwatch_discard_or_exec(server, raw):
    other = RespSocket(server.host, server.port)
    try:
        assert raw.call("WATCH", "a", "b") == b"+OK\r\n"
        assert raw.call("UNWATCH") == b"+OK\r\n"
        assert other.call("SET", "a", "1") == b"+OK\r\n"
        assert raw.call("MULTI") == b"+OK\r\n" and raw.call("PING") == b"+QUEUED\r\n"
        assert raw.call("EXEC") == b"*1\r\n+PONG\r\n"
        assert raw.call("WATCH", "a") == b"+OK\r\n"
        assert raw.call("MULTI") == b"+OK\r\n" and raw.call("DISCARD") == b"+OK\r\n"
        assert other.call("SET", "a", "2") == b"+OK\r\n"
        assert raw.call("MULTI") == b"+OK\r\n" and raw.call("PING") == b"+QUEUED\r\n"
        assert raw.call("EXEC") == b"*1\r\n+PONG\r\n"
    finally:
        other.close()


def test_closed_watcher_leaves_nothing_behind(server, raw):
    """A client that closes while watching (or inside MULTI) drops its registrations; other
    watchers of the same keys keep theirs."""
    for _ in range(20):
        gone = RespSocket(server.host, server.port)
        assert gone.call("WATCH", "k", "j") == b"+OK\r\n"
        assert gone.call("MULTI") == b"+OK\r\n"
        gone.close()
    assert raw.call("WATCH", "k") == b"+OK\r\n"
    other = RespSocket(server.host, server.port)
    try:
        assert other.call("SET", "k", "1") == b"+OK\r\n"
    finally:
        other.close()
    assert raw.call("MULTI") == b"+OK\r\n" and raw.call("PING") == b"+QUEUED\r\n"
    assert raw.call("EXEC") == b"*-1\r\n"


# ---- protocol details -------------------------------------------------------------------------------------

def test_hello_inside_multi_switches_the_replies_after_it(raw):
    assert raw.call("MULTI") == b"+OK\r\n"
    assert raw.call("HELLO", "3") == b"+QUEUED\r\n"
    assert raw.call("GET", "nope") == b"+QUEUED\r\n"
    reply = raw.call("EXEC")
    assert reply.startswith(b"*2\r\n%7\r\n") and reply.endswith(b"*0\r\n_\r\n"), reply
    assert raw.call("GET", "nope") == b"_\r\n"


def test_pipelined_transaction_in_one_packet(raw):
    """MULTI and the commands after it arrive in one read: the fast path must hand them to Python
    to be queued, and take them back after EXEC."""
    raw.send(cmd("SET", "x", "0") + cmd("MULTI") + cmd("INCR", "x") + cmd("GET", "x") + cmd("EXEC")
             + cmd("INCR", "x") + cmd("MULTI") + cmd("SET", "y") + cmd("SET", "y", "1") + cmd("EXEC")
             + cmd("GET", "y") + cmd("GET", "x"))
    assert raw.replies(12) == [
        b"+OK\r\n", b"+OK\r\n", b"+QUEUED\r\n", b"+QUEUED\r\n", b"*2\r\n:1\r\n$1\r\n1\r\n", b":2\r\n",
        b"+OK\r\n", b"-ERR wrong number of arguments for 'set' command\r\n", b"+QUEUED\r\n",
        b"-EXECABORT Transaction discarded because of previous errors.\r\n", b"$-1\r\n", b"$1\r\n2\r\n"]


def test_time_stands_still_inside_exec(raw):
    """As under Redis's cached time, a whole EXEC sees one instant: a key set with PX 1 inside it is
    still there thousands of commands later.  (Redis 7.0's PTTL reads the real clock: not checked.)"""
    raw.send(cmd("MULTI") + cmd("SET", "t", "v", "PX", "1") + cmd("INCR", "n") * 3000 + cmd("GET", "t")
             + cmd("EXISTS", "t") + cmd("EXEC"))
    replies = raw.replies(3005, timeout=60)
    assert replies[:2] == [b"+OK\r\n", b"+QUEUED\r\n"]
    assert parse(replies[-1])[-2:] == [b"v", 1]


def test_client_info_inside_exec_shows_the_transaction(raw):
    raw.send(cmd("MULTI") + cmd("PING") + cmd("CLIENT", "INFO") + cmd("EXEC"))
    replies = raw.replies(4)
    line = parse(replies[3])[1].decode()
    assert " flags=x " in line and " multi=2 " in line and " cmd=exec " in line, line
    line = parse(raw.call("CLIENT", "INFO")).decode()
    assert " flags=N " in line and " multi=-1 " in line, line


def test_exec_inside_info_commandstats(raw):
    assert raw.call("MULTI") == b"+OK\r\n"
    assert raw.call("INCR", "stat") == b"+QUEUED\r\n"
    assert raw.call("EXEC") == b"*1\r\n:1\r\n"
    info = parse(raw.call("INFO", "commandstats")).decode()
    assert "cmdstat_exec:calls=" in info and "cmdstat_multi:calls=" in info


# ---- atomicity --------------------------------------------------------------------------------------------

def test_exec_is_atomic_against_every_thread(server, raw):
    """Writers on several connections run MULTI INCR a INCR b EXEC while readers on others read a and b
    with MGET (fast path, or Python with REDISTILL_FASTPATH=0) and inside their own transactions: no
    reader may ever see a != b, and no increment may be lost."""
    writers, rounds = 4, 300
    stop = threading.Event()
    errors: list = []
    seen = [0]

    def writer():
        s = RespSocket(server.host, server.port, timeout=30)
        try:
            for _ in range(rounds):
                s.send(cmd("MULTI") + cmd("INCR", "a") + cmd("INCR", "b") + cmd("EXEC"))
                out = s.replies(4, timeout=30)
                assert out[:3] == [b"+OK\r\n", b"+QUEUED\r\n", b"+QUEUED\r\n"], out
                a, b = parse(out[3])
                assert a == b, out
        except BaseException as e:
            errors.append(e)
        finally:
            s.close()

    def reader(transactional):
        s = RespSocket(server.host, server.port, timeout=30)
        try:
            while not stop.is_set():
                if transactional:
                    s.send(cmd("MULTI") + cmd("GET", "a") + cmd("GET", "b") + cmd("EXEC"))
                    a, b = parse(s.replies(4, timeout=30)[3])
                else:
                    a, b = parse(s.call("MGET", "a", "b"))
                if a != b:
                    errors.append(AssertionError(f"read a={a!r} b={b!r}"))
                    return
                seen[0] += 1
        except BaseException as e:
            errors.append(e)
        finally:
            s.close()

    readers = [threading.Thread(target=reader, args=(i % 2 == 1,), daemon=True) for i in range(4)]
    ws = [threading.Thread(target=writer, daemon=True) for _ in range(writers)]
    for t in readers + ws:
        t.start()
    deadline = time.monotonic() + 120
    for t in ws:
        t.join(timeout=max(0.1, deadline - time.monotonic()))
    stop.set()
    for t in readers:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in readers + ws), "threads still running"
    assert not errors, errors[:3]
    assert seen[0] > 0
    assert parse(raw.call("MGET", "a", "b")) == [str(writers * rounds).encode()] * 2


def test_exec_of_a_queued_write_over_maxmemory_is_discarded(raw, server):
    """Redis refuses an EXEC whose queue holds a denyoom command while over maxmemory, and discards
    the transaction (-EXECABORT ... OOM); a queue of reads still runs (unit/multi.tcl)."""
    admin = RespSocket(server.host, server.port)
    try:
        for queued, expected in (
            (("SET", "x", "1"), b"-EXECABORT Transaction discarded because of: OOM command not allowed when "
                                b"used memory > 'maxmemory'.\r\n"),
            (("GET", "x"), b"*1\r\n$-1\r\n"),
        ):
            assert raw.call("MULTI") == b"+OK\r\n"
            assert raw.call(*queued) == b"+QUEUED\r\n"
            assert admin.call("CONFIG", "SET", "maxmemory", "1") == b"+OK\r\n"
            try:
                assert raw.call("EXEC") == expected, queued
            finally:
                assert admin.call("CONFIG", "SET", "maxmemory", "0") == b"+OK\r\n"
        assert raw.call("EXEC") == b"-ERR EXEC without MULTI\r\n"  # the transaction is gone
    finally:
        admin.close()
