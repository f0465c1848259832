"""redistill/config.py: defaults, each source and their precedence, size units, one-line errors."""

import os

import pytest

from redistill import config as C
from redistill.config import Config, ConfigError, load_config, parse_size, redis_params


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path, monkeypatch):
    """Run each test in an empty folder, so a ./redistill.toml elsewhere is never read."""
    monkeypatch.chdir(tmp_path)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def load(argv=(), env=None):
    return load_config(list(argv), env or {})


def error_of(argv=(), env=None) -> str:
    with pytest.raises(ConfigError) as info:
        load(argv, env)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message and message.strip() == message
    return message


# ---- defaults ---------------------------------------------------------------


def test_defaults():
    cfg = load()
    assert cfg == Config(threads=C.default_threads())
    assert (cfg.bind, cfg.port, cfg.max_connections, cfg.health_check_port) == ("127.0.0.1", 6379, 10000, 8080)
    assert cfg.threads >= 1
    assert cfg.fastpath is True and cfg.password is None and cfg.protected_mode is True
    assert (cfg.max_memory, cfg.eviction_policy) == (0, "allkeys-lru")
    assert (cfg.log_level, cfg.log_format) == ("notice", "text")
    assert cfg.shutdown_grace_period == 30.0 and cfg.tcp_keepalive == 300 and cfg.timeout == 0


def test_config_is_frozen():
    with pytest.raises(Exception):
        load().port = 1


def test_every_config_field_has_a_knob():
    assert {f for f in Config.__dataclass_fields__} == {k.field for k in C.KNOBS}


# ---- sources and precedence -------------------------------------------------------


BRIEF_EXAMPLE = """
[server]
bind = "127.0.0.1"
port = 6379
max_connections = 10000
health_check_port = 8080

[security]
password = "your-password"
tls_enabled = false

[memory]
max_memory = 2147483648  # 2GB
eviction_policy = "allkeys-lru"
"""


def test_brief_example_loads(tmp_path):
    cfg = load(["--config", write(tmp_path / "r.toml", BRIEF_EXAMPLE)])
    assert cfg.password == "your-password" and cfg.max_memory == 2 * 1024**3 and cfg.port == 6379


def test_every_key_from_toml(tmp_path):
    (tmp_path / "cert.pem").write_text("x")
    (tmp_path / "key.pem").write_text("x")
    path = write(tmp_path / "all.toml", """
[server]
bind = "0.0.0.0"
port = 7000
threads = 3
max_connections = 50
health_check_port = 0
timeout = 60
tcp_keepalive = 0
fastpath = false
connection_rate_limit = 100
shutdown_grace_period = 2.5
[security]
password = "pw"
protected_mode = false
tls_enabled = true
tls_port = 7001
tls_cert_path = "cert.pem"
tls_key_path = "key.pem"
[memory]
max_memory = "64mb"
eviction_policy = "volatile-ttl"
[logging]
level = "debug"
format = "json"
""")
    cfg = load(["--config", path])
    assert cfg == Config(
        bind="0.0.0.0", port=7000, threads=3, max_connections=50, health_check_port=0, timeout=60,
        tcp_keepalive=0, fastpath=False, connection_rate_limit=100, shutdown_grace_period=2.5,
        password="pw", protected_mode=False, tls_enabled=True, tls_port=7001,
        tls_cert_path=str(tmp_path / "cert.pem"), tls_key_path=str(tmp_path / "key.pem"),
        max_memory=64 * 1024**2, eviction_policy="volatile-ttl", log_level="debug", log_format="json",
    )


def test_default_file_in_cwd_is_read(tmp_path):
    write(tmp_path / "redistill.toml", "[server]\nport = 7100\n")
    assert load().port == 7100


