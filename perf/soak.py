#!/usr/bin/env python3
"""Soak test: a mixed workload with expiry (and eviction with --maxmemory) from many clients, bounded in time.

    python perf/soak.py --duration 60 [--clients 16] [--keys 2000] [--maxmemory 64mb] [--port P --pid PID]

Starts its own Redistill (unless --port is given), runs `--clients` threads for `--duration` seconds and
samples the server's RSS, open fds and threads once a second.  5% of the steps rewrite one of 50 hashes,
lists, sets or zsets per client (not modelled: they are there for the RSS check, through eviction and expiry).  It fails (exit 1) when:
  - any reply is an error it did not ask for (-OOM is allowed only with --maxmemory: the write is then
    not acknowledged), or a connection drops;
  - a read disagrees with the client's model: every client owns its keys, so a key must hold the last
    value whose write was acknowledged, unless it expired (must be gone a little after its deadline,
    must be there a little before) or, with --maxmemory, was evicted (gone, never different);
  - the shared counter (INCR by every client) is not exact (without --maxmemory);
  - RSS, fds or threads grow after warm-up (the first quarter of the run): RSS may not end more than
    25% + 16 MB over its value at the end of warm-up; fds and threads must stay flat.
The last line is a one-line JSON summary.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLACK = 0.25  # seconds around an expiry deadline where either answer is right (clock reads, scheduling)


def proc_status(pid: int) -> dict[str, int]:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                out["rss"] = int(line.split()[1]) * 1024
            elif line.startswith("Threads:"):
                out["threads"] = int(line.split()[1])
    out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return out


class Client:
    """A tiny RESP2 client over one socket: enough for the soak, no dependency on redis-py."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")

    def call(self, *args):
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(parts))
        return self._read()

    def _read(self):
        line = self.file.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError(f"connection closed (got {line!r})")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.file.read(n + 2)
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise ConnectionError(f"unexpected reply {line!r}")

    def close(self) -> None:
        self.file.close()
        self.sock.close()


