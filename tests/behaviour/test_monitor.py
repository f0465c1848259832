"""MONITOR as Redis 7.0 does it: its line format, which commands it shows, MULTI/EXEC, redaction,
what a monitor may do, and commands from clients on every worker thread, fast path on or off."""

import re
import socket
import time

import pytest

from resp import encode_command, parse
from servers import RawClient

LINE = re.compile(rb"\+(\d+)\.(\d{6}) \[0 ([0-9.]+:\d+)\] (.*)\r\n\Z")


def monitor_line(mon, timeout: float = 5.0) -> tuple[str, bytes]:
    """The next monitor line: (client address, the quoted arguments)."""
    rep = mon.reply(timeout)
    m = LINE.match(rep)
    assert m, rep
    assert abs(int(m.group(1)) - time.time()) < 60
    return m.group(3).decode(), m.group(4)


def addr(client) -> str:
    host, port = client.sock.getsockname()[:2]
    return f"{host}:{port}"


def start_monitor(raw_factory):
    mon = raw_factory()
    assert mon.call("MONITOR") == b"+OK\r\n"
    return mon


def test_monitor_sees_fast_commands_of_clients_on_every_thread(raw, raw_factory):
    """GET/SET/INCR are served by C when nobody monitors; with a monitor each is shown once, in
    each client's order, whichever worker thread the client is on (12 clients: both threads)."""
    mon = start_monitor(raw_factory)
    clients = [raw_factory() for _ in range(12)]
    for i, c in enumerate(clients):
        c.send(b"SET k%d v%d\r\nGET k%d\r\nINCR n%d\r\n" % (i, i, i, i))
    for c in clients:
        v = b"v%d" % clients.index(c)
        assert c.replies(3) == [b"+OK\r\n", b"$%d\r\n%s\r\n" % (len(v), v), b":1\r\n"]
    seen: dict[str, list[bytes]] = {}
    for _ in range(36):
        who, args = monitor_line(mon)
        seen.setdefault(who, []).append(args)
    for i, c in enumerate(clients):
        assert seen[addr(c)] == [b'"SET" "k%d" "v%d"' % (i, i), b'"GET" "k%d"' % i, b'"INCR" "n%d"' % i]
    with pytest.raises(TimeoutError):   # nothing else (the monitor's own MONITOR is not shown)
        mon.reply(0.3)


def test_monitor_quotes_as_sdscatrepr_and_redacts_passwords(raw, raw_factory):
    mon = start_monitor(raw_factory)
    c = raw_factory()
    c.call("SET", b'k\x01"\\', b"a\nb\r\t\x07\x08\xff ~")
    c.call("AUTH", "secret")
    c.call("AUTH", "user", "secret")
    c.call("HELLO", "2", "AUTH", "user", "secret")
    c.call("HELLO", "3", "SETNAME", "me", "AUTH", "u", "p")
    c.call("HELLO", "2")
    expected = [
        b'"SET" "k\\x01\\"\\\\" "a\\nb\\r\\t\\a\\b\\xff ~"',
        b'"AUTH" "(redacted)"',
        b'"AUTH" "(redacted)" "(redacted)"',
        b'"HELLO" "2" "AUTH" "(redacted)" "(redacted)"',
        b'"HELLO" "3" "SETNAME" "me" "AUTH" "(redacted)" "(redacted)"',
        b'"HELLO" "2"',
    ]
    for want in expected:
        who, args = monitor_line(mon)
        assert (who, args) == (addr(c), want)


def test_monitor_hides_admin_commands_and_rejected_ones(raw, raw_factory):
    mon = start_monitor(raw_factory)
    c = raw_factory()
    c.call("CONFIG", "GET", "maxmemory")     # admin
    c.call("CLIENT", "LIST")                 # admin subcommand
    c.call("SLOWLOG", "LEN")                 # admin
    c.call("NOSUCH", "x")                    # unknown: rejected before it runs
    c.call("SET", "a")                       # wrong arity: rejected
    c.call("CLIENT", "ID")                   # not admin: shown
    assert monitor_line(mon) == (addr(c), b'"CLIENT" "ID"')
    with pytest.raises(TimeoutError):
        mon.reply(0.3)


def test_monitor_multi_exec_as_redis(raw, raw_factory):
    """MULTI when it runs, the queued commands when EXEC runs them, then EXEC; an aborted EXEC
    shows MULTI and EXEC only (unit/introspection "MONITOR correctly handles multi-exec cases")."""
    mon = start_monitor(raw_factory)
    c = raw_factory()
    c.send(b"MULTI\r\nSET foo bar\r\nGET foo\r\nEXEC\r\n")
    assert c.replies(4)[3] == b"*2\r\n+OK\r\n$3\r\nbar\r\n"
    assert [monitor_line(mon)[1] for _ in range(4)] == [b'"MULTI"', b'"SET" "foo" "bar"', b'"GET" "foo"', b'"EXEC"']
    c.send(b"MULTI\r\nSYNTAX error\r\nEXEC\r\n")
    assert c.replies(3)[2].startswith(b"-EXECABORT")
    assert [monitor_line(mon)[1] for _ in range(2)] == [b'"MULTI"', b'"EXEC"']


