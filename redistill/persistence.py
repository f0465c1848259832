"""Snapshots in Redis's RDB format: SAVE, BGSAVE, the snapshot on shutdown, the load at start.

The file is written by C (rd_rdb_save, csrc/rdb_file.c) walking the keyspace stripe by stripe
while the workers keep serving: no fork, and each stripe is one instant, the file as a whole is not
(docs/LOCKING.md).  This module owns the file's life: a temporary file in `dir`, fsynced, renamed
over the old snapshot, the directory fsynced, so a crash or kill -9 at any point leaves either the
old snapshot or the new one, whole.

Rules:
  - one save at a time (the lock); BGSAVE runs on a thread of its own;
  - loading happens before the workers start (the port's backlog holds clients meanwhile), or in
    DEBUG RELOAD; a file that does not load whole leaves the keyspace empty, never half loaded.
"""
from __future__ import annotations

import os
import threading
import time
from typing import Any

from redistill.logutil import get_logger

log = get_logger("redistill")

LOAD_STEP = 100_000    # records per C call while loading: progress is logged between calls
PROGRESS_EVERY = 2.0   # seconds between progress lines


class SaveInProgress(Exception):
    """A BGSAVE runs already."""


class LoadError(Exception):
    """The file is corrupt or truncated (the message names the offset), or cannot be read."""


