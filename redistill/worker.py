"""One OS thread serving its own SO_REUSEPORT listener(s) and the connections it accepted.

Rules:
- Everything registered in this worker's selector belongs to this thread: the listeners, the
  wakeup socket and the Connections (their rd_conn handles are owner-thread only in C).
- Other threads talk to a worker only through stop() and call_soon(), which write one byte to
  the wakeup socketpair; select() never polls.
- The serving loop waits in C (rd_worker_poll on the selector's epoll fd): readable connections
  are served there without Python; the events left over are dispatched through the selector's
  map as before.  Registration and the shutdown drain still go through the selector.
- SelectorKey.data is always an object with on_event(mask): a Connection, the acceptor or the
  waker, so the loop dispatches with one attribute call per event.
- The listeners belong to an accepting.AcceptGate: out of descriptors, accepting pauses for
  100 ms instead of spinning.  Logs go through logutil, which rate-limits repeated lines.
- An exception while handling one connection is logged and closes that connection only; the
  thread keeps serving the others.
- The rd_worker handle is created here but freed by the Server after every thread has
  stopped (other threads read its counters for INFO).
- Timers (call_later) are owner-thread only: a heap whose earliest deadline bounds select()'s
  timeout.  They hold back failed-AUTH replies and run the once-a-second sweep (idle
  `timeout`, TLS handshakes that never finish).
- self.conns is every open Connection of this worker, registered in the selector or not
  (a connection whose reply is held back is unregistered until the timer releases it).
"""
from __future__ import annotations

import collections
import heapq
import math
import itertools
import selectors
import socket
import threading
import time
from typing import Any, Callable

from . import core, errors
from .accepting import AcceptGate
from .connection import Connection, format_addr
from .logutil import get_logger

log = get_logger("redistill.worker")

# Each worker's stack, fixed rather than left to RLIMIT_STACK (glibc's default for new threads: 8 MiB
# under the usual `ulimit -s`, but 2 MiB when it is unlimited and whatever a lower ulimit says).  A
# command needs little of it: C's deepest path is the fast path's batch loop (~5 KB of frames) plus a
# type command (<= 6 KB) plus at most 1000 glob frames of ~112 B; every other C path is iterative.
# The rest is the interpreter's (recursion limit 1000).  Only touched pages cost memory.
WORKER_STACK_SIZE = 8 << 20

_READ = selectors.EVENT_READ
_WRITE = selectors.EVENT_WRITE
_EPOLLIN = 0x001
_EPOLLOUT = 0x004
_POLL_MAX = 256
_MAX_CLIENTS_ERROR = errors.reply_line(errors.MAX_CLIENTS)
_RATE_LIMIT_ERROR = errors.reply_line(errors.RATE_LIMITED)
_SWEEP_PERIOD = 1.0           # seconds between idle/handshake sweeps
_HAS_KEEPIDLE = hasattr(socket, "TCP_KEEPIDLE")
_TRIM_RELEASE_BYTES = 8 << 20  # idle buffers freed in one pass past which memory goes back to the OS
# Redis 7's reply to a remote client refused by protected mode (networking.c), byte for byte.
PROTECTED_MODE_ERROR = errors.reply_line(errors.PROTECTED_MODE)


def protected_mode_refuses(cfg: Any, addr: Any, default_nopass: bool | None = None) -> bool:
    """Redis's protected mode: with it on and no password for the default user, only loopback peers
    (127.0.0.0/8, ::1, IPv4-mapped loopback, unix sockets) may connect.  Read per accept, so CONFIG
    SET protected-mode / requirepass and ACL SETUSER default apply to the next connection."""
    if default_nopass is None:
        default_nopass = not getattr(cfg, "password", None)
    if not getattr(cfg, "protected_mode", False) or not default_nopass:
        return False
    if not (isinstance(addr, tuple) and addr and isinstance(addr[0], str)):
        return False  # a unix socket: local by definition
    host = addr[0]
    if host.startswith("::ffff:"):
        host = host[len("::ffff:"):]
    return not (host.startswith("127.") or host == "::1")


class _Acceptor:
    __slots__ = ("worker", "listener", "tls")

    def __init__(self, worker: "Worker", listener: socket.socket, tls: Any) -> None:
        self.worker = worker
        self.listener = listener
        self.tls = tls                 # ssl.SSLContext for a TLS port, None for plain

    def on_event(self, mask: int) -> None:
        if self.listener.fileno() >= 0:   # not closed by swap_listeners earlier in this batch
            self.worker._accept(self.listener, self.tls)


