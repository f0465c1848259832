"""The C core's face for the server loop: worker and connection handles, process-wide switches,
the SLOWLOG queue and status texts (the keyspace's face is keyspace.py).

Rules:
  - this module and keyspace.py are the only importers of redistill._core, whichever loader
    built it (cffi, or ctypes through _core_loader.py); no other module sees `ffi` or `lib`
    (tests/unit/test_core_face.py checks it);
  - each name is its C function without the rd_ prefix (conn_io is rd_conn_io), with the thread
    note csrc/redistill.h gives it;
  - calls on the per-batch path are the C functions themselves bound to module names, so a
    caller that binds them to its own globals pays no Python layer in between;
  - what needs ffi (out-parameters, arrays, NULL results, C strings) is a small function here,
    so callers get Python values or exceptions.
"""
from __future__ import annotations

import threading
from typing import Any

from redistill import _core
from redistill._core import ffi, lib

LOADER = getattr(_core, "LOADER", "cffi")   # INFO server's redistill_core_loader

# rd_status values the event loops branch on.
OK = lib.RD_OK
SLOW = lib.RD_SLOW
NEED_MORE = lib.RD_NEED_MORE
CLOSE = lib.RD_CLOSE
STATUS_COUNT = lib.RD_STATUS_COUNT

# Copies n bytes from a C pointer (unpack), or lends them without a copy (buffer: valid only
# as long as C keeps them, e.g. a frame until rd_conn_frame_done or rd_conn_reply).
unpack = ffi.unpack
buffer = ffi.buffer


def out_pointer() -> tuple[Any, Any]:
    """A (const char **, size_t *) pair of out-parameters, for conn_command and conn_output;
    read as ptr[0], n[0].  Allocate once per connection and reuse."""
    return ffi.new("const char **"), ffi.new("size_t *")


def _created(handle: Any, what: str) -> Any:
    """A new handle, or MemoryError for C's NULL (out of memory)."""
    if handle == ffi.NULL:
        raise MemoryError(f"{what} failed")
    return handle


def status_message(st: int) -> str:
    """The full RESP error line of a status ("-WRONGTYPE ..."; "" when it is not an error)."""
    return ffi.string(lib.rd_status_message(st)).decode("latin-1")


def status_code(name: str) -> int:
    """The rd_status value of a name in redistill.h ("RD_ERR_SYNTAX"): how errors.py keys C's table."""
    return getattr(lib, name)


# ---- process-wide switches (any thread) ---------------------------------------------------------
release_free_memory = lib.rd_release_free_memory
set_python_only = lib.rd_set_python_only            # (on): MONITOR, CLIENT PAUSE
set_proto_max_bulk_len = lib.rd_set_proto_max_bulk_len
set_list_waiters = lib.rd_set_list_waiters          # (n): blocked pops waiting, process-wide


# ---- workers --------------------------------------------------------------------------------
def worker_new(keyspace_ptr: Any) -> Any:
    return _created(lib.rd_worker_new(keyspace_ptr), "rd_worker_new")


worker_free = lib.rd_worker_free
worker_attach = lib.rd_worker_attach
worker_detach = lib.rd_worker_detach
worker_poll = lib.rd_worker_poll   # (w, epfd, timeout_ms, fds, events, statuses, max) -> n, -1: errno


def poll_arrays(n: int) -> tuple[Any, Any, Any]:
    """worker_poll's out-arrays for up to n events: fds, epoll events, rd_conn_io statuses."""
    return ffi.new("int[]", n), ffi.new("uint32_t[]", n), ffi.new("int[]", n)


def last_errno() -> int:
    """errno after this thread's last C call (worker_poll's -1)."""
    return ffi.errno


