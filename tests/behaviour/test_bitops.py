"""The bit commands under concurrency: clients on several worker threads write one bitmap in place
(SETBIT, BITFIELD INCRBY) and none of their writes is lost; a reader never sees half of a BITOP."""

import threading

from resp import RespSocket, encode_command as cmd, parse
from servers import run_threads

CLIENTS = 4


def _pipelined(server, frames: list[bytes], out: list, i: int) -> None:
    s = RespSocket(server.host, server.port, timeout=60)
    try:
        replies = []
        for at in range(0, len(frames), 100):
            chunk = frames[at:at + 100]
            s.send(b"".join(chunk))
            replies += s.replies(len(chunk), timeout=60)
        out[i] = replies
    finally:
        s.close()


def test_concurrent_setbits_on_one_key_are_all_kept(server, raw):
    """Each client sets its own bits of one growing bitmap (interleaved offsets): every reply is the old
    bit 0 and BITCOUNT counts every bit at the end."""
    per = 3000
    raw.call("DEL", "bm")
    frames = [[cmd("SETBIT", "bm", str(j * CLIENTS + c), "1") for j in range(per)] for c in range(CLIENTS)]
    out = [None] * CLIENTS
    run_threads([lambda c=c: _pipelined(server, frames[c], out, c) for c in range(CLIENTS)])
    assert all(r == [b":0\r\n"] * per for r in out)
    assert raw.call("BITCOUNT", "bm") == b":%d\r\n" % (per * CLIENTS)
    assert raw.call("STRLEN", "bm") == b":%d\r\n" % (per * CLIENTS // 8)


def test_concurrent_bitfield_incrby_adds_up(server, raw):
    """BITFIELD INCRBY on one field from every client: the field ends at the sum of the increments."""
    per = 2000
    raw.call("DEL", "bf")
    frames = [[cmd("BITFIELD", "bf", "INCRBY", "u32", "#3", "1", "GET", "u8", "0")] * per for _ in range(CLIENTS)]
    out = [None] * CLIENTS
    run_threads([lambda c=c: _pipelined(server, frames[c], out, c) for c in range(CLIENTS)])
    assert parse(raw.call("BITFIELD", "bf", "GET", "u32", "#3")) == [per * CLIENTS]


def test_bitop_is_never_seen_half_done(server, raw):
    """BITOP NOT flips a 256 KB string between all zeros and all ones while another client reads it:
    every read is one or the other."""
    size = 256 * 1024
    raw.call("SET", "flip", b"\x00" * size)
    stop = threading.Event()
    bad = []

    def flipper():
        s = RespSocket(server.host, server.port, timeout=60)
        try:
            for _ in range(200):
                assert s.call("BITOP", "NOT", "flip", "flip") == b":%d\r\n" % size
        finally:
            stop.set()
            s.close()

    def reader():
        s = RespSocket(server.host, server.port, timeout=60)
        try:
            for _ in range(2000):
                if stop.is_set():
                    break
                v = parse(s.call("GET", "flip"))
                if v not in (b"\x00" * size, b"\xff" * size):
                    bad.append(sorted(set(v))[:4])
        finally:
            s.close()

    run_threads([flipper, reader])
    assert not bad, f"{len(bad)} reads saw a mix: {bad[:3]}"
