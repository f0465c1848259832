"""Server commands: INFO sections, CONFIG GET globs, COMMAND (COUNT/DOCS/INFO), DBSIZE, unknown command and arity."""

import fnmatch
import re

import pytest
import redis

from resp import parse

# The string and key commands the spec starts from, with Redis 7's arity and key positions
# (first, last, step).
BASE_COMMANDS = {
    "set": (-3, 1, 1, 1), "get": (2, 1, 1, 1), "del": (-2, 1, -1, 1), "exists": (-2, 1, -1, 1),
    "mget": (-2, 1, -1, 1), "mset": (-3, 1, -1, 2), "incr": (2, 1, 1, 1), "decr": (2, 1, 1, 1),
    "incrby": (3, 1, 1, 1), "decrby": (3, 1, 1, 1), "expire": (-3, 1, 1, 1), "pexpire": (-3, 1, 1, 1),
    "ttl": (2, 1, 1, 1), "pttl": (2, 1, 1, 1), "persist": (2, 1, 1, 1), "dbsize": (1, 0, 0, 0),
    "flushdb": (-1, 0, 0, 0), "flushall": (-1, 0, 0, 0), "ping": (-1, 0, 0, 0), "echo": (2, 0, 0, 0),
    "info": (-1, 0, 0, 0), "auth": (-2, 0, 0, 0), "select": (2, 0, 0, 0), "quit": (-1, 0, 0, 0),
    "hello": (-1, 0, 0, 0), "client": (-2, 0, 0, 0), "config": (-2, 0, 0, 0), "command": (-1, 0, 0, 0),
}


def info_dict(text: bytes) -> dict[str, dict[str, str]]:
    """INFO text -> {section header: {field: value}}; asserts Redis's framing (CRLF lines, '# Name' headers)."""
    s = text.decode()
    assert s.endswith("\r\n"), s[-50:]
    assert "\n" not in s.replace("\r\n", ""), "INFO lines must end in CRLF"
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in s.split("\r\n"):
        if not line:
            continue
        if line.startswith("# "):
            current = line[2:]
            sections[current] = {}
            continue
        assert current is not None, f"field before any section header: {line!r}"
        k, sep, v = line.partition(":")
        assert sep, f"INFO line without ':': {line!r}"
        sections[current][k] = v
    return sections


REQUIRED_FIELDS = {
    "Server": ["redis_version", "redis_mode", "os", "arch_bits", "process_id", "run_id", "tcp_port",
               "uptime_in_seconds", "uptime_in_days"],
    "Clients": ["connected_clients", "maxclients", "blocked_clients"],
    "Memory": ["used_memory", "used_memory_human", "maxmemory", "maxmemory_human", "maxmemory_policy"],
    "Stats": ["total_connections_received", "total_commands_processed", "instantaneous_ops_per_sec",
              "rejected_connections", "expired_keys", "evicted_keys", "keyspace_hits", "keyspace_misses"],
}


