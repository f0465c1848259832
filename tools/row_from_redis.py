"""Prints redistill/commands/table.py rows from a running Redis 7.0 (COMMAND INFO and COMMAND DOCS).

Usage: python tools/row_from_redis.py PORT name [name ...]     (e.g. 6379 getbit "object|freq")
Each row has Redis's arity, flags, the ACL categories Redis does not derive from the flags, group,
since, summary, key specs and tips; fill in the handler ("module.function") and, for a command C runs,
c=...  This is how the table's key specs and ACL categories were read from redis-server 7.0.15.
"""
from __future__ import annotations

import importlib.util
import sys

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent / "tests"))
from resp import RespSocket, parse  # noqa: E402


def _map(v) -> dict:
    """A RESP2 flat list or a RESP3 map, with text keys."""
    items = zip(v[0::2], v[1::2]) if isinstance(v, list) else v.items()
    return {k.decode(): val for k, val in items}


def _table():
    """redistill/commands/table.py, loaded by path (the package needs the compiled core)."""
    path = __import__("pathlib").Path(__file__).resolve().parent.parent / "redistill" / "commands" / "table.py"
    spec = importlib.util.spec_from_file_location("redistill_command_table", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def key_spec(raw) -> str:
    d = _map(raw)
    flags = " ".join(f.decode() for f in d["flags"])
    begin, find = _map(d["begin_search"]), _map(d["find_keys"])
    notes = d.get("notes", b"").decode()
    if begin["type"] == b"unknown":
        return f'unknown("{flags}", "{notes}")'
    spec = _map(find["spec"])
    if begin["type"] == b"keyword":
        bs = _map(begin["spec"])
        extra = "".join(f", {name}={spec[key]}" for name, key, default in
                        (("last", "lastkey", 0), ("step", "keystep", 1), ("limit", "limit", 0)) if spec[key] != default)
        return f'keyword("{flags}", "{bs["keyword"].decode()}", {bs["startfrom"]}{extra})'
    index = _map(begin["spec"])["index"]
    if find["type"] == b"keynum":
        return f'keynum("{flags}", {index})'
    extra = "".join(f", {name}={spec[key]}" for name, key, default in
                    (("last", "lastkey", 0), ("step", "keystep", 1), ("limit", "limit", 0)) if spec[key] != default)
    return f'ks("{flags}", {index}{extra}' + (f', notes="{notes}"' if notes else "") + ")"


def row(s: RespSocket, name: str) -> str:
    info = parse(s.call("COMMAND", "INFO", name))[0]
    if info is None:
        return f"# {name}: not a Redis command"
    docs = _map(parse(s.call("COMMAND", "DOCS", name)))
    doc = _map(next(iter(docs.values())))
    flags = [f.decode() for f in info[2] if f != b"movablekeys"]   # derived from the key specs
    implied = _table().acl_categories(flags, ())
    acl = [c.decode() for c in info[6] if c.decode() not in implied]
    cols = [f'"{name}"', str(info[1]), '"' + " ".join(flags + acl) + '"', '"module.handler"',
            f'"{doc["group"].decode()}"', f'"{doc["since"].decode()}"', '"' + doc["summary"].decode() + '"']
    if info[8]:
        cols.append("keys=[" + ", ".join(key_spec(k) for k in info[8]) + "]")
    if info[7]:
        cols.append('tips="' + " ".join(t.decode() for t in info[7]) + '"')
    return "command(" + ", ".join(cols) + "),"


def main(argv: list[str]) -> None:
    s = RespSocket("127.0.0.1", int(argv[0]))
    try:
        for name in argv[1:]:
            print(row(s, name.lower()))
    finally:
        s.close()


if __name__ == "__main__":
    main(sys.argv[1:])
