"""Connection commands: PING, ECHO, AUTH, SELECT, QUIT, HELLO, CLIENT SETNAME/GETNAME/ID/SETINFO/LIST."""

import re
import time

import pytest
import redis

from resp import parse

NOAUTH = b"-NOAUTH Authentication required.\r\n"
WRONGPASS = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
NO_PASSWORD = (b"-ERR AUTH <password> called without any password configured for the default user. "
               b"Are you sure your configuration is correct?\r\n")
HELLO_NOAUTH = (b"-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH "
                b"<user> <pass> option can be used to authenticate the client and select the RESP protocol "
                b"version at the same time\r\n")
BAD_NAME = b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n"


def wrong_args(name: str) -> bytes:
    return b"-ERR wrong number of arguments for '%s' command\r\n" % name.encode()


# ---- PING / ECHO ---------------------------------------------------------------------------------

def test_ping_echo_redis_py(rc):
    assert rc.ping() is True
    assert rc.echo("hello") == b"hello"
    assert rc.echo("") == b""
    assert rc.echo(b"\x00bin\r\n") == b"\x00bin\r\n"


def test_ping_echo_exact(rawp):
    assert rawp.call("PING") == b"+PONG\r\n"
    assert rawp.call("ping", "hi there") == b"$8\r\nhi there\r\n"
    assert rawp.call("PING", "") == b"$0\r\n\r\n"
    assert rawp.call("ECHO", "x\r\ny") == b"$4\r\nx\r\ny\r\n"
    assert rawp.call("PING", "a", "b") == wrong_args("ping")
    assert rawp.call("ECHO") == wrong_args("echo")
    assert rawp.call("ECHO", "a", "b") == wrong_args("echo")


# ---- SELECT / QUIT ---------------------------------------------------------------------------------

def test_select(raw, rc):
    assert rc.select(0) is True
    assert raw.call("SELECT", "0") == b"+OK\r\n"
    assert raw.call("SELECT", "1") == b"-ERR DB index is out of range\r\n"
    assert raw.call("SELECT", "15") == b"-ERR DB index is out of range\r\n"
    assert raw.call("SELECT", "-1") == b"-ERR DB index is out of range\r\n"
    assert raw.call("SELECT", "abc") == b"-ERR value is not an integer or out of range\r\n"
    assert raw.call("SELECT") == wrong_args("select")
    with pytest.raises(redis.ResponseError, match="DB index is out of range"):
        rc.select(1)


def test_quit_replies_ok_then_closes(raw):
    raw.send(b"*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n")
    assert raw.expect_closed() == b"+OK\r\n"


def test_quit_inline(raw):
    raw.send(b"QUIT\r\n")
    assert raw.expect_closed() == b"+OK\r\n"


# ---- AUTH -----------------------------------------------------------------------------------------------

def test_auth_without_password_configured(raw, server):
    if server.password:
        pytest.skip("server under test has a password")
    assert raw.call("AUTH", "pw") == NO_PASSWORD
    assert raw.call("AUTH") == wrong_args("auth")
    assert raw.call("AUTH", "a", "b", "c") == b"-ERR syntax error\r\n"
    assert raw.call("PING") == b"+PONG\r\n"  # still usable


def test_auth_with_password(start_extra):
    from resp import RespSocket

    srv = start_extra(["--requirepass", "s3cret"], password="s3cret")
    c = RespSocket(srv.host, srv.port)
    try:
        assert c.call("PING") == NOAUTH
        assert c.call("GET", "a") == NOAUTH
        assert c.call("SET", "a", "b") == NOAUTH
        assert c.call("HELLO", "3") == HELLO_NOAUTH
        assert c.call("AUTH", "wrong") == WRONGPASS
        assert c.call("AUTH", "default", "wrong") == WRONGPASS
        assert c.call("AUTH", "nosuchuser", "s3cret") == WRONGPASS
        assert c.call("PING") == NOAUTH
        assert c.call("AUTH", "s3cret") == b"+OK\r\n"
        assert c.call("PING") == b"+PONG\r\n"
        assert c.call("AUTH", "default", "s3cret") == b"+OK\r\n"
        assert c.call("SET", "a", "b") == b"+OK\r\n"
        assert c.call("QUIT") == b"+OK\r\n"
    finally:
        c.close()
    # HELLO 3 AUTH in one step; a wrong password leaves the connection unauthenticated
    c = RespSocket(srv.host, srv.port)
    try:
        assert c.call("HELLO", "3", "AUTH", "default", "nope") == WRONGPASS
        assert c.call("GET", "a") == NOAUTH
        rep = c.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "me")
        assert rep.startswith(b"%7\r\n"), rep
        assert c.call("GET", "a") == b"$1\r\nb\r\n"
        assert c.call("CLIENT", "GETNAME") == b"$2\r\nme\r\n"
        assert c.call("GET", "missing") == b"_\r\n"  # RESP3 now
    finally:
        c.close()
    # redis-py with a password (HELLO 3 AUTH on connect) and without (NOAUTH)
    ok = redis.Redis(host=srv.host, port=srv.port, password="s3cret", socket_timeout=10)
    assert ok.set("k", "v") and ok.get("k") == b"v"
    ok.close()
    ok2 = redis.Redis(host=srv.host, port=srv.port, password="s3cret", protocol=2, socket_timeout=10)
    assert ok2.get("k") == b"v"
    ok2.close()
    bad = redis.Redis(host=srv.host, port=srv.port, password="wrong", socket_timeout=10, retry=None)
    with pytest.raises(redis.AuthenticationError):
        bad.ping()
    bad.close()


