"""The keyspace binding: typed Python wrappers over the rd_ks_* calls of the shared C keyspace.

With core.py (the worker and connection handles), the only module that imports redistill._core.

Rules:
  - one Keyspace per server, shared by every worker thread; C takes the stripe locks, and cffi
    releases the GIL around each call, so these methods may run in parallel;
  - results are copied out of C into a per-thread rd_buf (threading.local), so two threads never
    share a buffer; each buffer is freed by ffi.gc when its thread's local storage goes away;
  - error statuses (WRONGTYPE, NOTINT, OVERFLOW, OOM, NOMEM) raise CommandError.from_status,
    whose text is C's own (csrc/status.c), the same bytes the fast path sends;
  - the calls do not take the transactions' gate themselves: the dispatcher holds it around each
    command (docs/LOCKING.md); a caller outside a command that changes keys holds it itself.
"""
from __future__ import annotations

import os
import sys
import threading
from typing import Any

from redistill._core import ffi, lib
from redistill.errors import CommandError

_ERRORS = frozenset(
    (lib.RD_ERR_WRONGTYPE, lib.RD_ERR_NOTINT, lib.RD_ERR_OVERFLOW, lib.RD_ERR_OOM, lib.RD_ERR_NOMEM,
     lib.RD_ERR_NOTFLOAT, lib.RD_ERR_NANINF, lib.RD_ERR_TOOBIG)
)

# GETEX / GETDEL modes for Keyspace.getex(mode=...).
GETEX_KEEP = lib.RD_GETEX_KEEP        # read only
GETEX_AT = lib.RD_GETEX_AT            # set the expiry (a time not in the future deletes)
GETEX_PERSIST = lib.RD_GETEX_PERSIST  # remove the expiry
GETEX_DEL = lib.RD_GETEX_DEL          # delete after reading

# Redis's names of rd_ks_key_info's type codes (its OBJ_* codes) and encodings, from C's table.
TYPE_NAMES = {t: name for t in range(16) if (name := ffi.string(lib.rd_type_name(t)).decode())}
ENCODING_NAMES = {e: ffi.string(lib.rd_encoding_name(e)).decode()
                  for e in range(lib.RD_ENC_INT, lib.RD_ENC_STREAM + 1)}

# The thresholds csrc/types.c keeps (OBJECT ENCODING and conversions); process-wide in C.
_TYPE_THRESHOLDS = {
    "hash-max-listpack-entries": lib.RD_CFG_HASH_MAX_LISTPACK_ENTRIES,
    "hash-max-ziplist-entries": lib.RD_CFG_HASH_MAX_LISTPACK_ENTRIES,
    "hash-max-listpack-value": lib.RD_CFG_HASH_MAX_LISTPACK_VALUE,
    "hash-max-ziplist-value": lib.RD_CFG_HASH_MAX_LISTPACK_VALUE,
    "set-max-intset-entries": lib.RD_CFG_SET_MAX_INTSET_ENTRIES,
    "zset-max-listpack-entries": lib.RD_CFG_ZSET_MAX_LISTPACK_ENTRIES,
    "zset-max-ziplist-entries": lib.RD_CFG_ZSET_MAX_LISTPACK_ENTRIES,
    "zset-max-listpack-value": lib.RD_CFG_ZSET_MAX_LISTPACK_VALUE,
    "zset-max-ziplist-value": lib.RD_CFG_ZSET_MAX_LISTPACK_VALUE,
    "list-max-listpack-size": lib.RD_CFG_LIST_MAX_LISTPACK_SIZE,
    "list-max-ziplist-size": lib.RD_CFG_LIST_MAX_LISTPACK_SIZE,
    "stream-node-max-bytes": lib.RD_CFG_STREAM_NODE_MAX_BYTES,
    "stream-node-max-entries": lib.RD_CFG_STREAM_NODE_MAX_ENTRIES,
    "hll-sparse-max-bytes": lib.RD_CFG_HLL_SPARSE_MAX_BYTES,
}


def set_type_threshold(name: str, value: int) -> None:
    """CONFIG SET of an encoding threshold (hash-max-listpack-entries...); other names: no-op."""
    which = _TYPE_THRESHOLDS.get(name)
    if which is not None:
        lib.rd_type_config(which, value)


