"""CONFIG SET's effects, seen from clients: all-or-nothing changes, listeners that move with bind/port,
requirepass cleared for clients already connected, maxmemory past 2^64, proto-max-bulk-len in the
protocol parser, client-output-buffer-limit on connected clients.  Each runs on Redistill and, with
--target redis, on redis-server 7.0.15 (the specification)."""

import socket
import time

import pytest

from servers import RawClient, free_port

PW = "s3cret-pw"


def conn(sp, port=None, timeout=10.0):
    return RawClient(sp.host, port or sp.port, timeout)


def admin(sp, port=None):
    c = conn(sp, port)
    if sp.password:
        assert c.call("AUTH", sp.password) == b"+OK\r\n"
    return c


def get(c, name):
    """CONFIG GET of one parameter, its value as text (RESP2 array of name and value)."""
    rep = c.call("CONFIG", "GET", name).split(b"\r\n")
    assert rep[0] == b"*2", rep
    return rep[4].decode()


def refused(port):
    with socket.socket() as s:
        s.settimeout(5)
        return s.connect_ex(("127.0.0.1", port)) != 0


# ---- all or nothing ---------------------------------------------------------------------------------

def test_a_bad_value_changes_nothing(start_extra):
    sp = start_extra()
    c = admin(sp)
    assert c.call("CONFIG", "SET", "maxmemory", "10000002") == b"+OK\r\n"
    before = {n: get(c, n) for n in ("maxmemory-clients", "client-query-buffer-limit", "timeout")}
    rep = c.call("CONFIG", "SET", "maxmemory", "10000001", "timeout", "7", "maxmemory-clients", "200%",
                 "client-query-buffer-limit", "invalid")
    assert rep == (b"-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - "
                   b"percentage argument must be less or equal to 100\r\n")
    assert get(c, "maxmemory") == "10000002"
    assert {n: get(c, n) for n in before} == before


def test_a_failed_apply_rolls_back_and_the_server_stays_where_it_was(start_extra):
    """The new port cannot be bound: the error names it, and every other change is undone."""
    sp = start_extra()
    c = admin(sp)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        rep = c.call("CONFIG", "SET", "maxmemory", "10000001", "port", str(taken.getsockname()[1]),
                     "client-query-buffer-limit", "10m")
    finally:
        taken.close()
    assert rep.startswith(b"-ERR CONFIG SET failed (possibly related to argument 'port') - "
                          b"Unable to listen on this port"), rep
    assert get(c, "maxmemory") == "0"
    assert get(c, "client-query-buffer-limit") == "1073741824"
    assert get(c, "port") == str(sp.port)
    fresh = conn(sp)
    assert fresh.call("PING") == b"+PONG\r\n"


def test_port_moves_the_listener(start_extra):
    sp = start_extra()
    c = admin(sp)
    new_port = free_port()
    assert c.call("CONFIG", "SET", "port", str(new_port)) == b"+OK\r\n"
    assert get(c, "port") == str(new_port)
    assert c.call("PING") == b"+PONG\r\n"            # connections already made stay
    assert admin(sp, new_port).call("PING") == b"+PONG\r\n"
    assert refused(sp.port)
    # Back, so the launcher's stop and checks find it where it started.
    assert c.call("CONFIG", "SET", "port", str(sp.port)) == b"+OK\r\n"
    assert admin(sp).call("PING") == b"+PONG\r\n"


def test_bind_to_an_address_that_is_not_here_fails_and_keeps_the_old_one(start_extra):
    sp = start_extra()
    c = admin(sp)
    assert c.call("CONFIG", "SET", "bind", "192.0.2.1") == (
        b"-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.\r\n")
    assert get(c, "bind") in ("127.0.0.1", "* -::*")
    assert conn(sp).call("PING") == b"+PONG\r\n"
    # The value CONFIG GET prints is always accepted (nothing to rebind).
    assert c.call("CONFIG", "SET", "bind", get(c, "bind")) == b"+OK\r\n"


# ---- requirepass "" ---------------------------------------------------------------------------------

def test_clearing_requirepass_lets_earlier_clients_in(start_extra):
    sp = start_extra(["--requirepass", PW], password=PW)
    early = conn(sp)
    assert early.call("GET", "k").startswith(b"-NOAUTH"), "needs AUTH while the password is set"
    c = admin(sp)
    assert c.call("CONFIG", "SET", "requirepass", "") == b"+OK\r\n"
    assert early.call("SET", "k", "v") == b"+OK\r\n"
    assert early.call("GET", "k") == b"$1\r\nv\r\n"
    big = "x" * 20000          # past the frame limits of unauthenticated clients
    assert early.call("SET", "big", big) == b"+OK\r\n"
    # It never authenticated: with a password again it needs AUTH again, as in Redis.
    assert c.call("CONFIG", "SET", "requirepass", PW) == b"+OK\r\n"
    assert early.call("GET", "k").startswith(b"-NOAUTH")
    assert c.call("GET", "k") == b"$1\r\nv\r\n"      # AUTH'ed clients stay in


