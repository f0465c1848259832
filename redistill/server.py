"""The main thread: binds the listeners, starts the Workers, runs the cron, handles signals and shutdown.

Rules:
- The main thread never serves clients.  It owns the keyspace and the rd_worker handles and
  frees them only after every worker thread has stopped.
- Signal handlers only record the signal and write to the wakeup pipe; all shutdown work
  runs in the main thread's loop.  shutdown() does the same from any thread (SHUTDOWN).
- The cron runs in the main thread at hz 10: active expiry with a ~1 ms budget per tick (C,
  without the GIL, one stripe lock at a time), background eviction while over maxmemory (same
  budget and locking) and the instantaneous-metrics sample.
- The client registry (for CLIENT LIST, INFO clients, maxclients) is the one lock shared by
  workers; it is taken per connect and disconnect, never per command.  The rate-limit table
  (per accept, when connection_rate_limit is set) and the AUTH-failure table (per failed AUTH)
  have a small lock each; none of these locks is held while another is taken.
- Health/metrics HTTP (health.py) runs on its own thread and only reads counters.
This object is the `server` that commands see as client.server (PLAN.md "ServerState").
"""
from __future__ import annotations

import dataclasses
import errno
import functools
import itertools
import logging
import os
import resource
import select
import signal
import socket
import threading
import time
from typing import Any, Iterable

from . import health as health_module, metrics
from .cluster import Topology
from .commands import pause, streams
from .logutil import get_logger

log = get_logger("redistill")

HZ = 10                       # cron frequency, as Redis's default hz
ACTIVE_EXPIRE_BUDGET_US = 1000
EVICT_BUDGET_US = 1000        # background eviction per tick (writes evict for themselves first)
LISTEN_BACKLOG = 511          # Redis's tcp-backlog default
RESERVED_FDS = 32             # Redis's CONFIG_MIN_RESERVED_FDS: stdio, Python's own files, a refused client...
TRIM_EVERY = 1                # cron ticks between buffer sweeps (each a tenth of the clients, as Redis)
TRIM_IDLE_SECONDS = 2.0       # a connection idle this long gives its reusable buffers back


def _listen_host(addr: str) -> str:
    """Redis's bind syntax for getaddrinfo: "*" is every IPv4 address, "::*" every IPv6 one, and
    a leading "-" (optional address) is dropped."""
    addr = addr[1:] if addr.startswith("-") else addr
    return {"*": "0.0.0.0", "::*": "::"}.get(addr, addr)


def adjust_open_files_limit(maxclients: int, reserved: int) -> tuple[int, list[tuple[int, str]]]:
    """Redis's adjustOpenFilesLimit: raise RLIMIT_NOFILE to maxclients + reserved (within the hard
    limit); when the OS refuses, serve fewer clients rather than fail on accept.  Returns the
    maxclients to use and the (level, message) lines to log, Redis's texts."""
    want = maxclients + reserved
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= want:
        return maxclients, []
    best, error = soft, ""
    unlimited = hard == resource.RLIM_INFINITY
    try:   # want itself first, as Redis asks: past the hard limit that takes privileges
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard if unlimited else max(want, hard)))
        best = want
    except (ValueError, OSError) as e:
        # Python turns EPERM (raising the hard limit, or past fs.nr_open) into a ValueError.
        error = e.strerror if isinstance(e, OSError) and e.strerror else os.strerror(errno.EPERM)
        if not unlimited and hard > soft:   # then all the hard limit allows
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
                best = hard
            except (ValueError, OSError):
                pass
    if best >= want:
        return maxclients, [(logging.INFO, f"Increased maximum number of open files to {want} "
                                           f"(it was originally set to {soft}).")]
    reduced = best - reserved
    lines = [(logging.WARNING, f"You requested maxclients of {maxclients} requiring at least {want} max "
                               "file descriptors."),
             (logging.WARNING, f"Server can't set maximum open files to {want} because of OS error: {error}.")]
    if reduced < 1:
        lines.append((logging.WARNING, f"Your current 'ulimit -n' of {best} is not enough for the server to "
                                       f"start. Please increase your open file limit to at least {want}. Exiting."))
        return 0, lines
    lines.append((logging.WARNING, f"Current maximum open files is {best}. maxclients has been reduced to "
                                   f"{reduced} to compensate for low ulimit. If you need higher maxclients "
                                   "increase 'ulimit -n'."))
    return reduced, lines

