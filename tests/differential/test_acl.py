"""ACL against real redis-server 7.0: the same rules give the same ACL GETUSER / LIST / CAT output,
the same -NOPERM and -WRONGPASS errors, the same ACL LOG entries and the same DRYRUN answers.

Both servers are this module's own (users and the default user change here).  Redis describes the
single-command rules of a user in its command dict's order, which is random per process: those are
compared as sets, after the category rules, whose order is Redis's best-fit order on both."""

from __future__ import annotations

import pytest

from resp import RespSocket, parse
from servers import start_server, stop_and_check


@pytest.fixture(scope="module")
def pair():
    servers = [start_server("redis"), start_server("redistill")]
    yield servers
    for sp in servers:
        stop_and_check(sp)


def _conn(sp, user=None, password=None):
    s = RespSocket(sp.host, sp.port, timeout=10)
    if user is not None:
        assert s.call("AUTH", user, password) == b"+OK\r\n"
    return s


def both(pair, *args, user=None, password=None):
    """One command on each server (a connection as `user`): the two raw replies."""
    out = []
    for sp in pair:
        s = _conn(sp, user, password)
        try:
            out.append(s.call(*args))
        finally:
            s.close()
    return out


def same(pair, *args, **kw) -> bytes:
    a, b = both(pair, *args, **kw)
    assert b == a, args
    return a


def _rules(text: bytes) -> tuple:
    """A description's tokens: all in order up to the single-command rules, those as a set."""
    words = text.decode().split()
    head = [w for w in words if not (w[0] in "+-" and not w[1:2] == "@")]
    singles = {w for w in words if w[0] in "+-" and not w[1:2] == "@"}
    return head, singles


def _norm(value):
    """A parsed reply with every description normalised by _rules (GETUSER, LIST)."""
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, bytes) and (b"-@all" in value or b"+@all" in value):
        return _rules(value)
    return value


def same_described(pair, *args, **kw):
    a, b = both(pair, *args, **kw)
    assert _norm(parse(b)) == _norm(parse(a)), args
    return parse(a)


USERS = [
    ("u1", "on", ">p1", "~app:*", "+@read", "+@write"),
    ("u2", "on", "nopass", "&ch*", "+publish", "+subscribe", "+eval", "(~x* +get)", "%R~r*", "%W~w*", "%RW~rw*"),
    ("u3", "on", ">p", ">q", "<q", "#" + "a" * 64, "!" + "a" * 64, "~*", "&*", "+@all", "-@dangerous", "-get"),
    ("u4", "off", "resetpass", "allkeys", "allchannels", "allcommands", "-@write", "+set", "+select|0",
     "+config|get", "-client|kill", "clearselectors", "(+get ~k1)", "(+set ~k2)"),
    ("u5", "reset", "on", ">x", "+@hash", "+@list", "-lpush", "nocommands", "+@sortedset", "resetkeys", "~z*"),
    ("u6", "on", "nopass", "+@all", "-@keyspace", "-@admin", "+info", "~*", "sanitize-payload"),
    ("u7", "on", "nopass", "-@all", "+acl|whoami", "+acl|cat", "+debug|object", "+client"),
]


def test_setuser_getuser_list(pair):
    for user, *rules in USERS:
        assert same(pair, "ACL", "SETUSER", user, *rules) == b"+OK\r\n"
    for user, *_ in USERS:
        same_described(pair, "ACL", "GETUSER", user)
    same_described(pair, "ACL", "GETUSER", "default")
    same_described(pair, "ACL", "LIST")
    same(pair, "ACL", "USERS")
    same(pair, "ACL", "GETUSER", "nobody")


