"""The C binding has two faces: only redistill/core.py and redistill/keyspace.py import
redistill._core (whichever loader built it); every other module calls their names and never
handles cffi's `ffi` or `lib` itself.  Read from the sources, so no C build is needed."""
from __future__ import annotations

import ast
import pathlib

import redistill

PACKAGE = pathlib.Path(redistill.__file__).parent
FACES = {"core.py", "keyspace.py"}
# The loader's own files: _core_ctypes.py is the core itself, _core_loader.py names it to
# redirect its import (it never imports it).
LOADER = {"_core_ctypes.py", "_core_loader.py"}


def _module_parts(node: ast.ImportFrom) -> list[str]:
    return (node.module or "").split(".")


def _violations(tree: ast.AST) -> list[str]:
    """Ways a module reaches the compiled core: imports of _core, of its ffi/lib, attribute
    access to a `.ffi` / `.lib`, a bare `ffi` / `lib` name, or the module's dotted name in a string
    (importlib)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if "_core" in a.name.split(".")]
        elif isinstance(node, ast.ImportFrom):
            names = {a.name for a in node.names}
            if "_core" in _module_parts(node) or "_core" in names or names & {"ffi", "lib"}:
                found.append(f"from {'.' * node.level}{node.module or ''} import {', '.join(sorted(names))}")
        elif isinstance(node, ast.Attribute) and node.attr in ("ffi", "lib"):
            found.append(f"attribute .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in ("ffi", "lib"):
            found.append(f"name {node.id}")
        elif isinstance(node, ast.Constant) and node.value == "redistill._core":
            found.append('the string "redistill._core"')
    return found


def test_only_the_faces_touch_the_compiled_core():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in FACES or rel in LOADER:
            continue
        found = _violations(ast.parse(path.read_text(encoding="utf-8"), rel))
        if found:
            offenders[rel] = found
    assert offenders == {}, f"only {sorted(FACES)} may use redistill._core: {offenders}"


def test_the_faces_do_import_the_core():
    # The check above would pass vacuously if the faces were renamed: they must be where it says.
    for name in FACES:
        tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"), name)
        assert _violations(tree), f"{name} is expected to be a face of redistill._core"


def test_the_check_sees_every_import_form():
    forms = [
        "import redistill._core", "import redistill._core as c", "from redistill._core import lib",
        "from redistill import _core", "from . import _core", "from .. import _core",
        "from ._core import ffi", "from .._core import lib", "from redistill.core import lib",
        "x = core.ffi.new('int *')", "importlib.import_module('redistill._core')",
        "lib.rd_ks_exclusive_begin(ks.ptr)",
    ]
    for src in forms:
        assert _violations(ast.parse(src)), src
    assert not _violations(ast.parse("from redistill import core\ncore.conn_io(c, fd, 1)"))
