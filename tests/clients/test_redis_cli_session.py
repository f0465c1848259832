"""redis-cli as a person uses it: an interactive session on a terminal (redis-cli then sends COMMAND DOCS
at start for its hints), --no-raw formatting in RESP2 and RESP3 (-3), and `redis-cli --scan --pattern`."""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import time

import pytest

from .conftest import has_command

CLI = shutil.which("redis-cli")
pytestmark = pytest.mark.skipif(CLI is None, reason="redis-cli not installed (Debian package redis-tools)")
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def cli(server, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
    argv = [CLI, "-h", server.host, "-p", str(server.port), *args]
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60)


def command_docs_calls(r) -> int:
    stats = r.info("commandstats")
    return int(stats.get("cmdstat_command|docs", {}).get("calls", 0))


class Terminal:
    """redis-cli on a pseudo-terminal: type a line, read until the next prompt."""

    def __init__(self, argv: list[str]):
        import pty

        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child
            os.environ["TERM"] = "dumb"
            os.execv(argv[0], argv)
        self.buf = b""

    def read_until(self, marker: bytes, timeout: float = 10.0) -> bytes:
        deadline = time.monotonic() + timeout
        while marker not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {marker!r} in {self.buf[-500:]!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise EOFError(f"redis-cli exited; output {self.buf[-500:]!r}")
                self.buf += chunk
        out, _, self.buf = self.buf.partition(marker)
        return out

    def type(self, line: str, prompt: bytes) -> str:
        os.write(self.fd, line.encode() + b"\r")
        out = ANSI.sub(b"", self.read_until(prompt)).replace(b"\r", b"")
        lines = out.decode(errors="replace").split("\n")
        return "\n".join(ln for ln in lines[1:] if ln).strip()  # first line: the echo of what was typed

    def close(self) -> int:
        try:
            os.write(self.fd, b"quit\r")
        except OSError:
            pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        return -9


def test_interactive_session(server, r):
    before = command_docs_calls(r)
    prompt = f"{server.host}:{server.port}> ".encode()
    term = Terminal([CLI, "-h", server.host, "-p", str(server.port)])
    try:
        term.read_until(prompt)
        session = [
            ("set foo bar", "OK"),
            ("get foo", '"bar"'),
            ("get nope", "(nil)"),
            ("incr cnt", "(integer) 1"),
            ("incrby cnt 41", "(integer) 42"),
            ("mget foo nope cnt", '1) "bar"\n2) (nil)\n3) "42"'),
            ("set s v EX 100", "OK"),
            ("ttl s", "(integer) 100"),
            ("exists foo s nope", "(integer) 2"),
            ("incr foo", "(error) ERR value is not an integer or out of range"),
            ('set "a key" "x y"', "OK"),
            ('get "a key"', '"x y"'),
            ("echo \"a\\nb\"", '"a\\nb"'),
            ("del foo", "(integer) 1"),
            ("ping", "PONG"),
            ("dbsize", "(integer) 3"),
        ]
        got = [(line, term.type(line, prompt)) for line, _ in session]
    finally:
        code = term.close()
    assert got == session
    assert code == 0
    assert command_docs_calls(r) > before, "interactive redis-cli sends COMMAND DOCS at start"


def test_command_docs_no_raw(server, r):
    p = cli(server, "--no-raw", "command", "docs", "get")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == '1) "get"', p.stdout
    assert '"summary"' in p.stdout and '"Get the value of a key"' in p.stdout, p.stdout
    assert '"group"' in p.stdout and '"string"' in p.stdout, p.stdout


def test_resp3_no_raw(server, r):
    r.set("k", "v")
    p = cli(server, "-3", "--no-raw", "config", "get", "maxmemory")
    assert (p.returncode, p.stdout) == (0, '1# "maxmemory" => "0"\n'), p.stderr
    assert cli(server, "-3", "--no-raw", "get", "nope").stdout == "(nil)\n"
    assert cli(server, "-3", "--no-raw", "get", "k").stdout == '"v"\n'
    assert cli(server, "-3", "--no-raw", "mget", "k", "nope").stdout == '1) "v"\n2) (nil)\n'
    p = cli(server, "-3", "--no-raw", "hello", "3")
    assert p.stdout.startswith('1# "server" => "redis"\n'), p.stdout
    assert '"proto" => (integer) 3' in p.stdout, p.stdout


def test_scan_pattern(server, r):
    if not has_command(server, "scan"):
        pytest.skip("SCAN not on this server: redis-cli --scan needs it")
    users = {f"user:{i}" for i in range(700)}
    r.mset({k: "1" for k in users})
    r.mset({f"session:{i}": "1" for i in range(300)})
    p = cli(server, "--scan", "--pattern", "user:*")
    assert p.returncode == 0, p.stderr
    found = p.stdout.split()
    assert set(found) == users, (len(found), sorted(set(found) ^ users)[:10])
    p = cli(server, "--scan", "--pattern", "session:1?")
    assert p.returncode == 0, p.stderr
    assert sorted(set(p.stdout.split())) == sorted(f"session:{i}" for i in range(10, 20)), p.stdout
    assert cli(server, "--scan", "--pattern", "nomatch:*").stdout == ""