class Worker(threading.Thread):
    def __init__(self, soak: "Soak", cid: int) -> None:
        super().__init__(name=f"soak-{cid}", daemon=True)
        self.soak = soak
        self.cid = cid
        self.rnd = random.Random(soak.seed * 1000 + cid)
        self.model: dict[bytes, tuple[bytes, float | None]] = {}  # key -> (value, expires at or None)
        self.incrs = 0
        self.ops = 0
        self.oom = 0
        self.errors: list[str] = []

    def key(self, i: int) -> bytes:
        return b"soak:%d:%d" % (self.cid, i)

    def check(self, key: bytes, got, when: float) -> None:
        want = self.model.get(key)
        if want is None:
            if got is not None:
                self.errors.append(f"{key!r}: expected absent, got {got[:40]!r}")
            return
        value, exp = want
        if got is None:
            if exp is not None and when >= exp - SLACK:
                return  # expired
            if self.soak.evicting:
                return  # evicted
            self.errors.append(f"{key!r}: lost (expected {value[:40]!r}, expiry {exp})")
            return
        if got != value:
            self.errors.append(f"{key!r}: expected {value[:40]!r}, got {got[:40]!r}")
        elif exp is not None and when > exp + SLACK:
            self.errors.append(f"{key!r}: still there {when - exp:.2f}s after its expiry")

    def reply(self, rep, what: str):
        if isinstance(rep, RuntimeError):
            if self.soak.evicting and str(rep).startswith("OOM"):
                self.oom += 1
                return rep
            self.errors.append(f"{what}: unexpected error {rep}")
        return rep

    def run(self) -> None:
        try:
            c = Client(self.soak.host, self.soak.port)
        except OSError as e:
            self.errors.append(f"connect: {e}")
            return
        try:
            while not self.soak.stop.is_set() and len(self.errors) < 20:
                self.step(c)
                self.ops += 1
            if not self.errors:
                self.verify(c)
        except (OSError, ConnectionError) as e:
            self.errors.append(f"connection: {e}")
        finally:
            c.close()

    def collection_step(self, c: Client) -> None:
        """A hash, list, set or zset rewritten (some with a TTL): no model, but its memory counts in RSS's
        check, so a value that eviction, expiry or DEL fails to free shows there."""
        rnd = self.rnd
        k = b"soak:c:%d:%d" % (self.cid, rnd.randrange(50))  # few: their live set is full by the warm-up's end
        elems = [b"%d:%d:%d" % (self.ops, j, rnd.randrange(1 << 30)) + b"e" * 100 for j in range(rnd.randrange(1, 60))]
        cmd = rnd.choice(("HSET", "RPUSH", "SADD", "ZADD"))
        args = [x for j, e in enumerate(elems) for x in ((j, e) if cmd in ("HSET", "ZADD") else (e,))]
        self.reply(c.call("DEL", k), "DEL")
        if not isinstance(self.reply(c.call(cmd, k, *args), cmd), RuntimeError) and rnd.random() < 0.5:
            self.reply(c.call("PEXPIRE", k, rnd.choice((500, 3000))), "PEXPIRE")

    def step(self, c: Client) -> None:
        rnd = self.rnd
        if rnd.random() < 0.05:
            return self.collection_step(c)
        k = self.key(rnd.randrange(self.soak.keys))
        op = rnd.random()
        if op < 0.35:
            t0 = time.time()
            got = self.reply(c.call("GET", k), "GET")
            if not isinstance(got, RuntimeError):
                self.check(k, got, t0)
        elif op < 0.7:
            value = b"%d:%d:" % (self.cid, self.ops) + b"x" * rnd.choice((10, 100, 1000, self.soak.big))
            ttl_ms = rnd.choice((None, None, 500, 1500, 3000, 60000))
            args = ["SET", k, value] + ([] if ttl_ms is None else ["PX", ttl_ms])
            t0 = time.time()
            rep = self.reply(c.call(*args), "SET")
            if rep == "OK":
                self.model[k] = (value, None if ttl_ms is None else t0 + ttl_ms / 1000)
        elif op < 0.8:
            rep = self.reply(c.call("DEL", k), "DEL")
            if isinstance(rep, int):
                self.model.pop(k, None)
        elif op < 0.88:
            rep = self.reply(c.call("INCR", "soak:shared"), "INCR")
            if isinstance(rep, int):
                self.incrs += 1
        elif op < 0.95:
            keys = [self.key(rnd.randrange(self.soak.keys)) for _ in range(4)]
            t0 = time.time()
            got = self.reply(c.call("MGET", *keys), "MGET")
            if isinstance(got, list):
                for key, v in zip(keys, got):
                    if keys.count(key) == 1:
                        self.check(key, v, t0)
        else:
            t0 = time.time()
            rep = self.reply(c.call("PEXPIRE", k, 2000), "PEXPIRE")
            if rep == 1 and k in self.model:
                self.model[k] = (self.model[k][0], t0 + 2.0)
            elif rep == 0:
                self.check(k, None, t0)

    def verify(self, c: Client) -> None:
        for i in range(self.soak.keys):
            k = self.key(i)
            t0 = time.time()
            got = self.reply(c.call("GET", k), "verify GET")
            if not isinstance(got, RuntimeError):
                self.check(k, got, t0)


class Soak:
    def __init__(self, a: argparse.Namespace) -> None:
        self.host = "127.0.0.1"
        self.port = a.port
        self.pid = a.pid
        self.keys = a.keys
        self.big = a.big
        self.seed = a.seed
        self.evicting = bool(a.maxmemory)
        self.stop = threading.Event()


def start_server(a: argparse.Namespace) -> tuple[subprocess.Popen, int, Path]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    workdir = Path(tempfile.mkdtemp(prefix="redistill-soak-"))
    python = os.environ.get("REDISTILL_PYTHON") or str(ROOT / ".venv" / "bin" / "python")
    argv = [python, "-m", "redistill", "--port", str(port), "--health-check-port", "0",
            "--threads", str(a.threads)]
    if a.maxmemory:
        argv += ["--maxmemory", a.maxmemory]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    log = open(workdir / "server.log", "wb")
    proc = subprocess.Popen(argv, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    log.close()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            c = Client("127.0.0.1", port)
            ok = c.call("PING") == "PONG"
            c.close()
            if ok:
                return proc, port, workdir
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"server did not start: {(workdir / 'server.log').read_text()[-2000:]}")