BAD_RULES = [
    ("bad1", "~*", "~x"), ("bad2", "&*", "&x"), ("bad3", "+nosuchcmd"), ("bad4", "-@nosuchcat"),
    ("bad5", "#abc"), ("bad6", "<notthere"), ("bad7", "!" + "b" * 64), ("bad8", "what"),
    ("bad9", "+config|get|x"), ("bad10", "+select|"), ("bad11", "(~x", "+get"), ("bad12", "%X~k"),
    ("bad13", "(+get", "+nosuch)"), ("bad14", "+@all", "~a b"), ("bad15", "%~x"), ("bad16", "%"), ("bad17", "%RR~k"),
]


@pytest.mark.parametrize("rules", BAD_RULES, ids=[r[0] for r in BAD_RULES])
def test_setuser_errors(pair, rules):
    same(pair, "ACL", "SETUSER", *rules)
    same(pair, "ACL", "GETUSER", rules[0])   # nothing created


def test_setuser_username_and_deluser(pair):
    same(pair, "ACL", "SETUSER", "a b")
    same(pair, "ACL", "SETUSER", "gone1", "on")
    same(pair, "ACL", "SETUSER", "gone2", "on")
    same(pair, "ACL", "DELUSER", "default", "gone1")
    same(pair, "ACL", "DELUSER", "gone1", "gone2", "never")
    same(pair, "ACL", "USERS")


def test_auth_and_wrongpass(pair):
    same(pair, "ACL", "SETUSER", "w1", "on", ">pw", "+@all", "~*")
    same(pair, "ACL", "SETUSER", "w2", "off", ">pw", "+@all", "~*")
    for args in (("AUTH", "w1", "pw"), ("AUTH", "w1", "bad"), ("AUTH", "w2", "pw"), ("AUTH", "nouser", "x"),
                 ("AUTH", "x"), ("HELLO", "2", "AUTH", "w1", "bad"), ("ACL", "WHOAMI")):
        same(pair, *args)
    for sp in pair:   # HELLO AUTH, then WHOAMI as that user
        s = _conn(sp)
        try:
            s.call("HELLO", "2", "AUTH", "w1", "pw")
            assert s.call("ACL", "WHOAMI") == b"$2\r\nw1\r\n"
        finally:
            s.close()


NOPERM = [
    ("u1", "p1", ("GET", "foo")), ("u1", "p1", ("GET", "app:1")), ("u1", "p1", ("SET", "app:1", "v")),
    ("u1", "p1", ("MSET", "app:1", "v", "other", "w")), ("u1", "p1", ("CONFIG", "GET", "maxmemory")),
    ("u1", "p1", ("ACL", "WHOAMI")), ("u1", "p1", ("EVAL", "return 1", "0")),
    ("u1", "p1", ("PUBLISH", "ch", "m")), ("u1", "p1", ("SUBSCRIBE", "ch")),
    ("u1", "p1", ("PING",)), ("u1", "p1", ("DEL", "app:1", "x")), ("u1", "p1", ("MGET", "app:1", "app:2")),
    ("u2", "x", ("PUBLISH", "ch1", "m")), ("u2", "x", ("PUBLISH", "other", "m")),
    ("u2", "x", ("GET", "x1")), ("u2", "x", ("GET", "r1")), ("u2", "x", ("GET", "y")),
    ("u2", "x", ("EVAL", "return redis.call('get', KEYS[1])", "1", "x1")),
    ("u2", "x", ("EVAL", "return redis.call('get', 'y')", "0")),
    ("u2", "x", ("EVAL", "return redis.pcall('set', 'x', 1)", "0")),
    ("u2", "x", ("EVAL", "return redis.call('publish', 'zz', 1)", "0")),
    ("u3", "p", ("GET", "k")), ("u3", "p", ("FLUSHALL",)), ("u3", "p", ("SET", "k", "v")),
    ("u3", "p", ("OBJECT", "ENCODING", "k")),
    ("u6", "x", ("DEL", "k")), ("u6", "x", ("INFO", "server")), ("u6", "x", ("CONFIG", "GET", "x")),
    ("u7", "x", ("ACL", "CAT")), ("u7", "x", ("ACL", "WHOAMI")), ("u7", "x", ("ACL", "USERS")),
    ("u7", "x", ("CLIENT", "ID")), ("u7", "x", ("GET", "k")),
]


