"""One client socket: the `client` object command handlers receive, and its event loop around rd_conn_io.

Rules (the owner thread is the Worker that accepted the socket):
- The rd_conn handle, the socket and the selector registration are touched only by the owner
  thread.  Other threads (CLIENT KILL, SHUTDOWN) go through worker.call_soon().
- C owns the buffers and all framing.  Per readable event: rd_conn_io(c, fd, 1); while it says
  RD_SLOW, Python decodes the pending frame, dispatches it, hands the reply back with
  rd_conn_reply and calls rd_conn_io(c, fd, 0) to let C continue the batch.
- Backpressure: while C has output it could not write (RD_NEED_MORE) the socket is selected for
  EVENT_WRITE only, so a client that does not read its replies stops being read too.
- The rd_conn is freed exactly once, in close(); after that self._c is None.
- Hot path: no logging, no locks, no per-command objects beyond the decoded argument list.
"""
from __future__ import annotations

import selectors
import socket
import time
from typing import Any

from ._core import ffi, lib
from .commands import dispatch
from .protocol import decode_frame

_READ = selectors.EVENT_READ
_WRITE = selectors.EVENT_WRITE

# Module globals: a global lookup is cheaper than an attribute lookup on `lib` per call.
_io = lib.rd_conn_io
_command = lib.rd_conn_command
_reply = lib.rd_conn_reply
_unpack = ffi.unpack
_time = time.time
_OK = lib.RD_OK
_SLOW = lib.RD_SLOW
_NEED_MORE = lib.RD_NEED_MORE


def format_addr(addr: Any) -> str:
    """("1.2.3.4", 5) -> "1.2.3.4:5"; IPv6 in brackets as Redis prints it; unix sockets as is."""
    if isinstance(addr, tuple) and len(addr) >= 2:
        host, port = addr[0], addr[1]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return str(addr or "")


