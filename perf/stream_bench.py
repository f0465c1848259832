#!/usr/bin/env python3
"""Streams beside redis-server: throughput cells (redis-benchmark) and bytes per entry.

    .venv/bin/python perf/stream_bench.py [--quick] [--entries 1000000] [--out perf/results/NAME.md]
    make bench-streams [QUICK=1]

Cells, each on a fresh server of each kind (redis-server 7.0, Redistill with its defaults):
  XADD -P 16          redis-benchmark -c 50 -P 16: XADD bench * f v (one stream, ids generated)
  XRANGE COUNT 100    a 1000-entry stream, XRANGE bench - + COUNT 100, -c 50
  XREADGROUP COUNT 100  a prefilled stream, one group, XREADGROUP GROUP g c COUNT 100 STREAMS bench >
                      (each call delivers the next 100 entries and adds them to the pending list)
Memory: N entries XADD mem * field <value of 8 bytes>, pipelined; used_memory (INFO) and RSS (VmRSS)
growth over the empty server, per entry.  Prints one markdown table (and writes it with --out).
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))

from resp import RespSocket, parse  # noqa: E402
from servers import start_server, stop_and_check  # noqa: E402

BENCH = shutil.which("redis-benchmark")


def _frame(*args: bytes) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def _call(sp, *args: bytes) -> bytes:
    s = RespSocket(sp.host, sp.port, timeout=60)
    try:
        return s.call(*args)
    finally:
        s.close()


def _pipeline(sp, frames, batch: int = 1000) -> None:
    """Sends frames in batches, reading every reply (one per frame) before the next batch."""
    with socket.create_connection((sp.host, sp.port)) as s:
        buf = []
        for f in frames:
            buf.append(f)
            if len(buf) == batch:
                _flush(s, buf)
                buf = []
        if buf:
            _flush(s, buf)


def _flush(s: socket.socket, frames: list[bytes]) -> None:
    s.sendall(b"".join(frames))
    want, got, data = len(frames), 0, b""
    while got < want:
        chunk = s.recv(1 << 20)
        if not chunk:
            raise RuntimeError("connection closed")
        data += chunk
        if data.startswith(b"-"):
            raise RuntimeError(data[:200])
        got = data.count(b"\r\n") // 2   # every reply is a bulk id: two lines
    # nothing to return: the replies only pace the writes


def _info(sp, field: str) -> int:
    body = parse(_call(sp, b"INFO", b"memory")).decode()
    for line in body.split("\r\n"):
        if line.startswith(field + ":"):
            return int(line.split(":")[1])
    raise KeyError(field)


def _rss(sp) -> int:
    with open(f"/proc/{sp.proc.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise KeyError("VmRSS")


def _benchmark(sp, n: int, pipeline: int, *cmd: str) -> float:
    out = subprocess.run([BENCH, "-h", sp.host, "-p", str(sp.port), "-n", str(n), "-c", "50", "-P", str(pipeline),
                          "--csv", *cmd], capture_output=True, text=True, timeout=600)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith('"') and not ln.startswith('"test"')]
    if not lines:
        raise RuntimeError(out.stdout + out.stderr)
    return float(lines[-1].split(",")[1].strip('"'))


def _fill(sp, key: bytes, n: int) -> None:
    _pipeline(sp, (_frame(b"XADD", key, b"*", b"f", b"%08d" % i) for i in range(n)))


def cells(kind: str, quick: bool) -> dict[str, float]:
    res = {}
    scale = 10 if quick else 1
    sp = start_server(kind)
    try:
        res["XADD -P 16"] = _benchmark(sp, 1_000_000 // scale, 16, "XADD", "bench", "*", "f", "v")
        _call(sp, b"DEL", b"bench")
        _fill(sp, b"bench", 1000)
        res["XRANGE COUNT 100"] = _benchmark(sp, 100_000 // scale, 1, "XRANGE", "bench", "-", "+", "COUNT", "100")
        _call(sp, b"DEL", b"bench")
        reads = 10_000 // scale
        _fill(sp, b"bench", reads * 100 + 100)
        _call(sp, b"XGROUP", b"CREATE", b"bench", b"g", b"0")
        res["XREADGROUP COUNT 100"] = _benchmark(sp, reads, 1, "XREADGROUP", "GROUP", "g", "c", "COUNT", "100",
                                                 "STREAMS", "bench", ">")
    finally:
        stop_and_check(sp)
    return res


def memory(kind: str, entries: int) -> tuple[float, float]:
    sp = start_server(kind)
    try:
        time.sleep(0.5)
        used0, rss0 = _info(sp, "used_memory"), _rss(sp)
        _fill(sp, b"mem", entries)
        time.sleep(0.5)
        used, rss = _info(sp, "used_memory"), _rss(sp)
        assert int(_call(sp, b"XLEN", b"mem")[1:-2]) == entries
    finally:
        stop_and_check(sp)
    return (used - used0) / entries, (rss - rss0) / entries


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a tenth of the requests")
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--out")
    args = ap.parse_args()
    if BENCH is None:
        print("redis-benchmark not found (apt-get install redis-tools)")
        return 1
    rows = ["| cell | redis-server | Redistill | ratio |", "| --- | ---: | ---: | ---: |"]
    r, d = cells("redis", args.quick), cells("redistill", args.quick)
    for name in r:
        rows.append(f"| {name} (ops/s) | {r[name]:,.0f} | {d[name]:,.0f} | {d[name] / r[name]:.2f}x |")
    ru, rr = memory("redis", args.entries)
    du, dr = memory("redistill", args.entries)
    rows.append(f"| {args.entries:,} entries: used_memory bytes/entry | {ru:.1f} | {du:.1f} | {du / ru:.2f}x |")
    rows.append(f"| {args.entries:,} entries: RSS bytes/entry | {rr:.1f} | {dr:.1f} | {dr / rr:.2f}x |")
    text = "\n".join(rows)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(f"# Streams beside redis-server ({time.strftime('%Y-%m-%d %H:%M')} UTC, "
                    f"{'quick' if args.quick else 'full'} run)\n\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
