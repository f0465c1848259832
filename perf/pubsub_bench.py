"""PUBLISH fan-out beside redis-server: messages delivered per second.

    python perf/pubsub_bench.py [--rounds N] [--messages N] [--threads T] [--size B]

Method: Debian's redis-server and Redistill (`--threads T`, default 2) on free loopback ports, run in
turn (A B, then B A), `--rounds` times; medians.
- "fan-out N": N subscribers (raw sockets, all read by one selectors loop in this process, which counts
  whole message frames by their fixed size) on channel `bench`; one redis-benchmark client publishes
  `--messages` messages of `--size` bytes, pipelined 16 deep (`-c 1 -P 16 PUBLISH bench <msg>`).  The
  time runs from the start of redis-benchmark until every subscriber has read every message;
  delivered/s = messages x N / that time.
- "PUBLISH -P 16": redis-benchmark's 50 clients pipelining PUBLISH 16 deep to a channel with one
  subscriber (which reads everything): the publishers' requests per second.
"""
from __future__ import annotations

import argparse
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import parse_csv, start_redis, start_redistill  # noqa: E402


class Subscribers:
    """n subscribed sockets; a thread reads them all and counts message frames of a known size."""

    def __init__(self, port: int, n: int, channel: bytes, size: int) -> None:
        self.frame = len(b"*3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
            len(channel), channel, size, b"x" * size))
        self.socks = []
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$%d\r\n%s\r\n" % (len(channel), channel))
            want = len(b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n" % (len(channel), channel))
            got = b""
            while len(got) < want:
                got += s.recv(want - len(got))
            s.setblocking(False)
            self.socks.append(s)
        self.bytes = [0] * n
        self.stop = False

    def read_until(self, messages: int, timeout: float) -> float:
        """Reads until each socket got `messages` frames; returns the monotonic time that happened."""
        sel = selectors.DefaultSelector()
        for i, s in enumerate(self.socks):
            sel.register(s, selectors.EVENT_READ, i)
        want = messages * self.frame
        left = sum(1 for b in self.bytes if b < want)
        deadline = time.monotonic() + timeout
        while left and time.monotonic() < deadline:
            for key, _ in sel.select(0.5):
                i = key.data
                try:
                    data = key.fileobj.recv(1 << 20)
                except BlockingIOError:
                    continue
                before = self.bytes[i]
                self.bytes[i] += len(data)
                if before < want <= self.bytes[i]:
                    left -= 1
        sel.close()
        if left:
            raise RuntimeError(f"{left} subscribers short of {messages} messages after {timeout} s")
        return time.monotonic()

    def reset(self) -> None:
        self.bytes = [0] * len(self.bytes)

    def close(self) -> None:
        for s in self.socks:
            s.close()


def fanout(bench: str, port: int, n_subs: int, messages: int, size: int) -> float:
    subs = Subscribers(port, n_subs, b"bench", size)
    try:
        done: list[float] = []
        reader = threading.Thread(target=lambda: done.append(subs.read_until(messages, 300)))
        reader.start()
        start = time.monotonic()
        subprocess.run([bench, "-p", str(port), "-c", "1", "-P", "16", "-n", str(messages), "-q",
                        "PUBLISH", "bench", "x" * size], check=True, capture_output=True, timeout=300)
        reader.join(310)
        if not done:
            raise RuntimeError("the subscribers did not get every message")
        return messages * n_subs / (done[0] - start)
    finally:
        subs.close()


def publish_rps(bench: str, port: int, messages: int, size: int) -> float:
    subs = Subscribers(port, 1, b"bench", size)
    try:
        reader = threading.Thread(target=lambda: subs.read_until(messages, 300))
        reader.start()
        p = subprocess.run([bench, "-p", str(port), "-c", "50", "-P", "16", "-n", str(messages), "--csv",
                            "PUBLISH", "bench", "x" * size], check=True, capture_output=True, text=True,
                           timeout=300)
        reader.join(310)
        return parse_csv(p.stdout)["rps"]
    finally:
        subs.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--messages", type=int, default=200_000, help="messages per fan-out run")
    ap.add_argument("--size", type=int, default=16, help="message bytes")
    ap.add_argument("--threads", type=int, default=2, help="Redistill's worker threads")
    args = ap.parse_args(argv)
    redis_server, bench = shutil.which("redis-server"), shutil.which("redis-benchmark")
    if not redis_server or not bench:
        print("redis-server and redis-benchmark are needed", file=sys.stderr)
        return 2
    servers = [start_redis(redis_server), start_redistill(["--threads", str(args.threads)])]
    cells = [(f"fan-out {n}", lambda b, p, n=n: fanout(b, p, n, max(10_000, args.messages // n), args.size))
             for n in (1, 10, 100)]
    cells.append(("PUBLISH -P 16", lambda b, p: publish_rps(b, p, args.messages * 2, args.size)))
    try:
        print(f"{'cell':<16}{'redis':>14}{'redistill':>14}{'ratio':>8}   (medians of {args.rounds}; "
              f"fan-out: messages delivered/s, PUBLISH: requests/s)")
        for name, run in cells:
            results: dict[str, list[float]] = {"redis": [], "redistill": []}
            for r in range(args.rounds):
                order = servers if r % 2 == 0 else servers[::-1]
                for s in order:
                    results[s.name].append(run(bench, s.port))
            a, b = statistics.median(results["redis"]), statistics.median(results["redistill"])
            print(f"{name:<16}{a:>14,.0f}{b:>14,.0f}{b / a:>8.2f}x", flush=True)
    finally:
        for s in servers:
            s.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
