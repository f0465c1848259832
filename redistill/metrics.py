"""Server counters, merged across worker threads on read, and the INFO text built from them.

Rules:
- Each worker thread writes only its own WorkerStats slot, with plain `+=` and no lock: one
  writer per slot, so no update is lost; readers sum the slots and may see a value that is
  a few increments old, which INFO tolerates (Redis's own counters are read the same way).
- Counters kept by C (fast-path commands, bytes in/out) are read through rd_worker_stats,
  which takes no lock ("relaxed reads").  Stats remembers each worker's handle until the
  worker is gone, then keeps its final numbers.
- instantaneous_* values are sampled by the server's cron (10 times a second) into a ring of
  16 samples, the average over the last ~1.6 s, as Redis's trackInstantaneousMetric does.
- info_sections() feeds both INFO (build_info) and /metrics (health.py): same numbers, one place.
"""
from __future__ import annotations

import os
import platform
import resource
import struct
import sys
import time
from typing import Any, Iterable

REDIS_VERSION = "7.0.0"
_SAMPLES = 16  # Redis's STATS_METRIC_SAMPLES

# Redis's INFO order; "default" and "all" as Redis 7.0 defines them ("everything" adds
# module-generated sections, of which there are none).
SECTION_ORDER = (
    "server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules",
    "commandstats", "errorstats", "latencystats", "cluster", "keyspace",
)
DEFAULT_SECTIONS = frozenset(SECTION_ORDER) - {"commandstats", "latencystats"}
ALL_SECTIONS = frozenset(SECTION_ORDER)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("redistill")
    except Exception:  # not installed (running from a source tree)
        return "0.1.0"


REDISTILL_VERSION = _version()


class WorkerStats:
    """One worker's Python-side counters; written only by that worker's thread."""

    __slots__ = ("commands", "connections_received", "rejected_connections", "rate_limited",
                 "timedout_clients", "tls_handshake_failures", "obuf_limit_closes")

    def __init__(self) -> None:
        self.commands = 0               # commands served by the Python path
        self.connections_received = 0   # accepted sockets, rejected ones included
        self.rejected_connections = 0   # refused: max_connections or connection_rate_limit
        self.rate_limited = 0           # of which refused by connection_rate_limit
        self.timedout_clients = 0       # closed after `timeout` idle seconds
        self.tls_handshake_failures = 0
        self.obuf_limit_closes = 0      # closed by the once-a-second sweep over a soft output limit


# C counters of a worker slot never attached: commands, bytes in, bytes out, calls per fast
# command, failed calls per fast command, error replies per rd_status.
_NO_C: tuple[Any, ...] = (0, 0, 0, (), (), ())


