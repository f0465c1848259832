"""Redis 7.0's CONFIG parameters: every name CONFIG GET lists and CONFIG SET accepts, with Redis's
aliases, types, ranges, defaults and error texts (config.c of redis 7.0.15, row for row).

Values are kept as the canonical text CONFIG GET prints: parse() turns what a client sent into that
text or raises ParamError with Redis's reason.  Which parameters change what Redistill does, and how, is
decided by commands/config_cmd.py (CONFIG SET's apply step); the rest are stored so that configuration
tools and Redis's own tests see Redis's behaviour (docs/CONFIG.md lists them as "accepted, no effect").
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

INT_MAX, INT_MIN, UINT_MAX = 2**31 - 1, -(2**31), 2**32 - 1
LLONG_MAX, ULLONG_MAX = 2**63 - 1, 2**64 - 1


class ParamError(Exception):
    """A value CONFIG SET refuses; str() is Redis's reason (after "CONFIG SET failed ... - ")."""


# ---- Redis's number parsers -----------------------------------------------------------------------

_LL_RE = re.compile(r"0|-?[1-9][0-9]*")
_MEM_RE = re.compile(r"([0-9]*)(b|k|kb|m|mb|g|gb)?", re.IGNORECASE)
_MEM_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3}


def string2ll(text: str) -> int | None:
    """Redis's strict integer syntax (no sign '+', spaces or leading zeros), or None."""
    if not _LL_RE.fullmatch(text):
        return None
    n = int(text)
    return n if -LLONG_MAX - 1 <= n <= LLONG_MAX else None


def memtoull(text: str) -> int | None:
    """Redis's memtoull: digits and a unit; strtoull saturates at ULLONG_MAX and the product wraps
    (so CONFIG SET maxmemory 99999999999999999999 is ULLONG_MAX, as in Redis).  None when invalid."""
    m = _MEM_RE.fullmatch(text)
    if not m or len(m.group(1)) >= 128:
        return None
    digits = min(int(m.group(1) or "0"), ULLONG_MAX)
    return digits * _MEM_UNITS[(m.group(2) or "").lower()] & ULLONG_MAX


def _signed(n: int) -> int:
    return n - (1 << 64) if n > LLONG_MAX else n


# ---- one parameter -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    """kind: bool | int | mem | mempct | octal (u-prefixed: unsigned in C) | string | enum | special."""

    name: str
    kind: str
    default: str
    lo: int = 0
    hi: int = 0
    choices: tuple[tuple[str, str], ...] = ()   # enum: (accepted word, canonical word)
    alias: str | None = None
    flags: frozenset = field(default_factory=frozenset)

    def parse(self, text: str) -> str:
        kind = self.kind
        if kind == "bool":
            if text.lower() not in ("yes", "no"):
                raise ParamError("argument must be 'yes' or 'no'")
            return text.lower()
        if kind == "string":
            return text
        if kind == "enum":
            return _enum(self, text)
        if kind == "special":
            return SPECIAL[self.name](text)
        return self._number(text)

    def _number(self, text: str) -> str:
        """numericParseString + numericBoundaryCheck + numericConfigGet."""
        unsigned = self.kind.startswith("u")
        kind = self.kind.lstrip("u")
        n = None
        if kind in ("mem", "mempct"):
            n = memtoull(text)
            n = None if n is None else _signed(n)
        if n is None and kind == "mempct" and len(text) > 1 and text.endswith("%"):
            pct = string2ll(text[:-1])
            n = -pct if pct is not None and pct >= 0 else None
        if n is None and kind == "octal":
            n = int(text, 8) if re.fullmatch(r"[+-]?[0-7]+", text) else None
        if n is None and kind == "int":
            n = string2ll(text)
        if n is None:
            raise ParamError({"mem": "argument must be a memory value",
                              "mempct": "argument must be a memory or percent value",
                              "octal": "argument couldn't be parsed as an octal number"}.get(
                                  kind, "argument couldn't be parsed into an integer"))
        if unsigned:
            u = n & ULLONG_MAX
            if not self.lo <= u <= self.hi:
                fmt = "{:o}" if kind == "octal" else "{}"
                raise ParamError(f"argument must be between {fmt.format(self.lo)} and "
                                 f"{fmt.format(self.hi)} inclusive")
            n = u
        elif kind == "mempct" and n < 0:
            if n < self.lo:
                raise ParamError(f"percentage argument must be less or equal to {-self.lo}")
        elif not self.lo <= n <= self.hi:
            raise ParamError(f"argument must be between {self.lo} and {self.hi} inclusive")
        if self.name == "hz":   # updateHZ clamps what CONFIG GET then shows
            n = max(1, min(n, 500))
        elif self.name == "repl-backlog-size":   # so does resizeReplicationBacklog
            n = max(n, 16384)
        if kind == "mempct" and n < 0:
            return f"{-n}%"
        return format(n, "o") if kind == "octal" else str(n & ULLONG_MAX if kind.startswith("mem") else n)


