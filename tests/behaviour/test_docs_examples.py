"""Doc examples don't rot: the examples in README.md and docs/*.md are run here.

- redis-cli sessions: fenced blocks made of `$ redis-cli ARGS` lines, each followed by its expected
  output, from README.md and docs/QUICKSTART.md.  Each block runs in order on an emptied server with
  Debian's redis-cli (`--no-raw`, so the output is the interactive format the docs show) and every
  command's output must equal the lines under it.
- Python examples: the ```python blocks of those files that use redis-py are executed against the
  started server (port 6379 replaced by the server's); their asserts are the expected results.
- TOML examples: every ```toml block of README.md, CONFIG.md, PRODUCTION_GUIDE.md and QUICKSTART.md is
  loaded with the server's own loader (redistill.config.load_config) and must load without error.  Paths
  to files that must exist (password_file, TLS certificates) are pointed at stand-in files first.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from servers import ROOT, _flushall

REDIS_CLI = shutil.which("redis-cli")
SESSION_DOCS = ("README.md", "docs/QUICKSTART.md")
TOML_DOCS = ("README.md", "docs/CONFIG.md", "docs/PRODUCTION_GUIDE.md", "docs/QUICKSTART.md")
_FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.M | re.S)
_FILE_KEYS = re.compile(r'^(\s*(password_file|tls_cert_path|tls_key_path|tls_ca_cert_path)\s*=\s*)"[^"]*"', re.M)


def fenced_blocks(doc: str, lang: str | None = None) -> list[tuple[int, str, str]]:
    """(line number, language, body) of each fenced block of a doc, optionally of one language."""
    text = (ROOT / doc).read_text()
    out = []
    for m in _FENCE.finditer(text):
        if lang is None or m.group(1) == lang:
            out.append((text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2)))
    return out


def cli_sessions(doc: str) -> list[tuple[str, list[tuple[list[str], list[str]]]]]:
    """[(id, [(redis-cli args, expected output lines), ...])] for blocks whose commands are all redis-cli."""
    sessions = []
    for line_no, _lang, body in fenced_blocks(doc):
        lines = body.rstrip("\n").split("\n")
        if not lines or not lines[0].startswith("$ "):
            continue
        steps: list[tuple[list[str], list[str]]] = []
        for line in lines:
            if line.startswith("$ "):
                argv = shlex.split(line[2:])
                if argv[0] != "redis-cli":
                    steps = []
                    break
                steps.append((argv[1:], []))
            else:
                steps[-1][1].append(line)
        if steps:
            sessions.append((f"{doc}:{line_no}", steps))
    return sessions


SESSIONS = [s for doc in SESSION_DOCS for s in cli_sessions(doc)]
PY_BLOCKS = [(f"{doc}:{n}", body) for doc in SESSION_DOCS for n, _l, body in fenced_blocks(doc, "python")
             if "import redis" in body]
TOML_BLOCKS = [(f"{doc}:{n}", body) for doc in TOML_DOCS for n, _l, body in fenced_blocks(doc, "toml")]


def test_the_docs_have_examples_to_run():
    # A parser that finds nothing would make every test below pass vacuously.
    assert {sid.split(":")[0] for sid, _ in SESSIONS} == set(SESSION_DOCS)
    assert any(sid.startswith("docs/QUICKSTART.md") for sid, _ in PY_BLOCKS)
    assert {sid.split(":")[0] for sid, _ in TOML_BLOCKS} == set(TOML_DOCS)


@pytest.mark.skipif(REDIS_CLI is None, reason="redis-cli not found (apt-get install redis-tools)")
@pytest.mark.parametrize("steps", [s for _, s in SESSIONS], ids=[sid for sid, _ in SESSIONS])
def test_redis_cli_session(server, steps):
    if server.password:
        pytest.skip("the doc sessions assume a server without a password")
    _flushall(server.host, server.port)
    for args, expected in steps:
        assert not {"-h", "-p", "-a"} & set(args), f"doc session sets its own connection options: {args}"
        out = subprocess.run([REDIS_CLI, "--no-raw", "-h", server.host, "-p", str(server.port), *args],
                             capture_output=True, text=True, timeout=10)
        assert out.returncode == 0, out.stderr
        assert out.stdout.rstrip("\n").split("\n") == expected, f"$ redis-cli {shlex.join(args)}"


@pytest.mark.parametrize("code", [b for _, b in PY_BLOCKS], ids=[sid for sid, _ in PY_BLOCKS])
def test_python_example(server, code):
    pytest.importorskip("redis")
    _flushall(server.host, server.port)
    assert "port=6379" in code, "the example should connect to the default port"
    exec(compile(code.replace("port=6379", f"port={server.port}"), "<doc example>", "exec"), {})


@pytest.mark.parametrize("text", [b for _, b in TOML_BLOCKS], ids=[sid for sid, _ in TOML_BLOCKS])
def test_toml_example_loads(tmp_path, text):
    from redistill.config import load_config

    stand_in = tmp_path / "stand-in"
    stand_in.write_text("stand-in-password\n")
    conf = tmp_path / "redistill.toml"
    conf.write_text(_FILE_KEYS.sub(lambda m: f'{m.group(1)}"{stand_in}"', text))
    cfg = load_config(["--config", str(conf)], environ={})
    assert cfg.port > 0
