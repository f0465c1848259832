"""The suite runner's parser and verdicts on made-up helper output (no server, no tclsh)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import Entry, ListError, Lists, evaluate, load_list, parse_output  # noqa: E402

OUTPUT = """\
Cleanup: may take some time... OK
Starting test server at port 21079
[ready]: 7215
Testing unit/x
[ok]: first (1 ms)
[ok]: loop (0 ms)
[ok]: loop (2 ms)
[err]: broken in tests/unit/x.tcl
Expected 'a' to equal or match 'b'
[skip]: skipped one
[ignore]: tagged: Tag: needs:repl denied
[err]: listed in tests/unit/x.tcl
ERR something
    while executing
[ok]: fixed (3 ms)
[1/1 done]: unit/x (0 seconds)

                   The End

[err]: broken in tests/unit/x.tcl
Expected 'a' to equal or match 'b'
"""


def _lists(skips=(), known=()) -> Lists:
    return Lists([Entry("unit/x", n, "needs replication", i) for i, n in enumerate(skips)],
                 [Entry("unit/x", n, r, i) for i, (n, r) in enumerate(known)])


def test_parse_counts_each_status_once():
    p = parse_output(OUTPUT)
    assert p.passed == 4 and p.ok["loop"] == 2
    assert set(p.err) == {"broken", "listed"}  # the repeat after "The End" is not counted
    assert p.err["broken"] == ["Expected 'a' to equal or match 'b'"]
    assert p.skipped == ["skipped one"] and p.ignored == ["tagged: Tag: needs:repl denied"]
    assert p.done and not p.block_errors and p.exception is None and p.timeout is None


def test_unlisted_failure_fails_and_listed_one_is_known():
    v = evaluate("unit/x", parse_output(OUTPUT), _lists(["skipped one"], [("listed", "bug 1")]))
    assert [e.name for e in v.known_failed] == ["listed"]
    assert len(v.problems) == 1 and v.problems[0].startswith("FAILED: broken")


def test_known_failure_that_passes_fails_the_unit():
    v = evaluate("unit/x", parse_output(OUTPUT), _lists(["skipped one"], [("broken", "b"), ("listed", "l"),
                                                                          ("fixed", "f")]))
    assert v.problems == ["NOW PASSES: 'fixed' (known_failures.txt:2): remove it from the list"]


def test_stale_entries_fail_the_unit():
    v = evaluate("unit/x", parse_output(OUTPUT),
                 _lists(["skipped one", "gone"], [("broken", "b"), ("listed", "l"), ("renamed", "r"),
                                                 ("hung", "[hangs] x")]))
    assert sorted(p.split(":")[0] for p in v.problems) == ["STALE"] * 3


def test_errors_outside_tests_timeouts_and_exceptions_fail():
    text = ("[ok]: a (1 ms)\n[err]: unknown subcommand 'unpause'\n    while executing\n"
            "[TIMEOUT]: clients state report follows.\nsock1: (IN PROGRESS) stuck test\n")
    p = parse_output(text)
    assert p.block_errors and p.timeout == "no progress; in progress: stuck test" and not p.done
    v = evaluate("unit/x", p, _lists())
    assert any(x.startswith("ERROR outside") for x in v.problems) and any(x.startswith("TIMEOUT") for x in v.problems)
    known = evaluate("unit/x", p, _lists(known=[("(outside a test) subcommand 'unpause'", "no CLIENT UNPAUSE")]))
    assert not any(x.startswith("ERROR outside") for x in known.problems)
    assert [e.name for e in known.known_failed] == ["(outside a test) subcommand 'unpause'"]
    exc = evaluate("unit/x", parse_output("[exception]: Executing test client: boom\n"), _lists())
    assert any(x.startswith("EXCEPTION") for x in exc.problems)


def test_a_run_that_never_finished_fails():
    assert evaluate("unit/x", parse_output("[ok]: a (1 ms)\n"), _lists()).problems


@pytest.mark.parametrize("line", [
    "unit/x | name",                                  # no reason
    "unit/x | name | because it is hard",             # not an accepted reason
    "x | name | needs replication",                   # not a unit
])
def test_bad_skip_lines_are_refused(tmp_path, line):
    f = tmp_path / "skip.txt"
    f.write_text(line + "\n")
    with pytest.raises(ListError):
        load_list(f, True)


def test_duplicates_are_refused(tmp_path):
    f = tmp_path / "known.txt"
    f.write_text("unit/x | a | bug\nunit/x | a | bug again\n")
    with pytest.raises(ListError):
        load_list(f, False)
