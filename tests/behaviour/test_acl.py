"""ACL users through real clients: redis-py's ACL API, rules enforced on the C fast path (pipelines),
in MULTI/EXEC and in scripts, for Pub/Sub channels; changes seen at once by clients on other
connections; DELUSER closing its users' clients; INFO's acl_access_denied_*; users from TOML and an
ACL file (ACL SAVE / ACL LOAD) and their validation at start.  Each test has its own server."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
import redis

from servers import RawClient, redistill_python, start_server, stop_and_check

NOPERM_KEY = b"-NOPERM this user has no permissions to access one of the keys used as arguments\r\n"


@pytest.fixture(scope="module")
def shared(target):
    """One server for the tests that leave the default user alone (each uses its own user names)."""
    sp = start_server(target)
    yield sp
    stop_and_check(sp)


def client(sp, **kw):
    kw.setdefault("socket_timeout", 10)
    return redis.Redis(host=sp.host, port=sp.port, **kw)


def raw(sp, user=None, password=None):
    c = RawClient(sp.host, sp.port, 10.0)
    if user is not None:
        assert c.call("AUTH", user, password) == b"+OK\r\n"
    return c


def stats(sp):
    return client(sp).info("stats")


def test_redis_py_acl_api(shared):
    sp = shared
    r = client(sp)
    assert r.acl_setuser("app", enabled=True, passwords=["+secret"], keys=["app:*"],
                         commands=["+@read", "+@write", "-del", "+acl|whoami"], channels=["news.*"])
    info = r.acl_getuser("app")
    assert info["flags"] == ["on"]
    assert info["keys"] == ["~app:*"] and info["channels"] == ["&news.*"]
    assert info["categories"] == ["-@all", "+@read", "+@write"]   # Redis's best-fit order
    assert sorted(info["commands"]) == ["+acl|whoami", "-del"]
    assert sorted(r.acl_users()) == ["app", "default"]
    assert any(line.startswith("user app on #") for line in r.acl_list())
    assert "get" in r.acl_cat("read") and "string" in r.acl_cat()
    assert len(r.acl_genpass()) == 64
    assert r.acl_dryrun("app", "get", "app:1") == b"OK"
    assert r.acl_dryrun("app", "del", "app:1") == b"This user has no permissions to run the 'del' command"
    app = client(sp, username="app", password="secret")
    assert app.acl_whoami() == "app"
    app.set("app:1", "v")
    assert app.get("app:1") == b"v"
    with pytest.raises(redis.exceptions.NoPermissionError):
        app.get("other")
    # one failed AUTH (redis-py would retry it, and repeated failures are held back on purpose)
    assert raw(sp).call("AUTH", "app", "nope") == b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    entries = r.acl_log()
    assert entries[0]["reason"] == "auth" and entries[0]["username"] == "app"
    assert entries[1]["reason"] == "key" and entries[1]["object"] == "other"
    assert r.acl_log_reset() and r.acl_log() == []
    assert r.acl_deluser("app") == 1 and r.acl_getuser("app") is None


def test_fast_path_pipeline_enforces_keys_and_commands(shared, target):
    """A pipeline mixing allowed and refused commands: each reply in order, the allowed ones run (on
    the fast path, with Redistill), the refused ones -NOPERM, and each refusal counted and logged."""
    sp = shared
    assert raw(sp).call("ACL", "SETUSER", "app", "on", ">pw", "~app:*", "+@read", "+@write", "-incr") == b"+OK\r\n"
    before = stats(sp)
    c = raw(sp, "app", "pw")
    cmds = []
    for i in range(16):
        cmds += [("SET", f"app:{i}", "v"), ("GET", f"app:{i}"), ("GET", f"x:{i}"), ("INCR", f"app:{i}")]
    c.send(b"".join(_encode(*cmd) for cmd in cmds))
    replies = c.replies(len(cmds))
    for i in range(16):
        assert replies[4 * i:4 * i + 4] == [
            b"+OK\r\n", b"$1\r\nv\r\n", NOPERM_KEY,
            b"-NOPERM this user has no permissions to run the 'incr' command\r\n"], i
    after = stats(sp)
    if target == "redistill":   # Redis 7.2's counters (7.0 has none); the allowed half ran in C
        assert after["acl_access_denied_key"] - before["acl_access_denied_key"] == 16
        assert after["acl_access_denied_cmd"] - before["acl_access_denied_cmd"] == 16
        assert after["redistill_fastpath_commands"] - before["redistill_fastpath_commands"] >= 32 * (
            os.environ.get("REDISTILL_FASTPATH", "1") != "0")
    log = client(sp).acl_log()
    assert {(e["reason"], e["object"]) for e in log} >= {("key", "x:15"), ("command", "incr")}


def test_fast_path_key_patterns(shared):
    """Literal-prefix patterns ("app:*", matched by memcmp in C), other globs, exact names, R/W-only
    patterns and several keys per command: allowed and refused as Redis's glob says."""
    sp = shared
    rules = ["on", ">pw", "+@all", "~pre:*", "~k[ab]?", "~exact", "~*\\*", "%R~ro:*", "%W~wo:*"]
    assert raw(sp).call("ACL", "SETUSER", "globs", *rules) == b"+OK\r\n"
    c = raw(sp, "globs", "pw")
    cases = [(("SET", "pre:1", "v"), True), (("SET", "pre:", "v"), True), (("SET", "pre", "v"), False),
             (("SET", "xpre:1", "v"), False), (("SET", "ka1", "v"), True), (("SET", "kc1", "v"), False),
             (("SET", "ka12", "v"), False), (("SET", "exact", "v"), True), (("SET", "exactly", "v"), False),
             (("SET", "a*", "v"), True), (("SET", "a", "v"), False), (("GET", "ro:1"), True),
             (("SET", "ro:1", "v"), False), (("SET", "wo:1", "v"), True), (("GET", "wo:1"), False),
             (("MGET", "pre:1", "ka1", "exact"), True), (("MGET", "pre:1", "kc1"), False),
             (("MSET", "pre:2", "v", "kb9", "v"), True), (("MSET", "pre:2", "v", "zz", "v"), False),
             (("DEL", "pre:1", "nope"), False)]
    c.send(b"".join(_encode(*cmd) for cmd, _ in cases))
    for (cmd, allowed), reply in zip(cases, c.replies(len(cases))):
        assert (reply != NOPERM_KEY) is allowed, (cmd, reply)


