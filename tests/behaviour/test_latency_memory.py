"""The latency monitor's own events (the cron's expire-cycle) and MEMORY DOCTOR / MEMORY STATS on a
server holding data: what redis-server cannot be compared with byte for byte (its sizes and times are
its own), checked against Redis's rules (tests/differential/test_introspection_diff.py has the rest)."""

from __future__ import annotations

import time

import pytest

from servers import make_client, servers_for_module


def _wait(fn, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not fn():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


@pytest.fixture(scope="module")
def _own_server(target):
    """A server of this module's own: its latency events and memory peak are the tests' business."""
    for (sp,) in servers_for_module((target, [])):
        yield sp


@pytest.fixture
def own(_own_server):
    c = make_client(_own_server)
    c.flushall()
    c.config_set("latency-monitor-threshold", 0)
    c.execute_command("LATENCY", "RESET")
    yield c
    c.close()


def _doctor(c) -> str:
    return c.execute_command("MEMORY", "DOCTOR").decode()


def test_a_slow_expire_cycle_is_an_event(own):
    """Freeing an expired 150,000-member set inside the cron's sweep takes past a 1 ms threshold."""
    c = own
    assert c.eval("for i = 1, tonumber(ARGV[1]) do redis.call('sadd', KEYS[1], i) end", 1, "big",
                  150_000) is None
    assert c.config_set("latency-monitor-threshold", 1)
    assert c.pexpire("big", 200)
    _wait(lambda: c.dbsize() == 0, "the set never expired")
    # the cron notes the sample once its sweep has returned: a moment after the key is gone
    _wait(lambda: b"expire-cycle" in {e[0] for e in c.execute_command("LATENCY", "LATEST")},
          "no expire-cycle event")
    events = {e[0]: e for e in c.execute_command("LATENCY", "LATEST")}
    _, at, latest, worst = events[b"expire-cycle"]
    assert abs(at - time.time()) < 30 and 1 <= latest <= worst
    assert c.execute_command("LATENCY", "HISTORY", "expire-cycle")[-1][1] == latest
    assert c.execute_command("LATENCY", "RESET", "expire-cycle") == 1
    assert c.execute_command("LATENCY", "HISTORY", "expire-cycle") == []


def test_memory_doctor_and_stats_with_data(own):
    c = own
    assert _doctor(c).startswith("Hi Sam, this instance is empty")
    for i in range(80):
        c.set(f"k{i}", "x" * 250_000)   # 20 MB
    stats = c.memory_stats()
    assert stats["keys.count"] == 80 and stats["dataset.bytes"] >= 20_000_000
    assert stats["total.allocated"] >= stats["dataset.bytes"]
    doctor = _doctor(c)
    assert "Peak memory" not in doctor and "empty" not in doctor
    c.delete(*[f"k{i}" for i in range(30, 80)])   # 7.5 MB left: the peak is more than 150% of it
    assert c.memory_stats()["peak.percentage"] < 50
    assert "* Peak memory: In the past this instance used more than 150%" in _doctor(c)
    assert c.memory_purge()


def test_memory_usage_of_every_type(r):
    """Every type is measured whole (its exact bytes: SAMPLES is accepted and changes nothing), and a
    bigger value is bigger; a hash with field TTLs counts its TTL table too."""
    small, big = {}, {}
    fill = {
        "string": lambda k, n: r.set(k, "x" * n),
        "list": lambda k, n: r.rpush(k, *range(n)),
        "set": lambda k, n: r.sadd(k, *range(n)),
        "zset": lambda k, n: r.zadd(k, {str(i): i for i in range(n)}),
        "hash": lambda k, n: r.hset(k, mapping={str(i): i for i in range(n)}),
        "stream": lambda k, n: [r.xadd(k, {"f": i}) for i in range(n)],
    }
    for t, fn in fill.items():
        fn(f"{t}:s", 10)
        fn(f"{t}:b", 1000)
        small[t], big[t] = r.memory_usage(f"{t}:s"), r.memory_usage(f"{t}:b")
        assert 0 < small[t] < big[t], t
        assert r.memory_usage(f"{t}:b", samples=0) == r.memory_usage(f"{t}:b", samples=5) == big[t], t
    r.hexpire("hash:b", 100, *[str(i) for i in range(500)])
    with_ttls = r.memory_usage("hash:b")
    assert with_ttls > big["hash"]
    r.hpersist("hash:b", *[str(i) for i in range(500)])
    assert big["hash"] < r.memory_usage("hash:b") < with_ttls   # the TTL table's nodes are gone
    assert r.memory_usage("nokey") is None