class Connection:
    """A connected client; also the `client` object handed to command handlers (PLAN.md)."""

    __slots__ = (
        "id", "name", "lib_name", "lib_ver", "addr", "laddr", "fd", "created",
        "last_interaction", "last_command", "db", "server",
        "_resp", "_authenticated", "_c", "_sock", "_worker", "_selector", "_stats",
        "_frame", "_len", "_writing", "_fastpath",
    )

    def __init__(self, worker: Any, sock: socket.socket, addr: Any) -> None:
        server = worker.server
        self.server = server
        self.id = server.next_client_id()
        self.name: bytes | None = None
        self.lib_name = ""
        self.lib_ver = ""
        self.addr = format_addr(addr)
        try:
            self.laddr = format_addr(sock.getsockname())
        except OSError:
            self.laddr = ""
        self.fd = sock.fileno()
        self.created = self.last_interaction = _time()
        self.last_command = "NULL"   # Redis's CLIENT LIST cmd= before the first command
        self.db = 0
        self._sock = sock
        self._worker = worker
        self._selector = worker.selector
        self._stats = worker.stats
        self._frame = ffi.new("const char **")   # out-params of rd_conn_command, reused
        self._len = ffi.new("size_t *")
        self._writing = False
        self._resp = 2
        self._fastpath = bool(server.config.fastpath)
        self._authenticated = not server.config.password
        c = lib.rd_conn_new(worker.handle)
        if c == ffi.NULL:
            raise MemoryError("rd_conn_new failed")
        self._c = c
        lib.rd_conn_set_resp(c, 2)
        lib.rd_conn_set_authenticated(c, int(self._authenticated))
        lib.rd_conn_set_output_limit(c, int(getattr(server.config, "client_output_buffer_limit", 0)))
        lib.rd_conn_set_input_limit(c, int(getattr(server.config, "client_query_buffer_limit", 0)))
        self._update_fast()

    # ---- the client interface (PLAN.md) -------------------------------------------------------
    @property
    def resp(self) -> int:
        return self._resp

    def set_resp(self, proto: int) -> None:
        """HELLO 2|3: replies from Python (protocol.encode) and from C follow this version."""
        if proto not in (2, 3):
            raise ValueError(f"RESP version {proto}")
        self._resp = proto
        if self._c is not None:
            lib.rd_conn_set_resp(self._c, proto)

    @property
    def authenticated(self) -> bool:
        return self._authenticated

    def set_authenticated(self, value: bool) -> None:
        self._authenticated = bool(value)
        if self._c is not None:
            lib.rd_conn_set_authenticated(self._c, int(self._authenticated))
            self._update_fast()

    def trim_if_idle(self, before: float) -> int:
        """Gives back idle buffers (rd_conn_trim) when nothing happened since `before`; returns the
        bytes freed.  Owner thread."""
        if self._c is not None and self.last_interaction < before:
            return lib.rd_conn_trim(self._c)
        return 0

    def close_after_reply(self) -> None:
        """QUIT: C returns RD_CLOSE once the current output is flushed.  Owner thread only."""
        if self._c is not None:
            lib.rd_conn_close_after_reply(self._c)

    def kill(self) -> None:
        """CLIENT KILL / shutdown from any thread: closes the connection on its owner thread."""
        self._worker.call_soon(self.close)

    @property
    def worker_index(self) -> int:
        return self._worker.index

    @property
    def closed(self) -> bool:
        return self._c is None

    def _update_fast(self) -> None:
        # Fast mode needs the fast path enabled and an authenticated client: before AUTH every
        # command must reach the dispatcher (NOAUTH).  Later: also off inside MULTI.
        lib.rd_conn_set_fast(self._c, int(self._fastpath and self._authenticated))

    # ---- events (owner thread) ----------------------------------------------------------------
    def on_event(self, mask: int) -> None:
        """One selector event.  Read interest => read and run; write interest => flush and run."""
        c = self._c
        if c is None:  # closed earlier in the same batch of events (call_soon, kill)
            return
        self.last_interaction = _time()
        st = _io(c, self.fd, mask & _READ)
        if st == _SLOW:
            st = self._run_slow(st)
        if st == _OK:
            if self._writing:
                self._writing = False
                self._selector.modify(self._sock, _READ, self)
        elif st == _NEED_MORE:
            if not self._writing:
                self._writing = True
                self._selector.modify(self._sock, _WRITE, self)
        else:  # RD_CLOSE (or anything unexpected)
            self.close()

    def _run_slow(self, st: int) -> int:
        """Runs the commands C hands over until C no longer needs Python."""
        c = self._c
        fd = self.fd
        frame = self._frame
        length = self._len
        stats = self._stats
        while st == _SLOW:
            if _command(c, frame, length) != _OK:
                raise RuntimeError("rd_conn_io returned RD_SLOW with no pending command")
            reply = dispatch(self, decode_frame(_unpack(frame[0], length[0])))
            if self._c is None:   # closed while dispatching (never expected: defensive)
                return lib.RD_CLOSE
            _reply(c, reply, len(reply))
            stats.commands += 1
            st = _io(c, fd, 0)
        return st

    def drain(self) -> int:
        """Shutdown: finish commands already read (without reading more) and flush.

        Returns RD_OK / RD_CLOSE when done, RD_NEED_MORE when output is still pending."""
        if self._c is None:
            return lib.RD_CLOSE
        st = _io(self._c, self.fd, 0)
        if st == _SLOW:
            st = self._run_slow(st)
        if st == _NEED_MORE and not self._writing:
            self._writing = True
            self._selector.modify(self._sock, _WRITE, self)
        return st

    def close(self) -> None:
        """Unregisters, closes the socket and frees the rd_conn.  Idempotent; owner thread."""
        c = self._c
        if c is None:
            return
        self._c = None
        try:
            self._selector.unregister(self._sock)
        except (KeyError, ValueError):
            pass
        try:
            self._sock.close()
        except OSError:
            pass
        lib.rd_conn_free(c)
        self.server.unregister_client(self)

    def __repr__(self) -> str:
        return f"<Connection id={self.id} addr={self.addr} fd={self.fd}>"