_KEY_INFO_FIELDS = (
    (lib.RD_INFO_TYPE, "type"), (lib.RD_INFO_EXPIRE, "expire"), (lib.RD_INFO_IDLE_MS, "idle_ms"),
    (lib.RD_INFO_LEN, "len"), (lib.RD_INFO_MEMORY, "memory"), (lib.RD_INFO_ENCODING, "encoding"),
    (lib.RD_INFO_SHARED_INT, "shared_int"), (lib.RD_INFO_FREQ, "freq"), (lib.RD_INFO_ADDR, "addr"),
)

_NO_VALUE = 2**64 - 1  # rd_ks_mget's length of a missing key
_OTHER_TYPE = 2**64 - 2  # and of a key of another type

# rd_ks_stats' output, in RD_KS_* index order.
_STAT_NAMES = (
    (lib.RD_KS_KEYS, "keys"),
    (lib.RD_KS_EXPIRES, "expires"),
    (lib.RD_KS_USED_MEMORY, "used_memory"),
    (lib.RD_KS_PEAK_MEMORY, "peak_memory"),
    (lib.RD_KS_EXPIRED, "expired"),
    (lib.RD_KS_EVICTED, "evicted"),
    (lib.RD_KS_HITS, "hits"),
    (lib.RD_KS_MISSES, "misses"),
)


def fast_command_names() -> list[str]:
    """The commands C serves itself, in rd_fast_command order (its per-command counters' order)."""
    names = []
    name, arity = ffi.new("const char **"), ffi.new("int *")
    while lib.rd_fast_command(len(names), name, arity) == lib.RD_OK:
        names.append(ffi.string(name[0]).decode())
    return names


def key_slot(key: bytes) -> int:
    """Redis's cluster hash slot of key (C's CRC16, the one the fast path uses)."""
    return lib.rd_cluster_keyslot(key, len(key))


def configure_cluster(owned: bytes | None, key_specs: list[tuple[int, int, int]]) -> None:
    """Emulated cluster mode for the fast path: owned is the 2048-byte slot bitmap (None = off),
    key_specs the (first, last, step) of each fast command in fast_command_names() order.
    Start-up only, before the workers run."""
    for i, (first, last, step) in enumerate(key_specs):
        lib.rd_cluster_command_keys(i, first, last, step)
    lib.rd_cluster_configure(ffi.NULL if owned is None else ffi.from_buffer("unsigned char[]", owned))


def glob_match(pattern: bytes, s: bytes, nocase: bool = False) -> bool:
    """Redis's glob (csrc/glob.c, the matcher KEYS and SCAN MATCH use)."""
    return bool(lib.rd_glob_match(pattern, len(pattern), s, len(s), int(nocase)))


def now_ms() -> int:
    """The keyspace's clock in ms (rd_now_ms): frozen while this thread runs a command."""
    return lib.rd_now_ms()


def pause_expiry(on: bool) -> None:
    """CLIENT PAUSE: while on, lazy expiry leaves expired keys in place (they read as absent);
    process-wide, any thread.  The caller stops active expiry and eviction meanwhile."""
    lib.rd_ks_pause_expiry(int(on))


def wrongtype() -> CommandError:
    """The WRONGTYPE error, for handlers that find another type through key_info."""
    return CommandError.from_status(lib.RD_ERR_WRONGTYPE)


def _check(st: int) -> int:
    if st in _ERRORS:
        raise CommandError.from_status(st)
    return st


class _Scratch(threading.local):
    """Per-thread out-parameters, allocated once per thread instead of once per call."""

    def __init__(self) -> None:
        self.buf = ffi.gc(lib.rd_buf_new(), lib.rd_buf_free)
        if self.buf == ffi.NULL:
            raise MemoryError("rd_buf_new failed")
        self.found = ffi.new("int *")
        self.i64 = ffi.new("int64_t *")
        self.u64 = ffi.new("uint64_t *")

    def take(self) -> bytes:
        return ffi.unpack(lib.rd_buf_data(self.buf), lib.rd_buf_len(self.buf))

    def take_records(self) -> list[bytes]:
        """The buffer as rd_ks_scan's records: an 8-byte native length, then the bytes."""
        data, pos, items = self.take(), 0, []
        while pos < len(data):
            n = int.from_bytes(data[pos:pos + 8], sys.byteorder)
            items.append(data[pos + 8:pos + 8 + n])
            pos += 8 + n
        return items


