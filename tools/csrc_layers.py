"""The call graph between csrc/ files, from the objects themselves: each file compiled alone
(gcc -c), its undefined symbols matched with the file that defines them (nm).  Prints each file's
dependencies, layer by layer (a file's layer is one above the highest layer it calls into), and
exits 1 when files call each other in a circle: then it prints every such group.

    python tools/csrc_layers.py [--quiet]

tests/unit/test_csrc_layers.py runs it, so the graph stays layered."""
from __future__ import annotations

import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import luaflags  # noqa: E402  (tools/luaflags.py, beside this file: the Lua engine's include path)

CSRC = Path(__file__).resolve().parent.parent / "csrc"
DEFINED = set("TDBRCVG")   # nm's kinds of global definitions (code, data, bss, read-only, common)
# One module kept in two files for size: its files call each other freely, as static functions of
# one file would, and the graph shows them as one node.
MODULES = {"t_stream_cg": "t_stream",   # a stream's consumer groups, inside the stream type
           "script_call": "script",     # the Lua engine: redis.call and the type conversions
           "script_conv": "script",
           "function": "script",       # the functions engine: FUNCTION and FCALL beside EVAL
           "function_dump": "script",
           "rdb_stream": "rdb"}        # the RDB encoding: streams apart


def _symbols(src: Path, out: Path) -> tuple[str, set[str], set[str]]:
    obj = out / (src.stem + ".o")
    subprocess.run(["gcc", "-O0", "-std=c11", "-D_GNU_SOURCE", "-fPIC", f"-I{CSRC}", *luaflags.cflags(),
                    "-c", str(src), "-o", str(obj)], check=True)
    defs, undef = set(), set()
    for line in subprocess.run(["nm", str(obj)], capture_output=True, text=True, check=True).stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undef.add(parts[1])
        elif len(parts) == 3 and parts[1] in DEFINED:
            defs.add(parts[2])
    return MODULES.get(src.stem, src.stem), defs, undef


def call_graph() -> dict[str, dict[str, set[str]]]:
    """file -> {file it calls into -> the symbols it uses there}, for csrc/*.c."""
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=2) as pool:
        found = list(pool.map(lambda s: _symbols(s, Path(tmp)), sorted(CSRC.glob("*.c"))))
    owner = {sym: name for name, defs, _ in found for sym in defs}
    graph: dict[str, dict[str, set[str]]] = {name: {} for name, _, _ in found}
    for name, _, undef in found:
        for sym in undef:
            to = owner.get(sym)
            if to and to != name:
                graph[name].setdefault(to, set()).add(sym)
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """The groups of files that call each other in a circle (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def layers(graph: dict[str, dict[str, set[str]]]) -> dict[str, int]:
    """Each file's layer in an acyclic graph: 0 calls no other file, n calls into layers below n."""
    done: dict[str, int] = {}

    def layer(v: str) -> int:
        if v not in done:
            done[v] = 1 + max((layer(w) for w in graph[v]), default=-1)
        return done[v]

    for v in graph:
        layer(v)
    return done


def main() -> int:
    graph = call_graph()
    groups = cycles(graph)
    if groups:
        for group in groups:
            print("cycle:", " <-> ".join(group))
            for f in group:
                for to in sorted(set(graph[f]) & set(group)):
                    print(f"  {f} -> {to}: {', '.join(sorted(graph[f][to]))}")
        return 1
    if "--quiet" not in sys.argv:
        by_layer = layers(graph)
        for n in range(max(by_layer.values()) + 1):
            for f in sorted(v for v, k in by_layer.items() if k == n):
                print(f"{n:2d} {f:12s} -> {', '.join(sorted(graph[f])) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