def worker_counters(handle: Any, nfast: int) -> tuple[Any, ...]:
    """A worker's C counters (any thread, relaxed reads): commands, bytes in, bytes out, calls
    and failed calls per fast command (nfast of each), error replies per rd_status."""
    out = ffi.new("uint64_t[]", lib.RD_W_NSTATS)
    lib.rd_worker_stats(handle, out, lib.RD_W_NSTATS)
    calls, failed = ffi.new("uint64_t[]", nfast), ffi.new("uint64_t[]", nfast)
    lib.rd_worker_command_calls(handle, calls, failed, nfast)
    errors = ffi.new("uint64_t[]", STATUS_COUNT)
    lib.rd_worker_error_counts(handle, errors, STATUS_COUNT)
    return (out[lib.RD_W_COMMANDS], out[lib.RD_W_NET_IN], out[lib.RD_W_NET_OUT], tuple(calls),
            tuple(failed), tuple(errors))


# ---- connections (owner thread only) ----------------------------------------------------------
def conn_new(worker_handle: Any) -> Any:
    return _created(lib.rd_conn_new(worker_handle), "rd_conn_new")


conn_free = lib.rd_conn_free
conn_io = lib.rd_conn_io
conn_command = lib.rd_conn_command
conn_frame_done = lib.rd_conn_frame_done
conn_reply = lib.rd_conn_reply
conn_push = lib.rd_conn_push
conn_set_fast = lib.rd_conn_set_fast
conn_set_blocked = lib.rd_conn_set_blocked
conn_set_resp = lib.rd_conn_set_resp
conn_set_authenticated = lib.rd_conn_set_authenticated
conn_set_acl = lib.rd_conn_set_acl
script_set_acl_python = lib.rd_script_set_acl_python


def acl_new() -> Any:
    """A C ACL handle (csrc/acl.c), released when the returned object goes."""
    return ffi.gc(lib.rd_acl_new(), lib.rd_acl_release)


def acl_update(handle: Any, open_: int, bits: bytes, allkeys: int, patterns: bytes) -> None:
    if lib.rd_acl_update(handle, open_, bits, len(bits), allkeys, patterns, len(patterns)) != OK:
        raise MemoryError("rd_acl_update")
conn_set_client = lib.rd_conn_set_client
conn_set_output_limit = lib.rd_conn_set_output_limit
conn_set_input_limit = lib.rd_conn_set_input_limit
conn_trim = lib.rd_conn_trim
conn_fit_input = lib.rd_conn_fit_input
conn_close_after_reply = lib.rd_conn_close_after_reply
conn_last_interaction_ms = lib.rd_conn_last_interaction_ms
conn_memory = lib.rd_conn_memory   # (c, sizes, CM_NSTATS): fills an array from memory_sizes()
conn_mirror_memory = lib.rd_conn_mirror_memory   # (c, sizes): C keeps that array current
CM_NSTATS = lib.RD_CM_NSTATS


def conn_take_block(c: Any) -> tuple[Any, int, int] | None:
    """rd_conn_take_block: (the block, now the caller's; the value's offset in the frame; its
    length), or None when the pending command's value has no block of its own."""
    block, at, size = ffi.new("char **"), ffi.new("size_t *"), ffi.new("size_t *")
    if lib.rd_conn_take_block(c, block, at, size) != OK:
        return None
    return block[0], at[0], size[0]


# The buffer-level API of sockets C cannot read itself (TLS).
conn_feed = lib.rd_conn_feed
conn_run = lib.rd_conn_run
conn_output = lib.rd_conn_output
conn_consume_output = lib.rd_conn_consume_output


def memory_sizes() -> Any:
    """conn_memory's out-array (RD_CM_* indices), zeroed."""
    return ffi.new("uint64_t[]", CM_NSTATS)


# ---- SLOWLOG's queue of fast-path entries (any thread) ----------------------------------------
slowlog_config = lib.rd_slowlog_config      # (slower_than_us, max_len)
slowlog_next_id = lib.rd_slowlog_next_id


def slowlog_drain() -> bytes:
    """The queued entries' records (format: rd_slowlog_drain in csrc/redistill.h); b"" when
    there are none.  Entries queued meanwhile wait for the next call."""
    size = lib.rd_slowlog_pending()
    if not size:
        return b""
    buf = ffi.new("char[]", size)
    return ffi.unpack(buf, lib.rd_slowlog_drain(buf, size))