def test_info_default_sections_and_fields(raw, server):
    rep = raw.call("INFO")
    assert rep.startswith(b"$"), rep[:20]
    info = info_dict(parse(rep))
    for section, fields in REQUIRED_FIELDS.items():
        assert section in info, (section, list(info))
        for f in fields:
            assert f in info[section], (section, f)
    assert "Keyspace" in info
    srv = info["Server"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", srv["redis_version"])
    assert srv["tcp_port"] == str(server.port)
    assert srv["redis_mode"] == "standalone"
    assert re.fullmatch(r"[0-9a-f]{40}", srv["run_id"])
    assert int(srv["uptime_in_seconds"]) >= 0
    if server.proc is not None:
        assert srv["process_id"] == str(server.proc.pid)
    assert int(info["Clients"]["connected_clients"]) >= 1
    assert int(info["Stats"]["total_commands_processed"]) >= 1


def test_info_single_sections(raw):
    for name, header in (("server", "Server"), ("CLIENTS", "Clients"), ("memory", "Memory"), ("Stats", "Stats")):
        info = info_dict(parse(raw.call("INFO", name)))
        assert list(info) == [header], (name, list(info))


def test_info_several_sections(raw):
    info = info_dict(parse(raw.call("INFO", "server", "clients")))
    assert list(info) == ["Server", "Clients"]


def test_info_keyspace_line(raw):
    assert raw.call("INFO", "keyspace") == b"$12\r\n# Keyspace\r\n\r\n"
    raw.call("SET", "a", "1")
    raw.call("SET", "b", "2", "EX", "1000")
    ks = info_dict(parse(raw.call("INFO", "keyspace")))["Keyspace"]
    assert list(ks) == ["db0"]
    m = re.fullmatch(r"keys=(\d+),expires=(\d+),avg_ttl=(\d+)", ks["db0"])
    assert m, ks["db0"]
    assert m.group(1, 2) == ("2", "1")
    raw.call("FLUSHALL")
    assert raw.call("INFO", "keyspace") == b"$12\r\n# Keyspace\r\n\r\n"


def test_info_resp3_is_verbatim(raw):
    raw.call("HELLO", "3")
    assert raw.call("INFO", "keyspace") == b"=16\r\ntxt:# Keyspace\r\n\r\n"


def test_info_counts_hits_and_misses(raw):
    before = info_dict(parse(raw.call("INFO", "stats")))["Stats"]
    raw.call("SET", "k", "v")
    raw.call("GET", "k")
    raw.call("GET", "k")
    raw.call("GET", "missing")
    after = info_dict(parse(raw.call("INFO", "stats")))["Stats"]
    assert int(after["keyspace_hits"]) - int(before["keyspace_hits"]) == 2
    assert int(after["keyspace_misses"]) - int(before["keyspace_misses"]) == 1
    assert int(after["total_commands_processed"]) - int(before["total_commands_processed"]) >= 5


def test_info_redis_py(rc):
    rc.set("x", "1")
    info = rc.info()
    assert "redis_version" in info and "connected_clients" in info and "used_memory" in info
    assert info["db0"]["keys"] == 1
    assert "keyspace_hits" in rc.info("stats")


# ---- CONFIG GET -------------------------------------------------------------------------------------------

def test_config_get_exact(rawp):
    if rawp.proto == 2:
        assert rawp.call("CONFIG", "GET", "save") == b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n"
        assert rawp.call("CONFIG", "GET", "appendonly") == b"*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"
        assert rawp.call("CONFIG", "GET", "databases") == b"*2\r\n$9\r\ndatabases\r\n$1\r\n1\r\n"
        assert rawp.call("CONFIG", "GET", "nosuch-param") == b"*0\r\n"
    else:
        assert rawp.call("CONFIG", "GET", "save") == b"%1\r\n$4\r\nsave\r\n$0\r\n\r\n"
        assert rawp.call("CONFIG", "GET", "appendonly") == b"%1\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"
        assert rawp.call("CONFIG", "GET", "nosuch-param") == b"%0\r\n"
    assert rawp.call("CONFIG", "GET") == b"-ERR wrong number of arguments for 'config|get' command\r\n"
    assert rawp.call("CONFIG") == b"-ERR wrong number of arguments for 'config' command\r\n"
    assert rawp.call("CONFIG", "FOO") == b"-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n"


def test_config_get_globs(rc):
    mm = rc.config_get("maxmemory*")
    assert "maxmemory" in mm and "maxmemory-policy" in mm
    assert all(fnmatch.fnmatchcase(k, "maxmemory*") for k in mm), mm
    assert mm["maxmemory"] == "0"
    assert re.fullmatch(r"(allkeys|volatile)-(lru|lfu|random|ttl)|noeviction", mm["maxmemory-policy"])
    assert rc.config_get("save") == {"save": ""}
    assert rc.config_get("appendonly") == {"appendonly": "no"}
    everything = rc.config_get("*")
    for k in ("maxclients", "databases", "port", "bind", "maxmemory", "save", "appendonly"):
        assert k in everything, k
    assert rc.config_get("maxc?ients") == {"maxclients": everything["maxclients"]}
    assert rc.config_get("d?tabases") == {"databases": "1"}
    assert rc.config_get("no-such-*") == {}


def test_config_get_several_patterns(raw):
    pairs = parse(raw.call("CONFIG", "GET", "save", "appendonly"))
    assert dict(zip(pairs[0::2], pairs[1::2])) == {b"save": b"", b"appendonly": b"no"}
    assert len(pairs) == 4


def test_config_get_port(raw, server):
    assert raw.call("CONFIG", "GET", "port") == b"*2\r\n$4\r\nport\r\n$%d\r\n%d\r\n" % (len(str(server.port)),
                                                                                      server.port)


# ---- COMMAND ---------------------------------------------------------------------------------------------------

def test_command_count_matches_command(raw):
    count = raw.call("COMMAND", "COUNT")
    assert re.fullmatch(rb":\d+\r\n", count), count
    entries = parse(raw.call("COMMAND"))
    assert len(entries) == int(count[1:-2])
    names = {e[0] for e in entries}
    missing = {n.encode() for n in BASE_COMMANDS} - names
    assert not missing, missing
    assert raw.call("COMMAND", "COUNT", "x") == b"-ERR wrong number of arguments for 'command|count' command\r\n"
    assert raw.call("COMMAND", "FOO") == b"-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n"


@pytest.mark.parametrize("name", sorted(BASE_COMMANDS))
def test_command_info_arity_and_keys(raw, name):
    rep = parse(raw.call("COMMAND", "INFO", name.upper()))
    assert len(rep) == 1 and isinstance(rep[0], list), rep
    entry = rep[0]
    assert len(entry) == 10, entry
    assert entry[0] == name.encode()
    assert tuple(entry[1:2] + entry[3:6]) == BASE_COMMANDS[name], entry[:6]
    flags = set(entry[2])
    if name in ("get", "mget", "exists", "ttl", "pttl"):
        assert b"readonly" in flags, flags
    if name in ("set", "mset", "incr", "del", "expire", "persist", "flushall"):
        assert b"write" in flags, flags


def test_command_info_exact_get(raw):
    """The GET entry's first six fields, byte for byte (what cluster-aware clients read)."""
    rep = raw.call("COMMAND", "INFO", "get")
    assert rep.startswith(b"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"), rep[:120]
    assert raw.call("COMMAND", "INFO", "nosuchcmd") == b"*1\r\n$-1\r\n"


def test_command_docs(raw):
    docs = parse(raw.call("COMMAND", "DOCS", "get", "set"))
    if isinstance(docs, list):  # RESP2 flat map
        docs = dict(zip(docs[0::2], docs[1::2]))
    assert set(docs) == {b"get", b"set"}
    for name, doc in docs.items():
        if isinstance(doc, list):
            doc = dict(zip(doc[0::2], doc[1::2]))
        assert doc[b"summary"], name
        assert doc[b"group"] == b"string", name
        assert doc[b"since"], name
    assert raw.call("COMMAND", "DOCS", "nosuchcmd") == b"*0\r\n"


@pytest.mark.parametrize("name, first_arg", [("get", b"key"), ("set", b"key"), ("expire", b"key"),
                                             ("echo", b"message")])
def test_command_docs_arguments(raw, name, first_arg):
    """Redis 7 documents each command's arguments (redis-cli builds its hints from them) and complexity."""
    doc = parse(raw.call("COMMAND", "DOCS", name))[1]
    doc = dict(zip(doc[0::2], doc[1::2]))
    assert b"complexity" in doc, sorted(doc)
    assert b"arguments" in doc, sorted(doc)
    first = dict(zip(doc[b"arguments"][0][0::2], doc[b"arguments"][0][1::2]))
    assert first[b"name"] == first_arg


def test_command_docs_all_is_a_map_in_resp3(raw):
    raw.call("HELLO", "3")
    rep = raw.call("COMMAND", "DOCS")
    assert rep.startswith(b"%"), rep[:20]
    docs = parse(rep)
    assert b"get" in docs and b"set" in docs and b"ping" in docs


# ---- unknown command, arity ------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, expected", [
    (["FOO"], b"-ERR unknown command 'FOO', with args beginning with: \r\n"),
    (["foo", "a", "b"], b"-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"),
    (["NOSUCH", "x y"], b"-ERR unknown command 'NOSUCH', with args beginning with: 'x y' \r\n"),
    (["GETT", "k"], b"-ERR unknown command 'GETT', with args beginning with: 'k' \r\n"),
    (["GET"], b"-ERR wrong number of arguments for 'get' command\r\n"),
    (["get", "a", "b"], b"-ERR wrong number of arguments for 'get' command\r\n"),
    (["SeT", "a"], b"-ERR wrong number of arguments for 'set' command\r\n"),
    (["dbsize", "extra"], b"-ERR wrong number of arguments for 'dbsize' command\r\n"),
    (["SELECT"], b"-ERR wrong number of arguments for 'select' command\r\n"),
    (["HELLO", "3", "AUTH"], b"-ERR Syntax error in HELLO option 'AUTH'\r\n"),
])
def test_unknown_and_arity_exact(rawp, argv, expected):
    assert rawp.call(*argv) == expected
    assert rawp.call("PING") == b"+PONG\r\n"  # the connection stays usable


