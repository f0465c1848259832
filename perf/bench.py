"""Side-by-side benchmark: Debian's redis-server and Redistill on free loopback ports, driven by redis-benchmark.

    python perf/bench.py [--quick] [--group strings|types] [--cells NAMES] [--rounds N] [--seconds S]
                         [--keys N] [--note TEXT] [--docs]

Method (docs/PERFORMANCE.md shows the results):
- Both servers run for the whole benchmark (Redis with --save '' --appendonly no, Redistill with its
  defaults), each first loaded with `--keys` keys `key:NNNNNNNNNNNN` holding 3-byte values, so GETs hit
  and SETs overwrite, as redis-benchmark's own `-r` keys do.  RSS (/proc) and used_memory (INFO) are read
  before and after that load: the difference per key is the memory cost of a small key.
- Every cell runs on Redis and on Redistill in turn (A B, then B A next round, ...), `--rounds` times;
  the tables show medians.  Each run's request count is calibrated so that it lasts `--seconds`
  (>= 2 s in a full run): a short probe first, then adjusted from the previous round.
- Per run: ops/s, p50 and p99 latency (redis-benchmark --csv), and the server's CPU seconds (utime + stime
  of all its threads, /proc/<pid>/stat) over the run divided by the requests it served.
- "mixed" runs two redis-benchmark processes at once on one server: GET with 40 clients and SET with 10
  (80/20 by clients); ops/s is the sum of both over the wall time, p50 the ops-weighted mean of the two,
  p99 the larger of the two.
- Data-type cells are redis-benchmark's own type tests with -r 10000; each works on one key
  (mylist, myset, myzset, myhash).  Before every run (outside its timing and CPU count) a cell's key is
  reset so both servers start from the same state: LPUSH/RPUSH start from an empty list; LPOP, RPOP, SPOP
  and ZPOPMIN from a collection holding as many elements as the run pops (so no pop meets an empty key);
  LRANGE_100 is `LRANGE mylist 0 99` on a list of 1000 3-byte elements (redis-benchmark's own lrange_100
  test would first LPUSH as many elements as it then reads, inside the same run).  SETBIT is
  `SETBIT bits:<random> 1000 1` (10000 keys of 126 bytes), BITCOUNT `BITCOUNT mybitmap` on a 1 KB string.
  GEOADD adds `place:<random>` at one position to `mygeo` (emptied first); GEOSEARCH asks `mygeo`, holding
  10,000 points over ~100 x 100 km, for the 10 nearest within 5 km, with distances (82 inside).
  PFADD is `PFADD myhll element:<random>` from an empty key (sparse for its first ~2,000 elements, then
  dense), PFCOUNT `PFCOUNT myhll` on a dense HLL of 10,000 elements whose cardinality is cached.
- Script cells (--group scripts, `make bench-scripts`) run `EVALSHA <sha> 1 <prefix>:__rand_int__` with
  -r 100000 after SCRIPT LOAD on both servers: a fixed-window rate limiter (INCR, then EXPIRE on the first
  hit) and a script of 10 redis.call.  An op is one script call, so CPU per op is CPU per script call.
  They are left out, with the reason printed, when a server cannot load the scripts (no EVAL yet).
The Redis results are the reference: the tables give each Redistill number as a ratio to Redis's.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import report  # noqa: E402  (perf/report.py: tables, chart, docs page)

CLIENTS = 50
RANDOM = 1_000_000
CLK_TCK = os.sysconf("SC_CLK_TCK")

# (name, redis-benchmark test, pipeline).  MSET is redis-benchmark's "MSET (10 keys)".
CELLS = [
    ("SET -P 1", "set", 1),
    ("GET -P 1", "get", 1),
    ("SET -P 16", "set", 16),
    ("GET -P 16", "get", 16),
    ("SET -P 64", "set", 64),
    ("GET -P 64", "get", 64),
    ("INCR -P 16", "incr", 16),
    ("MSET -P 16", "mset", 16),
    ("mixed -P 16", "mixed", 16),
]
MIXED = (("get", 40), ("set", 10))

# Data types: (name, redis-benchmark test, pipeline).  See the module docstring and PREP.
TYPE_RANDOM = 10_000
TYPE_CELLS = [
    ("LPUSH -P 16", "lpush", 16),
    ("RPUSH -P 16", "rpush", 16),
    ("LPOP -P 16", "lpop", 16),
    ("RPOP -P 16", "rpop", 16),
    ("SADD -P 16", "sadd", 16),
    ("HSET -P 16", "hset", 16),
    ("SPOP -P 16", "spop", 16),
    ("ZADD -P 16", "zadd", 16),
    ("ZPOPMIN -P 16", "zpopmin", 16),
    ("LRANGE_100 -P 16", "lrange_100", 16),
    ("SETBIT -P 16", "setbit", 16),
    ("BITCOUNT -P 16", "bitcount", 16),
    ("GEOADD -P 16", "geoadd", 16),
    ("GEOSEARCH -P 16", "geosearch", 16),
    ("PFADD -P 16", "pfadd", 16),
    ("PFCOUNT -P 16", "pfcount", 16),
]
TYPE_TESTS = {test for _, test, _ in TYPE_CELLS}
LRANGE_LIST = 1000  # elements in mylist for LRANGE_100
BITMAP = bytes(range(256)) * 4  # mybitmap for BITCOUNT: 1 KB, 4096 bits set
# Cells that are not redis-benchmark tests: the command line itself (redis-benchmark's lrange_100 would
# first LPUSH n elements in the same run).  __rand_int__ is zero-padded, which a bit offset refuses: in a key.
COMMAND_TESTS = {"lrange_100": ["LRANGE", "mylist", "0", "99"],
                 "setbit": ["SETBIT", "bits:__rand_int__", "1000", "1"],
                 "bitcount": ["BITCOUNT", "mybitmap"],
                 "geoadd": ["GEOADD", "mygeo", "13.361389", "38.115556", "place:__rand_int__"],
                 "geosearch": ["GEOSEARCH", "mygeo", "FROMLONLAT", "13.5", "38.0", "BYRADIUS", "5", "km", "ASC",
                               "COUNT", "10", "WITHDIST"],
                 "pfadd": ["PFADD", "myhll", "element:__rand_int__"],
                 "pfcount": ["PFCOUNT", "myhll"]}
HLL_ELEMENTS = 10_000  # myhll for PFCOUNT: dense, its cardinality cached after the first count
GEO_POINTS = 10_000  # mygeo for GEOSEARCH: spread over ~100 x 100 km; 82 of them within the 5 km searched


def geo_point(i: int) -> tuple[bytes, bytes, bytes]:
    """Point i of mygeo: a fixed scatter (Weyl sequences) over lon 13-14, lat 37.5-38.5."""
    return (b"%.6f" % (13 + (i * 0.6180339887) % 1), b"%.6f" % (37.5 + (i * 0.7548776662) % 1), b"place:%d" % i)


# Scripts: (name, test, pipeline); SCRIPTS gives each test its Lua text and its keys' prefix.
SCRIPT_RANDOM = 100_000
SCRIPT_CELLS = [
    ("EVALSHA rate-limit -P 16", "script_ratelimit", 16),
    ("EVALSHA 10 calls -P 16", "script_10calls", 16),
]
SCRIPTS = {
    "script_ratelimit": ("ratelimit", "local n = redis.call('INCR', KEYS[1]) "
                                      "if n == 1 then redis.call('EXPIRE', KEYS[1], 60) end return n"),
    "script_10calls": ("s10", "local k = KEYS[1] redis.call('SET', k, '1') redis.call('INCR', k) "
                              "redis.call('INCRBY', k, 5) redis.call('GET', k) redis.call('EXPIRE', k, 100) "
                              "redis.call('TTL', k) redis.call('EXISTS', k) redis.call('HSET', k .. ':h', 'f', 'v') "
                              "redis.call('HGET', k .. ':h', 'f') return redis.call('DEL', k .. ':h')"),
}


def script_sha(test: str) -> str:
    return hashlib.sha1(SCRIPTS[test][1].encode()).hexdigest()


# ---- servers --------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(port: int, *args: str, timeout: float = 10.0) -> bytes:
    """One request on a fresh connection; returns the raw reply (enough for PING and INFO)."""
    req = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a.encode()) for a in args)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(req)
        data = s.recv(65536)
        if data.startswith(b"$"):
            need = int(data[1:data.index(b"\r\n")]) + data.index(b"\r\n") + 4
            while len(data) < need:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return data


def info_field(port: int, section: str, field: str) -> int:
    for line in command(port, "INFO", section).decode(errors="replace").splitlines():
        if line.startswith(field + ":"):
            return int(line.split(":", 1)[1])
    raise KeyError(field)


class Server:
    def __init__(self, name: str, argv: list[str], port: int, env: dict | None = None) -> None:
        self.name, self.port = name, port
        self.workdir = tempfile.mkdtemp(prefix=f"bench-{name}-")  # no stray config file, no dump file
        self.proc = subprocess.Popen(argv, cwd=self.workdir, env=env, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.workdir, "stderr.log"), "wb"))
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited: {self.stderr()}")
            try:
                if command(port, "PING", timeout=1).startswith(b"+PONG"):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{name} did not answer PING within 30 s: {self.stderr()}")
            time.sleep(0.05)

    def stderr(self) -> str:
        try:
            return Path(self.workdir, "stderr.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def cpu_seconds(self) -> float:
        """utime + stime of every thread of the server process."""
        stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15 of proc(5)

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise KeyError("VmRSS")

    def used_memory(self) -> int:
        return info_field(self.port, "memory", "used_memory")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_redis(redis_server: str) -> Server:
    port = free_port()
    return Server("redis", [redis_server, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                            "--appendonly", "no", "--logfile", ""], port)


def start_redistill(extra: list[str]) -> Server:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDISTILL_")}  # defaults only
    return Server("redistill", [sys.executable, "-m", "redistill", "--bind", "127.0.0.1", "--port", str(port),
                                "--health-check-port", "0", *extra], port, env)


# ---- loading and memory ---------------------------------------------------------------------------

def load_keys(port: int, nkeys: int, batch: int = 10_000) -> None:
    """SET key:NNNNNNNNNNNN xxx for every key in 0..nkeys-1, pipelined `batch` commands at a time."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        for start in range(0, nkeys, batch):
            end = min(nkeys, start + batch)
            s.sendall(b"".join(b"*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$3\r\nxxx\r\n" % i
                               for i in range(start, end)))
            want, got = 5 * (end - start), bytearray()
            while len(got) < want:
                chunk = s.recv(1 << 20)
                if not chunk:
                    raise RuntimeError("server closed the connection while loading")
                got += chunk
            if bytes(got) != b"+OK\r\n" * (end - start):
                raise RuntimeError(f"unexpected reply while loading: {bytes(got[:200])!r}")


