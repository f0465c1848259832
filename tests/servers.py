"""Server processes and clients for the tests: start/stop Redistill and real redis-server on free ports.

Plain functions and classes (no fixtures), imported by tests/conftest.py and by test modules as
`from servers import ...`: a test module must not import `conftest` by name, because pytest registers
every directory's conftest.py under that one module name.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from resp import RespSocket, encode_command

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 15.0  # seconds for a started server to answer PING
STOP_TIMEOUT = 15.0  # seconds after SIGTERM before SIGKILL (and a failure)
REDIS_SERVER = shutil.which("redis-server")


# "LO-HI": this process's own port range, set by tests/phases.py for each suite it runs side by side with
# others.  The kernel's ephemeral ports (bind to 0) serve every process on the machine, client connections
# included, so a port it picks can be taken before the server binds it; ranges below them, one per suite,
# never overlap.
PORT_RANGE = os.environ.get("REDISTILL_TEST_PORTS")
_port_lock = threading.Lock()
_next_port: int | None = None


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A port free on 127.0.0.1 now: in PORT_RANGE when set, handed out in turn so that no two calls in
    one process give the same port (several may be picked before any server binds); else the kernel's."""
    global _next_port
    if not PORT_RANGE:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    lo, hi = (int(x) for x in PORT_RANGE.split("-"))
    with _port_lock:
        if _next_port is None:
            _next_port = random.randrange(lo, hi)
        for _ in range(hi - lo):
            port = _next_port
            _next_port = lo + (port + 1 - lo) % (hi - lo)
            if _bindable(port):
                return port
    raise RuntimeError(f"no free port in REDISTILL_TEST_PORTS={PORT_RANGE}")


def redistill_python() -> str:
    override = os.environ.get("REDISTILL_PYTHON")
    if override:
        return override
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


@dataclass
class ServerProcess:
    """A server we started (proc set) or one we were pointed at (proc None)."""

    host: str
    port: int
    kind: str  # "redistill" or "redis"
    proc: subprocess.Popen | None = None
    workdir: Path | None = None
    argv: list[str] = field(default_factory=list)
    password: str | None = None

    @property
    def is_redis(self) -> bool:
        return self.kind == "redis"

    def stderr_text(self, limit: int = 4000) -> str:
        if self.workdir is None:
            return ""
        out = []
        for name in ("stdout.log", "stderr.log"):
            p = self.workdir / name
            if p.exists():
                text = p.read_text(errors="replace")
                out.append(f"--- {name} (last {limit} chars) ---\n{text[-limit:]}")
        return "\n".join(out)

    def stop(self) -> int | None:
        """SIGTERM, wait, SIGKILL after STOP_TIMEOUT. Returns the exit code (None if it had to be killed)."""
        if self.proc is None:
            return 0
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            return None


def _ping_ok(host: str, port: int) -> bool:
    try:
        s = RespSocket(host, port, timeout=1.0)
    except OSError:
        return False
    try:
        s.send(encode_command("PING"))
        rep = s.reply(timeout=1.0)
        return rep == b"+PONG\r\n" or rep.startswith(b"-NOAUTH")
    except (OSError, TimeoutError, ValueError):
        return False
    finally:
        s.close()