def test_unknown_command_args_clipped(raw):
    """Redis quotes at most 128 characters of each argument and replaces CR/LF (never breaks the protocol)."""
    rep = raw.call("FOO", "a\r\nb", "x" * 300)
    assert rep.startswith(b"-ERR unknown command 'FOO', with args beginning with: ")
    assert rep.endswith(b"\r\n") and rep.count(b"\r\n") == 1, rep
    assert raw.call("PING") == b"+PONG\r\n"


def test_unknown_command_many_args(raw):
    rep = raw.call("NOPE", *[str(i) for i in range(40)])
    assert rep.count(b"\r\n") == 1
    assert rep.startswith(b"-ERR unknown command 'NOPE', with args beginning with: '0' '1' ")


def test_dbsize_exact(raw):
    assert raw.call("DBSIZE") == b":0\r\n"
    raw.call("MSET", "a", "1", "b", "2")
    assert raw.call("DBSIZE") == b":2\r\n"


def test_sigterm_with_connected_clients_exits_zero(start_extra):
    """SIGTERM with idle clients connected: the clients are closed and the process exits 0 promptly."""
    import signal
    import time

    from resp import RespSocket

    srv = start_extra()
    clients = [RespSocket(srv.host, srv.port) for _ in range(5)]
    try:
        for c in clients:
            assert c.call("PING") == b"+PONG\r\n"
        t0 = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        code = srv.proc.wait(timeout=15)
        assert code == 0, srv.stderr_text()
        assert time.monotonic() - t0 < 10
        for c in clients:
            data, closed = c.read_until_closed(timeout=2)
            assert closed and data == b"", data
    finally:
        for c in clients:
            c.close()


