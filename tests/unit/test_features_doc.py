"""docs/FEATURES.md and the server's command table (redistill/commands COMMANDS) cannot drift apart:
every command and subcommand the server has is a supported/partial row, and every supported/partial
row is a command the server has."""

from __future__ import annotations

import re
from pathlib import Path

from redistill.commands import COMMANDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "FEATURES.md"
STATUSES = ("supported", "partial", "not supported")
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*([^|]*?)\s*\|(.*)\|\s*$")


def doc_rows() -> dict[str, tuple[str, str]]:
    """Command rows of every table: 'client|id' -> (status, notes). Duplicates are an error."""
    rows: dict[str, tuple[str, str]] = {}
    for line in DOC.read_text().splitlines():
        m = ROW.match(line)
        if not m:
            continue
        name = m.group(1).strip().lower().replace(" ", "|")
        assert name not in rows, f"FEATURES.md lists {m.group(1)!r} twice"
        rows[name] = (m.group(2), m.group(3).strip())
    return rows


def table_names() -> set[str]:
    """Commands a client can call: every table line with a handler, and every subcommand."""
    names = set()
    for name, spec in COMMANDS.items():
        if spec.handler is not None:
            names.add(name)
        names.update(sub.name for sub in (spec.subcommands or {}).values())
    return names


def test_every_row_has_a_known_status():
    bad = {n: s for n, (s, _) in doc_rows().items() if s not in STATUSES}
    assert not bad, f"status must be one of {STATUSES}: {bad}"


def test_every_server_command_is_documented_as_available():
    rows = doc_rows()
    missing = sorted(n for n in table_names() if n not in rows)
    assert not missing, f"commands in the server's table but not in docs/FEATURES.md: {missing}"
    wrong = sorted(n for n in table_names() if rows[n][0] == "not supported")
    assert not wrong, f"commands the server has but FEATURES.md calls 'not supported': {wrong}"


def test_every_available_row_is_a_server_command():
    available = {n for n, (s, _) in doc_rows().items() if s in ("supported", "partial")}
    extra = sorted(available - table_names())
    assert not extra, f"FEATURES.md says supported/partial but the server's table lacks them: {extra}"


def test_partial_rows_say_what_is_missing():
    empty = sorted(n for n, (s, notes) in doc_rows().items() if s == "partial" and not notes)
    assert not empty, f"partial rows need a note saying what is missing: {empty}"


def test_unsupported_families_are_listed():
    """The data types and subsystems we do not have are written down, not left out."""
    rows = doc_rows()
    for name in ("cluster|meet",
                 "replicaof", "psync"):
        assert rows.get(name, ("",))[0] == "not supported", name
