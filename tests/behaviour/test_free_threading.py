"""Free-threaded CPython (docs/FREE_THREADING.md): the GIL is really off in the server process, and
shared Python state stays consistent when workers truly run at once.

On a GIL build these run too (the GIL check then expects 1, the stress tests still check exact
counts).  `make test-ft` sets REDISTILL_EXPECT_FREE_THREADED=1, so a run that silently fell back
to a GIL interpreter fails instead of passing.
"""

import os
import subprocess

import pytest

from resp import RespSocket
from servers import redistill_python, run_threads

EXPECT_FT = os.environ.get("REDISTILL_EXPECT_FREE_THREADED") == "1"


def _info(sock: RespSocket, section: str) -> dict[str, str]:
    reply = sock.call("INFO", section)
    body = reply.split(b"\r\n", 1)[1].decode()
    return dict(line.split(":", 1) for line in body.split("\r\n") if ":" in line)


def _interpreter_facts() -> tuple[bool, tuple[int, int]]:
    """(built with --disable-gil, version) of the interpreter servers are started with."""
    out = subprocess.run(
        [redistill_python(), "-c", "import sys, sysconfig; "
         "print(int(bool(sysconfig.get_config_var('Py_GIL_DISABLED'))), *sys.version_info[:2])"],
        capture_output=True, text=True, timeout=60, check=True).stdout.split()
    return out[0] == "1", (int(out[1]), int(out[2]))


def test_server_runs_without_the_gil_on_a_free_threaded_build(server):
    if server.is_redis:
        pytest.skip("Redistill's INFO fields")
    free_threaded, version = _interpreter_facts()
    if EXPECT_FT:
        assert free_threaded, f"REDISTILL_PYTHON={redistill_python()} is not a free-threaded build"
    s = RespSocket(server.host, server.port)
    try:
        info = _info(s, "server")
    finally:
        s.close()
    # Nothing the server imported (the core, hiredis, ...) may have turned the GIL back on.
    assert info["python_gil_enabled"] == ("0" if free_threaded else "1"), info
    # cffi supports free-threading from 3.14; before that the ctypes loader is the only way
    # (REDISTILL_CORE=ctypes forces it on any interpreter without the cffi extension).
    forced = os.environ.get("REDISTILL_CORE") == "ctypes"
    loader = "ctypes" if forced or free_threaded and version < (3, 14) else "cffi"
    assert info["redistill_core_loader"] == loader, info


def test_config_set_on_several_workers_loses_no_change(start_extra, target):
    """CONFIG SET replaces the whole configuration with a modified copy: without a lock, two of them
    on different workers at once lose one's change (each thread owns one parameter here, so after
    each SET its own value must read back, whatever the others did meanwhile)."""
    if target == "redis":
        pytest.skip("Redistill's worker threads")
    sp = start_extra(["--threads", "2"])
    params = {"timeout": 100000, "tcp-keepalive": 200000, "maxclients": 5000, "maxmemory": 1 << 40}
    rounds = 200

    def owner(name, base):
        def run():
            s = RespSocket(sp.host, sp.port, timeout=30)
            try:
                for i in range(rounds):
                    value = str(base + i).encode()
                    assert s.call("CONFIG", "SET", name, value) == b"+OK\r\n"
                    got = s.call("CONFIG", "GET", name)
                    assert got.endswith(b"\r\n%s\r\n" % value), (name, value, got)
            finally:
                s.close()
        return run

    run_threads([owner(n, b) for n, b in params.items()], timeout=120)
    s = RespSocket(sp.host, sp.port)
    try:
        for name, base in params.items():
            assert s.call("CONFIG", "GET", name).endswith(b"\r\n%d\r\n" % (base + rounds - 1))
    finally:
        s.close()


def test_counters_exact_under_parallel_clients(start_extra, target):
    """INCR from several connections spread over the workers: the key and INFO's merged per-thread
    counters (commandstats, total_commands_processed) must both count every call exactly once."""
    if target == "redis":
        pytest.skip("Redistill's worker threads")
    sp = start_extra(["--threads", "2"])
    clients, per_client = 6, 400

    def incr():
        s = RespSocket(sp.host, sp.port, timeout=30)
        try:
            for _ in range(per_client):
                assert s.call("INCR", "ft:counter").startswith(b":")
            assert s.call("HINCRBY", "ft:hash", "f", "1").startswith(b":")   # a Python-path command
        finally:
            s.close()

    run_threads([incr] * clients, timeout=120)
    s = RespSocket(sp.host, sp.port)
    try:
        assert s.call("GET", "ft:counter") == b"$%d\r\n%d\r\n" % (len(str(clients * per_client)),
                                                                    clients * per_client)
        assert s.call("HGET", "ft:hash", "f") == b"$1\r\n%d\r\n" % clients
        stats = _info(s, "commandstats")
        assert stats["cmdstat_incr"].startswith(f"calls={clients * per_client},"), stats
        assert stats["cmdstat_hincrby"].startswith(f"calls={clients},"), stats
    finally:
        s.close()


def test_gil_stays_off_after_the_slow_paths(start_extra, target):
    """Nothing on the request path may import a module that turns the GIL back on (hiredis would,
    for the whole process): the GIL is still off after big frames (protocol.decode_big_frame, whose
    many-argument branch would use hiredis), KEYS, FLUSHALL ASYNC, DEBUG, CONFIG SET, SORT, a
    blocking pop and the introspection commands have run, on both workers."""
    if target == "redis":
        pytest.skip("Redistill's INFO fields")
    free_threaded, _ = _interpreter_facts()
    sp = start_extra(["--threads", "2", "--enable-debug-command", "yes"])
    chunk = b"v" * 12000                       # 100 of them: a frame past protocol.BIG_FRAME
    many = [b"ft:k%d" % i if j == 0 else chunk for i in range(100) for j in range(2)]
    socks = [RespSocket(sp.host, sp.port, timeout=30) for _ in range(4)]   # spread over the workers
    try:
        for s in socks:
            # MSETNX and SETRANGE: never on the C fast path, so the frames reach Python's decoder.
            assert s.call("MSETNX", *many) in (b":1\r\n", b":0\r\n")
            assert s.call("SETRANGE", "ft:big", "0", b"x" * (2 << 20)) == b":%d\r\n" % (2 << 20)
            assert s.call("RPUSH", "ft:l", "3", "1", "2").startswith(b":")
            assert s.call("SORT", "ft:l").startswith(b"*")
            assert s.call("BLPOP", "ft:empty", "0.01") in (b"*-1\r\n", b"_\r\n")
            assert s.call("KEYS", "ft:*").startswith(b"*")
            assert s.call("DEBUG", "OBJECT", "ft:big").startswith(b"+Value at:")
            assert s.call("DEBUG", "DIGEST-VALUE", "ft:l").startswith(b"*1\r\n")
            assert s.call("CONFIG", "SET", "proto-max-bulk-len", "4mb") == b"+OK\r\n"
            assert s.call("CONFIG", "GET", "*").startswith(b"*")
            for cmd in (("CLIENT", "LIST"), ("SLOWLOG", "GET"), ("INFO", "everything"), ("COMMAND", "DOCS", "get")):
                assert not s.call(*cmd).startswith(b"-"), cmd
            assert s.call("FLUSHALL", "ASYNC") == b"+OK\r\n"
        for s in socks:
            assert _info(s, "server")["python_gil_enabled"] == ("0" if free_threaded else "1")
    finally:
        for s in socks:
            s.close()
