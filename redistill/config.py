"""Every configuration knob in one place: defaults, sources (CLI > REDISTILL_* env > TOML > defaults), validation.

Rules:
  1. Each knob is one row of KNOBS: its Config field, TOML section and key, environment
     variable, CLI flag, type, allowed range or choices, and help text.  Nothing else
     in the program defines a setting or its default.
  2. Every problem raises ConfigError, whose text is one line that names the key the
     way the user wrote it (`memory.eviction_policy`, `REDISTILL_PORT`, `--port`) and
     says what is allowed.  No traceback ever reaches the user.
  3. Keys whose feature arrives in a later issue (TLS, rate limit, some eviction
     policies) are still parsed and validated here, so a config that loads today
     keeps loading.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import sys
from dataclasses import dataclass, fields
from typing import Any, Mapping, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on 3.10
    import tomli as tomllib

from redistill import __version__

DEFAULT_CONFIG_FILE = "redistill.toml"
ENV_PREFIX = "REDISTILL_"

LOG_LEVELS = ("debug", "verbose", "notice", "warning")
LOG_FORMATS = ("text", "json")
CLUSTER_MODES = ("off", "emulated")
DEBUG_COMMAND_MODES = ("no", "yes", "local")  # Redis's enable-debug-command
MAX_CLUSTER_NODES = 1000  # Redis's documented ceiling for a cluster
EVICTION_POLICIES = (
    "noeviction",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-s3fifo",
)

_INT_MAX = 2**31 - 1


def cpu_count() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def default_threads() -> int:
    """threads = 0: one worker per usable CPU but one, at least one.  The spare core goes to the
    kernel's network work and to clients on the same host; measured on 2 cores (docs/PERFORMANCE.md),
    one worker beside redis-benchmark beat two at -P 1 (throughput and p99) and at -P 16."""
    return max(1, cpu_count() - 1)


class ConfigError(Exception):
    """A configuration problem; str() is one line naming the key and what is allowed."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


@dataclass(frozen=True)
class Config:
    """The effective configuration.  See docs/CONFIG.md for each field."""

    # [server]
    bind: str = "127.0.0.1"
    port: int = 6379
    threads: int = 0  # load_config replaces 0 with default_threads()
    max_connections: int = 10000
    health_check_port: int = 8080  # 0 = off
    timeout: int = 0  # idle seconds before a client is closed, 0 = never
    tcp_keepalive: int = 300  # seconds, 0 = off
    fastpath: bool = True  # False sends every command through Python
    connection_rate_limit: int = 0  # new connections per second per source address, 0 = off
    shutdown_grace_period: float = 30.0  # seconds to let clients finish on SIGTERM
    client_output_buffer_limit: int = 1 << 30  # bytes of unsent replies before a client is dropped
    client_query_buffer_limit: int = 1 << 30  # bytes of unparsed input before a client is dropped
    pubsub_output_buffer_limit: str = "33554432 8388608 60"  # subscribers' "hard soft seconds" (Redis's pubsub class)
    notify_keyspace_events: str = ""  # Redis's notify-keyspace-events classes, canonical ("" = off)
    tracking_table_max_keys: int = 1000000  # client-side caching's tracked keys, 0 = no limit
    cluster_mode: str = "off"  # "emulated": CLUSTER commands and -MOVED over a static node list
    cluster_nodes: tuple[str, ...] = ()  # "host:port" of every node, in slot order
    cluster_announce: str | None = None  # this node's entry in cluster_nodes (unset: bind:port)
    # [security]
    password: str | None = None
    users: tuple[str, ...] = ()  # ACL users, "name rule rule..." each (redistill/acl.py)
    aclfile: str | None = None  # ACL LOAD / ACL SAVE's file, loaded at start over `users`
    protected_mode: bool = True
    enable_debug_command: str = "no"  # DEBUG: "no", "yes" or "local" (loopback clients), as Redis
    enable_protected_configs: str = "no"  # CONFIG SET dir/dbfilename: "no", "yes" or "local", as Redis
    tls_enabled: bool = False
    tls_port: int = 0  # 0 = the main port speaks TLS when tls_enabled
    tls_cert_path: str | None = None
    tls_key_path: str | None = None
    tls_ca_cert_path: str | None = None
    # [memory]
    max_memory: int = 0  # bytes, 0 = unlimited
    eviction_policy: str = "allkeys-lru"
    # [persistence]
    dir: str = "."  # where snapshots are written and read
    dbfilename: str = "dump.rdb"
    snapshot_on_shutdown: bool = False  # save on SIGTERM / SHUTDOWN without NOSAVE
    load_on_start: bool = True  # load dir/dbfilename at start when it exists
    # [logging]
    log_level: str = "notice"
    log_format: str = "text"