# Failed AUTH from one address: the first few replies go out at once (typos); after that each
# failure's reply is held back, twice as long as the previous one, and the replies of one
# address are released one after the other, so parallel connections do not multiply guesses.
AUTH_FREE_FAILURES = 3
AUTH_BASE_DELAY = 0.1         # seconds, the first held reply
AUTH_MAX_STEP = 2.0           # seconds, the longest step between two replies of one address
AUTH_MAX_WAIT = 10.0          # seconds a reply can wait in the queue of its address
AUTH_FORGET = 60.0            # seconds without failure after which an address starts afresh
_TABLE_MAX = 10000            # addresses remembered (rate limit, AUTH failures) before pruning


class Server:
    """Everything shared by the worker threads, and the supervisor that runs them."""

    def __init__(self, cfg: Any) -> None:
        self.config = cfg
        self.start_time = time.time()
        self.run_id = os.urandom(20).hex()
        self.port = cfg.port            # the bound port once run() has bound (port 0 → real one)
        self.nthreads = max(1, int(cfg.threads or 1))
        self.stats = metrics.Stats(self.nthreads)
        self.keyspace: Any = None       # created by run()
        self.cluster = Topology.from_config(cfg)  # emulated cluster mode's topology, None when off
        self.workers: list[Any] = []
        self.shutting_down = False      # health endpoint answers 503 once set
        from .persistence import Persistence
        self.persistence = Persistence(self)
        self.saved_for_shutdown = False  # SHUTDOWN saved already: the stop does not save again
        self.active_expire_enabled = True  # the cron's expiry sweep (DEBUG SET-ACTIVE-EXPIRE)
        from .commands.slowlog import Slowlog  # here: the commands package imports the C core
        self.slowlog = Slowlog()        # SLOWLOG (commands/slowlog.py), fed by commands.dispatch
        self.acl = self._acl_registry(cfg)   # ACL users (redistill/acl.py), the ACL LOG
        from .commands.latency import LatencyMonitor
        self.latency = LatencyMonitor()  # LATENCY's events (commands/latency.py)
        self.startup_memory = 0         # used_memory once the keyspace exists (MEMORY STATS)
        self._clients: dict[int, Any] = {}
        self._clients_lock = threading.Lock()
        self._admitted = 0              # connections admitted (registered or being set up)
        self._ids = itertools.count(1)
        self._rate_lock = threading.Lock()
        self._rate_second = 0
        self._rate_counts: dict[str, int] = {}
        self._auth_lock = threading.Lock()
        self._auth_table: dict[str, list[float]] = {}   # host -> [failures, last, release_at]
        self.auth_failures = 0          # INFO acl_access_denied_auth
        self.auth_delayed = 0           # failed-AUTH replies that were held back
        self.tls_port = 0               # bound TLS port when it differs from port
        self.main_tls: Any = None       # the main port's SSL context (None: plain), for rebind()
        self.health: Any = None         # health.HealthServer when health_check_port is set
        self._stop_requested = False
        self._stop_signal: int | None = None
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)

    @staticmethod
    def _acl_registry(cfg: Any) -> Any:
        """The default user (requirepass its password), then the users of `users` and `aclfile`
        (validated already by load_config), each with its C handle for the fast path."""
        from . import acl
        from .config import configured_users
        registry = acl.Registry(cfg.password)
        if getattr(cfg, "users", ()) or getattr(cfg, "aclfile", None):
            registry.replace_all(configured_users(cfg))
        for user in registry.users.values():
            acl.sync_c(user)
        return registry

    # ---- the interface commands use ------------------------------------------------------------
    def clients(self) -> list[Any]:
        """Every connected client on every thread, ordered by id (a snapshot)."""
        with self._clients_lock:
            return [self._clients[k] for k in sorted(self._clients)]

    def connected_clients(self) -> int:
        return len(self._clients)

    def info(self, sections: Iterable[str | bytes] = ()) -> str:
        return metrics.build_info(self, list(sections))

    def command_stats(self) -> list[tuple[str, str]]:
        """INFO commandstats rows (cmdstat_<name>, "calls=...,usec=..."): the dispatcher's
        counters plus the calls the C fast path ran and the ones scripts made in C."""
        from .commands import command_stats, scripting

        return metrics.commandstats_rows(command_stats(), self.stats.fast_command_calls(), scripting.call_stats())

    def error_stats(self) -> list[tuple[str, str]]:
        """INFO errorstats rows (errorstat_<CODE>, "count=N"): the dispatcher's error replies
        plus the ones the C fast path wrote."""
        from .commands import error_stats

        return metrics.errorstats_rows(error_stats(), self.stats.fast_error_counts())

    # ---- admission control and AUTH failures (workers) ---------------------------------------
    def rate_ok(self, host: str) -> bool:
        """Counts a new connection from host; False past connection_rate_limit this second."""
        limit = self.config.connection_rate_limit
        if not limit:
            return True
        second = int(time.monotonic())
        with self._rate_lock:
            if second != self._rate_second:   # a fixed one-second window per address
                self._rate_second = second
                self._rate_counts.clear()
            n = self._rate_counts.get(host, 0) + 1
            if len(self._rate_counts) < _TABLE_MAX or host in self._rate_counts:
                self._rate_counts[host] = n
            return n <= limit

    def auth_failed(self, host: str) -> float:
        """Records a failed AUTH from host; returns how long to hold its reply (0 = send now)."""
        now = time.monotonic()
        with self._auth_lock:
            self.auth_failures += 1
            table = self._auth_table
            entry = table.get(host)
            if entry is None or now - entry[1] > AUTH_FORGET:
                if len(table) >= _TABLE_MAX:
                    self._prune_auth_table(now)
                entry = table[host] = [0, now, now]
            entry[0] += 1
            entry[1] = now
            if entry[0] <= AUTH_FREE_FAILURES:
                return 0.0
            step = min(AUTH_MAX_STEP, AUTH_BASE_DELAY * 2 ** (entry[0] - AUTH_FREE_FAILURES - 1))
            entry[2] = min(max(now, entry[2]) + step, now + AUTH_MAX_WAIT)
            self.auth_delayed += 1
            return entry[2] - now

    def auth_succeeded(self, host: str) -> None:
        with self._auth_lock:
            self._auth_table.pop(host, None)

    def _prune_auth_table(self, now: float) -> None:
        table = self._auth_table
        for host in [h for h, e in table.items() if now - e[1] > AUTH_FORGET]:
            del table[host]
        if len(table) >= _TABLE_MAX:   # still full: forget the oldest half
            for host in sorted(table, key=lambda h: table[h][1])[: len(table) // 2]:
                del table[host]

    def shutdown(self) -> None:
        """Asks the main thread to stop gracefully.  Any thread; also safe in a signal handler."""
        self._stop_requested = True
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass  # pipe full (a wakeup is pending) or closed (already stopped)

    # ---- the client registry (workers) ---------------------------------------------------------
    def next_client_id(self) -> int:
        with self._clients_lock:
            return next(self._ids)

    def admit(self) -> bool:
        """Reserves a slot for a new connection; False when max_connections are in use."""
        with self._clients_lock:
            if self._admitted >= self.config.max_connections:
                return False
            self._admitted += 1
            return True

    def release_admission(self) -> None:
        """Gives back a slot from admit() whose connection never got registered."""
        with self._clients_lock:
            self._admitted -= 1

    def register_client(self, conn: Any) -> None:
        with self._clients_lock:
            self._clients[conn.id] = conn

    def unregister_client(self, conn: Any) -> bool:
        """False when conn had already left (a racing CLIENT KILL or close)."""
        with self._clients_lock:
            if self._clients.pop(conn.id, None) is None:
                return False
            self._admitted -= 1
            return True

    # ---- running -------------------------------------------------------------------------------
    def run(self) -> int:
        """Serves until SIGTERM/SIGINT/shutdown(); returns the process exit code."""
        cfg = self.config
        log.info("Redistill %s starting, pid=%d", metrics.REDISTILL_VERSION, os.getpid())
        maxclients = self._fit_maxclients(cfg.max_connections)
        if maxclients < 1:
            return 1
        if maxclients != cfg.max_connections:
            cfg = self.config = dataclasses.replace(cfg, max_connections=maxclients)
        try:
            tls_ctx = self._tls_context()
        except (OSError, ValueError) as e:   # ssl.SSLError is an OSError
            log.warning("Could not load the TLS certificate or key: %s", e)
            return 1
        try:
            listeners = self._open_listeners(tls_ctx)
        except OSError as e:
            log.warning("Could not create server TCP listening socket %s:%s: %s",
                        cfg.bind, cfg.port, e.strerror or e)
            return 1
        from . import core             # imported here: `import redistill.server` needs no C build
        from .keyspace import Keyspace
        from .worker import Worker

        self.keyspace = Keyspace(int.from_bytes(os.urandom(8), "little") or 1)
        self.keyspace.set_eviction(cfg.max_memory, cfg.eviction_policy)
        self.startup_memory = self.keyspace.stats().get("used_memory", 0)
        if not self.persistence.load_at_start():   # before any worker accepts a client
            for group, _ in listeners:
                for s in group:
                    s.close()
            self._free(core, self.workers)
            return 1
        from .commands.config_cmd import set_keyspace_events, set_pubsub_limits
        set_pubsub_limits(cfg)
        set_keyspace_events(cfg)
        core.trk_set_max_keys(cfg.tracking_table_max_keys)
        self._configure_tracking()
        self._configure_cluster()
        try:
            for i in range(self.nthreads):
                self.workers.append(Worker(self, i, [(group[i], ctx) for group, ctx in listeners]))
        except Exception:
            log.exception("could not start the workers")
            for group, _ in listeners:
                for s in group:
                    s.close()
            self._free(core, self.workers)
            return 1
        self._start_health()
        previous = self._install_signal_handlers()
        try:
            for w in self.workers:
                w.start()
            if self.health is not None:
                self.health.start()
            log.info("Ready to accept connections %s on %s:%d, %d threads, fastpath %s",
                     "tls" if tls_ctx is not None and not self.tls_port else "tcp",
                     self._bind_text(), self.port, self.nthreads,
                     "on" if cfg.fastpath else "off")
            if self.tls_port:
                log.info("Ready to accept connections tls on %s:%d", self._bind_text(), self.tls_port)
            if self.health is not None:
                log.info("Health and metrics on http://%s:%d/health and /metrics",
                         self.health.host, self.health.port)
            self._cron_loop()
            return self._stop(core)
        finally:
            self._restore_signal_handlers(previous)

    def _configure_cluster(self) -> None:
        """Gives C's fast path the slots this node owns and each fast command's key positions, so
        it hands commands for other nodes' slots to Python (which replies -MOVED/-CROSSSLOT)."""
        from .commands import COMMANDS
        from .keyspace import configure_cluster, fast_command_names
        specs = [COMMANDS[name] for name in fast_command_names()]
        # the key positions in every mode: the fast path's ACL check reads them too
        configure_cluster(None if self.cluster is None else self.cluster.owned_bitmap(),
                          [(-1, 0, 0) if "movablekeys" in s.flags else (s.first_key, s.last_key, s.step)
                           for s in specs])

    def _configure_tracking(self) -> None:
        """Gives C's fast path the read-only fast commands' key positions (client-side caching)."""
        from .commands import COMMANDS, tracking
        from .keyspace import fast_command_names
        tracking.configure_fast_reads([COMMANDS[name] for name in fast_command_names()])

    def _tls_context(self) -> Any:
        if not self.config.tls_enabled:
            return None
        from .tls import server_context

        return server_context(self.config)

    def _start_health(self) -> None:
        """Binds the health endpoint.  A port already taken (say by a second instance on the host)
        leaves the endpoint off but never stops the cache: INFO server says so."""
        host, port = self._bind_addresses()[0], self.config.health_check_port
        if not port:
            return
        try:
            self.health = health_module.HealthServer(self, host, port)
        except OSError as e:
            log.warning("Could not start the health endpoint on %s:%s: %s. Serving without /health and "
                        "/metrics (INFO shows redistill_health_endpoint:off); set health_check_port "
                        "(--health-check-port) to a free port, or to 0 to turn the endpoint off.",
                        host, port, e.strerror or e)

    def own_descriptors(self) -> int:
        """Descriptors the server holds besides its clients': one listener per worker, address
        and port; each worker's wake-up socketpair and epoll; the main wake-up pipe; the health
        endpoint with its connection cap; RESERVED_FDS for the rest.  The budget that
        RLIMIT_NOFILE must cover on top of maxclients."""
        cfg = self.config
        ports = 2 if cfg.tls_enabled and cfg.tls_port else 1
        per_worker = ports * len(self._bind_addresses()) + 3
        health = health_module.OWN_FDS + health_module.MAX_CONNECTIONS if cfg.health_check_port else 0
        return RESERVED_FDS + self.nthreads * per_worker + 2 + health

    def _fit_maxclients(self, maxclients: int) -> int:
        """Raises RLIMIT_NOFILE for maxclients and the server's own descriptors if it must; returns
        the maxclients the limit allows (maxclients itself when it suffices), with Redis's
        warnings logged when it does not."""
        allowed, lines = adjust_open_files_limit(maxclients, self.own_descriptors())
        for level, line in lines:
            log.log(level, "%s", line)
        return allowed

    def raise_maxclients(self, maxclients: int) -> int:
        """CONFIG SET maxclients above the current value: as at start (_fit_maxclients)."""
        allowed = self._fit_maxclients(maxclients)
        if allowed < maxclients:
            log.warning("Failed applying new configuration. Possibly related to new maxclients setting. "
                        "Restoring previous settings.")
        return allowed

    def _bind_text(self) -> str:
        return " ".join(self._bind_addresses())

    def _bind_addresses(self) -> list[str]:
        return str(self.config.bind or "0.0.0.0").split() or ["0.0.0.0"]

    def _open_listeners(self, tls_ctx: Any) -> list[tuple[list[socket.socket], Any]]:
        """Per bind address and port, one listener per worker sharing the port (SO_REUSEPORT),
        with the SSL context its connections use (None: plain).  TLS runs on the main port when
        tls_port is 0, else on tls_port beside the plain main port."""
        cfg = self.config
        ports = [(cfg.port, tls_ctx if not cfg.tls_port else None)]
        if tls_ctx is not None and cfg.tls_port:
            ports.append((cfg.tls_port, tls_ctx))
        groups: list[tuple[list[socket.socket], Any]] = []
        bound: list[int] = []
        try:
            for port, ctx in ports:
                for host in self._bind_addresses():
                    group, port = self._bind_group(host, port)
                    groups.append((group, ctx))
                bound.append(port)
        except OSError:
            for group, _ in groups:
                for s in group:
                    s.close()
            raise
        self.port = bound[0]
        self.tls_port = bound[1] if len(bound) > 1 else 0
        self.main_tls = ports[0][1]
        return groups

    def rebind(self, bind: str, port: int) -> None:
        """CONFIG SET bind/port: listens on the new addresses and port, then each worker swaps its
        main-port listeners for them.  Raises OSError, with nothing changed, when one cannot be bound."""
        if port == 0:
            raise OSError(errno.EINVAL, "port 0 (no TCP listener) is not supported")
        groups: list[list[socket.socket]] = []
        try:
            for host in bind.split():
                group, _ = self._bind_group(_listen_host(host), port, exclusive=port != self.port)
                groups.append(group)
        except OSError:
            for group in groups:
                for s in group:
                    s.close()
            raise
        old_port, self.port = self.port, port
        log.info("CONFIG SET: now listening on %s:%d", bind, port)
        # As on Redis, once the reply is sent the old port refuses: the calling worker swaps now and
        # the others are waited for (bounded: one may be waiting for the gate this command holds).
        done: list[threading.Event] = []
        for i, worker in enumerate(self.workers):
            swap = functools.partial(worker.swap_listeners, old_port,
                                     [(group[i], self.main_tls) for group in groups])
            if worker is threading.current_thread():
                swap()
                continue
            event = threading.Event()
            done.append(event)
            worker.call_soon(lambda swap=swap, event=event: (swap(), event.set()))
        deadline = time.monotonic() + 2
        for event in done:
            event.wait(max(0.0, deadline - time.monotonic()))

    def _bind_group(self, host: str, port: int, exclusive: bool = True) -> tuple[list[socket.socket], int]:
        """nthreads listeners on host:port; returns them and the port (port 0 -> a real one)."""
        family, _, _, _, sockaddr = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        # A socket without SO_REUSEPORT cannot bind where anyone listens, even a group of
        # SO_REUSEPORT listeners (say a second Redistill of the same user), which our own
        # sockets would otherwise join silently.  It also turns port 0 into a real port.
        # Not `exclusive`: CONFIG SET bind on this server's own port, where the listeners are ours.
        if exclusive:
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind(sockaddr)
                port = probe.getsockname()[1]
        sockaddr = (sockaddr[0], port) + tuple(sockaddr[2:])
        group: list[socket.socket] = []
        try:
            for _ in range(self.nthreads):
                s = socket.socket(family, socket.SOCK_STREAM)
                group.append(s)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                if family == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind(sockaddr)
                s.listen(LISTEN_BACKLOG)
                s.setblocking(False)
        except OSError:
            for s in group:
                s.close()
            raise
        return group, port

    def _install_signal_handlers(self) -> dict[int, Any]:
        previous: dict[int, Any] = {}
        if threading.current_thread() is not threading.main_thread():
            return previous  # embedded in a test thread: stop with shutdown()
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, self._on_signal)
        return previous

    @staticmethod
    def _restore_signal_handlers(previous: dict[int, Any]) -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    def _on_signal(self, signum: int, frame: Any) -> None:
        if self._stop_requested and signum == signal.SIGINT and self._stop_signal is not None:
            # Redis: a second Ctrl-C while shutting down exits at once.
            os.write(2, b"redistill: second SIGINT, exiting now\n")
            os._exit(1)
        self._stop_signal = signum
        self.shutdown()

    def _cron_loop(self) -> None:
        """hz-10 ticks until a stop is requested; the wakeup pipe cuts the wait short."""
        period = 1.0 / HZ
        next_tick = time.monotonic() + period
        freed = self.keyspace.stream_freed_fd()   # streams freed while clients block (streams.py)
        fds = [self._wake_r] + ([freed] if freed >= 0 else [])
        while not self._stop_requested:
            now = time.monotonic()
            if now < next_tick:
                ready, _, _ = select.select(fds, [], [], next_tick - now)
                if freed in ready:
                    try:
                        streams.serve_freed(self, freed)
                    except Exception:
                        log.exception("serving the waiters of freed streams failed")
                if self._wake_r in ready:
                    try:
                        os.read(self._wake_r, 4096)
                    except BlockingIOError:
                        pass
                continue
            next_tick += period
            if next_tick <= now:  # fell behind (suspended, overloaded): don't burst to catch up
                next_tick = now + period
            self._cron(now)
            self._ticks = getattr(self, "_ticks", 0) + 1
            if self._ticks % TRIM_EVERY == 0:
                for w in self.workers:
                    w.call_soon(lambda w=w: w.trim_idle(TRIM_IDLE_SECONDS, HZ))

    def _timed(self, event: str, fn: Any, budget_us: int) -> None:
        """A cron sweep, sampled for the latency monitor when it took past its threshold (as
        Redis's activeExpireCycle and performEvictions)."""
        start = time.perf_counter_ns()
        fn(budget_us)
        self.latency.add_sample_if_needed(event, (time.perf_counter_ns() - start) // 1_000_000)

    def _cron(self, now: float) -> None:
        if getattr(self, "cron_paused", False):   # DEBUG PAUSE-CRON 1
            return
        try:
            if not pause.active():   # CLIENT PAUSE keeps the dataset still, as Redis
                if self.active_expire_enabled:  # DEBUG SET-ACTIVE-EXPIRE 0 turns the sweep off
                    self._timed("expire-cycle", self.keyspace.active_expire, ACTIVE_EXPIRE_BUDGET_US)
                # catches up after CONFIG SET maxmemory lowers it
                self._timed("eviction-cycle", self.keyspace.evict, EVICT_BUDGET_US)
            streams.serve_freed(self)   # what the eventfd's wake-up left (during a pause)
            self.stats.sample(now)
        except Exception:
            log.exception("cron failed")
        for w in self.workers:
            if not w.is_alive() and not getattr(w, "_reported_dead", False):
                w._reported_dead = True
                log.error("worker %d stopped unexpectedly", w.index)

    def _stop(self, core: Any) -> int:
        cfg = self.config
        self.shutting_down = True
        grace = float(getattr(cfg, "shutdown_grace_period", 30.0))
        reason = {signal.SIGTERM: "SIGTERM", signal.SIGINT: "SIGINT"}.get(
            self._stop_signal, "SHUTDOWN")
        log.info("Received %s: shutting down, closing %d clients (grace period %gs)",
                 reason, self.connected_clients(), grace)
        deadline = time.monotonic() + grace
        for w in self.workers:
            w.stop(deadline)
        for w in self.workers:
            # The workers enforce the deadline themselves; the extra second covers closing.
            w.join(max(0.0, deadline - time.monotonic()) + 1.0)
        alive = [w for w in self.workers if w.is_alive()]
        if alive:
            log.warning("%d worker threads did not stop in time; leaving their C memory to the OS",
                        len(alive))
        else:
            self._save_on_stop()
            self._free(core, self.workers)
        if self.health is not None:
            self.health.stop()
        totals = self.stats.totals()
        log.info("Redistill is now ready to exit, bye bye (%d commands, %d connections served)",
                 totals["total_commands_processed"], totals["total_connections_received"])
        os.close(self._wake_r)
        os.close(self._wake_w)
        return 0

    def _save_on_stop(self) -> None:
        """snapshot_on_shutdown: once every worker has stopped, so the snapshot has every write.
        A BGSAVE still running is waited for first: its thread reads the keyspace about to be freed."""
        running = self.persistence.bgsave_thread
        if running is not None:
            running.join()
        if not self.config.snapshot_on_shutdown or self.saved_for_shutdown:
            return
        log.info("Saving the final RDB snapshot before exiting.")
        try:
            self.persistence.save()
        except Exception as e:   # the process exits anyway: say so, keep the old snapshot
            log.warning("Error trying to save the DB, can't exit cleanly: %s", e)

    def _free(self, core: Any, workers: list[Any]) -> None:
        """Frees the C handles; only when no worker thread can touch them any more."""
        for w in workers:
            self.stats.detach(w.index)
            core.worker_free(w.handle)
            w.handle = None
        self.workers = []
        if self.keyspace is not None:
            self.keyspace.close()