def test_env_values():
    env = {"REDISTILL_PORT": "7200", "REDISTILL_FASTPATH": "0", "REDISTILL_MAX_MEMORY": "1gb",
           "REDISTILL_PASSWORD": "secret", "REDISTILL_LOG_LEVEL": "warning",
           "REDISTILL_SHUTDOWN_GRACE_PERIOD": "0.5", "REDISTILL_EVICTION_POLICY": "ALLKEYS-LFU"}
    cfg = load(env=env)
    assert (cfg.port, cfg.fastpath, cfg.max_memory, cfg.password) == (7200, False, 1024**3, "secret")
    assert (cfg.log_level, cfg.shutdown_grace_period, cfg.eviction_policy) == ("warning", 0.5, "allkeys-lfu")


def test_unrelated_and_empty_env_vars_are_ignored():
    cfg = load(env={"REDISTILL_CFLAGS": "-O0", "REDISTILL_PORT": "", "PORT": "1"})
    assert cfg.port == 6379


def test_cli_values():
    cfg = load(["--bind", "::1", "--port", "7300", "--threads", "2", "--requirepass", "pw",
                "--maxmemory", "2gb", "--maxmemory-policy", "noeviction", "--maxclients", "7",
                "--loglevel", "verbose", "--health-check-port", "0", "--no-fastpath"])
    assert (cfg.bind, cfg.port, cfg.threads, cfg.password) == ("::1", 7300, 2, "pw")
    assert (cfg.max_memory, cfg.eviction_policy, cfg.max_connections) == (2 * 1024**3, "noeviction", 7)
    assert (cfg.log_level, cfg.health_check_port, cfg.fastpath) == ("verbose", 0, False)


def test_precedence_cli_over_env_over_toml_over_default(tmp_path):
    path = write(tmp_path / "p.toml", "[server]\nport = 1001\nthreads = 3\nmax_connections = 5\n")
    env = {"REDISTILL_PORT": "1002", "REDISTILL_THREADS": "4"}
    cfg = load(["--config", path, "--port", "1003"], env)
    assert cfg.port == 1003            # CLI beats env and TOML
    assert cfg.threads == 4            # env beats TOML
    assert cfg.max_connections == 5    # TOML beats the default
    assert cfg.bind == "127.0.0.1"     # default
    assert load(["--config", path, "--fastpath"], {"REDISTILL_FASTPATH": "0"}).fastpath is True


def test_threads_zero_means_one_per_cpu_but_one():
    assert load(["--threads", "0"]).threads == C.default_threads() == max(1, C.cpu_count() - 1)


def test_password_file(tmp_path):
    write(tmp_path / "pw.txt", "  hunter2\n")
    path = write(tmp_path / "s.toml", '[security]\npassword_file = "pw.txt"\n')
    assert load(["--config", path]).password == "hunter2"   # relative to the TOML file, stripped
    assert load(env={"REDISTILL_PASSWORD_FILE": str(tmp_path / "pw.txt")}).password == "hunter2"
    assert load(["--config", path, "--requirepass", "cli"]).password == "cli"


def test_empty_password_means_none(tmp_path):
    assert load(["--config", write(tmp_path / "e.toml", '[security]\npassword = ""\n')]).password is None


@pytest.mark.parametrize("text,expected", [
    ("0", 0), ("100", 100), ("1k", 1000), ("1kb", 1024), ("1K", 1000), ("1KB", 1024),
    ("512kb", 512 * 1024), ("64mb", 64 * 1024**2), ("1m", 10**6), ("1g", 10**9), ("2gb", 2 * 1024**3),
    ("2GB", 2 * 1024**3), ("10b", 10),
])
def test_size_units(text, expected):
    assert parse_size(text) == expected
    assert load(["--maxmemory", text]).max_memory == expected


@pytest.mark.parametrize("text", ["", "-1", "1.5gb", "1tb", "gb", "1 g b", "99999999999gb"])
def test_bad_sizes(text):
    with pytest.raises(ValueError):
        parse_size(text)


