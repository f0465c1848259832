"""TLS through real clients (redis-py ssl=True, redis-cli --tls): a TLS port beside the plain one, TLS on the main
port, client-certificate verification, big values and pipelines through the non-blocking TLS path, AUTH over TLS,
bad certificates at start.  Certificates are made by the tls_files fixture (openssl CLI)."""

import shutil
import signal
import socket
import ssl
import subprocess
import time

import pytest
import redis

from servers import RawClient, free_port, redistill_python

needs_cli = pytest.mark.skipif(shutil.which("redis-cli") is None, reason="redis-cli not installed")


def tls_config(files, tls_port=None, ca=False):
    lines = ["[security]", "tls_enabled = true", f'tls_cert_path = "{files.server_cert}"',
             f'tls_key_path = "{files.server_key}"']
    if tls_port is not None:
        lines.append(f"tls_port = {tls_port}")
    if ca:
        lines.append(f'tls_ca_cert_path = "{files.ca}"')
    return "\n".join(lines) + "\n"


def tls_ping(files, port, cert=None, key=None):
    """PING over a raw TLS socket (no client retries): the reply, or the exception raised."""
    ctx = ssl.create_default_context(cafile=str(files.ca))
    if cert:
        ctx.load_cert_chain(str(cert), str(key))
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            with ctx.wrap_socket(s, server_hostname="localhost") as t:
                t.sendall(b"*1\r\n$4\r\nPING\r\n")
                return t.recv(100)
    except (ssl.SSLError, OSError) as e:
        return e


def tls_client(files, port, **kw):
    kw.setdefault("socket_timeout", 10)
    return redis.Redis(host="127.0.0.1", port=port, ssl=True, ssl_ca_certs=str(files.ca), **kw)


@pytest.fixture
def side_by_side(start_extra, tls_files):
    """Plain on the main port, TLS on tls_port."""
    tp = free_port()
    sp = start_extra(config_text=tls_config(tls_files, tp))
    return sp, tp


def test_plain_and_tls_ports_side_by_side(side_by_side, tls_files):
    sp, tp = side_by_side
    t = tls_client(tls_files, tp)
    p = redis.Redis(host=sp.host, port=sp.port, socket_timeout=10)
    try:
        assert t.set("k", "over tls") is True
        assert p.get("k") == b"over tls"          # one keyspace
        assert p.set("n", 10) and t.incrby("n", 5) == 15
        assert t.ping() is True
        info = t.info("server")
        assert info["tcp_port"] == sp.port
        # RESP3 (redis-py's default) and RESP2 over TLS
        t2 = tls_client(tls_files, tp, protocol=2)
        assert t2.get("k") == b"over tls"
        t2.close()
    finally:
        t.close()
        p.close()


def test_tls_pipelines_and_big_values(side_by_side, tls_files):
    """Bigger than the TLS record size and than C's 4 MB output limit: partial SSL writes,
    backpressure and resumption all go through the TLS buffer path."""
    _, tp = side_by_side
    t = tls_client(tls_files, tp)
    try:
        big = bytes(range(256)) * 20_000          # 5 MB
        assert t.set("big", big) is True
        assert t.get("big") == big
        pipe = t.pipeline(transaction=False)
        for i in range(2000):
            pipe.set(f"p{i}", i)
            pipe.get(f"p{i}")
        out = pipe.execute()
        assert out[1::2] == [str(i).encode() for i in range(2000)]
        assert t.pipeline(transaction=False).get("big").get("big").execute() == [big, big]
        with pytest.raises(redis.ResponseError, match="unknown command"):
            t.execute_command("NOSUCH")
    finally:
        t.close()


@needs_cli
def test_redis_cli_tls(side_by_side, tls_files):
    _, tp = side_by_side
    base = ["redis-cli", "-h", "127.0.0.1", "-p", str(tp), "--tls", "--cacert", str(tls_files.ca)]
    out = subprocess.run(base + ["SET", "cli", "tls-ok"], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "OK", out
    out = subprocess.run(base + ["GET", "cli"], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "tls-ok", out
    # Without --tls the TLS port does not answer RESP.
    out = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(tp), "PING"], capture_output=True,
                         text=True, timeout=30)
    assert "PONG" not in out.stdout


@needs_cli
def test_redis_benchmark_over_tls(side_by_side, tls_files):
    if shutil.which("redis-benchmark") is None:
        pytest.skip("redis-benchmark not installed")
    _, tp = side_by_side
    out = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(tp), "--tls", "--cacert",
                          str(tls_files.ca), "-n", "2000", "-c", "4", "-P", "8", "-t", "set,get", "-q"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out
    assert "SET:" in out.stdout and "GET:" in out.stdout, out