def measure_memory(server: Server, nkeys: int) -> dict:
    rss0, used0 = server.rss_bytes(), server.used_memory()
    t0 = time.monotonic()
    load_keys(server.port, nkeys)
    seconds = time.monotonic() - t0
    time.sleep(0.5)  # let the server settle (Redis frees its query buffers lazily)
    rss1, used1 = server.rss_bytes(), server.used_memory()
    return {"keys": nkeys, "load_seconds": round(seconds, 2),
            "rss_before": rss0, "rss_after": rss1, "used_before": used0, "used_after": used1,
            "rss_per_key": (rss1 - rss0) / nkeys, "used_per_key": (used1 - used0) / nkeys}


def send_all(port: int, commands: list[list[bytes]], batch: int = 200) -> None:
    """Runs the commands pipelined, `batch` at a time; every reply must be an integer (DEL, pushes, adds)."""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        for start in range(0, len(commands), batch):
            chunk = commands[start:start + batch]
            s.sendall(b"".join(b"*%d\r\n" % len(c) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in c)
                               for c in chunk))
            got = bytearray()
            while got.count(b"\r\n") < len(chunk):
                data = s.recv(1 << 16)
                if not data:
                    raise RuntimeError("server closed the connection while preparing a cell")
                got += data
            if any(not line.startswith(b":") for line in bytes(got).split(b"\r\n")[:-1]):
                raise RuntimeError(f"unexpected reply while preparing a cell: {bytes(got[:200])!r}")


