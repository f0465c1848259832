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


# Parameters whose odd values would change how the servers under test serve (listeners, passwords,
# limits, client eviction, snapshots): their parsing is covered by scripts.py's CONFIG_PARAMS.
NOT_FUZZED = SANITY_SKIP | {
    "port", "bind", "requirepass", "masterauth", "masteruser", "maxmemory", "maxmemory-clients", "appendonly",
    "timeout", "maxclients", "loglevel", "client-query-buffer-limit", "proto-max-bulk-len", "save",
    "client-output-buffer-limit", "tcp-keepalive", "protected-mode", "maxmemory-policy", "min-replicas-to-write",
    "min-slaves-to-write"}
ODD_VALUES = ["abc", "-1", "0", "1", "99999999999999999999", "1mb", "yes", "no", "10%", "", " 2 3", "2  3",
              "-2147483649", "4294967296", "0x10", "007", "1k", "1.5", "inf", "+1", "1e3", "default save",
              "nosave now force"]


def test_every_parameter_parses_odd_values_as_redis(server, redis_server):
    """Each parameter set to odd values on both servers: the same reply, the same value read back."""
    ours, theirs = RespSocket(server.host, server.port), RespSocket(redis_server.host, redis_server.port)
    differ = []
    try:
        for name in sorted(config_all(theirs)):
            if name.decode() in NOT_FUZZED or name.startswith(b"tls-"):   # redis-server has no TLS set up
                continue
            original = {s: parse(s.call("CONFIG", "GET", name))[1] for s in (ours, theirs)}
            for value in ODD_VALUES:
                got = [(s.call("CONFIG", "SET", name, value), parse(s.call("CONFIG", "GET", name))[1])
                       for s in (ours, theirs)]
                if got[0][0] != got[1][0] or got[0][0] == b"+OK\r\n" and got[0][1] != got[1][1]:
                    differ.append((name, value, got))
                for s in (ours, theirs):
                    assert s.call("CONFIG", "SET", name, original[s]) == b"+OK\r\n", (name, original[s])
    finally:
        ours.close()
        theirs.close()
    assert differ == []
