"""Functions through real clients and sockets: redis-py's FUNCTION/FCALL API, a busy function seen by
FUNCTION STATS and stopped by FUNCTION KILL from connections on both worker threads (SCRIPT KILL and
FUNCTION KILL each stop only their own kind), allow-oom over maxmemory, and the libraries' memory: counted
in INFO, freed by FUNCTION FLUSH (the process does not grow over load/flush cycles)."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from resp import RespSocket, parse
from servers import make_client, wait_busy

LIB = """#!lua name=mylib
local function bump(keys, args) return redis.call('incrby', keys[1], args[1]) end
redis.register_function('bump', bump)
redis.register_function{function_name='peek', callback=function(keys) return redis.call('get', keys[1]) end,
                        flags={'no-writes'}, description='reads a key'}
"""

SPIN = "#!lua name=spin\nredis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)"

BUSY_FUNCTION = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
BUSY_EVAL = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."


def test_redis_py_function_api(r):
    r.function_flush()
    assert r.function_load(LIB) == b"mylib"
    assert r.fcall("bump", 1, "n", 5) == 5
    assert r.fcall("BUMP", 1, "n", 2) == 7                    # function names are case-insensitive
    assert r.fcall_ro("peek", 1, "n") == b"7"
    with pytest.raises(redis.exceptions.ResponseError, match="Can not execute a script with write flag"):
        r.fcall_ro("bump", 1, "n", 1)
    [entry] = r.function_list(library="my*")
    assert entry[1] == b"mylib" and len(entry[5]) == 2
    payload = r.function_dump()
    assert r.function_delete("mylib")
    with pytest.raises(redis.exceptions.ResponseError, match="Function not found"):
        r.fcall("bump", 1, "n", 1)
    assert r.function_restore(payload)
    assert r.fcall("bump", 1, "n", 1) == 8
    assert r.function_stats()[1] is None                     # running_script: nil between calls
    r.function_flush()
    assert r.function_list() == []


def _run_in_thread(fn):
    result = []

    def run():
        try:
            result.append(fn())
        except redis.exceptions.ResponseError as e:
            result.append(str(e))

    t = threading.Thread(target=run)
    t.start()
    return t, result


def test_busy_function_stats_and_function_kill(server):
    """Past busy-reply-threshold every connection (some on the function's own worker thread) gets the
    FUNCTION KILL flavour of -BUSY and sees the function in FUNCTION STATS; SCRIPT KILL refuses to stop a
    function; FUNCTION KILL stops it."""
    conns = [make_client(server) for _ in range(4)]
    raw = [RespSocket(server.host, server.port, timeout=10) for _ in range(4)]
    for cl in conns:
        cl.ping()
    for s in raw:
        assert s.call("PING") == b"+PONG\r\n"
    conns[0].function_load(SPIN, replace=True)
    conns[0].config_set("busy-reply-threshold", 100)
    try:
        runner = make_client(server, socket_timeout=30)
        t, result = _run_in_thread(lambda: runner.fcall("spin", 0))
        for cl in conns[1:]:
            assert wait_busy(cl) == BUSY_FUNCTION
        for s in raw:
            stats = parse(s.call("FUNCTION", "STATS"))
            running = dict(zip(stats[1][0::2], stats[1][1::2]))
            assert running[b"name"] == b"spin" and running[b"command"] == [b"FCALL", b"spin", b"0"]
            assert running[b"duration_ms"] >= 100
            assert stats[3] == [b"LUA", [b"libraries_count", 1, b"functions_count", 1]]
            assert s.call("SCRIPT", "KILL") == f"-{BUSY_FUNCTION}\r\n".encode()
        assert conns[3].execute_command("FUNCTION", "KILL") == b"OK"
        t.join(20)
        assert result and result[0].startswith("Script killed by user with SCRIPT KILL...")
        assert conns[2].ping()
        assert parse(raw[0].call("FUNCTION", "STATS"))[1] is None
    finally:
        raw[1].call("FUNCTION", "KILL")   # whatever failed above, the function does not outlive the test
        conns[0].config_set("busy-reply-threshold", 5000)
        conns[0].function_flush()
        for s in raw:
            s.close()


def test_function_kill_does_not_stop_an_eval_script(server):
    conns = [make_client(server) for _ in range(4)]
    for cl in conns:
        cl.ping()
    conns[0].config_set("busy-reply-threshold", 100)
    try:
        runner = make_client(server, socket_timeout=30)
        t, result = _run_in_thread(lambda: runner.eval("local i = 0 while true do i = i + 1 end", 0))
        assert wait_busy(conns[1]) == BUSY_EVAL
        for cl in conns[1:3]:
            with pytest.raises(redis.exceptions.ResponseError, match=f"^{BUSY_EVAL}$"):
                cl.execute_command("FUNCTION", "KILL")
            with pytest.raises(redis.exceptions.ResponseError, match=f"^{BUSY_EVAL}$"):
                cl.execute_command("FUNCTION", "STATS")
        assert conns[3].script_kill()
        t.join(20)
        assert result and result[0].startswith("Script killed by user with SCRIPT KILL...")
    finally:
        try:
            conns[3].script_kill()   # whatever failed above, the script does not outlive the test
        except redis.exceptions.ResponseError:
            pass
        conns[0].config_set("busy-reply-threshold", 5000)


def test_function_flags_over_maxmemory(start_extra):
    """Over maxmemory (noeviction) a function that may write is refused before it runs; no-writes runs;
    allow-oom writes, as Redis lets it."""
    sp = start_extra(args=["--maxmemory", "10mb", "--maxmemory-policy", "noeviction"])
    c = make_client(sp)
    c.function_load("#!lua name=oom\n"
                    "redis.register_function('w', function() return redis.call('set', 'a', 'b') end)\n"
                    "redis.register_function{function_name='r', callback=function() return redis.call('get', 'small') end,"
                    " flags={'no-writes'}}\n"
                    "redis.register_function{function_name='ao', callback=function() return redis.call('set', 'a', 'c') end,"
                    " flags={'allow-oom'}}")
    c.set("small", "x")
    for i in range(500):
        c.set(f"fill:{i}", "v" * 2000)
    c.config_set("maxmemory", "100kb")   # now over the limit
    with pytest.raises(redis.exceptions.ResponseError, match="^command not allowed when used memory"):
        c.fcall("w", 0)
    assert c.fcall("r", 0) == b"x"
    assert c.fcall("ao", 0) == b"OK"
    assert c.get("a") == b"c"


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_functions_counted_in_info_and_freed_by_flush(start_extra):
    """INFO memory counts the libraries; FUNCTION FLUSH frees them: the counters return to zero and the
    process's RSS does not grow over repeated load/flush cycles of ~4 MB of libraries."""
    sp = start_extra()
    c = make_client(sp)
    body = "-- " + "x" * 8000 + "\n"
    rss = []
    for cycle in range(6):
        for i in range(500):
            c.function_load(f"#!lua name=l{i}\n{body}redis.register_function('f{i}', function() return {i} end)")
        info = c.info("memory")
        assert info["number_of_libraries"] == 500 and info["number_of_functions"] == 500
        assert info["used_memory_functions"] > 500 * 8000
        assert info["used_memory_vm_functions"] > 0
        assert c.fcall("f499", 0) == 499
        c.function_flush()
        info = c.info("memory")
        assert (info["number_of_libraries"], info["number_of_functions"], info["used_memory_functions"]) == (0, 0, 0)
        rss.append(_rss_kb(sp.proc.pid))
    # After the first cycle has warmed the allocator up, five more cycles leave it where it was (a leak of
    # the libraries would add ~4 MB a cycle).
    assert rss[-1] - rss[1] < 4096, rss