def test_redis_params():
    params = redis_params(load(["--maxmemory", "1kb", "--requirepass", "pw", "--threads", "2"]))
    assert params["maxmemory"] == "1024" and params["requirepass"] == "pw" and params["io-threads"] == "2"
    assert params["databases"] == "1"
    # Persistence is off: the stored parameters start as such (no save points, no AOF).
    from redistill.redis_params import BY_NAME
    assert BY_NAME["save"].default == "" and BY_NAME["appendonly"].default == "no"
    assert set(params) <= set(BY_NAME), "every Config-backed name is one of Redis's parameters"
    assert params["maxmemory-policy"] == "allkeys-lru" and params["port"] == "6379"
    assert params["protected-mode"] == "yes" and params["maxclients"] == "10000"
    assert all(isinstance(v, str) for v in params.values())
    assert redis_params(load())["requirepass"] == ""


# ---- errors: one line naming the key and what is allowed --------------------------------


def test_unknown_key(tmp_path):
    msg = error_of(["--config", write(tmp_path / "u.toml", "[server]\nprot = 1\n")])
    assert msg.startswith("server.prot:") and "unknown key" in msg and "port" in msg


def test_unknown_section(tmp_path):
    msg = error_of(["--config", write(tmp_path / "u.toml", "[cluster]\nenabled = true\n")])
    assert "[cluster]" in msg and "unknown section" in msg and "server, security, memory, persistence, logging" in msg


def test_top_level_key(tmp_path):
    msg = error_of(["--config", write(tmp_path / "u.toml", "port = 1\n")])
    assert msg.startswith("port:") and "[server]" in msg


def test_bad_policy(tmp_path):
    msg = error_of(["--config", write(tmp_path / "p.toml", '[memory]\neviction_policy = "sometimes"\n')])
    assert msg.startswith("memory.eviction_policy:") and '"sometimes"' in msg
    assert all(p in msg for p in C.EVICTION_POLICIES)


def test_bad_toml_names_the_line(tmp_path):
    msg = error_of(["--config", write(tmp_path / "bad.toml", "[server]\nport = 1\nbind = \n")])
    assert "bad.toml" in msg and "invalid TOML" in msg and "line 3" in msg


def test_missing_config_file(tmp_path):
    msg = error_of(["--config", str(tmp_path / "absent.toml")])
    assert msg.startswith("--config:") and "absent.toml" in msg


@pytest.mark.parametrize("toml,key", [
    ('[server]\nport = "6379"\n', "server.port"),
    ("[server]\nport = 1.5\n", "server.port"),
    ("[server]\nfastpath = 1\n", "server.fastpath"),
    ("[server]\nthreads = true\n", "server.threads"),
    ("[server]\nbind = 127\n", "server.bind"),
    ("[memory]\nmax_memory = 1.5\n", "memory.max_memory"),
    ("[logging]\nlevel = 3\n", "logging.level"),
    ("[server]\nport = [1]\n", "server.port"),
    ("server = 1\n", "server"),
])
def test_wrong_type(tmp_path, toml, key):
    msg = error_of(["--config", write(tmp_path / "t.toml", toml)])
    assert msg.startswith(key + ":") and "expected" in msg


@pytest.mark.parametrize("toml,key,allowed", [
    ("[server]\nport = 0\n", "server.port", "1..65535"),
    ("[server]\nport = 70000\n", "server.port", "1..65535"),
    ("[server]\nhealth_check_port = -1\n", "server.health_check_port", "0..65535"),
    ("[server]\nmax_connections = 0\n", "server.max_connections", "1..1000000"),
    ("[server]\nthreads = 5000\n", "server.threads", "0..1024"),
    ("[server]\nshutdown_grace_period = -1\n", "server.shutdown_grace_period", "0..3600"),
    ("[server]\nbind = \"not an address\"\n", "server.bind", "address"),
    ('[logging]\nlevel = "loud"\n', "logging.level", "debug, verbose, notice, warning"),
    ('[logging]\nformat = "xml"\n', "logging.format", "text, json"),
    ('[memory]\nmax_memory = "lots"\n', "memory.max_memory", "kb=1024"),
    ("[memory]\nmax_memory = -5\n", "memory.max_memory", "kb=1024"),
])
def test_bad_values(tmp_path, toml, key, allowed):
    msg = error_of(["--config", write(tmp_path / "v.toml", toml)])
    assert msg.startswith(key + ":") and allowed in msg


