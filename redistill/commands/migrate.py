"""MIGRATE (Redis 7.0's migrateCommand) and RESTORE-ASKING.

MIGRATE reads its keys on the worker, under the dispatcher's gate hold: each key's DUMP payload
(csrc/cmd_dump.c) and PTTL.  Then the client blocks as BLPOP's do (read, running nothing) while
a thread of its own talks to the target, with the command's timeout on every connect, send and
read: the worker's other clients go on meanwhile, where Redis's synchronous socket stalls its
whole server.  The outcome comes back on the client's worker (call_soon), which deletes the keys
the target acknowledged (no COPY) and replies.  Inside MULTI/EXEC and scripts, which cannot
block, the transfer runs right there, as Redis's does.

A key another client writes between the DUMP and that deletion keeps its new value: each
acknowledged key is deleted only while its payload is still the one sent (checked and deleted
under the gate exclusive); Redis, single-threaded, has no such window.

Connections are cached per host:port as Redis caches them (at most 64, closed after 10 s
unused; the database last SELECTed is remembered), INFO's migrate_cached_sockets.
"""
from __future__ import annotations

import random
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from redistill.commands import datatypes
from redistill.commands.args import parse_ll, word
from redistill import errors
from redistill.errors import SYNTAX, CommandError
from redistill.protocol import Encoded

CACHE_ITEMS = 64        # MIGRATE_SOCKET_CACHE_ITEMS
CACHE_TTL = 10.0        # MIGRATE_SOCKET_CACHE_TTL, seconds
_CONNECT_ERROR = errors.MIGRATE_CONNECT.encode() + b"\r\n"


def _ioerr(writing: bool) -> bytes:
    return (errors.MIGRATE_IO % ("writing" if writing else "reading")).encode() + b"\r\n"


def restore_asking(client: Any, args: list[bytes]) -> Any:
    """RESTORE-ASKING: RESTORE as a cluster's MIGRATE sends it (ASKING changes nothing here)."""
    return datatypes.run(client, [b"restore", *args[1:]])


# ---- the connection cache ------------------------------------------------------------------

@dataclass
class _Link:
    sock: socket.socket
    last_dbid: int = -1
    last_use: float = field(default_factory=time.monotonic)
    reader: bytes = b""   # bytes read past the last reply line


_cache: dict[bytes, _Link] = {}
_cache_lock = threading.Lock()


def cached_sockets() -> int:
    """INFO stats' migrate_cached_sockets."""
    return len(_cache)


def _take(name: bytes) -> _Link | None:
    """The cached link to name, out of the cache while one migration uses it."""
    with _cache_lock:
        return _cache.pop(name, None)


def _give(name: bytes, link: _Link) -> None:
    link.last_use = time.monotonic()
    with _cache_lock:
        if name not in _cache and len(_cache) >= CACHE_ITEMS:   # too many: drop one at random
            _close(_cache.pop(random.choice(list(_cache))))
        old = _cache.pop(name, None)
        _cache[name] = link
    if old is not None:
        _close(old)


def _close(link: _Link) -> None:
    try:
        link.sock.close()
    except OSError:
        pass


_sweeping = False   # one timer chain for the whole cache, on the worker that started it


def _start_sweep(worker: Any) -> None:
    """After a transfer (on its client's worker): the sweep runs while the cache holds links."""
    global _sweeping
    with _cache_lock:
        if _sweeping or not _cache:
            return
        _sweeping = True
    worker.call_later(1.0, lambda: _sweep(worker))


def _sweep(worker: Any) -> None:
    """migrateCloseTimedoutSockets, once a second while the cache holds links."""
    global _sweeping
    now = time.monotonic()
    with _cache_lock:
        stale = [n for n, link in _cache.items() if now - link.last_use > CACHE_TTL]
        dead = [_cache.pop(n) for n in stale]
        _sweeping = more = bool(_cache)
    for link in dead:
        _close(link)
    if more:
        worker.call_later(1.0, lambda: _sweep(worker))


# ---- the command ---------------------------------------------------------------------------

