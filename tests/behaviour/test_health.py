"""Monitoring: GET /health (JSON, 200/503), GET /metrics (Prometheus text, read with prometheus_client's parser),
and INFO as monitoring tools read it (sections, Redis's field names, commandstats including the C fast path,
errorstats, keyspace)."""

import json
import re
import socket
import time
import urllib.error
import urllib.request

import pytest
import redis

from behaviour.test_server import info_dict
from servers import RawClient, free_port
from resp import parse

parser = pytest.importorskip("prometheus_client.parser", reason="make test-deps installs prometheus_client")


@pytest.fixture
def monitored(start_extra):
    """A fresh Redistill with its health endpoint on a free port: (server, base URL)."""
    hp = free_port()
    sp = start_extra(["--health-check-port", str(hp)], kind="redistill")
    return sp, f"http://127.0.0.1:{hp}"


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def families(base):
    status, headers, body = get(base + "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return {f.name: f for f in parser.text_string_to_metric_families(body.decode())}


def value(fams, name, **labels):
    fam = fams[name]
    for s in fam.samples:
        if s.labels == labels:
            return s.value
    raise AssertionError(f"no sample {name}{labels}: {fam.samples}")


def test_health_json(monitored):
    sp, base = monitored
    c = redis.Redis(host=sp.host, port=sp.port, socket_timeout=10)
    c.mset({"a": "1", "b": "2", "c": "3"})
    status, headers, body = get(base + "/health")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    doc = json.loads(body)
    assert doc["status"] == "ok"
    assert doc["keys"] == 3
    assert doc["connections"] >= 1
    assert doc["used_memory"] > 0 and doc["max_memory"] == 0
    assert doc["uptime_seconds"] >= 0 and doc["ops_per_sec"] >= 0
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", doc["version"])
    assert doc["max_connections"] == 10000
    c.close()


def test_http_errors(monitored):
    _, base = monitored
    assert get(base + "/nope")[0] == 404
    req = urllib.request.Request(base + "/health", data=b"x", method="POST")
    try:
        urllib.request.urlopen(req, timeout=10)
        pytest.fail("POST accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 405
    with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=10) as s:
        s.sendall(b"garbage\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 400 ")


def test_metrics_counters_match_what_was_sent(monitored):
    sp, base = monitored
    c = RawClient(sp.host, sp.port, 10)
    c.call("SET", "k", "v")
    for _ in range(7):
        c.call("GET", "k")             # fast path (unless REDISTILL_FASTPATH=0): counted in C
    c.call("GET", "missing")
    c.call("NOSUCHCOMMAND")
    c.call("INCR", "k")                # WRONGTYPE? no: "value is not an integer" (an ERR)
    c.close()
    fams = families(base)
    assert value(fams, "redistill_commands", cmd="get") == 8
    assert value(fams, "redistill_commands", cmd="set") == 1
    assert value(fams, "redistill_errors", err="ERR") == 2
    assert value(fams, "redistill_keyspace_hits") == 7
    assert value(fams, "redistill_keyspace_misses") == 1
    assert value(fams, "redistill_db_keys", db="db0") == 1
    assert value(fams, "redistill_total_commands_processed") >= 10
    assert value(fams, "redistill_connected_clients") >= 0
    assert value(fams, "redistill_up") == 1
    assert value(fams, "redistill_maxclients") == 10000
    assert fams["redistill_keyspace_hits"].type == "counter"
    assert fams["redistill_used_memory"].type == "gauge"
    assert value(fams, "redistill_used_memory") > 0
    for name in ("redistill_rejected_connections", "redistill_instantaneous_ops_per_sec",
                 "redistill_used_cpu_user", "redistill_expired_keys", "redistill_evicted_keys",
                 "redistill_uptime_in_seconds", "redistill_total_error_replies"):
        assert name in fams, name


def test_metrics_db_keys_zero_when_empty(monitored):
    _, base = monitored
    assert value(families(base), "redistill_db_keys", db="db0") == 0


def _closed_within(s, timeout):
    """The server closed s (EOF or reset) within timeout."""
    s.settimeout(timeout)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


def test_connection_cap_closes_the_oldest_idle(monitored):
    """Past 32 open connections a new one closes the oldest still waiting for its request; probes still
    get their answer."""
    from redistill.health import MAX_CONNECTIONS

    _, base = monitored
    port = int(base.rsplit(":", 1)[1])
    socks = []
    try:
        for _ in range(MAX_CONNECTIONS + 8):
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=10))
            time.sleep(0.01)   # accepted in the order they connected
        assert all(_closed_within(s, 2.0) for s in socks[:8])
        assert not any(_closed_within(s, 0.05) for s in socks[8:])
        assert get(base + "/health")[0] == 200
    finally:
        for s in socks:
            s.close()


def test_health_port_taken_keeps_serving(start_extra):
    """A second instance with the same health port (as with the default 8080 beside another one): a WARNING
    naming the setting and its flag, the cache serves, INFO says the endpoint is off; the first keeps its own."""
    hp = free_port()
    first = start_extra(["--health-check-port", str(hp)], kind="redistill")
    second = start_extra(["--health-check-port", str(hp)], kind="redistill")
    c = redis.Redis(host=second.host, port=second.port, socket_timeout=10)
    assert c.set("k", "v") and c.get("k") == b"v"
    server = c.info("server")
    assert (server["redistill_health_endpoint"], server["redistill_health_check_port"]) == ("off", 0)
    log = second.stderr_text(100000)
    assert "WARNING" in log and "Could not start the health endpoint" in log, log
    assert "health_check_port" in log and "--health-check-port" in log, log
    assert second.proc.poll() is None
    first_info = redis.Redis(host=first.host, port=first.port, socket_timeout=10).info("server")
    assert (first_info["redistill_health_endpoint"], first_info["redistill_health_check_port"]) == ("on", hp)
    assert get(f"http://127.0.0.1:{hp}/health")[0] == 200
    c.close()