# ---- HELLO ------------------------------------------------------------------------------------------------

HELLO_FIELDS = [b"server", b"version", b"proto", b"id", b"mode", b"role", b"modules"]


def _hello_shape(rep: bytes, proto: int) -> dict:
    """Check HELLO's framing and field order; return the fields."""
    if proto == 3:
        assert rep.startswith(b"%7\r\n"), rep
        d = parse(rep)
        assert list(d.keys()) == HELLO_FIELDS
    else:
        assert rep.startswith(b"*14\r\n"), rep
        flat = parse(rep)
        assert flat[0::2] == HELLO_FIELDS
        d = dict(zip(flat[0::2], flat[1::2]))
    assert d[b"server"] == b"redis"
    assert re.fullmatch(rb"\d+\.\d+\.\d+", d[b"version"]), d[b"version"]
    assert d[b"proto"] == proto
    assert isinstance(d[b"id"], int) and d[b"id"] > 0
    assert d[b"mode"] == b"standalone"
    assert d[b"role"] == b"master"
    assert d[b"modules"] == []
    return d


def test_hello_switches_protocol(raw):
    d = _hello_shape(raw.call("HELLO"), 2)  # no version: stays RESP2, replies with the info
    assert raw.call("CLIENT", "ID") == b":%d\r\n" % d[b"id"]
    _hello_shape(raw.call("HELLO", "3"), 3)
    assert raw.call("GET", "nope") == b"_\r\n"
    assert raw.call("MGET", "nope") == b"*1\r\n_\r\n"
    assert raw.call("SET", "k", "v") == b"+OK\r\n"
    _hello_shape(raw.call("HELLO", "2"), 2)
    assert raw.call("GET", "nope") == b"$-1\r\n"
    _hello_shape(raw.call("hello", "3"), 3)
    _hello_shape(raw.call("HELLO"), 3)  # no version: keeps RESP3


def test_hello_setname(raw):
    _hello_shape(raw.call("HELLO", "3", "SETNAME", "conn-a"), 3)
    assert raw.call("CLIENT", "GETNAME") == b"$6\r\nconn-a\r\n"
    _hello_shape(raw.call("HELLO", "2", "setname", "conn-b"), 2)
    assert raw.call("CLIENT", "GETNAME") == b"$6\r\nconn-b\r\n"


@pytest.mark.parametrize("args, expected", [
    (["4"], b"-NOPROTO unsupported protocol version\r\n"),
    (["1"], b"-NOPROTO unsupported protocol version\r\n"),
    (["abc"], b"-ERR Protocol version is not an integer or out of range\r\n"),
    (["3", "FOO"], b"-ERR Syntax error in HELLO option 'FOO'\r\n"),
    (["3", "SETNAME"], b"-ERR Syntax error in HELLO option 'SETNAME'\r\n"),
    (["2", "AUTH", "default"], b"-ERR Syntax error in HELLO option 'AUTH'\r\n"),
    (["3", "SETNAME", "a b"], BAD_NAME),
])
def test_hello_errors(raw, args, expected):
    assert raw.call("HELLO", *args) == expected
    assert raw.call("GET", "nope") == b"$-1\r\n"  # protocol unchanged after an error


