"""Stream objects in the C core under a random workload of every stream command (rd_exec), with
small and changing stream-node-max-entries / -bytes so that nodes fill, split, empty and go, and
with COPY, RENAME, DEL and FLUSHALL of streams that have groups and pending entries.  Checked after
every step: XLEN equals the entries XRANGE returns, and they come in id order; at the end every byte
is given back.  Under `make sanitize-quick` these run with ASan (use after free, leaks, overflows)."""

from __future__ import annotations

import random

import pytest

from corehelp import KS
from redistill._core import lib
from test_core_types import Exec, used

KEYS = ["s1", "s2", "s3"]


def _id(rnd: random.Random) -> str:
    return rnd.choice(["-", "+", "$", ">", "0", f"({rnd.randint(0, 300)}-{rnd.randint(0, 2)}",
                       "18446744073709551615-18446744073709551615", f"{rnd.randint(0, 300)}-{rnd.randint(0, 2)}"])


def _command(rnd: random.Random) -> list[str]:
    k, g, c = rnd.choice(KEYS), rnd.choice(["g1", "g2"]), rnd.choice(["c1", "c2", "c3"])
    pairs = [x for _ in range(rnd.randint(1, 3)) for x in (rnd.choice("fgh"), rnd.choice(["v", "", "abc", "x" * 90]))]
    return rnd.choice([
        ["XADD", k, *rnd.choice([[], ["MAXLEN", str(rnd.randint(0, 20))], ["MAXLEN", "~", "3"],
                                 ["MINID", _id(rnd)]]), rnd.choice(["*", "*", _id(rnd)]), *pairs],
        ["XADD", k, "*", *pairs],
        [rnd.choice(["XRANGE", "XREVRANGE"]), k, _id(rnd), _id(rnd), "COUNT", str(rnd.randint(-1, 5))],
        ["XDEL", k, _id(rnd), _id(rnd)],
        ["XTRIM", k, rnd.choice(["MAXLEN", "MINID"]), rnd.choice(["~", "="]), str(rnd.randint(0, 30))],
        ["XGROUP", "CREATE", k, g, _id(rnd), *rnd.choice([[], ["MKSTREAM"]])],
        ["XGROUP", rnd.choice(["CREATECONSUMER", "DELCONSUMER"]), k, g, c],
        ["XGROUP", "DESTROY", k, g] if rnd.random() < 0.1 else ["XGROUP", "SETID", k, g, _id(rnd)],
        ["XREADGROUP", "GROUP", g, c, "COUNT", "3", *rnd.choice([[], ["NOACK"]]), "STREAMS", k,
         rnd.choice([">", ">", _id(rnd)])],
        ["XACK", k, g, _id(rnd), _id(rnd)],
        ["XCLAIM", k, g, c, "0", _id(rnd), _id(rnd), *rnd.choice([[], ["FORCE"], ["JUSTID"]])],
        ["XAUTOCLAIM", k, g, c, "0", _id(rnd), "COUNT", "2"],
        ["XPENDING", k, g, *rnd.choice([[], ["-", "+", "10"], ["-", "+", "10", c]])],
        ["XINFO", "STREAM", k, *rnd.choice([[], ["FULL"]])],
        ["XINFO", rnd.choice(["GROUPS", "CONSUMERS"]), k, g],
        ["XSETID", k, _id(rnd)],
        ["XREAD", "COUNT", "5", "STREAMS", k, rnd.choice(KEYS), _id(rnd), _id(rnd)],
    ])


def _entries(x: Exec, key: str) -> list[bytes]:
    """The ids XRANGE key - + returns (RESP2), parsed just enough."""
    reply = x.run("XRANGE", key, "-", "+")
    assert reply[:1] == b"*", reply[:80]
    ids, lines = [], reply.split(b"\r\n")
    for i, line in enumerate(lines):   # an entry is *2, $len, id
        if line == b"*2" and i + 2 < len(lines) and b"-" in lines[i + 2]:
            ids.append(lines[i + 2])
    return ids


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_stream_workload_keeps_its_invariants_and_frees_everything(ks, seed):
    rnd = random.Random(seed)
    x, kv = Exec(ks), KS(ks)
    base = used(kv)
    try:
        for step in range(4000):
            if step % 500 == 0:
                lib.rd_type_config(lib.RD_CFG_STREAM_NODE_MAX_ENTRIES, rnd.choice([0, 1, 2, 5, 100]))
                lib.rd_type_config(lib.RD_CFG_STREAM_NODE_MAX_BYTES, rnd.choice([0, 50, 300, 4096]))
            if step % 700 == 0:
                kv_copy = lib.rd_ks_copy(ks, b"s1", 2, b"s4", 2, 1)
                assert kv_copy in (lib.RD_OK, lib.RD_NOT_FOUND, lib.RD_NOT_DONE)
                lib.rd_ks_rename(ks, b"s4", 2, b"s3", 2, 0)
            reply = x.run(*_command(rnd), resp=rnd.choice([2, 3]))
            assert reply[:1] in (b"+", b"-", b":", b"$", b"*", b"%", b"_"), reply[:80]
            key = rnd.choice(KEYS)   # only streams live here: a missing key reads as empty
            ids = _entries(x, key)
            assert x.run("XLEN", key) == b":%d\r\n" % len(ids)
            parsed = [tuple(map(int, i.split(b"-"))) for i in ids]
            assert parsed == sorted(parsed) and len(set(parsed)) == len(parsed)
        for key in KEYS + ["s4"]:
            kv.delete(key.encode())
        assert used(kv) == base
    finally:
        lib.rd_type_config(lib.RD_CFG_STREAM_NODE_MAX_ENTRIES, 100)
        lib.rd_type_config(lib.RD_CFG_STREAM_NODE_MAX_BYTES, 4096)
