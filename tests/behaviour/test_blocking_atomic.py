"""Multi-key pops are atomic, as on Redis's single thread: BLPOP, BRPOP, LMPOP, BLMPOP, BZPOPMIN,
BZPOPMAX, ZMPOP and BZMPOP choose their key and pop from it at one instant.  A writer pushes to k1 and
then to k2 (one pipelined pair, k1 first) while a popper on another connection pops from "k1 k2", both
keys empty before the pair: no serial order lets the popper take from k2, since k1 holds an element
whenever k2 does.  A pop that tries each key in turn can see k1 still empty and then k2 already full."""

import random
import time

import pytest

from resp import RespSocket, encode_command as cmd, parse

CONNS = 4          # sockets per role: SO_REUSEPORT spreads them over the worker threads
SECONDS = 2.5      # per form, or until a violation
ROUNDS = 20_000

LIST_PUSH = lambda k, i: cmd("RPUSH", k, f"e{i}")  # noqa: E731
ZSET_PUSH = lambda k, i: cmd("ZADD", k, str(i), f"e{i}")  # noqa: E731

FORMS = {
    "blpop": (LIST_PUSH, ("BLPOP", "k1", "k2", "5")),
    "brpop": (LIST_PUSH, ("BRPOP", "k1", "k2", "5")),
    "lmpop": (LIST_PUSH, ("LMPOP", "2", "k1", "k2", "LEFT")),
    "lmpop-count": (LIST_PUSH, ("LMPOP", "2", "k1", "k2", "RIGHT", "COUNT", "3")),
    "blmpop": (LIST_PUSH, ("BLMPOP", "5", "2", "k1", "k2", "LEFT")),
    "bzpopmin": (ZSET_PUSH, ("BZPOPMIN", "k1", "k2", "5")),
    "bzpopmax": (ZSET_PUSH, ("BZPOPMAX", "k1", "k2", "5")),
    "zmpop": (ZSET_PUSH, ("ZMPOP", "2", "k1", "k2", "MIN")),
    "bzmpop": (ZSET_PUSH, ("BZMPOP", "5", "2", "k1", "k2", "MAX", "COUNT", "2")),
}


def _spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


@pytest.mark.parametrize("form", list(FORMS))
def test_a_multi_key_pop_never_passes_over_an_earlier_key(server, raw, form):
    push, pop = FORMS[form]
    poppers = [RespSocket(server.host, server.port, timeout=10) for _ in range(CONNS)]
    writers = [RespSocket(server.host, server.port, timeout=10) for _ in range(CONNS)]
    rnd = random.Random(form)
    outcomes = {b"k1": 0, None: 0}
    try:
        deadline = time.monotonic() + SECONDS
        i = 0
        while time.monotonic() < deadline and i < ROUNDS:
            i += 1
            p, w = rnd.choice(poppers), rnd.choice(writers)
            sends = [(p, cmd(*pop)), (w, push("k1", i) + push("k2", i))]
            delay = rnd.uniform(-100e-6, 300e-6)   # land the pair anywhere around the pop's attempt
            if delay < 0:
                sends.reverse()
            sends[0][0].send(sends[0][1])
            _spin(abs(delay))
            sends[1][0].send(sends[1][1])
            w.replies(2)
            got = parse(p.reply())
            key = got[0] if got else None
            assert key != b"k2", f"{form} took {got} from k2 while k1 held e{i}, pushed before it (round {i})"
            outcomes[key] += 1
            assert raw.call("DEL", "k1", "k2") in (b":1\r\n", b":2\r\n")
    finally:
        for s in poppers + writers:
            s.close()
    assert outcomes[b"k1"], outcomes  # the pops did take from k1 (some rounds push first)
