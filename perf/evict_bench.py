"""Eviction hit-ratio benchmark (`make bench-evict`): a cache-aside replay of a Zipf(0.99) key stream, and a
scan-polluted variant, against Debian's redis-server (allkeys-lru, maxmemory-samples 5; allkeys-lfu for
reference) and Redistill with each eviction policy, all at the same maxmemory.

Cache-aside: GET key; on a miss, SET key value EX 3600 (every key has a TTL, so the volatile-* policies
have the whole keyspace to choose from, like the allkeys-* ones).  Requests go in pipelined batches
(all GETs of a batch, then the SETs of its misses), identically for every server.  The hit ratio is
measured after a warm-up that fills the cache.  Prints a Markdown table (docs/EVICTION.md keeps the
last results); --json writes the raw numbers.

    python perf/evict_bench.py [--requests 400000] [--keys 200000] [--maxmemory 8mb] [--value 200]
"""
from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ["allkeys-lru", "allkeys-s3fifo", "allkeys-lfu", "allkeys-random",
            "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]
BATCH = 200


def parse_size(text: str) -> int:
    units = {"kb": 1024, "mb": 1024**2, "gb": 1024**3, "k": 1000, "m": 1000**2, "g": 1000**3}
    t = text.lower()
    for u in sorted(units, key=len, reverse=True):
        if t.endswith(u):
            return int(t[: -len(u)]) * units[u]
    return int(t)


def zipf_stream(n_keys: int, n_req: int, alpha: float, seed: int) -> list[int]:
    rnd = random.Random(seed)
    weights = [1.0 / (i + 1) ** alpha for i in range(n_keys)]
    cdf, acc = [], 0.0
    for w in weights:
        acc += w
        cdf.append(acc)
    # Key ids are shuffled so popularity is unrelated to the key's name (and its hash).
    ids = list(range(n_keys))
    rnd.shuffle(ids)
    return [ids[min(bisect.bisect_left(cdf, rnd.random() * acc), n_keys - 1)] for _ in range(n_req)]


def scan_polluted(stream: list[int], n_keys: int, every: int, length: int) -> list[int]:
    """Every `every` requests, a scan of `length` keys read once and never again (ids >= n_keys)."""
    out, scan_id = [], n_keys
    for i, k in enumerate(stream):
        if i and i % every == 0:
            out.extend(range(scan_id, scan_id + length))
            scan_id += length
        out.append(k)
    return out


def exact_lru(stream: list[int], capacity: int, warmup: int) -> float:
    """Offline exact global LRU holding `capacity` keys: the reference for the sampled/sharded ones."""
    from collections import OrderedDict

    cache: OrderedDict[int, None] = OrderedDict()
    hits = 0
    for i, k in enumerate(stream):
        if k in cache:
            cache.move_to_end(k)
            hits += i >= warmup
        else:
            cache[k] = None
            if len(cache) > capacity:
                cache.popitem(last=False)
    return hits / (len(stream) - warmup)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A raw RESP2 connection: pipelined commands, fast reply parsing for GET/SET/INFO."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, cmds: list[list[bytes]]) -> None:
        out = []
        for args in cmds:
            out.append(b"*%d\r\n" % len(args))
            for a in args:
                out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk

    def reply(self):
        while True:
            end = self.buf.find(b"\r\n")
            if end >= 0:
                kind, line = self.buf[:1], self.buf[1:end]
                if kind == b"$":
                    n = int(line)
                    if n < 0:
                        self.buf = self.buf[end + 2:]
                        return None
                    while len(self.buf) < end + 2 + n + 2:
                        self._fill()
                    val = self.buf[end + 2:end + 2 + n]
                    self.buf = self.buf[end + 2 + n + 2:]
                    return val
                self.buf = self.buf[end + 2:]
                if kind == b"-":
                    raise RuntimeError(line.decode())
                return line
            self._fill()

    def call(self, *args) -> object:
        self.send([[a if isinstance(a, bytes) else str(a).encode() for a in args]])
        return self.reply()

    def info(self) -> dict[str, str]:
        text = self.call("INFO").decode()
        return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def replay(c: Client, stream: list[int], value: bytes, warmup: int) -> tuple[float, int]:
    hits = measured = 0
    for start in range(0, len(stream), BATCH):
        batch = stream[start:start + BATCH]
        keys = [b"key:%d" % k for k in batch]
        c.send([[b"GET", k] for k in keys])
        missed = []
        for i, k in enumerate(keys):
            hit = c.reply() is not None
            if start + i >= warmup:
                measured += 1
                hits += hit
            if not hit:
                missed.append(k)
        if missed:
            c.send([[b"SET", k, value, b"EX", b"3600"] for k in missed])
            for _ in missed:
                c.reply()
    return hits / measured, measured


def start(argv: list[str], port: int, env: dict | None = None) -> subprocess.Popen:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, env=env, cwd=tempfile.gettempdir())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if Client(port).call("PING") == b"PONG":
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{argv[0]} did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_server(name: str, port: int, policies: list[str], workloads: dict, value: bytes,
               maxmemory: int, warmup: int, results: list) -> None:
    c = Client(port)
    for policy in policies:
        for wname, stream in workloads.items():
            c.call("FLUSHALL")
            c.call("CONFIG", "SET", "maxmemory-policy", policy)
            c.call("CONFIG", "SET", "maxmemory", maxmemory)
            t0 = time.monotonic()
            ratio, measured = replay(c, stream, value, warmup)
            info = c.info()
            row = {"server": name, "policy": policy, "workload": wname, "hit_ratio": ratio,
                   "requests": measured, "keys": int(c.call("DBSIZE")), "used_memory": int(info["used_memory"]),
                   "evicted_keys": int(info["evicted_keys"]), "seconds": round(time.monotonic() - t0, 1)}
            results.append(row)
            print(f"  {name:9} {policy:16} {wname:13} hit {ratio:.4f}  keys {int(row['keys']):6}  "
                  f"used {row['used_memory']}  ({row['seconds']}s)", file=sys.stderr, flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=400_000)
    ap.add_argument("--keys", type=int, default=200_000)
    ap.add_argument("--alpha", type=float, default=0.99)
    ap.add_argument("--maxmemory", default="8mb")
    ap.add_argument("--value", type=int, default=200, help="value bytes")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--json", help="write the raw results here")
    args = ap.parse_args()
    maxmemory = parse_size(args.maxmemory)
    value = b"v" * args.value
    policies = args.policies.split(",")

    base = zipf_stream(args.keys, args.requests, args.alpha, args.seed)
    warmup = args.requests // 4
    # Scan variant: every 2000 requests a scan of 500 one-time keys (~20% of the requests).
    workloads = {"zipf": base, "zipf+scan": scan_polluted(base, args.keys, 2000, 500)}
    print(f"Zipf({args.alpha}) over {args.keys} keys, {args.requests} requests ({warmup} warm-up), "
          f"{args.value}-byte values, maxmemory {args.maxmemory}", file=sys.stderr)
    results: list[dict] = []

    redis = shutil.which("redis-server")
    if redis:
        port = free_port()
        proc = start([redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                      "--maxmemory-samples", "5"], port)
        try:
            run_server("redis", port, ["allkeys-lru", "allkeys-lfu"], workloads, value, maxmemory,
                       warmup, results)
        finally:
            stop(proc)
    else:
        print("redis-server not found: Redistill only", file=sys.stderr)

    port = free_port()
    python = ROOT / ".venv" / "bin" / "python"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = start([str(python if python.exists() else sys.executable), "-m", "redistill", "--port", str(port),
                  "--threads", "2", "--health-check-port", "0"], port, env)
    try:
        run_server("redistill", port, policies, workloads, value, maxmemory, warmup, results)
    finally:
        stop(proc)

    # Exact global LRU holding as many keys as each server's allkeys-lru did: separates the policy's
    # quality from how many keys a server fits in the same maxmemory.
    for r in [r for r in results if r["policy"] == "allkeys-lru"]:
        stream = workloads[r["workload"]]
        results.append({"server": "exact LRU (offline)", "policy": f"as many keys as {r['server']} allkeys-lru",
                        "workload": r["workload"], "keys": r["keys"],
                        "hit_ratio": exact_lru(stream, r["keys"], warmup)})
    print(f"\n| server | policy | hit ratio (Zipf) | hit ratio (Zipf + scans) | keys held (Zipf) |")
    print("| --- | --- | --- | --- | --- |")
    for (server, policy) in dict.fromkeys((r["server"], r["policy"]) for r in results):
        rows = {r["workload"]: r for r in results if r["server"] == server and r["policy"] == policy}
        print(f"| {server} | {policy} | {rows['zipf']['hit_ratio']:.4f} | {rows['zipf+scan']['hit_ratio']:.4f} "
              f"| {rows['zipf']['keys']} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
