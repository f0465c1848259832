#!/usr/bin/env python3
"""Peak memory of one big value: how far a fresh server's peak RSS (VmHWM) grows while it stores it.

    .venv/bin/python perf/bigvalue_mem.py [--mb 256] [--servers redis,fast,python] [--shapes set,set-ex,...]

Each (shape, server) pair gets a server of its own (redis-server, Redistill, or Redistill with
REDISTILL_FASTPATH=0), a raw client that sends the frame in 4 MB pieces (it never holds the value
twice), and one line: the growth in MB and as a multiple of the value.  Shapes: set, set-ex
(SET k v EX 100), setex, getset, multi (MULTI, SET, EXEC), append, hset.  PERFORMANCE.md "Big values" has
the last results.
"""
from __future__ import annotations

import argparse
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))

from reliability.relhelp import status_bytes  # noqa: E402
from servers import start_server  # noqa: E402

MB = 1 << 20


def _frame(*args: bytes) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def _shapes(size: int) -> dict[str, tuple[bytes, bytes, bytes]]:
    """shape -> (bytes before the value, bytes after it, the last reply's bytes)."""
    bulk = b"$%d\r\n" % size
    return {
        "set": (b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n" + bulk, b"\r\n", b"+OK\r\n"),
        "set-ex": (b"*5\r\n$3\r\nSET\r\n$3\r\nbig\r\n" + bulk, b"\r\n$2\r\nEX\r\n$3\r\n100\r\n", b"+OK\r\n"),
        "setex": (b"*4\r\n$5\r\nSETEX\r\n$3\r\nbig\r\n$3\r\n100\r\n" + bulk, b"\r\n", b"+OK\r\n"),
        "getset": (b"*3\r\n$6\r\nGETSET\r\n$3\r\nbig\r\n" + bulk, b"\r\n", b"$-1\r\n"),
        "multi": (_frame(b"MULTI") + b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n" + bulk, b"\r\n" + _frame(b"EXEC"),
                  b"*1\r\n+OK\r\n"),
        "append": (b"*3\r\n$6\r\nAPPEND\r\n$3\r\nbig\r\n" + bulk, b"\r\n", b":%d\r\n" % size),
        "hset": (b"*4\r\n$4\r\nHSET\r\n$3\r\nbig\r\n$1\r\nf\r\n" + bulk, b"\r\n", b":1\r\n"),
    }


def _until(s: socket.socket, end: bytes) -> None:
    buf = b""
    while not buf.endswith(end):
        data = s.recv(1 << 16)
        if not data:
            raise RuntimeError(f"connection closed after {buf[:200]!r}")
        buf += data


def peak_growth(server: str, shape: str, size: int) -> int:
    kind, env = ("redis", None) if server == "redis" else (
        "redistill", {"REDISTILL_FASTPATH": "0" if server == "python" else "1"})
    sp = start_server(kind, [], None, env, None, False)
    try:
        with socket.create_connection((sp.host, sp.port)) as s:
            s.sendall(_frame(b"PING"))
            _until(s, b"+PONG\r\n")
            base = status_bytes(sp.proc.pid, "VmHWM")
            before, after, reply = _shapes(size)[shape]
            s.sendall(before)
            piece = b"v" * (4 * MB)
            for left in range(size, 0, -len(piece)):
                s.sendall(piece[:min(left, len(piece))])
            s.sendall(after)
            _until(s, reply)
            return status_bytes(sp.proc.pid, "VmHWM") - base
    finally:
        sp.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=256)
    ap.add_argument("--servers", default="redis,fast,python")
    ap.add_argument("--shapes", default="set,set-ex,setex,getset,multi,append,hset")
    a = ap.parse_args()
    size = a.mb * MB
    for shape in a.shapes.split(","):
        for server in a.servers.split(","):
            grown = peak_growth(server, shape, size)
            print(f"{shape:7s} {server:7s} +{grown / MB:5.0f} MB  {grown / size:.2f}x", flush=True)


if __name__ == "__main__":
    main()