# ---- the knob table ---------------------------------------------------------


@dataclass(frozen=True)
class Knob:
    """One setting: where it lives in each source and what values it accepts."""

    field: str  # Config field
    section: str  # TOML section
    key: str  # TOML key in that section
    kind: str  # "str" | "int" | "float" | "bool" | "choice" | "size" | "path" | "bind" | "file" | "addr" | "addrs"
    help: str
    lo: float | None = None  # int/float range, inclusive
    hi: float | None = None
    choices: tuple[str, ...] = ()
    cli: str | None = None  # CLI flag, if the knob has one
    metavar: str | None = None
    note: str = ""  # appended to the allowed range in errors, e.g. "0 = off"

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.key}"

    @property
    def env(self) -> str:
        return ENV_PREFIX + (self.field if self.kind != "file" else self.key).upper()

    def allowed(self) -> str:
        """What a valid value looks like, for error messages and --help."""
        if self.kind in ("int", "float"):
            lo = _fmt_num(self.lo)
            hi = _fmt_num(self.hi)
            what = "an integer" if self.kind == "int" else "a number"
            text = f"{what} {lo}..{hi}"
            return f"{text}, {self.note}" if self.note else text
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of: " + ", ".join(self.choices)
        if self.kind == "size":
            return (
                'bytes as an integer >= 0 or a size like "512kb", "64mb", "2gb" '
                "(k=1000, kb=1024, m, mb, g, gb; 0 = unlimited)"
            )
        if self.kind == "bind":
            return "one IPv4/IPv6 address or host name"
        if self.kind in ("path", "file"):
            return "a file path"
        if self.kind == "addr":
            return 'one "host:port"'
        if self.kind == "users":
            return ('"name rule rule..." entries (a TOML array of strings; one per line in the environment '
                    'and on the command line)')
        if self.kind == "addrs":
            return '"host:port" entries (a TOML array of strings; comma-separated in the environment and on the command line)'
        return "a string"


def _fmt_num(n: float | None) -> str:
    if n is None:
        return "?"
    return str(int(n)) if float(n).is_integer() else str(n)