def test_noperm_errors(pair):
    for user, *rules in USERS:
        same(pair, "ACL", "SETUSER", user, "reset", *rules)
    same(pair, "ACL", "SETUSER", "u2", ">x")   # so AUTH u2 x works
    for user, password, args in NOPERM:
        a, b = both(pair, *args, user=user, password=password)
        if args[0] in ("INFO", "CLIENT"):   # allowed: their text differs by nature
            assert a[:1] != b"-" and b[:1] != b"-", (user, args, a, b)
        else:
            assert b == a, (user, args)


def test_acl_log_entries(pair):
    same(pair, "ACL", "LOG", "RESET")
    same(pair, "ACL", "SETUSER", "lg", "reset", "on", ">pw", "~k*", "&c*", "+get", "+set", "+publish", "+multi",
         "+exec")
    steps = [("GET", "k1"), ("GET", "other"), ("SET", "other", "v"), ("DEL", "k1"), ("PUBLISH", "zz", "m"),
             ("GET", "other")]
    for args in steps:
        same(pair, *args, user="lg", password="pw")
    same(pair, "AUTH", "lg", "wrong")
    for sp in pair:   # in MULTI: the context is "multi"
        s = _conn(sp, "lg", "pw")
        try:
            s.call("MULTI")
            s.call("GET", "zzz")
            s.call("EXEC")
        finally:
            s.close()
    a, b = (parse(r) for r in both(pair, "ACL", "LOG"))
    assert len(a) == len(b)
    for ea, eb in zip(a, b):
        fa, fb = dict(zip(ea[0::2], ea[1::2])), dict(zip(eb[0::2], eb[1::2]))
        assert list(fb) == list(fa)
        for field in (b"count", b"reason", b"context", b"object", b"username"):
            assert fb[field] == fa[field], field
        info_a = dict(kv.split(b"=", 1) for kv in fa[b"client-info"].split())
        info_b = dict(kv.split(b"=", 1) for kv in fb[b"client-info"].split())
        assert list(info_b) == list(info_a)
        assert (info_b[b"cmd"], info_b[b"user"]) == (info_a[b"cmd"], info_a[b"user"])
        assert 0 <= float(fb[b"age-seconds"]) < 60
    a, b = (parse(r) for r in both(pair, "ACL", "LOG", "2"))
    assert len(a) == len(b) == 2
    same(pair, "ACL", "LOG", "x")
    assert same(pair, "ACL", "LOG", "RESET") == b"+OK\r\n"
    same(pair, "ACL", "LOG")


DRYRUN = [
    ("u1", "GET", "app:1"), ("u1", "GET", "x"), ("u1", "CONFIG", "GET", "x"), ("u1", "CONFIG", "GET"),
    ("u1", "NOSUCH"), ("nouser", "GET", "x"), ("u2", "PUBLISH", "ch1", "m"), ("u2", "PUBLISH", "x", "m"),
    ("u2", "GET", "x1"), ("u2", "GET", "r1"), ("u2", "SET", "r1", "v"), ("u2", "SET", "w1", "v"),
    ("u2", "SUBSCRIBE", "ch", "other"), ("u4", "SELECT", "0"), ("u4", "SELECT", "1"), ("u4", "GET", "k1"),
    ("u4", "GET", "k2"), ("u4", "SET", "k2", "v"), ("u4", "CLIENT", "KILL", "ID", "1"), ("default", "GET", "a"),
    ("u1", "GETSET", "app:1", "v"), ("u2", "COPY", "r1", "w1"), ("u2", "COPY", "w1", "r1"),
]


def test_dryrun(pair):
    for user, *rules in USERS:
        same(pair, "ACL", "SETUSER", user, "reset", *rules)
    for user, *args in DRYRUN:
        same(pair, "ACL", "DRYRUN", user, *args)


def _set(raw: bytes) -> set:
    return set(parse(raw))