def start_server(kind: str, args: list[str] = (), config_text: str | None = None, env: dict | None = None,
                 password: str | None = None, config_in_cwd: bool = False, port: int | None = None,
                 nofile: int | None = None) -> ServerProcess:
    """Start Redistill or redis-server on a free 127.0.0.1 port (or `port`, chosen by the caller
    with free_port() when other processes must know it first) in a fresh temp dir; wait for PING.
    nofile: the server's RLIMIT_NOFILE (soft and hard), as `ulimit -n` would set it."""
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix=f"{kind}-{port}-"))
    if kind == "redis":
        if REDIS_SERVER is None:
            pytest.skip("redis-server binary not found (apt-get install redis-server)")
        argv = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--databases", "1", "--dir", str(workdir)]
        if config_text is not None:
            raise ValueError("config_text is Redistill TOML; not for redis-server")
    else:
        argv = [redistill_python(), "-m", "redistill", "--port", str(port), "--threads", "2",
                "--health-check-port", "0"]
        if config_text is not None:
            (workdir / "redistill.toml").write_text(config_text)
            if not config_in_cwd:  # else found as ./redistill.toml
                argv += ["--config", str(workdir / "redistill.toml")]
    argv += list(args)
    full_env = dict(os.environ)
    if kind == "redistill":
        full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    out = open(workdir / "stdout.log", "wb")
    err = open(workdir / "stderr.log", "wb")
    limit = None if nofile is None else (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile)))
    proc = subprocess.Popen(argv, cwd=workdir, env=full_env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                            preexec_fn=limit)
    out.close()
    err.close()
    sp = ServerProcess("127.0.0.1", port, kind, proc, workdir, argv, password)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{kind} exited with {proc.returncode} before answering PING\nargv: {argv}\n"
                        f"{sp.stderr_text()}", pytrace=False)
        if _ping_ok(sp.host, port):
            return sp
        time.sleep(0.05)
    sp.stop()
    pytest.fail(f"{kind} did not answer PING within {START_TIMEOUT}s\nargv: {argv}\n{sp.stderr_text()}",
                pytrace=False)


def stop_and_check(sp: ServerProcess) -> None:
    code = sp.stop()
    if sp.proc is not None:
        assert code == 0, (f"{sp.kind} on port {sp.port} exited with {code} after SIGTERM "
                           f"(None = needed SIGKILL after {STOP_TIMEOUT}s)\n{sp.stderr_text()}")


def servers_for_module(*kinds_and_args: tuple[str, list[str]]):
    """Body of a module-scoped fixture (`yield from`): the servers started, yielded as a list, then
    stopped and checked, for tests whose server-wide state (latency events, the memory peak, DEBUG
    switches) must not leak into the shared session server."""
    servers = [start_server(kind, list(args)) for kind, args in kinds_and_args]
    yield servers
    for sp in servers:
        stop_and_check(sp)


def _flushall(host: str, port: int) -> None:
    s = RespSocket(host, port)
    try:
        rep = s.call("FLUSHALL")
        assert rep == b"+OK\r\n", rep
    finally:
        s.close()


def make_client(server, **kw):
    import redis

    kw.setdefault("socket_timeout", 10)
    kw.setdefault("socket_connect_timeout", 5)
    return redis.Redis(host=server.host, port=server.port, **kw)


def wait_busy(c, deadline_s: float = 10.0) -> str:
    """PING (a redis-py client) until the server answers -BUSY (a script or function passed
    busy-reply-threshold): that error's text."""
    import redis

    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            c.ping()
        except redis.exceptions.ResponseError as e:
            return str(e)
        time.sleep(0.02)
    raise AssertionError("the server never answered -BUSY")


class RawClient(RespSocket):
    """A raw socket: send(bytes), reply() -> raw bytes of one reply, expect_closed()."""

    def expect_closed(self, timeout: float = 5.0) -> bytes:
        """Assert the server closes the connection within timeout; return what it sent before closing."""
        data, closed = self.read_until_closed(timeout)
        assert closed, f"server did not close the connection within {timeout}s; got {data[:300]!r}"
        return data


def run_threads(fns, timeout: float = 60) -> None:
    """Runs each fn on its own thread and joins them all (bounded); re-raises the first errors."""
    errors: list[BaseException] = []

    def wrap(fn):
        try:
            fn()
        except BaseException as e:  # reported below
            errors.append(e)

    ts = [threading.Thread(target=wrap, args=(f,), daemon=True) for f in fns]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in ts), f"threads still running after {timeout}s"
    assert not errors, errors[:3]
