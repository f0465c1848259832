"""TLS: the server's SSL context, and connections that speak TLS inside the same selectors loops.

Rules:
- Sockets stay non-blocking; Python's ssl does the crypto, the handshake advances one step
  per selector event (SSLWantRead/WriteError say which event to wait for), so no thread
  ever blocks on a slow or silent peer.  A handshake not done in HANDSHAKE_TIMEOUT seconds
  is closed by the worker's sweep.
- C cannot read a TLS socket itself, so TLS connections use its buffer-level API: decrypted
  bytes go in with rd_conn_feed, rd_conn_run runs the batch (fast path included), and the
  output lent by rd_conn_output is encrypted and sent here, then rd_conn_consume_output.
- Everything between C and the dispatcher (slow commands, held replies, backpressure,
  QUIT) is Connection's; this class replaces only the socket I/O.
- Client certificates: with tls_ca_cert_path set, a client must present a certificate
  signed by that CA (Redis's tls-auth-clients yes); without it none is asked for.
"""
from __future__ import annotations

import selectors
import ssl
import time
from typing import Any

from . import core
from .connection import Connection
from .logutil import get_logger

log = get_logger("redistill.tls")

HANDSHAKE_TIMEOUT = 10.0      # seconds from accept to a finished handshake
_RECV = 256 * 1024            # plaintext bytes per SSL read call
_SEND_MAX = 256 * 1024        # plaintext bytes per SSL write call
_READ = selectors.EVENT_READ
_WRITE = selectors.EVENT_WRITE
_OK = core.OK
_SLOW = core.SLOW
_NEED_MORE = core.NEED_MORE
_CLOSE = core.CLOSE
_feed = core.conn_feed
_run = core.conn_run
_output = core.conn_output
_consume = core.conn_consume_output
_buffer = core.buffer
_WANT = (ssl.SSLWantReadError, ssl.SSLWantWriteError)


def server_context(cfg: Any) -> ssl.SSLContext:
    """The SSLContext of every TLS listener.  Raises OSError/ssl.SSLError when the files are
    unreadable or do not match."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cfg.tls_cert_path, cfg.tls_key_path)
    if cfg.tls_ca_cert_path:
        ctx.load_verify_locations(cafile=cfg.tls_ca_cert_path)
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


class TLSConnection(Connection):
    """A client on a TLS port: sock is a non-blocking ssl.SSLSocket, not yet handshaken."""

    __slots__ = ("_handshaking", "_peer_closed", "_out_ptr", "_out_len")
    c_reads_socket = False  # C sees only decrypted bytes (rd_conn_feed), never the socket

    def __init__(self, worker: Any, sock: ssl.SSLSocket, addr: Any) -> None:
        super().__init__(worker, sock, addr)
        self._handshaking = True
        self._peer_closed = False
        self._out_ptr, self._out_len = core.out_pointer()

    def handshake_expired(self, now: float) -> bool:
        return self._handshaking and now - self.created > HANDSHAKE_TIMEOUT

    # ---- events --------------------------------------------------------------------------
    def on_event(self, mask: int) -> None:
        if self._c is None:
            return
        self.last_interaction = time.time()
        if self._handshaking:
            if not self._handshake():
                return
            mask = _READ   # the client may have sent its first commands with the handshake
        self._settle(self._pump(bool(mask & _READ)))

    def _handshake(self) -> bool:
        """One handshake step; True once it is done."""
        try:
            self._sock.do_handshake()
        except ssl.SSLWantReadError:
            self._want(_READ)
            return False
        except ssl.SSLWantWriteError:
            self._want(_WRITE)
            return False
        except (ssl.SSLError, OSError) as e:
            self._stats.tls_handshake_failures += 1
            log.log(15, "TLS handshake with %s failed: %s", self.addr, e)
            self.close()
            return False
        self._handshaking = False
        self._want(_READ)
        return True

    def _want(self, events: int) -> None:
        self._writing = events == _WRITE
        self._selector.modify(self._sock, events, self)

    def _resume_io(self) -> int:
        return self._pump(False)

    def _pump(self, read: bool) -> int:
        """rd_conn_io for TLS: read and decrypt what the socket has, run the batch, send."""
        c = self._c
        if read and not self._peer_closed and not self._read_all(c):
            return _CLOSE
        while True:
            st = _run(c)
            if st == _SLOW:
                return st
            if not self._send_all(c):
                return _CLOSE
            if self._out_len[0]:
                return _NEED_MORE
            if st == _NEED_MORE:   # over C's output limit, now drained: run the rest
                continue
            return _CLOSE if st == _CLOSE or self._peer_closed else _OK

    def _read_all(self, c: Any) -> bool:
        """Feeds every decrypted byte to C (until the socket would block); False on error."""
        recv = self._sock.recv
        while True:
            try:
                data = recv(_RECV)
            except _WANT:
                return True
            except ssl.SSLZeroReturnError:
                self._peer_closed = True
                return True
            except (ssl.SSLError, OSError):
                return False
            if not data:
                self._peer_closed = True
                return True
            if _feed(c, data, len(data)) != _OK:
                return False

    def _send_all(self, c: Any) -> bool:
        """Encrypts and sends C's pending output until done or the socket is full; False on
        error.  Leaves the pending length in self._out_len[0]."""
        ptr, n = self._out_ptr, self._out_len
        send = self._sock.send
        while True:
            _output(c, ptr, n)
            if not n[0]:
                return True
            try:
                sent = send(_buffer(ptr[0], min(n[0], _SEND_MAX)))
            except _WANT:
                return True
            except (ssl.SSLError, OSError):
                return False
            _consume(c, sent)

    def drain(self) -> int:
        if self._c is not None and self._handshaking:
            return _CLOSE   # nothing was read yet
        return super().drain()
