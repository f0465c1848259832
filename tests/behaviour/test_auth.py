"""Authentication: requirepass from the CLI, the environment, TOML and a file; NOAUTH/WRONGPASS texts as Redis;
AUTH default <pw>; HELLO AUTH; repeated failures from one address are held back without blocking the worker."""

import shutil
import subprocess

import pytest
import redis

from servers import RawClient

PW = "s3cret-pw"
NOAUTH = b"-NOAUTH Authentication required.\r\n"
WRONGPASS = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"


def raw(sp, timeout=10.0):
    return RawClient(sp.host, sp.port, timeout)


def info_stats(sp, password=PW):
    c = redis.Redis(host=sp.host, port=sp.port, password=password, socket_timeout=10)
    try:
        return c.info("stats")
    finally:
        c.close()


# The script below gives the same bytes on Redistill and on redis-server --requirepass.
SCRIPT = [
    (("GET", "k"), NOAUTH),                      # a fast-path command must not bypass AUTH
    (("SET", "k", "v"), NOAUTH),
    (("PING",), NOAUTH),
    (("CLIENT", "SETNAME", "x"), NOAUTH),
    (("HELLO", "3"), None),                      # NOAUTH HELLO text, compared below
    (("AUTH", "wrong"), WRONGPASS),
    (("AUTH", "nobody", PW), WRONGPASS),
    (("AUTH", "a", "b", "c"), b"-ERR syntax error\r\n"),
    (("GET", "k"), NOAUTH),                      # still not authenticated after failures
    (("AUTH", PW), b"+OK\r\n"),
    (("SET", "k", "v"), b"+OK\r\n"),
    (("GET", "k"), b"$1\r\nv\r\n"),
    (("AUTH", "wrong"), WRONGPASS),              # a failed AUTH leaves the client authenticated
    (("GET", "k"), b"$1\r\nv\r\n"),
]


@pytest.mark.parametrize("kind", ["redistill", "redis"])
def test_auth_script_bytes(start_extra, kind):
    sp = start_extra(["--requirepass", PW], kind=kind)
    c = raw(sp)
    try:
        replies = [c.call(*cmd) for cmd, _ in SCRIPT]
    finally:
        c.close()
    for (cmd, want), got in zip(SCRIPT, replies):
        if want is None:
            assert got.startswith(b"-NOAUTH HELLO must be called with the client already authenticated"), got
        else:
            assert got == want, (kind, cmd, got)


def test_auth_default_user_and_hello(start_extra):
    sp = start_extra(["--requirepass", PW])
    c = raw(sp)
    try:
        assert c.call("AUTH", "default", PW) == b"+OK\r\n"
        assert c.call("PING") == b"+PONG\r\n"
    finally:
        c.close()
    c = raw(sp)
    try:
        assert c.call("HELLO", "3", "AUTH", "default", "nope") == WRONGPASS
        rep = c.call("HELLO", "3", "AUTH", "default", PW)
        assert rep.startswith(b"%7\r\n"), rep
        assert c.call("GET", "missing") == b"_\r\n"
    finally:
        c.close()
    c = raw(sp)
    try:  # QUIT needs no AUTH
        assert c.call("QUIT") == b"+OK\r\n"
        c.expect_closed()
    finally:
        c.close()


def _check_password_works(sp, password):
    ok = redis.Redis(host=sp.host, port=sp.port, password=password, socket_timeout=10)
    try:
        assert ok.set("a", "1") is True
        assert ok.get("a") == b"1"
    finally:
        ok.close()
    # (raw sockets: redis-py retries a failed AUTH, which would trip the failure slow-down)
    c = raw(sp)
    try:
        assert c.call("GET", "a") == NOAUTH
        assert c.call("AUTH", password + "x") == WRONGPASS
    finally:
        c.close()


def test_password_from_environment(start_extra):
    _check_password_works(start_extra(env={"REDISTILL_PASSWORD": PW}, kind="redistill"), PW)


