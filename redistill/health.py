"""Health and metrics over HTTP on health_check_port: GET /health (JSON) and GET /metrics (Prometheus).

Rules:
- One thread of its own with a selectors loop over non-blocking sockets: a slow or silent
  HTTP client never holds a worker, and a worker never waits for this thread.
- It only reads: counters through metrics.info_sections (the numbers INFO prints, from the
  same code), server.shutting_down for the status.  No lock is held across a request.
- HTTP/1.1 with one request per connection ("Connection: close"); requests are a line and
  headers of at most MAX_REQUEST bytes, answered or dropped within REQUEST_TIMEOUT seconds.
- At most MAX_CONNECTIONS open at once (the server counts them in its descriptor budget): a
  new connection past it closes the oldest one still waiting for its request, so idle
  connections opened faster than they time out can neither use up the process's descriptors
  nor lock probes out.  Accepts go through accepting.AcceptGate (back-off on EMFILE and the
  like), logs through logutil (rate-limited).
- /health: 200 {"status": "ok", ...} while serving, 503 {"status": "shutting_down", ...} from
  the moment a shutdown starts until the process exits.
- /metrics: Prometheus text format 0.0.4.  Every numeric INFO field becomes
  redistill_<field> (counters and gauges as Redis means them); commandstats, errorstats and
  keyspace rows become labelled families as redis_exporter names them
  (redistill_commands_total{cmd="get"}, redistill_errors_total{err="ERR"},
  redistill_db_keys{db="db0"}).
"""
from __future__ import annotations

import json
import selectors
import socket
import threading
import time
from typing import Any

from . import metrics
from .accepting import AcceptGate
from .logutil import get_logger

log = get_logger("redistill.health")

MAX_REQUEST = 8192
REQUEST_TIMEOUT = 5.0
MAX_CONNECTIONS = 32          # open at once; a probe or a scrape needs one for a few milliseconds
# Accepted per readiness of the listener: fewer than MAX_CONNECTIONS, so that a connection
# accepted in one turn is still open to be read in the next even if a flood keeps coming.
_ACCEPT_BATCH = MAX_CONNECTIONS // 2
# Descriptors the endpoint holds besides its connections: listener, wake-up socketpair, epoll.
OWN_FDS = 4
_READ = selectors.EVENT_READ
_WRITE = selectors.EVENT_WRITE

# INFO fields that only grow (Prometheus counters); every other numeric field is a gauge.
COUNTERS = frozenset({
    "total_connections_received", "total_commands_processed", "total_net_input_bytes",
    "total_net_output_bytes", "total_net_repl_input_bytes", "total_net_repl_output_bytes",
    "rejected_connections", "sync_full", "sync_partial_ok", "sync_partial_err", "expired_keys",
    "expired_time_cap_reached_count", "evicted_keys", "evicted_clients", "keyspace_hits",
    "keyspace_misses", "total_forks", "unexpected_error_replies", "total_error_replies",
    "acl_access_denied_auth", "acl_access_denied_cmd", "acl_access_denied_key", "acl_access_denied_channel",
    "client_output_buffer_limit_disconnections", "redistill_fastpath_commands", "redistill_python_commands",
    "redistill_rate_limited_connections", "redistill_timedout_clients",
    "redistill_tls_handshake_failures", "redistill_auth_delayed_replies", "used_cpu_sys",
    "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children", "rdb_saves", "aof_rewrites",
})
# Server-section fields worth a sample (the others are versions, ids and paths).  Fields
# already named redistill_* keep their name.
_SERVER_NUMERIC = frozenset({"uptime_in_seconds", "process_id", "redistill_threads",
                             "redistill_fastpath", "hz"})


# ---- the documents ------------------------------------------------------------------------------

