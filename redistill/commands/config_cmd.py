"""CONFIG GET and CONFIG SET over Redis 7's parameter table (redis_params.py), as config.c runs them.

CONFIG SET is all or nothing, in Redis's three steps: every name is checked (unknown, immutable,
protected, duplicate), then every value is parsed, then the changes are applied; when applying fails
(a port or address that cannot be bound), nothing has changed.  A value equal to the current one is
not applied again (Redis's "unchanged" result), so setting a parameter to what CONFIG GET printed is
always harmless.

What each parameter does here:
  - backed by a Config field (_FIELDS), or by the slowlog, the encoding thresholds, the protocol
    parser's proto-max-bulk-len, client-output-buffer-limit's normal class: applied at once;
  - TLS files and port (_AT_START): applied only at start, so a change is refused with that reason;
  - everything else (persistence, replication, cluster bus, defragmentation...): stored and shown by
    CONFIG GET, with no effect (docs/CONFIG.md).
"""
from __future__ import annotations

import dataclasses
import functools
import logging
import os
import threading
from typing import Any

from redistill import config as config_module
from redistill import errors
from redistill import redis_params as rp
from redistill.errors import CommandError
from redistill.keyspace import glob_match, set_type_threshold
from redistill.logutil import get_logger

log = get_logger("redistill")

# Values of the stored parameters, per server: id(server) -> name -> canonical text.
_overrides: dict[int, dict[str, str]] = {}
# CONFIG SET replaces server.config with a modified copy (read-modify-write): two of them on
# different workers must not interleave, or one's changes are lost (neither the GIL nor a
# free-threaded build makes the pair atomic).  Held only by CONFIG SET, never with another lock.
_config_lock = threading.Lock()

# Redis parameter -> (Config field, its value from the canonical text).
_FIELDS: dict[str, tuple[str, Any]] = {
    "bind": ("bind", str),
    "port": ("port", int),
    "maxclients": ("max_connections", int),
    "maxmemory": ("max_memory", int),
    "maxmemory-policy": ("eviction_policy", str),
    "requirepass": ("password", lambda v: v or None),
    "timeout": ("timeout", int),
    "tcp-keepalive": ("tcp_keepalive", int),
    "protected-mode": ("protected_mode", lambda v: v == "yes"),
    "loglevel": ("log_level", str),
    "client-query-buffer-limit": ("client_query_buffer_limit", int),
    "dir": ("dir", str),
    "dbfilename": ("dbfilename", str),
    "notify-keyspace-events": ("notify_keyspace_events", str),
    "tracking-table-max-keys": ("tracking_table_max_keys", int),
}
_AT_START = {"tls-port", "tls-cert-file", "tls-key-file", "tls-ca-cert-file"}
_SLOWLOG = {"slowlog-log-slower-than": "slower_than", "slowlog-max-len": "max_len"}


def config_params(server: Any) -> dict[str, str]:
    """Every parameter (aliases and hidden ones included) with the value CONFIG GET shows."""
    cfg = server.config
    stored = _overrides.get(id(server), {})
    values = {p.name: stored.get(p.name, p.default) for p in rp.PARAMS}
    values.update(config_module.redis_params(cfg))
    values["dir"] = os.path.abspath(cfg.dir)   # Redis shows its working directory, absolute
    # The normal class's hard limit is client_output_buffer_limit (settable at start too).
    limits = rp.parse_obuf_limits(values["client-output-buffer-limit"])
    limits["normal"] = (int(cfg.client_output_buffer_limit),) + limits["normal"][1:]
    limits["pubsub"] = rp.class_limits(cfg.pubsub_output_buffer_limit)   # settable at start too
    values["client-output-buffer-limit"] = rp.format_obuf_limits(limits)
    slowlog = getattr(server, "slowlog", None)
    if slowlog is not None:
        for name, attr in _SLOWLOG.items():
            values[name] = str(getattr(slowlog, attr))
    for alias, name in rp.ALIASES.items():
        values[alias] = values[name]
    return values


# CONFIG GET parameter [parameter ...]
def config_get(client: Any, args: list[bytes]) -> dict[bytes, bytes]:
    params = config_params(client.server)
    found: dict[str, tuple[bytes, bytes]] = {}  # name -> (name as replied, value); each listed once
    for pattern in args[2:]:
        glob = pattern.split(b"\0", 1)[0]  # Redis's strpbrk() and stringmatch() stop at a NUL
        if not any(c in glob for c in b"[*?"):
            # Redis looks a plain name up directly (hidden ones too) and replies with it as spelled.
            name = pattern.decode("latin-1").lower()
            if name in params and name not in found:
                found[name] = (pattern, params[name].encode("latin-1"))
            continue
        for name, value in params.items():
            if name in found or "hidden" in rp.lookup(name)[0].flags:   # hidden: exact names only
                continue
            if glob_match(glob, name.encode(), nocase=True):
                found[name] = (name.encode(), value.encode("latin-1"))
    return dict(found.values())


