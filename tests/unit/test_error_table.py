"""The one table of error texts (csrc/status.c, keyed by status code): complete, and the only place
its texts are written.  C writes replies from it; Python reads it through rd_status_message."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from redistill import core, errors

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "csrc" / "status.c"
HOLE = "\0"   # a formatted part: "%s" in the table, "{...}" in an f-string
FORMATS = {"%s", "%c", "%ld", "%f"}   # what both C's printf and Python's % read alike


_line = core.status_message
_code = core.status_code


def _table() -> dict[int, str]:
    return {st: _line(st) for st in range(_code("RD_ERR_WRONGTYPE"), core.STATUS_COUNT)}


def _message(text: str) -> str:
    """The text of an error line without "-CODE " and CRLF, formatted parts as HOLE."""
    text = re.sub(r"\r\n$", "", text)
    text = re.sub(r"^-?[A-Z]+ ", "", text) if text.startswith("-") else text
    return re.sub(r"%l?[sdc]", HOLE, text)


# ---- string literals of the sources -----------------------------------------------------------

_C_TOKEN = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)


def _unescape_c(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r", "t": "\t", "0": "\0"}.get(m[1], m[1]), body)


def c_literals(source: str) -> list[str]:
    """The string literals of C source, adjacent ones joined (as the compiler does); no comments."""
    out: list[str] = []
    last_end = -1
    for m in _C_TOKEN.finditer(source):
        tok = m.group()
        if tok.startswith("'"):
            last_end = -1
        if not tok.startswith('"'):
            continue
        text = _unescape_c(tok[1:-1])
        between = re.sub(r"/\*.*?\*/|//[^\n]*", "", source[last_end:m.start()], flags=re.S)
        if out and last_end >= 0 and not between.strip():
            out[-1] += text
        else:
            out.append(text)
        last_end = m.end()
    return out


def py_literals(source: str) -> list[str]:
    """The str/bytes constants and f-strings of Python source (f-string fields as HOLE); no docstrings."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    out: list[str] = []
    inside_fstring = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for v in node.values:
                inside_fstring.add(id(v))
                parts.append(v.value if isinstance(v, ast.Constant) else HOLE)
            out.append("".join(parts))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and id(node) not in docstrings | inside_fstring:
            if isinstance(node.value, str):
                out.append(node.value)
            elif isinstance(node.value, bytes):
                out.append(node.value.decode("latin-1"))
    return out


def _sources():
    for path in sorted((ROOT / "csrc").glob("*.[ch]")):
        if path != TABLE:
            yield path, c_literals(path.read_text())
    for path in sorted((ROOT / "redistill").rglob("*.py")):
        yield path, py_literals(path.read_text())


def duplicates(literals: list[str], messages: set[str]) -> list[str]:
    """The literals that write one of the table's messages: whole, or inside a longer text (messages of
    24 characters or more: shorter ones like "internal error" are also words of other texts)."""
    found = []
    for lit in literals:
        text = _message(lit)
        if text in messages or any(len(m) >= 24 and m in text for m in messages):
            found.append(lit)
    return found


# ---- the tests ----------------------------------------------------------------------------------

def test_every_error_status_has_a_text():
    for st, line in _table().items():
        assert re.fullmatch(r"-[A-Z]+ \S.*", line), (st, line)
        assert set(re.findall(r"%l?.", line)) <= FORMATS, (st, line)
    for st in range(core.OK, _code("RD_ERR_WRONGTYPE")):
        assert _line(st) == "", st
    assert _line(core.STATUS_COUNT) == ""
    # resp_parse.c keeps the text after "-ERR " (conn.c writes the line)
    for st in range(_code("RD_ERR_PROTO_MBULK_BIG"), _code("RD_ERR_PROTO_INLINE_BIG") + 1):
        assert _line(st).startswith("-ERR Protocol error: "), st


def test_table_texts_are_distinct():
    lines = list(_table().values())
    assert len(set(lines)) == len(lines)


def test_python_names_read_the_table():
    for name, status in errors._CORE_TEXTS.items():
        assert getattr(errors, name) == _line(_code(status))
    assert errors.wrong_arity("client|setname") == \
        "-ERR wrong number of arguments for 'client|setname' command"
    with pytest.raises(AttributeError):
        errors.NO_SUCH_TEXT  # noqa: B018


def test_no_table_text_is_written_anywhere_else():
    messages = {_message(line) for line in _table().values()}
    found = {str(path.relative_to(ROOT)): dups for path, lits in _sources()
             if (dups := duplicates(lits, messages))}
    assert not found, f"error texts of csrc/status.c written as literals: {found}"


def test_c_writes_no_error_literal():
    """An error reply in C is a table entry: no "-CODE ..." literal, no literal given to resp_add_err_text."""
    for path in sorted((ROOT / "csrc").glob("*.[ch]")):
        if path == TABLE:
            continue
        source = _C_TOKEN.sub(lambda m: m.group() if m.group().startswith(('"', "'")) else " ", path.read_text())
        assert not re.search(r'resp_add_err_text\([^,]*,\s*"', source), path
        assert not [lit for lit in c_literals(source) if re.match(r"-[A-Z]+ [a-zA-Z]", lit)], path


def _has_text(node: ast.AST) -> bool:
    """A str literal, an f-string, or a concatenation with one ("-" + arg is a user's text, not ours)."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and len(node.value) > 1
    return isinstance(node, ast.BinOp) and (_has_text(node.left) or _has_text(node.right))


def scattered_python_errors(source: str) -> list[str]:
    """Error texts written outside errors.py: a literal given to CommandError or as parse_ll's error,
    or a literal error reply line ("-ERR ...")."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            args = node.args[:1] if name == "CommandError" else node.args[1:2] if name == "parse_ll" else []
            found += [ast.unparse(a) for a in args if _has_text(a)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            text = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
            if re.match(r"-[A-Z]+ [A-Za-z]", text):
                found.append(text)
    return found


def test_python_error_texts_live_in_errors_py():
    found = {str(path.relative_to(ROOT)): hits for path in sorted((ROOT / "redistill").rglob("*.py"))
             if path.name != "errors.py" and (hits := scattered_python_errors(path.read_text()))}
    assert not found, f"error texts outside redistill/errors.py: {found}"


def test_the_check_sees_a_planted_duplicate():
    """The scanner finds a table text however it is written: C split literal, f-string, bytes line."""
    messages = {_message(line) for line in _table().values()}
    c_src = 'reply(x, "value is not an integer " /* split */ "or out of range");'
    assert duplicates(c_literals(c_src), messages)
    assert duplicates(py_literals('raise E(f"wrong number of arguments for \'{n}\' command")'), messages)
    assert duplicates(py_literals('X = b"-ERR min or max is not a float\\r\\n"'), messages)
    assert not duplicates(py_literals('def f():\n    """a syntax error here."""\n'), messages)
    assert not duplicates(c_literals('/* "invalid cursor" */ x = "cursor";'), messages)
    assert scattered_python_errors('raise CommandError("EXEC without MULTI")')
    assert scattered_python_errors('raise CommandError(f"No such user {u}")')
    assert scattered_python_errors('n = parse_ll(a, "timeout is negative")')
    assert scattered_python_errors('X = b"-ERR max number of clients reached\\r\\n"')
    assert not scattered_python_errors('raise CommandError(errors.SYNTAX)\nn = parse_ll(a)')
