"""Shared pytest fixtures: start/stop Redistill and real redis-server on free ports, clients, raw sockets.

Targets (which server the `server` fixture gives the behaviour and client tests):
  default                         start Redistill: .venv/bin/python -m redistill --threads 2 --health-check-port 0
  REDISTILL_TEST_TARGET=redis     start a real redis-server instead (proves the tests against Redis's bytes)
  --existing-port P [--existing-host H]   reuse a server that is already running (never stopped by us)
REDISTILL_FASTPATH is passed through to every Redistill started here (`make test` runs a second pass with 0).
Real Redis is started with `--databases 1` because Redistill is a one-database server: SELECT 1 and
CONFIG GET databases must then give the same bytes on both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import (  # noqa: E402
    ServerProcess, start_server, stop_and_check, _flushall, make_client, RawClient, REDIS_SERVER,
)


def pytest_addoption(parser):
    parser.addoption("--existing-port", type=int, default=None, help="test a server already running on this port")
    parser.addoption("--existing-host", default="127.0.0.1", help="host for --existing-port")
    parser.addoption(
        "--target",
        choices=("redistill", "redis"),
        default=os.environ.get("REDISTILL_TEST_TARGET", "redistill"),
        help="which server the `server` fixture starts (env REDISTILL_TEST_TARGET)",
    )


def pytest_report_header(config):
    port = config.getoption("--existing-port")
    where = f"existing server on port {port}" if port else f"target={config.getoption('--target')}"
    return f"redistill tests: {where}, REDISTILL_FASTPATH={os.environ.get('REDISTILL_FASTPATH', '(unset)')}"


@pytest.fixture(scope="session")
def target(pytestconfig) -> str:
    return pytestconfig.getoption("--target")


@pytest.fixture(scope="session")
def server(pytestconfig, target):
    """The server under test for behaviour/client tests (session-scoped)."""
    port = pytestconfig.getoption("--existing-port")
    if port:
        yield ServerProcess(pytestconfig.getoption("--existing-host"), port, target)
        return
    sp = start_server(target)
    yield sp
    stop_and_check(sp)


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server (the reference for differential tests); skipped when the binary is missing."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server binary not found: differential tests need Debian's redis-server")
    sp = start_server("redis")
    yield sp
    stop_and_check(sp)


@pytest.fixture
def start_extra(target):
    """Factory: start_extra(args=[...], config_text=None, env=None) -> ServerProcess of the target kind,
    always stopped (and checked for exit 0) at teardown. config_text (Redistill TOML) skips on real Redis."""
    started: list[ServerProcess] = []

    def factory(args=(), config_text=None, env=None, password=None, kind=None, config_in_cwd=False):
        k = kind or target
        if config_text is not None and k == "redis":
            pytest.skip("redistill.toml config test: not applicable to real Redis")
        sp = start_server(k, list(args), config_text, env, password, config_in_cwd)
        started.append(sp)
        return sp

    yield factory
    failures = []
    for sp in started:
        code = sp.stop()
        if code != 0:
            failures.append(f"{sp.kind} port {sp.port} argv {sp.argv}: exit {code}\n{sp.stderr_text()}")
    assert not failures, "extra server did not exit 0 on SIGTERM:\n" + "\n".join(failures)


@pytest.fixture
def r(server):
    """redis-py client with its defaults (redis-py 8: HELLO 3 / RESP3), after FLUSHALL."""
    c = make_client(server)
    c.flushall()
    yield c
    c.close()


@pytest.fixture
def r2(server):
    """redis-py client speaking RESP2 (protocol=2), after FLUSHALL."""
    c = make_client(server, protocol=2)
    c.flushall()
    yield c
    c.close()


@pytest.fixture(params=[3, 2], ids=["resp3", "resp2"])
def rc(request, server):
    """redis-py client parametrised over protocol 3 (default) and 2, after FLUSHALL."""
    kw = {} if request.param == 3 else {"protocol": 2}
    c = make_client(server, **kw)
    c.flushall()
    c.proto = request.param
    yield c
    c.close()


@pytest.fixture
def raw_factory(server):
    conns: list[RawClient] = []

    def factory(timeout: float = 5.0) -> RawClient:
        c = RawClient(server.host, server.port, timeout)
        conns.append(c)
        return c

    yield factory
    for c in conns:
        c.close()


@pytest.fixture
def raw(server, raw_factory):
    """A raw socket on `server`, after FLUSHALL (done on a separate connection)."""
    _flushall(server.host, server.port)
    return raw_factory()


NIL = {2: b"$-1\r\n", 3: b"_\r\n"}


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def rawp(request, server, raw_factory):
    """A raw socket after FLUSHALL, in RESP2 or (after HELLO 3) RESP3; .proto and .nil tell which."""
    _flushall(server.host, server.port)
    c = raw_factory()
    c.proto = request.param
    c.nil = NIL[request.param]
    if request.param == 3:
        rep = c.call("HELLO", "3")
        assert rep.startswith(b"%7\r\n"), rep
    return c


# ---- TLS: certificates made with the openssl CLI, once per session ------------------------------

@dataclass
class TlsFiles:
    """PEM files: a CA, a server certificate for 127.0.0.1/localhost signed by it, a client
    certificate signed by it, and a client certificate from another CA (rejected)."""

    dir: Path
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    rogue_cert: Path
    rogue_key: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _signed_cert(d: Path, name: str, cn: str, ca: str, ext: str | None) -> None:
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}", "-keyout", f"{name}.key",
             "-out", f"{name}.csr", cwd=d)
    args = ["x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-days", "3", "-out", f"{name}.crt"]
    if ext:
        (d / f"{name}.ext").write_text(ext)
        args += ["-extfile", f"{name}.ext"]
    _openssl(*args, cwd=d)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory) -> TlsFiles:
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not found: TLS tests need it to make certificates")
    d = tmp_path_factory.mktemp("tls")
    for ca in ("ca", "rogue-ca"):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3", "-subj", f"/CN={ca}",
                 "-keyout", f"{ca}.key", "-out", f"{ca}.crt", cwd=d)
    _signed_cert(d, "server", "localhost", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _signed_cert(d, "client", "client", "ca", "extendedKeyUsage=clientAuth\n")
    _signed_cert(d, "rogue", "rogue", "rogue-ca", "extendedKeyUsage=clientAuth\n")
    return TlsFiles(d, d / "ca.crt", d / "server.crt", d / "server.key", d / "client.crt", d / "client.key",
                    d / "rogue.crt", d / "rogue.key")