class Stats:
    """Per-worker counters merged on read, plus the C worker counters and the ops/s sampler."""

    def __init__(self, nworkers: int) -> None:
        self.slots = [WorkerStats() for _ in range(nworkers)]
        self._handles: list[Any] = [None] * nworkers   # rd_worker* while the worker lives
        self._final: list[tuple[Any, ...]] = [_NO_C] * nworkers
        self._core: Any = None   # redistill.core, imported by the first attach()
        self._fast_names: tuple[str, ...] = ()
        self._error_codes: tuple[str, ...] = ()   # per rd_status: "ERR", "WRONGTYPE", "" (not an error)
        # Sampler state: touched by the cron thread only; readers take a snapshot of the list.
        self._last_sample: tuple[float, int, int, int] | None = None
        self._ops: list[float] = [0.0] * _SAMPLES
        self._in_kbps: list[float] = [0.0] * _SAMPLES
        self._out_kbps: list[float] = [0.0] * _SAMPLES
        self._idx = 0
        self._base: dict[str, int] = {}          # counters at the last CONFIG RESETSTAT
        self._c_base: dict[int, list[int]] = {}  # idem for C's per-command/per-error arrays
        self.ks_base: dict[str, int] = {}        # idem for the keyspace's counters (INFO)

    def reset(self, server: Any = None) -> None:
        """CONFIG RESETSTAT: counters read as 0 from now on (baselines: C counters stay)."""
        self._base = {}
        self._base = self.totals()
        self._c_base = {}
        self._c_base = {col: self._c_sums(col, n) for col, n in (
            (3, len(self._fast_names)), (4, len(self._fast_names)), (5, len(self._error_codes)))}
        self.ks_base = {}
        if server is not None and getattr(server, "keyspace", None) is not None:
            ks = _ks_stats(server)
            self.ks_base = {k: ks[k] for k in ("expired", "evicted", "hits", "misses")}
        self._last_sample = None

    # ---- C worker handles ---------------------------------------------------------------
    def attach(self, index: int, handle: Any) -> None:
        """Reads this worker's C counters from now on (handle: rd_worker*)."""
        if self._core is None:
            from . import core
            from .keyspace import fast_command_names

            self._core = core
            self._fast_names = tuple(fast_command_names())
            self._error_codes = tuple(core.status_message(st)[1:].split(" ", 1)[0]
                                      for st in range(core.STATUS_COUNT))
        self._handles[index] = handle

    def detach(self, index: int) -> None:
        """Keeps the worker's final C counters; call before rd_worker_free."""
        self._final[index] = self._read_c(index)
        self._handles[index] = None

    def _read_c(self, index: int) -> tuple[Any, ...]:
        handle = self._handles[index]
        if handle is None:
            return self._final[index]
        return self._core.worker_counters(handle, len(self._fast_names))

    # ---- merged reads ---------------------------------------------------------------------
    def totals(self) -> dict[str, int]:
        fast = net_in = net_out = 0
        for i in range(len(self.slots)):
            c, i_, o = self._read_c(i)[:3]
            fast += c
            net_in += i_
            net_out += o
        slots = self.slots
        py = sum(s.commands for s in slots)
        totals = {
            "fast_commands": fast,
            "python_commands": py,
            "total_commands_processed": fast + py,
            "total_net_input_bytes": net_in,
            "total_net_output_bytes": net_out,
            "total_connections_received": sum(s.connections_received for s in slots),
            "rejected_connections": sum(s.rejected_connections for s in slots),
            "rate_limited_connections": sum(s.rate_limited for s in slots),
            "timedout_clients": sum(s.timedout_clients for s in slots),
            "tls_handshake_failures": sum(s.tls_handshake_failures for s in slots),
            "obuf_limit_closes": sum(s.obuf_limit_closes for s in slots),
        }
        for name, base in self._base.items():
            totals[name] -= base
        return totals

    def _c_sums(self, column: int, size: int) -> list[int]:
        """Sum over the workers of one of C's counter arrays, minus its CONFIG RESETSTAT base."""
        totals = [0] * size
        for i in range(len(self.slots)):
            for j, n in enumerate(self._read_c(i)[column]):
                totals[j] += n
        for j, base in enumerate(self._c_base.get(column, ())):
            totals[j] -= base
        return totals

    def fast_command_calls(self) -> dict[str, tuple[int, int]]:
        """name -> (calls, failed calls) the C fast path ran, summed over the workers."""
        n = len(self._fast_names)
        calls, failed = self._c_sums(3, n), self._c_sums(4, n)
        return {name: (calls[j], failed[j]) for j, name in enumerate(self._fast_names) if calls[j]}

    def fast_error_counts(self) -> dict[str, int]:
        """Error code ("ERR", "WRONGTYPE", "OOM") -> error replies written by the C fast path."""
        out: dict[str, int] = {}
        for code, n in zip(self._error_codes, self._c_sums(5, len(self._error_codes))):
            if code and n:
                out[code] = out.get(code, 0) + n
        return out

    # ---- instantaneous metrics ------------------------------------------------------------
    def sample(self, now: float | None = None) -> None:
        """Called by the cron about 10 times a second (now: time.monotonic())."""
        if now is None:
            now = time.monotonic()
        t = self.totals()
        cur = (now, t["total_commands_processed"], t["total_net_input_bytes"],
               t["total_net_output_bytes"])
        last = self._last_sample
        self._last_sample = cur
        if last is None:
            return
        dt = now - last[0]
        if dt <= 0:
            return
        i = self._idx
        self._ops[i] = (cur[1] - last[1]) / dt
        self._in_kbps[i] = (cur[2] - last[2]) / dt / 1024
        self._out_kbps[i] = (cur[3] - last[3]) / dt / 1024
        self._idx = (i + 1) % _SAMPLES

    def ops_per_sec(self) -> int:
        return round(sum(self._ops) / _SAMPLES)

    def input_kbps(self) -> float:
        return sum(self._in_kbps) / _SAMPLES

    def output_kbps(self) -> float:
        return sum(self._out_kbps) / _SAMPLES


