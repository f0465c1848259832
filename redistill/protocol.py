"""Sans-I/O RESP for the slow path: decode the frames C hands over, encode handler results (RESP2/RESP3).

Python values map to replies as Redis's addReply* functions would send them:
    None -> nil ($-1 / _)            NULL_ARRAY -> *-1 / _          bytes -> bulk string
    str -> simple string (+OK)       bool -> :1/:0 / #t/#f           int -> integer
    float -> bulk / RESP3 double     list/tuple -> array            dict -> flat array / map
    set/frozenset/SetReply -> array / set     Verbatim -> bulk / verbatim string
    CommandError -> error line       Encoded -> sent as it is (dispatch passes it through)
str values are "bytes as str" (latin-1), so error texts that embed user bytes survive unchanged.
"""
from __future__ import annotations

import math
import sys
import threading
from typing import Any, NamedTuple

from redistill.errors import CommandError


class Verbatim(NamedTuple):
    """RESP3 verbatim string ("=len\\r\\ntxt:...", INFO and CLIENT LIST); a bulk string in RESP2."""

    fmt: str
    text: str


class SetReply(tuple):
    """An ordered RESP3 set (COMMAND INFO flags): Redis sends a fixed order a frozenset can't keep."""

    __slots__ = ()


class Encoded(bytes):
    """Reply bytes already encoded: EXEC's array, whose elements were encoded as each queued
    command ran (a HELLO inside the transaction changes the protocol of the replies after it)."""

    __slots__ = ()


class _NullArray:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NULL_ARRAY"


NULL_ARRAY = _NullArray()  # "*-1" in RESP2, "_" in RESP3 (e.g. EXEC aborted by WATCH)

_CRLF = b"\r\n"
_NIL = {2: b"$-1\r\n", 3: b"_\r\n"}
_NIL_ARRAY = {2: b"*-1\r\n", 3: b"_\r\n"}
_BOOL = {(2, True): b":1\r\n", (2, False): b":0\r\n", (3, True): b"#t\r\n", (3, False): b"#f\r\n"}


def format_double(d: float) -> bytes:
    """Redis's addReplyDouble text: %.17g, with inf/-inf spelled out and nan as "nan"."""
    if math.isinf(d):
        return b"inf" if d > 0 else b"-inf"
    if math.isnan(d):
        return b"nan"
    return b"%.17g" % d


def encode(value: Any, proto: int) -> bytes:
    """One reply in RESP `proto` (2 or 3)."""
    out: list[bytes] = []
    _encode_into(out, value, proto)
    return b"".join(out)


def _encode_into(out: list[bytes], value: Any, proto: int) -> None:
    # Ordered by how often the slow path sends each type; bool before int (bool is an int).
    if isinstance(value, bytes):
        if type(value) is Encoded:  # a type command's reply, written whole by C (inside EXEC)
            out.append(value)
        else:
            out.append(b"$%d\r\n%s\r\n" % (len(value), value))
    elif isinstance(value, str):
        out.append(b"+" + value.encode("latin-1") + _CRLF)
    elif value is None:
        out.append(_NIL[proto])
    elif isinstance(value, bool):
        out.append(_BOOL[proto, value])
    elif isinstance(value, int):
        out.append(b":%d\r\n" % value)
    elif isinstance(value, CommandError):
        out.append(value.line.encode("latin-1") + _CRLF)
    elif isinstance(value, dict):
        out.append(b"%%%d\r\n" % len(value) if proto == 3 else b"*%d\r\n" % (2 * len(value)))
        for k, v in value.items():
            _encode_into(out, k, proto)
            _encode_into(out, v, proto)
    elif isinstance(value, (set, frozenset, SetReply)):
        out.append((b"~%d\r\n" if proto == 3 else b"*%d\r\n") % len(value))
        for item in value:
            _encode_into(out, item, proto)
    elif isinstance(value, Verbatim):  # before tuple: a NamedTuple is a tuple
        _encode_verbatim(out, value, proto)
    elif isinstance(value, (list, tuple)):
        out.append(b"*%d\r\n" % len(value))
        for item in value:
            _encode_into(out, item, proto)
    elif isinstance(value, float):
        text = format_double(value)
        out.append(b",%s\r\n" % text if proto == 3 else b"$%d\r\n%s\r\n" % (len(text), text))
    elif value is NULL_ARRAY:
        out.append(_NIL_ARRAY[proto])
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as RESP")