def _encode(*args) -> bytes:
    from resp import encode_command
    return encode_command(*args)


def test_change_is_seen_at_once_by_another_connection(shared):
    """A client of the user on another connection (and maybe another worker) gets the new rules
    from its very next command, fast path included."""
    sp = shared
    admin = raw(sp)
    assert admin.call("ACL", "SETUSER", "u", "on", ">pw", "~*", "+@all") == b"+OK\r\n"
    users = [raw(sp, "u", "pw") for _ in range(4)]   # spread over the workers
    for c in users:
        assert c.call("SET", "k", "v") == b"+OK\r\n"
    assert admin.call("ACL", "SETUSER", "u", "resetkeys", "~other") == b"+OK\r\n"
    for c in users:
        assert c.call("GET", "k") == NOPERM_KEY
    assert admin.call("ACL", "SETUSER", "u", "-get") == b"+OK\r\n"
    for c in users:
        assert c.call("GET", "other") == b"-NOPERM this user has no permissions to run the 'get' command\r\n"
    assert admin.call("ACL", "SETUSER", "u", "allkeys", "+get") == b"+OK\r\n"
    for c in users:
        assert c.call("GET", "k") == b"$1\r\nv\r\n"


def test_deluser_closes_its_clients(shared):
    sp = shared
    admin = raw(sp)
    assert admin.call("ACL", "SETUSER", "gone", "on", ">pw", "~*", "+@all") == b"+OK\r\n"
    victims = [raw(sp, "gone", "pw") for _ in range(3)]
    bystander = raw(sp)
    listed = client(sp).client_list()
    assert sum(1 for e in listed if e["user"] == "gone") == 3
    assert admin.call("ACL", "DELUSER", "gone") == b":1\r\n"
    for v in victims:
        v.expect_closed(10.0)
    assert bystander.call("PING") == b"+PONG\r\n"
    me = raw(sp, "default", "anything")   # the default user is nopass: any password
    assert me.call("ACL", "SETUSER", "self", "on", ">pw", "+@all", "~*") == b"+OK\r\n"
    selfish = raw(sp, "self", "pw")
    assert selfish.call("ACL", "DELUSER", "self") == b":1\r\n"   # replied to, then closed
    selfish.expect_closed(10.0)