# ---- Pub/Sub (csrc/pubsub.c; docs/LOCKING.md) -----------------------------------------------------
# kind: 0 channels, 1 patterns, 2 shard channels.
PS_CHANNEL, PS_PATTERN, PS_SHARD = 0, 1, 2
ps_enter = lib.rd_ps_enter                      # (c or ffi.NULL) around a subscriber's slow command
ps_client_count = lib.rd_ps_client_count        # (c, kind), owner thread
ps_count = lib.rd_ps_count                      # (kind): INFO's pubsub_channels & co., any thread
ps_set_limits = lib.rd_ps_set_limits            # (hard, soft, seconds): the pubsub output class
ps_limit_disconnections = lib.rd_ps_limit_disconnections
ps_over_limit = lib.rd_ps_over_limit           # (c), owner thread: the sweep's check of a subscriber
worker_pubsub_fd = lib.rd_worker_pubsub_fd
notify_set_flags = lib.rd_notify_set_flags      # (flags): notify-keyspace-events as NOTIFY_* bits, any thread
worker_deliver = lib.rd_worker_deliver          # (w, fds, statuses, max) -> n, as worker_poll reports
NULL = ffi.NULL

_ps_bufs = threading.local()


def _ps_buf() -> Any:
    buf = getattr(_ps_bufs, "buf", None)
    if buf is None:
        buf = _ps_bufs.buf = ffi.gc(lib.rd_buf_new(), lib.rd_buf_free)
    lib.rd_buf_clear(buf)
    return buf


def _taken(buf: Any, st: int) -> bytes:
    if st == lib.RD_ERR_NOMEM:
        raise MemoryError("pubsub: out of memory")
    return ffi.unpack(lib.rd_buf_data(buf), lib.rd_buf_len(buf))


def ps_subscribe(c: Any, fd: int, c_writes: bool, kind: int, names: list[bytes]) -> bytes:
    """Subscribes c (owner thread) to each name; Redis's confirmations, one per name."""
    buf = _ps_buf()
    st = lib.RD_OK
    for name in names:
        st = lib.rd_ps_subscribe(c, fd, int(c_writes), kind, name, len(name), buf)
        if st != lib.RD_OK:
            break
    return _taken(buf, st)


def ps_unsubscribe(c: Any, kind: int, names: list[bytes]) -> bytes:
    """Unsubscribes c from each name, or from all of the kind when names is empty; the confirmations."""
    buf = _ps_buf()
    if not names:
        return _taken(buf, lib.rd_ps_unsubscribe_all(c, kind, buf))
    st = lib.RD_OK
    for name in names:
        st = lib.rd_ps_unsubscribe(c, kind, name, len(name), buf)
        if st != lib.RD_OK:
            break
    return _taken(buf, st)


def ps_unsubscribe_silently(c: Any, kind: int) -> None:
    lib.rd_ps_unsubscribe_all(c, kind, ffi.NULL)


def ps_channels(kind: int, pattern: bytes | None) -> bytes:
    """PUBSUB CHANNELS / SHARDCHANNELS: the RESP array of active names (matching pattern)."""
    buf = _ps_buf()
    pat = ffi.NULL if pattern is None else pattern
    return _taken(buf, lib.rd_ps_channels(kind, pat, len(pattern or b""), buf))


def ps_numsub(kind: int, name: bytes) -> int:
    return lib.rd_ps_numsub(kind, name, len(name))


# ---- client-side caching (csrc/tracking.c; docs/LOCKING.md) --------------------------------------
TRK_ON, TRK_BCAST, TRK_OPTIN, TRK_OPTOUT = lib.RD_TRK_ON, lib.RD_TRK_BCAST, lib.RD_TRK_OPTIN, lib.RD_TRK_OPTOUT
TRK_NOLOOP, TRK_BROKEN_REDIR = lib.RD_TRK_NOLOOP, lib.RD_TRK_BROKEN_REDIR
trk_attach = lib.rd_trk_attach                  # (c, id, fd, c_writes) at a connection's creation
trk_disable = lib.rd_trk_disable                # (c), owner thread
trk_flags = lib.rd_trk_flags                    # (c) -> RD_TRK_*, owner thread
trk_enter = lib.rd_trk_enter                    # (c or NULL) around a tracking client's command
trk_flush_self = lib.rd_trk_flush_self          # (c): its waiting invalidations, before its reply
trk_set_max_keys = lib.rd_trk_set_max_keys      # (n): tracking-table-max-keys
trk_command_keys = lib.rd_trk_command_keys      # (i, first, last, step): a fast read's keys, start-up


