"""Writes csrc/commands_generated.h, C's view of the command table (table.py), at build time.

build_ffi.py runs it before cffi compiles csrc/, and the Makefile before the builds that compile
csrc/*.c with gcc directly; the header is also checked in, so a bare gcc of csrc/*.c works, and
tests/unit/test_commands_table.py fails when it is stale.  Loaded by path, not through the package
(whose __init__ needs the compiled core):  python redistill/commands/gen_header.py [--check]
"""
from __future__ import annotations

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.path.join(HERE, "..", "..", "csrc", "commands_generated.h")


def _table():
    spec = importlib.util.spec_from_file_location("redistill_command_table", os.path.join(HERE, "table.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _macro(name: str, comment: str, entries: list[str]) -> str:
    body = "".join(f" \\\n    {e}" for e in entries)
    return f"/* {comment} */\n#define {name}(X){body}\n"


def render() -> str:
    rows = [r for r in _table().TABLE if r.c is not None]   # only top-level commands run in C
    for r in rows:
        if not r.name.isidentifier():
            raise ValueError(f"{r.name}: a C command needs a name that is a C identifier")
    fast = [f"X({r.name}, {r.arity}, {r.c_fn or 'cmd_' + r.name})" for r in rows if r.c == "fast"]
    tx = [f"X({r.name}, {r.arity})" for r in rows if r.c == "tx"]
    exec_only = [f"X({r.name}, {r.arity})" for r in rows if r.c == "exec"]
    wakes = [f"X({r.name})" for r in rows if r.c == "tx" and r.wakes]
    return "\n".join([
        "/* commands_generated.h: GENERATED from redistill/commands/table.py by",
        " * redistill/commands/gen_header.py at build time.  Do not edit: change the table's row. */",
        "#ifndef RD_COMMANDS_GENERATED_H",
        "#define RD_COMMANDS_GENERATED_H",
        "",
        _macro("FAST_COMMANDS", 'c="fast": the fast path\'s own handlers (fastpath.c): X(name, arity, handler)', fast),
        _macro("TYPE_COMMANDS", 'c="tx": type commands (tx_<name>), on the fast path and through rd_exec: '
               "X(name, arity)", tx),
        _macro("EXEC_COMMANDS", 'c="exec": type commands through rd_exec only, never on the fast path: '
               "X(name, arity)", exec_only),
        _macro("WAKING_COMMANDS", 'wakes=True among the type commands: they may add a key a blocked client '
               "waits on: X(name)", wakes),
        "#endif",
        "",
    ])


def main(argv: list[str]) -> int:
    text = render()
    try:
        with open(HEADER, encoding="utf-8") as f:
            current = f.read()
    except FileNotFoundError:
        current = None
    if "--check" in argv:
        if current != text:
            print(f"{os.path.normpath(HEADER)} is stale: run python redistill/commands/gen_header.py",
                  file=sys.stderr)
            return 1
        return 0
    if current != text:   # untouched when current, so make sees no change
        with open(HEADER, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
