"""Test-side RESP reader: the raw bytes of exactly one complete reply from a socket, read with a timeout.

Deliberately independent of the server's own parser (redistill/protocol.py, csrc/resp_parse.c) so a bug
there can't hide itself here. Understands RESP2 and RESP3 (+ - : $ * _ , # ( ! = % ~ > |).
"""

from __future__ import annotations

import socket
import time

_LINE_TYPES = b"+-:_,#("  # one line, nothing after it
_BULK_TYPES = b"$=!"  # length line, then that many bytes and CRLF
_ARRAY_TYPES = b"*~>"  # count, then that many replies
_MAP_TYPES = b"%|"  # count, then twice that many replies


class RespFormatError(ValueError):
    """The bytes are not a well-formed RESP reply."""


def reply_end(buf: bytes, pos: int = 0) -> int | None:
    """Offset just past the one complete reply that starts at buf[pos]; None while it is incomplete."""
    if pos >= len(buf):
        return None
    nl = buf.find(b"\r\n", pos)
    if nl < 0:
        return None
    kind = buf[pos]
    line = buf[pos + 1 : nl]
    after = nl + 2
    if kind in _LINE_TYPES:
        return after
    try:
        n = int(line)
    except ValueError:
        raise RespFormatError(f"bad length line {buf[pos:nl]!r} at offset {pos}") from None
    if kind in _BULK_TYPES:
        if n < 0:
            return after
        end = after + n + 2
        if len(buf) < end:
            return None
        if buf[end - 2 : end] != b"\r\n":
            raise RespFormatError(f"bulk of {n} bytes at offset {pos} not followed by CRLF")
        return end
    if kind in _ARRAY_TYPES or kind in _MAP_TYPES:
        if n < 0:
            return after
        count = n * 2 if kind in _MAP_TYPES else n
        for _ in range(count):
            after = reply_end(buf, after)
            if after is None:
                return None
        if kind == ord("|"):  # an attribute is followed by the reply it annotates
            return reply_end(buf, after)
        return after
    raise RespFormatError(f"unknown RESP type byte {bytes([kind])!r} at offset {pos}: {buf[pos:pos + 40]!r}")


def parse(raw: bytes):
    """Decode one complete reply into Python values (bytes, int, None, list, dict, ...); for convenience only."""
    value, end = _parse(raw, 0)
    if end != len(raw):
        raise RespFormatError(f"{len(raw) - end} trailing bytes after the reply")
    return value


class ErrorReply(bytes):
    """An error reply's text (without '-' and CRLF)."""


def _parse(buf: bytes, pos: int):
    nl = buf.index(b"\r\n", pos)
    kind, line, after = chr(buf[pos]), buf[pos + 1 : nl], nl + 2
    if kind == "+":
        return line, after
    if kind == "-":
        return ErrorReply(line), after
    if kind in ":(":
        return int(line), after
    if kind == "_":
        return None, after
    if kind == ",":
        return float(line), after
    if kind == "#":
        return line == b"t", after
    if kind in "$=!":
        n = int(line)
        if n < 0:
            return None, after
        data = buf[after : after + n]
        if kind == "=":
            data = data[4:]  # drop "txt:"
        return (ErrorReply(data) if kind == "!" else data), after + n + 2
    if kind in "*~>":
        n = int(line)
        if n < 0:
            return None, after
        items = []
        for _ in range(n):
            item, after = _parse(buf, after)
            items.append(item)
        return items, after
    if kind in "%|":
        out = {}
        for _ in range(int(line)):
            k, after = _parse(buf, after)
            v, after = _parse(buf, after)
            out[k if not isinstance(k, list) else tuple(k)] = v
        if kind == "|":
            return _parse(buf, after)
        return out, after
    raise RespFormatError(f"unknown RESP type {kind!r}")


def encode_command(*args) -> bytes:
    """A RESP multibulk request; str args are UTF-8 encoded, ints formatted."""
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, int):
            a = str(a).encode()
        elif isinstance(a, str):
            a = a.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


class RespSocket:
    """A client socket plus a receive buffer; every read is bounded by a deadline."""

    def __init__(self, host: str, port: int, timeout: float = 5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.timeout = timeout

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def call(self, *args, timeout: float | None = None) -> bytes:
        self.send(encode_command(*args))
        return self.reply(timeout)

    def reply(self, timeout: float | None = None) -> bytes:
        """Raw bytes of the next complete reply. TimeoutError (with what arrived) if none within timeout."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            end = reply_end(self.buf)
            if end is not None:
                out, self.buf = self.buf[:end], self.buf[end:]
                return out
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no complete reply in time; buffered {self.buf[:200]!r}")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout:
                raise TimeoutError(f"no complete reply in time; buffered {self.buf[:200]!r}") from None
            if not chunk:
                raise ConnectionError(f"connection closed before a complete reply; buffered {self.buf[:200]!r}")
            self.buf += chunk

    def replies(self, n: int, timeout: float | None = None) -> list[bytes]:
        return [self.reply(timeout) for _ in range(n)]

    def read_until_closed(self, timeout: float = 5.0) -> tuple[bytes, bool]:
        """Everything until the peer closes: (bytes, closed). closed is False if the deadline passed first."""
        deadline = time.monotonic() + timeout
        data, self.buf = self.buf, b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return data, False
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout:
                return data, False
            except ConnectionResetError:
                return data, True
            if not chunk:
                return data, True
            data += chunk

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
