"""The fast path's ACL check: GET and SET -P 16 as the default user and as a user limited to `~app:*`
`+@read +@write`, on one Redistill, driven by redis-benchmark.

Both users send the same commands (keys app:<random>), in alternating runs (default, app, default,
app...) so that the machine's load drifts over both alike; the medians are compared.  The default user
has every command, key and channel: its check is one branch.  The app user's is a bit test and a glob
match of the key against `app:*` per command, in C.

Usage: .venv/bin/python perf/acl_bench.py [--rounds 5] [--requests 400000] [--out perf/results/NAME.md]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import start_server, stop_and_check  # noqa: E402
from resp import RespSocket  # noqa: E402

CELLS = (("SET -P 16", ["SET", "app:__rand_int__", "xxx"]), ("GET -P 16", ["GET", "app:__rand_int__"]))


def bench(sp, args: list[str], user: str | None, requests: int) -> float:
    cmd = ["redis-benchmark", "-h", sp.host, "-p", str(sp.port), "-c", "50", "-P", "16", "-r", "100000",
           "-n", str(requests), "--csv", "-q"]
    if user is not None:
        cmd += ["--user", user, "-a", "pw"]
    out = subprocess.run(cmd + args, capture_output=True, text=True, timeout=600, check=True).stdout
    line = [ln for ln in out.splitlines() if ln.startswith('"') and not ln.startswith('"test"')][-1]
    return float(line.split(",")[1].strip('"'))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--requests", type=int, default=400000)
    ap.add_argument("--out", default=None)
    ns = ap.parse_args()
    sp = start_server("redistill")
    try:
        s = RespSocket(sp.host, sp.port)
        assert s.call("ACL", "SETUSER", "app", "on", ">pw", "~app:*", "+@read", "+@write") == b"+OK\r\n"
        s.close()
        bench(sp, CELLS[0][1], None, ns.requests)   # warm-up: the keys exist before any timed run
        results = {}
        for name, args in CELLS:
            runs = {"default": [], "app": []}
            for _ in range(ns.rounds):
                for who in ("default", "app"):
                    runs[who].append(bench(sp, args, None if who == "default" else who, ns.requests))
            results[name] = {who: statistics.median(v) for who, v in runs.items()}
            results[name].update({who + "_best": max(v) for who, v in runs.items()})
            results[name]["runs"] = runs
        s = RespSocket(sp.host, sp.port)
        stats = s.call("INFO", "stats").decode()
        s.close()
    finally:
        stop_and_check(sp)
    python_cmds = int(stats.split("redistill_python_commands:")[1].split("\r\n")[0])
    lines = [f"# ACL on the fast path ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
             f"redis-benchmark -c 50 -P 16 -r 100000 -n {ns.requests}, {ns.rounds} alternating rounds per user, "
             "medians and bests (the machine is shared: a best run is one the neighbours left alone); keys app:<random>; user app: `~app:*` `+@read` `+@write`.", "",
             "| cell | default user: median (best) | app user: median (best) | app / default: medians (bests) |",
             "| --- | ---: | ---: | ---: |"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['default']:,.0f} ({r['default_best']:,.0f}) | {r['app']:,.0f} "
                     f"({r['app_best']:,.0f}) | {r['app'] / r['default']:.3f} "
                     f"({r['app_best'] / r['default_best']:.3f}) |")
    lines += ["", "Runs (ops/s, in order):", ""]
    for name, r in results.items():
        for who in ("default", "app"):
            lines.append(f"- {name}, {who}: " + ", ".join(f"{v:,.0f}" for v in r["runs"][who]))
    lines += ["", f"Commands that went to Python during the run (AUTH, INFO, ...): {python_cmds}", ""]
    text = "\n".join(lines)
    print(text)
    if ns.out:
        Path(ns.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