def _field(info_bytes: bytes, name: str) -> str:
    for line in parse(info_bytes).split(b"\r\n"):
        if line.startswith(name.encode() + b":"):
            return line.split(b":", 1)[1].decode()
    raise AssertionError(f"{name} missing")


def test_connected_clients_counts_every_thread(server, raw, raw_factory):
    import time

    def count():
        return int(_field(raw.call("INFO", "clients"), "connected_clients"))

    def wait_for(n):
        deadline = time.monotonic() + 5
        while count() != n and time.monotonic() < deadline:
            time.sleep(0.05)
        return count()

    base, deadline = count(), time.monotonic() + 3  # let earlier tests' closed connections drain first
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = count()
        if now == base:
            break
        base = now
    extra = [raw_factory() for _ in range(10)]
    for c in extra:
        assert c.call("PING") == b"+PONG\r\n"
    assert wait_for(base + 10) == base + 10
    for c in extra:
        c.close()
    assert wait_for(base) == base


def test_client_list_and_ids_span_threads(server, raw, raw_factory):
    conns = [raw_factory() for _ in range(12)]
    ids = []
    for i, c in enumerate(conns):
        assert c.call("CLIENT", "SETNAME", f"span-{i}") == b"+OK\r\n"
        ids.append(int(c.call("CLIENT", "ID")[1:-2]))
    assert len(set(ids)) == len(ids), ids
    listing = parse(raw.call("CLIENT", "LIST")).decode()
    for i, cid in enumerate(ids):
        assert f"id={cid} " in listing and f"name=span-{i} " in listing, (i, cid)
    assert int(_field(raw.call("INFO", "stats"), "total_connections_received")) >= 13


@pytest.mark.parametrize("argv, hits, misses", [
    (["GET", "a"], 1, 0), (["GET", "zz"], 0, 1), (["MGET", "a", "b", "zz"], 2, 1), (["EXISTS", "a", "zz"], 1, 1),
    (["INCR", "a"], 0, 0), (["TTL", "a"], 1, 0), (["TTL", "zz"], 0, 1), (["PTTL", "a"], 1, 0), (["DEL", "a"], 0, 0),
    (["SET", "b", "2", "GET"], 1, 0), (["EXPIRE", "b", "100"], 0, 0), (["PERSIST", "b"], 0, 0),
    (["SET", "c", "1", "NX"], 0, 0), (["DBSIZE"], 0, 0),
])
def test_keyspace_hits_misses_per_command(raw, argv, hits, misses):
    """Which lookups count as keyspace hits/misses, as measured on Redis 7.0."""
    raw.call("MSET", "a", "1", "b", "1")

    def stats():
        text = raw.call("INFO", "stats")
        return int(_field(text, "keyspace_hits")), int(_field(text, "keyspace_misses"))

    h0, m0 = stats()
    raw.call(*argv)
    h1, m1 = stats()
    assert (h1 - h0, m1 - m0) == (hits, misses)