def filled(key: bytes, add: bytes, count: int, member) -> list[list[bytes]]:
    """DEL key, then `add key <member(i)>...` commands adding `count` elements, 500 per command."""
    cmds = [[b"DEL", key]]
    for start in range(0, count, 500):
        args = [a for i in range(start, min(count, start + 500)) for a in member(i)]
        cmds.append([add, key, *args])
    return cmds


# What each data-type cell's key must hold before a run of n requests (outside the timed part).
PREP = {
    "lpush": lambda n: [[b"DEL", b"mylist"]],
    "rpush": lambda n: [[b"DEL", b"mylist"]],
    "lpop": lambda n: filled(b"mylist", b"RPUSH", n, lambda i: (b"xxx",)),
    "rpop": lambda n: filled(b"mylist", b"RPUSH", n, lambda i: (b"xxx",)),
    "spop": lambda n: filled(b"myset", b"SADD", n, lambda i: (b"element:%d" % i,)),
    "zpopmin": lambda n: filled(b"myzset", b"ZADD", n, lambda i: (b"%d" % i, b"element:%d" % i)),
    "lrange_100": lambda n: filled(b"mylist", b"RPUSH", LRANGE_LIST, lambda i: (b"xxx",)),
    "bitcount": lambda n: [[b"DEL", b"mybitmap"], [b"SETRANGE", b"mybitmap", b"0", BITMAP]],
    "geoadd": lambda n: [[b"DEL", b"mygeo"]],
    "geosearch": lambda n: filled(b"mygeo", b"GEOADD", GEO_POINTS, geo_point),
    "pfadd": lambda n: [[b"DEL", b"myhll"]],
    "pfcount": lambda n: filled(b"myhll", b"PFADD", HLL_ELEMENTS, lambda i: (b"element:%d" % i,)) + [[b"PFCOUNT", b"myhll"]],
}