def test_plaintext_on_tls_port_is_dropped_and_counted(side_by_side, tls_files):
    sp, tp = side_by_side
    c = RawClient("127.0.0.1", tp, 10)
    c.send(b"PING\r\n")
    data = c.expect_closed(timeout=15)
    assert b"PONG" not in data
    c.close()
    p = redis.Redis(host=sp.host, port=sp.port, socket_timeout=10)
    for _ in range(100):  # the failure is counted as the server closes; bounded re-read
        if p.info("stats")["redistill_tls_handshake_failures"] >= 1:
            break
        time.sleep(0.05)
    assert p.info("stats")["redistill_tls_handshake_failures"] >= 1
    p.close()


def test_silent_tls_client_does_not_block_others(side_by_side, tls_files):
    """A client that connects to the TLS port and never handshakes holds no thread."""
    sp, tp = side_by_side
    silent = [socket.create_connection(("127.0.0.1", tp), timeout=10) for _ in range(4)]
    try:
        t = tls_client(tls_files, tp)
        assert t.set("x", "1") is True and t.get("x") == b"1"
        t.close()
    finally:
        for s in silent:
            s.close()


def test_client_certificates_required_with_ca(start_extra, tls_files):
    tp = free_port()
    start_extra(config_text=tls_config(tls_files, tp, ca=True))
    ok = tls_client(tls_files, tp, ssl_certfile=str(tls_files.client_cert), ssl_keyfile=str(tls_files.client_key))
    assert ok.set("mtls", "yes") is True
    ok.close()
    assert tls_ping(tls_files, tp, tls_files.client_cert, tls_files.client_key) == b"+PONG\r\n"
    for cert, key in ((None, None), (tls_files.rogue_cert, tls_files.rogue_key)):
        rep = tls_ping(tls_files, tp, cert, key)
        assert isinstance(rep, Exception) or rep == b"", rep