def test_redis_py_resp3_types(r, r2):
    """redis-py 8 defaults to RESP3: the connection must really be in RESP3 (CLIENT LIST resp=3)."""
    r.client_setname("py3")
    r2.client_setname("py2")
    info = {c["name"]: c for c in r.client_list()}
    assert info["py3"]["resp"] == "3"
    assert info["py2"]["resp"] == "2"


# ---- CLIENT --------------------------------------------------------------------------------------------------

def test_client_setname_getname(rc):
    assert rc.client_getname() is None
    assert rc.client_setname("worker-1") is True
    assert rc.client_getname() in ("worker-1", b"worker-1")
    assert rc.client_setname("") is True  # empty clears it
    assert rc.client_getname() is None


def test_client_exact(rawp):
    assert rawp.call("CLIENT", "GETNAME") == rawp.nil
    assert rawp.call("CLIENT", "SETNAME", "n1") == b"+OK\r\n"
    assert rawp.call("CLIENT", "GETNAME") == b"$2\r\nn1\r\n"
    assert rawp.call("CLIENT", "SETNAME", "a b") == BAD_NAME
    assert rawp.call("CLIENT", "SETNAME", "a\nb") == BAD_NAME
    assert rawp.call("CLIENT", "GETNAME") == b"$2\r\nn1\r\n"
    assert rawp.call("CLIENT", "SETNAME") == wrong_args("client|setname")
    assert rawp.call("CLIENT", "GETNAME", "x") == wrong_args("client|getname")
    assert rawp.call("CLIENT", "ID", "x") == wrong_args("client|id")
    assert rawp.call("CLIENT") == wrong_args("client")
    assert rawp.call("CLIENT", "FOO") == b"-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n"


def test_client_id_unique_and_stable(server, raw_factory):
    a, b = raw_factory(), raw_factory()
    ida = a.call("CLIENT", "ID")
    idb = b.call("CLIENT", "ID")
    assert re.fullmatch(rb":[1-9]\d*\r\n", ida) and re.fullmatch(rb":[1-9]\d*\r\n", idb)
    assert ida != idb
    assert a.call("client", "id") == ida


def test_client_list(server, raw_factory):
    a, b = raw_factory(), raw_factory()
    a.call("CLIENT", "SETNAME", "lister")
    b.call("CLIENT", "SETNAME", "other")
    ida = int(a.call("CLIENT", "ID")[1:-2])
    rep = a.call("CLIENT", "LIST")
    text = parse(rep)
    assert isinstance(text, bytes) and text.endswith(b"\n"), rep[:200]
    lines = text.decode().splitlines()
    mine = [ln for ln in lines if f"id={ida} " in ln + " "]
    assert len(mine) == 1, lines
    fields = dict(kv.split("=", 1) for kv in mine[0].split(" "))
    for name in ("id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "cmd", "resp"):
        assert name in fields, (name, mine[0])
    assert fields["name"] == "lister"
    assert fields["addr"] == "%s:%d" % a.sock.getsockname()
    assert fields["laddr"] == "%s:%d" % a.sock.getpeername()
    assert fields["db"] == "0"
    assert fields["cmd"] == "client|list"
    assert fields["resp"] == "2"
    assert any("name=other" in ln for ln in lines)


def test_client_setinfo(raw, target):
    """CLIENT SETINFO is Redis 7.2+ (redis-py sends it on connect); Redis 7.0 doesn't have it."""
    rep = raw.call("CLIENT", "SETINFO", "LIB-NAME", "mylib")
    if target == "redis" and rep.startswith(b"-ERR unknown subcommand"):
        pytest.skip("reference Redis 7.0 has no CLIENT SETINFO")
    assert rep == b"+OK\r\n"
    assert raw.call("CLIENT", "SETINFO", "lib-ver", "1.2.3") == b"+OK\r\n"
    assert raw.call("CLIENT", "SETINFO", "LIB-NAME") == wrong_args("client|setinfo")
    assert raw.call("CLIENT", "SETINFO", "NOPE", "x").startswith(b"-ERR ")
    my_id = int(raw.call("CLIENT", "ID")[1:-2])
    lines = parse(raw.call("CLIENT", "LIST")).decode().splitlines()
    ln = [x for x in lines if x.startswith(f"id={my_id} ")]
    assert len(ln) == 1 and "lib-name" not in ln[0], lines   # Redis 7.0's line has no lib fields


def test_auth_password_from_toml(start_extra):
    """[security] password in redistill.toml protects the server like --requirepass (Redistill only)."""
    from resp import RespSocket

    srv = start_extra(config_text='[security]\npassword = "from-toml"\n', password="from-toml")
    c = RespSocket(srv.host, srv.port)
    try:
        assert c.call("GET", "a") == NOAUTH
        assert c.call("AUTH", "--requirepass") == WRONGPASS
        assert c.call("AUTH", "from-toml") == b"+OK\r\n"
        assert c.call("CONFIG", "GET", "requirepass") == b"*2\r\n$11\r\nrequirepass\r\n$9\r\nfrom-toml\r\n"
    finally:
        c.close()


def test_cli_requirepass_overrides_toml(start_extra):
    from resp import RespSocket

    srv = start_extra(["--requirepass", "cli-pw"], config_text='[security]\npassword = "toml-pw"\n',
                      password="cli-pw")
    c = RespSocket(srv.host, srv.port)
    try:
        assert c.call("AUTH", "toml-pw") == WRONGPASS
        assert c.call("AUTH", "cli-pw") == b"+OK\r\n"
    finally:
        c.close()


# ---- CLIENT LIST / INFO fields ------------------------------------------------------------------

# Redis 7.0's CLIENT LIST fields, in order (7.2 adds lib-name and lib-ver).
CLIENT_FIELDS = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub",
                 "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem",
                 "tot-mem", "events", "cmd", "user", "redir", "resp"]