# CONFIG SET parameter value [parameter value ...]
def config_set(client: Any, args: list[bytes]) -> str:
    if len(args) % 2:  # a name without its value (fewer than one pair is an arity error)
        raise CommandError(errors.SYNTAX)
    targets = _check_names(client, args)
    server = client.server
    with _config_lock:
        current = config_params(server)
        new: dict[str, str] = {}
        for param, spelled, value in targets:
            try:
                text = value.decode("latin-1")
                if param.name == "client-output-buffer-limit":   # classes not named keep their limits
                    canon = rp.format_obuf_limits(rp.parse_obuf_limits(text, current[param.name]))
                else:
                    canon = rp.parse(param, text)
            except rp.ParamError as e:
                raise CommandError(errors.config_set_failed(spelled.encode("latin-1"), str(e))) from None
            # notify-keyspace-events' shown text drops "n" after "A": compare the full value.
            if canon != current[param.name] or param.name == "notify-keyspace-events":
                new[param.name] = canon
        _apply(server, new)
    return "OK"


def _check_names(client: Any, args: list[bytes]) -> list[tuple[rp.Param, str, bytes]]:
    """(parameter, name as Redis spells it, value) per pair; the first bad name raises Redis's error."""
    out: list[tuple[rp.Param, str, bytes]] = []
    for i in range(2, len(args), 2):
        raw = args[i]
        hit = rp.lookup(raw.decode("latin-1"))
        if hit is None:
            raise CommandError(errors.config_set_unknown(raw))
        param, spelled = hit
        if "immutable" in param.flags:
            raise CommandError(errors.config_set_failed(raw, errors.CONFIG_IMMUTABLE))
        if "protected" in param.flags and not _protected_allowed(client):   # enable-protected-configs
            raise CommandError(errors.config_set_failed(raw, errors.CONFIG_PROTECTED))
        if any(spelled == s for _, s, _ in out):   # an alias and its name are two entries, as in Redis
            raise CommandError(errors.config_set_failed(raw, errors.CONFIG_DUPLICATE))
        out.append((param, spelled, args[i + 1]))
    return out


def _protected_allowed(client: Any) -> bool:
    from redistill.commands.debug import protected_action_allowed
    return protected_action_allowed(client, getattr(client.server.config, "enable_protected_configs", "no"))


def _apply(server: Any, new: dict[str, str]) -> None:
    """Applies the changed parameters, or raises (before anything changed) when one cannot be."""
    cfg = server.config
    for name in _AT_START & new.keys():
        raise CommandError(errors.config_set_failed(
            name.encode(), errors.CONFIG_TLS_AT_START))
    fields = {_FIELDS[n][0]: _FIELDS[n][1](v) for n, v in new.items() if n in _FIELDS}
    normal = None
    if "client-output-buffer-limit" in new:
        limits = rp.parse_obuf_limits(new["client-output-buffer-limit"])
        normal = limits["normal"]
        fields["client_output_buffer_limit"] = normal[0]
        fields["pubsub_output_buffer_limit"] = " ".join(map(str, limits["pubsub"]))
    updated = dataclasses.replace(cfg, **fields)
    if updated.max_connections > cfg.max_connections:
        _check_maxclients(server, updated.max_connections)
    if "bind" in new or "port" in new:
        _rebind(server, updated, "port" if "port" in new else "bind")
    _check_snapshot_path(new)
    # Nothing below can fail: the change is whole from here on.
    server.config = updated
    if "max_memory" in fields or "eviction_policy" in fields:
        # The C core compares against a signed total: past LLONG_MAX the limit is unreachable anyway.
        server.keyspace.set_eviction(min(updated.max_memory, rp.LLONG_MAX), updated.eviction_policy)
    if normal is not None:   # the workers' sweeps enforce the soft limit (Worker._past_soft_limit)
        server.obuf_soft_limit = normal[1:]
        set_pubsub_limits(updated)
    if "notify_keyspace_events" in fields:
        set_keyspace_events(updated)
    if "tracking_table_max_keys" in fields:   # C evicts tracked keys over it now
        from redistill.core import trk_set_max_keys
        trk_set_max_keys(updated.tracking_table_max_keys)
    if "log_level" in fields:
        from redistill.__main__ import _LEVELS   # the mapping logging was set up with at start
        logging.getLogger().setLevel(_LEVELS[updated.log_level])
    stored = {n: v for n, v in new.items() if n not in _FIELDS}
    slowlog = getattr(server, "slowlog", None)
    if slowlog is not None:
        if "slowlog-log-slower-than" in stored:
            slowlog.slower_than = int(stored.pop("slowlog-log-slower-than"))
        if "slowlog-max-len" in stored:
            slowlog.set_max_len(int(stored.pop("slowlog-max-len")))
    if "latency-monitor-threshold" in stored and getattr(server, "latency", None) is not None:
        server.latency.threshold = int(stored["latency-monitor-threshold"])
    if "latency-tracking" in stored:
        from redistill.commands import latency
        latency.tracking = stored["latency-tracking"] == "yes"
    if "proto-max-bulk-len" in stored:   # C's: the parser's, SETRANGE's, APPEND's and LCS's limit
        from redistill.core import set_proto_max_bulk_len
        set_proto_max_bulk_len(int(stored["proto-max-bulk-len"]))
    if "busy-reply-threshold" in stored:   # the Lua hook's (csrc/script.c)
        from redistill.core import script_set_busy_threshold
        script_set_busy_threshold(int(stored["busy-reply-threshold"]))
    for name, value in stored.items():   # encoding thresholds the C collection types follow
        if value.lstrip("-").isdigit():
            set_type_threshold(name, int(value))
    _overrides.setdefault(id(server), {}).update(stored)
    server_acl = getattr(server, "acl", None)   # ACL users and log (redistill/acl.py)
    if server_acl is not None:
        if "requirepass" in new:   # the default user's password
            server_acl.set_default_password(new["requirepass"] or None)
        if "acllog-max-len" in new:
            server_acl.set_log_max(int(new["acllog-max-len"]))
        if "acl-pubsub-default" in new:   # the channels of users and selectors created from now on
            server_acl.pubsub_default = new["acl-pubsub-default"] == "allchannels"
    if {"requirepass", "client-output-buffer-limit", "client-query-buffer-limit"} & new.keys():
        refresh_connections(server)