@needs_cli
def test_redis_cli_with_client_certificate(start_extra, tls_files):
    tp = free_port()
    start_extra(config_text=tls_config(tls_files, tp, ca=True))
    base = ["redis-cli", "-h", "127.0.0.1", "-p", str(tp), "--tls", "--cacert", str(tls_files.ca)]
    out = subprocess.run(base + ["--cert", str(tls_files.client_cert), "--key", str(tls_files.client_key), "PING"],
                         capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "PONG", out
    out = subprocess.run(base + ["PING"], capture_output=True, text=True, timeout=30)
    assert "PONG" not in out.stdout, out


def test_auth_over_tls(start_extra, tls_files):
    tp = free_port()
    start_extra(["--requirepass", "tlspw"], config_text=tls_config(tls_files, tp))
    assert tls_ping(tls_files, tp) == b"-NOAUTH Authentication required.\r\n"
    t = tls_client(tls_files, tp, password="tlspw")
    assert t.set("a", "b") is True
    t.close()


def _start_tls_main_port(tls_files, tmp_path):
    """TLS on the main port (tls_port = 0): the conftest launcher PINGs in plain text, so this one
    waits with a TLS client instead."""
    port = free_port()
    cfg = tmp_path / "redistill.toml"
    cfg.write_text(tls_config(tls_files))
    err = open(tmp_path / "stderr.log", "wb")
    proc = subprocess.Popen([redistill_python(), "-m", "redistill", "--port", str(port), "--threads", "2",
                             "--health-check-port", "0", "--config", str(cfg)],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
    err.close()
    for _ in range(300):
        if proc.poll() is not None:
            pytest.fail((tmp_path / "stderr.log").read_text())
        try:
            c = tls_client(tls_files, port, socket_connect_timeout=1)
            if c.ping():
                c.close()
                return proc, port
        except (redis.ConnectionError, OSError):
            time.sleep(0.05)
    proc.kill()
    pytest.fail("TLS server did not answer")


def test_tls_on_the_main_port_and_graceful_stop(tls_files, tmp_path):
    proc, port = _start_tls_main_port(tls_files, tmp_path)
    try:
        t = tls_client(tls_files, port)
        assert t.set("m", "1") is True and t.get("m") == b"1"
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        raw.sendall(b"*1\r\n$4\r\nPING\r\n")
        try:   # plaintext is not served on a TLS port: closed (or reset), never answered
            assert b"PONG" not in raw.recv(100)
        except ConnectionResetError:
            pass
        raw.close()
        held = tls_client(tls_files, port)
        assert held.ping() is True
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        held.close()
        t.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = (tmp_path / "stderr.log").read_text()
    assert "Ready to accept connections tls" in log, log


def test_bad_certificate_fails_start(tls_files, tmp_path):
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate\n")
    cfg = tmp_path / "redistill.toml"
    cfg.write_text(f'[security]\ntls_enabled = true\ntls_cert_path = "{bogus}"\ntls_key_path = "{bogus}"\n')
    out = subprocess.run([redistill_python(), "-m", "redistill", "--port", str(free_port()), "--config", str(cfg),
                          "--health-check-port", "0"], capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert out.returncode == 1
    assert "Could not load the TLS certificate or key" in out.stderr


def test_blocked_tls_client_is_served_and_its_close_is_seen(side_by_side, tls_files):
    """BLPOP over TLS: served by a plain-port push; a second waiter that sends PING and closes
    while blocked is dropped (its wait cancelled), so the next push stays in the list."""
    sp, tp = side_by_side
    p = redis.Redis(host=sp.host, port=sp.port, socket_timeout=10)
    ctx = ssl.create_default_context(cafile=str(tls_files.ca))

    def blocked_clients(n):
        for _ in range(500):   # at most ~10 s
            if p.info("clients")["blocked_clients"] == n:
                return
            time.sleep(0.02)
        raise AssertionError(f"blocked_clients never reached {n}")

    try:
        with socket.create_connection(("127.0.0.1", tp), timeout=10) as s:
            with ctx.wrap_socket(s, server_hostname="localhost") as t:
                t.sendall(b"*1\r\n$4\r\nPING\r\n*3\r\n$5\r\nBLPOP\r\n$1\r\nl\r\n$1\r\n0\r\n")
                assert t.recv(7) == b"+PONG\r\n"
                blocked_clients(1)
                assert p.rpush("l", "v") == 1
                got = b""
                while not got.endswith(b"v\r\n"):
                    got += t.recv(100)
                assert got == b"*2\r\n$1\r\nl\r\n$1\r\nv\r\n"
        s = socket.create_connection(("127.0.0.1", tp), timeout=10)
        t = ctx.wrap_socket(s, server_hostname="localhost")
        t.sendall(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nl\r\n$1\r\n0\r\n")
        blocked_clients(1)
        t.sendall(b"*1\r\n$4\r\nPING\r\n")
        t.close()
        blocked_clients(0)
        assert p.rpush("l", "kept") == 1
        assert p.lrange("l", 0, -1) == [b"kept"]
    finally:
        p.close()


def test_config_set_port_keeps_each_port_speaking_what_it_spoke(side_by_side, tls_files, tmp_path):
    """Plain main port moved: plain on the new one, the TLS port untouched; TLS main port moved: TLS."""
    sp, tp = side_by_side
    p = redis.Redis(host=sp.host, port=sp.port, socket_timeout=10)
    moved = free_port()
    assert p.config_set("port", moved) is True
    assert redis.Redis(host=sp.host, port=moved, socket_timeout=10).ping() is True
    assert tls_ping(tls_files, tp) == b"+PONG\r\n"
    assert p.config_set("port", sp.port) is True   # back, for the launcher's stop
    proc, port = _start_tls_main_port(tls_files, tmp_path)
    try:
        moved = free_port()
        assert tls_client(tls_files, port).config_set("port", moved) is True
        assert tls_ping(tls_files, moved) == b"+PONG\r\n"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_pubsub_over_tls(side_by_side, tls_files):
    """A TLS subscriber gets messages published on the plain port (C queues them, Python encrypts
    them), in order; and a TLS publisher reaches a plain subscriber."""
    sp, tp = side_by_side
    t = tls_client(tls_files, tp, decode_responses=True)
    p = redis.Redis(host=sp.host, port=sp.port, socket_timeout=10, decode_responses=True)
    ps = t.pubsub()
    plain_ps = p.pubsub()
    try:
        ps.subscribe("secure")
        assert ps.get_message(timeout=5)["type"] == "subscribe"
        for i in range(200):
            assert p.publish("secure", str(i)) == 1
        got = []
        deadline = time.monotonic() + 20
        while len(got) < 200 and time.monotonic() < deadline:
            m = ps.get_message(ignore_subscribe_messages=True, timeout=1)
            if m:
                got.append(m["data"])
        assert got == [str(i) for i in range(200)]
        plain_ps.subscribe("open")
        assert plain_ps.get_message(timeout=5)["type"] == "subscribe"
        assert t.publish("open", "from-tls") == 1
        m = None
        while m is None and time.monotonic() < deadline:
            m = plain_ps.get_message(ignore_subscribe_messages=True, timeout=1)
        assert m and m["data"] == "from-tls"
    finally:
        ps.close()
        plain_ps.close()
        t.close()
        p.close()
