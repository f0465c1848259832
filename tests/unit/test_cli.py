"""`python -m redistill` as a user runs it: bad configs exit non-zero with one stderr line, no traceback."""

import os
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run(args, tmp_path, env=None, timeout=30):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REDISTILL_")}
    clean["PYTHONPATH"] = REPO + os.pathsep + clean.get("PYTHONPATH", "")
    clean.update(env or {})
    return subprocess.run([sys.executable, "-m", "redistill", *args], cwd=tmp_path, env=clean,
                          capture_output=True, text=True, timeout=timeout)


def toml(tmp_path, text):
    path = tmp_path / "redistill.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def assert_one_line_error(proc, *needles):
    assert proc.returncode != 0, proc
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("redistill: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.mark.parametrize("text,needles", [
    ('[memory]\neviction_policy = "sometimes"\n', ["memory.eviction_policy", "allkeys-lru", "noeviction"]),
    ("[server]\nprot = 1\n", ["server.prot", "unknown key"]),
    ("[server]\nport = \n", ["invalid TOML", "line 2"]),
    ('[server]\nport = "x"\n', ["server.port", "1..65535"]),
    ("[nope]\n", ["[nope]", "unknown section"]),
])
def test_bad_config_file(tmp_path, text, needles):
    assert_one_line_error(run(["--config", toml(tmp_path, text)], tmp_path), *needles)


def test_default_config_file_is_read(tmp_path):
    toml(tmp_path, '[logging]\nlevel = "shouting"\n')
    assert_one_line_error(run([], tmp_path), "logging.level", "debug, verbose, notice, warning")


def test_missing_config_file(tmp_path):
    assert_one_line_error(run(["--config", "absent.toml"], tmp_path), "--config", "absent.toml")


def test_bad_cli_and_env(tmp_path):
    assert_one_line_error(run(["--port", "99999"], tmp_path), "--port", "1..65535")
    assert_one_line_error(run(["--unknown-flag"], tmp_path), "--unknown-flag")
    assert_one_line_error(run([], tmp_path, env={"REDISTILL_MAX_MEMORY": "lots"}), "REDISTILL_MAX_MEMORY")


def test_help_and_version(tmp_path):
    proc = run(["--help"], tmp_path)
    assert proc.returncode == 0 and "--maxmemory-policy" in proc.stdout and "REDISTILL_PORT" in proc.stdout
    proc = run(["--version"], tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == "redistill 0.1.0"


# ---- main() in-process, with a stand-in Server (server.py is tested elsewhere) --------------


class _FakeServerModule:
    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.configs = []
        outer = self

        class Server:
            def __init__(self, cfg):
                outer.configs.append(cfg)

            def run(self):
                return outer.behaviour()

        self.Server = Server


def _main_with(monkeypatch, tmp_path, behaviour, argv):
    import logging

    from redistill import __main__ as entry

    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith("REDISTILL_")]:
        monkeypatch.delenv(name)
    fake = _FakeServerModule(behaviour)
    monkeypatch.setitem(sys.modules, "redistill.server", fake)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        return entry.main(argv), fake
    finally:
        root.handlers[:], root.level = saved
        logging.addLevelName(logging.INFO, "INFO")  # configure_logging renames it NOTICE


def test_main_runs_the_server_with_the_config(monkeypatch, tmp_path):
    code, fake = _main_with(monkeypatch, tmp_path, lambda: 0, ["--port", "7001", "--no-fastpath"])
    assert code == 0 and fake.configs[0].port == 7001 and fake.configs[0].fastpath is False


def test_main_reports_bind_errors_in_one_line(monkeypatch, tmp_path, capsys):
    def fail():
        raise OSError(98, "Address already in use")

    code, _ = _main_with(monkeypatch, tmp_path, fail, ["--port", "7002"])
    err = capsys.readouterr().err
    assert code == 1 and err.splitlines() == ["redistill: cannot serve on 127.0.0.1:7002: Address already in use"]


def test_main_config_error_and_help(monkeypatch, tmp_path, capsys):
    code, fake = _main_with(monkeypatch, tmp_path, lambda: 0, ["--maxmemory", "lots"])
    assert code == 1 and not fake.configs
    assert capsys.readouterr().err.startswith("redistill: --maxmemory:")
    code, _ = _main_with(monkeypatch, tmp_path, lambda: 0, ["--help"])
    assert code == 0


def test_json_log_lines(capsys):
    import json
    import logging

    from redistill.__main__ import configure_logging
    from redistill.config import Config

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging(Config(threads=1, log_format="json", log_level="verbose"))
        logging.getLogger("redistill.test").log(15, "hello %s", "world")
        logging.getLogger("redistill.test").debug("hidden")
    finally:
        root.handlers[:], root.level = saved
        logging.addLevelName(logging.INFO, "INFO")  # configure_logging renames it NOTICE
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["msg"] == "hello world" and entry["level"] == "verbose" and entry["logger"] == "redistill.test"