def main() -> int:
    ap = argparse.ArgumentParser(description="Redistill soak test", epilog=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--keys", type=int, default=2000, help="keys per client")
    ap.add_argument("--big", type=int, default=20000, help="size of the occasional big value")
    ap.add_argument("--threads", type=int, default=2, help="server threads (own server only)")
    ap.add_argument("--maxmemory", default="", help='e.g. "32mb": eviction on; evicted keys may be absent')
    ap.add_argument("--port", type=int, default=0, help="use a running server instead of starting one")
    ap.add_argument("--pid", type=int, default=0, help="with --port: the server pid to sample")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    proc = workdir = None
    if not a.port:
        proc, a.port, workdir = start_server(a)
        a.pid = proc.pid
    soak = Soak(a)
    c = Client(soak.host, soak.port)
    c.call("FLUSHALL")
    if a.maxmemory and a.port and proc is None:
        c.call("CONFIG", "SET", "maxmemory", a.maxmemory)
    c.close()

    workers = [Worker(soak, i) for i in range(a.clients)]
    samples: list[tuple[float, dict[str, int]]] = []
    t_start = time.monotonic()
    for w in workers:
        w.start()
    while time.monotonic() - t_start < a.duration:
        if a.pid:
            samples.append((time.monotonic() - t_start, proc_status(a.pid)))
        if any(len(w.errors) >= 20 for w in workers):
            break
        time.sleep(min(1.0, max(0.0, a.duration - (time.monotonic() - t_start))))
    soak.stop.set()
    for w in workers:
        w.join(timeout=120)
    problems: list[str] = []
    for w in workers:
        if w.is_alive():
            problems.append(f"client {w.cid} did not finish")
        problems += [f"client {w.cid}: {e}" for e in w.errors[:5]]
    c = Client(soak.host, soak.port)
    shared = c.call("GET", "soak:shared")
    stats = dict(line.split(":", 1) for line in c.call("INFO", "stats").decode().splitlines() if ":" in line)
    c.close()
    incrs = sum(w.incrs for w in workers)
    if not soak.evicting and int(shared or 0) != incrs:
        problems.append(f"shared counter is {shared!r}, {incrs} INCRs were acknowledged")

    summary = {"duration": round(time.monotonic() - t_start, 1), "clients": a.clients,
               "ops": sum(w.ops for w in workers), "oom_replies": sum(w.oom for w in workers),
               "maxmemory": a.maxmemory or None, "expired_keys": int(stats.get("expired_keys", 0)),
               "evicted_keys": int(stats.get("evicted_keys", 0))}
    if a.pid and samples:
        warm = [s for t, s in samples if t <= max(2.0, a.duration / 4)]
        after = [s for t, s in samples if t > max(2.0, a.duration / 4)]
        base = warm[-1]
        summary.update(rss_warm_mb=round(base["rss"] / 2**20, 1),
                       rss_max_mb=round(max(s["rss"] for _, s in samples) / 2**20, 1),
                       fds=sorted({s["fds"] for _, s in samples}),
                       threads=sorted({s["threads"] for _, s in samples}))
        if after:
            last = after[-1]
            if last["rss"] > base["rss"] * 1.25 + 16 * 2**20:
                problems.append(f"RSS grew after warm-up: {base['rss'] >> 20} MB -> {last['rss'] >> 20} MB")
            if max(s["fds"] for s in after) > base["fds"] + 2:
                problems.append(f"fds grew after warm-up: {base['fds']} -> {max(s['fds'] for s in after)}")
            if max(s["threads"] for s in after) > base["threads"]:
                problems.append(f"threads grew after warm-up: {base['threads']} -> "
                                f"{max(s['threads'] for s in after)}")
    if proc is not None:
        proc.terminate()
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
        if code != 0:
            problems.append(f"server exited with {code}: {(workdir / 'server.log').read_text()[-1500:]}")
    summary["problems"] = len(problems)
    for p in problems:
        print("PROBLEM:", p)
    print(json.dumps(summary))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
