"""Connection limits: max_connections, connection_rate_limit per source address, idle timeout, TCP keepalive,
and the INFO counters and log lines that report them."""

import re
import shutil
import socket
import subprocess
import time

import pytest
import redis

from servers import RawClient

MAXCLIENTS = b"-ERR max number of clients reached\r\n"
RATE_LIMITED = b"-ERR max number of new connections per second reached for this address\r\n"


def info(sp, section="stats"):
    c = redis.Redis(host=sp.host, port=sp.port, socket_timeout=10)
    try:
        return c.info(section)
    finally:
        c.close()


def connect(sp, timeout=10.0):
    return RawClient(sp.host, sp.port, timeout)


def connect_served(sp, tries=100):
    """A connection that got PONG.  Bounded retries: the slot of the launcher's readiness PING
    (or of a client just closed) is freed only once the server has seen that close."""
    for _ in range(tries):
        c = connect(sp)
        rep = c.call("PING")
        if rep == b"+PONG\r\n":
            return c
        assert rep in (MAXCLIENTS, b""), rep
        c.close()
        time.sleep(0.05)
    pytest.fail("no slot was freed")


def test_max_connections_rejects_with_redis_error(start_extra):
    sp = start_extra(["--maxclients", "2"], kind="redistill")
    a = connect_served(sp)
    b = connect_served(sp)
    try:
        c = connect(sp)
        assert c.expect_closed() == MAXCLIENTS
        c.close()
        b.close()
        connect_served(sp).close()   # b's slot is free again once its close is seen
    finally:
        a.close()
    stats = info(sp)
    assert stats["rejected_connections"] >= 1
    assert stats["redistill_rate_limited_connections"] == 0
    assert "Rejected client 127.0.0.1:" in sp.stderr_text(100000)
    assert "max number of clients reached (2)" in sp.stderr_text(100000)


def test_config_set_maxclients_applies(start_extra):
    sp = start_extra([])
    admin = redis.Redis(host=sp.host, port=sp.port, socket_timeout=10)
    try:
        assert admin.config_set("maxclients", "1") is True
        c = connect(sp)
        assert c.expect_closed() == MAXCLIENTS
        c.close()
        assert admin.config_set("maxclients", "100") is True
        c = connect(sp)
        assert c.call("PING") == b"+PONG\r\n"
        c.close()
    finally:
        admin.close()


def test_connection_rate_limit_per_address(start_extra):
    sp = start_extra(config_text="[server]\nconnection_rate_limit = 3\n")
    # The limit counts per second; 12 connections span at most two one-second windows.
    accepted = rejected = 0
    for _ in range(12):
        c = connect(sp)
        rep = c.call("PING")
        if rep == b"+PONG\r\n":
            accepted += 1
        else:
            assert rep == RATE_LIMITED, rep
            assert c.expect_closed() == b""
            rejected += 1
        c.close()
    assert rejected >= 1 and accepted <= 6, (accepted, rejected)
    # A new second lets the address in again (bounded retries).
    for _ in range(60):
        c = connect(sp)
        ok = c.call("PING") == b"+PONG\r\n"
        c.close()
        if ok:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the address stayed rate-limited")
    stats = info(sp)
    # info() itself is a new connection and may have been limited too: it succeeded, so it isn't counted.
    assert stats["redistill_rate_limited_connections"] >= rejected
    assert stats["rejected_connections"] == stats["redistill_rate_limited_connections"]
    assert "connection_rate_limit reached (3/s)" in sp.stderr_text(100000)


def test_idle_timeout_closes_idle_clients_only(start_extra):
    sp = start_extra(config_text="[server]\ntimeout = 2\n")
    idle, busy = connect(sp, timeout=30), connect(sp, timeout=30)
    try:
        assert idle.call("PING") == b"+PONG\r\n"
        # busy talks every 0.2 s until idle is closed (bounded: 60 rounds = 12 s)
        for _ in range(60):
            assert busy.call("PING") == b"+PONG\r\n"
            idle.sock.settimeout(0.2)
            try:
                data = idle.sock.recv(100)
            except socket.timeout:
                continue
            assert data == b"", data
            break
        else:
            pytest.fail("the idle client was never closed")
        assert busy.call("PING") == b"+PONG\r\n"
    finally:
        idle.close()
        busy.close()
    assert info(sp)["redistill_timedout_clients"] >= 1


def test_config_set_timeout_applies(start_extra):
    sp = start_extra([])
    admin = redis.Redis(host=sp.host, port=sp.port, socket_timeout=10)
    try:
        assert admin.config_get("timeout") == {"timeout": "0"}
        assert admin.config_set("timeout", "1") is True
        c = connect(sp, timeout=30)
        assert c.call("PING") == b"+PONG\r\n"
        assert c.expect_closed(timeout=15) == b""
        c.close()
    finally:
        admin.close()


@pytest.mark.skipif(shutil.which("ss") is None, reason="ss (iproute2) not installed")
def test_tcp_keepalive_on_client_sockets(start_extra):
    sp = start_extra(config_text="[server]\ntcp_keepalive = 120\n")
    c = connect(sp)
    try:
        assert c.call("PING") == b"+PONG\r\n"
        client_port = c.sock.getsockname()[1]
        out = subprocess.run(["ss", "-tnoH", "state", "established", f"( sport = :{sp.port} and dport = :{client_port} )"],
                             capture_output=True, text=True, timeout=10).stdout
        assert re.search(r"timer:\(keepalive,", out), out
    finally:
        c.close()
