"""One client socket: the `client` object command handlers receive, and its event loop around rd_conn_io.

Rules (the owner thread is the Worker that accepted the socket):
- The rd_conn handle, the socket and the selector registration are touched only by the owner
  thread.  Other threads (CLIENT KILL, SHUTDOWN) go through worker.call_soon().
- C owns the buffers and all framing.  Per readable event: rd_conn_io(c, fd, 1); while it says
  RD_SLOW, Python decodes the pending frame, dispatches it, hands the reply back with
  rd_conn_reply and calls rd_conn_io(c, fd, 0) to let C continue the batch.
- The socket is attached to the worker's C event loop (rd_worker_poll): C runs readable events
  itself and Python sees a connection only when rd_conn_io did not end in RD_OK (after_io)
  or for write events (on_event).  Detached before the rd_conn is freed.
- Backpressure: while C has output it could not write (RD_NEED_MORE) the socket is selected for
  EVENT_WRITE only, so a client that does not read its replies stops being read too.
- The rd_conn is freed exactly once, in close(); after that self._c is None.
- A held reply (delay_reply: failed AUTH from an address that keeps failing) parks the
  connection: it leaves the selector, and a worker timer hands the reply to C and resumes.
- A blocked command (BLPOP & co., block()) keeps the socket in the selector: C goes on reading
  it into the input buffer without running anything (rd_conn_set_blocked), so a peer's close is
  seen and cancels the wait before any push can hand the client an element.
- MONITOR lines arrive from any thread through monitor_push (a deque append and one call_soon
  per burst); the owner thread appends them to C's output.  A command held by CLIENT PAUSE
  parks the connection like a blocked one and runs again through replay() on the owner thread.
- TLS connections (tls.py) subclass this one and replace the socket I/O (on_event, _resume_io,
  drain); everything between C and the dispatcher is shared.
- Hot path: no logging, no locks, no per-command objects beyond the decoded argument list.
"""
from __future__ import annotations

import collections
import selectors
import socket
import threading
import time
from typing import Any

from . import core
from .commands import dispatch, monitor, tracking
from .commands.transactions import reset_transaction_state
from .keyspace import BlockValue
from .protocol import BIG_FRAME, decode_big_frame, decode_frame

_READ = selectors.EVENT_READ
_WRITE = selectors.EVENT_WRITE

# Module globals: a global lookup is cheaper than an attribute lookup on `core` per call.
_io = core.conn_io
_command = core.conn_command
_reply = core.conn_reply
_unpack = core.unpack
_buffer = core.buffer
_frame_done = core.conn_frame_done
_time = time.time
_OK = core.OK
_SLOW = core.SLOW
_NEED_MORE = core.NEED_MORE
_CLOSE = core.CLOSE
_HELD = -1   # not an rd_status: the reply is held back by a timer (delay_reply)


def format_addr(addr: Any) -> str:
    """("1.2.3.4", 5) -> "1.2.3.4:5"; IPv6 in brackets as Redis prints it; unix sockets as is."""
    if isinstance(addr, tuple) and len(addr) >= 2:
        host, port = addr[0], addr[1]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return str(addr or "")


