"""The compiler and linker flags of the Lua engine (csrc/script*.c): Debian's Lua 5.1 with its
lua-cjson and lua-bitop, the one place every build of csrc/ takes them from (build_ffi.py, the
Makefile's gcc lines, tests/core's programs).

    python3 tools/luaflags.py --cflags    ->  -I/usr/include/lua5.1
    python3 tools/luaflags.py --libs      ->  -llua5.1-cjson -llua5.1-bitop -llua5.1 -lm
    python3 tools/luaflags.py --sources   ->  csrc/lua/*.c (our cmsgpack and struct), when present
    python3 tools/luaflags.py --packages  ->  the Debian packages that provide them (make lua-deps)

All three as shared libraries (Debian's liblua5.1-cjson.a has objects that are not position
independent, so it cannot go into the extension); at run time that needs the packages liblua5.1-0,
lua-cjson and lua-bitop (RUNTIME_PACKAGES), which the -dev packages (PACKAGES) pull in.
"""
from __future__ import annotations

import glob
import os
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE = "/usr/include/lua5.1"
PACKAGES = ("liblua5.1-0-dev", "lua-cjson-dev", "lua-bitop-dev")
RUNTIME_PACKAGES = ("liblua5.1-0", "lua-cjson", "lua-bitop")
LIBRARIES = ("lua5.1-cjson", "lua5.1-bitop", "lua5.1", "m")


def cflags() -> list[str]:
    return [f"-I{INCLUDE}"]


def libs() -> list[str]:
    return [f"-l{name}" for name in LIBRARIES]


def sources(root: str = HERE) -> list[str]:
    """Our own Lua libraries' C files, relative to root."""
    return sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "csrc", "lua", "*.c")))


if __name__ == "__main__":
    out = {"--cflags": cflags, "--libs": libs, "--sources": sources, "--packages": lambda: list(PACKAGES)}
    print(" ".join(out[sys.argv[1]]()))
