"""Lua scripts through real clients and sockets: redis-py's EVAL/EVALSHA/register_script and Lock, a
script's atomicity against clients on the other worker threads, WATCH seeing a script's writes, blocked
clients served after the script, and the script cache's INFO lines."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from resp import RespSocket
from servers import make_client, run_threads, wait_busy

# GET, spin, SET: a read-modify-write that loses updates unless nothing runs between its GET and SET.
SLOW_INCR = """
local v = tonumber(redis.call('get', KEYS[1]) or '0')
local x = 0
for i = 1, tonumber(ARGV[1]) do x = x + i end
redis.call('set', KEYS[1], v + 1)
return v + 1
"""


def test_redis_py_eval_evalsha_and_register_script(r):
    assert r.eval("return {KEYS[1], ARGV[1]}", 1, "k", "a") == [b"k", b"a"]
    sha = r.script_load("return redis.call('incrby', KEYS[1], ARGV[1])")
    assert r.evalsha(sha, 1, "n", 5) == 5
    assert r.script_exists(sha, "0" * 40) == [True, False]
    incr = r.register_script("return redis.call('incrby', KEYS[1], ARGV[1])")
    r.script_flush()
    assert incr(keys=["n"], args=[2]) == 7   # NOSCRIPT after the flush: redis-py loads it again
    with pytest.raises(redis.exceptions.NoScriptError):
        r.evalsha("0" * 40, 0)
    with pytest.raises(redis.exceptions.ResponseError, match="WRONGTYPE"):
        r.lpush("l", "x")
        r.eval("return redis.call('incr', KEYS[1])", 1, "l")
    assert r.eval_ro("return redis.call('get', KEYS[1])", 1, "n") == b"7"
    with pytest.raises(redis.exceptions.ResponseError, match="Write commands are not allowed"):
        r.eval_ro("return redis.call('set', KEYS[1], 1)", 1, "n")


def test_redis_py_lock_is_exclusive_across_threads(server):
    """redis-py's Lock (SET NX PX, release and extend by Lua scripts): 4 threads x 25 lock-protected
    read-modify-writes of one key lose nothing, and a lock is released only by its owner."""
    c = make_client(server)
    c.delete("lock:counter", "counter")

    def worker():
        cl = make_client(server)
        for _ in range(25):
            with cl.lock("lock:counter", timeout=10, blocking_timeout=30, sleep=0.001):
                v = int(cl.get("counter") or 0)
                cl.set("counter", v + 1)

    run_threads([worker] * 4, timeout=120)
    assert int(c.get("counter")) == 100
    lock = c.lock("lock:counter", timeout=10)
    assert lock.acquire(blocking=False)
    other = c.lock("lock:counter", timeout=10)
    assert not other.acquire(blocking=False)
    other.local.token = b"not-the-owner"
    with pytest.raises(redis.exceptions.LockNotOwnedError):
        other.release()                       # the release script sees another token
    assert lock.extend(5)                     # the extend script
    assert lock.owned()
    lock.release()
    assert c.get("lock:counter") is None


def test_script_is_atomic_against_other_worker_threads(server):
    """Scripts that read, spin and write one key, while 4 other connections (the server has 2 worker
    threads: some land on the other one) INCR it on the C fast path: no increment is lost."""
    c = make_client(server)
    c.set("atomic", 0)
    sha = c.script_load(SLOW_INCR)
    scripts, incrs, per = 2, 4, 300
    stop = threading.Event()

    def scripter():
        cl = make_client(server)
        for _ in range(per):
            cl.evalsha(sha, 1, "atomic", 20000)

    def incrementer():
        s = RespSocket(server.host, server.port, timeout=30)
        for _ in range(per):
            assert s.call("INCR", "atomic")[:1] == b":"
        s.close()

    run_threads([scripter] * scripts + [incrementer] * incrs, timeout=240)
    stop.set()
    assert int(c.get("atomic")) == (scripts + incrs) * per


def test_watch_sees_a_script_write(server):
    a, b = make_client(server), make_client(server)
    a.set("w", "1")
    with a.pipeline() as p:
        p.watch("w")
        b.eval("return redis.call('set', KEYS[1], '2')", 1, "w")
        p.multi()
        p.get("w")
        with pytest.raises(redis.exceptions.WatchError):
            p.execute()


def test_blocked_client_is_served_after_the_script(server):
    """A BLPOP waiting on a list a script pushes to gets the element once the script is over: inside the
    script the element is still there (LLEN 1), as in Redis."""
    c = make_client(server)
    c.delete("bl")
    got = []
    # The waiter gives up after 3 s: a script's push must serve it at the script's end, not at some
    # later event of the worker (the stand-in client once queued the keys again, served seconds later).
    waiter = threading.Thread(target=lambda: got.append(make_client(server).blpop("bl", timeout=3)))
    waiter.start()
    deadline = time.monotonic() + 10
    while int(c.info("clients")["blocked_clients"]) < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert c.eval("redis.call('rpush', KEYS[1], 'x') return redis.call('llen', KEYS[1])", 1, "bl") == 1
    waiter.join(20)
    assert got == [(b"bl", b"x")]
    assert c.llen("bl") == 0


def test_blocked_stream_reader_is_served_after_the_script(server):
    """XADD from a script wakes an XREAD BLOCK, as LPUSH wakes BLPOP."""
    c = make_client(server)
    c.delete("xs")
    got = []
    waiter = threading.Thread(target=lambda: got.append(make_client(server).xread({"xs": "$"}, block=3000)))
    waiter.start()
    deadline = time.monotonic() + 10
    while int(c.info("clients")["blocked_clients"]) < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    entry_id = c.eval("return redis.call('xadd', KEYS[1], '*', 'f', 'v')", 1, "xs")
    waiter.join(20)
    assert got and got[0] and got[0][0][1] == [(entry_id, {b"f": b"v"})], got


def test_script_cache_in_info_memory_and_flush(r):
    r.script_flush()
    before = r.info("memory")
    assert before["number_of_cached_scripts"] == 0
    for i in range(20):
        r.eval(f"return {i}", 0)
    info = r.info("memory")
    assert info["number_of_cached_scripts"] == 20
    assert info["used_memory_scripts_eval"] > before["used_memory_scripts_eval"]
    assert info["used_memory_vm_eval"] > 0
    r.script_flush()
    assert r.info("memory")["number_of_cached_scripts"] == 0
    assert r.info("memory")["used_memory_scripts_eval"] == 0


def test_evalsha_calls_and_errors_in_commandstats(start_extra):
    """EVALSHA of a cached script runs in C on the fast path: INFO commandstats and errorstats
    still count it (calls, failed calls, the error's code), as Redis does."""
    sp = start_extra()
    r = make_client(sp)
    try:
        sha = r.script_load("return redis.call('incr', KEYS[1])")
        r.set("s", "x")
        r.config_resetstat()
        assert r.evalsha(sha, 1, "n") == 1
        for cmd in (r.evalsha, r.evalsha_ro):
            with pytest.raises(redis.exceptions.ResponseError):
                cmd(sha, 1, "s")
        stats = r.info("commandstats")
        assert (stats["cmdstat_evalsha"]["calls"], stats["cmdstat_evalsha"]["failed_calls"]) == (2, 1)
        assert (stats["cmdstat_evalsha_ro"]["calls"], stats["cmdstat_evalsha_ro"]["failed_calls"]) == (1, 1)
        assert r.info("errorstats")["errorstat_ERR"]["count"] == 2
    finally:
        r.close()


def test_script_over_maxmemory_gets_oom(start_extra):
    """Over maxmemory (noeviction), a script's first write is refused with -OOM; reads still run; a
    shebang script without allow-oom is refused before it runs, allow-oom lets it write."""
    sp = start_extra(args=["--maxmemory", "10mb", "--maxmemory-policy", "noeviction"])
    c = make_client(sp)
    c.set("small", "x")
    for i in range(500):
        c.set(f"fill:{i}", "v" * 2000)
    c.config_set("maxmemory", "100kb")   # now over the limit
    with pytest.raises(redis.exceptions.ResponseError, match="^command not allowed when used memory"):
        c.eval("return redis.call('set', 'a', 'b')", 0)
    assert c.eval("return redis.call('get', 'small')", 0) == b"x"
    with pytest.raises(redis.exceptions.ResponseError, match="^command not allowed when used memory"):
        c.eval("#!lua\nreturn redis.call('get', 'small')", 0)
    assert c.eval("#!lua flags=allow-oom\nreturn redis.call('del', 'small')", 0) == 1


BUSY = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."


def test_busy_script_answers_busy_and_script_kill_stops_it(server):
    """Past busy-reply-threshold every other connection (made before the script: on both worker
    threads, the script's own included) gets -BUSY; SCRIPT KILL from one of them stops a script that
    has not written; with no script, -NOTBUSY."""
    conns = [make_client(server) for _ in range(6)]
    for cl in conns:
        cl.ping()
    conns[0].config_set("busy-reply-threshold", 100)
    try:
        runner = make_client(server, socket_timeout=30)
        result = []

        def run():
            try:
                runner.eval("local i = 0 while true do i = i + 1 end", 0)
            except redis.exceptions.ResponseError as e:
                result.append(str(e))

        t = threading.Thread(target=run)
        t.start()
        for cl in conns[1:]:
            assert wait_busy(cl) == BUSY
        assert conns[2].script_kill()
        t.join(20)
        assert result and result[0].startswith("Script killed by user with SCRIPT KILL...")
        assert conns[3].ping()
        with pytest.raises(redis.exceptions.ResponseError, match="^NOTBUSY No scripts in execution right now"):
            conns[4].script_kill()
    finally:
        conns[0].config_set("busy-reply-threshold", 5000)


def test_busy_script_that_wrote_is_unkillable_until_it_ends(server):
    conns = [make_client(server) for _ in range(4)]
    for cl in conns:
        cl.ping()
    conns[0].config_set("busy-reply-threshold", 50)
    try:
        runner = make_client(server, socket_timeout=30)
        t = threading.Thread(target=lambda: runner.eval(
            "redis.call('set', 'wrote', '1') local t = redis.call('time') "
            "while tonumber(redis.call('time')[1]) < tonumber(t[1]) + 5 do end return 1", 0))
        t.start()
        wait_busy(conns[1])
        with pytest.raises(redis.exceptions.ResponseError, match="^UNKILLABLE Sorry the script already executed write"):
            conns[2].script_kill()
        t.join(20)
        assert conns[3].get("wrote") == b"1"
    finally:
        conns[0].config_set("busy-reply-threshold", 5000)
