"""redis-cli against the server: one-shot commands, --no-raw formatting, a piped multi-command session, INFO."""

import re
import shutil
import subprocess

import pytest

CLI = shutil.which("redis-cli")
pytestmark = pytest.mark.skipif(CLI is None, reason="redis-cli not installed (Debian package redis-tools)")


# With --no-raw, redis-cli adds a line "(0.77s)" after a command that took 500 ms or more (a loaded
# machine): its own timing, not part of any reply, so it is taken out before the replies are compared.
ELAPSED = re.compile(r"^\(\d+\.\d+s\)\n", re.M)


def cli(server, *args, stdin: str | None = None, no_raw: bool = False) -> subprocess.CompletedProcess:
    argv = [CLI, "-h", server.host, "-p", str(server.port)] + (["--no-raw"] if no_raw else []) + list(args)
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=120)
    if no_raw:
        p.stdout = ELAPSED.sub("", p.stdout)
    return p


def test_ping(server, r):
    p = cli(server, "ping")
    assert (p.returncode, p.stdout, p.stderr) == (0, "PONG\n", "")


def test_set_get(server, r):
    assert cli(server, "set", "greeting", "hello world").stdout == "OK\n"
    p = cli(server, "get", "greeting")
    assert (p.returncode, p.stdout) == (0, "hello world\n")
    assert r.get("greeting") == b"hello world"


def test_no_raw_formatting(server, r):
    r.set("foo", "bar")
    assert cli(server, "get", "foo", no_raw=True).stdout == '"bar"\n'
    assert cli(server, "get", "nope", no_raw=True).stdout == "(nil)\n"
    assert cli(server, "incr", "cnt", no_raw=True).stdout == "(integer) 1\n"
    assert cli(server, "mget", "foo", "nope", no_raw=True).stdout == '1) "bar"\n2) (nil)\n'
    assert cli(server, "ttl", "foo", no_raw=True).stdout == "(integer) -1\n"
    assert cli(server, "exists", "foo", "foo", no_raw=True).stdout == "(integer) 2\n"
    err = cli(server, "incr", "foo", no_raw=True)
    assert err.stdout == "(error) ERR value is not an integer or out of range\n"


def test_piped_session(server, r):
    script = "set a 1\nincr a\nincrby a 10\nget a\nmget a b\nexpire a 100\nttl a\nbogus x\ndel a\nexists a\n"
    p = cli(server, stdin=script, no_raw=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout == (
        "OK\n(integer) 2\n(integer) 12\n\"12\"\n1) \"12\"\n2) (nil)\n(integer) 1\n(integer) 100\n"
        "(error) ERR unknown command 'bogus', with args beginning with: 'x' \n(integer) 1\n(integer) 0\n"
    )


def test_piped_session_raw_output(server, r):
    p = cli(server, stdin="set a 1\nincr a\nget a\nget nope\nping\n")
    assert p.returncode == 0, p.stderr
    assert p.stdout == "OK\n2\n2\n\nPONG\n"


def test_info_server(server, r):
    p = cli(server, "info", "server")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "# Server", lines[:3]
    fields = dict(ln.split(":", 1) for ln in lines[1:] if ln and ":" in ln)
    assert "redis_version" in fields
    assert fields["tcp_port"] == str(server.port)
    assert "# Clients" not in p.stdout


def test_interactive_style_commands_via_eval_of_args(server, r):
    """redis-cli sends COMMAND DOCS when it starts interactively; it must not break a session that uses it."""
    p = cli(server, "command", "docs", "get", no_raw=True)
    assert p.returncode == 0 and "summary" in p.stdout, p.stdout[:300]


def _read_until(fd: int, needle: bytes, timeout: float) -> bytes:
    import os
    import select
    import time

    buf = b""
    deadline = time.monotonic() + timeout
    while needle not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"waited {timeout}s for {needle!r}; got {buf[-500:]!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                raise AssertionError(f"redis-cli closed the terminal before {needle!r}; got {buf[-500:]!r}")
            buf += chunk
    return buf


def test_interactive_session_on_a_terminal(server, r):
    """An interactive redis-cli (on a pty) loads COMMAND DOCS at start, then runs typed commands."""
    import os
    import pty

    master, slave = pty.openpty()
    env = dict(os.environ, TERM="dumb")
    p = subprocess.Popen([CLI, "-h", server.host, "-p", str(server.port)], stdin=slave, stdout=slave,
                         stderr=slave, env=env, close_fds=True)
    os.close(slave)
    try:
        prompt = f"{server.host}:{server.port}> ".encode()
        _read_until(master, prompt, 15)
        os.write(master, b"set greeting hi\r")
        _read_until(master, b"OK", 10)
        os.write(master, b"get greeting\r")
        _read_until(master, b'"hi"', 10)
        os.write(master, b"incr greeting\r")
        _read_until(master, b"(error) ERR value is not an integer or out of range", 10)
        os.write(master, b"quit\r")
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)
        os.close(master)
    assert r.get("greeting") == b"hi"
