"""The latency monitor's own events (the cron's expire-cycle) and MEMORY DOCTOR / MEMORY STATS on a
server holding data: what redis-server cannot be compared with byte for byte (its sizes and times are
its own), checked against Redis's rules (tests/differential/test_introspection_diff.py has the rest)."""

from __future__ import annotations

import time

from servers import make_client


def _wait(fn, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not fn():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def _doctor(c) -> str:
    return c.execute_command("MEMORY", "DOCTOR").decode()


def test_a_slow_expire_cycle_is_an_event(start_extra):
    """Freeing an expired 200,000-member set inside the cron's sweep takes past a 1 ms threshold."""
    c = make_client(start_extra())
    try:
        for base in range(0, 200_000, 20_000):
            c.sadd("big", *range(base, base + 20_000))
        assert c.config_set("latency-monitor-threshold", 1)
        assert c.pexpire("big", 200)
        _wait(lambda: c.dbsize() == 0, "the set never expired")
        events = {e[0]: e for e in c.execute_command("LATENCY", "LATEST")}
        assert b"expire-cycle" in events, events
        _, at, latest, worst = events[b"expire-cycle"]
        assert abs(at - time.time()) < 30 and 1 <= latest <= worst
        assert c.execute_command("LATENCY", "HISTORY", "expire-cycle")[-1][1] == latest
        assert c.execute_command("LATENCY", "RESET", "expire-cycle") == 1
        assert c.execute_command("LATENCY", "HISTORY", "expire-cycle") == []
    finally:
        c.close()


def test_memory_doctor_and_stats_with_data(start_extra):
    c = make_client(start_extra())
    try:
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
    finally:
        c.close()