def commandstats_rows(python: dict[str, dict[str, int]], fast: dict[str, tuple[int, int]],
                      script: dict[str, tuple[int, int, int]] | None = None) -> list[tuple[str, str]]:
    """INFO commandstats lines: the dispatcher's rows (name -> calls, usec, rejected_calls,
    failed_calls) plus the (calls, failed calls) C ran for the fast commands and the (calls, failed,
    rejected) of scripts' calls C ran or refused.  C does not time its commands (a clock read per
    command would cost more than GET itself), so usec covers Python only and usec_per_call divides it
    by the Python calls."""
    script = script or {}
    rows = []
    for name in sorted(set(python) | set(fast) | set(script)):
        s = python.get(name, {})
        c_calls, c_failed = fast.get(name, (0, 0))
        l_calls, l_failed, l_rejected = script.get(name, (0, 0, 0))
        py_calls, usec = s.get("calls", 0), s.get("usec", 0)
        per_call = usec / py_calls if py_calls else 0.0
        rows.append((f"cmdstat_{name}",
                     f"calls={py_calls + c_calls + l_calls},usec={usec},usec_per_call={per_call:.2f},"
                     f"rejected_calls={s.get('rejected_calls', 0) + l_rejected},"
                     f"failed_calls={s.get('failed_calls', 0) + c_failed + l_failed}"))
    return rows


def errorstats_rows(python: dict[str, int], fast: dict[str, int]) -> list[tuple[str, str]]:
    """INFO errorstats lines (errorstat_ERR:count=3): the dispatcher's plus the fast path's."""
    merged = dict(python)
    for code, n in fast.items():
        merged[code] = merged.get(code, 0) + n
    return [(f"errorstat_{code}", f"count={n}") for code, n in sorted(merged.items())]


# ---- INFO ---------------------------------------------------------------------------------

def bytes_to_human(n: int) -> str:
    """Redis's bytesToHuman: 1023 -> "1023B", 1048576 -> "1.00M"."""
    if n < 1024:
        return f"{n}B"
    for i, unit in enumerate("KMGTP", start=1):
        if n < 1024 ** (i + 1):
            return f"{n / 1024 ** i:.2f}{unit}"
    return f"{n}B"


def parse_sections(sections: Iterable[str | bytes]) -> set[str]:
    """INFO arguments -> the set of section names to print (Redis 7 rules)."""
    wanted: set[str] = set()
    any_arg = False
    for s in sections:
        any_arg = True
        name = (s.decode("utf-8", "replace") if isinstance(s, (bytes, bytearray)) else s).lower()
        if name in ("all", "everything"):
            wanted |= ALL_SECTIONS
        elif name == "default":
            wanted |= DEFAULT_SECTIONS
        else:
            wanted.add(name)
    return wanted if any_arg else set(DEFAULT_SECTIONS)


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _system_memory() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _multiplexing_api() -> str:
    import selectors

    return {
        "EpollSelector": "epoll", "KqueueSelector": "kqueue", "DevpollSelector": "devpoll",
        "PollSelector": "poll", "SelectSelector": "select",
    }.get(selectors.DefaultSelector.__name__, "select")


def _ks_stats(server: Any) -> dict[str, int]:
    """Keyspace counters under fixed names, whatever spelling keyspace.stats() uses."""
    try:
        raw = server.keyspace.stats()
    except Exception:
        raw = {}
    out = {}
    for name, aliases in (
        ("keys", ("keys",)), ("expires", ("expires",)),
        ("used_memory", ("used_memory", "memory")),
        ("peak_memory", ("peak_memory", "used_memory_peak", "peak")),
        ("expired", ("expired", "expired_keys")), ("evicted", ("evicted", "evicted_keys")),
        ("hits", ("hits", "keyspace_hits")), ("misses", ("misses", "keyspace_misses")),
    ):
        out[name] = next((int(raw[a]) for a in aliases if a in raw), 0)
    for name, base in getattr(server.stats, "ks_base", {}).items():  # CONFIG RESETSTAT
        out[name] -= base
    return out


def _avg_ttl(server: Any) -> int:
    avg_ttl = getattr(server.keyspace, "avg_ttl", None)
    return int(avg_ttl()) if avg_ttl is not None else 0


def _lines(title: str, fields: Iterable[tuple[str, Any]]) -> str:
    return f"# {title}\r\n" + "".join(f"{k}:{v}\r\n" for k, v in fields)