# ---- redis-benchmark runs -------------------------------------------------------------------------

def parse_csv(text: str) -> dict:
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise RuntimeError(f"no CSV from redis-benchmark: {text[-500:]!r}")
    row = rows[-1]
    return {"rps": float(row["rps"]), "p50": float(row["p50_latency_ms"]),
            "p99": float(row["p99_latency_ms"])}


def bench_argv(bench: str, port: int, test: str, pipeline: int, clients: int, n: int) -> list[str]:
    rand = TYPE_RANDOM if test in TYPE_TESTS else SCRIPT_RANDOM if test in SCRIPTS else RANDOM
    what = COMMAND_TESTS.get(test, ["-t", test])
    if test in SCRIPTS:
        what = ["EVALSHA", script_sha(test), "1", f"{SCRIPTS[test][0]}:__rand_int__"]
    return [bench, "-h", "127.0.0.1", "-p", str(port), "-c", str(clients), "-r", str(rand),
            "-P", str(pipeline), "-n", str(n), "--csv", *what]


def load_scripts(servers: dict[str, Server]) -> str | None:
    """SCRIPT LOAD of every script cell's script on each server, then one EVALSHA that must answer an
    integer (redis-benchmark counts error replies as ops).  Returns why a server cannot run them, or None."""
    for srv in servers.values():
        for test in SCRIPTS:
            loaded = command(srv.port, "SCRIPT", "LOAD", SCRIPTS[test][1])
            if loaded != b"$40\r\n%s\r\n" % script_sha(test).encode():
                return f"{srv.name} answered SCRIPT LOAD with {loaded[:100]!r}"
            called = command(srv.port, "EVALSHA", script_sha(test), "1", f"{SCRIPTS[test][0]}:check")
            if not called.startswith(b":"):
                return f"{srv.name} answered EVALSHA with {called[:100]!r}"
    return None