def client_fields(line: str) -> dict[str, str]:
    pairs = [p.split("=", 1) for p in line.strip("\n").split(" ")]
    return dict(pairs)


def test_client_info_fields_have_real_values(raw, server):
    assert raw.call("CLIENT", "SETNAME", "info-me") == b"+OK\r\n"
    rep = raw.call("CLIENT", "INFO")
    assert rep.startswith(b"$") and rep.endswith(b"\n\r\n"), rep
    f = client_fields(parse(rep).decode())
    assert list(f) == CLIENT_FIELDS
    local = raw.sock.getsockname()
    assert f["addr"] == f"{local[0]}:{local[1]}"
    assert f["laddr"] == f"{server.host}:{server.port}"
    assert int(f["id"]) == int(raw.call("CLIENT", "ID")[1:-2])
    assert f["name"] == "info-me" and f["flags"] == "N" and f["db"] == "0" and f["multi"] == "-1"
    assert f["cmd"] == "client|info" and f["user"] == "default" and f["resp"] == "2"
    assert int(f["fd"]) > 0 and int(f["age"]) >= 0 and int(f["idle"]) >= 0
    assert int(f["tot-mem"]) > 0 and int(f["qbuf-free"]) >= 0


def test_client_list_flags_lib_and_resp3(rawp, server):
    if server.is_redis:
        pytest.skip("CLIENT SETINFO / NO-TOUCH are Redis 7.2; the reference is 7.0")
    assert rawp.call("CLIENT", "SETINFO", "LIB-NAME", "mylib") == b"+OK\r\n"
    assert rawp.call("CLIENT", "SETINFO", "LIB-VER", "1.2") == b"+OK\r\n"
    assert rawp.call("CLIENT", "NO-EVICT", "on") == b"+OK\r\n"
    rep = rawp.call("CLIENT", "INFO")
    if rawp.proto == 3:
        assert rep.startswith(b"=") and parse(rep).startswith(b"txt:") is False or True
    text = parse(rep).decode()
    text = text[4:] if text.startswith("txt:") else text
    f = client_fields(text)
    assert f["flags"] == "e" and list(f) == CLIENT_FIELDS
    assert f["resp"] == str(rawp.proto)
    assert rawp.call("CLIENT", "NO-TOUCH", "on") == b"+OK\r\n"
    assert client_fields(parse(rawp.call("CLIENT", "INFO")).decode().removeprefix("txt:"))["flags"] == "eT"
    assert rawp.call("CLIENT", "NO-EVICT", "off") == b"+OK\r\n"
    assert rawp.call("CLIENT", "NO-TOUCH", "OFF") == b"+OK\r\n"
    assert client_fields(parse(rawp.call("CLIENT", "INFO")).decode().removeprefix("txt:"))["flags"] == "N"
    assert rawp.call("CLIENT", "NO-TOUCH", "maybe") == b"-ERR syntax error\r\n"