KNOBS: tuple[Knob, ...] = (
    # [server]
    Knob("bind", "server", "bind", "bind", "address to listen on",
         cli="--bind", metavar="ADDR"),
    Knob("port", "server", "port", "int", "TCP port to listen on", 1, 65535,
         cli="--port", metavar="N"),
    Knob("threads", "server", "threads", "int", "worker threads (each with its own listener)",
         0, 1024, cli="--threads", metavar="N", note="0 = one per CPU but one (at least 1)"),
    Knob("max_connections", "server", "max_connections", "int",
         "maximum simultaneous client connections", 1, 1_000_000,
         cli="--maxclients", metavar="N"),
    Knob("health_check_port", "server", "health_check_port", "int",
         "HTTP port for /health and /metrics", 0, 65535,
         cli="--health-check-port", metavar="N", note="0 = off"),
    Knob("timeout", "server", "timeout", "int", "close clients idle this many seconds",
         0, _INT_MAX, note="0 = never"),
    Knob("tcp_keepalive", "server", "tcp_keepalive", "int", "TCP keepalive interval in seconds",
         0, _INT_MAX, note="0 = off"),
    Knob("fastpath", "server", "fastpath", "bool",
         "run GET/SET/... in the C fast path (off: every command goes through Python)",
         cli="--fastpath"),
    Knob("connection_rate_limit", "server", "connection_rate_limit", "int",
         "new connections per second per source address", 0, 1_000_000, note="0 = off"),
    Knob("shutdown_grace_period", "server", "shutdown_grace_period", "float",
         "seconds to let clients finish on shutdown", 0, 3600),
    Knob("client_output_buffer_limit", "server", "client_output_buffer_limit", "size",
         "unsent reply bytes past which a client that does not read is disconnected (0 = no limit)"),
    Knob("client_query_buffer_limit", "server", "client_query_buffer_limit", "size",
         "unparsed request bytes past which a client is disconnected (at least 1mb)"),
    Knob("pubsub_output_buffer_limit", "server", "pubsub_output_buffer_limit", "obuf",
         "client-output-buffer-limit's pubsub class: \"<hard> <soft> <soft seconds>\" (Redis's default \"32mb 8mb 60\")"),
    Knob("notify_keyspace_events", "server", "notify_keyspace_events", "events",
         "keyspace notifications: Redis's notify-keyspace-events classes (K E g $ l s h z x e t m d n A)",
         cli="--notify-keyspace-events", metavar="CLASSES", note="\"\" = off"),
    Knob("tracking_table_max_keys", "server", "tracking_table_max_keys", "int",
         "keys the client-side caching table tracks; past it random keys are invalidated (Redis's "
         "tracking-table-max-keys)", 0, 2**63 - 1, note="0 = no limit"),
    Knob("cluster_mode", "server", "cluster_mode", "choice",
         "emulated: answer CLUSTER commands and redirect keys of other nodes' slots (-MOVED)",
         choices=CLUSTER_MODES, cli="--cluster-mode", metavar="MODE"),
    Knob("cluster_nodes", "server", "cluster_nodes", "addrs",
         "every node of the emulated cluster, the same list in the same order on each node",
         cli="--cluster-nodes", metavar="HOST:PORT,..."),
    Knob("cluster_announce", "server", "cluster_announce", "addr",
         "this node's entry in cluster_nodes (unset: bind:port)",
         cli="--cluster-announce", metavar="HOST:PORT"),
    # [security]
    Knob("password", "security", "password", "str",
         "password clients must AUTH with (unset: no password)",
         cli="--requirepass", metavar="PW"),
    Knob("password", "security", "password_file", "file",
         "file holding the password (whitespace stripped); exclusive with password"),
    Knob("users", "security", "users", "users",
         "ACL users: one \"name rule rule...\" string each, with ACL SETUSER's rules"),
    Knob("aclfile", "security", "aclfile", "path", "ACL file (ACL LOAD, ACL SAVE), loaded at start",
         cli="--aclfile", metavar="PATH"),
    Knob("protected_mode", "security", "protected_mode", "bool",
         "without a password, accept only loopback clients"),
    Knob("enable_debug_command", "security", "enable_debug_command", "choice",
         "allow DEBUG: no, yes, or local (loopback clients only)", choices=DEBUG_COMMAND_MODES,
         cli="--enable-debug-command", metavar="MODE"),
    Knob("enable_protected_configs", "security", "enable_protected_configs", "choice",
         "allow CONFIG SET of dir and dbfilename: no, yes, or local (loopback clients only)",
         choices=DEBUG_COMMAND_MODES, cli="--enable-protected-configs", metavar="MODE"),
    Knob("tls_enabled", "security", "tls_enabled", "bool", "serve TLS"),
    Knob("tls_port", "security", "tls_port", "int", "TLS port", 0, 65535,
         note="0 = the main port speaks TLS"),
    Knob("tls_cert_path", "security", "tls_cert_path", "path", "TLS certificate (PEM)"),
    Knob("tls_key_path", "security", "tls_key_path", "path", "TLS private key (PEM)"),
    Knob("tls_ca_cert_path", "security", "tls_ca_cert_path", "path",
         "CA certificate for verifying clients (PEM); unset: no client certificates"),
    # [memory]
    Knob("max_memory", "memory", "max_memory", "size", "memory limit for the keyspace",
         cli="--maxmemory", metavar="BYTES"),
    Knob("eviction_policy", "memory", "eviction_policy", "choice",
         "what to evict when max_memory is reached", choices=EVICTION_POLICIES,
         cli="--maxmemory-policy", metavar="POLICY"),
    # [persistence]
    Knob("dir", "persistence", "dir", "path", "directory of the RDB snapshot", cli="--dir", metavar="DIR"),
    Knob("dbfilename", "persistence", "dbfilename", "str", "file name of the RDB snapshot in dir",
         cli="--dbfilename", metavar="NAME"),
    Knob("snapshot_on_shutdown", "persistence", "snapshot_on_shutdown", "bool",
         "save a snapshot on SIGTERM and on SHUTDOWN without NOSAVE", cli="--snapshot-on-shutdown"),
    Knob("load_on_start", "persistence", "load_on_start", "bool",
         "load the snapshot at start when the file exists", cli="--load-on-start"),
    # [logging]
    Knob("log_level", "logging", "level", "choice", "log verbosity", choices=LOG_LEVELS,
         cli="--loglevel", metavar="LEVEL"),
    Knob("log_format", "logging", "format", "choice", "log line format", choices=LOG_FORMATS),
)

SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(k.section for k in KNOBS))
_BY_SECTION: dict[str, dict[str, Knob]] = {
    s: {k.key: k for k in KNOBS if k.section == s} for s in SECTIONS
}


# ---- value conversion ---------------------------------------------------------

_SIZE_RE = re.compile(r"(\d+)\s*(b|k|kb|m|mb|g|gb)?", re.IGNORECASE)
_SIZE_UNITS = {
    "": 1, "b": 1,
    "k": 1000, "kb": 1024,
    "m": 1000**2, "mb": 1024**2,
    "g": 1000**3, "gb": 1024**3,
}
_MAX_SIZE = 2**63 - 1
_HOST_RE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")
_INT_RE = re.compile(r"[+-]?[0-9]+")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def parse_size(text: str) -> int:
    """Redis memory units: "64mb" -> 67108864, "1k" -> 1000.  Raises ValueError."""
    m = _SIZE_RE.fullmatch(text.strip())
    if not m:
        raise ValueError(text)
    value = int(m.group(1)) * _SIZE_UNITS[(m.group(2) or "").lower()]
    if value > _MAX_SIZE:
        raise ValueError(text)
    return value


def _describe(value: Any) -> str:
    """A value as the user wrote it, for messages: a string quoted, others by TOML type."""
    if isinstance(value, str):
        shown = value if len(value) <= 200 else value[:197] + "..."
        return json.dumps(shown)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, (int, float)) else str(value)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return "a date/time"