def _server_section(server: Any) -> list[tuple[str, Any]]:
    cfg = server.config
    now = time.time()
    uptime = int(now - server.start_time)
    uname = platform.uname()
    return [
        ("redis_version", REDIS_VERSION),
        ("redistill_version", REDISTILL_VERSION),
        ("redis_git_sha1", "00000000"),
        ("redis_git_dirty", 0),
        ("redis_build_id", "0"),
        ("redis_mode", "standalone" if getattr(server, "cluster", None) is None else "cluster"),
        ("os", f"{uname.system} {uname.release} {uname.machine}"),
        ("arch_bits", struct.calcsize("P") * 8),
        ("monotonic_clock", "POSIX clock_gettime"),
        ("multiplexing_api", _multiplexing_api()),
        ("atomicvar_api", "c11-builtin"),
        ("python_version", platform.python_version()),
        # Free-threaded builds (3.13t/3.14t): 0 while the GIL is really off in this process;
        # any extension imported without free-threading support turns it back on (FREE_THREADING.md).
        ("python_gil_enabled", int(getattr(sys, "_is_gil_enabled", lambda: True)())),
        ("redistill_core_loader", getattr(sys.modules.get("redistill.core"), "LOADER", "cffi")),
        ("process_id", os.getpid()),
        ("process_supervised", "no"),
        ("run_id", server.run_id),
        ("tcp_port", getattr(server, "port", cfg.port)),
        ("server_time_usec", int(now * 1_000_000)),
        ("uptime_in_seconds", uptime),
        ("uptime_in_days", uptime // 86400),
        ("hz", 10),
        ("configured_hz", 10),
        ("lru_clock", int(now) & ((1 << 24) - 1)),
        ("executable", os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""),
        ("config_file", getattr(cfg, "config_file", None) or ""),
        ("io_threads_active", 0),
        ("redistill_threads", cfg.threads),
        ("redistill_fastpath", int(bool(cfg.fastpath))),
        *_health_fields(server),
    ]


def _health_fields(server: Any) -> list[tuple[str, Any]]:
    """Whether /health and /metrics are served (off: health_check_port is 0, or its port was
    taken at start) and on which port (0 when off)."""
    endpoint = getattr(server, "health", None)
    return [("redistill_health_endpoint", "on" if endpoint is not None else "off"),
            ("redistill_health_check_port", endpoint.port if endpoint is not None else 0)]


def _connected_clients(server: Any) -> int:
    count = getattr(server, "connected_clients", None)
    return count() if count is not None else len(server.clients())


def _blocked_clients(timed: bool = False) -> int:
    from redistill.commands import blocking, pause  # (late: commands imports this module)
    if timed:
        return blocking.timed_blocked_clients()
    return blocking.blocked_clients() + pause.held_clients()   # CLIENT PAUSE's held ones too


def _clients_section(server: Any) -> list[tuple[str, Any]]:
    from redistill.commands import tracking   # csrc/tracking.c's count
    return [
        ("connected_clients", _connected_clients(server)),
        ("cluster_connections", 0),
        ("maxclients", server.config.max_connections),
        ("client_recent_max_input_buffer", 0),
        ("client_recent_max_output_buffer", 0),
        ("blocked_clients", _blocked_clients()),
        ("tracking_clients", tracking.info_clients()),
        ("clients_in_timeout_table", _blocked_clients(timed=True)),
    ]


def _scripts_memory() -> list[tuple[str, Any]]:
    """The Lua engines' lines (EVAL's state and the functions' one), as Redis 7.0 names them."""
    from redistill.core import function_info, script_stats
    vm, count, cache = script_stats()
    fvm, nlibs, nfuncs, fbytes = function_info()
    return [
        ("used_memory_lua", vm), ("used_memory_vm_eval", vm), ("used_memory_lua_human", bytes_to_human(vm)),
        ("used_memory_scripts_eval", cache), ("number_of_cached_scripts", count),
        ("number_of_functions", nfuncs), ("number_of_libraries", nlibs), ("used_memory_vm_functions", fvm),
        ("used_memory_vm_total", vm + fvm), ("used_memory_vm_total_human", bytes_to_human(vm + fvm)),
        ("used_memory_functions", fbytes),
        ("used_memory_scripts", cache + fbytes), ("used_memory_scripts_human", bytes_to_human(cache + fbytes)),
    ]


def _memory_section(server: Any, ks: dict[str, int]) -> list[tuple[str, Any]]:
    cfg = server.config
    used = ks["used_memory"]
    peak = max(ks["peak_memory"], used)
    rss = _rss_bytes()
    total = _system_memory()
    return [
        ("used_memory", used),
        ("used_memory_human", bytes_to_human(used)),
        ("used_memory_rss", rss),
        ("used_memory_rss_human", bytes_to_human(rss)),
        ("used_memory_peak", peak),
        ("used_memory_peak_human", bytes_to_human(peak)),
        ("used_memory_peak_perc", f"{(used * 100 / peak) if peak else 0:.2f}%"),
        ("used_memory_dataset", used),
        *_scripts_memory(),
        ("total_system_memory", total),
        ("total_system_memory_human", bytes_to_human(total)),
        ("maxmemory", cfg.max_memory - (1 << 64) if cfg.max_memory >= 1 << 63 else cfg.max_memory),  # Redis's %lld
        ("maxmemory_human", bytes_to_human(cfg.max_memory)),
        ("maxmemory_policy", cfg.eviction_policy),
        ("mem_fragmentation_ratio", f"{(rss / used) if used else 0:.2f}"),
        ("mem_fragmentation_bytes", rss - used),
        ("mem_not_counted_for_evict", 0),   # no replication or AOF buffers here
        ("mem_allocator", "libc"),
        ("active_defrag_running", 0),
        ("lazyfree_pending_objects", 0),
        ("lazyfreed_objects", 0),
    ]


def _persistence_section(server: Any) -> list[tuple[str, Any]]:
    return server.persistence.info_fields() + [
        ("aof_enabled", 0),
        ("aof_rewrite_in_progress", 0), ("aof_rewrite_scheduled", 0),
        ("aof_last_rewrite_time_sec", -1), ("aof_current_rewrite_time_sec", -1),
        ("aof_last_bgrewrite_status", "ok"), ("aof_rewrites", 0),
        ("aof_last_write_status", "ok"), ("module_fork_in_progress", 0),
    ] + server.persistence.loading_fields()


def _stats_section(server: Any, ks: dict[str, int]) -> list[tuple[str, Any]]:
    from redistill.commands import migrate, pubsub, tracking   # their counts (pubsub.c, tracking.c, the MIGRATE cache)
    st = server.stats
    t = st.totals()
    errors = sum(int(v.rpartition("=")[2]) for _, v in _table_section(server, "error_stats"))
    return [
        ("total_connections_received", t["total_connections_received"]),
        ("total_commands_processed", t["total_commands_processed"]),
        ("instantaneous_ops_per_sec", st.ops_per_sec()),
        ("total_net_input_bytes", t["total_net_input_bytes"]),
        ("total_net_output_bytes", t["total_net_output_bytes"]),
        ("total_net_repl_input_bytes", 0),
        ("total_net_repl_output_bytes", 0),
        ("instantaneous_input_kbps", f"{st.input_kbps():.2f}"),
        ("instantaneous_output_kbps", f"{st.output_kbps():.2f}"),
        ("rejected_connections", t["rejected_connections"]),
        ("sync_full", 0), ("sync_partial_ok", 0), ("sync_partial_err", 0),
        ("expired_keys", ks["expired"]),
        ("expired_stale_perc", "0.00"),
        ("expired_time_cap_reached_count", 0),
        ("evicted_keys", ks["evicted"]),
        ("evicted_clients", 0),
        ("keyspace_hits", ks["hits"]),
        ("keyspace_misses", ks["misses"]),
        *pubsub.info_fields(),
        ("latest_fork_usec", 0), ("total_forks", 0),
        ("migrate_cached_sockets", migrate.cached_sockets()),
        *tracking.info_keyspace_fields(),
        ("unexpected_error_replies", 0),
        ("total_error_replies", errors),
        ("acl_access_denied_auth", getattr(server, "auth_failures", 0)),   # Redis 7.2's names
        *_acl_denials(server),
        # Redis 7.2's name: clients dropped over client-output-buffer-limit (C's pubsub-class drops
        # at delivery, and the sweep's soft-limit closes)
        ("client_output_buffer_limit_disconnections", t["obuf_limit_closes"] + pubsub.limit_disconnections()),
        ("redistill_fastpath_commands", t["fast_commands"]),
        ("redistill_python_commands", t["python_commands"]),
        ("redistill_rate_limited_connections", t["rate_limited_connections"]),
        ("redistill_timedout_clients", t["timedout_clients"]),
        ("redistill_tls_handshake_failures", t["tls_handshake_failures"]),
        ("redistill_auth_delayed_replies", getattr(server, "auth_delayed", 0)),
    ]


def _replication_section(server: Any) -> list[tuple[str, Any]]:
    return [
        ("role", "master"), ("connected_slaves", 0), ("master_failover_state", "no-failover"),
        ("master_replid", server.run_id), ("master_replid2", "0" * 40),
        ("master_repl_offset", 0), ("second_repl_offset", -1), ("repl_backlog_active", 0),
        ("repl_backlog_size", 1048576), ("repl_backlog_first_byte_offset", 0),
        ("repl_backlog_histlen", 0),
    ]


def _cpu_section() -> list[tuple[str, Any]]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return [
        ("used_cpu_sys", f"{me.ru_stime:.6f}"), ("used_cpu_user", f"{me.ru_utime:.6f}"),
        ("used_cpu_sys_children", f"{ch.ru_stime:.6f}"),
        ("used_cpu_user_children", f"{ch.ru_utime:.6f}"),
    ]


def _table_section(server: Any, attr: str) -> list[tuple[str, Any]]:
    """commandstats / errorstats: the (name, value text) rows the server's method `attr` offers;
    none when it has no such method or it fails."""
    provider = getattr(server, attr, None)
    if provider is None:
        return []
    try:
        return list(provider())
    except Exception:
        return []


def info_sections(server: Any, sections: Iterable[str | bytes] = ()) -> list[tuple[str, list[tuple[str, Any]]]]:
    """(title, [(field, value)...]) for the requested sections ([] = default), in Redis's order.

    Unknown section names contribute nothing (Redis replies an empty string for them).
    INFO prints these; /metrics (health.py) turns the numeric ones into Prometheus samples."""
    wanted = parse_sections(sections)
    ks: dict[str, int] | None = None
    out: list[tuple[str, list[tuple[str, Any]]]] = []
    for name in SECTION_ORDER:
        if name not in wanted:
            continue
        if name in ("memory", "stats", "keyspace") and ks is None:
            ks = _ks_stats(server)
        if name == "server":
            out.append(("Server", _server_section(server)))
        elif name == "clients":
            out.append(("Clients", _clients_section(server)))
        elif name == "memory":
            out.append(("Memory", _memory_section(server, ks)))
        elif name == "persistence":
            out.append(("Persistence", _persistence_section(server)))
        elif name == "stats":
            out.append(("Stats", _stats_section(server, ks)))
        elif name == "replication":
            out.append(("Replication", _replication_section(server)))
        elif name == "cpu":
            out.append(("CPU", _cpu_section()))
        elif name == "modules":
            out.append(("Modules", []))
        elif name == "commandstats":
            out.append(("Commandstats", _table_section(server, "command_stats")))
        elif name == "errorstats":
            out.append(("Errorstats", _table_section(server, "error_stats")))
        elif name == "latencystats":
            out.append(("Latencystats", []))
        elif name == "cluster":
            out.append(("Cluster", [("cluster_enabled", int(getattr(server, "cluster", None) is not None))]))
        elif name == "keyspace":
            rows = []
            if ks["keys"]:
                rows.append(("db0", f"keys={ks['keys']},expires={ks['expires']},"
                                    f"avg_ttl={_avg_ttl(server) if ks['expires'] else 0}"))
            out.append(("Keyspace", rows))
    return out


def build_info(server: Any, sections: Iterable[str | bytes] = ()) -> str:
    """Redis's INFO text for the requested sections ([] = default), in Redis's order."""
    return "\r\n".join(_lines(title, rows) for title, rows in info_sections(server, sections))


def _acl_denials(server: Any) -> list[tuple[str, int]]:
    """Commands, keys and channels the ACL refused (redistill/acl.py counts them as it logs)."""
    registry = getattr(server, "acl", None)
    denied = registry.denied if registry is not None else {}
    return [("acl_access_denied_cmd", denied.get(1, 0)), ("acl_access_denied_key", denied.get(2, 0)),
            ("acl_access_denied_channel", denied.get(4, 0))]