def _enum(p: Param, text: str) -> str:
    """configEnumGetValue / configEnumGetName; shutdown-on-sig* take several words (bit flags)."""
    words = split_args(text) if "multi_arg" in p.flags else [text]
    canon = dict(p.choices)
    if not words or any(w.lower() not in canon for w in words):
        raise ParamError("argument(s) must be one of the following: " + ", ".join(w for w, _ in p.choices))
    if "multi_arg" not in p.flags:
        return canon[words[0].lower()]
    chosen = {canon[w.lower()] for w in words} - {"default"}
    if {"save", "nosave"} <= chosen:
        raise ParamError("shutdown options SAVE and NOSAVE can't be used simultaneously")
    return " ".join(w for w, _ in p.choices if w in chosen) or "default"


def split_args(text: str) -> list[str]:
    """How Redis splits a multi-argument parameter's value: at each single space (sdssplitlen), so
    doubled or edge spaces make empty words; "" is no words at all."""
    return text.split(" ") if text else []


def _choices(*words: str, same: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    return tuple((w, (same or {}).get(w, w)) for w in words)


_MAXMEMORY_POLICY = _choices("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
                             "allkeys-lfu", "allkeys-random", "noeviction", "allkeys-s3fifo")
_SYSLOG_FACILITY = _choices("user", *(f"local{i}" for i in range(8)))
_LOGLEVEL = _choices("debug", "verbose", "notice", "warning")
_SUPERVISED_MODE = _choices("upstart", "systemd", "auto", "no")
_AOF_FSYNC = _choices("everysec", "always", "no")
_SHUTDOWN_ON_SIG = _choices("default", "save", "nosave", "now", "force")
_REPL_DISKLESS_LOAD = _choices("disabled", "on-empty-db", "swapdb")
_TLS_AUTH_CLIENTS = _choices("no", "yes", "optional")
_OOM_SCORE_ADJ = _choices("no", "yes", "relative", "absolute", same={"relative": "yes"})
_ACL_PUBSUB_DEFAULT = _choices("allchannels", "resetchannels")
_SANITIZE_DUMP_PAYLOAD = _choices("no", "yes", "clients")
_PROTECTED_ACTION = _choices("no", "yes", "local")
_CLUSTER_PREFERRED_ENDPOINT_TYPE = _choices("ip", "hostname", "unknown-endpoint")
_PROPAGATION_ERROR_BEHAVIOR = _choices("ignore", "panic", "panic-on-replicas")


def _p(name: str, kind: str, default: str, flags: str = "", **kw) -> Param:
    return Param(name, kind, default, flags=frozenset(flags.split()), **kw)


# ---- the special parameters' own syntax (config.c's setConfig*Option) ---------------------------

def _save(text: str) -> str:
    parts = split_args(text)
    if len(parts) % 2 or not all(re.fullmatch(r"[+-]?[0-9]+", p) for p in parts):
        raise ParamError("Invalid save parameters")
    return " ".join(str(int(p)) for p in parts)


OBUF_CLASSES = ("normal", "slave", "pubsub")
OBUF_DEFAULT = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
_OBUF_NAMES = {"normal": "normal", "slave": "slave", "replica": "slave", "pubsub": "pubsub"}


def parse_obuf_limits(text: str, current: str = OBUF_DEFAULT) -> dict[str, tuple[int, int, int]]:
    """client-output-buffer-limit "<class> <hard> <soft> <soft seconds> ..." over `current`:
    {class: (hard bytes, soft bytes, soft seconds)} for all three classes."""
    limits = {c: tuple(int(x) for x in v) for c, *v in _groups(current.split())}
    words = split_args(text)
    if len(words) % 4:
        raise ParamError("Wrong number of arguments in buffer limit configuration.")
    for name, hard, soft, secs in _groups(words):
        cls = _OBUF_NAMES.get(name.lower())
        if cls is None:
            raise ParamError("Invalid client class specified in buffer limit configuration.")
        h, s = memtoull(hard), memtoull(soft)
        if h is None or s is None or not re.fullmatch(r"[+-]?[0-9]+", secs) or int(secs) < 0:
            raise ParamError("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
        limits[cls] = (h, s, int(secs))
    return limits


def _groups(words: list[str]) -> list[list[str]]:
    return [words[i:i + 4] for i in range(0, len(words) - len(words) % 4, 4)]


@functools.lru_cache(maxsize=8)
def class_limits(text: str) -> tuple[int, int, int]:
    """A config field holding one class's "hard soft seconds" (canonical), as numbers."""
    hard, soft, secs = (int(x) for x in text.split())
    return hard, soft, secs


def format_obuf_limits(limits: dict[str, tuple[int, int, int]]) -> str:
    return " ".join(f"{c} {h} {s} {t}" for c in OBUF_CLASSES for h, s, t in [limits[c]])


def _obuf(text: str) -> str:
    """Over the defaults; CONFIG SET merges over the current value instead (config_cmd.py)."""
    return format_obuf_limits(parse_obuf_limits(text))


def _oom_values(text: str) -> str:
    parts = split_args(text)
    if len(parts) != 3:
        raise ParamError("wrong number of arguments")
    # strtoll: leading spaces skipped, and no digits at all (an empty word) reads as 0
    values = [int(p) if p.strip() else 0 for p in parts if re.fullmatch(r"\s*([+-]?[0-9]+)?", p)]
    if len(values) != 3 or not all(-2000 <= v <= 2000 for v in values):
        raise ParamError("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
    return " ".join(str(v) for v in values)


_EVENT_TYPES = "g$lshzxetd"  # what "A" stands for, in the order Redis writes them back


def _keyspace_events(text: str) -> str:
    """keyspaceEventsStringToFlags then keyspaceEventsFlagsToString ("KEA" reads back as "AKE"), but
    keeping "n" after "A", which Redis's text drops while its flags keep it (keyspace_events_shown)."""
    if any(ch not in "AgKEg$lshzxetdmn" for ch in text):
        raise ParamError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
    chars = set(text.replace("A", _EVENT_TYPES))
    types = "A" if set(_EVENT_TYPES) <= chars else "".join(c for c in _EVENT_TYPES if c in chars)
    return types + ("n" if "n" in chars else "") + "".join(c for c in "KEm" if c in chars)


def keyspace_events_shown(canon: str) -> str:
    """What CONFIG GET prints for _keyspace_events' text: Redis writes no "n" after "A"."""
    return canon.replace("An", "A", 1) if canon.startswith("An") else canon


# notify-keyspace-events' letters as Redis's NOTIFY_* bits (csrc/notify.h); "A" is NOTIFY_ALL.
_EVENT_BITS = {"K": 1, "E": 2, "g": 4, "$": 8, "l": 16, "s": 32, "h": 64, "z": 128, "x": 256,
               "e": 512, "t": 1024, "m": 2048, "d": 8192, "n": 16384}


def keyspace_event_flags(text: str) -> int:
    """keyspaceEventsStringToFlags of a valid notify-keyspace-events value."""
    return sum(_EVENT_BITS[c] for c in set(text.replace("A", _EVENT_TYPES)))


def _bind(text: str) -> str:
    addrs = split_args(text)
    if len(addrs) > 16:
        raise ParamError("Too many bind addresses specified.")
    if not addrs or "" in addrs:   # "": Redis then listens on no TCP address; refused here
        raise ParamError("Failed to bind to specified addresses.")
    return " ".join(addrs)


def _string2d(text: str) -> float | None:
    """Redis's string2d (strtod, whole string, no leading space, no NaN), hexadecimal floats included."""
    if not text or text[0].isspace() or text[-1].isspace() or "_" in text:
        return None
    try:
        v = float(text)
    except ValueError:
        if not re.fullmatch(r"[+-]?0[xX][0-9a-fA-F.]+([pP][+-]?[0-9]+)?", text):
            return None
        try:
            v = float.fromhex(text)
        except (ValueError, OverflowError):
            return None
    return None if v != v else v


def _percentiles(text: str) -> str:
    out = []
    for word in split_args(text):
        v = _string2d(word)
        if v is None:
            raise ParamError("Invalid latency-tracking-info-percentiles parameters")
        if not 0.0 <= v <= 100.0:
            raise ParamError("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
        out.append(f"{v:f}".rstrip("0").rstrip("."))
    return " ".join(out)


SPECIAL = {
    "save": _save, "client-output-buffer-limit": _obuf, "oom-score-adj-values": _oom_values,
    "notify-keyspace-events": _keyspace_events, "bind": _bind, "latency-tracking-info-percentiles": _percentiles,
    "dir": str, "replicaof": str,
}

# ---- the table: config.c's static_configs, in its order ------------------------------------------

PARAMS: tuple[Param, ...] = (
    _p('rdbchecksum', 'bool', 'yes', flags='immutable'),
    _p('daemonize', 'bool', 'no', flags='immutable'),
    _p('io-threads-do-reads', 'bool', 'no', flags='immutable'),
    _p('always-show-logo', 'bool', 'no', flags='immutable'),
    _p('protected-mode', 'bool', 'yes'),
    _p('rdbcompression', 'bool', 'yes'),
    _p('rdb-del-sync-files', 'bool', 'no'),
    _p('activerehashing', 'bool', 'yes'),
    _p('stop-writes-on-bgsave-error', 'bool', 'yes'),
    _p('set-proc-title', 'bool', 'yes', flags='immutable'),
    _p('dynamic-hz', 'bool', 'yes'),
    _p('lazyfree-lazy-eviction', 'bool', 'no'),
    _p('lazyfree-lazy-expire', 'bool', 'no'),
    _p('lazyfree-lazy-server-del', 'bool', 'no'),
    _p('lazyfree-lazy-user-del', 'bool', 'no'),
    _p('lazyfree-lazy-user-flush', 'bool', 'no'),
    _p('repl-disable-tcp-nodelay', 'bool', 'no'),
    _p('repl-diskless-sync', 'bool', 'yes'),
    _p('aof-rewrite-incremental-fsync', 'bool', 'yes'),
    _p('no-appendfsync-on-rewrite', 'bool', 'no'),
    _p('cluster-require-full-coverage', 'bool', 'yes'),
    _p('rdb-save-incremental-fsync', 'bool', 'yes'),
    _p('aof-load-truncated', 'bool', 'yes'),
    _p('aof-use-rdb-preamble', 'bool', 'yes'),
    _p('aof-timestamp-enabled', 'bool', 'no'),
    _p('cluster-replica-no-failover', 'bool', 'no', alias='cluster-slave-no-failover'),
    _p('replica-lazy-flush', 'bool', 'no', alias='slave-lazy-flush'),
    _p('replica-serve-stale-data', 'bool', 'yes', alias='slave-serve-stale-data'),
    _p('replica-read-only', 'bool', 'yes', alias='slave-read-only'),
    _p('replica-ignore-maxmemory', 'bool', 'yes', alias='slave-ignore-maxmemory'),
    _p('jemalloc-bg-thread', 'bool', 'yes'),
    _p('activedefrag', 'bool', 'no'),
    _p('syslog-enabled', 'bool', 'no', flags='immutable'),
    _p('cluster-enabled', 'bool', 'no', flags='immutable'),
    _p('appendonly', 'bool', 'no'),
    _p('cluster-allow-reads-when-down', 'bool', 'no'),
    _p('cluster-allow-pubsubshard-when-down', 'bool', 'yes'),
    _p('crash-log-enabled', 'bool', 'yes'),
    _p('crash-memcheck-enabled', 'bool', 'yes'),
    _p('use-exit-on-panic', 'bool', 'no', flags='hidden'),
    _p('disable-thp', 'bool', 'yes', flags='immutable'),
    _p('cluster-allow-replica-migration', 'bool', 'yes'),
    _p('replica-announced', 'bool', 'yes'),
    _p('latency-tracking', 'bool', 'yes'),
    _p('aof-disable-auto-gc', 'bool', 'no'),
    _p('replica-ignore-disk-write-errors', 'bool', 'no'),
    _p('aclfile', 'string', '', flags='immutable'),
    _p('unixsocket', 'string', '', flags='immutable'),
    _p('pidfile', 'string', '', flags='immutable'),
    _p('replica-announce-ip', 'string', '', alias='slave-announce-ip'),
    _p('masteruser', 'string', ''),
    _p('cluster-announce-ip', 'string', ''),
    _p('cluster-config-file', 'string', 'nodes.conf', flags='immutable'),
    _p('cluster-announce-hostname', 'string', ''),
    _p('syslog-ident', 'string', 'redis', flags='immutable'),
    _p('dbfilename', 'string', 'dump.rdb', flags='protected'),
    _p('appendfilename', 'string', 'appendonly.aof', flags='immutable'),
    _p('appenddirname', 'string', 'appendonlydir', flags='immutable'),
    _p('server_cpulist', 'string', '', flags='immutable'),
    _p('bio_cpulist', 'string', '', flags='immutable'),
    _p('aof_rewrite_cpulist', 'string', '', flags='immutable'),
    _p('bgsave_cpulist', 'string', '', flags='immutable'),
    _p('ignore-warnings', 'string', ''),
    _p('proc-title-template', 'string', '{title} {listen-addr} {server-mode}'),
    _p('bind-source-addr', 'string', ''),
    _p('logfile', 'string', '', flags='immutable'),
    _p('masterauth', 'string', ''),
    _p('requirepass', 'string', ''),
    _p('supervised', 'enum', 'no', choices=_SUPERVISED_MODE, flags='immutable'),
    _p('syslog-facility', 'enum', 'local0', choices=_SYSLOG_FACILITY, flags='immutable'),
    _p('repl-diskless-load', 'enum', 'disabled', choices=_REPL_DISKLESS_LOAD),
    _p('loglevel', 'enum', 'notice', choices=_LOGLEVEL),
    _p('maxmemory-policy', 'enum', 'noeviction', choices=_MAXMEMORY_POLICY),
    _p('appendfsync', 'enum', 'everysec', choices=_AOF_FSYNC),
    _p('oom-score-adj', 'enum', 'no', choices=_OOM_SCORE_ADJ),
    _p('acl-pubsub-default', 'enum', 'resetchannels', choices=_ACL_PUBSUB_DEFAULT),
    _p('sanitize-dump-payload', 'enum', 'no', choices=_SANITIZE_DUMP_PAYLOAD),
    _p('enable-protected-configs', 'enum', 'no', choices=_PROTECTED_ACTION, flags='immutable'),
    _p('enable-debug-command', 'enum', 'no', choices=_PROTECTED_ACTION, flags='immutable'),
    _p('enable-module-command', 'enum', 'no', choices=_PROTECTED_ACTION, flags='immutable'),
    _p('cluster-preferred-endpoint-type', 'enum', 'ip', choices=_CLUSTER_PREFERRED_ENDPOINT_TYPE),
    _p('propagation-error-behavior', 'enum', 'ignore', choices=_PROPAGATION_ERROR_BEHAVIOR),
    _p('shutdown-on-sigint', 'enum', 'default', choices=_SHUTDOWN_ON_SIG, flags='multi_arg'),
    _p('shutdown-on-sigterm', 'enum', 'default', choices=_SHUTDOWN_ON_SIG, flags='multi_arg'),
    _p('databases', 'int', '16', lo=1, hi=INT_MAX, flags='immutable'),
    _p('port', 'int', '6379', lo=0, hi=65535),
    _p('io-threads', 'int', '1', lo=1, hi=128, flags='immutable'),
    _p('auto-aof-rewrite-percentage', 'int', '100', lo=0, hi=INT_MAX),
    _p('cluster-replica-validity-factor', 'int', '10', lo=0, hi=INT_MAX, alias='cluster-slave-validity-factor'),
    _p('list-max-listpack-size', 'int', '-2', lo=INT_MIN, hi=INT_MAX, alias='list-max-ziplist-size'),
    _p('tcp-keepalive', 'int', '300', lo=0, hi=INT_MAX),
    _p('cluster-migration-barrier', 'int', '1', lo=0, hi=INT_MAX),
    _p('active-defrag-cycle-min', 'int', '1', lo=1, hi=99),
    _p('active-defrag-cycle-max', 'int', '25', lo=1, hi=99),
    _p('active-defrag-threshold-lower', 'int', '10', lo=0, hi=1000),
    _p('active-defrag-threshold-upper', 'int', '100', lo=0, hi=1000),
    _p('lfu-log-factor', 'int', '10', lo=0, hi=INT_MAX),
    _p('lfu-decay-time', 'int', '1', lo=0, hi=INT_MAX),
    _p('replica-priority', 'int', '100', lo=0, hi=INT_MAX, alias='slave-priority'),
    _p('repl-diskless-sync-delay', 'int', '5', lo=0, hi=INT_MAX),
    _p('maxmemory-samples', 'int', '5', lo=1, hi=INT_MAX),
    _p('maxmemory-eviction-tenacity', 'int', '10', lo=0, hi=100),
    _p('timeout', 'int', '0', lo=0, hi=INT_MAX),
    _p('replica-announce-port', 'int', '0', lo=0, hi=65535, alias='slave-announce-port'),
    _p('tcp-backlog', 'int', '511', lo=0, hi=INT_MAX, flags='immutable'),
    _p('cluster-port', 'int', '0', lo=0, hi=65535, flags='immutable'),
    _p('cluster-announce-bus-port', 'int', '0', lo=0, hi=65535),
    _p('cluster-announce-port', 'int', '0', lo=0, hi=65535),
    _p('cluster-announce-tls-port', 'int', '0', lo=0, hi=65535),
    _p('repl-timeout', 'int', '60', lo=1, hi=INT_MAX),
    _p('repl-ping-replica-period', 'int', '10', lo=1, hi=INT_MAX, alias='repl-ping-slave-period'),
    _p('list-compress-depth', 'int', '0', lo=0, hi=INT_MAX),
    _p('rdb-key-save-delay', 'int', '0', lo=INT_MIN, hi=INT_MAX, flags='hidden'),
    _p('key-load-delay', 'int', '0', lo=INT_MIN, hi=INT_MAX, flags='hidden'),
    _p('active-expire-effort', 'int', '1', lo=1, hi=10),
    _p('hz', 'int', '10', lo=0, hi=INT_MAX),
    _p('min-replicas-to-write', 'int', '0', lo=0, hi=INT_MAX, alias='min-slaves-to-write'),
    _p('min-replicas-max-lag', 'int', '10', lo=0, hi=INT_MAX, alias='min-slaves-max-lag'),
    _p('watchdog-period', 'int', '0', lo=0, hi=INT_MAX, flags='hidden'),
    _p('shutdown-timeout', 'int', '10', lo=0, hi=INT_MAX),
    _p('repl-diskless-sync-max-replicas', 'int', '0', lo=0, hi=INT_MAX),
    _p('maxclients', 'uint', '10000', lo=1, hi=UINT_MAX),
    _p('unixsocketperm', 'uoctal', '0', lo=0, hi=0o777, flags='immutable'),
    _p('socket-mark-id', 'uint', '0', lo=0, hi=UINT_MAX, flags='immutable'),
    _p('active-defrag-max-scan-fields', 'uint', '1000', lo=1, hi=LLONG_MAX),
    _p('slowlog-max-len', 'uint', '128', lo=0, hi=LLONG_MAX),
    _p('acllog-max-len', 'uint', '128', lo=0, hi=LLONG_MAX),
    _p('busy-reply-threshold', 'int', '5000', lo=0, hi=LLONG_MAX, alias='lua-time-limit'),
    _p('cluster-node-timeout', 'int', '15000', lo=0, hi=LLONG_MAX),
    _p('slowlog-log-slower-than', 'int', '10000', lo=-1, hi=LLONG_MAX),
    _p('latency-monitor-threshold', 'int', '0', lo=0, hi=LLONG_MAX),
    _p('proto-max-bulk-len', 'mem', '536870912', lo=1048576, hi=LLONG_MAX),
    _p('stream-node-max-entries', 'int', '100', lo=0, hi=LLONG_MAX),
    _p('repl-backlog-size', 'mem', '1048576', lo=1, hi=LLONG_MAX),
    _p('maxmemory', 'umem', '0', lo=0, hi=ULLONG_MAX),
    _p('cluster-link-sendbuf-limit', 'umem', '0', lo=0, hi=ULLONG_MAX),
    _p('hash-max-listpack-entries', 'uint', '512', lo=0, hi=LLONG_MAX, alias='hash-max-ziplist-entries'),
    _p('set-max-intset-entries', 'uint', '512', lo=0, hi=LLONG_MAX),
    _p('zset-max-listpack-entries', 'uint', '128', lo=0, hi=LLONG_MAX, alias='zset-max-ziplist-entries'),
    _p('active-defrag-ignore-bytes', 'umem', '104857600', lo=1, hi=LLONG_MAX),
    _p('hash-max-listpack-value', 'umem', '64', lo=0, hi=LLONG_MAX, alias='hash-max-ziplist-value'),
    _p('stream-node-max-bytes', 'umem', '4096', lo=0, hi=LLONG_MAX),
    _p('zset-max-listpack-value', 'umem', '64', lo=0, hi=LLONG_MAX, alias='zset-max-ziplist-value'),
    _p('hll-sparse-max-bytes', 'umem', '3000', lo=0, hi=LLONG_MAX),
    _p('tracking-table-max-keys', 'uint', '1000000', lo=0, hi=LLONG_MAX),
    _p('client-query-buffer-limit', 'umem', '1073741824', lo=1048576, hi=LLONG_MAX),
    _p('maxmemory-clients', 'mempct', '0', lo=-100, hi=LLONG_MAX),
    _p('repl-backlog-ttl', 'int', '3600', lo=0, hi=LLONG_MAX),
    _p('auto-aof-rewrite-min-size', 'mem', '67108864', lo=0, hi=LLONG_MAX),
    _p('loading-process-events-interval-bytes', 'int', '2097152', lo=1024, hi=INT_MAX, flags='hidden'),
    _p('tls-port', 'int', '0', lo=0, hi=65535),
    _p('tls-session-cache-size', 'int', '20480', lo=0, hi=INT_MAX),
    _p('tls-session-cache-timeout', 'int', '300', lo=0, hi=INT_MAX),
    _p('tls-cluster', 'bool', 'no'),
    _p('tls-replication', 'bool', 'no'),
    _p('tls-auth-clients', 'enum', 'yes', choices=_TLS_AUTH_CLIENTS),
    _p('tls-prefer-server-ciphers', 'bool', 'no'),
    _p('tls-session-caching', 'bool', 'yes'),
    _p('tls-cert-file', 'string', ''),
    _p('tls-key-file', 'string', ''),
    _p('tls-key-file-pass', 'string', ''),
    _p('tls-client-cert-file', 'string', ''),
    _p('tls-client-key-file', 'string', ''),
    _p('tls-client-key-file-pass', 'string', ''),
    _p('tls-dh-params-file', 'string', ''),
    _p('tls-ca-cert-file', 'string', ''),
    _p('tls-ca-cert-dir', 'string', ''),
    _p('tls-protocols', 'string', ''),
    _p('tls-ciphers', 'string', ''),
    _p('tls-ciphersuites', 'string', ''),
    _p('dir', 'special', '', flags='protected'),
    _p('save', 'special', '', flags='multi_arg'),
    _p('client-output-buffer-limit', 'special', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', flags='multi_arg'),
    _p('oom-score-adj-values', 'special', '0 200 800', flags='multi_arg'),
    _p('notify-keyspace-events', 'special', ''),
    _p('bind', 'special', '* -::*', flags='multi_arg'),
    _p('replicaof', 'special', '', alias='slaveof', flags='immutable multi_arg'),
    _p('latency-tracking-info-percentiles', 'special', '50 99 99.9', flags='multi_arg'),
)



# Variables of proc-title-template, each as validateProcTitleTemplate expands it (title: "").
_TITLE_VARS = {"title": "", "listen-addr": "*:6379", "server-mode": "", "config-file": "-", "port": "0",
               "tls-port": "0", "unixsocket": ""}


def _proc_title(template: str) -> bool:
    """sdstemplate expansion: "{{" is "{", "{name}" a known variable; the result must not be blank."""
    out, i = [], 0
    while i < len(template):
        start = template.find("{", i)
        if start < 0:
            out.append(template[i:])
            break
        out.append(template[i:start])
        if template[start + 1:start + 2] == "{":
            out.append("{")
            i = start + 2
            continue
        end = template.find("}", start + 1)
        if start + 1 >= len(template) or end < 0 or template[start + 1:end] not in _TITLE_VARS:
            return _refuse("template format is invalid or contains unknown variables")
        out.append(_TITLE_VARS[template[start + 1:end]])
        i = end + 1
    return bool("".join(out).strip(" ")) or _refuse("template format is invalid or contains unknown variables")


def _refuse(reason: str) -> bool:
    raise ParamError(reason)


_VALIDATE = {
    "activedefrag": lambda v: v == "no" or _refuse(
        "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified "
        "Jemalloc like the one shipped by default with the Redis source distribution"),
    "proc-title-template": _proc_title,
    "cluster-announce-hostname": lambda v: (len(v) < 256 or _refuse("Hostnames must be less than 256 characters"))
    and (re.fullmatch(r"[A-Za-z0-9.-]*", v) or _refuse("Hostnames may only contain alphanumeric characters, hyphens or dots")),
}


def parse(p: Param, text: str) -> str:
    """The canonical text of `text` for parameter p, or ParamError with Redis's reason."""
    value = p.parse(text)
    check = _VALIDATE.get(p.name)
    if check is not None:
        check(value)
    return value


BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}
ALIASES: dict[str, str] = {p.alias: p.name for p in PARAMS if p.alias}


def lookup(name: str) -> tuple[Param, str] | None:
    """(parameter, the name as Redis spells it: the alias when named by its alias), or None."""
    name = name.lower()
    if name in BY_NAME:
        return BY_NAME[name], name
    if name in ALIASES:
        return BY_NAME[ALIASES[name]], name
    return None