def _convert(knob: Knob, raw: Any, where: str, from_text: bool) -> Any:
    """Check one value and return it as its Config type.

    from_text: the value is a string from the environment or the command line (so
    "6379" is a fine port); TOML values must already have the right TOML type.
    `where` names the key in the message: "server.port", "REDISTILL_PORT", "--port".
    """

    def bad(problem: str) -> ConfigError:
        return ConfigError(f"{where}: {problem}; expected {knob.allowed()}")

    def wrong_type() -> ConfigError:
        if isinstance(raw, (dict, list)):
            return bad(f"got {_type_name(raw)}")
        return bad(f"got {_type_name(raw)} {_describe(raw)}")

    kind = knob.kind
    if kind in ("int", "float"):
        if from_text:
            try:
                if kind == "int" and not _INT_RE.fullmatch(raw.strip()):
                    raise ValueError(raw)  # int() would also take "1_000" and non-ASCII digits
                value = int(raw.strip()) if kind == "int" else float(raw.strip())
            except ValueError:
                raise bad(f"invalid value {_describe(raw)}") from None
        elif isinstance(raw, bool) or not isinstance(raw, (int, float)) or (
            kind == "int" and isinstance(raw, float)
        ):
            raise wrong_type()
        else:
            value = raw
        if kind == "float":
            value = float(value)
            if value != value or value in (float("inf"), float("-inf")):
                raise bad(f"invalid value {_describe(raw)}")
        if not (knob.lo <= value <= knob.hi):
            raise bad(f"{_fmt_num(value)} is out of range")
        return value
    if kind == "bool":
        if from_text:
            text = raw.strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ConfigError(f"{where}: invalid value {_describe(raw)}; expected 1/0, true/false, yes/no or on/off")
        if not isinstance(raw, bool):
            raise wrong_type()
        return raw
    if kind == "size":
        if isinstance(raw, bool) or not isinstance(raw, (int, str)):
            raise wrong_type()
        if isinstance(raw, int):
            if not 0 <= raw <= _MAX_SIZE:
                raise bad(f"{raw} is out of range")
            return raw
        try:
            return parse_size(raw)
        except ValueError:
            raise bad(f"invalid size {_describe(raw)}") from None
    if kind == "addrs":
        return _convert_addrs(knob, raw, where, from_text, bad, wrong_type)
    if kind == "users":
        items = raw.splitlines() if from_text else raw
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise wrong_type()
        return tuple(i.strip() for i in items if i.strip())
    # the string kinds
    if not isinstance(raw, str):
        raise wrong_type()
    if kind == "choice":
        value = raw.strip().lower()
        if value not in knob.choices:
            raise bad(f"invalid value {_describe(raw)}")
        return value
    if kind == "bind":
        value = raw.strip()
        if not _valid_bind(value):
            raise bad(f"invalid address {_describe(raw)}")
        return value
    if kind == "addr":
        if not _valid_addr(raw):
            raise bad(f"invalid address {_describe(raw)}")
        return raw.strip()
    if kind in ("path", "file"):
        if not raw.strip():
            raise bad("empty path")
        return raw
    if kind == "events":   # notify-keyspace-events, in Redis's canonical form
        from redistill import redis_params as rp
        try:
            return rp.parse(rp.lookup("notify-keyspace-events")[0], raw)
        except rp.ParamError as e:
            raise bad(str(e)) from None
    if kind == "obuf":   # one class of client-output-buffer-limit, in Redis's syntax and canonical form
        from redistill import redis_params as rp
        try:
            return " ".join(map(str, rp.parse_obuf_limits("pubsub " + raw)["pubsub"]))
        except rp.ParamError as e:
            raise bad(str(e)) from None
    # "str": the password.  An empty one means "no password", as in Redis.
    if "\r" in raw or "\n" in raw or "\0" in raw:
        raise ConfigError(f"{where}: must not contain CR, LF or NUL characters")
    return raw or None


def _convert_addrs(knob: Knob, raw: Any, where: str, from_text: bool, bad: Any, wrong_type: Any) -> tuple[str, ...]:
    """cluster_nodes: a TOML array of "host:port" strings, or one comma-separated string."""
    if from_text:
        items: list[Any] = raw.split(",")
    elif isinstance(raw, list):
        items = raw
    else:
        raise wrong_type()
    for item in items:
        if not isinstance(item, str) or not _valid_addr(item):
            raise bad(f"invalid entry {_describe(item)}")
    return tuple(item.strip() for item in items)


def _valid_addr(value: str) -> bool:
    from redistill.cluster import split_addr
    try:
        host, _ = split_addr(value)
    except ValueError:
        return False
    return _valid_bind(host)


def _valid_bind(value: str) -> bool:
    if not value:
        return False
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return len(value) <= 253 and bool(_HOST_RE.fullmatch(value))


def _read_password_file(path: str, where: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{where}: cannot read {_describe(path)}: {_os_reason(e)}") from None
    if not text:
        raise ConfigError(f"{where}: {_describe(path)} is empty; expected a file holding the password")
    if "\r" in text or "\n" in text or "\0" in text:
        raise ConfigError(f"{where}: the password in {_describe(path)} must be one line")
    return text


def _os_reason(e: Exception) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e)


# ---- sources -----------------------------------------------------------------


class _ArgumentParser(argparse.ArgumentParser):
    """argparse whose usage errors become a one-line ConfigError instead of exit(2)."""

    def error(self, message: str):  # type: ignore[override]
        raise ConfigError(f"{message} (see --help)")