# ---- COMMAND DOCS: every command documented, same as Redis 7.0 --------------------------------------------

def test_every_table_command_has_docs():
    """docs.py must cover the command table (containers and subcommands), so COMMAND DOCS and
    redis-cli's hints never lack a command; and every compact spec must parse."""
    from redistill.commands import COMMANDS
    from redistill.commands.docs import DOCS, parse_args

    names = [n for n, s in COMMANDS.items()] + [s.name for c in COMMANDS.values()
                                                 for s in (c.subcommands or {}).values()]
    missing = sorted(n for n in names if n not in DOCS)
    assert not missing, f"add these to redistill/commands/docs.py (tools/docs_from_redis.py): {missing}"
    for name, d in DOCS.items():
        for arg in parse_args(d.args):
            assert arg[b"name"] and arg[b"type"], (name, arg)


def test_docs_grammar_round_trip():
    from redistill.commands.docs import parse_args

    args = parse_args("key:key#1 TYPE=t(A|B@2.0.0)? ID=id{client-id:integer*}@6.2.0? ip:port:string~2.8.12 "
                      "PREFIX=prefix:string?*+ TOKEN=other:pure-token")
    assert args[0] == {b"name": b"key", b"type": b"key", b"key_spec_index": 1}
    assert args[1][b"token"] == b"TYPE" and args[1][b"type"] == b"oneof" and list(args[1][b"flags"]) == ["optional"]
    assert args[1][b"arguments"][1] == {b"name": b"b", b"type": b"pure-token", b"token": b"B", b"since": b"2.0.0"}
    assert args[2][b"type"] == b"block" and args[2][b"since"] == b"6.2.0"
    assert args[2][b"arguments"] == [{b"name": b"client-id", b"type": b"integer", b"flags": ("multiple",)}]
    assert args[3] == {b"name": b"ip:port", b"type": b"string", b"deprecated_since": b"2.8.12"}
    assert list(args[4][b"flags"]) == ["optional", "multiple", "multiple_token"]
    assert args[5] == {b"name": b"other", b"type": b"pure-token", b"token": b"TOKEN"}


@pytest.mark.parametrize("proto", [2, 3])
def test_command_docs_bytes_equal_redis(redis_server, server, proto):
    """COMMAND DOCS of every command both servers have is byte-identical (containers compared without
    their subcommand maps, whose order is Redis's hash order; the subcommands are compared one by one)."""
    from resp import RespSocket

    ours, ref = RespSocket(server.host, server.port), RespSocket(redis_server.host, redis_server.port)
    try:
        if proto == 3:
            ours.call("HELLO", "3")
            ref.call("HELLO", "3")
        names = {n.decode() for n in _list(parse(ours.call("COMMAND", "LIST")))}
        theirs = {n.decode() for n in _list(parse(ref.call("COMMAND", "LIST")))}
        differ = []
        for name in sorted(names & theirs):
            a, b = ref.call("COMMAND", "DOCS", name), ours.call("COMMAND", "DOCS", name)
            if "|" not in name and b"subcommands" in a:
                a, b = _without_subcommands(a), _without_subcommands(b)
            if a != b:
                differ.append(f"{name}\n  redis: {a[:300]!r}\n  ours : {b[:300]!r}")
        assert not differ, "\n".join(differ)
    finally:
        ours.close()
        ref.close()


def _list(v):
    return v if isinstance(v, list) else list(v)


def _without_subcommands(reply: bytes):
    doc = parse(reply)
    doc = doc if isinstance(doc, dict) else dict(zip(doc[0::2], doc[1::2]))
    (inner,) = doc.values()
    inner = inner if isinstance(inner, dict) else dict(zip(inner[0::2], inner[1::2]))
    inner.pop(b"subcommands")
    return inner


# ---- TIME, LASTSAVE, persistence, CONFIG REWRITE (DEBUG: test_debug.py) ------------------------------------------------