class _Waker:
    __slots__ = ("worker",)

    def __init__(self, worker: "Worker") -> None:
        self.worker = worker

    def on_event(self, mask: int) -> None:
        self.worker._on_wake()


class _Deliverer:
    """The worker's Pub/Sub eventfd: rd_worker_poll delivers in C; this serves the loops without
    it (select, the shutdown drain) the same way."""
    __slots__ = ("worker", "fds", "sts")

    def __init__(self, worker: "Worker") -> None:
        self.worker = worker
        self.fds, _, self.sts = core.poll_arrays(_POLL_MAX)

    def on_event(self, mask: int) -> None:
        w = self.worker
        n = core.worker_deliver(w.handle, self.fds, self.sts, _POLL_MAX)
        keys = w.selector.get_map()
        for key, st in [(keys.get(self.fds[i]), self.sts[i]) for i in range(n)]:
            if key is not None:
                key.data.after_io(st)


class Worker(threading.Thread):
    """A selectors loop over one listener per bound address and the connections it accepted."""

    def __init__(self, server: Any, index: int, listeners: list[tuple[socket.socket, Any]]) -> None:
        super().__init__(name=f"redistill-worker-{index}", daemon=True)
        self.server = server
        self.index = index
        self.stats = server.stats.slots[index]
        handle = core.worker_new(server.keyspace.ptr)
        self.handle = handle
        server.stats.attach(index, handle)
        self.selector = selectors.DefaultSelector()
        self._gate = AcceptGate(self.selector, f"worker {index}")
        for s, tls in listeners:
            self._gate.add(s, _Acceptor(self, s, tls))
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self.selector.register(self._wake_r, _READ, _Waker(self))
        self.selector.register(core.worker_pubsub_fd(handle), _READ, _Deliverer(self))
        self._calls: collections.deque[Callable[[], Any]] = collections.deque()
        self._stopping = False
        self._deadline = 0.0           # time.monotonic() by which every client must be closed
        self._over_soft: dict[Connection, float] = {}   # client -> when it went past the soft limit
        self.conns: set[Connection] = set()
        self._trim_next = 0              # trim_idle's place in the connections, and what it freed
        self._trim_freed = 0
        self._timers: list[tuple[float, int, Callable[[], Any]]] = []
        self._timer_seq = itertools.count()
        self.call_later(_SWEEP_PERIOD, self._sweep)

    # ---- other threads ---------------------------------------------------------------------------
    def call_soon(self, fn: Callable[[], Any]) -> None:
        """Runs fn on this worker's thread at its next wakeup (CLIENT KILL, config changes)."""
        self._calls.append(fn)
        self._wake()

    def stop(self, deadline: float) -> None:
        """Stop accepting, finish and flush what clients already sent, close them by deadline."""
        self._deadline = deadline
        self._stopping = True
        self._wake()

    def call_later(self, delay: float, fn: Callable[[], Any]) -> None:
        """Runs fn on this thread after delay seconds.  Owner thread only."""
        heapq.heappush(self._timers, (time.monotonic() + delay, next(self._timer_seq), fn))

    def _run_timers(self) -> float | None:
        """Runs the due timers; returns the seconds until the next one (None: no timer)."""
        timers = self._timers
        while timers:
            now = time.monotonic()
            if timers[0][0] > now:
                return timers[0][0] - now
            fn = heapq.heappop(timers)[2]
            try:
                fn()
            except Exception:
                log.exception("error in a timer on worker %d", self.index)
        return None

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # buffer full: a wakeup is already pending; closed: the worker is gone

    def trim_idle(self, idle_seconds: float, share: int = 1) -> None:
        """Frees the reusable buffers of connections idle for idle_seconds and fits busy ones' input
        buffers to their recent peak (server cron, via call_soon), so thousands of clients that once
        moved a big value do not pin a megabyte or two each.  Each call visits 1/share of the
        connections (at least 5), in turn, as Redis's clientsCron: every tick with share=HZ, each
        is seen about once a second."""
        conns = self.connections()
        n = min(len(conns), max(5, len(conns) // share))
        first = self._trim_next % len(conns) if conns else 0
        self._trim_next = first + n
        before = time.time() - idle_seconds
        self._trim_freed += sum(conn.trim_if_idle(before) for conn in (conns[first:] + conns[:first])[:n])
        if self._trim_freed >= _TRIM_RELEASE_BYTES:
            self._trim_freed = 0
            core.release_free_memory()  # else glibc keeps the freed megabytes cached in its arenas

    # ---- the loop ---------------------------------------------------------------------------
    def start(self) -> None:
        """threading.Thread.start with this worker's stack size (set only around its creation)."""
        previous = threading.stack_size(WORKER_STACK_SIZE)
        try:
            super().start()
        finally:
            threading.stack_size(previous)

    def run(self) -> None:
        try:
            self._serve()
            self._drain()
        except BaseException:
            log.exception("worker %d crashed", self.index)
        finally:
            self._close_everything()

    def _serve(self) -> None:
        if not isinstance(self.selector, getattr(selectors, "EpollSelector", ())):  # no epoll
            return self._serve_select()
        poll = core.worker_poll
        handle = self.handle
        epfd = self.selector.fileno()
        keys = self.selector.get_map()
        fds, evs, sts = core.poll_arrays(_POLL_MAX)
        gate = self._gate
        while not self._stopping:
            timeout = gate.timeout(self._run_timers())
            ms = -1 if timeout is None else int(math.ceil(timeout * 1000))  # ceil: no early wake-up spin
            n = poll(handle, epfd, ms, fds, evs, sts, _POLL_MAX)
            if n < 0:
                raise OSError(core.last_errno(), "epoll_wait failed")
            # Resolved before any handler runs: a handler may close a connection and an accept
            # may then reuse its fd, which must not receive the old connection's event.
            ready = [(keys.get(fds[i]), evs[i], sts[i]) for i in range(n)]
            for key, ev, st in ready:
                if key is None:
                    continue
                obj = key.data
                try:
                    if st >= 0:
                        obj.after_io(st)
                    else:  # as selectors maps epoll bits to its events
                        obj.on_event(((_WRITE if ev & ~_EPOLLIN else 0) | (_READ if ev & ~_EPOLLOUT else 0))
                                     & key.events)
                except Exception:
                    self._on_error(obj)
            gate.resume_if_due()

    def _serve_select(self) -> None:
        select = self.selector.select
        gate = self._gate
        while not self._stopping:
            for key, mask in select(gate.timeout(self._run_timers())):
                obj = key.data
                try:
                    obj.on_event(mask)
                except Exception:
                    self._on_error(obj)
            gate.resume_if_due()

    def _on_error(self, obj: Any) -> None:
        log.exception("unexpected error handling %r; closing it", obj)
        if isinstance(obj, Connection):
            try:
                obj.close()
            except Exception:
                log.exception("error closing %r", obj)

    def _on_wake(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        calls = self._calls
        while calls:
            fn = calls.popleft()
            try:
                fn()
            except Exception:
                log.exception("error in a call scheduled on worker %d", self.index)

    # ---- accepting --------------------------------------------------------------------------
    def _accept(self, listener: socket.socket, tls: Any) -> None:
        server = self.server
        stats = self.stats
        while True:
            accepted = self._gate.accept(listener)
            if accepted is None:
                return
            sock, addr = accepted
            stats.connections_received += 1
            host = addr[0] if isinstance(addr, tuple) else ""
            if not server.rate_ok(host):
                stats.rejected_connections += 1
                stats.rate_limited += 1
                self._reject(sock, addr, _RATE_LIMIT_ERROR, "connection_rate_limit reached "
                             f"({server.config.connection_rate_limit}/s)")
                continue
            if protected_mode_refuses(server.config, addr, server.acl.default.nopass):
                stats.rejected_connections += 1
                self._reject(sock, addr, PROTECTED_MODE_ERROR, "protected mode (no password set)")
                continue
            if not server.admit():
                stats.rejected_connections += 1
                self._reject(sock, addr, _MAX_CLIENTS_ERROR, "max number of clients reached "
                             f"({server.config.max_connections})")
                continue
            try:
                sock.setblocking(False)
                self._tune(sock)
                if tls is None:
                    conn = Connection(self, sock, addr)
                else:
                    from .tls import TLSConnection

                    conn = TLSConnection(self, tls.wrap_socket(
                        sock, server_side=True, do_handshake_on_connect=False), addr)
            except Exception:
                server.release_admission()
                log.exception("could not set up the connection from %s", format_addr(addr))
                sock.close()
                continue
            server.register_client(conn)
            self.conns.add(conn)
            try:
                self.selector.register(conn.sock, _READ, conn)
            except Exception:
                log.exception("could not register %r", conn)
                conn.close()  # also unregisters it from the server

    def _tune(self, sock: socket.socket) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            keepalive = self.server.config.tcp_keepalive   # CONFIG SET tcp-keepalive applies
            if keepalive > 0:
                # As Redis's anetKeepAlive: probe after `tcp-keepalive` idle seconds, then
                # every third of it, give up after 3 unanswered probes.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                if _HAS_KEEPIDLE:
                    try:
                        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, keepalive)
                        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL,
                                        max(1, keepalive // 3))
                        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
                    except OSError:
                        # Linux caps these at 32767 s; CONFIG SET accepts up to INT_MAX as Redis
                        # does, and Redis also keeps the connection when anetKeepAlive fails.
                        pass

    def _reject(self, sock: socket.socket, addr: Any, error: bytes, why: str) -> None:
        """Sends the error line (plain text even on a TLS port, as Redis does) and closes."""
        try:
            sock.setblocking(False)
            sock.send(error)
        except OSError:
            pass
        sock.close()
        log.warning("Rejected client %s: %s", format_addr(addr), why)   # a flood is rate-limited (logutil)

    # ---- the once-a-second sweep ---------------------------------------------------------------
    def _sweep(self) -> None:
        """Closes clients idle longer than `timeout` and TLS handshakes that take too long."""
        self.call_later(_SWEEP_PERIOD, self._sweep)
        timeout = self.server.config.timeout   # read each time: CONFIG SET timeout applies
        now = time.time()
        for gone in self._over_soft.keys() - self.conns:
            del self._over_soft[gone]
        for conn in list(self.conns):
            if conn.handshake_expired(now):
                conn.close()
            elif (timeout and now - conn.last_interaction > timeout and not conn.held
                  and conn.blocked is None   # Redis does not time out blocked clients either,
                  and not conn.monitoring):  # nor monitors (replicas to it)
                self.stats.timedout_clients += 1
                log.log(15, "Closing idle client %s (timeout %ds)", conn.addr, timeout)
                conn.close()
            elif self._past_soft_limit(conn, now):
                self.stats.obuf_limit_closes += not conn.subscribed   # C counts its own
                log.warning("Client %s closed for overcoming of output buffer limits.", conn.addr)
                conn.close()

    def _past_soft_limit(self, conn: Connection, now: float) -> bool:
        """client-output-buffer-limit's soft limit: unsent replies above `soft` bytes for more than
        `seconds` (checked at each sweep; the hard limit is C's, at each reply).  A subscriber's is the
        pubsub class, which C also checks at each delivery, with one clock for both."""
        if conn.subscribed:
            self._over_soft.pop(conn, None)
            return conn.pubsub_over_limit()
        soft, seconds = getattr(self.server, "obuf_soft_limit", (0, 0))
        if not soft or conn.memory()[2] < soft:
            self._over_soft.pop(conn, None)
            return False
        return now - self._over_soft.setdefault(conn, now) > seconds

    def swap_listeners(self, old_port: int, listeners: list[tuple[socket.socket, Any]]) -> None:
        """CONFIG SET bind/port (owner thread): the listeners on old_port give way to `listeners`;
        connections already accepted stay."""
        if self._stopping:
            for sock, _ in listeners:
                sock.close()
            return
        for listener, acceptor in self._gate.entries():
            if listener.getsockname()[1] == old_port:
                self._gate.remove(listener)
                # On an unchanged port the old and new listeners share one SO_REUSEPORT group, and
                # connections the kernel queued on the old one would be reset by its close: take them.
                self._accept(listener, acceptor.tls)
                listener.close()
        for sock, tls in listeners:
            self._gate.add(sock, _Acceptor(self, sock, tls))

    # ---- stopping ---------------------------------------------------------------------------
    def connections(self) -> list[Connection]:
        """This worker's open connections (owner thread; others use Server.clients())."""
        return list(self.conns)

    def _drain(self) -> None:
        """Stop accepting; run commands already received, flush replies, close by the deadline."""
        self._gate.close()
        self._on_wake()  # run calls queued before the stop
        pending = set()
        for conn in self.connections():
            try:
                st = conn.drain()
            except Exception:
                self._on_error(conn)
                continue
            if st == core.NEED_MORE:
                pending.add(conn)
            else:
                conn.close()
        select = self.selector.select
        while pending:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                break
            for key, mask in select(min(remaining, 0.5)):
                obj = key.data
                if not isinstance(obj, Connection):
                    obj.on_event(mask)
                    continue
                try:
                    st = obj.drain()
                except Exception:
                    self._on_error(obj)
                    pending.discard(obj)
                    continue
                if st != core.NEED_MORE:
                    obj.close()
                    pending.discard(obj)
        if pending:
            log.warning("worker %d: closing %d clients with unsent replies (grace period over)",
                        self.index, len(pending))

    def _close_everything(self) -> None:
        for conn in self.connections():
            try:
                conn.close()
            except Exception:
                log.exception("error closing %r", conn)
        self._gate.close()
        try:
            self.selector.close()
        except Exception:
            pass
        self._wake_r.close()
        self._wake_w.close()