class Persistence:
    """One per server: the snapshot's path, the save state INFO persistence shows, the loader."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self._lock = threading.Lock()       # held for the whole of one save
        self.bgsave_thread: threading.Thread | None = None
        self.last_save_time = int(server.start_time)
        self.last_bgsave_ok = True
        self.last_bgsave_time_sec = -1
        self.bgsave_started = 0.0
        self.saves = 0
        self.changes_at_save = 0
        self.last_load = (0, 0)             # keys loaded, keys expired (INFO's rdb_last_load_*)
        self.loading: dict[str, float] | None = None   # loading_* fields while a load runs
        self._tmp_seq = 0

    # ---- paths ----
    def path(self) -> str:
        cfg = self.server.config
        return os.path.join(cfg.dir, cfg.dbfilename)

    def _temp_path(self, background: bool) -> str:
        self._tmp_seq += 1
        name = f"temp-{'bg' if background else ''}{os.getpid()}-{self._tmp_seq}.rdb"
        return os.path.join(self.server.config.dir, name)

    # ---- saving ----
    def changes_since_save(self) -> int:
        return max(0, self.server.keyspace.totals()[2] - self.changes_at_save)

    def bgsave_in_progress(self) -> bool:
        t = self.bgsave_thread
        return t is not None and t.is_alive()

    def save(self) -> None:
        """SAVE: a snapshot now, on the calling thread.  SaveInProgress while a BGSAVE runs; OSError
        or MemoryError when it failed (the old snapshot stays)."""
        if self.bgsave_in_progress() or not self._lock.acquire(blocking=False):
            raise SaveInProgress()
        try:
            self._save_locked(background=False)
        finally:
            self._lock.release()

    def bgsave(self) -> None:
        """BGSAVE: starts a snapshot on a thread of its own; SaveInProgress while one runs."""
        if self.bgsave_in_progress() or not self._lock.acquire(blocking=False):
            raise SaveInProgress()
        self.bgsave_started = time.time()
        self.bgsave_thread = threading.Thread(target=self._bgsave_run, name="redistill-bgsave", daemon=True)
        self.bgsave_thread.start()
        log.info("Background saving started")

    def _bgsave_run(self) -> None:
        try:
            self._save_locked(background=True)
            self.last_bgsave_ok = True
            log.info("Background saving terminated with success")
        except Exception as e:   # reported in INFO and the log: the thread has nobody to raise to
            self.last_bgsave_ok = False
            log.warning("Background saving error: %s", e)
        finally:
            self.last_bgsave_time_sec = int(time.time() - self.bgsave_started)
            self._lock.release()

    def _save_locked(self, background: bool) -> None:
        ks = self.server.keyspace
        changes = ks.totals()[2]
        final = self.path()
        tmp = self._temp_path(background)
        started = time.monotonic()
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except OSError as e:
            log.warning("Failed opening the temp RDB file %s (in server root dir %s) for saving: %s",
                        tmp, os.getcwd(), e.strerror)
            raise
        try:
            keys, nbytes = ks.rdb_save(fd, self._aux(), self._access_mode())
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            _unlink_quietly(tmp)
            raise
        os.close(fd)
        try:
            os.rename(tmp, final)
        except OSError:
            _unlink_quietly(tmp)
            raise
        _fsync_dir(os.path.dirname(final) or ".")
        secs = time.monotonic() - started
        log.info("DB saved on disk: %d keys, %d bytes in %.3fs (%s)", keys, nbytes, secs, final)
        self.last_save_time = int(time.time())
        self.changes_at_save = changes
        self.saves += 1

    def snapshot_bytes(self) -> bytes:
        """A whole RDB file in memory, for SYNC: written to a temporary file in dir (not the snapshot's
        own name), read back and removed."""
        tmp = self._temp_path(background=True).replace("temp-", "temp-sync-")
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.unlink(tmp)
            self.server.keyspace.rdb_save(fd, self._aux(), self._access_mode())
            os.lseek(fd, 0, os.SEEK_SET)
            with os.fdopen(os.dup(fd), "rb") as f:
                return f.read()
        finally:
            os.close(fd)

    def _aux(self) -> list[tuple[bytes, bytes]]:
        from redistill import metrics
        ks = self.server.keyspace
        return [
            (b"redis-ver", metrics.REDIS_VERSION.encode()),
            (b"redis-bits", b"64"),
            (b"ctime", str(int(time.time())).encode()),
            (b"used-mem", str(ks.stats().get("used_memory", 0)).encode()),
            (b"aof-base", b"0"),
        ]

    def _access_mode(self) -> str:
        """What Redis saves of each key's access history under the eviction policy."""
        policy = self.server.config.eviction_policy
        if policy.endswith("-lfu"):
            return "freq"
        return "idle" if policy.endswith("-lru") else "none"

    # ---- loading ----
    def load(self, path: str | None = None) -> tuple[int, int]:
        """Loads the snapshot into the keyspace: (keys loaded, keys expired).  LoadError when it does
        not load whole; the keys loaded before the error are removed again."""
        path = path or self.path()
        ks = self.server.keyspace
        started = time.time()
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise LoadError(f"Can't read {path}: {e.strerror}") from None
        log.info("Loading RDB file %s (%d bytes)", path, len(data))
        self.loading = {"start": started, "total": len(data), "loaded": 0}
        st = ks.rdb_load_state()
        idx = ks.RDB_ST
        last_log = time.monotonic()
        try:
            while not st[idx["done"]]:
                ks.rdb_load(data, st, LOAD_STEP)
                self.loading["loaded"] = st[idx["offset"]]
                if time.monotonic() - last_log >= PROGRESS_EVERY:
                    last_log = time.monotonic()
                    log.info("Loading RDB: %d keys, %d of %d bytes (%.0f%%)", st[idx["keys"]],
                             st[idx["offset"]], len(data), 100.0 * st[idx["offset"]] / max(1, len(data)))
        except ValueError as e:
            ks.flush()
            raise LoadError(f"{path}: {e}") from None
        finally:
            self.loading = None
        keys, expired, skipped = st[idx["keys"]], st[idx["expired"]], st[idx["skipped"]]
        self.last_load = (keys, expired)
        self.changes_at_save = ks.totals()[2]
        self.last_save_time = int(time.time())
        log.info("Done loading RDB, keys loaded: %d, keys expired: %d%s, %.3f seconds", keys, expired,
                 f", skipped (other databases, functions): {skipped}" if skipped else "",
                 time.time() - started)
        return keys, expired

    def load_at_start(self) -> bool:
        """The load before serving, when load_on_start and the file exists: False when it failed
        (the server must not start)."""
        if not self.server.config.load_on_start or not os.path.exists(self.path()):
            return True
        try:
            self.load()
        except LoadError as e:
            log.warning("Fatal error loading the DB, exiting: %s", e)
            return False
        return True

    def info_fields(self) -> list[tuple[str, Any]]:
        """INFO persistence's fields before the AOF ones, Redis 7.0's names and order."""
        now = time.time()
        running = self.bgsave_in_progress()
        return [
            ("loading", int(self.loading is not None)), ("async_loading", 0),
            ("current_cow_peak", 0), ("current_cow_size", 0), ("current_cow_size_age", 0),
            ("current_fork_perc", "0.00"), ("current_save_keys_processed", 0), ("current_save_keys_total", 0),
            ("rdb_changes_since_last_save", self.changes_since_save()),
            ("rdb_bgsave_in_progress", int(running)), ("rdb_last_save_time", self.last_save_time),
            ("rdb_last_bgsave_status", "ok" if self.last_bgsave_ok else "err"),
            ("rdb_last_bgsave_time_sec", self.last_bgsave_time_sec),
            ("rdb_current_bgsave_time_sec", int(now - self.bgsave_started) if running else -1),
            ("rdb_saves", self.saves), ("rdb_last_cow_size", 0),
            ("rdb_last_load_keys_expired", self.last_load[1]), ("rdb_last_load_keys_loaded", self.last_load[0]),
        ]

    def loading_fields(self) -> list[tuple[str, Any]]:
        """INFO persistence's loading_* fields, last in the section, while a load runs."""
        loading = self.loading
        if loading is None:
            return []
        total, done, elapsed = loading["total"], loading["loaded"], time.time() - loading["start"]
        perc = 100.0 * done / total if total else 0.0
        eta = int(elapsed * (total - done) / done) if done else 1
        return [("loading_start_time", int(loading["start"])), ("loading_total_bytes", int(total)),
                ("loading_rdb_used_mem", 0), ("loading_loaded_bytes", int(done)),
                ("loading_loaded_perc", f"{perc:.2f}"), ("loading_eta_seconds", eta)]


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _fsync_dir(path: str) -> None:
    """The rename is durable only once the directory is synced."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