def test_multi_exec_and_rules_changed_before_exec(shared):
    sp = shared
    admin = raw(sp)
    assert admin.call("ACL", "SETUSER", "t", "on", ">pw", "~*", "+@all") == b"+OK\r\n"
    c = raw(sp, "t", "pw")
    assert admin.call("ACL", "SETUSER", "t", "-get") == b"+OK\r\n"
    assert c.call("MULTI") == b"+OK\r\n"
    assert c.call("GET", "k") == b"-NOPERM this user has no permissions to run the 'get' command\r\n"
    assert c.call("EXEC") == b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    assert c.call("MULTI") == b"+OK\r\n"
    assert c.call("SET", "k", "v") == b"+QUEUED\r\n"
    assert c.call("INCR", "n") == b"+QUEUED\r\n"
    assert admin.call("ACL", "SETUSER", "t", "-set") == b"+OK\r\n"
    assert c.call("EXEC") == (
        b"*2\r\n-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC "
        b"call. This command is no longer allowed for the following reason: no permission to execute the "
        b"command or subcommand\r\n:1\r\n")
    entries = client(sp).acl_log()
    assert entries[0]["context"] == "multi" and entries[0]["object"] == "set"


def test_scripts_check_their_users_commands(shared):
    """EVAL and EVALSHA (the fast path runs EVALSHA itself for unrestricted users) check every
    redis.call against the caller's user."""
    sp = shared
    admin = raw(sp)
    assert admin.call("ACL", "SETUSER", "s", "on", ">pw", "~app:*", "+@all", "-del") == b"+OK\r\n"
    sha = client(sp).script_load("return redis.call(ARGV[1], ARGV[2])")   # keys not declared
    c = raw(sp, "s", "pw")
    assert c.call("SET", "app:1", "v") == b"+OK\r\n"
    assert c.call("EVALSHA", sha, "0", "get", "app:1") == b"$1\r\nv\r\n"
    got = c.call("EVALSHA", sha, "0", "get", "other")
    assert got.startswith(b"-ERR The user executing the script can't access at least one of the keys"), got
    got = c.call("EVALSHA", sha, "0", "del", "app:1")
    assert got.startswith(b"-ERR The user executing the script can't run this command or subcommand"), got
    assert c.call("EVALSHA", sha, "1", "other", "get", "app:1") == NOPERM_KEY   # a declared key: checked first
    assert admin.call("EVALSHA", sha, "0", "get", "other") == b"$-1\r\n"   # default: no check
    assert [e["context"] for e in client(sp).acl_log()[:3]] == ["toplevel", "lua", "lua"]


def test_channels_and_revoked_subscribers(shared, target):
    sp = shared
    admin = raw(sp)
    assert admin.call("ACL", "SETUSER", "p", "on", ">pw", "resetchannels", "&news.*", "+@all") == b"+OK\r\n"
    before = stats(sp)
    sub = raw(sp, "p", "pw")
    assert sub.call("SUBSCRIBE", "news.a").startswith(b"*3\r\n$9\r\nsubscribe")
    pub = raw(sp, "p", "pw")
    assert pub.call("PUBLISH", "news.a", "m") == b":1\r\n"
    assert pub.call("PUBLISH", "sports", "m") == (
        b"-NOPERM this user has no permissions to access one of the channels used as arguments\r\n")
    assert pub.call("PSUBSCRIBE", "news.*").startswith(b"*3\r\n")   # the pattern itself is allowed
    other = raw(sp, "p", "pw")
    assert other.call("PSUBSCRIBE", "news.a*").startswith(b"-NOPERM")   # a pattern: literal match only
    if target == "redistill":
        assert stats(sp)["acl_access_denied_channel"] - before["acl_access_denied_channel"] == 2
    assert admin.call("ACL", "SETUSER", "p", "resetchannels", "&other") == b"+OK\r\n"
    sub.expect_closed(10.0)   # its channel is no longer allowed: closed, as Redis


