"""Fuzzer for the C framing and fast path, driven through the buffer-level API (rd_conn_feed / rd_conn_run).

Every input (random or mutated RESP frames, inline commands, huge and negative lengths, garbage) is run on a
fresh keyspace once whole, once a byte at a time, split in two at every byte boundary (or many of them, for
long inputs) and in random pieces.  It must not crash (run it under `make sanitize` for ASan/UBSan), the output,
the frames handed to Python and the final status must be the same however the input was split, and a protocol
error must close the connection with Redis's error line as the last output.

Run directly for a longer campaign (make fuzz-core):
    python tests/core/fuzzcore.py --seconds 300 [--seed N]
A failing input is written to tests/core/fuzz_corpus/crash-<hash>.bin; test_core_fuzz.py replays that folder.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "fuzz_corpus"
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from corehelp import Conn, cmd  # noqa: E402
from redistill._core import ffi, lib  # noqa: E402

KEYS = [b"k", b"a", b"counter", b"", b"k\x00", b"x" * 40]
VALS = [b"v", b"", b"1", b"-7", b"9223372036854775807", b"x" * 300, b"\r\n", b"\x00\xff", b"hallo world"]
INTS = [b"1", b"-1", b"0", b"100", b"9223372036854775807", b"-9223372036854775808", b"abc", b"", b"1.5"]
# Expiry arguments are never small positive numbers: a key expiring between two runs would change replies.
TIMES = [b"100", b"100000", b"0", b"-1", b"abc", b"9999999999999999"]
INTERESTING = b"\r\n*$-+:0123456789 \t\"'\\\x00\xff"
HOSTILE = [
    b"*-1\r\n", b"*0\r\n", b"*2147483648\r\n", b"*1048577\r\n", b"*-5\r\n", b"*abc\r\n", b"*\r\n",
    b"*1\r\n$-1\r\n", b"*1\r\n$2147483648\r\n", b"*1\r\n$536870913\r\n", b"*1\r\n$abc\r\n", b"*1\r\nGET\r\n",
    b"*1\r\n$3\r\nabcX\r\n", b"*2\r\n$3\r\nGET\r\n", b"$5\r\nhallo\r\n", b"*1\r\n$4\r\nPING", b"\r\n", b"\n",
    b"*1\r\n$" + b"9" * 40 + b"\r\n", b"*" + b"9" * 40 + b"\r\n", b"PING\x00\r\n", b"\"unbalanced\r\n",
    b"'x\r\n", b"SET \"a\\x41\" 'b c'\r\n", b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048576\r\n",
    b"x" * 70000, b"*1\r" + b"1" * 70000, b"*1\r\n$" + b"1" * 70000,
]


def random_command(rnd: random.Random, neutral: bool = False) -> list[bytes]:
    """neutral: only commands whose replies cannot differ between two servers run one after the other
    (no HELLO, which names the server, no TTL/PTTL, which count down)."""
    k = rnd.choice(KEYS)
    op = rnd.randrange(15 if neutral else 16)
    if neutral and op == 11:
        op = 14
    if op == 0:
        return [b"GET", k]
    if op == 1:
        args = [b"SET", k, rnd.choice(VALS)]
        for _ in range(rnd.randrange(3)):
            opt = rnd.choice([[b"EX", rnd.choice(TIMES)], [b"PX", rnd.choice(TIMES)], [b"NX"], [b"XX"], [b"GET"],
                              [b"KEEPTTL"], [b"EXAT", b"4102444800"], [b"BOGUS"]])
            args += opt
        return args
    if op == 2:
        return [rnd.choice([b"INCR", b"DECR"]), k]
    if op == 3:
        return [rnd.choice([b"INCRBY", b"DECRBY"]), k, rnd.choice(INTS)]
    if op == 4:
        return [b"DEL"] + rnd.sample(KEYS, rnd.randrange(1, 4))
    if op == 5:
        return [b"EXISTS"] + rnd.sample(KEYS, rnd.randrange(1, 4))
    if op == 6:
        return [b"MGET"] + rnd.sample(KEYS, rnd.randrange(1, 4))
    if op == 7:
        args = [b"MSET"]
        for _ in range(rnd.randrange(1, 4)):
            args += [rnd.choice(KEYS), rnd.choice(VALS)]
        if rnd.random() < 0.2:
            args.pop()  # odd: an arity error from Python
        return args
    if op == 8:
        return [b"PING"] + ([rnd.choice(VALS)] if rnd.random() < 0.5 else [])
    if op == 9:
        return [b"ECHO", rnd.choice(VALS)]
    if op == 10:
        return [rnd.choice([b"EXPIRE", b"PEXPIRE"]), k, rnd.choice(TIMES)]
    if op == 11:
        return [rnd.choice([b"TTL", b"PTTL", b"PERSIST"]), k]
    if op == 12:
        return [rnd.choice([b"get", b"GeT", b"set", b"incr"])] + [rnd.choice(KEYS) for _ in range(rnd.randrange(3))]
    if op == 13:
        return [rnd.choice([b"NOSUCH", b"", b"\x00"])] + [rnd.choice(VALS) for _ in range(rnd.randrange(3))]
    if op == 14:
        return [b"DBSIZE"]
    return [b"HELLO", rnd.choice([b"2", b"3", b"4"])]


def inline(args: list[bytes], rnd: random.Random) -> bytes:
    parts = []
    for a in args:
        if a and all(32 < c < 127 and c not in b"\"'\\" for c in a) and rnd.random() < 0.7:
            parts.append(a)
        else:
            parts.append(b'"' + b"".join(b"\\x%02x" % c for c in a) + b'"')
    sep = rnd.choice([b" ", b"  ", b"\t"])
    return sep.join(parts) + rnd.choice([b"\r\n", b"\n"])


def valid_stream(rnd: random.Random, neutral: bool = False) -> bytes:
    out = []
    for _ in range(rnd.randrange(1, 6)):
        args = random_command(rnd, neutral)
        out.append(inline(args, rnd) if rnd.random() < 0.25 else cmd(*args))
    return b"".join(out)


def mutate(data: bytes, rnd: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rnd.randrange(1, 5)):
        op = rnd.randrange(6)
        pos = rnd.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(pos, len(b) - 1)] = rnd.randrange(256)
        elif op == 1:
            b[pos:pos] = bytes([rnd.choice(INTERESTING)])
        elif op == 2 and b:
            del b[pos:pos + rnd.randrange(1, 4)]
        elif op == 3 and b:
            start = rnd.randrange(len(b))
            b[pos:pos] = b[start:start + rnd.randrange(1, 16)]
        elif op == 4:
            b[pos:pos] = rnd.choice(HOSTILE)
        elif b:
            del b[pos:]
    return bytes(b)


def generate(rnd: random.Random, neutral: bool = False) -> bytes:
    r = rnd.random()
    if r < 0.3:
        return valid_stream(rnd, neutral)
    if r < 0.75:
        return mutate(valid_stream(rnd, neutral), rnd)
    if r < 0.9:
        return valid_stream(rnd, neutral) + rnd.choice(HOSTILE) + valid_stream(rnd, neutral)
    return bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 64)))


def _slow_reply(frame: bytes) -> bytes:
    # Depends on the frame, so a frame handed over twice, out of order or changed shows in the output.
    return b"+S%08x\r\n" % zlib.crc32(frame)


_KS = []


def _keyspace():
    """One keyspace for every run, emptied first (creating 1024 shards per run is slow under ASan)."""
    if not _KS:
        _KS.append(lib.rd_keyspace_new(1))
    lib.rd_ks_flush(_KS[0])
    return _KS[0]


def run(data: bytes, chunks: list[bytes], fast: bool, resp: int) -> tuple[bytes, list[bytes], int]:
    ks = _keyspace()
    conn = Conn(ks, fast=fast, resp=resp)
    try:
        out, frames, st = [], [], lib.RD_OK
        for chunk in chunks:
            conn.feed(chunk)
            while True:
                st = conn.run()
                out.append(conn.output())
                if st == lib.RD_SLOW:
                    frame = conn.command()
                    check_canonical(frame)
                    frames.append(frame)
                    conn.reply(_slow_reply(frame))
                    continue
                if st == lib.RD_NEED_MORE:
                    continue
                break
            if st == lib.RD_CLOSE:
                break
        return b"".join(out), frames, st
    finally:
        conn.close()


def check_canonical(frame: bytes) -> None:
    """A frame handed to Python is one complete canonical multibulk: *N then N $len/payload pairs."""
    assert frame.startswith(b"*"), frame[:50]
    end = frame.index(b"\r\n")
    n = int(frame[1:end])
    assert n >= 1, frame[:50]
    pos = end + 2
    for _ in range(n):
        assert frame[pos:pos + 1] == b"$", frame[:80]
        end = frame.index(b"\r\n", pos)
        ln = int(frame[pos + 1:end])
        pos = end + 2 + ln
        assert frame[pos:pos + 2] == b"\r\n", frame[:80]
        pos += 2
    assert pos == len(frame), frame[:80]


def splits(data: bytes, rnd: random.Random, every_limit: int = 160) -> list[list[bytes]]:
    n = len(data)
    plans: list[list[bytes]] = []
    if n > 1:
        step = 1 if n <= 4096 else 997  # a byte at a time (long inputs: in odd-sized pieces)
        plans.append([data[i:i + step] for i in range(0, n, step)])
    cuts = range(1, n) if n <= every_limit else sorted(rnd.sample(range(1, n), 48))
    plans += [[data[:k], data[k:]] for k in cuts]
    for _ in range(4):
        if n > 2:
            pts = sorted(rnd.sample(range(1, n), min(n - 1, rnd.randrange(2, 8))))
            plans.append([data[a:b] for a, b in zip([0] + pts, pts + [n])])
    return plans


# Redis judges a header or inline line "too big" only while its end has not arrived (strchr on what was read so
# far), so for lines past 64 KB the outcome depends on how the bytes arrive, in Redis as here.  Such inputs
# are only checked for crashes when split.
LONG_LINE = 60000


def split_invariant(data: bytes) -> bool:
    return all(len(seg) < LONG_LINE for sep in (b"\n", b"\r") for seg in data.split(sep))


def check_input(data: bytes, rnd: random.Random) -> None:
    fast = rnd.random() < 0.8
    resp = 3 if rnd.random() < 0.2 else 2
    whole = run(data, [data], fast, resp)
    out, _, st = whole
    if st == lib.RD_CLOSE:
        last = out[out.rstrip(b"\r\n").rfind(b"\r\n") + 2:] if b"\r\n" in out.rstrip(b"\r\n") else out
        assert last.startswith(b"-ERR Protocol error: ") and last.endswith(b"\r\n"), \
            f"closed without a protocol error line last: {out[-200:]!r}"
    invariant = split_invariant(data)
    for plan in splits(data, rnd):
        got = run(data, plan, fast, resp)
        assert got == whole or not invariant, (f"split into {[len(p) for p in plan][:20]} gave a different result:\n"
                              f"whole: {whole[0][:300]!r} {whole[2]}\nsplit: {got[0][:300]!r} {got[2]}")


def save_failure(data: bytes) -> Path:
    CORPUS.mkdir(exist_ok=True)
    path = CORPUS / f"crash-{zlib.crc32(data):08x}.bin"
    path.write_bytes(data)
    return path


def fuzz(seconds: float, seed: int, max_inputs: int | None = None) -> int:
    """Checks random inputs until `seconds` pass; returns how many.  AssertionError names the seed and input."""
    rnd = random.Random(seed)
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline and (max_inputs is None or n < max_inputs):
        data = generate(rnd)
        try:
            check_input(data, random.Random(n))
        except AssertionError as e:
            path = save_failure(data)
            raise AssertionError(f"seed {seed}, input {n} ({path}): {data[:200]!r}\n{e}") from None
        n += 1
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(4), "little")
    print(f"fuzzcore: seed {seed}, {a.seconds:g} s", flush=True)
    n = fuzz(a.seconds, seed)
    print(f"fuzzcore: {n} inputs, no failure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
