"""Helpers for the C core tests: typed rd_ks_* calls (KS), a buffer-level connection driver (Conn), cmd()."""

from __future__ import annotations

from redistill._core import ffi, lib


class KS:
    def __init__(self, ks):
        self.ks = ks
        self.buf = lib.rd_buf_new()

    def __del__(self):
        lib.rd_buf_free(self.buf)

    def get(self, key: bytes):
        st = lib.rd_ks_get(self.ks, key, len(key), self.buf)
        if st == lib.RD_OK:
            return st, ffi.unpack(lib.rd_buf_data(self.buf), lib.rd_buf_len(self.buf))
        return st, None

    def set(self, key: bytes, val: bytes, flags: int = 0, at: int = 0):
        found = ffi.new("int *")
        st = lib.rd_ks_set(self.ks, key, len(key), val, len(val), flags, at, self.buf, found)
        old = ffi.unpack(lib.rd_buf_data(self.buf), lib.rd_buf_len(self.buf)) if found[0] else None
        return st, old

    def incrby(self, key: bytes, d: int):
        r = ffi.new("int64_t *")
        st = lib.rd_ks_incrby(self.ks, key, len(key), d, r)
        return st, r[0]

    def mset(self, pairs):
        keys = [ffi.new("char[]", k) for k, _ in pairs]
        vals = [ffi.new("char[]", v) for _, v in pairs]
        return lib.rd_ks_mset(self.ks, len(pairs), ffi.new("const char *[]", keys),
                              ffi.new("size_t[]", [len(k) for k, _ in pairs]),
                              ffi.new("const char *[]", vals), ffi.new("size_t[]", [len(v) for _, v in pairs]))

    def delete(self, key: bytes):
        return lib.rd_ks_del(self.ks, key, len(key))

    def exists(self, key: bytes):
        return lib.rd_ks_exists(self.ks, key, len(key))

    def expire(self, key: bytes, at: int, flags: int = 0):
        return lib.rd_ks_expire(self.ks, key, len(key), at, flags)

    def pttl(self, key: bytes):
        ms = ffi.new("int64_t *")
        st = lib.rd_ks_pttl(self.ks, key, len(key), ms)
        return st, ms[0]

    def persist(self, key: bytes):
        return lib.rd_ks_persist(self.ks, key, len(key))

    def active_expire(self, budget_us: int = 100000) -> int:
        n = ffi.new("uint64_t *")
        assert lib.rd_ks_active_expire(self.ks, budget_us, n) == lib.RD_OK
        return n[0]

    def stats(self) -> dict[str, int]:
        out = ffi.new("uint64_t[]", lib.RD_KS_NSTATS)
        lib.rd_ks_stats(self.ks, out, lib.RD_KS_NSTATS)
        names = ["keys", "expires", "used_memory", "peak_memory", "expired", "evicted", "hits", "misses"]
        return dict(zip(names, out))


class Conn:
    """Drives an rd_conn through rd_conn_feed / rd_conn_run / rd_conn_output (no socket)."""

    def __init__(self, ks, fast: bool = True, resp: int = 2, authenticated: bool = True):
        self.worker = lib.rd_worker_new(ks)
        self.c = lib.rd_conn_new(self.worker)
        lib.rd_conn_set_fast(self.c, int(fast))
        lib.rd_conn_set_resp(self.c, resp)
        lib.rd_conn_set_authenticated(self.c, int(authenticated))
        self._p = ffi.new("const char **")
        self._n = ffi.new("size_t *")

    def close(self) -> None:
        lib.rd_conn_free(self.c)
        lib.rd_worker_free(self.worker)

    def feed(self, data: bytes) -> None:
        assert lib.rd_conn_feed(self.c, data, len(data)) == lib.RD_OK

    def run(self) -> int:
        return lib.rd_conn_run(self.c)

    def output(self) -> bytes:
        lib.rd_conn_output(self.c, self._p, self._n)
        data = ffi.unpack(self._p[0], self._n[0])
        lib.rd_conn_consume_output(self.c, len(data))
        return data

    def command(self) -> bytes | None:
        if lib.rd_conn_command(self.c, self._p, self._n) != lib.RD_OK:
            return None
        return ffi.unpack(self._p[0], self._n[0])

    def reply(self, data: bytes) -> None:
        assert lib.rd_conn_reply(self.c, data, len(data)) == lib.RD_OK

    def session(self, data: bytes, slow_reply: bytes = b"+SLOW\r\n", chunks=None):
        """Feeds data (in the given chunks), answering every slow command with slow_reply.

        Returns (output bytes, list of slow frames, last status)."""
        out, frames, st = [], [], lib.RD_OK
        for chunk in chunks if chunks is not None else [data]:
            self.feed(chunk)
            while True:
                st = self.run()
                out.append(self.output())
                if st == lib.RD_SLOW:
                    frames.append(self.command())
                    self.reply(slow_reply)
                    continue
                if st == lib.RD_NEED_MORE:
                    continue
                break
            if st == lib.RD_CLOSE:
                break
        return b"".join(out), frames, st

    def stats(self) -> list[int]:
        out = ffi.new("uint64_t[]", lib.RD_W_NSTATS)
        lib.rd_worker_stats(self.worker, out, lib.RD_W_NSTATS)
        return list(out)


def cmd(*args) -> bytes:
    """A canonical RESP multibulk frame."""
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)