def test_cat_per_category_for_common_commands(pair):
    """Every category holds the same commands on both servers, among the commands both have."""
    same(pair, "ACL", "CAT")
    same(pair, "ACL", "CAT", "nosuch")
    names = []
    for sp in pair:
        s = _conn(sp)
        try:
            full = set(parse(s.call("COMMAND", "LIST")))
            for cmd in list(full):   # subcommands are listed by ACL CAT too
                info = parse(s.call("COMMAND", "INFO", cmd))[0]
                full.update(sub[0] for sub in (info[9] if len(info) > 9 else []))
            names.append(full)
        finally:
            s.close()
    common = names[0] & names[1]
    assert len(common) > 250   # the commands and subcommands both servers have
    cats = [c.decode() for c in parse(both(pair, "ACL", "CAT")[0])]
    for cat in cats:
        a, b = both(pair, "ACL", "CAT", cat)
        assert _set(b) & common == _set(a) & common, cat


def test_genpass(pair):
    for sp in pair:
        s = _conn(sp)
        try:
            assert len(parse(s.call("ACL", "GENPASS"))) == 64
            short = parse(s.call("ACL", "GENPASS", "5"))
            assert len(short) == 2 and all(c in b"0123456789abcdef" for c in short)
            assert parse(s.call("ACL", "GENPASS")) != parse(s.call("ACL", "GENPASS"))
        finally:
            s.close()
    for bits in ("0", "4097", "x", "-1"):
        same(pair, "ACL", "GENPASS", bits)
    same(pair, "ACL", "LOAD")   # no aclfile on either
    same(pair, "ACL", "SAVE")
    same(pair, "ACL", "NOSUCH")
    same(pair, "ACL", "HELP")


def test_sort_by_get_and_acl_check_cmd(pair):
    """SORT's BY pattern and GET need read access to every key; redis.acl_check_cmd checks the
    script's user."""
    same(pair, "RPUSH", "mylist", "2", "1")
    same(pair, "ACL", "SETUSER", "srt", "reset", "on", ">pw", "+@all", "~mylist", "%W~*")
    for args in (("SORT", "mylist", "BY", "w*"), ("SORT", "mylist", "BY", "nosort"), ("SORT", "mylist", "GET", "#"),
                 ("SORT", "mylist", "LIMIT", "x", "1", "GET", "#"), ("SORT_RO", "mylist", "GET", "w*"),
                 ("SORT", "mylist", "BY", "w*", "nosuchopt"), ("SORT", "mylist", "nosuchopt", "BY", "w*"),
                 ("EVAL", "return redis.acl_check_cmd('get', 'mylist')", "0"),
                 ("EVAL", "return redis.acl_check_cmd('get', 'other')", "0"),
                 ("EVAL", "return redis.acl_check_cmd('set', 'other', 'v')", "0"),
                 ("EVAL", "return redis.acl_check_cmd('nosuch')", "0")):
        same(pair, *args, user="srt", password="pw")
    same(pair, "ACL", "SETUSER", "srt", "%R~*")
    same(pair, "SORT", "mylist", "BY", "w*", user="srt", password="pw")
    same(pair, "SORT", "mylist", "GET", "#", user="srt", password="pw")


def test_setuser_is_redacted_in_slowlog(pair):
    for sp in pair:
        s = _conn(sp)
        try:
            s.call("CONFIG", "SET", "slowlog-log-slower-than", "0")
            s.call("SLOWLOG", "RESET")
            s.call("ACL", "SETUSER", "redactme", "on", ">secret-pw")
            s.call("CONFIG", "SET", "slowlog-log-slower-than", "10000")
            entries = parse(s.call("SLOWLOG", "GET", "10"))
            setuser = [e for e in entries if e[3][:2] == [b"ACL", b"SETUSER"]]
            assert setuser and setuser[0][3] == [b"ACL", b"SETUSER", b"(redacted)", b"(redacted)", b"(redacted)"]
        finally:
            s.close()