class BlockValue:
    """A big value still in the C block it was read into (rd_conn_take_block): the argument a SET
    (SETEX, GETSET, APPEND...) stores, handed to the keyspace without a Python copy.  An entry built in the
    block takes it (store), as the fast path's SET does, so the value is held once, in a MULTI
    queue too; a block no entry took is freed with this object.  len() is the value's; bytes()
    and slicing give a copy, only the first HEAD bytes once an entry took the block (SLOWLOG
    keeps no more; a MONITOR started inside the MULTI sees that much)."""

    __slots__ = ("block", "ptr", "size", "head")
    HEAD = 256

    def __init__(self, block: Any, ptr: Any, size: int) -> None:
        self.block = block   # owned until an entry takes it (then None)
        self.ptr = ptr       # the value, inside the block
        self.size = size
        self.head = ffi.unpack(ptr, min(size, self.HEAD))

    def __del__(self) -> None:
        if self.block is not None:
            lib.rd_block_free(self.block)
            self.block = None

    def __len__(self) -> int:
        return self.size

    def __bytes__(self) -> bytes:
        return self.head if self.block is None else ffi.unpack(self.ptr, self.size)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice) and i.step is None and (i.start or 0) >= 0 and i.stop is not None \
                and 0 <= i.stop <= len(self.head):
            return self.head[i]
        return bytes(self)[i]

    def store(self, call: Any) -> Any:
        """call(ptr) with the block offered to the keyspace (rd_block_offer): an entry that
        stores this value is built in the block, which is the keyspace's from then on."""
        if self.block is None:   # taken already (cannot happen: a command runs once)
            raise RuntimeError("BlockValue stored twice")
        lib.rd_block_offer(self.block, self.ptr, self.size)
        try:
            return call(self.ptr)
        finally:
            if lib.rd_block_taken():
                self.block = None


def _key_array(keys: list[bytes]) -> tuple[Any, Any]:
    """(const char *[], size_t[]) for a multi-key call; the buffers stay valid while the caller
    holds `keys` (cffi passes bytes without copying; a BlockValue passes its block's value)."""
    return (ffi.new("const char *[]", [k.ptr if isinstance(k, BlockValue) else ffi.from_buffer(k) for k in keys]),
            ffi.new("size_t[]", [len(k) for k in keys]))