def run_cell(bench: str, server: Server, test: str, pipeline: int, n: dict) -> dict:
    """One run of one cell on one server.  n maps each redis-benchmark test to its request count."""
    parts = MIXED if test == "mixed" else ((test, CLIENTS),)
    if test in PREP:
        send_all(server.port, PREP[test](n[test]))
    cpu0, t0 = server.cpu_seconds(), time.monotonic()
    procs = [(t, subprocess.Popen(bench_argv(bench, server.port, t, pipeline, c, n[t]),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
             for t, c in parts]
    outs = []
    for t, p in procs:
        out, err = p.communicate(timeout=600)
        if p.returncode != 0:
            raise RuntimeError(f"redis-benchmark {t} failed on {server.name}: {err[-500:]}")
        outs.append((t, parse_csv(out)))
    seconds = time.monotonic() - t0
    cpu = server.cpu_seconds() - cpu0
    ops = sum(n[t] for t, _ in parts)
    if len(outs) == 1:
        res = dict(outs[0][1])
    else:  # mixed: see the module docstring
        res = {"rps": ops / seconds,
               "p50": sum(n[t] * r["p50"] for t, r in outs) / ops,
               "p99": max(r["p99"] for _, r in outs),
               "parts": {t: r for t, r in outs}}
    res.update({"n": ops, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
                "cpu_us_per_op": cpu / ops * 1e6})
    return res


def calibrate(bench: str, server: Server, test: str, pipeline: int, target: float) -> dict:
    """Request counts that make one run last about `target` seconds, from a short probe."""
    parts = MIXED if test == "mixed" else ((test, CLIENTS),)
    n = {t: max(2000, c * pipeline * 40) for t, c in parts}
    probe = run_cell(bench, server, test, pipeline, n)
    return rescale(n, probe, target)


def rescale(n: dict, run: dict, target: float) -> dict:
    """Scales every part by the same factor so the next run lasts ~target (with a 20% margin)."""
    factor = target * 1.2 / max(run["seconds"], 1e-3)
    return {t: max(1000, int(v * factor)) for t, v in n.items()}


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


# ---- machine ---------------------------------------------------------------------------------------

def first_line(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def machine_info(redis_server: str, bench: str) -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "redis_server": first_line([redis_server, "--version"]),
        "redis_benchmark": first_line([bench, "--version"]),
        "redistill_commit": commit + ("-dirty" if dirty else ""),
        "memory_total_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }


# ---- main ------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="short runs to validate the harness")
    ap.add_argument("--rounds", type=int, help="A/B rounds per cell (default 3, quick 2)")
    ap.add_argument("--seconds", type=float, help="target seconds per run (default 2.5, quick 0.3)")
    ap.add_argument("--keys", type=int, help="keys loaded for the memory cells (default 1000000, quick 100000)")
    ap.add_argument("--cells", help="comma-separated cell names to run (default: all)")
    ap.add_argument("--group", choices=("all", "strings", "types", "scripts"), default="all",
                    help="strings: the GET/SET cells; types: the data-type cells; scripts: the EVALSHA cells "
                         "(default: all)")
    ap.add_argument("--memory-only", action="store_true",
                    help="only the memory cell (RSS and used_memory per key), printed; no results files or docs")
    ap.add_argument("--redistill-arg", action="append", default=[],
                    help="extra Redistill option, e.g. --redistill-arg=--threads=1 (repeatable)")
    ap.add_argument("--note", default="", help="free text stored with the results (e.g. 'machine busy')")
    ap.add_argument("--out", default=str(HERE / "results"), help="results folder")
    ap.add_argument("--docs", action="store_true",
                    help="also rewrite docs/PERFORMANCE.md (default: full runs only)")
    ap.add_argument("--no-docs", action="store_true", help="never rewrite docs/PERFORMANCE.md")
    args = ap.parse_args(argv)

    rounds = args.rounds or (2 if args.quick else 3)
    target = args.seconds or (0.3 if args.quick else 2.5)
    nkeys = args.keys or (100_000 if args.quick else 1_000_000)
    every = [(*c, "strings") for c in CELLS] + [(*c, "types") for c in TYPE_CELLS] + [
        (*c, "scripts") for c in SCRIPT_CELLS]
    cells = [c for c in every if args.group in ("all", c[3])]
    if args.memory_only:
        cells = []
    elif args.cells:
        wanted = {c.strip().lower() for c in args.cells.split(",")}
        cells = [c for c in cells if c[0].lower() in wanted]
        if not cells:
            ap.error(f"no cell matches {args.cells!r}; cells: {', '.join(c[0] for c in every)}")
    redis_server = shutil.which("redis-server")
    bench = shutil.which("redis-benchmark")
    if not redis_server or not bench:
        print("redis-server and redis-benchmark are needed (Debian: redis-server, redis-tools)", file=sys.stderr)
        return 2

    started = dt.datetime.now(dt.timezone.utc)
    result = {
        "date": started.isoformat(timespec="seconds"),
        "quick": args.quick,
        "note": args.note,
        "machine": machine_info(redis_server, bench),
        "load_before": os.getloadavg(),
        "settings": {"clients": CLIENTS, "random": RANDOM, "type_random": TYPE_RANDOM,
                     "script_random": SCRIPT_RANDOM, "rounds": rounds,
                     "target_seconds": target,
                     "keys": nkeys, "redistill_args": args.redistill_arg},
        "memory": {},
        "cells": [],
    }
    servers: dict[str, Server] = {}
    try:
        servers["redis"] = start_redis(redis_server)
        servers["redistill"] = start_redistill(args.redistill_arg)
        if any(c[3] == "scripts" for c in cells):
            why = load_scripts(servers)
            if why:
                print(f"skipping the script cells: {why} (scripting missing there)", flush=True)
                cells = [c for c in cells if c[3] != "scripts"]
                if not cells and not args.memory_only:
                    return 0
        for name, srv in servers.items():
            if args.group in ("types", "scripts") and not args.memory_only:  # string keys: not part of those
                break
            result["memory"][name] = measure_memory(srv, nkeys)
            m = result["memory"][name]
            print(f"memory {name:9}: {m['rss_per_key']:.1f} B RSS/key, {m['used_per_key']:.1f} B used_memory/key "
                  f"({nkeys} keys, loaded in {m['load_seconds']} s)", flush=True)
        order = ["redis", "redistill"]
        for cname, test, pipeline, group in cells:
            counts = {s: calibrate(bench, servers[s], test, pipeline, target) for s in order}
            runs: dict[str, list[dict]] = {s: [] for s in order}
            for rnd in range(rounds):
                for s in (order if rnd % 2 == 0 else order[::-1]):
                    r = run_cell(bench, servers[s], test, pipeline, counts[s])
                    runs[s].append(r)
                    counts[s] = rescale(counts[s], r, target)
            cell = {"name": cname, "test": test, "pipeline": pipeline, "group": group, "servers": {}}
            for s in order:
                cell["servers"][s] = {
                    "rps": median_of(runs[s], "rps"), "p50": median_of(runs[s], "p50"),
                    "p99": median_of(runs[s], "p99"), "cpu_us_per_op": median_of(runs[s], "cpu_us_per_op"),
                    "min_seconds": min(r["seconds"] for r in runs[s]), "runs": runs[s]}
            result["cells"].append(cell)
            a, b = cell["servers"]["redis"], cell["servers"]["redistill"]
            print(f"{cname:16} redis {a['rps']:>11,.0f} ops/s p99 {a['p99']:6.3f} ms {a['cpu_us_per_op']:6.2f} us/op | "
                  f"redistill {b['rps']:>11,.0f} ops/s p99 {b['p99']:6.3f} ms {b['cpu_us_per_op']:6.2f} us/op | "
                  f"x{b['rps'] / a['rps']:.2f}", flush=True)
    finally:
        for srv in servers.values():
            srv.stop()
    if args.memory_only:
        return 0
    result["load_after"] = os.getloadavg()
    result["targets"] = report.targets(result)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = started.strftime("%Y-%m-%d-%H%M") + ("-quick" if args.quick else "")
    paths = report.write_all(result, out / stem,
                             docs=(args.docs or not args.quick) and not args.no_docs)
    print(report.targets_text(result))
    for p in paths:
        print("wrote", os.path.relpath(p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