# ---- INFO for monitoring tools ------------------------------------------------------------------

def test_info_all_everything_default(raw):
    default = list(info_dict(parse(raw.call("INFO"))))
    assert default == list(info_dict(parse(raw.call("INFO", "default"))))
    assert "Commandstats" not in default and "Errorstats" in default
    for arg in ("all", "everything"):
        names = list(info_dict(parse(raw.call("INFO", arg))))
        for want in ("Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                     "Commandstats", "Errorstats", "Keyspace"):
            assert want in names, (arg, names)
    info = info_dict(parse(raw.call("INFO", "everything")))
    assert info["Replication"]["role"] == "master"
    assert info["Persistence"]["rdb_bgsave_in_progress"] == "0"
    assert info["Persistence"]["aof_enabled"] == "0"
    for f in ("used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children"):
        assert re.fullmatch(r"\d+\.\d{6}", info["CPU"][f]), f
    for f in ("instantaneous_ops_per_sec", "total_error_replies", "keyspace_hits", "keyspace_misses",
              "total_net_input_bytes", "rejected_connections"):
        assert re.fullmatch(r"\d+", info["Stats"][f]), f


def test_info_commandstats_counts_fast_path_commands(server, raw):
    if server.is_redis:
        pytest.skip("Redistill's fast-path accounting")
    before = info_dict(parse(raw.call("INFO", "commandstats")))["Commandstats"]

    def calls(rows, name):
        m = re.match(r"calls=(\d+),usec=(\d+),usec_per_call=[\d.]+,rejected_calls=(\d+),failed_calls=(\d+)$",
                     rows.get(f"cmdstat_{name}", "calls=0,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0"))
        assert m, rows.get(f"cmdstat_{name}")
        return int(m.group(1))

    raw.send(b"*3\r\n$3\r\nSET\r\n$2\r\nck\r\n$1\r\n1\r\n" + b"*2\r\n$3\r\nGET\r\n$2\r\nck\r\n" * 5
             + b"*2\r\n$4\r\nINCR\r\n$2\r\nck\r\n" * 3 + b"*3\r\n$3\r\nGET\r\n$1\r\nx\r\n$1\r\ny\r\n")
    raw.replies(10)
    after = info_dict(parse(raw.call("INFO", "commandstats")))["Commandstats"]
    assert calls(after, "get") - calls(before, "get") == 5
    assert calls(after, "set") - calls(before, "set") == 1
    assert calls(after, "incr") - calls(before, "incr") == 3
    # GET with 3 arguments is an arity error: rejected_calls, not calls (as Redis).
    rej = lambda rows: int(re.search(r"rejected_calls=(\d+)", rows.get("cmdstat_get", "rejected_calls=0")).group(1))
    assert rej(after) - rej(before) == 1


def test_info_errorstats_and_total_error_replies(raw):
    def read():
        info = info_dict(parse(raw.call("INFO", "errorstats", "stats")))
        return info["Errorstats"], int(info["Stats"]["total_error_replies"])

    errs0, total0 = read()
    raw.call("SET", "s", "x")
    raw.call("INCR", "s")              # ERR value is not an integer
    raw.call("NOPE")                   # ERR unknown command
    raw.call("HELLO", "9")             # NOPROTO
    errs1, total1 = read()

    def count(errs, code):
        return int(errs.get(f"errorstat_{code}", "count=0").split("=")[1])

    assert count(errs1, "ERR") - count(errs0, "ERR") == 2
    assert count(errs1, "NOPROTO") - count(errs0, "NOPROTO") == 1
    assert total1 - total0 == 3


def _settled_clients(raw) -> int:
    """connected_clients once two reads 50 ms apart agree (at most 5 s): a previous test's closed
    connections may still be counted until their worker reads the close."""
    last, deadline = None, time.monotonic() + 5
    while True:
        n = int(info_dict(parse(raw.call("INFO", "clients")))["Clients"]["connected_clients"])
        if n == last or time.monotonic() > deadline:
            return n
        last = n
        time.sleep(0.05)


def test_info_clients_and_setname_for_exporters(server, raw):
    """redis_exporter sends CLIENT SETNAME then INFO ALL; connected_clients follows connections."""
    assert raw.call("CLIENT", "SETNAME", "redis_exporter") == b"+OK\r\n"
    n0 = _settled_clients(raw)
    extra = [RawClient(server.host, server.port, 10) for _ in range(3)]
    for c in extra:
        assert c.call("PING") == b"+PONG\r\n"
    n1 = int(info_dict(parse(raw.call("INFO", "clients")))["Clients"]["connected_clients"])
    for c in extra:
        c.close()
    assert n1 - n0 == 3


def test_config_resetstat_clears_fast_path_counts(start_extra):
    sp = start_extra([])
    c = RawClient(sp.host, sp.port, 10)
    try:
        c.call("SET", "k", "1")
        c.call("GET", "k")
        c.call("SET", "s", "x")
        c.call("INCR", "s")   # an error the fast path replies itself
        assert c.call("CONFIG", "RESETSTAT") == b"+OK\r\n"
        c.call("GET", "k")
        info = info_dict(parse(c.call("INFO", "commandstats", "errorstats")))
    finally:
        c.close()
    assert info["Commandstats"]["cmdstat_get"].startswith("calls=1,"), info
    assert "cmdstat_set" not in info["Commandstats"], info
    assert info["Errorstats"] == {}, info