def test_env_errors_name_the_variable():
    assert error_of(env={"REDISTILL_PORT": "abc"}).startswith("REDISTILL_PORT:")
    assert error_of(env={"REDISTILL_FASTPATH": "maybe"}).startswith("REDISTILL_FASTPATH:")
    assert error_of(env={"REDISTILL_MAX_MEMORY": "1.5gb"}).startswith("REDISTILL_MAX_MEMORY:")


def test_cli_errors_name_the_flag():
    assert error_of(["--port", "0"]).startswith("--port:")
    assert error_of(["--maxmemory-policy", "sometimes"]).startswith("--maxmemory-policy:")
    assert "--nope" in error_of(["--nope"])
    assert "--port" in error_of(["--port"])


def test_tls_needs_cert_and_key(tmp_path):
    msg = error_of(["--config", write(tmp_path / "t.toml", "[security]\ntls_enabled = true\n")])
    assert msg.startswith("security.tls_cert_path:") and "tls_enabled" in msg
    msg = error_of(["--config", write(tmp_path / "t2.toml",
                                      '[security]\ntls_enabled = true\ntls_cert_path = "c.pem"\n'
                                      'tls_key_path = "k.pem"\n')])
    assert msg.startswith("security.tls_cert_path:") and "c.pem" in msg
    # TLS paths are only checked when TLS is on
    load(["--config", write(tmp_path / "t3.toml", '[security]\ntls_cert_path = "c.pem"\n')])


def test_password_and_password_file_are_exclusive(tmp_path):
    write(tmp_path / "pw.txt", "x")
    msg = error_of(["--config", write(tmp_path / "x.toml",
                                      '[security]\npassword = "a"\npassword_file = "pw.txt"\n')])
    assert "security.password" in msg and "password_file" in msg


def test_password_file_problems(tmp_path):
    msg = error_of(["--config", write(tmp_path / "m.toml", '[security]\npassword_file = "nope.txt"\n')])
    assert msg.startswith("security.password_file:") and "nope.txt" in msg
    write(tmp_path / "empty.txt", "\n")
    msg = error_of(["--config", write(tmp_path / "e.toml", '[security]\npassword_file = "empty.txt"\n')])
    assert msg.startswith("security.password_file:") and "empty" in msg


def test_port_clash():
    msg = error_of(["--port", "7000", "--health-check-port", "7000"])
    assert msg.startswith("--health-check-port:")


def test_help_and_version_exit_zero(capsys):
    for flag in ("--help", "--version"):
        with pytest.raises(SystemExit) as info:
            load([flag])
        assert info.value.code == 0
    assert "0.1.0" in capsys.readouterr().out


def test_docs_mention_every_knob():
    docs = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "CONFIG.md")
    with open(docs, encoding="utf-8") as f:
        text = f.read()
    for knob in C.KNOBS:
        assert f"`{knob.key}`" in text and knob.env in text, knob
        if knob.cli:
            assert knob.cli in text, knob


def test_docs_name_every_redis_parameter():
    """docs/CONFIG.md says for each Redis parameter whether CONFIG SET applies it, refuses it or stores it."""
    from redistill.redis_params import PARAMS
    docs = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "CONFIG.md")
    with open(docs, encoding="utf-8") as f:
        text = f.read()
    missing = [p.name for p in PARAMS if f"`{p.name}`" not in text]
    assert missing == []
