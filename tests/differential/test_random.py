"""Seeded random command streams (the issue's key/string commands, valid and invalid) to Redis and the server
under test; reply bytes must match (TTL/PTTL within tolerance). Expiry values are either immediate (<= 0, past
timestamps) or far away, so running the two servers one after the other cannot change the outcome."""

from __future__ import annotations

import random

import pytest

from resp import RespSocket

from .test_differential import _flush, compare, run_script

KEYS = ["a", "b", "c", "num", "", "k\x00"]
INTS = ["0", "1", "-1", "10", "-10", "007", "+1", "-0", " 1", "1.0", "abc", "",
        str(2**63 - 1), str(-(2**63)), str(2**63), str(-(2**63) - 1), str(2**62), "9223372036854775",
        "99999999999999999999"]
VALUES = ["v", "", "hello world", "\x00\xff", "x" * 300] + INTS
# Relative times (EX, PX, EXPIRE, PEXPIRE): far away (>= 100 s) or already due; absolute (EXAT, PXAT): far
# future or past. Never a small positive number, which would expire between the two runs.
FAR_REL = ["100000", "1000000", "4102444800"]
DUE_REL = ["0", "-1", "-100"]
FAR_ABS = ["4102444800", "4102444800000"]
PAST_ABS = ["1", "100", "0", "-1"]
NOT_TIMES = [i for i in INTS if not (i.isdigit() and 0 < int(i) < 10**12)]


def _expire_value(rnd, absolute=False) -> str:
    r = rnd.random()
    if r < 0.5:
        return rnd.choice(FAR_ABS if absolute else FAR_REL)
    if r < 0.8:
        return rnd.choice(PAST_ABS if absolute else DUE_REL)
    return rnd.choice(NOT_TIMES)


def gen(rnd: random.Random, n: int) -> list[list[str]]:
    steps = []
    for _ in range(n):
        k = rnd.choice(KEYS)
        op = rnd.randrange(22)
        if op < 5:
            args = ["SET", k, rnd.choice(VALUES)]
            for _ in range(rnd.choice((0, 0, 1, 1, 2, 3))):
                opt = rnd.choice(["NX", "XX", "GET", "KEEPTTL", "EX", "PX", "EXAT", "PXAT", "nx", "get", "BAD"])
                args.append(opt)
                if opt in ("EX", "PX", "EXAT", "PXAT") and rnd.random() < 0.9:
                    args.append(_expire_value(rnd, absolute=opt.endswith("AT")))
            if "EXAT" in args or "PXAT" in args:
                # A time in the past leaves an expired key that each server's background sweep reclaims
                # on its own schedule, so DBSIZE would depend on timing: EXISTS reclaims it on both now.
                steps.append(args)
                args = ["EXISTS", k]
        elif op < 8:
            args = ["GET", k] + (["extra"] if rnd.random() < 0.05 else [])
        elif op == 8:
            args = ["DEL"] + rnd.sample(KEYS, rnd.randrange(0, 4))
        elif op == 9:
            args = ["EXISTS"] + [rnd.choice(KEYS) for _ in range(rnd.randrange(0, 5))]
        elif op == 10:
            args = ["MGET"] + [rnd.choice(KEYS) for _ in range(rnd.randrange(0, 5))]
        elif op == 11:
            args = ["MSET"]
            for _ in range(rnd.randrange(0, 4)):
                args += [rnd.choice(KEYS), rnd.choice(VALUES)]
            if rnd.random() < 0.1:
                args.append("odd")
        elif op < 15:
            name = rnd.choice(["INCR", "DECR", "INCRBY", "DECRBY", "incrby"])
            args = [name, k] + ([rnd.choice(INTS)] if name.upper().endswith("BY") else [])
            if rnd.random() < 0.05:
                args.append("extra")
        elif op < 18:
            args = [rnd.choice(["EXPIRE", "PEXPIRE"]), k, _expire_value(rnd)]
            for _ in range(rnd.choice((0, 0, 1, 2))):
                args.append(rnd.choice(["NX", "XX", "GT", "LT", "gt", "BAD"]))
        elif op == 18:
            args = [rnd.choice(["TTL", "PTTL"]), k]
        elif op == 19:
            args = ["PERSIST", k]
        elif op == 20:
            args = rnd.choice([["DBSIZE"], ["PING"], ["PING", rnd.choice(VALUES)], ["ECHO", rnd.choice(VALUES)]])
        else:
            args = [rnd.choice(["SET", "GET", "DEL", "INCR", "EXPIRE", "MSET", "ECHO"])]  # arity errors
        steps.append(args)
    return steps


@pytest.mark.parametrize("proto", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_stream(redis_server, server, seed, proto):
    steps = gen(random.Random(seed * 10 + proto), 1500)
    if proto == 3:
        steps = [["HELLO", "3"]] + steps
    expected, got = run_interleaved(redis_server, server, steps)
    compare(steps, expected, got, f"random stream seed={seed} RESP{proto}")


def run_interleaved(redis_server, server, steps: list) -> tuple[list, list]:
    """Each step goes to Redis, then to the server under test, before the next one: TTLs are read at
    nearly the same moment on both however slow the machine is (one after the other, a loaded
    machine can put seconds between the two runs' EXPIRE and TTL steps)."""
    _flush(redis_server.host, redis_server.port)
    _flush(server.host, server.port)
    a, b = RespSocket(redis_server.host, redis_server.port, timeout=10), RespSocket(server.host, server.port, timeout=10)
    try:
        pairs = [(a.call(*step), b.call(*step)) for step in steps]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("seed", [4, 5])
def test_random_stream_pipelined(redis_server, server, seed):
    """The same kind of stream, sent as one pipeline per 100 commands (fast path and slow path interleave)."""
    from .scripts import Raw
    from resp import encode_command

    cmds = gen(random.Random(seed), 1500)
    steps = [Raw(b"".join(encode_command(*c) for c in cmds[i:i + 100]), len(cmds[i:i + 100]))
             for i in range(0, len(cmds), 100)]
    expected = run_script(redis_server.host, redis_server.port, steps)
    got = run_script(server.host, server.port, steps)
    if expected != got:  # locate the first differing reply inside the batches
        from resp import reply_end

        def split(b):
            out, pos = [], 0
            while pos < len(b):
                end = reply_end(b, pos)
                out.append(b[pos:end])
                pos = end
            return out

        flat_e = [r for e in expected if isinstance(e, bytes) for r in split(e)]
        flat_g = [r for g in got if isinstance(g, bytes) for r in split(g)]
        compare(cmds, flat_e + ["<missing>"] * (len(cmds) - len(flat_e)),
                flat_g + ["<missing>"] * (len(cmds) - len(flat_g)), f"pipelined random stream seed={seed}")