@dataclass
class _Job:
    host: bytes
    port: int
    dbid: int
    timeout: float                # seconds
    copy: bool
    replace: bool
    username: bytes | None
    password: bytes | None
    restore: bytes                # RESTORE or RESTORE-ASKING
    items: list[tuple[bytes, int, bytes]]   # key, ttl (ms, 0 = none), payload
    acked: list[tuple[bytes, bytes]] = field(default_factory=list)   # key, payload


def _parse(client: Any, args: list[bytes]) -> tuple[dict[str, Any], list[bytes]]:
    """migrateCommand's option loop, then timeout and db: the options and the key names."""
    opts: dict[str, Any] = {"copy": False, "replace": False, "username": None, "password": None}
    keys = [args[3]]
    j = 6
    while j < len(args):
        opt, more = word(args[j]), len(args) - 1 - j
        if opt == b"copy":
            opts["copy"] = True
        elif opt == b"replace":
            opts["replace"] = True
        elif opt == b"auth":
            if not more:
                raise CommandError(SYNTAX)
            j += 1
            opts["password"] = args[j]
        elif opt == b"auth2":
            if more < 2:
                raise CommandError(SYNTAX)
            opts["username"], opts["password"] = args[j + 1], args[j + 2]
            j += 2
        elif opt == b"keys":
            if args[3]:
                raise CommandError(errors.MIGRATE_KEYS)
            keys = args[j + 1:]
            break
        else:
            raise CommandError(SYNTAX)
        j += 1
    timeout = parse_ll(args[5])
    opts["dbid"] = parse_ll(args[4])
    opts["timeout"] = (timeout if timeout > 0 else 1000) / 1000.0
    return opts, keys


def _read_keys(client: Any, keys: list[bytes]) -> list[tuple[bytes, int, bytes]]:
    """Each present key's TTL and DUMP payload (C's, under the dispatcher's hold)."""
    ks, items = client.server.keyspace, []
    for key in keys:
        payload = ks.exec([b"DUMP", key], 2)
        if not payload.startswith(b"$") or payload.startswith(b"$-1"):
            continue
        body = payload[payload.index(b"\r\n") + 2:-2]
        pttl = int(ks.exec([b"PTTL", key], 2)[1:-2])
        if pttl == -2:
            continue
        items.append((key, max(pttl, 1) if pttl >= 0 else 0, body))
    return items


def migrate(client: Any, args: list[bytes]) -> Any:
    """MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
    [AUTH2 username password] [KEYS key [key ...]]"""
    opts, keys = _parse(client, args)
    items = _read_keys(client, keys)
    if not items:
        return Encoded(b"+NOKEY\r\n")
    try:
        port = int(args[2])
    except ValueError:
        port = 0   # atoi: not a number is port 0, which fails to connect
    cluster = getattr(client.server.config, "cluster_mode", "") == "emulated"
    job = _Job(args[1], port, opts["dbid"], opts["timeout"], opts["copy"], opts["replace"],
               opts["username"], opts["password"], b"RESTORE-ASKING" if cluster else b"RESTORE", items)
    if client.in_exec:   # MULTI/EXEC, scripts: no blocking, the transfer runs here
        reply = _finish(client, job, _transfer(job), own_gate=False)
        if getattr(client, "worker", None) is not None:   # a script's caller has none at hand
            _start_sweep(client.worker)
        if reply[:1] == b"-":   # raised, so INFO errorstats counts it
            raise CommandError(reply[:-2].decode("latin-1"))
        return Encoded(reply)
    waiter = _Waiter(client)
    client.block(waiter)
    worker = client.worker

    def run() -> None:
        reply = _transfer(job)
        worker.call_soon(lambda: waiter.done(_finish(client, job, reply, own_gate=True)))
        worker.call_soon(lambda: _start_sweep(worker))

    threading.Thread(target=run, name="migrate", daemon=True).start()
    return Encoded(b"")