def _keys_arg(keys: list[bytes]) -> tuple[Any, Any]:
    return (ffi.new("const char *[]", [ffi.from_buffer(k) for k in keys]),
            ffi.new("size_t[]", [len(k) for k in keys]))


def trk_enable(c: Any, flags: int, redirect: int, prefixes: list[bytes]) -> None:
    """CLIENT TRACKING ON with checked options (owner thread)."""
    p, n = _keys_arg(prefixes)
    if lib.rd_trk_enable(c, flags, redirect, len(prefixes), p, n) != lib.RD_OK:
        raise MemoryError("tracking: out of memory")


def trk_remember(c: Any, keys: list[bytes]) -> None:
    """The keys c's read-only command is about to read (owner thread)."""
    if keys:
        p, n = _keys_arg(keys)
        lib.rd_trk_remember(c, len(keys), p, n)


def trk_stats() -> tuple[int, int, int, int]:
    """INFO's tracking_clients, tracking_total_keys, tracking_total_items, tracking_total_prefixes."""
    out = ffi.new("uint64_t[]", 4)
    lib.rd_trk_stats(out)
    return out[0], out[1], out[2], out[3]


# ---- Lua scripting (csrc/script*.c; the keyspace's face runs EVAL: Keyspace.script_eval) ---------
EVAL_SHA = lib.RD_EVAL_SHA
EVAL_RO = lib.RD_EVAL_RO
CMD_WRITE, CMD_DENYOOM, CMD_NOSCRIPT = lib.RD_CMD_WRITE, lib.RD_CMD_DENYOOM, lib.RD_CMD_NOSCRIPT
CMD_MAY_REPLICATE, CMD_CONTAINER, CMD_WAKES = lib.RD_CMD_MAY_REPLICATE, lib.RD_CMD_CONTAINER, lib.RD_CMD_WAKES
CMD_ALLOW_BUSY = lib.RD_CMD_ALLOW_BUSY
CMD_READONLY = lib.RD_CMD_READONLY
script_read_seen = lib.rd_script_read_seen     # () -> 1 when the last script called a read-only command
script_exists = lib.rd_script_exists            # (sha, len) -> 0/1; gate exclusive
script_flush = lib.rd_script_flush              # gate exclusive
script_set_busy_threshold = lib.rd_script_set_busy_threshold   # (ms); any thread
script_busy = lib.rd_script_busy                # () -> 1 (EVAL) or 2 (a function) while a script is busy
function_flush = lib.rd_function_flush          # gate exclusive
SCRIPT_BODY, SCRIPT_SHA, SCRIPT_FUNCTION = lib.RD_SCRIPT_BODY, lib.RD_SCRIPT_SHA, lib.RD_SCRIPT_FUNCTION


def script_may_write(kind: int, ro: bool, s: bytes) -> bool:
    """EVAL/EVALSHA/FCALL (kind) of s may write, by the script's flags (CLIENT PAUSE WRITE).  Gate held."""
    return bool(lib.rd_script_may_write(kind, 1 if ro else 0, s, len(s)))
FN_APPEND, FN_REPLACE, FN_FLUSH = lib.RD_FN_APPEND, lib.RD_FN_REPLACE, lib.RD_FN_FLUSH


def script_command(name: str, arity: int, flags: int) -> None:
    """Registers a command for redis.call's checks (at import, before any script)."""
    raw = name.encode()
    if lib.rd_script_command(raw, len(raw), arity, flags) != OK:
        raise MemoryError("rd_script_command failed")


_python_call = None   # the C callback object: kept alive for the process