def test_monitor_client_rules(raw, raw_factory):
    """A monitor: a second MONITOR has no reply, keyspace commands are refused (a replica to
    Redis), others run and are shown; CLIENT LIST flag O; RESET ends it; MONITOR in MULTI fails."""
    mon = start_monitor(raw_factory)
    assert mon.call("GET", "x") == b"-ERR Replica can't interact with the keyspace\r\n"
    assert mon.call("SET", "x", "1") == b"-ERR Replica can't interact with the keyspace\r\n"
    mon.send(b"MONITOR\r\nPING\r\n")
    assert mon.reply() == b"+PONG\r\n"                         # MONITOR again: no reply at all
    assert monitor_line(mon) == (addr(mon), b'"PING"')
    info = parse(mon.call("CLIENT", "INFO")).decode()
    assert " flags=O " in info
    assert monitor_line(mon) == (addr(mon), b'"CLIENT" "INFO"')
    assert mon.call("RESET") == b"+RESET\r\n"
    assert " flags=N " in parse(mon.call("CLIENT", "INFO")).decode()
    raw.call("SET", "after", "reset")
    with pytest.raises(TimeoutError):
        mon.reply(0.3)
    assert raw.call("MULTI") == b"+OK\r\n"
    assert raw.call("MONITOR") == b"+QUEUED\r\n"
    assert raw.call("EXEC") == b"*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n"
    assert " flags=N " in parse(raw.call("CLIENT", "INFO")).decode()


def test_quit_from_a_monitor(raw, raw_factory):
    mon = start_monitor(raw_factory)
    mon.send(b"QUIT\r\n")
    data, closed = mon.read_until_closed(5.0)
    assert closed and data.startswith(b"+OK\r\n"), data


def test_monitor_closed_stops_feeding_and_fast_path_returns(raw, raw_factory, server):
    """After the last monitor leaves, clients keep being served (and a new monitor starts clean)."""
    mon = start_monitor(raw_factory)
    mon.close()
    for i in range(50):
        assert raw.call("SET", f"x{i}", "v") == b"+OK\r\n"
    mon2 = start_monitor(raw_factory)
    raw.call("GET", "x1")
    assert monitor_line(mon2) == (addr(raw), b'"GET" "x1"')


def test_monitor_that_never_reads_is_dropped_at_the_output_limit(start_extra):
    """A monitor's lines count against client_output_buffer_limit like any reply: a monitor that
    does not read is disconnected, it does not grow the server without bound.  (Redis's normal
    class has no limit by default; Redistill's is 1 GB, here 1 MB.)"""
    sp = start_extra(config_text='[server]\nclient_output_buffer_limit = "1mb"\n')
    mon = RawClient(sp.host, sp.port, 5.0)
    writer = RawClient(sp.host, sp.port, 5.0)
    try:
        mon.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        assert mon.call("MONITOR") == b"+OK\r\n"
        batch = b"".join(encode_command("SET", "k", "v" * 1000) for _ in range(200))
        deadline = time.monotonic() + 60
        gone = False
        while time.monotonic() < deadline and not gone:   # ~200 KB of lines per round
            writer.send(batch)
            writer.replies(200)
            gone = " flags=O " not in parse(writer.call("CLIENT", "LIST")).decode()
        assert gone, "the monitor was never dropped"
        assert writer.call("SET", "k", "1") == b"+OK\r\n"
    finally:
        mon.close()
        writer.close()


def test_monitor_over_tls(start_extra, tls_files):
    """A TLS monitor (its lines go out through the TLS path) sees a plain client's commands, and a
    plain monitor sees a TLS client's."""
    import ssl
    from servers import free_port

    tp = free_port()
    sp = start_extra(config_text="[security]\ntls_enabled = true\n"
                                 f'tls_cert_path = "{tls_files.server_cert}"\n'
                                 f'tls_key_path = "{tls_files.server_key}"\ntls_port = {tp}\n')
    ctx = ssl.create_default_context(cafile=str(tls_files.ca))
    tls_mon = RawClient(sp.host, tp, 10.0)
    tls_mon.sock = ctx.wrap_socket(tls_mon.sock, server_hostname="localhost")
    plain, plain_mon = RawClient(sp.host, sp.port, 10.0), RawClient(sp.host, sp.port, 10.0)
    tls_cli = RawClient(sp.host, tp, 10.0)
    tls_cli.sock = ctx.wrap_socket(tls_cli.sock, server_hostname="localhost")
    try:
        assert tls_mon.call("MONITOR") == b"+OK\r\n"
        assert plain_mon.call("MONITOR") == b"+OK\r\n"
        assert plain.call("SET", "p", "1") == b"+OK\r\n"
        assert tls_cli.call("GET", "p") == b"$1\r\n1\r\n"
        for mon in (tls_mon, plain_mon):
            assert monitor_line(mon) == (addr(plain), b'"SET" "p" "1"')
            assert monitor_line(mon) == (addr(tls_cli), b'"GET" "p"')
    finally:
        for c in (tls_mon, plain, plain_mon, tls_cli):
            c.close()