def test_time(rawp):
    import time

    rep = parse(rawp.call("TIME"))
    assert len(rep) == 2 and all(re.fullmatch(rb"\d+", x) for x in rep), rep
    assert abs(int(rep[0]) - time.time()) < 60 and 0 <= int(rep[1]) < 1_000_000


def test_lastsave_and_no_append_only_file(raw, server):
    lastsave = raw.call("LASTSAVE")
    assert re.fullmatch(rb":\d+\r\n", lastsave)
    persistence = info_dict(parse(raw.call("INFO", "persistence")))["Persistence"]
    assert lastsave == b":%s\r\n" % persistence["rdb_last_save_time"].encode()
    if server.is_redis:
        pytest.skip("Redis has an append-only file")
    assert raw.call("BGREWRITEAOF").startswith(b"-ERR BGREWRITEAOF is not supported")
    assert raw.call("CONFIG", "REWRITE").startswith(b"-ERR CONFIG REWRITE is not supported")


# ---- CONFIG SET / RESETSTAT -----------------------------------------------------------------------------

def test_config_set_redis_only_params_accepted_and_shown(rc):
    try:
        assert rc.config_set("hash-max-listpack-entries", 1000) is True
        assert rc.config_get("hash-max-listpack-entries") == {"hash-max-listpack-entries": "1000"}
        assert rc.execute_command("CONFIG", "SET", "save", "900 1", "appendonly", "no", "lazyfree-lazy-eviction",
                                  "yes", "maxmemory-samples", "10", "tcp-keepalive", "60", "timeout", "0") in (True, b"OK", "OK")
        got = rc.config_get("*")
        assert got["save"] == "900 1" and got["lazyfree-lazy-eviction"] == "yes"
        assert got["maxmemory-samples"] == "10" and got["tcp-keepalive"] == "60"
        # atomic: one bad value and nothing changes
        with pytest.raises(redis.ResponseError, match="argument must be between 0 and 2147483647"):
            rc.execute_command("CONFIG", "SET", "maxmemory-samples", "3", "timeout", "-5")
        assert rc.config_get("maxmemory-samples") == {"maxmemory-samples": "10"}
    finally:
        rc.execute_command("CONFIG", "SET", "hash-max-listpack-entries", "512", "save", "", "lazyfree-lazy-eviction",
                           "no", "maxmemory-samples", "5", "tcp-keepalive", "300")


def test_config_set_policy_lists_ours_too(raw, server):
    if server.is_redis:
        pytest.skip("Redistill's own eviction policy")
    rep = raw.call("CONFIG", "SET", "maxmemory-policy", "bogus")
    assert rep.endswith(b"allkeys-random, noeviction, allkeys-s3fifo\r\n"), rep


def test_config_resetstat(raw):
    raw.call("SET", "k", "v")
    raw.call("GET", "k")
    raw.call("GET", "nope")
    raw.call("NOSUCHCMD")
    assert raw.call("CONFIG", "RESETSTAT") == b"+OK\r\n"
    stats = info_dict(parse(raw.call("INFO", "stats")))["Stats"]
    assert stats["keyspace_hits"] == "0" and stats["keyspace_misses"] == "0"
    assert int(stats["total_commands_processed"]) <= 2   # RESETSTAT itself / the INFO at most
    assert "errorstat_ERR" not in info_dict(parse(raw.call("INFO", "errorstats"))).get("Errorstats", {})
    raw.call("GET", "k")
    assert info_dict(parse(raw.call("INFO", "stats")))["Stats"]["keyspace_hits"] == "1"
    cmdstats = info_dict(parse(raw.call("INFO", "commandstats")))["Commandstats"]
    assert "cmdstat_nosuchcmd" not in cmdstats and "cmdstat_info" in cmdstats


# ---- SLOWLOG ----------------------------------------------------------------------------------------------