def script_set_python(fn: Any) -> None:
    """fn(frame: bytes, resp: int) -> bytes runs a command C does not implement for redis.call."""
    global _python_call

    @ffi.callback("int(*)(const char *, size_t, int, rd_buf *)")
    def call(frame: Any, size: int, resp: int, out: Any) -> int:
        try:
            reply = fn(ffi.unpack(frame, size), resp)
        except Exception:   # never let an exception unwind into C: C writes the internal error
            return -1
        return 0 if lib.rd_buf_append(out, reply, len(reply)) == OK else -1

    _python_call = call
    lib.rd_script_set_python(ffi.cast("void *", call))


def _reply_of(call: Any) -> bytes:
    buf = ffi.gc(lib.rd_buf_new(), lib.rd_buf_free)
    if call(buf) != OK:
        raise MemoryError("no room for a script's reply")
    return ffi.unpack(lib.rd_buf_data(buf), lib.rd_buf_len(buf))


def script_load(body: bytes) -> bytes:
    """SCRIPT LOAD's complete reply (the SHA1 bulk, or the error line).  Gate exclusive."""
    return _reply_of(lambda buf: lib.rd_script_load(body, len(body), buf))


def script_kill() -> bytes:
    """SCRIPT KILL's complete reply.  Any thread, without the gate."""
    return _reply_of(lib.rd_script_kill)


script_call_stats_reset = lib.rd_script_call_stats_reset   # CONFIG RESETSTAT; any thread


def script_call_stats(name: str) -> tuple[int, int, int] | None:
    """(calls, failed, rejected) of a command as scripts called it in C, or None when not registered."""
    raw = name.encode()
    out = ffi.new("uint64_t[]", 3)
    if lib.rd_script_call_stats(raw, len(raw), out) != OK:
        return None
    return out[0], out[1], out[2]


def script_stats() -> tuple[int, int, int]:
    """(Lua heap bytes, cached scripts, cache bytes) as of the last script run or load."""
    out = ffi.new("uint64_t[]", lib.RD_SCRIPT_NSTATS)
    lib.rd_script_stats(out, lib.RD_SCRIPT_NSTATS)
    return out[lib.RD_SCRIPT_VM_BYTES], out[lib.RD_SCRIPT_CACHED], out[lib.RD_SCRIPT_CACHE_BYTES]


# ---- functions (csrc/function*.c; FCALL runs through Keyspace.function_call) ----------------------
def function_load(code: bytes, replace: bool) -> bytes:
    """FUNCTION LOAD's complete reply (the library's name, or the error).  Gate exclusive."""
    return _reply_of(lambda buf: lib.rd_function_load(code, len(code), 1 if replace else 0, buf))


def function_delete(name: bytes) -> bytes:
    return _reply_of(lambda buf: lib.rd_function_delete(name, len(name), buf))


def function_list(pattern: bytes | None, withcode: bool, resp: int) -> bytes:
    pat = ffi.NULL if pattern is None else pattern
    return _reply_of(lambda buf: lib.rd_function_list(pat, 0 if pattern is None else len(pattern),
                                                      1 if withcode else 0, resp, buf))


def function_stats(resp: int) -> bytes:
    """FUNCTION STATS' complete reply.  Any thread (the running function's entry included)."""
    return _reply_of(lambda buf: lib.rd_function_stats(resp, buf))


def function_kill() -> bytes:
    """FUNCTION KILL's complete reply.  Any thread, without the gate."""
    return _reply_of(lib.rd_function_kill)


def function_dump() -> bytes:
    return _reply_of(lib.rd_function_dump)


def function_restore(payload: bytes, policy: int) -> bytes:
    return _reply_of(lambda buf: lib.rd_function_restore(payload, len(payload), policy, buf))


def function_info() -> tuple[int, int, int, int]:
    """(Lua heap bytes, libraries, functions, libraries' bytes)."""
    out = ffi.new("uint64_t[]", lib.RD_FN_NINFO)
    lib.rd_function_info(out, lib.RD_FN_NINFO)
    return (out[lib.RD_FN_VM_BYTES], out[lib.RD_FN_LIBRARIES], out[lib.RD_FN_FUNCTIONS], out[lib.RD_FN_BYTES])