# ---- maxmemory past 2^64 ----------------------------------------------------------------------------

def test_maxmemory_saturates_as_redis_does(start_extra):
    sp = start_extra()
    c = admin(sp)
    assert c.call("CONFIG", "SET", "maxmemory", "99999999999999999999") == b"+OK\r\n"
    assert get(c, "maxmemory") == "18446744073709551615"
    assert b"\r\nmaxmemory:-1\r\n" in c.call("INFO", "memory")   # Redis prints it with %lld
    assert c.call("SET", "k", "v") == b"+OK\r\n"          # a limit nothing reaches
    assert c.call("CONFIG", "SET", "maxmemory", "-1").startswith(b"-ERR CONFIG SET failed")
    assert get(c, "maxmemory") == "18446744073709551615"


# ---- proto-max-bulk-len -----------------------------------------------------------------------------

def _set_frame(size):
    return b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n" % size


def test_proto_max_bulk_len_bounds_request_arguments(start_extra):
    sp = start_extra()
    c = admin(sp)
    assert c.call("CONFIG", "SET", "proto-max-bulk-len", "1000") == (
        b"-ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - "
        b"argument must be between 1048576 and 9223372036854775807 inclusive\r\n")
    assert c.call("CONFIG", "SET", "proto-max-bulk-len", "1mb") == b"+OK\r\n"
    assert get(c, "proto-max-bulk-len") == "1048576"
    over = conn(sp)
    over.send(_set_frame(1048577))
    assert over.expect_closed() == b"-ERR Protocol error: invalid bulk length\r\n"
    exact = conn(sp)
    exact.send(_set_frame(1048576) + b"a" * 1048576 + b"\r\n")
    assert exact.reply() == b"+OK\r\n"
    assert c.call("CONFIG", "SET", "proto-max-bulk-len", "2mb") == b"+OK\r\n"
    bigger = conn(sp)
    bigger.send(_set_frame(1048577) + b"a" * 1048577 + b"\r\n")
    assert bigger.reply() == b"+OK\r\n"


# ---- client-output-buffer-limit ---------------------------------------------------------------------

def test_client_output_buffer_limit_syntax(start_extra):
    sp = start_extra()
    c = admin(sp)
    fail = b"-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - "
    for value, reason in (("normal 1 2", b"Wrong number of arguments in buffer limit configuration."),
                          ("master 1 2 3", b"Invalid client class specified in buffer limit configuration."),
                          ("normal x 2 3", b"Error in hard, soft or soft_seconds setting in buffer limit configuration."),
                          ("normal 1 2 -3", b"Error in hard, soft or soft_seconds setting in buffer limit configuration.")):
        assert c.call("CONFIG", "SET", "client-output-buffer-limit", value) == fail + reason + b"\r\n", value
    assert c.call("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 2mb 10 replica 1gb 512mb 5") == b"+OK\r\n"
    assert get(c, "client-output-buffer-limit") == (
        "normal 1048576 2097152 10 slave 1073741824 536870912 5 pubsub 33554432 8388608 60")
    assert c.call("CONFIG", "SET", "client-output-buffer-limit", "PUBSUB 1k 1k 1") == b"+OK\r\n"
    assert get(c, "client-output-buffer-limit").endswith(" pubsub 1000 1000 1")


