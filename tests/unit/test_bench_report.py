"""perf/report.py and perf/bench.py's data-type cells: tables, target rows, redis-benchmark argv (no servers)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "perf"))

import bench  # noqa: E402
import report  # noqa: E402


def cell(name: str, group: str, redis_rps: float, ours_rps: float) -> dict:
    run = {"p50": 1.0, "p99": 2.0, "cpu_us_per_op": 1.5}
    return {"name": name, "group": group, "servers": {"redis": dict(run, rps=redis_rps),
                                                       "redistill": dict(run, rps=ours_rps)}}


def test_data_type_cells_get_their_own_table_and_target_rows():
    result = {"cells": [cell("GET -P 16", "strings", 100.0, 200.0), cell("LPUSH -P 16", "types", 100.0, 90.0),
                        cell("ZADD -P 16", "types", 100.0, 120.0)], "memory": {}}
    result["targets"] = report.targets(result)
    rows = {(t["target"], t["cell"]): (round(t["ratio"], 2), t["met"]) for t in result["targets"]}
    assert rows[("data types -P 16", "LPUSH -P 16")] == (0.9, False)
    assert rows[("data types -P 16", "ZADD -P 16")] == (1.2, True)
    assert rows[("throughput -P 16", "GET -P 16")] == (2.0, True)
    text = report.markdown(result)
    strings, types = text.index("**Strings**"), text.index("**Data types**")
    assert strings < text.index("| GET -P 16 |") < types < text.index("| LPUSH -P 16 |")
    assert "| data types -P 16 | LPUSH -P 16 | >= 1.0x | 0.90x | **missed** |" in text


def test_every_type_cell_has_a_target_and_runs_with_the_issue_settings():
    names = {name for name, _, _ in bench.TYPE_CELLS}
    covered = {n for label, cells, *_ in report.TARGETS if label == "data types -P 16" for n in cells}
    assert names == covered
    argv = bench.bench_argv("rb", 1234, "sadd", 16, 50, 1000)
    assert argv[argv.index("-r") + 1] == "10000" and argv[-2:] == ["-t", "sadd"]
    assert bench.bench_argv("rb", 1234, "get", 16, 50, 1000)[-2:] == ["-t", "get"]
    # lrange_100 runs the command itself on a pre-filled list (redis-benchmark's test would LPUSH first)
    assert bench.bench_argv("rb", 1234, "lrange_100", 16, 50, 1000)[-4:] == ["LRANGE", "mylist", "0", "99"]
    # a bit offset refuses redis-benchmark's zero-padded __rand_int__: the random part is the key
    assert bench.bench_argv("rb", 1234, "setbit", 16, 50, 1000)[-4:] == ["SETBIT", "bits:__rand_int__", "1000", "1"]


def test_pop_cells_start_with_as_many_elements_as_they_pop():
    cmds = bench.PREP["zpopmin"](1234)
    assert cmds[0] == [b"DEL", b"myzset"] and all(c[:2] == [b"ZADD", b"myzset"] for c in cmds[1:])
    members = [m for c in cmds[1:] for m in c[3::2]]
    assert len(members) == len(set(members)) == 1234
    assert sum(len(c) - 2 for c in bench.PREP["lpop"](777)[1:]) == 777


def test_script_cells_run_evalsha_with_the_issue_settings_and_have_targets():
    import hashlib

    names = {name for name, _, _ in bench.SCRIPT_CELLS}
    covered = {n for label, cells, *_ in report.TARGETS if label == "scripts -P 16" for n in cells}
    assert names == covered
    for _, test, pipeline in bench.SCRIPT_CELLS:
        prefix, text = bench.SCRIPTS[test]
        argv = bench.bench_argv("rb", 1234, test, pipeline, 50, 1000)
        assert argv[argv.index("-r") + 1] == "100000" and argv[argv.index("-P") + 1] == "16"
        assert argv[-4:] == ["EVALSHA", hashlib.sha1(text.encode()).hexdigest(), "1", f"{prefix}:__rand_int__"]
    # the rate limiter: INCR, then EXPIRE on the first hit; the other script makes 10 calls
    assert bench.SCRIPTS["script_ratelimit"][1].count("redis.call") == 2
    assert bench.SCRIPTS["script_10calls"][1].count("redis.call") == 10
    text = report.markdown({"cells": [cell("EVALSHA 10 calls -P 16", "scripts", 100.0, 110.0)], "memory": {}})
    assert "**Scripts (an op is one EVALSHA call)**" in text and "| EVALSHA 10 calls -P 16 | 100 | 110 | 1.10x" in text