def _encode_verbatim(out: list[bytes], value: Verbatim, proto: int) -> None:
    body = value.text.encode("latin-1")
    if proto == 3:
        body = value.fmt.encode("ascii")[:3].ljust(3) + b":" + body
        out.append(b"=%d\r\n%s\r\n" % (len(body), body))
    else:
        out.append(b"$%d\r\n%s\r\n" % (len(body), body))


# ---- decoding ------------------------------------------------------------------------------

def _import_hiredis():
    """hiredis, or None.  Only imported while the GIL is on: importing it into a free-threaded
    build turns the GIL back on for the whole process (hiredis declares no free-threading
    support), which would serialise every worker; there the pure-Python decoder is used."""
    if not getattr(sys, "_is_gil_enabled", lambda: True)():
        return None
    try:
        import hiredis
    except ImportError:  # non-CPython builds install without it
        return None
    return hiredis


hiredis = _import_hiredis()


_readers = threading.local()  # hiredis.Reader is not thread-safe: one per worker thread


def decode_frame_hiredis(frame: bytes) -> list[bytes]:
    """Decoder through hiredis.Reader (C speed where the GIL is on anyway)."""
    reader = getattr(_readers, "reader", None)
    if reader is None:
        reader = _readers.reader = hiredis.Reader()
    try:
        reader.feed(frame)
        args = reader.gets()
    except hiredis.ProtocolError:
        args = None
    if not isinstance(args, list):
        _readers.reader = None  # leave no half-parsed state behind for the next frame
        raise ValueError("not one complete multibulk frame")
    return args


def decode_frame_python(frame: bytes) -> list[bytes]:
    """Decoder for the canonical frames C produces: "*N\\r\\n" then N times "$len\\r\\narg\\r\\n"."""
    if frame[:1] != b"*":
        raise ValueError("not a multibulk frame")
    end = frame.index(b"\r\n")
    count = int(frame[1:end])
    pos = end + 2
    args = []
    for _ in range(count):
        end = frame.index(b"\r\n", pos)
        if frame[pos:pos + 1] != b"$":
            raise ValueError("not a bulk string")
        size = int(frame[pos + 1:end])
        start = end + 2
        args.append(frame[start:start + size])
        pos = start + size + 2
    if pos != len(frame):
        raise ValueError("trailing bytes after the frame")
    return args


# decode_frame(frame) -> list[bytes]: the arguments of one canonical frame from rd_conn_command.
decode_frame = decode_frame_hiredis if hiredis is not None else decode_frame_python

BIG_FRAME = 1 << 20  # frames from this size on go through decode_big_frame
_FEW_ARGS = 64       # ... and are cut up here when they have at most this many arguments


def decode_big_frame(view, lent: tuple[int, Any] | None = None) -> list[Any]:
    """A canonical frame of BIG_FRAME bytes or more, read in place from C's input buffer (ffi.buffer):
    each argument is copied out once.  bytes(frame) and hiredis' reader would each hold the whole frame
    again (a 256 MB value four times over), and the reader would keep its buffer at that size.
    lent = (offset, value): the argument at that offset of the frame is `value` instead of a copy
    (a keyspace.BlockValue, which stays where C read it)."""
    mv = memoryview(view)
    head = bytes(mv[:24])
    end = head.index(b"\r\n")
    count = int(head[1:end])
    if count > _FEW_ARGS:  # many small arguments: hiredis cuts them faster; its grown buffer is dropped
        if hiredis is None:
            return decode_frame_python(bytes(mv))
        args = decode_frame_hiredis(mv)
        _readers.reader = None
        return args
    pos = end + 2
    args = []
    for _ in range(count):
        head = bytes(mv[pos:pos + 24])  # "$<len>\r\n" of a canonical frame fits
        end = head.index(b"\r\n")
        if head[:1] != b"$":
            raise ValueError("not a bulk string")
        start = pos + end + 2
        size = int(head[1:end])
        args.append(lent[1] if lent is not None and start == lent[0] else bytes(mv[start:start + size]))
        pos = start + size + 2
    if pos != len(mv):
        raise ValueError("trailing bytes after the frame")
    return args