def test_slowlog_records_truncates_and_trims(start_extra):
    """Threshold 0 logs every (Python-path) command; entries as Redis shapes them."""
    import time

    from resp import RespSocket

    srv = start_extra()
    c = RespSocket(srv.host, srv.port)
    try:
        assert c.call("SLOWLOG", "LEN") == b":0\r\n"
        assert c.call("CONFIG", "SET", "slowlog-log-slower-than", "0") == b"+OK\r\n"
        assert c.call("CLIENT", "SETNAME", "slow-one") == b"+OK\r\n"
        long_args = ["CONFIG", "GET"] + [f"p{i}" for i in range(40)]
        c.call(*long_args)
        c.call("AUTH", "secret-pw")
        c.call("CONFIG", "SET", "maxmemory-samples", "5", "requirepass", "")
        c.call("ECHO", "x" * 200)   # served by C with the fast path on, by Python without it
        entries = parse(c.call("SLOWLOG", "GET", "-1"))
        by_cmd = {e[3][0].upper(): e for e in entries}
        me = "%s:%d" % c.sock.getsockname()[:2]
        ids = [e[0] for e in entries]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
        setname = by_cmd[b"CLIENT"]
        assert setname[3] == [b"CLIENT", b"SETNAME", b"slow-one"]
        assert abs(setname[1] - time.time()) < 60 and setname[2] >= 0
        assert setname[4] == me.encode() and setname[5] == b"slow-one"
        cfg = [e for e in entries if e[3][:2] == [b"CONFIG", b"GET"]][0]
        assert len(cfg[3]) == 32 and cfg[3][:31] == [a.encode() for a in long_args[:31]]
        assert cfg[3][31] == b"... (11 more arguments)"
        assert by_cmd[b"AUTH"][3] == [b"AUTH", b"(redacted)"]
        cfg_set = [e for e in entries if e[3][:2] == [b"CONFIG", b"SET"] and b"requirepass" in e[3]][0]
        assert cfg_set[3][-1] == b"(redacted)"
        if b"ECHO" in by_cmd:
            assert by_cmd[b"ECHO"][3][1] == b"x" * 128 + b"... (72 more bytes)"
        assert len(parse(c.call("SLOWLOG", "GET"))) == min(10, len(entries) + 1)
        assert len(parse(c.call("SLOWLOG", "GET", "2"))) == 2
        assert c.call("CONFIG", "SET", "slowlog-max-len", "3") == b"+OK\r\n"
        assert c.call("SLOWLOG", "LEN") == b":3\r\n"
        assert c.call("SLOWLOG", "RESET") == b"+OK\r\n"
        assert c.call("CONFIG", "SET", "slowlog-log-slower-than", "-1") == b"+OK\r\n"   # disabled
        assert c.call("SLOWLOG", "LEN") == b":1\r\n"   # SLOWLOG RESET itself, as Redis logs it
        c.call("CONFIG", "GET", "save")
        assert c.call("SLOWLOG", "LEN") == b":1\r\n"
        assert parse(c.call("CONFIG", "GET", "slowlog-*")) in (
            [b"slowlog-log-slower-than", b"-1", b"slowlog-max-len", b"3"],
            [b"slowlog-max-len", b"3", b"slowlog-log-slower-than", b"-1"])
    finally:
        c.close()


def test_slowlog_redis_py(rc):
    assert rc.slowlog_len() >= 0
    assert isinstance(rc.slowlog_get(5), list)
    assert rc.slowlog_reset() is True


# ---- SHUTDOWN ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [[], ["NOSAVE"], ["NOW", "NOSAVE"]])
def test_shutdown_stops_the_server(start_extra, args):
    from resp import RespSocket

    srv = start_extra()
    other = RespSocket(srv.host, srv.port)
    c = RespSocket(srv.host, srv.port)
    try:
        assert other.call("PING") == b"+PONG\r\n"
        assert c.call("SHUTDOWN", "ABORT") == b"-ERR No shutdown in progress.\r\n"
        assert c.call("SHUTDOWN", "NOSAVE", "SAVE") == b"-ERR syntax error\r\n"
        c.send(b"*%d\r\n$8\r\nSHUTDOWN\r\n" % (1 + len(args)) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a.encode())
                                                                      for a in args))
        data, closed = c.read_until_closed(timeout=15)
        assert closed and data == b"", data        # no reply, as Redis
        assert other.read_until_closed(timeout=15)[1]
        assert srv.proc.wait(timeout=15) == 0, srv.stderr_text()
    finally:
        c.close()
        other.close()


def test_shutdown_save_fails_when_the_save_fails(start_extra, tmp_path):
    """SHUTDOWN SAVE whose save fails (its dir is gone) refuses to stop; FORCE stops anyway."""
    from resp import RespSocket

    srv = start_extra(["--enable-protected-configs", "yes"])
    gone = tmp_path / "gone"
    gone.mkdir()
    c = RespSocket(srv.host, srv.port)
    try:
        assert c.call("CONFIG", "SET", "dir", str(gone)) == b"+OK\r\n"
        gone.rmdir()
        assert c.call("SHUTDOWN", "SAVE") == b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n"
        assert c.call("PING") == b"+PONG\r\n"
        c.send(b"*3\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n$5\r\nFORCE\r\n")
        assert c.read_until_closed(timeout=15) == (b"", True)
        assert srv.proc.wait(timeout=15) == 0
    finally:
        c.close()