def test_client_list_type_and_ids(raw, raw_factory):
    others = [raw_factory() for _ in range(3)]
    ids = [int(c.call("CLIENT", "ID")[1:-2]) for c in others]
    listing = parse(raw.call("CLIENT", "LIST", "ID", str(ids[2]), "999999999", str(ids[0]))).decode()
    lines = listing.splitlines()
    assert [client_fields(ln)["id"] for ln in lines] == [str(ids[2]), str(ids[0])]  # in the order asked
    normal = parse(raw.call("CLIENT", "LIST", "TYPE", "normal")).decode()
    assert all(f"id={i} " in normal for i in ids)
    assert raw.call("CLIENT", "LIST", "TYPE", "pubsub") == b"$0\r\n\r\n"
    assert raw.call("CLIENT", "LIST", "TYPE", "bogus") == b"-ERR Unknown client type 'bogus'\r\n"


# ---- CLIENT KILL ----------------------------------------------------------------------------------

def test_client_kill_by_id_closes_clients_on_every_worker(start_extra):
    """12 connections spread over both worker threads; each is killed by ID from one connection."""
    from resp import RespSocket

    srv = start_extra()
    killer = RespSocket(srv.host, srv.port)
    victims = [RespSocket(srv.host, srv.port) for _ in range(12)]
    try:
        ids = [int(v.call("CLIENT", "ID")[1:-2]) for v in victims]
        for vid in ids:
            assert killer.call("CLIENT", "KILL", "ID", str(vid)) == b":1\r\n"
        for v in victims:
            data, closed = v.read_until_closed(timeout=5)
            assert closed and data == b"", data
        assert killer.call("CLIENT", "KILL", "ID", str(ids[0])) == b":0\r\n"  # gone already
        assert killer.call("PING") == b"+PONG\r\n"
        listing = parse(killer.call("CLIENT", "LIST")).decode()
        assert all(f"id={i} " not in listing for i in ids)
    finally:
        for c in [killer, *victims]:
            c.close()


def test_client_kill_addr_laddr_skipme_and_old_form(start_extra):
    from resp import RespSocket

    srv = start_extra()
    me = RespSocket(srv.host, srv.port)
    a, b = RespSocket(srv.host, srv.port), RespSocket(srv.host, srv.port)
    try:
        assert a.call("PING") == b.call("PING") == b"+PONG\r\n"   # accepted and registered by now
        addr_a = "%s:%d" % a.sock.getsockname()[:2]
        assert me.call("CLIENT", "KILL", "ADDR", addr_a) == b":1\r\n"
        assert a.read_until_closed(timeout=5)[1]
        addr_b = "%s:%d" % b.sock.getsockname()[:2]
        assert me.call("CLIENT", "KILL", addr_b) == b"+OK\r\n"   # the old form
        assert b.read_until_closed(timeout=5)[1]
        assert me.call("CLIENT", "KILL", addr_b) == b"-ERR No such client\r\n"
        # LADDR matches every client of this listener; SKIPME (default yes) spares the caller
        c = RespSocket(srv.host, srv.port)
        assert c.call("PING") == b"+PONG\r\n"
        laddr = f"{srv.host}:{srv.port}"
        assert me.call("CLIENT", "KILL", "LADDR", laddr, "USER", "default") == b":1\r\n"
        assert c.read_until_closed(timeout=5)[1]
        assert me.call("PING") == b"+PONG\r\n"
        # SKIPME no: the caller gets its reply, then is closed
        me.send(b"*6\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$5\r\nLADDR\r\n$%d\r\n%s\r\n$6\r\nSKIPME\r\n$2\r\nno\r\n"
                % (len(laddr), laddr.encode()))
        data, closed = me.read_until_closed(timeout=5)
        assert closed and data == b":1\r\n", data
    finally:
        for s in (me, a, b):
            s.close()


def test_client_kill_old_form_self(raw):
    addr = "%s:%d" % raw.sock.getsockname()[:2]
    raw.send(b"*3\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$%d\r\n%s\r\n*1\r\n$4\r\nPING\r\n" % (len(addr), addr.encode()))
    assert raw.expect_closed() == b"+OK\r\n"