def test_client_output_buffer_limit_drops_a_connected_client(start_extra):
    sp = start_extra()
    c = admin(sp)
    assert c.call("SET", "big", "x" * (2 << 20)) == b"+OK\r\n"
    victim = conn(sp)
    assert victim.call("PING") == b"+PONG\r\n"   # connected before the change
    assert c.call("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0") == b"+OK\r\n"
    assert victim.call("PING") == b"+PONG\r\n"
    victim.send(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n")
    got = victim.expect_closed(timeout=10)
    assert len(got) < (2 << 20), "a reply past the hard limit must not be delivered whole"
    # No limit: the same reply arrives whole.
    assert c.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0") == b"+OK\r\n"
    reader = conn(sp)
    assert reader.call("GET", "big") == b"$%d\r\n%s\r\n" % (2 << 20, b"x" * (2 << 20))


def test_client_output_buffer_soft_limit_closes_a_client_that_stays_over_it(start_extra):
    sp = start_extra()
    c = admin(sp)
    size = 4 << 20
    assert c.call("SET", "big", "x" * size) == b"+OK\r\n"
    assert c.call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 1mb 1") == b"+OK\r\n"
    assert get(c, "client-output-buffer-limit").startswith("normal 0 1048576 1 ")
    slow = conn(sp)
    slow.send(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 4)   # 16 MB of replies it does not read
    time.sleep(3)                                       # over the soft limit for more than 1 s
    slow.send(b"*1\r\n$4\r\nPING\r\n")                  # Redis checks when a reply is added
    got = slow.expect_closed(timeout=10)
    assert len(got) < 4 * (size + 16), "the client must be closed before all its replies are sent"
    # A client whose replies stay under the soft limit is never closed.
    assert c.call("SET", "small", "x" * 1000) == b"+OK\r\n"
    reader = conn(sp)
    for _ in range(4):
        assert reader.call("GET", "small") == b"$1000\r\n%s\r\n" % (b"x" * 1000)
        time.sleep(0.7)
    assert reader.call("PING") == b"+PONG\r\n"


def test_loglevel_applies_at_once(start_extra):
    sp = start_extra(kind="redistill")   # Redistill's log lines: redis-server's differ
    c = admin(sp)
    deadline = time.monotonic() + 10     # workers serve before the main thread logs its Ready line
    while "Ready to accept connections" not in sp.stderr_text(100000) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert c.call("CONFIG", "SET", "loglevel", "warning") == b"+OK\r\n"
    c.close()
    assert sp.stop() == 0
    log = sp.stderr_text(100000)
    assert "Ready to accept connections" in log          # notice, before the change
    assert "shutting down" not in log and "bye bye" not in log, log   # notice, after it


def test_client_query_buffer_limit_applies_to_connected_clients(start_extra):
    sp = start_extra()
    c = admin(sp)
    early = conn(sp)
    assert early.call("PING") == b"+PONG\r\n"      # connected before the change
    assert c.call("CONFIG", "SET", "client-query-buffer-limit", "1mb") == b"+OK\r\n"
    assert early.call("PING") == b"+PONG\r\n"
    try:   # a 3 MB value, only half sent: past the 1 MB limit the client is dropped without a reply
        early.send(_set_frame(3 << 20) + b"a" * (3 << 19))
    except OSError:
        pass                                       # already closed while sending
    assert early.expect_closed(timeout=10) == b""
    assert c.call("PING") == b"+PONG\r\n"


def test_proto_max_bulk_len_bounds_setrange_and_append(start_extra):
    sp = start_extra()
    c = admin(sp)
    toobig = b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"
    assert c.call("CONFIG", "SET", "proto-max-bulk-len", "1mb") == b"+OK\r\n"
    assert c.call("SETRANGE", "s", str(1 << 20), "x") == toobig
    assert c.call("SETRANGE", "s", str((1 << 20) - 1), "x") == b":1048576\r\n"
    assert c.call("APPEND", "s", "y") == toobig
    assert c.call("CONFIG", "SET", "proto-max-bulk-len", "2mb") == b"+OK\r\n"
    assert c.call("APPEND", "s", "y") == b":1048577\r\n"


def test_sensitive_parameters_are_redacted_in_the_slowlog(start_extra):
    sp = start_extra()
    c = admin(sp)
    assert c.call("CONFIG", "SET", "slowlog-log-slower-than", "0") == b"+OK\r\n"
    for name in ("masteruser", "masterauth", "requirepass"):
        assert c.call("CONFIG", "SET", name, "s3cret") == b"+OK\r\n"
        assert c.call("CONFIG", "SET", name, "") == b"+OK\r\n"
    log = c.call("SLOWLOG", "GET", "-1")
    assert b"s3cret" not in log
    assert log.count(b"(redacted)") == 6


def test_bind_moves_on_the_same_port(start_extra):
    """A new address on the port already served: the old listeners give way to the new ones."""
    sp = start_extra()
    c = admin(sp)
    assert c.call("CONFIG", "SET", "bind", "localhost") == b"+OK\r\n"
    assert get(c, "bind") == "localhost"
    assert conn(sp).call("PING") == b"+PONG\r\n"    # localhost is 127.0.0.1 here
    assert c.call("CONFIG", "SET", "bind", "127.0.0.1") == b"+OK\r\n"
    assert conn(sp).call("PING") == b"+PONG\r\n"
    assert c.call("PING") == b"+PONG\r\n"
