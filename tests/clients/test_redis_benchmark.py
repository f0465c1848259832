"""redis-benchmark against the server: the issue's exact command line must finish cleanly with plausible numbers."""

import re
import shutil
import subprocess

import pytest

BENCH = shutil.which("redis-benchmark")
pytestmark = pytest.mark.skipif(BENCH is None, reason="redis-benchmark not installed (Debian package redis-tools)")

LINE = re.compile(r"^\s*(SET|GET|INCR|MSET \(10 keys\)): ([0-9.]+) requests per second")


def run_clean(server, *args: str, timeout: float = 120) -> str:
    """redis-benchmark against server with args: its output, after checking it exited 0 without errors."""
    p = subprocess.run([BENCH, "-h", server.host, "-p", str(server.port), *args], capture_output=True, text=True,
                       timeout=timeout)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out[-2000:]
    assert "ERR" not in out and "error" not in out.lower(), out[-2000:]
    return out


def rates(out: str, names: str) -> set[str]:
    """The tests among `names` (a regex alternation) that reported a plausible rate."""
    found = set()
    for chunk in re.split(r"[\r\n]", out):
        m = re.match(rf"^\s*({names}): ([0-9.]+) requests per second", chunk)
        if m and float(m.group(2)) > 50:
            found.add(m.group(1))
    return found


def test_benchmark_set_get_incr_mset(server, r):
    argv = [BENCH, "-h", server.host, "-p", str(server.port), "-t", "set,get,incr,mset", "-n", "20000",
            "-r", "1000", "-P", "16", "-q"]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out[-2000:]
    assert "ERR" not in out and "error" not in out.lower(), out[-2000:]
    results = {}
    for chunk in re.split(r"[\r\n]", out):
        m = LINE.match(chunk)
        if m:
            results[m.group(1)] = float(m.group(2))
    assert set(results) == {"SET", "GET", "INCR", "MSET (10 keys)"}, out[-2000:]
    for name, rps in results.items():
        assert 50 < rps < 10_000_000, (name, rps)
    # -r 1000: INCR hit counter:000000000000 .. counter:000000000999; together they must add up to -n exactly
    counters = r.mget([f"counter:{i:012d}" for i in range(1000)])
    assert sum(int(v) for v in counters if v is not None) == 20000
    # SET/MSET wrote 3-byte values to key:<rand> (at most 1000 distinct keys)
    keys = r.mget([f"key:{i:012d}" for i in range(1000)])
    present = [v for v in keys if v is not None]
    assert present and all(v == b"VXK" for v in present), present[:3]
    assert r.dbsize() == len(present) + sum(1 for v in counters if v is not None)


def test_benchmark_ping_inline_and_mbulk(server, r):
    """redis-benchmark's PING_INLINE sends inline commands (the issue names it)."""
    out = run_clean(server, "-t", "ping_inline,ping_mbulk", "-n", "20000", "-P", "16", "-q")
    assert rates(out, "PING_INLINE|PING_MBULK") == {"PING_INLINE", "PING_MBULK"}, out[-2000:]


def test_benchmark_without_pipelining_many_clients(server, r):
    """100 parallel clients, one request in flight each (-c 100, no -P): exercises accept and both threads."""
    argv = [BENCH, "-h", server.host, "-p", str(server.port), "-t", "set,get", "-n", "20000", "-c", "100",
            "-r", "1000", "-q"]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out[-2000:]
    assert "ERR" not in out and "error" not in out.lower(), out[-2000:]
    assert re.search(r"SET: [0-9.]+ requests per second", out) and re.search(r"GET: [0-9.]+ requests per second",
                                                                            out), out[-2000:]


def test_benchmark_sadd_hset_spop(server, r):
    """The type workloads of redis-benchmark's default suite finish without errors."""
    out = run_clean(server, "-t", "sadd,hset,spop", "-r", "10000", "-P", "8", "-n", "20000", "-q")
    assert rates(out, "SADD|HSET|SPOP") == {"SADD", "HSET", "SPOP"}, out[-2000:]
    # SADD adds element:<rand> to "myset"; SPOP then pops from it: what is left is a set of those members
    assert r.type("myset") in (b"set", b"none")
    assert all(m.startswith(b"element:") for m in r.smembers("myset"))
    # HSET writes element:<rand> fields of "myhash"
    assert r.type("myhash") == b"hash" and 0 < r.hlen("myhash") <= 10000