class Keyspace:
    """The shared C keyspace.  Thread-safe; close() frees it once every worker is gone."""

    def __init__(self, seed: int = 0) -> None:
        # seed 0 asks C for a random hash seed.
        self.ptr = lib.rd_keyspace_new(seed)
        if self.ptr == ffi.NULL:
            raise MemoryError("rd_keyspace_new failed")
        self._scratch = _Scratch()

    def close(self) -> None:
        """Frees the C keyspace; rd_worker handles made from `ptr` must be freed first."""
        if self.ptr != ffi.NULL:
            lib.rd_keyspace_free(self.ptr)
            self.ptr = ffi.NULL

    def get(self, key: bytes) -> bytes | None:
        s = self._scratch
        if _check(lib.rd_ks_get(self.ptr, key, len(key), s.buf)) == lib.RD_OK:
            return s.take()
        return None

    def set(self, key: bytes, value: bytes, *, nx: bool = False, xx: bool = False,
            get: bool = False, keepttl: bool = False, expire_at_ms: int = 0) -> tuple[bool, bytes | None]:
        """(written, old value when get=True and the key held one).  expire_at_ms 0 = no expiry."""
        flags = ((lib.RD_SET_NX if nx else 0) | (lib.RD_SET_XX if xx else 0)
                 | (lib.RD_SET_GET if get else 0) | (lib.RD_SET_KEEPTTL if keepttl else 0))
        s = self._scratch
        s.found[0] = 0

        def set_(val: Any) -> int:
            return lib.rd_ks_set(self.ptr, key, len(key), val, len(value), flags, expire_at_ms, s.buf, s.found)

        st = _check(value.store(set_) if type(value) is BlockValue else set_(value))
        old = s.take() if get and s.found[0] else None
        return st == lib.RD_OK, old

    def mset(self, pairs: list[tuple[bytes, bytes]]) -> None:
        """All pairs become visible together."""
        keys = [ffi.from_buffer(k) for k, _ in pairs]  # kept alive until the call returns
        vals = [ffi.from_buffer(v) for _, v in pairs]
        _check(lib.rd_ks_mset(
            self.ptr, len(pairs),
            ffi.new("const char *[]", keys), ffi.new("size_t[]", [len(k) for k, _ in pairs]),
            ffi.new("const char *[]", vals), ffi.new("size_t[]", [len(v) for _, v in pairs]),
        ))

    def mget(self, keys: list[bytes]) -> list[bytes | None]:
        """Every key read at one instant; None for a missing key or one of another type."""
        s = self._scratch
        _check(lib.rd_ks_mget(self.ptr, len(keys), ffi.new("const char *[]", [ffi.from_buffer(k) for k in keys]),
                              ffi.new("size_t[]", [len(k) for k in keys]), s.buf))
        data, pos, values = s.take(), 0, []
        for _ in keys:
            n = int.from_bytes(data[pos:pos + 8], sys.byteorder)
            pos += 8
            if n in (_NO_VALUE, _OTHER_TYPE):
                values.append(None)
            else:
                values.append(data[pos:pos + n])
                pos += n
        return values

    def incrby(self, key: bytes, delta: int) -> int:
        s = self._scratch
        _check(lib.rd_ks_incrby(self.ptr, key, len(key), delta, s.i64))
        return s.i64[0]

    def delete(self, key: bytes) -> bool:
        return _check(lib.rd_ks_del(self.ptr, key, len(key))) == lib.RD_OK

    def stream_freed_keys(self) -> list[bytes]:
        """Keys of streams freed while clients were blocked, since the last call (oldest first)."""
        s = self._scratch
        lib.rd_buf_clear(s.buf)
        if lib.rd_stream_freed_keys(s.buf) != lib.RD_OK:
            return []
        raw = bytes(ffi.buffer(lib.rd_buf_data(s.buf), lib.rd_buf_len(s.buf)))
        keys, i = [], 0
        while i < len(raw):
            n = int.from_bytes(raw[i:i + 4], "little")
            keys.append(raw[i + 4:i + 4 + n])
            i += 4 + n
        return keys

    @staticmethod
    def stream_freed_fd() -> int:
        """An fd readable when stream_freed_keys has keys (read 8 bytes to reset it); -1: none."""
        return lib.rd_stream_freed_fd()

    def stream_last_id(self, key: bytes) -> tuple[bool, int, int]:
        """(is a stream, ms, seq) of its last generated id (XREAD BLOCK's "$")."""
        ms, seq = ffi.new("uint64_t *"), ffi.new("uint64_t *")
        st = lib.rd_stream_last_id(self.ptr, key, len(key), ms, seq)
        return st == lib.RD_OK, ms[0], seq[0]

    def exists(self, key: bytes) -> bool:
        return _check(lib.rd_ks_exists(self.ptr, key, len(key))) == lib.RD_OK

    def active_expire(self, budget_us: int) -> int:
        """Reclaims expired keys for about budget_us microseconds; returns how many."""
        s = self._scratch
        _check(lib.rd_ks_active_expire(self.ptr, budget_us, s.u64))
        return s.u64[0]

    def set_eviction(self, max_memory: int, policy: str) -> None:
        """Applies maxmemory (bytes, 0 = unlimited) and maxmemory-policy (Redis's names or
        allkeys-s3fifo); safe while workers run."""
        if lib.rd_ks_set_policy(self.ptr, policy.encode()) != lib.RD_OK:
            raise ValueError(f"unknown eviction policy {policy!r}")
        lib.rd_ks_set_maxmemory(self.ptr, max_memory)

    def admit(self) -> None:
        """Raises the OOM CommandError when over maxmemory with nothing to evict (denyoom commands)."""
        _check(lib.rd_ks_admit(self.ptr))

    def evict(self, budget_us: int) -> int:
        """Background eviction while over maxmemory, for about budget_us; returns keys evicted."""
        s = self._scratch
        _check(lib.rd_ks_evict(self.ptr, budget_us, s.u64))
        return s.u64[0]

    # ---- RDB files (csrc/rdb_file.c; persistence.py drives them) ------------------------------
    RDB_ACCESS = {"none": lib.RD_RDB_ACCESS_NONE, "idle": lib.RD_RDB_ACCESS_IDLE, "freq": lib.RD_RDB_ACCESS_FREQ}

    def totals(self) -> tuple[int, int, int]:
        """(keys, keys with an expiry, key writes since start), one stripe at a time."""
        out = ffi.new("uint64_t[]", 3)
        lib.rd_ks_totals(self.ptr, out, 3)
        return out[0], out[1], out[2]

    def flush(self) -> None:
        """Every key removed (FLUSHALL's rd_ks_flush)."""
        _check(lib.rd_ks_flush(self.ptr))

    def rdb_save(self, fd: int, aux: list[tuple[bytes, bytes]], access: str) -> tuple[int, int]:
        """Writes a whole RDB file to fd: (keys, bytes).  OSError when a write failed."""
        flat = [x for pair in aux for x in pair]
        ptrs, lens = _key_array(flat)
        out = ffi.new("uint64_t[]", 3)
        st = lib.rd_rdb_save(self.ptr, fd, ptrs, lens, len(flat), self.RDB_ACCESS[access], out, 3)
        if st == lib.RD_ERR_INTERNAL:
            raise OSError(out[2], os.strerror(out[2]))
        if st != lib.RD_OK:
            raise MemoryError("out of memory while saving")
        return out[0], out[1]

    @staticmethod
    def rdb_load_state() -> Any:
        """The state of a load in steps (rd_rdb_load's st[]), indexed by RDB_ST."""
        return ffi.new("uint64_t[]", lib.RD_RDB_NSTATE)

    RDB_ST = {"offset": lib.RD_RDB_ST_OFFSET, "keys": lib.RD_RDB_ST_KEYS, "expired": lib.RD_RDB_ST_EXPIRED,
              "skipped": lib.RD_RDB_ST_SKIPPED, "done": lib.RD_RDB_ST_DONE}

    def rdb_load(self, data: bytes, st: Any, max_records: int) -> None:
        """One step of loading data (a whole RDB file) from st's offset; ValueError naming the offset
        of what is corrupt or truncated."""
        s = self._scratch
        if lib.rd_rdb_load(self.ptr, data, len(data), max_records, st, s.buf) != lib.RD_OK:
            raise ValueError(s.take().decode("latin-1"))

    def avg_ttl(self) -> int:
        """INFO keyspace avg_ttl: estimated mean remaining TTL (ms) of keys with an expiry."""
        out = ffi.new("int64_t *")
        _check(lib.rd_ks_avg_ttl(self.ptr, out))
        return out[0]
    # ---- transactions (csrc/gate.c, csrc/watch.c) -------------------------------------------
    def shared_begin(self) -> None:
        """Holds the gate shared (one command); re-entrant per thread.  Pair with shared_end."""
        lib.rd_ks_shared_begin(self.ptr)

    def shared_end(self) -> None:
        lib.rd_ks_shared_end(self.ptr)

    def exclusive_begin(self) -> None:
        """Holds the gate exclusive (EXEC): waits for every command and batch in flight."""
        if not self.try_exclusive_begin():
            raise RuntimeError("exclusive_begin while this thread holds the gate shared")

    def gate_begin_unless_busy(self, exclusive: bool) -> bool:
        """shared_begin or exclusive_begin, or False (holding nothing) once a script is busy."""
        st = lib.rd_ks_gate_begin_unless_busy(self.ptr, 1 if exclusive else 0)
        if st == lib.RD_NOT_DONE:
            raise RuntimeError("exclusive_begin while this thread holds the gate shared")
        return st == lib.RD_OK

    def try_exclusive_begin(self) -> bool:
        """exclusive_begin, or False (nothing done) when this thread holds the gate shared."""
        return lib.rd_ks_exclusive_begin(self.ptr) == lib.RD_OK

    def exclusive_end(self) -> None:
        lib.rd_ks_exclusive_end(self.ptr)

    def watch(self, key: bytes) -> tuple[int, bool]:
        """Registers one watcher of key; (version, live) is what watch_intact compares with."""
        s = self._scratch
        _check(lib.rd_ks_watch(self.ptr, key, len(key), s.u64, s.found))
        return s.u64[0], bool(s.found[0])

    def unwatch(self, key: bytes) -> None:
        lib.rd_ks_unwatch(self.ptr, key, len(key))

    def watch_intact(self, key: bytes, version: int, live: bool) -> bool:
        """False when key changed since watch() returned (version, live) (Redis 7.0's rules)."""
        return lib.rd_ks_watch_check(self.ptr, key, len(key), version, int(live)) == lib.RD_OK

    def stats(self) -> dict[str, int]:
        out = ffi.new("uint64_t[]", lib.RD_KS_NSTATS)
        _check(lib.rd_ks_stats(self.ptr, out, lib.RD_KS_NSTATS))
        return {name: out[i] for i, name in _STAT_NAMES}

    # ---- string commands past GET/SET, multi-key and whole-keyspace commands --------------------

    def getex(self, key: bytes, mode: int = GETEX_KEEP, at_ms: int = 0) -> bytes | None:
        """The string at key (None when absent), then mode applied: GETEX_* above."""
        s = self._scratch
        if _check(lib.rd_ks_getex(self.ptr, key, len(key), mode, at_ms, s.buf)) == lib.RD_OK:
            return s.take()
        return None

    def _multi(self, op: int, keys: list[bytes]) -> int:
        s = self._scratch
        ptrs, lens = _key_array(keys)
        _check(lib.rd_ks_multi(self.ptr, op, len(keys), ptrs, lens, s.i64))
        return s.i64[0]

    def delete_many(self, keys: list[bytes]) -> int:
        return self._multi(lib.RD_MULTI_DEL, keys)

    def exists_many(self, keys: list[bytes]) -> int:
        return self._multi(lib.RD_MULTI_EXISTS, keys)

    def key_info(self, key: bytes, *, stats: bool = False, touch: bool = False) -> dict[str, int] | None:
        """Facts about key (type, expire, idle_ms, len, memory, encoding, shared_int), or None."""
        out = ffi.new("int64_t[]", lib.RD_INFO_NFIELDS)
        flags = (lib.RD_INFO_STATS if stats else 0) | (lib.RD_INFO_TOUCH if touch else 0)
        if _check(lib.rd_ks_key_info(self.ptr, key, len(key), flags, out, lib.RD_INFO_NFIELDS)) != lib.RD_OK:
            return None
        return {name: out[i] for i, name in _KEY_INFO_FIELDS}

    def scan(self, cursor: int, count: int, pattern: bytes | None = None,
             type_code: int = -1) -> tuple[int, list[bytes]]:
        """One SCAN step: (next cursor, keys).  type_code -1 = any type."""
        s = self._scratch
        pat = ffi.NULL if pattern is None else pattern
        plen = 0 if pattern is None else len(pattern)
        _check(lib.rd_ks_scan(self.ptr, cursor, count, pat, plen, type_code, s.u64, s.buf))
        return s.u64[0], s.take_records()

    def keys(self, pattern: bytes) -> list[bytes]:
        """Every live key matching the Redis glob pattern, at one instant (the gate exclusive:
        call it without a shared hold, see commands.OWN_GATE)."""
        s = self._scratch
        _check(lib.rd_ks_keys(self.ptr, pattern, len(pattern), s.buf))
        return s.take_records()

    def exec(self, args: list[bytes], resp: int) -> bytes:
        """Runs a command C implements (SET, HSET, SADD...) wholly in C: its complete reply in RESP
        `resp`, errors included (the caller turns an error line into a CommandError).  A big value
        still in its block (BlockValue) is offered to the keyspace, which may build the entry in it."""
        block = next((a for a in args if isinstance(a, BlockValue)), None)
        if block is not None:
            return block.store(lambda _ptr: self._exec(args, resp))
        return self._exec(args, resp)

    def script_eval(self, args: list[bytes], resp: int, mode: int) -> bytes:
        """EVAL/EVALSHA[_RO] (mode: EVAL_SHA, EVAL_RO bits) run by C's Lua engine, under the gate the
        caller holds exclusive: the complete reply, errors included.  Its own buffer: the script's
        redis.call may come back into Python, which uses this thread's scratch."""
        args = [bytes(a) if isinstance(a, BlockValue) else a for a in args]
        argv, argl = _key_array(args)
        buf = ffi.gc(lib.rd_buf_new(), lib.rd_buf_free)
        _check(lib.rd_script_eval(self.ptr, len(args), argv, argl, resp, mode, buf))
        return ffi.unpack(lib.rd_buf_data(buf), lib.rd_buf_len(buf))

    def function_call(self, args: list[bytes], resp: int, ro: bool) -> bytes:
        """FCALL/FCALL_RO, as script_eval."""
        args = [bytes(a) if isinstance(a, BlockValue) else a for a in args]
        argv, argl = _key_array(args)
        buf = ffi.gc(lib.rd_buf_new(), lib.rd_buf_free)
        _check(lib.rd_function_call(self.ptr, len(args), argv, argl, resp, 1 if ro else 0, buf))
        return ffi.unpack(lib.rd_buf_data(buf), lib.rd_buf_len(buf))

    def _exec(self, args: list[bytes], resp: int) -> bytes:
        s = self._scratch
        argv, argl = _key_array(args)
        lib.rd_buf_clear(s.buf)
        st = lib.rd_exec(self.ptr, len(args), argv, argl, resp, s.buf)
        if st == lib.RD_NOT_FOUND:
            raise KeyError(args[0])
        _check(st)
        return s.take()