def health_document(server: Any) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) for GET /health."""
    ks = metrics._ks_stats(server)
    shutting_down = bool(server.shutting_down)
    body = {
        "status": "shutting_down" if shutting_down else "ok",
        "uptime_seconds": int(time.time() - server.start_time),
        "connections": server.connected_clients(),
        "max_connections": server.config.max_connections,
        "used_memory": ks["used_memory"],
        "max_memory": server.config.max_memory,
        "keys": ks["keys"],
        "ops_per_sec": server.stats.ops_per_sec(),
        "version": metrics.REDISTILL_VERSION,
        "redis_version": metrics.REDIS_VERSION,
    }
    return (503 if shutting_down else 200), body


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _fmt(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 2 ** 53 else repr(value)


def _parse_row(text: str) -> dict[str, str]:
    """"calls=3,usec=7,..." -> {"calls": "3", "usec": "7", ...}"""
    return dict(part.split("=", 1) for part in text.split(",") if "=" in part)


def metrics_text(server: Any) -> str:
    """The Prometheus exposition of every INFO section."""
    out: list[str] = []

    def family(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> None:
        out.append(f"# HELP {name} {help_text}")
        out.append(f"# TYPE {name} {kind}")
        out.extend(f"{name}{labels} {_fmt(v)}" for labels, v in samples)

    family("redistill_up", "gauge", "1 while serving, 0 while shutting down",
           [("", 0.0 if server.shutting_down else 1.0)])
    family("redistill_build_info", "gauge", "Version labels",
           [(f'{{version="{_label(metrics.REDISTILL_VERSION)}",'
             f'redis_version="{_label(metrics.REDIS_VERSION)}"}}', 1.0)])
    for title, rows in metrics.info_sections(server, ["everything"]):
        if title == "Commandstats":
            _command_families(family, rows)
        elif title == "Errorstats":
            family("redistill_errors_total", "counter", "Error replies by error code",
                   [(f'{{err="{_label(k[len("errorstat_"):])}"}}',
                     float(_parse_row(v).get("count", 0))) for k, v in rows])
        elif title == "Keyspace":
            dbs = {k: _parse_row(v) for k, v in rows} or {"db0": {}}
            family("redistill_db_keys", "gauge", "Keys in the database",
                   [(f'{{db="{db}"}}', float(r.get("keys", 0))) for db, r in dbs.items()])
            family("redistill_db_keys_expiring", "gauge", "Keys with an expiry in the database",
                   [(f'{{db="{db}"}}', float(r.get("expires", 0))) for db, r in dbs.items()])
        else:
            for field, value in rows:
                if title == "Server" and field not in _SERVER_NUMERIC:
                    continue
                number = _number(value)
                if number is None:
                    continue
                kind = "counter" if field in COUNTERS else "gauge"
                name = field if field.startswith("redistill_") else f"redistill_{field}"
                family(name, kind, f"INFO {title.lower()} {field}", [("", number)])
    return "\n".join(out) + "\n"


def _command_families(family: Any, rows: list[tuple[str, str]]) -> None:
    calls, seconds, rejected, failed = [], [], [], []
    for key, value in rows:
        r = _parse_row(value)
        labels = f'{{cmd="{_label(key[len("cmdstat_"):])}"}}'
        calls.append((labels, float(r.get("calls", 0))))
        seconds.append((labels, float(r.get("usec", 0)) / 1e6))
        rejected.append((labels, float(r.get("rejected_calls", 0))))
        failed.append((labels, float(r.get("failed_calls", 0))))
    family("redistill_commands_total", "counter", "Calls per command", calls)
    family("redistill_commands_duration_seconds_total", "counter",
           "Time spent per command (commands run by Python; the C fast path is not timed)",
           seconds)
    family("redistill_commands_rejected_calls_total", "counter",
           "Calls rejected before running (arity, authentication)", rejected)
    family("redistill_commands_failed_calls_total", "counter", "Calls that replied an error",
           failed)


# ---- HTTP ---------------------------------------------------------------------------------------

_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
            500: "Internal Server Error", 503: "Service Unavailable"}


def respond(server: Any, request: bytes) -> bytes:
    """The whole HTTP response to one request head."""
    line = request.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        return _response(400, "text/plain", b"bad request\n")
    method, target = parts[0], parts[1].split("?", 1)[0]
    if target not in ("/health", "/metrics"):
        return _response(404, "text/plain", b"not found: try /health or /metrics\n")
    if method not in ("GET", "HEAD"):
        return _response(405, "text/plain", b"method not allowed\n", extra="Allow: GET, HEAD\r\n")
    try:
        if target == "/health":
            status, doc = health_document(server)
            body = (json.dumps(doc) + "\n").encode()
            return _response(status, "application/json", body, head=method == "HEAD")
        return _response(200, "text/plain; version=0.0.4; charset=utf-8",
                         metrics_text(server).encode(), head=method == "HEAD")
    except Exception:
        log.exception("health endpoint failed on %s", target)
        return _response(500, "text/plain", b"internal error\n")


def _response(status: int, ctype: str, body: bytes, head: bool = False, extra: str = "") -> bytes:
    header = (f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: {ctype}\r\n"
              f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n{extra}"
              "Connection: close\r\n\r\n").encode()
    return header if head else header + body


class _Client:
    __slots__ = ("sock", "inbuf", "outbuf", "started")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.inbuf = b""
        self.outbuf = b""
        self.started = time.monotonic()


class HealthServer(threading.Thread):
    """The HTTP listener and its loop.  Binds in __init__ (OSError if it cannot)."""

    def __init__(self, server: Any, host: str, port: int) -> None:
        super().__init__(name="redistill-health", daemon=True)
        self.server = server
        family, _, _, _, addr = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._listener.bind(addr)
            self._listener.listen(64)
            self._listener.setblocking(False)
        except OSError:
            self._listener.close()
            raise
        self.host, self.port = self._listener.getsockname()[:2]
        self._selector = selectors.DefaultSelector()
        self._gate = AcceptGate(self._selector, "the health endpoint")
        self._gate.add(self._listener, None)
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector.register(self._wake_r, _READ, "wake")
        # Oldest first (dicts keep insertion order), so the one to close at the cap is the first.
        self._clients: dict[socket.socket, _Client] = {}
        self._stopping = False

    def stop(self) -> None:
        """Any thread: ends the loop, closes every socket, waits briefly for the thread."""
        self._stopping = True
        try:
            self._wake_w.send(b"\0")
        except OSError:
            pass
        if self.is_alive():
            self.join(2.0)
        else:
            self._close()

    def run(self) -> None:
        try:
            while not self._stopping:
                for key, mask in self._selector.select(self._gate.timeout(1.0)):
                    try:
                        self._event(key, mask)
                    except Exception:
                        log.exception("health endpoint error")
                        if isinstance(key.data, _Client):
                            self._drop(key.data)
                self._expire()
                self._gate.resume_if_due()
        finally:
            self._close()

    def _event(self, key: selectors.SelectorKey, mask: int) -> None:
        if key.data is None:
            self._accept()
        elif key.data == "wake":
            self._wake_r.recv(64)
        elif mask & _READ:
            self._read(key.data)
        else:
            self._write(key.data)

    def _accept(self) -> None:
        for _ in range(_ACCEPT_BATCH):
            accepted = self._gate.accept(self._listener)
            if accepted is None:
                return
            sock = accepted[0]
            if len(self._clients) >= MAX_CONNECTIONS:
                self._drop(self._oldest_idle())
            sock.setblocking(False)
            client = _Client(sock)
            self._clients[sock] = client
            self._selector.register(sock, _READ, client)

    def _oldest_idle(self) -> _Client:
        """The connection to close for a new one: the oldest still without a whole request (a
        reply being sent is a probe or a scrape that did its part), else the oldest."""
        clients = self._clients.values()
        return next((c for c in clients if not c.outbuf), next(iter(clients)))

    def _read(self, client: _Client) -> None:
        try:
            data = client.sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(client)
            return
        client.inbuf += data
        end = client.inbuf.find(b"\r\n\r\n")
        if end < 0:
            end = client.inbuf.find(b"\n\n")
        if end < 0:
            if len(client.inbuf) > MAX_REQUEST:
                client.outbuf = _response(400, "text/plain", b"request too large\n")
                self._selector.modify(client.sock, _WRITE, client)
            return
        client.outbuf = respond(self.server, client.inbuf[:end])
        self._selector.modify(client.sock, _WRITE, client)
        self._write(client)

    def _write(self, client: _Client) -> None:
        try:
            n = client.sock.send(client.outbuf)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(client)
            return
        client.outbuf = client.outbuf[n:]
        if not client.outbuf:
            self._drop(client)

    def _expire(self) -> None:
        now = time.monotonic()
        for client in [c for c in self._clients.values() if now - c.started > REQUEST_TIMEOUT]:
            self._drop(client)

    def _drop(self, client: _Client) -> None:
        if self._clients.pop(client.sock, None) is None:
            return
        try:
            self._selector.unregister(client.sock)
        except (KeyError, ValueError):
            pass
        client.sock.close()

    def _close(self) -> None:
        for client in list(self._clients.values()):
            self._drop(client)
        self._gate.close()
        for s in (self._wake_r, self._wake_w):
            try:
                s.close()
            except OSError:
                pass
        try:
            self._selector.close()
        except Exception:
            pass
