"""Redistill's own startup configuration, seen from outside: TOML, env, CLI precedence, and bad-config exits."""

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from resp import RespSocket, parse
from servers import ROOT, free_port, redistill_python


@pytest.fixture(autouse=True)
def _redistill_only(target):
    if target == "redis":
        pytest.skip("Redistill configuration (TOML/env/CLI), not applicable to real Redis")


def run_bad(args, toml=None, env=None):
    """Run Redistill expecting it to refuse to start; returns (exit code, stderr)."""
    d = Path(tempfile.mkdtemp(prefix="redistill-badcfg-"))
    argv = [redistill_python(), "-m", "redistill", "--port", str(free_port()), "--health-check-port", "0"]
    if toml is not None:
        (d / "bad.toml").write_text(toml)
        argv += ["--config", str(d / "bad.toml")]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("REDISTILL_") or k == "REDISTILL_CFLAGS"}
    full_env["PYTHONPATH"] = str(ROOT)
    full_env.update(env or {})
    p = subprocess.run(argv + list(args), cwd=d, env=full_env, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stderr


def assert_one_line_error(code, err, *needles):
    assert code != 0, "the server started despite a bad configuration"
    assert "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("redistill: "), lines[0]
    for n in needles:
        assert n in lines[0], (n, lines[0])


def test_missing_config_file():
    code, err = run_bad(["--config", "/nonexistent/redistill.toml"])
    assert_one_line_error(code, err, "/nonexistent/redistill.toml")


def test_bad_toml():
    code, err = run_bad([], toml="[server\nport = \n")
    assert_one_line_error(code, err, "TOML")


def test_unknown_key():
    code, err = run_bad([], toml="[server]\nportt = 7000\n")
    assert_one_line_error(code, err, "portt")


def test_bad_eviction_policy_names_key_and_allowed_values():
    code, err = run_bad([], toml='[memory]\neviction_policy = "sometimes"\n')
    assert_one_line_error(code, err, "eviction_policy", "sometimes", "allkeys-lru", "noeviction")


@pytest.mark.parametrize("args, needle", [(["--port", "abc"], "port"), (["--port", "70000"], "port"),
                                          (["--maxmemory-policy", "sometimes"], "sometimes")])
def test_bad_cli_values(args, needle):
    code, err = run_bad(args)
    assert code != 0 and "Traceback" not in err and needle in err, (code, err)


def test_bad_env_value():
    code, err = run_bad([], env={"REDISTILL_PORT": "abc"})
    assert_one_line_error(code, err, "REDISTILL_PORT")


def _config_get(srv, name):
    c = RespSocket(srv.host, srv.port)
    try:
        flat = parse(c.call("CONFIG", "GET", name))
        return dict(zip(flat[0::2], flat[1::2])).get(name.encode())
    finally:
        c.close()


def test_toml_values_reach_config_get(start_extra):
    srv = start_extra(config_text='[server]\nmax_connections = 123\n\n[memory]\nmax_memory = "64mb"\n'
                                  'eviction_policy = "allkeys-lfu"\n')
    assert _config_get(srv, "maxmemory") == b"67108864"
    assert _config_get(srv, "maxmemory-policy") == b"allkeys-lfu"
    assert _config_get(srv, "maxclients") == b"123"


def test_redistill_toml_in_working_directory_is_read(start_extra):
    srv = start_extra(config_text="[server]\nmax_connections = 77\n", config_in_cwd=True)
    assert _config_get(srv, "maxclients") == b"77"


def test_precedence_cli_over_env_over_toml(start_extra):
    toml = '[memory]\nmax_memory = "1mb"\neviction_policy = "volatile-ttl"\n'
    srv = start_extra(["--maxmemory", "3mb"], config_text=toml,
                      env={"REDISTILL_MAX_MEMORY": "2mb", "REDISTILL_EVICTION_POLICY": "allkeys-random"})
    assert _config_get(srv, "maxmemory") == b"3145728"  # CLI
    assert _config_get(srv, "maxmemory-policy") == b"allkeys-random"  # env beats TOML


def test_help_exits_zero():
    p = subprocess.run([redistill_python(), "-m", "redistill", "--help"], capture_output=True, text=True,
                       timeout=30, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert p.returncode == 0, p.stderr
    for flag in ("--config", "--bind", "--port", "--threads", "--requirepass", "--maxmemory",
                 "--maxmemory-policy", "--maxclients", "--loglevel"):
        assert flag in p.stdout, flag


def test_tcp_keepalive_beyond_the_kernel_limit_keeps_accepting(start_extra):
    """CONFIG SET tcp-keepalive accepts up to INT_MAX (as Redis); Linux refuses TCP_KEEPIDLE above
    32767, and like Redis the server then keeps the connection without those options."""
    sp = start_extra()
    s = RespSocket(sp.host, sp.port)
    try:
        assert s.call("CONFIG", "SET", "tcp-keepalive", "200000") == b"+OK\r\n"
    finally:
        s.close()
    for _ in range(3):   # every new connection goes through the keepalive setup
        s = RespSocket(sp.host, sp.port)
        try:
            assert s.call("PING") == b"+PONG\r\n"
        finally:
            s.close()