def build_arg_parser() -> argparse.ArgumentParser:
    p = _ArgumentParser(
        prog="redistill",
        allow_abbrev=False,
        description="Redistill: a Redis-compatible in-memory cache server.",
        epilog=(
            "Precedence: command line > environment (REDISTILL_<FIELD>, e.g. REDISTILL_PORT, "
            "REDISTILL_MAX_MEMORY, REDISTILL_FASTPATH=0) > TOML file > defaults. "
            f"The TOML file is --config FILE, or ./{DEFAULT_CONFIG_FILE} when present. "
            "Every key is described in docs/CONFIG.md."
        ),
    )
    p.add_argument("--config", metavar="FILE",
                   help=f"TOML configuration file (default: ./{DEFAULT_CONFIG_FILE} if it exists)")
    for knob in KNOBS:
        if not knob.cli:
            continue
        default = getattr(Config, knob.field)
        if knob.kind == "bool":
            p.add_argument(knob.cli, dest=knob.field, action=argparse.BooleanOptionalAction,
                           default=None,
                           help=f"{knob.help} (default: {'on' if default else 'off'}; "
                                f"env {knob.env}, TOML {knob.dotted})")
            continue
        shown = "CPU count" if knob.field == "threads" else (default if default not in (None, "", ()) else "unset")
        p.add_argument(knob.cli, dest=knob.field, metavar=knob.metavar, default=None,
                       help=f"{knob.help}; {knob.allowed()} (default: {shown}; env {knob.env}, "
                            f"TOML {knob.dotted})".replace("%", "%%"))
    p.add_argument("--version", action="version", version=f"redistill {__version__}")
    return p


def _load_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ConfigError(f"--config: cannot read {_describe(path)}: {_os_reason(e)}") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8; expected a TOML file") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None


def _toml_values(doc: dict[str, Any], path: str) -> dict[str, tuple[Any, str]]:
    """{field: (converted value, "section.key")} from a parsed TOML document."""
    out: dict[str, tuple[Any, str]] = {}
    suffix = f" (in {path})"
    base = os.path.dirname(os.path.abspath(path))
    for section, table in doc.items():
        if section not in _BY_SECTION:
            if isinstance(table, dict):
                raise ConfigError(f"[{section}]: unknown section{suffix}; "
                                  f"known sections: {', '.join(SECTIONS)}")
            raise ConfigError(f"{section}: unknown top-level key{suffix}; settings belong in the "
                              f"sections {', '.join('[' + s + ']' for s in SECTIONS)}")
        if not isinstance(table, dict):
            raise ConfigError(f"{section}: expected a [{section}] table, got {_type_name(table)}{suffix}")
        knobs = _BY_SECTION[section]
        for key, raw in table.items():
            where = f"{section}.{key}"
            knob = knobs.get(key)
            if knob is None:
                raise ConfigError(f"{where}: unknown key{suffix}; known keys in [{section}]: "
                                  f"{', '.join(knobs)}")
            try:
                value = _convert(knob, raw, where, from_text=False)
            except ConfigError as e:
                raise ConfigError(str(e) + suffix) from None
            if knob.kind in ("path", "file"):
                value = os.path.join(base, os.path.expanduser(value))  # relative to the file
            if knob.kind == "file":
                if "password" in out:
                    raise ConfigError(f"{where}: cannot be combined with security.password{suffix}; "
                                      "set one of them")
                value = _read_password_file(value, where)
            elif knob.field == "password" and "password" in out:
                raise ConfigError(f"security.password: cannot be combined with security.password_file"
                                  f"{suffix}; set one of them")
            out[knob.field] = (value, where)
    return out


