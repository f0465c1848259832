#!/usr/bin/env python3
"""RDB snapshots beside redis-server: SAVE speed, start-up load speed, and GET/SET during a BGSAVE.

    .venv/bin/python perf/rdb_bench.py [--keys 1000000] [--out perf/results/NAME.md]

Each server (redis-server 7.0, Redistill with 2 threads) gets the same dataset: DEBUG POPULATE N keys of
16-byte values (key:0..N-1), plus N/10 hashes of 10 fields for a collection share.  SAVE is timed from
the client (MB/s and keys/s of the file written).  The load is a fresh server of the same kind started
on that file: its time is the server's own log line ("DB loaded from disk: X seconds" for Redis,
"Done loading RDB ... X seconds" for Redistill).  Then redis-benchmark GET/SET (-c 50 -P 16, 2 s) runs
once with no save and once while BGSAVEs run back to back: the ratio is what a BGSAVE costs clients.
Prints one markdown table (and writes it with --out).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))

from servers import make_client, start_server, stop_and_check  # noqa: E402

BENCH = shutil.which("redis-benchmark")


def fill(c, n: int) -> None:
    c.execute_command("DEBUG", "POPULATE", n, "key", 16)
    p = c.pipeline(transaction=False)
    for i in range(n // 10):
        p.hset(f"h:{i}", mapping={f"f{j}": f"value-{i}-{j}" for j in range(10)})
        if i % 1000 == 999:
            p.execute()
    p.execute()


def start(kind: str, d: Path):
    args = ["--dir", str(d), "--enable-debug-command", "yes"]
    if kind == "redistill":
        args += ["--threads", "2"]
    return start_server(kind, args)


def load_seconds(sp) -> float:
    text = sp.stderr_text(limit=100_000)
    m = (re.search(r"DB loaded from disk: ([0-9.]+) seconds", text)
         or re.search(r"Done loading RDB.* ([0-9.]+) seconds", text))
    return float(m.group(1)) if m else float("nan")


def bench_ops(sp, seconds: float = 2.0) -> float:
    """GET and SET ops/s of redis-benchmark (-c 50 -P 16), summed."""
    out = subprocess.run([BENCH, "-h", sp.host, "-p", str(sp.port), "-c", "50", "-P", "16", "-r", "1000000",
                          "-n", "400000", "-t", "get,set", "-q"], capture_output=True, text=True, timeout=300)
    return sum(float(x) for x in re.findall(r"([0-9.]+) requests per second", out.stdout))


def run_kind(kind: str, n: int, root: Path) -> dict:
    d = root / kind
    d.mkdir(parents=True)
    sp = start(kind, d)
    r: dict = {}
    try:
        c = make_client(sp, socket_timeout=600)
        fill(c, n)
        r["keys"] = c.dbsize()
        t = time.perf_counter()
        c.save()
        r["save_s"] = time.perf_counter() - t
        r["bytes"] = (d / "dump.rdb").stat().st_size
        (d / "load").mkdir()
        shutil.copy(d / "dump.rdb", d / "load" / "dump.rdb")   # the benchmark's SETs add keys after
        r["ops_idle"] = bench_ops(sp)
        stop = threading.Event()

        def saver():
            while not stop.is_set():
                try:
                    c2.bgsave()
                except Exception:
                    pass
                while c2.info("persistence")["rdb_bgsave_in_progress"] and not stop.is_set():
                    time.sleep(0.01)

        c2 = make_client(sp, socket_timeout=600)
        th = threading.Thread(target=saver)
        th.start()
        r["ops_bgsave"] = bench_ops(sp)
        stop.set()
        th.join()
        while c2.info("persistence")["rdb_bgsave_in_progress"]:
            time.sleep(0.05)
        c2.close()
        c.close()
    finally:
        stop_and_check(sp)
    again = start(kind, d / "load")
    try:
        c = make_client(again)
        assert c.dbsize() == r["keys"], (c.dbsize(), r["keys"])
        c.close()
        r["load_s"] = load_seconds(again)
    finally:
        stop_and_check(again)
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=1_000_000)
    ap.add_argument("--out")
    a = ap.parse_args()
    import tempfile
    root = Path(tempfile.mkdtemp(prefix="rdb-bench-"))
    res = {k: run_kind(k, a.keys, root) for k in ("redis", "redistill")}
    shutil.rmtree(root, ignore_errors=True)
    rows = [("keys", lambda r: f"{r['keys']:,}"), ("file bytes", lambda r: f"{r['bytes']:,}"),
            ("SAVE seconds", lambda r: f"{r['save_s']:.2f}"),
            ("SAVE MB/s", lambda r: f"{r['bytes'] / r['save_s'] / 1e6:.1f}"),
            ("SAVE keys/s", lambda r: f"{r['keys'] / r['save_s']:,.0f}"),
            ("load seconds (server log)", lambda r: f"{r['load_s']:.2f}"),
            ("load MB/s", lambda r: f"{r['bytes'] / r['load_s'] / 1e6:.1f}"),
            ("load keys/s", lambda r: f"{r['keys'] / r['load_s']:,.0f}"),
            ("GET+SET ops/s, no save", lambda r: f"{r['ops_idle']:,.0f}"),
            ("GET+SET ops/s, BGSAVE running", lambda r: f"{r['ops_bgsave']:,.0f}"),
            ("during BGSAVE / without", lambda r: f"{r['ops_bgsave'] / r['ops_idle']:.2f}x")]
    lines = [f"RDB snapshot bench, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
             f"load average {os.getloadavg()[0]:.1f}", "", "| | redis-server | Redistill |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {fmt(res['redis'])} | {fmt(res['redistill'])} |" for name, fmt in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if a.out:
        Path(a.out).write_text(text)


if __name__ == "__main__":
    main()