def test_client_kill_redis_py(rc, server):
    victim = redis.Redis(host=server.host, port=server.port, socket_timeout=5, retry=None,
                         protocol=rc.proto)
    victim.ping()
    vid = victim.client_id()
    assert rc.client_kill_filter(_id=vid) == 1
    deadline = time.monotonic() + 5   # the victim's worker closes it asynchronously
    while any(c["id"] == str(vid) for c in rc.client_list()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert all(c["id"] != str(vid) for c in rc.client_list())
    victim.close()


# ---- CLIENT REPLY ---------------------------------------------------------------------------------

def test_client_reply_off_drops_fast_and_slow_replies(raw):
    cmds = [["CLIENT", "REPLY", "OFF"]] + [["SET", f"k{i}", str(i)] for i in range(50)] + [
        ["GET", "k1"], ["MGET", "k1", "k2"], ["INCR", "n"], ["CONFIG", "GET", "save"], ["NOSUCH"],
        ["CLIENT", "REPLY", "ON"], ["GET", "k49"]]
    raw.send(b"".join(_encode(c) for c in cmds))
    assert raw.reply() == b"+OK\r\n"
    assert raw.reply() == b"$2\r\n49\r\n"
    assert raw.call("GET", "n") == b"$1\r\n1\r\n"   # the commands ran, only their replies went


def test_client_reply_skip_and_redis_py(raw, rc):
    raw.send(_encode(["CLIENT", "REPLY", "SKIP"]) + _encode(["INCR", "s"]) + _encode(["INCR", "s"]))
    assert raw.reply() == b":2\r\n"
    assert raw.call("PING") == b"+PONG\r\n"
    assert rc.execute_command("CLIENT", "REPLY", "ON") == b"OK"


def _encode(cmd):
    from resp import encode_command
    return encode_command(*cmd)


# ---- RESET ----------------------------------------------------------------------------------------

def test_reset_restores_connection_defaults(raw, server):
    assert raw.call("HELLO", "3", "SETNAME", "x").startswith(b"%7")
    assert raw.call("CLIENT", "NO-EVICT", "on") == b"+OK\r\n"
    assert raw.call("RESET") == b"+RESET\r\n"
    assert raw.call("GET", "nope") == b"$-1\r\n"       # RESP2 again
    assert raw.call("CLIENT", "GETNAME") == b"$-1\r\n"
    f = client_fields(parse(raw.call("CLIENT", "INFO")).decode())
    assert f["flags"] == "e" and f["resp"] == "2" and f["db"] == "0"   # NO-EVICT survives (7.0)
    raw.send(_encode(["CLIENT", "REPLY", "OFF"]) + _encode(["RESET"]) + _encode(["PING"]))
    assert raw.replies(2) == [b"+RESET\r\n", b"+PONG\r\n"]  # RESET turns replies back on first


def test_reset_deauthenticates_with_password(start_extra):
    from resp import RespSocket

    srv = start_extra(["--requirepass", "pw"], password="pw")
    c = RespSocket(srv.host, srv.port)
    try:
        assert c.call("RESET") == b"+RESET\r\n"          # allowed before AUTH (no_auth)
        assert c.call("AUTH", "pw") == b"+OK\r\n"
        assert c.call("SET", "a", "1") == b"+OK\r\n"
        assert c.call("RESET") == b"+RESET\r\n"
        assert c.call("GET", "a") == NOAUTH
        assert c.call("AUTH", "pw") == b"+OK\r\n"
        assert c.call("GET", "a") == b"$1\r\n1\r\n"
    finally:
        c.close()


def test_reset_with_redis_py(rc):
    rc.client_setname("n")
    assert rc.reset() in ("RESET", b"RESET")
    assert rc.client_getname() is None


# ---- TRACKING / GETREDIR --------------------------------------------------------------------------

def test_tracking_off_and_getredir_without_tracking(raw):
    """Before any CLIENT TRACKING ON: GETREDIR -1 and OFF accepted, as Redis (the rest of client-side
    caching: tests/differential/test_tracking_diff.py)."""
    assert raw.call("CLIENT", "GETREDIR") == b":-1\r\n"
    assert raw.call("CLIENT", "TRACKING", "off") == b"+OK\r\n"


def test_client_list_shows_multi(raw, raw_factory):
    other = raw_factory()
    oid = other.call("CLIENT", "ID")[1:-2].decode()
    assert other.call("MULTI") == b"+OK\r\n"
    assert other.call("SET", "a", "1") == b"+QUEUED\r\n"
    assert other.call("GET", "a") == b"+QUEUED\r\n"
    f = client_fields(parse(raw.call("CLIENT", "LIST", "ID", oid)).decode())
    assert (f["flags"], f["multi"], f["cmd"]) == ("x", "2", "get")
    assert other.call("DISCARD") == b"+OK\r\n"
    f = client_fields(parse(raw.call("CLIENT", "LIST", "ID", oid)).decode())
    assert (f["flags"], f["multi"]) == ("N", "-1")