def test_users_from_toml_and_aclfile_save_load(start_extra, target, tmp_path):
    if target != "redistill":
        pytest.skip("TOML configuration")
    aclfile = tmp_path / "users.acl"
    aclfile.write_text("user fileuser on >fpw ~f:* +@all\n")
    sp = start_extra(config_text=(
        '[security]\n'
        'users = ["app on >apw ~app:* +@read +@write", "ops on >opw allkeys +@all -@dangerous"]\n'
        f'aclfile = "{aclfile}"\n'))
    for user, pw in (("ops", "opw"), ("fileuser", "fpw")):
        assert raw(sp, user, pw).call("ACL", "WHOAMI") == b"$%d\r\n%s\r\n" % (len(user), user.encode())
    assert raw(sp, "app", "apw").call("GET", "zz") == NOPERM_KEY   # (raw() checked each AUTH)
    admin = raw(sp)
    assert admin.call("ACL", "SETUSER", "later", "on", ">lpw", "+ping") == b"+OK\r\n"
    assert admin.call("ACL", "SAVE") == b"+OK\r\n"
    saved = aclfile.read_text().splitlines()
    assert [line.split()[1] for line in saved] == ["app", "default", "fileuser", "later", "ops"]
    aclfile.write_text("user fileuser on >new ~f:* +@all\nuser extra on nopass +ping\n")
    held = raw(sp, "ops", "opw")
    assert admin.call("ACL", "LOAD") == b"+OK\r\n"
    held.expect_closed(10.0)   # ACL LOAD closes the clients of every user but default, as Redis
    assert raw(sp, "fileuser", "new").call("PING") == b"+PONG\r\n"
    assert raw(sp, "app", "apw").call("GET", "app:1") == b"$-1\r\n"   # the TOML's users stay
    aclfile.write_text("user broken on +nosuchcmd\n")
    got = admin.call("ACL", "LOAD")
    assert got.startswith(b"-ERR " + str(aclfile).encode() + b":1: Error in applying operation '+nosuchcmd'")
    assert raw(sp, "fileuser", "new").call("PING") == b"+PONG\r\n"   # nothing changed


@pytest.mark.parametrize("toml, wanted", [
    ('users = ["app on >p +nosuch"]', "security.users[0]: Error in user declaration '+nosuch': "
                                       "Unknown command or category name in ACL"),
    ('users = ["app on ~* ~x"]', "security.users[0]: Error in user declaration '~x': Adding a pattern"),
    ('users = ["a on", "a off"]', "security.users[1]: user 'a' is defined twice"),
    ('users = "app on"', "security.users: got a string"),
    ('aclfile = "/nonexistent/users.acl"', "security.aclfile: Error loading ACLs, opening file "
                                           "'/nonexistent/users.acl'"),
])
def test_bad_users_stop_the_start_with_one_line(tmp_path, toml, wanted):
    cfg = tmp_path / "r.toml"
    cfg.write_text(f"[security]\n{toml}\n")
    proc = subprocess.run([redistill_python(), "-m", "redistill", "--config", str(cfg), "--port", "1"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert wanted in err, err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err


def test_default_user_rules_and_requirepass(start_extra):
    sp = start_extra()
    admin = raw(sp)
    assert admin.call("CONFIG", "SET", "requirepass", "rp") == b"+OK\r\n"
    fresh = raw(sp)
    assert fresh.call("GET", "k") == b"-NOAUTH Authentication required.\r\n"
    assert fresh.call("AUTH", "default", "rp") == b"+OK\r\n"
    assert fresh.call("ACL", "SETUSER", "default", "-flushall") == b"+OK\r\n"
    assert fresh.call("FLUSHALL") == b"-NOPERM this user has no permissions to run the 'flushall' command\r\n"
    assert fresh.call("SET", "k", "v") == b"+OK\r\n"
    assert fresh.call("ACL", "SETUSER", "default", "nopass", "+flushall") == b"+OK\r\n"
    assert raw(sp).call("FLUSHALL") == b"+OK\r\n"