class _Waiter:
    """What Connection.blocked holds while the transfer runs (commands/blocking.py's protocol)."""

    __slots__ = ("client", "null", "reply", "over")

    def __init__(self, client: Any) -> None:
        self.client = client
        self.null = _ioerr(False)   # shutdown drains the client with this
        self.reply = self.null
        self.over = False

    def end(self, reply: bytes) -> bool:
        if self.over:
            return False
        self.over, self.reply = True, reply
        return True

    def cancel(self) -> None:
        self.over = True

    def unblock(self, reply: bytes) -> bool:
        return False   # CLIENT UNBLOCK: a MIGRATE is not a blocked client in Redis

    def done(self, reply: bytes) -> None:
        """On the client's worker, the transfer's outcome."""
        if self.end(reply) and self.client.blocked is self:
            self.client.unblock(reply)


def _finish(client: Any, job: _Job, reply: bytes, own_gate: bool) -> bytes:
    """Deletes the keys the target acknowledged (no COPY), each only while its value is still the
    one sent, then gives MIGRATE's reply."""
    if job.copy or not job.acked:
        return reply
    ks = client.server.keyspace
    if own_gate:
        ks.exclusive_begin()
    try:
        for key, payload in job.acked:
            now = ks.exec([b"DUMP", key], 2)
            if now.startswith(b"$") and now[now.index(b"\r\n") + 2:-2] == payload:
                ks.exec([b"DEL", key], 2)
    finally:
        if own_gate:
            ks.exclusive_end()
    return reply


# ---- talking to the target (the thread, or the worker inside EXEC) -------------------------

def _bulk(*parts: bytes) -> bytes:
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


def _connect(job: _Job) -> _Link | None:
    try:
        sock = socket.create_connection((job.host.decode("latin-1"), job.port), timeout=job.timeout)
    except (OSError, UnicodeError, ValueError, OverflowError):
        return None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.settimeout(job.timeout)
    return _Link(sock)


def _readline(link: _Link) -> bytes:
    """syncReadLine: one reply line (at most 1024 bytes kept, as Redis's buffer)."""
    while b"\n" not in link.reader:
        chunk = link.sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed")
        link.reader += chunk
    line, link.reader = link.reader.split(b"\n", 1)
    return line.rstrip(b"\r")[:1023]


def _transfer(job: _Job) -> bytes:
    """migrateCommand's try_again / socket_err loop: the reply; job.acked the keys to delete."""
    name = job.host + b":" + str(job.port).encode()
    may_retry = True
    while True:
        link = _take(name) or _connect(job)
        if link is None:
            return _CONNECT_ERROR
        cmd = []
        if job.password is not None:
            cmd.append(_bulk(b"AUTH", *([job.username] if job.username is not None else []), job.password))
        select = link.last_dbid != job.dbid
        if select:
            cmd.append(_bulk(b"SELECT", str(job.dbid).encode()))
        for key, ttl, payload in job.items:
            cmd.append(_bulk(job.restore, key, str(ttl).encode(), payload, *([b"REPLACE"] if job.replace else [])))
        writing, timed_out, replies = True, False, 0
        error = None
        try:
            link.sock.sendall(b"".join(cmd))
            writing = False
            auth = _readline(link) if job.password is not None else b""
            sel = _readline(link) if select else b""
            job.acked.clear()
            for key, _ttl, payload in job.items:
                line = _readline(link)
                replies += 1
                bad = auth[:1] == b"-" and auth or sel[:1] == b"-" and sel or line[:1] == b"-" and line
                if bad:
                    if error is None:
                        link.last_dbid = -1
                        error = errors.MIGRATE_TARGET.encode() % bad[1:] + b"\r\n"
                elif not job.copy:
                    job.acked.append((key, payload))
        except socket.timeout:
            timed_out = True
        except OSError:
            pass
        else:
            if error is None:
                link.last_dbid = job.dbid
                _give(name, link)
                return b"+OK\r\n"
            _give(name, link)
            return error
        _close(link)   # a socket error: the cached link goes
        if error is not None:
            return error
        if replies and not writing:   # some keys were acknowledged: no retry (Redis's j == 0 test)
            return _ioerr(False)
        if timed_out or not may_retry:
            return _ioerr(writing)
        may_retry = False
        job.acked.clear()
