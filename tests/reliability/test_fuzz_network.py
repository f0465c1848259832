"""Network fuzzer: the core fuzzer's random and mutated frames sent over real connections to Redistill and to
Debian's redis-server.  Each input goes on a fresh connection after FLUSHALL; the reply bytes and whether the
server closed the connection must match Redis's, and the server must keep serving a bystander client.

Budget: REDISTILL_FUZZ_SECONDS (default 8); seed: REDISTILL_FUZZ_SEED (default random, printed on failure)."""

from __future__ import annotations

import os
import random
import socket
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "core"))
from resp import RespSocket  # noqa: E402

fuzzcore = pytest.importorskip("fuzzcore", reason="the C core is not built")

BUDGET = float(os.environ.get("REDISTILL_FUZZ_SECONDS", "8"))
QUIET = 0.15     # seconds without new bytes that end a transcript
PATIENCE = 3.0   # extra seconds granted when one transcript is a prefix of the other


def _comparable(data: bytes) -> bool:
    # Lines past 64 KB: Redis's verdict depends on how its reads are chunked (see fuzzcore.LONG_LINE).
    return fuzzcore.split_invariant(data)


class Transcript:
    def __init__(self, host: str, port: int, data: bytes) -> None:
        self.sock = socket.create_connection((host, port), timeout=5)
        self.sock.setblocking(False)
        self.out = b""
        self.closed = False
        self.sock.setblocking(True)
        self.sock.settimeout(5)
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            self.closed = True  # the server closed on a protocol error while we were still sending

    def read(self, quiet: float) -> None:
        """Reads until the peer closes or sends nothing for `quiet` seconds."""
        while not self.closed:
            self.sock.settimeout(quiet)
            try:
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                return
            except ConnectionResetError:
                self.closed = True
                return
            if not chunk:
                self.closed = True
                return
            self.out += chunk

    def close(self) -> None:
        self.sock.close()


def _flushall(sp, password: str | None = None) -> None:
    c = RespSocket(sp.host, sp.port)
    try:
        if password:
            assert c.call("AUTH", password) == b"+OK\r\n"
        assert c.call("FLUSHALL") == b"+OK\r\n"
    finally:
        c.close()


def _same(a: Transcript, b: Transcript) -> bool:
    return a.out == b.out and a.closed == b.closed


def _fuzz(server, redis_server, budget: float, password: str | None = None) -> int:
    seed = int(os.environ.get("REDISTILL_FUZZ_SEED") or int.from_bytes(os.urandom(4), "little"))
    rnd = random.Random(seed)
    bystander = RespSocket(server.host, server.port)
    if password:
        assert bystander.call("AUTH", password) == b"+OK\r\n"
    deadline = time.monotonic() + budget
    n = 0
    try:
        while time.monotonic() < deadline:
            data = fuzzcore.generate(rnd, neutral=True)
            if not _comparable(data):
                continue
            _flushall(server, password)
            _flushall(redis_server, password)
            ours = Transcript(server.host, server.port, data)
            ref = Transcript(redis_server.host, redis_server.port, data)
            try:
                ours.read(QUIET)
                ref.read(QUIET)
                give_up = time.monotonic() + PATIENCE
                while not _same(ours, ref) and time.monotonic() < give_up and (
                        ours.out.startswith(ref.out) or ref.out.startswith(ours.out)):
                    ours.read(QUIET)
                    ref.read(QUIET)
                assert _same(ours, ref), (
                    f"seed {seed}, input {n}: {data[:300]!r}\n"
                    f"redis     (closed={ref.closed}): {ref.out[:600]!r}\n"
                    f"redistill (closed={ours.closed}): {ours.out[:600]!r}")
            finally:
                ours.close()
                ref.close()
            assert bystander.call("PING") == b"+PONG\r\n"
            n += 1
    finally:
        bystander.close()
    return n


def test_network_fuzz_matches_redis(server, redis_server):
    assert _fuzz(server, redis_server, BUDGET * 0.6) > 0


def test_network_fuzz_unauthenticated_matches_redis(start_extra, target):
    """With a password set, every fuzz input arrives before AUTH: NOAUTH replies and Redis's tighter
    frame limits for unauthenticated clients (10 arguments, 16 KB per argument)."""
    ours = start_extra(args=["--requirepass", "pw"])
    ref = start_extra(args=["--requirepass", "pw"], kind="redis")
    assert _fuzz(ours, ref, BUDGET * 0.4, password="pw") > 0
