"""CONFIG GET * against redis-server 7.0.15: the same parameter names, and every one of them accepts the
value CONFIG GET prints for it (Redis's "CONFIG sanity" test, unit/introspection.tcl, with its skip list)."""

from __future__ import annotations

from resp import RespSocket, parse

# unit/introspection.tcl's skip list for "CONFIG sanity": immutable parameters, and tls-* without TLS.
SANITY_SKIP = set("""
    rdbchecksum daemonize io-threads-do-reads tcp-backlog always-show-logo syslog-enabled cluster-enabled
    disable-thp aclfile unixsocket pidfile syslog-ident appendfilename appenddirname supervised
    syslog-facility databases io-threads logfile unixsocketperm replicaof slaveof requirepass
    server_cpulist bio_cpulist aof_rewrite_cpulist bgsave_cpulist set-proc-title cluster-config-file
    cluster-port oom-score-adj oom-score-adj-values enable-protected-configs enable-debug-command
    enable-module-command dbfilename logfile dir socket-mark-id
    tls-prefer-server-ciphers tls-session-cache-timeout tls-session-cache-size tls-session-caching
    tls-cert-file tls-key-file tls-client-cert-file tls-client-key-file tls-dh-params-file
    tls-ca-cert-file tls-ca-cert-dir tls-protocols tls-ciphers tls-ciphersuites tls-port
""".split())


def config_all(sock: RespSocket) -> dict[bytes, bytes]:
    reply = parse(sock.call("CONFIG", "GET", "*"))
    pairs = list(zip(reply[0::2], reply[1::2]))
    assert len(pairs) == len(dict(pairs)), "each parameter listed once"
    return dict(pairs)


def test_config_get_star_lists_redis_parameters(server, redis_server):
    ours, theirs = RespSocket(server.host, server.port), RespSocket(redis_server.host, redis_server.port)
    try:
        mine, redis = set(config_all(ours)), set(config_all(theirs))
    finally:
        ours.close()
        theirs.close()
    assert len(redis) > 150
    assert sorted(redis - mine) == [], "parameters redis-server lists and Redistill does not"
    assert sorted(mine - redis) == [], "parameters Redistill lists and redis-server does not"


def test_config_sanity(server):
    """Each parameter set to the value CONFIG GET printed: OK, and CONFIG GET * unchanged after."""
    s = RespSocket(server.host, server.port)
    try:
        before = config_all(s)
        for name, value in before.items():
            if name.decode() in SANITY_SKIP:
                continue
            assert s.call("CONFIG", "SET", name, value) == b"+OK\r\n", (name, value)
        assert config_all(s) == before
    finally:
        s.close()