# ---- INFO keyspace avg_ttl --------------------------------------------------------------------------------

def test_info_avg_ttl(raw, server):
    if server.is_redis:
        pytest.skip("Redis estimates avg_ttl in its expire cycle, later")
    raw.call("SET", "plain", "1")
    assert info_dict(parse(raw.call("INFO", "keyspace")))["Keyspace"]["db0"].endswith("avg_ttl=0")
    for i in range(50):
        raw.call("SET", f"a{i}", "v", "EX", "1000")
        raw.call("SET", f"b{i}", "v", "EX", "3000")
    line = info_dict(parse(raw.call("INFO", "keyspace")))["Keyspace"]["db0"]
    m = re.fullmatch(r"keys=101,expires=100,avg_ttl=(\d+)", line)
    assert m, line
    assert 1_900_000 - 60_000 < int(m.group(1)) <= 2_000_000   # mean of 1000 s and 3000 s


def test_docs_table_matches_redis_for_every_entry(redis_server):
    """Every entry of docs.py (also the commands not served yet) reproduces Redis 7.0's COMMAND DOCS
    fields after summary/since/group, so the compact grammar loses nothing."""
    from resp import RespSocket

    from redistill.commands.docs import DOCS, docs_fields
    from redistill.protocol import encode

    ref = RespSocket(redis_server.host, redis_server.port)
    try:
        ref.call("HELLO", "3")
        differ = []
        for name in DOCS:
            theirs = parse(ref.call("COMMAND", "DOCS", name))
            if not theirs:  # a Redis 7.2 command
                continue
            (doc,) = theirs.values()
            for field in (b"summary", b"since", b"group", b"subcommands"):
                doc.pop(field, None)
            ours = parse(encode(docs_fields(name), 3))
            if ours != doc:
                differ.append(f"{name}: redis {doc!r}\n    ours {ours!r}")
        assert not differ, "\n".join(differ)
    finally:
        ref.close()


def test_slowlog_logs_the_commands_of_exec_not_exec(start_extra):
    from resp import RespSocket

    srv = start_extra()
    c = RespSocket(srv.host, srv.port)
    try:
        assert c.call("CONFIG", "SET", "slowlog-log-slower-than", "0") == b"+OK\r\n"
        assert c.call("SLOWLOG", "RESET") == b"+OK\r\n"
        for cmd in (["MULTI"], ["SET", "a", "1"], ["GET", "a"]):
            c.call(*cmd)
        assert c.call("EXEC") == b"*2\r\n+OK\r\n$1\r\n1\r\n"
        logged = [e[3] for e in parse(c.call("SLOWLOG", "GET", "-1"))]
        assert logged == [[b"GET", b"a"], [b"SET", b"a", b"1"], [b"MULTI"], [b"SLOWLOG", b"RESET"]]
    finally:
        c.close()


@pytest.mark.parametrize("proto", [2, 3])
def test_command_info_equals_redis(redis_server, server, proto):
    """COMMAND INFO of every command both servers have: name, arity, flags, key positions, ACL
    categories, tips and key specs byte for byte (subcommands compared on their own)."""
    from resp import RespSocket

    ours, ref = RespSocket(server.host, server.port), RespSocket(redis_server.host, redis_server.port)
    try:
        if proto == 3:
            ours.call("HELLO", "3")
            ref.call("HELLO", "3")
        names = {n.decode() for n in _list(parse(ours.call("COMMAND", "LIST")))}
        theirs = {n.decode() for n in _list(parse(ref.call("COMMAND", "LIST")))}
        differ = []
        for name in sorted(names & theirs):
            a, b = parse(ref.call("COMMAND", "INFO", name))[0], parse(ours.call("COMMAND", "INFO", name))[0]
            if a[:9] != b[:9]:
                differ.append(f"{name}\n  redis: {a[:9]!r}\n  ours : {b[:9]!r}")
        assert not differ, "\n".join(differ)
    finally:
        ours.close()
        ref.close()