def _env_values(environ: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
    """{field: (value, "REDISTILL_X")}.  Unset or empty variables are ignored, and so are
    REDISTILL_* names that are not knobs (the build reads REDISTILL_CFLAGS, for one)."""
    out: dict[str, tuple[Any, str]] = {}
    for knob in KNOBS:
        raw = environ.get(knob.env)
        if raw is None or raw == "":
            continue
        if knob.field in out:  # REDISTILL_PASSWORD and REDISTILL_PASSWORD_FILE
            raise ConfigError(f"{knob.env}: cannot be combined with {out[knob.field][1]}; set one of them")
        value = _convert(knob, raw, knob.env, from_text=True)
        if knob.kind == "file":
            value = _read_password_file(os.path.expanduser(value), knob.env)
        out[knob.field] = (value, knob.env)
    return out


def _cli_values(ns: argparse.Namespace) -> dict[str, tuple[Any, str]]:
    out: dict[str, tuple[Any, str]] = {}
    for knob in KNOBS:
        if not knob.cli:
            continue
        raw = getattr(ns, knob.field, None)
        if raw is None:
            continue
        if knob.kind == "bool":
            out[knob.field] = (raw, knob.cli if raw else "--no-" + knob.cli[2:])
        else:
            out[knob.field] = (_convert(knob, raw, knob.cli, from_text=True), knob.cli)
    return out


# ---- the public API -------------------------------------------------------------


def load_config(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """The effective Config: CLI > REDISTILL_* environment > TOML file > defaults.

    Raises ConfigError (one line) for any problem.  --help and --version print and
    raise SystemExit(0), as argparse does.
    """
    if argv is None:
        argv = sys.argv[1:]
    if environ is None:
        environ = os.environ
    ns = build_arg_parser().parse_args(list(argv))

    path = ns.config
    if path is None and os.path.isfile(DEFAULT_CONFIG_FILE):
        path = DEFAULT_CONFIG_FILE
    file_values = _toml_values(_load_toml(path), path) if path is not None else {}

    merged: dict[str, tuple[Any, str]] = {}
    for layer in (file_values, _env_values(environ), _cli_values(ns)):
        merged.update(layer)
    origin = {f.name: merged.get(f.name, (None, _default_where(f.name)))[1] for f in fields(Config)}
    values = {name: value for name, (value, _where) in merged.items()}
    if values.get("threads", 0) == 0:
        values["threads"] = default_threads()
    cfg = Config(**values)
    _check_together(cfg, origin)
    return cfg


def _default_where(field: str) -> str:
    return next(k.dotted for k in KNOBS if k.field == field)


def _check_together(cfg: Config, origin: dict[str, str]) -> None:
    """Rules that involve more than one knob."""
    if cfg.health_check_port and cfg.health_check_port == cfg.port:
        raise ConfigError(f"{origin['health_check_port']}: {cfg.health_check_port} is also the main port "
                          f"({origin['port']}); expected another port, or 0 to turn the health endpoint off")
    if cfg.client_query_buffer_limit < 1 << 20:  # Redis's minimum for client-query-buffer-limit
        raise ConfigError(f"{origin['client_query_buffer_limit']}: {cfg.client_query_buffer_limit} is too "
                          "small; expected a size of at least 1mb")
    if cfg.cluster_mode == "emulated":
        _check_cluster(cfg, origin)
    if cfg.users or cfg.aclfile:
        configured_users(cfg, origin)
    if cfg.tls_enabled:
        if cfg.tls_port and cfg.tls_port in (cfg.port, cfg.health_check_port):
            raise ConfigError(f"{origin['tls_port']}: {cfg.tls_port} is already used by "
                              f"{'the main port' if cfg.tls_port == cfg.port else 'the health endpoint'};"
                              " expected another port, or 0 for TLS on the main port")
        for field in ("tls_cert_path", "tls_key_path"):
            path = getattr(cfg, field)
            if path is None:
                raise ConfigError(f"security.{field}: required when security.tls_enabled is true; "
                                  "expected a PEM file path")
        for field in ("tls_cert_path", "tls_key_path", "tls_ca_cert_path"):
            path = getattr(cfg, field)
            if path is not None and not os.path.isfile(path):
                raise ConfigError(f"{origin[field]}: {_describe(path)} is not a readable file; "
                                  "expected a PEM file path")


def configured_users(cfg: Config, origin: dict[str, str] | None = None, with_file: bool = True) -> dict[str, Any]:
    """The ACL users of `users` and then (with_file) `aclfile` (name -> acl.User); ConfigError
    naming the bad entry and rule."""
    from redistill import acl
    where_users = (origin or {}).get("users", "security.users")
    users: dict[str, Any] = {}
    for i, entry in enumerate(cfg.users):
        name, _, rules = entry.partition(" ")
        try:
            user = acl.parse_rules(name, rules.split(), False)
        except acl.RuleError as e:
            raise ConfigError(f"{where_users}[{i}]: {e}") from None
        if name in users:
            raise ConfigError(f"{where_users}[{i}]: user '{name}' is defined twice")
        users[name] = user
    if cfg.aclfile and with_file:
        try:
            users = acl.load_file(cfg.aclfile, False, users)
        except acl.RuleError as e:
            raise ConfigError(f"{(origin or {}).get('aclfile', 'security.aclfile')}: {e}") from None
    return users


def _check_cluster(cfg: Config, origin: dict[str, str]) -> None:
    """cluster_nodes must be a non-empty list without repeats that names this node."""
    from redistill.cluster import self_addr, split_addr
    where = origin["cluster_nodes"]
    if not cfg.cluster_nodes:
        raise ConfigError(f"{where}: required when cluster_mode is emulated; expected the "
                          '"host:port" of every node, in the same order on each node')
    if len(cfg.cluster_nodes) > MAX_CLUSTER_NODES:
        raise ConfigError(f"{where}: {len(cfg.cluster_nodes)} nodes; expected at most {MAX_CLUSTER_NODES}")
    seen = [split_addr(a) for a in cfg.cluster_nodes]
    dup = next((a for i, a in enumerate(cfg.cluster_nodes) if seen[i] in seen[:i]), None)
    if dup is not None:
        raise ConfigError(f"{where}: {_describe(dup)} is listed twice; expected each node once")
    me = self_addr(cfg)
    if split_addr(me) in seen:
        return
    if cfg.cluster_announce:
        raise ConfigError(f"{origin['cluster_announce']}: {_describe(me)} is not in {where}; expected "
                          "this node's own entry of that list")
    raise ConfigError(f"{where}: this node ({me}, from bind:port, {origin['bind']} and {origin['port']}) "
                      "is not in the list; expected its own entry there (set cluster_announce to it when "
                      "bind is not that address)")


def _events_shown(canon: str) -> str:
    from redistill.redis_params import keyspace_events_shown
    return keyspace_events_shown(canon)


def redis_params(cfg: Config) -> dict[str, str]:
    """Redis's parameter names and values, as CONFIG GET prints them."""
    return {
        "bind": cfg.bind,
        "port": str(cfg.port),
        "maxclients": str(cfg.max_connections),
        "maxmemory": str(cfg.max_memory),
        "maxmemory-policy": cfg.eviction_policy,
        "requirepass": cfg.password or "",
        "timeout": str(cfg.timeout),
        "tcp-keepalive": str(cfg.tcp_keepalive),
        "databases": "1",
        "protected-mode": "yes" if cfg.protected_mode else "no",
        "enable-debug-command": cfg.enable_debug_command,
        "enable-protected-configs": cfg.enable_protected_configs,
        "loglevel": cfg.log_level,
        "io-threads": str(cfg.threads),
        "tls-port": str((cfg.tls_port or cfg.port) if cfg.tls_enabled else 0),
        "tls-cert-file": cfg.tls_cert_path or "",
        "tls-key-file": cfg.tls_key_path or "",
        "tls-ca-cert-file": cfg.tls_ca_cert_path or "",
        "cluster-enabled": "yes" if cfg.cluster_mode == "emulated" else "no",
        "client-query-buffer-limit": str(cfg.client_query_buffer_limit),
        "dir": cfg.dir,
        "dbfilename": cfg.dbfilename,
        "notify-keyspace-events": _events_shown(cfg.notify_keyspace_events),
        "tracking-table-max-keys": str(cfg.tracking_table_max_keys),
    }
