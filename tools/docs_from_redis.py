"""Prints redistill/commands/docs.py's DOCS entries from a running Redis 7.0 (COMMAND DOCS).

Usage: python tools/docs_from_redis.py PORT name [name ...]   (containers bring their subcommands)
The output uses docs.py's compact argument grammar; docs.parse_args() turns it back into Redis's
nested argument maps, and tests/behaviour/test_server.py compares both with Redis.
"""
from __future__ import annotations

import sys

sys.path.insert(0, str(__import__('pathlib').Path(__file__).resolve().parent.parent / 'tests'))
from resp import RespSocket, parse  # noqa: E402


def _text(v):
    return v.decode() if isinstance(v, bytes) else v


def _dict(v):
    if isinstance(v, list):
        v = dict(zip(v[0::2], v[1::2]))
    return {_text(k): val for k, val in v.items()}


def compact(arg) -> str:
    a = _dict(arg)
    name, kind = _text(a["name"]), _text(a["type"])
    assert "summary" not in a, a
    if kind in ("oneof", "block"):
        kids = [compact(x) for x in a["arguments"]]
        core = name + ("(" + "|".join(kids) + ")" if kind == "oneof" else "{" + " ".join(kids) + "}")
    elif kind == "pure-token" and _text(a["token"]).lower() == name:
        core = _text(a["token"])
    else:
        core = f"{name}:{kind}"
        if "key_spec_index" in a and (kind != "key" or int(a["key_spec_index"]) != 0):
            core += f"#{a['key_spec_index']}"
    if "token" in a and not (kind == "pure-token" and _text(a["token"]).lower() == name):
        core = f"{_text(a['token'])}={core}"
    if "since" in a:
        core += "@" + _text(a["since"])
    if "deprecated_since" in a:
        core += "~" + _text(a["deprecated_since"])
    flags = {_text(f) for f in a.get("flags", [])}
    core += "".join(sym for flag, sym in (("optional", "?"), ("multiple", "*"), ("multiple_token", "+"))
                    if flag in flags)
    return core


def entry(name: str, doc) -> list[str]:
    d = _dict(doc)
    extras = []
    for field in ("doc_flags", "deprecated_since", "replaced_by"):
        if field in d:
            v = d[field]
            v = tuple(sorted(_text(x) for x in v)) if isinstance(v, (list, set)) else _text(v)
            extras.append(f"{field}={v!r}")
    if "history" in d:
        hist = tuple((_text(a), _text(b)) for a, b in d["history"])
        extras.append(f"history={hist!r}")
    args = " ".join(compact(a) for a in d.get("arguments", []))
    line = f"    {name!r}: doc({_text(d.get('complexity', ''))!r}, {args!r}"
    line += "".join(", " + e for e in extras) + "),"
    out = [line]
    for sub, sdoc in sorted(_dict(d.get("subcommands", {})).items()):
        out += entry(sub, sdoc)
    return out


def main() -> None:
    port, names = int(sys.argv[1]), sys.argv[2:]
    s = RespSocket("127.0.0.1", port)
    for name in names:
        docs = _dict(parse(s.call("COMMAND", "DOCS", name)))
        for n, d in docs.items():
            print("\n".join(entry(n, d)))


if __name__ == "__main__":
    main()