def test_benchmark_zadd_zpopmin(server, r):
    """redis-benchmark's sorted-set workloads (ZADD myzset <rand score> element:<rand>, ZPOPMIN)."""
    out = run_clean(server, "-t", "zadd,zpopmin", "-r", "10000", "-P", "8", "-n", "20000", "-q")
    assert rates(out, "ZADD|ZPOPMIN") == {"ZADD", "ZPOPMIN"}, out[-2000:]
    assert r.type("myzset") in (b"zset", b"none")
    left = r.zrange("myzset", 0, -1, withscores=True)
    assert all(m.startswith(b"element:") for m, _ in left)
    assert [s for _, s in left] == sorted(s for _, s in left)

def test_benchmark_lists(server, r):
    """redis-benchmark's list workloads (LPUSH/RPUSH/LPOP/RPOP and the LRANGE_* tests, which
    first fill "mylist" with LPUSH) finish without errors."""
    out = run_clean(server, "-t", "lpush,rpush,lpop,rpop,lrange", "-r", "10000", "-P", "8", "-n", "20000", "-q")
    found = rates(out, "LPUSH|RPUSH|LPOP|RPOP|LPUSH \\(needed to benchmark LRANGE\\)|LRANGE_100 \\(first 100 elements\\)"
                       "|LRANGE_300 \\(first 300 elements\\)|LRANGE_500 \\(first 500 elements\\)|LRANGE_600 \\(first 600 elements\\)")
    assert {"LPUSH", "RPUSH", "LPOP", "RPOP", "LRANGE_100 (first 100 elements)"} <= found, out[-2000:]
    assert r.type("mylist") == b"list" and r.llen("mylist") > 0
    head = r.lrange("mylist", 0, 9)  # redis-benchmark pushes one 3-byte payload (-d 3) every time
    assert len(head) == 10 and len(set(head)) == 1 and len(head[0]) == 3


ISSUE_TESTS = "lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange"


def commandstats(r) -> dict[str, dict]:
    """INFO commandstats as {command: {calls, failed_calls, rejected_calls, ...}}."""
    return {name[len("cmdstat_"):]: fields for name, fields in r.info("commandstats").items()}


def test_benchmark_list_suite_command_line(server, r):
    """The list suite's whole command line (`-t lpush,...,lrange -r 10000 -P 8`, default -n 100000): it finishes
    without errors, every command ran exactly -n times without a failure, and the data is what that
    sequence leaves behind (redis-benchmark runs the tests in this order, then LPUSH + LRANGE_100..600)."""
    r.config_resetstat()
    # 1.5M requests, LRANGE_600 the bulk of them: ~45 s here on a busy 2-core machine, ~90 s on Redis
    out = run_clean(server, "-t", ISSUE_TESTS, "-r", "10000", "-P", "8", "-q", timeout=400)
    found = rates(out, "LPUSH|RPUSH|LPOP|RPOP|SADD|HSET|SPOP|ZADD|ZPOPMIN|LRANGE_100 \\(first 100 elements\\)"
                       "|LRANGE_600 \\(first 600 elements\\)")
    assert found == {"LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN",
                     "LRANGE_100 (first 100 elements)", "LRANGE_600 (first 600 elements)"}, out[-2000:]
    n = 100_000
    stats = commandstats(r)
    want = {"lpush": 2 * n, "rpush": n, "lpop": n, "rpop": n, "sadd": n, "hset": n, "spop": n, "zadd": n,
            "zpopmin": n, "lrange": 4 * n}
    assert {c: stats.get(c, {}).get("calls") for c in want} == want, stats
    assert all(stats[c].get("failed_calls", 0) == 0 and stats[c].get("rejected_calls", 0) == 0 for c in want)
    # pushes 2n, pops 2n (never on an empty list), then LPUSH n for LRANGE: n 3-byte elements, all the same
    assert r.llen("mylist") == n
    assert set(r.lrange("mylist", 0, -1)) == {b"VXK"}  # redis-benchmark 7.0's 3-byte payload
    # SADD/ZADD drew members from element:0..9999; SPOP/ZPOPMIN then popped n > 10000 times: both are gone
    assert r.exists("myset", "myzset") == 0
    # HSET: fields element:<rand> with 3-byte values, at most 10000 of them (nearly all drawn in n tries)
    fields = r.hgetall("myhash")
    assert 9_000 < len(fields) <= 10_000, len(fields)
    assert all(f.startswith(b"element:") and 0 <= int(f[8:]) < 10_000 and v == b"VXK" for f, v in fields.items())