def test_password_from_toml(start_extra):
    _check_password_works(start_extra(config_text=f'[security]\npassword = "{PW}"\n'), PW)


def test_password_file_from_toml_and_env(start_extra, tmp_path):
    f = tmp_path / "pw.txt"
    f.write_text(f"  {PW}\n")
    _check_password_works(start_extra(config_text=f'[security]\npassword_file = "{f}"\n'), PW)
    _check_password_works(start_extra(env={"REDISTILL_PASSWORD_FILE": str(f)}, kind="redistill"), PW)


@pytest.mark.skipif(shutil.which("redis-cli") is None, reason="redis-cli not installed")
def test_redis_cli_with_password(start_extra):
    sp = start_extra(["--requirepass", PW])
    base = ["redis-cli", "-h", sp.host, "-p", str(sp.port), "--no-auth-warning"]
    out = subprocess.run(base + ["-a", PW, "SET", "cli", "yes"], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "OK", out
    out = subprocess.run(base + ["GET", "cli"], capture_output=True, text=True, timeout=30)
    assert "NOAUTH Authentication required." in out.stdout + out.stderr, out
    out = subprocess.run(base + ["--user", "default", "--pass", PW, "GET", "cli"],
                         capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "yes", out


def test_auth_without_password_configured(server, raw):
    if server.is_redis:
        pytest.skip("compared in the differential suite")
    rep = raw.call("AUTH", "x")
    assert rep.startswith(b"-ERR AUTH <password> called without any password configured"), rep
    assert raw.call("AUTH", "default", "anything") == b"+OK\r\n"  # the nopass default user


def test_repeated_failures_are_held_back_without_blocking_the_worker(start_extra):
    """Past 3 failures from one address the WRONGPASS replies are held back (timers, not
    sleep): with one worker thread, another client is still served while they wait."""
    sp = start_extra(["--requirepass", PW, "--threads", "1"], kind="redistill")
    attacker = raw(sp, timeout=30.0)
    other = raw(sp)
    try:
        n = 8
        attacker.send(b"".join(b"*2\r\n$4\r\nAUTH\r\n$5\r\nwrong\r\n" for _ in range(n)))
        first = [attacker.reply() for _ in range(3)]   # the first failures answer at once
        assert first == [WRONGPASS] * 3
        # The worker keeps serving while the next replies wait on their timers.
        assert other.call("PING") == NOAUTH
        assert other.call("AUTH", PW) == b"+OK\r\n"
        assert other.call("SET", "x", "1") == b"+OK\r\n"
        # The rest still come, in order, each one whole.
        assert [attacker.reply() for _ in range(n - 3)] == [WRONGPASS] * (n - 3)
        assert attacker.call("AUTH", PW) == b"+OK\r\n"
        assert attacker.call("GET", "x") == b"$1\r\n1\r\n"
    finally:
        attacker.close()
        other.close()
    stats = info_stats(sp)
    assert stats["acl_access_denied_auth"] == n
    assert stats["redistill_auth_delayed_replies"] >= n - 3 - 1  # the success reset the address


def test_held_reply_is_sent_on_shutdown(start_extra):
    """SIGTERM while a WRONGPASS reply is held: the reply is still sent before the close."""
    sp = start_extra(["--requirepass", PW, "--threads", "1"], kind="redistill")
    c = raw(sp, timeout=30.0)
    try:
        c.send(b"*2\r\n$4\r\nAUTH\r\n$1\r\nx\r\n" * 8)
        assert [c.reply() for _ in range(3)] == [WRONGPASS] * 3
        rc = sp.stop()  # replies 4.. are held (0.1 s, then 0.2 s, ...): the drain sends them all
        assert rc == 0, sp.stderr_text()
        assert c.expect_closed(timeout=20) == WRONGPASS * 5
    finally:
        c.close()
