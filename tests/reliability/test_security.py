"""Protected mode as Redis's (remote clients refused without a password), and no client-chosen file access."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from resp import RespSocket, encode_command  # noqa: E402

from redistill.config import Config  # noqa: E402
from redistill.worker import PROTECTED_MODE_ERROR, protected_mode_refuses  # noqa: E402


def _non_loopback_ipv4() -> str | None:
    """A local non-loopback IPv4 address (the one the default route would use), if the machine has one."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("10.255.255.255", 1))  # UDP connect sends nothing; it only picks a source address
        addr = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if addr.startswith("127.") or addr == "0.0.0.0" else addr


LOCAL = _non_loopback_ipv4()
needs_local = pytest.mark.skipif(LOCAL is None, reason="no non-loopback local IPv4 address on this machine")


@pytest.mark.parametrize("addr, refused", [
    (("192.0.2.7", 5000), True),
    (("10.0.0.1", 1), True),
    (("127.0.0.1", 5000), False),
    (("127.1.2.3", 5000), False),
    (("::1", 5000, 0, 0), False),
    (("::ffff:127.0.0.1", 5000, 0, 0), False),
    (("::ffff:10.0.0.1", 5000, 0, 0), True),
    (("2001:db8::1", 5000, 0, 0), True),
    ("", False),  # unix socket peer
])
def test_protected_mode_decision(addr, refused):
    assert protected_mode_refuses(Config(), addr) is refused
    assert protected_mode_refuses(Config(protected_mode=False), addr) is False
    assert protected_mode_refuses(Config(password="pw"), addr) is False


def test_denied_text_is_redis_byte_for_byte():
    assert PROTECTED_MODE_ERROR.startswith(b"-DENIED Redis is running in protected mode because protected mode is "
                                           b"enabled and no password is set for the default user.")
    assert PROTECTED_MODE_ERROR.endswith(b"to start accepting connections from the outside.\r\n")


def _remote_reply(port: int) -> tuple[bytes, bool]:
    c = RespSocket(LOCAL, port)
    try:
        c.send(encode_command("PING"))
        return c.read_until_closed(timeout=3)
    finally:
        c.close()


@needs_local
def test_remote_client_denied_without_password(start_extra):
    sp = start_extra(args=["--bind", "0.0.0.0"])
    data, closed = _remote_reply(sp.port)
    assert closed and data == PROTECTED_MODE_ERROR
    local = RespSocket("127.0.0.1", sp.port)  # loopback is still served
    try:
        assert local.call("PING") == b"+PONG\r\n"
        # Redis's remedy 1: turn it off from loopback; the next remote connection is served.
        assert local.call("CONFIG", "SET", "protected-mode", "no") == b"+OK\r\n"
    finally:
        local.close()
    c = RespSocket(LOCAL, sp.port)
    try:
        assert c.call("PING") == b"+PONG\r\n"
    finally:
        c.close()


@needs_local
def test_remote_client_served_when_disabled_or_password_set(start_extra, target):
    if target == "redis":
        pytest.skip("Redistill TOML config")
    sp = start_extra(args=["--bind", "0.0.0.0"], config_text="[security]\nprotected_mode = false\n")
    c = RespSocket(LOCAL, sp.port)
    try:
        assert c.call("PING") == b"+PONG\r\n"
    finally:
        c.close()
    sp2 = start_extra(args=["--bind", "0.0.0.0", "--requirepass", "pw"])
    c = RespSocket(LOCAL, sp2.port)
    try:
        assert c.call("PING").startswith(b"-NOAUTH")
        assert c.call("AUTH", "pw") == b"+OK\r\n"
        assert c.call("PING") == b"+PONG\r\n"
    finally:
        c.close()


# Redis commands that read or write files named by the client (or load code): each must be unknown or refused
# with an error, and CONFIG SET may not move the working directory, the dump file or the log.  SAVE, BGSAVE,
# DEBUG RELOAD and SYNC exist (RDB snapshots) but only ever touch the configured dir/dbfilename, which CONFIG
# SET refuses to change (enable-protected-configs is off, as on Redis).
FILE_COMMANDS = [["MODULE", "LOAD", "/tmp/x.so"], ["BGREWRITEAOF"],
                 ["DEBUG", "JMAP"], ["SLAVEOF", "127.0.0.1", "1"],
                 ["REPLICAOF", "127.0.0.1", "1"], ["MIGRATE", "127.0.0.1", "1", "k", "0", "1000"],
                 ["PSYNC", "?", "-1"], ["ACL", "LOAD"], ["ACL", "SAVE"],
                 ["FUNCTION", "LOAD", "x"], ["CONFIG", "REWRITE"],
                 # scripts run, but the sandbox has no io, os, loadfile or dofile
                 ["EVAL", "return io.open('chosen', 'w')", "0"], ["EVAL", "return os.execute('touch chosen')", "0"],
                 ["EVAL", "return loadfile('chosen')", "0"], ["EVAL", "return dofile('chosen')", "0"]]


def test_no_command_touches_client_chosen_files(server, raw_factory, tmp_path):
    if server.is_redis:
        pytest.skip("Redis has these commands; the test is that Redistill refuses them")
    before = sorted(p.name for p in server.workdir.iterdir()) if server.workdir else None
    c = raw_factory()
    assert c.call("SET", "k", "v") == b"+OK\r\n"
    for argv in FILE_COMMANDS:
        rep = c.call(*argv)
        assert rep.startswith(b"-"), (argv, rep)
    assert b"append-only" in c.call("BGREWRITEAOF").lower()   # exists (clients call it); no AOF
    target = tmp_path / "chosen"
    for param, value in (("dir", str(tmp_path)), ("dbfilename", "chosen"), ("logfile", str(target)),
                         ("aclfile", str(target)), ("appendfilename", "chosen")):
        rep = c.call("CONFIG", "SET", param, value)
        assert rep.startswith(b"-ERR"), (param, rep)
    for argv in (["SAVE"], ["BGSAVE"], ["CONFIG", "REWRITE"], ["SHUTDOWN", "ABORT"]):
        c.call(*argv)
    assert list(tmp_path.iterdir()) == []
    deadline = time.monotonic() + 30   # the BGSAVE above ends (its temp file renamed) before we look
    while b"rdb_bgsave_in_progress:1" in c.call("INFO", "persistence") and time.monotonic() < deadline:
        time.sleep(0.05)
    if before is not None:   # only the configured snapshot may appear, where the operator put it
        assert set(p.name for p in server.workdir.iterdir()) - set(before) <= {"dump.rdb"}