class Connection:
    """A connected client; also the `client` object handed to command handlers (PLAN.md)."""

    __slots__ = (
        "id", "_name", "lib_name", "lib_ver", "addr", "laddr", "fd", "created",
        "_last_interaction", "last_command", "db", "server",
        "_resp", "_authenticated", "_c", "_sock", "_worker", "_selector", "_stats",
        "_frame", "_len", "_writing", "_fastpath", "_held", "_hold_for",
        "no_evict", "no_touch", "_reply_off", "_reply_skip", "_skip_next", "_mem",
        "multi", "multi_failed", "watched",
        "in_exec", "_blocked", "_blocked_silent", "blocked_slowlog",
        "monitoring", "_mon_lines", "_mon_flush_queued", "ps_counts", "tracking", "user",
    )

    # C may recv/send on the socket itself (rd_worker_poll): False for a socket C cannot read
    # (TLS), whose events then all come to on_event.
    c_reads_socket = True

    def __init__(self, worker: Any, sock: socket.socket, addr: Any) -> None:
        server = worker.server
        self.server = server
        self.id = server.next_client_id()
        self._name: bytes | None = None
        self.lib_name = ""
        self.lib_ver = ""
        self.addr = format_addr(addr)
        try:
            self.laddr = format_addr(sock.getsockname())
        except OSError:
            self.laddr = ""
        self.fd = sock.fileno()
        self.created = self._last_interaction = _time()
        self.last_command = "NULL"   # Redis's CLIENT LIST cmd= before the first command
        self.db = 0
        # Transactions (commands/transactions.py): the MULTI queue of (spec, args), None outside
        # MULTI; whether a queueing error dooms the EXEC; WATCHed key -> (version, live).
        self.multi: list | None = None
        self.multi_failed = False
        self.watched: dict[bytes, tuple[int, bool]] = {}
        self._sock = sock
        self._worker = worker
        self._selector = worker.selector
        self._stats = worker.stats
        self._frame, self._len = core.out_pointer()   # out-params of rd_conn_command, reused
        self._writing = False
        self._held: bytes | None = None
        self._hold_for = 0.0
        self.in_exec = False           # running EXEC's queue (blocking commands do not block)
        self._blocked: Any = None      # the commands/blocking.py Waiter while in BLPOP & co.
        self._blocked_silent = False   # ... whose reply CLIENT REPLY OFF/SKIP drops
        self.blocked_slowlog: tuple | None = None   # ... its (args, usec) for SLOWLOG when it ends
        self.monitoring = False        # MONITOR (commands/monitor.py): lines come via monitor_push
        self._mon_lines: collections.deque[bytes] = collections.deque()
        self._mon_flush_queued = False
        self.ps_counts = (0, 0, 0)     # Pub/Sub: channels, patterns, shard channels (C keeps them)
        self.tracking: Any = None      # CLIENT TRACKING's mode (commands/tracking.py), None when off
        self._resp = 2
        self._fastpath = bool(server.config.fastpath)
        self.user = server.acl.default   # the ACL user (redistill/acl.py); C gets its handle below
        self._authenticated = not server.acl.auth_required()
        self.no_evict = False          # CLIENT NO-EVICT (flag e; no client eviction exists here)
        self.no_touch = False          # CLIENT NO-TOUCH (flag T)
        self._reply_off = False        # CLIENT REPLY OFF, or SKIP for the current command
        self._reply_skip = False
        self._skip_next = False        # CLIENT REPLY SKIP: the next command's reply is dropped
        self._mem = core.memory_sizes()   # buffer sizes (CLIENT LIST), see memory()
        c = core.conn_new(worker.handle)
        self._c = c
        core.conn_mirror_memory(c, self._mem)   # C keeps the sizes other threads read in _mem
        if self.c_reads_socket and core.worker_attach(worker.handle, self.fd, c) != _OK:
            core.conn_free(c)
            self._c = None
            raise MemoryError("rd_worker_attach failed")
        core.conn_set_resp(c, 2)
        if core.trk_attach(c, self.id, self.fd, int(self.c_reads_socket)) != _OK:
            core.conn_free(c)
            self._c = None
            raise MemoryError("rd_trk_attach failed")
        self._tell_c_client()
        core.conn_set_authenticated(c, int(self._authenticated))
        core.conn_set_acl(c, self.user.c_handle)
        core.conn_set_output_limit(c, int(getattr(server.config, "client_output_buffer_limit", 0)))
        core.conn_set_input_limit(c, int(getattr(server.config, "client_query_buffer_limit", 0)))
        self._update_fast()

    # ---- the client interface (PLAN.md) -------------------------------------------------------
    @property
    def name(self) -> bytes | None:
        return self._name

    @name.setter
    def name(self, value: bytes | None) -> None:
        """CLIENT SETNAME, HELLO SETNAME, RESET: C's SLOWLOG entries show the name too."""
        self._name = value
        self._tell_c_client()

    def _tell_c_client(self) -> None:
        if self._c is not None:
            addr, name = self.addr.encode("latin-1"), self._name or b""
            core.conn_set_client(self._c, addr, len(addr), name, len(name))

    @property
    def resp(self) -> int:
        return self._resp

    def set_resp(self, proto: int) -> None:
        """HELLO 2|3: replies from Python (protocol.encode) and from C follow this version."""
        if proto not in (2, 3):
            raise ValueError(f"RESP version {proto}")
        self._resp = proto
        if self._c is not None:
            core.conn_set_resp(self._c, proto)
            self._update_fast()

    @property
    def authenticated(self) -> bool:
        # As Redis's authRequired(): without a password nobody needs AUTH, even a client that
        # connected while one was set (and that needs it again if a password is set again).  Such
        # a client stays out of fast mode, so the dispatcher checks this at each command.
        return self._authenticated or not self.server.acl.auth_required()

    def set_user(self, user: Any) -> None:
        """AUTH, HELLO AUTH, RESET: the user whose rules apply from the next command (C too)."""
        self.user = user
        if self._c is not None:
            core.conn_set_acl(self._c, user.c_handle)

    def set_authenticated(self, value: bool) -> None:
        self._authenticated = bool(value)
        self.refresh_config()

    def refresh_config(self) -> None:
        """Takes the password state (for the frame limits of unauthenticated clients) and the buffer
        limits into C.  Owner thread; after CONFIG SET."""
        if self._c is not None:
            cfg = self.server.config
            core.conn_set_authenticated(self._c, int(self.authenticated))
            core.conn_set_output_limit(self._c, int(cfg.client_output_buffer_limit))
            core.conn_set_input_limit(self._c, int(cfg.client_query_buffer_limit))
            self._update_fast()

    def trim_if_idle(self, before: float) -> int:
        """Gives back idle buffers (rd_conn_trim) when nothing happened since `before`, else fits
        the input buffer to its recent peak (rd_conn_fit_input); returns the bytes freed.  Owner thread."""
        if self._c is None:
            return 0
        return (core.conn_trim if self.last_interaction < before else core.conn_fit_input)(self._c)

    def set_multi(self, queue: list | None) -> None:
        """Enters MULTI (queue = []) or leaves it (None).  Inside MULTI every command must reach
        the dispatcher to be queued, so the C fast path is off for this connection."""
        self.multi = queue
        self.multi_failed = False
        if self._c is not None:
            self._update_fast()

    def close_after_reply(self) -> None:
        """QUIT: C returns RD_CLOSE once the current output is flushed.  Owner thread only."""
        if self._c is not None:
            core.conn_close_after_reply(self._c)

    def kill(self) -> bool:
        """CLIENT KILL from any thread: leaves the client registry at once (so CLIENT LIST and a
        second KILL no longer see it, as in Redis), then closes on its owner thread.  False when
        another thread's KILL (or the close) got there first: only one of them counts it."""
        if not self.server.unregister_client(self):
            return False
        self._worker.call_soon(self.close)
        return True

    def set_reply_mode(self, mode: str) -> None:
        """CLIENT REPLY ON|OFF|SKIP.  While replies are dropped the fast path is off, so every
        command goes through _run_slow, which discards its reply."""
        if mode == "on":
            self._reply_off = self._reply_skip = self._skip_next = False
        elif mode == "off":
            self._reply_off = True
        elif mode == "skip" and not self._reply_off:
            self._reply_skip = self._skip_next = True   # this reply and the next one
        if self._c is not None:
            self._update_fast()

    def reset_reply_mode(self) -> None:
        """RESET: replies are on again from the next command (Redis clears REPLY_OFF and
        SKIP_NEXT; a SKIP of RESET itself still drops its reply)."""
        self._reply_off = self._skip_next = False
        if self._c is not None:
            self._update_fast()

    def drop_reply(self) -> None:
        """The current command's reply is not sent (SHUTDOWN closes without one)."""
        self._reply_skip = True

    @property
    def reply_mode(self) -> str:
        return "off" if self._reply_off else "skip" if (self._reply_skip or self._skip_next) else "on"

    def memory(self) -> tuple[int, ...]:
        """(qbuf, qbuf-free, obl, omem, tot-mem): live on the owner thread; from another thread
        the copy in self._mem that C refreshes before each reply leaves and at each buffer sweep
        (rd_conn is owner-thread only: rd_conn_mirror_memory)."""
        if self._c is not None and self._worker is threading.current_thread():
            core.conn_memory(self._c, self._mem, core.CM_NSTATS)
        return tuple(self._mem)

    @property
    def last_interaction(self) -> float:
        """time.time() of the last I/O or command: C keeps it (fast commands never reach Python),
        Python code may also set it (TLS); the later of the two."""
        c = self._c
        if c is None:
            return self._last_interaction
        return max(self._last_interaction, core.conn_last_interaction_ms(c) / 1000.0)

    @last_interaction.setter
    def last_interaction(self, value: float) -> None:
        self._last_interaction = value

    @property
    def worker_index(self) -> int:
        return self._worker.index

    @property
    def closed(self) -> bool:
        return self._c is None

    @property
    def sock(self) -> socket.socket:
        return self._sock

    @property
    def held(self) -> bool:
        return self._held is not None

    def delay_reply(self, seconds: float) -> None:
        """Holds the reply of the command being run for `seconds` (failed AUTH slow-down),
        without blocking the worker: the connection waits on a timer, the others go on."""
        self._hold_for = seconds

    @property
    def worker(self) -> Any:
        return self._worker

    def block(self, waiter: Any) -> None:
        """BLPOP & co. found nothing: once the handler returns the connection waits, still
        read (so its EOF closes it and cancels the wait) but running nothing, until waiter
        ends it with unblock().  Owner thread.  The reply mode is the one the command was
        issued under (CLIENT REPLY OFF or SKIP drop its reply, whenever it comes)."""
        self._blocked = waiter
        self._blocked_silent = self._reply_off or self._reply_skip

    @property
    def blocked(self) -> Any:
        """The Waiter of the blocking command this client waits in, or None."""
        return self._blocked

    def unblock(self, reply: bytes, resume_later: bool = False) -> None:
        """Sends a blocked command's reply and resumes the connection where it stopped: now, or
        (resume_later: called from inside another client's command on this worker, where our
        pipelined commands must not run) from the event loop."""
        if self._c is None or self._blocked is None:
            return
        self._end_block(reply)
        if resume_later:
            self._worker.call_soon(self._resume)
        else:
            self._resume()

    def monitor_push(self, line: bytes) -> None:
        """A MONITOR line, from any thread: queued, and written out on the owner thread (one
        call_soon per burst).  The flag is cleared before the queue is drained, so a line
        appended meanwhile is either drained or schedules the next flush."""
        if self._reply_off:   # CLIENT REPLY OFF drops them, as any reply (a stale read is fine)
            return
        self._mon_lines.append(line)
        if not self._mon_flush_queued:
            self._mon_flush_queued = True
            self._worker.call_soon(self._flush_monitor)

    def _flush_monitor(self) -> None:
        self._mon_flush_queued = False
        lines = self._mon_lines
        if self._c is None:
            lines.clear()
            return
        data = b"".join([lines.popleft() for _ in range(len(lines))])
        core.conn_push(self._c, data, len(data))   # past client_output_buffer_limit: dropped
        if self._held is None and self._blocked is None:   # else it goes out when they resume
            self._settle(self._resume_io())

    def replay(self, waiter: Any) -> None:
        """CLIENT PAUSE ended: the postponed command runs again from the dispatcher's checks on
        (it may be postponed again, or block).  Owner thread."""
        if self._c is None or self._blocked is not waiter:
            return
        self._blocked = None
        core.conn_set_blocked(self._c, 0)
        self._settle(self._answer(dispatch(self, waiter.args)))

    def _resume(self) -> None:
        if self._c is not None and self._held is None and self._blocked is None:
            self._settle(self._resume_io())

    def _end_block(self, reply: bytes) -> None:
        self._blocked = None
        core.conn_set_blocked(self._c, 0)
        if self._blocked_silent:
            reply = b""
        _reply(self._c, reply, len(reply))
        self._stats.commands += 1
        entry, self.blocked_slowlog = self.blocked_slowlog, None
        slowlog = getattr(self.server, "slowlog", None)
        if entry is not None and slowlog is not None and 0 <= slowlog.slower_than <= entry[1]:
            slowlog.record(self, *entry)   # its call's time, not the wait (Redis's updateStatsOnUnblock)

    def handshake_expired(self, now: float) -> bool:
        """True for a TLS connection whose handshake has taken too long (tls.py)."""
        return False

    def _update_fast(self) -> None:
        # Fast mode needs the fast path enabled and an authenticated client: before AUTH every
        # command must reach the dispatcher (NOAUTH); inside MULTI, to be queued; with
        # CLIENT REPLY OFF/SKIP, so the dispatcher can drop the replies.
        # A RESP2 subscriber, so that the dispatcher refuses what subscribed mode does not allow.
        # A BCAST, OPTIN or OPTOUT tracking client, whose reads are remembered in Python
        # (commands/tracking.py); a plain one's fast reads remember their keys in C.
        core.conn_set_fast(self._c, int(self._fastpath and self._authenticated and self.multi is None
                                        and not (self._reply_off or self._reply_skip
                                                 or self._skip_next)
                                        and not (self._resp == 2 and self.subscribed)
                                        and (self.tracking is None or self.tracking.plain)))

    # ---- Pub/Sub (commands/pubsub.py; the registry is C's) ---------------------------------------
    @property
    def subscribed(self) -> bool:
        """Redis's CLIENT_PUBSUB: any channel, pattern or shard channel subscription."""
        return self.ps_counts != (0, 0, 0)

    def pubsub_subscribe(self, kind: int, names: list[bytes]) -> bytes:
        """(P|S)SUBSCRIBE: the confirmations.  Owner thread."""
        return self._pubsub(core.ps_subscribe(self._c, self.fd, self.c_reads_socket, kind, names))

    def pubsub_unsubscribe(self, kind: int, names: list[bytes]) -> bytes:
        """(P|S)UNSUBSCRIBE (no names: all of the kind): the confirmations.  Owner thread."""
        return self._pubsub(core.ps_unsubscribe(self._c, kind, names))

    def pubsub_reset(self) -> None:
        """RESET: every subscription goes, without confirmations."""
        if self.subscribed:
            for kind in (core.PS_CHANNEL, core.PS_PATTERN, core.PS_SHARD):
                core.ps_unsubscribe_silently(self._c, kind)
            self._pubsub(b"")

    def _pubsub(self, data: bytes) -> bytes:
        c = self._c
        self.ps_counts = tuple(core.ps_client_count(c, k) for k in (core.PS_CHANNEL, core.PS_PATTERN,
                                                                     core.PS_SHARD))
        self._update_fast()
        return data

    def pubsub_over_limit(self) -> bool:
        """A subscriber over client-output-buffer-limit's pubsub class (C's check, C's soft-limit clock).
        Owner thread."""
        return self._c is not None and bool(core.ps_over_limit(self._c))

    def push(self, data: bytes) -> None:
        """Output no reply mode drops (Pub/Sub confirmations), before the pending reply."""
        if data and self._c is not None:
            core.conn_push(self._c, data, len(data))

    def _dispatch_subscriber(self, args: list[bytes]) -> bytes:
        """A subscriber's command (or a transaction's, which may subscribe): its own PUBLISH messages go
        before the count, as Redis writes them."""
        core.ps_enter(self._c)
        try:
            return dispatch(self, args)
        finally:
            core.ps_enter(core.NULL)

    # ---- client-side caching (commands/tracking.py; the table is C's) -------------------------------
    @property
    def c_handle(self) -> Any:
        """The rd_conn (None once closed), for the C calls of commands/tracking.py."""
        return self._c

    def set_tracking(self, mode: Any) -> None:
        """CLIENT TRACKING ON (mode) / OFF (None).  A BCAST, OPTIN or OPTOUT client's commands take
        the Python path, where its reads are remembered before they run.  Owner thread."""
        self.tracking = mode
        self._update_fast()

    def _dispatch_tracking(self, args: list[bytes]) -> bytes:
        """A tracking client's command: the invalidations of its own changes wait in C for its reply
        (rd_conn_reply appends them after it), and NOLOOP knows who changed a key."""
        core.trk_enter(self._c)
        try:
            if self.ps_counts != (0, 0, 0) or self.multi is not None:
                return self._dispatch_subscriber(args)
            return dispatch(self, args)
        finally:
            core.trk_enter(core.NULL)
            tracking.after_command(self, args)

    # ---- events (owner thread) ----------------------------------------------------------------
    def on_event(self, mask: int) -> None:
        """One selector event.  Read interest => read and run; write interest => flush and run."""
        c = self._c
        if c is None:  # closed earlier in the same batch of events (call_soon, kill)
            return
        self.last_interaction = _time()
        self._settle(_io(c, self.fd, mask & _READ))

    def after_io(self, st: int) -> None:
        """Carries on from an rd_conn_io result that rd_worker_poll got (C ran the io itself), or
        from a Pub/Sub delivery (rd_worker_deliver), which may come while a reply is held."""
        if self._c is not None and self._held is None:
            self._settle(st)

    def _resume_io(self) -> int:
        """Lets C go on with the batch after a slow command's reply (no new reads)."""
        return _io(self._c, self.fd, 0)

    def _settle(self, st: int) -> None:
        """Runs slow commands while C asks, then matches the selector interest to the result."""
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
        elif st != _HELD:  # RD_CLOSE (or anything unexpected)
            self.close()

    def _run_slow(self, st: int) -> int:
        """Runs the commands C hands over until C no longer needs Python."""
        c = self._c
        frame = self._frame
        length = self._len
        while st == _SLOW:
            if _command(c, frame, length) != _OK:
                raise RuntimeError("rd_conn_io returned RD_SLOW with no pending command")
            n = length[0]
            if n < BIG_FRAME:
                args = decode_frame(_unpack(frame[0], n))
            else:  # copied out once (or kept where C read it); C may free the frame meanwhile
                args = decode_big_frame(_buffer(frame[0], n), self._lent_value(frame[0]))
                _frame_done(c)
            if self.tracking is not None:
                st = self._answer(self._dispatch_tracking(args))
            else:
                st = self._answer(self._dispatch_subscriber(args)
                                  if self.ps_counts != (0, 0, 0) or self.multi is not None else dispatch(self, args))
        return st

    def _lent_value(self, frame: Any) -> tuple[int, BlockValue] | None:
        """(offset in the frame, BlockValue) of the big value a SET-like command stores, when C
        read it into a block the keyspace can take (rd_conn_take_block).  Not while a monitor
        watches: it is shown the whole value after the command, when an entry owns the block."""
        taken = None if monitor.active() else core.conn_take_block(self._c)
        if taken is None:
            return None
        block, at, size = taken
        return at, BlockValue(block, frame + at, size)

    def _answer(self, reply: bytes) -> int:
        """Hands a dispatched command's reply to C (or holds or parks the connection) and lets
        C go on with the batch."""
        if self._c is None:   # closed while dispatching (never expected: defensive)
            return _CLOSE
        if self._reply_off or self._reply_skip or self._skip_next:
            reply = self._filter_reply(reply)
        if self._hold_for:
            return self._hold(reply)
        if self._blocked is not None:
            return self._park()
        _reply(self._c, reply, len(reply))
        self._stats.commands += 1
        return self._resume_io()

    def _filter_reply(self, reply: bytes) -> bytes:
        """CLIENT REPLY OFF/SKIP (Redis's CLIENT_REPLY_OFF / _SKIP / _SKIP_NEXT flags)."""
        if self._reply_off or self._reply_skip:
            reply = b""
        self._reply_skip = self._skip_next
        self._skip_next = False
        if not self._reply_off and not self._reply_skip:
            self._update_fast()
        return reply

    def _hold(self, reply: bytes) -> int:
        delay, self._hold_for = self._hold_for, 0.0
        self._held = reply
        try:
            self._selector.unregister(self._sock)
        except (KeyError, ValueError):
            pass
        self._worker.call_later(delay, self._release)
        return _HELD

    def _park(self) -> int:
        """A blocked client: C keeps reading its socket (EOF closes it) and runs nothing; the
        replies of the commands before it in the batch are flushed now, as Redis would."""
        core.conn_set_blocked(self._c, 1)
        return self._resume_io()

    def _release(self) -> None:
        """Timer: sends the held reply and resumes the connection where it stopped."""
        if self._c is None or self._held is None:
            return
        self._put_held()
        self._settle(self._resume_io())

    def _put_held(self) -> None:
        reply, self._held = self._held, None
        _reply(self._c, reply, len(reply))
        self._stats.commands += 1
        self._writing = False
        self._selector.register(self._sock, _READ, self)

    def drain(self) -> int:
        """Shutdown: finish commands already read (without reading more) and flush.

        Returns RD_OK / RD_CLOSE when done, RD_NEED_MORE when output is still pending."""
        # A loop, not a recursion per blocking command: a client may have pipelined thousands.
        again = True
        while again:
            if self._c is None:
                return _CLOSE
            if self._blocked is not None:  # shutting down: blocked clients get their timeout reply
                waiter = self._blocked
                waiter.end(waiter.null)       # or the answer it was already given
                self._end_block(waiter.reply)
            if self._held is not None:   # shutting down: no more waiting
                self._put_held()
            st = self._resume_io()
            again = False
            while st == _SLOW:
                st = self._run_slow(st)
                if st == _HELD or self._blocked is not None:
                    again = True
                    break
        if st == _NEED_MORE and not self._writing:
            self._writing = True
            self._selector.modify(self._sock, _WRITE, self)
        return st

    def close(self) -> None:
        """Unregisters, closes the socket and frees the rd_conn.  Idempotent; owner thread."""
        c = self._c
        if c is None:
            return
        self._last_interaction = self.last_interaction
        self._c = None
        if self._blocked is not None:  # out of the blocked-clients registry
            waiter, self._blocked = self._blocked, None
            waiter.cancel()
        core.worker_detach(self._worker.handle, self.fd, c)
        try:
            self._selector.unregister(self._sock)
        except (KeyError, ValueError):
            pass
        # Out of the registry before the peer can see the close: a client that saw its
        # connection end (CLIENT KILL) must not find it in CLIENT LIST or KILL it again.
        self._worker.conns.discard(self)
        reset_transaction_state(self)  # drops its WATCH registrations
        monitor.stop(self)
        self.server.unregister_client(self)
        try:
            self._sock.close()
        except OSError:
            pass
        core.conn_free(c)

    def __repr__(self) -> str:
        return f"<Connection id={self.id} addr={self.addr} fd={self.fd}>"
