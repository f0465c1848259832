"""Hash flooding defence: the SipHash key is random per keyspace (seed 0) and the server seeds its keyspace
from os.urandom at start, so two processes bucket keys differently."""

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

from test_core_sanitizers import _luaflags

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CSRC = ROOT / "csrc"
GCC = shutil.which("gcc")
LUA = _luaflags()


@pytest.mark.skipif(GCC is None, reason="gcc not found")
def test_seed_zero_is_random_per_keyspace(tmp_path):
    exe = tmp_path / "seed_check"
    others = [str(p) for p in sorted(CSRC.glob("*.c")) + sorted(CSRC.glob("lua/*.c")) if p.name != "keyspace.c"]
    build = subprocess.run([GCC, "-O1", "-std=c11", f"-I{CSRC}", *LUA.cflags(), str(HERE / "seed_check.c"), *others,
                            "-o", str(exe), "-lpthread", *LUA.libs()], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stdout + run.stderr


def test_server_seeds_the_keyspace_from_urandom():
    """Server.run creates its Keyspace with bytes from os.urandom (or 0, which makes C draw getrandom)."""
    tree = ast.parse((ROOT / "redistill" / "server.py").read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "Keyspace"]
    assert calls, "Server never creates a Keyspace"
    for call in calls:
        src = ast.unparse(call)
        assert "os.urandom" in src or src in ("Keyspace()", "Keyspace(0)"), src