def _check_snapshot_path(new: dict[str, str]) -> None:
    """Redis's checks of dir (it must be a directory: Redis chdirs there) and dbfilename (a base name)."""
    if "dir" in new and not os.path.isdir(new["dir"]):
        reason = "Not a directory" if os.path.exists(new["dir"]) else "No such file or directory"
        raise CommandError(errors.config_set_failed(b"dir", reason))
    if "dbfilename" in new and os.path.basename(new["dbfilename"]) != new["dbfilename"]:
        raise CommandError(errors.config_set_failed(b"dbfilename", "dbfilename can't be a path, just a filename"))


def set_pubsub_limits(cfg: Any) -> None:
    """The pubsub class into C, which checks it at each delivery (Worker's sweep: the soft limit
    of a subscriber that gets no more messages)."""
    from redistill import core
    core.ps_set_limits(*rp.class_limits(cfg.pubsub_output_buffer_limit))


def set_keyspace_events(cfg: Any) -> None:
    """notify-keyspace-events into C (csrc/notify.c), which every write checks."""
    from redistill import core
    core.notify_set_flags(rp.keyspace_event_flags(cfg.notify_keyspace_events))


def _check_maxclients(server: Any, maxclients: int) -> None:
    """Redis's updateMaxclients: raise the descriptor limit for more clients, or refuse them."""
    raise_maxclients = getattr(server, "raise_maxclients", None)
    allowed = maxclients if raise_maxclients is None else raise_maxclients(maxclients)
    if allowed < maxclients:
        raise CommandError(errors.config_set_failed(b"maxclients", errors.maxclients_over_fd_limit(allowed)))


def _rebind(server: Any, updated: Any, name: str) -> None:
    """New listeners for bind/port, or Redis's error for the parameter that caused the change."""
    rebind = getattr(server, "rebind", None)
    if rebind is None:
        raise CommandError(errors.config_set_failed(name.encode(), errors.CONFIG_NO_REBIND))
    if getattr(server, "cluster", None) is not None:   # the other nodes redirect clients to this address
        raise CommandError(errors.config_set_failed(
            name.encode(), errors.CONFIG_CLUSTER_ADDR))
    try:
        rebind(updated.bind, updated.port)
    except OSError as e:
        if name == "port":
            reason = errors.CONFIG_PORT_LISTEN
        else:
            reason = errors.CONFIG_BIND
        log.warning("CONFIG SET %s: could not listen on %s port %d: %s",
                    name, updated.bind, updated.port, e.strerror or e)
        raise CommandError(errors.config_set_failed(name.encode(), reason)) from None


def refresh_connections(server: Any) -> None:
    """Connected clients take the new password state and buffer limits, each on its own thread."""
    for worker in getattr(server, "workers", ()):
        if worker is threading.current_thread():   # this client's next command sees the change
            _refresh_worker(worker)
        else:
            worker.call_soon(functools.partial(_refresh_worker, worker))


def _refresh_worker(worker: Any) -> None:
    for conn in worker.connections():
        conn.refresh_config()
