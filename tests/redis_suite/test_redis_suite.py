"""Redis's own test suite (Debian's redis 7.0.15 source) against Redistill, one pytest test per unit.

All units run once, in parallel (REDISTILL_SUITE_JOBS, default 2), each against its own fresh server; each
test then reports its unit.  A unit fails on any test that neither passes nor is listed (skiplist.txt,
known_failures.txt), on a known failure that now passes, on a stale entry, on an error outside a test, on
a hang or a server crash.  Known failures are printed in the terminal summary.  The lists' format is
checked without any server.  How to run one unit by hand: runner.py's docstring or README.md here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fetch  # noqa: E402
import runner  # noqa: E402
from results import Lists  # noqa: E402

RESULTS: dict[str, runner.UnitRun] = {}  # read by conftest.py's terminal summary


def test_lists_are_well_formed():
    lists = Lists.load()  # raises on a malformed line, a skip without an accepted reason, a duplicate
    units = set(runner.MAKE_TEST_UNITS + runner.SLOW_UNITS)
    for e in lists.skips + lists.known:
        assert e.unit == "tag" or e.unit in units, f"{e.unit} is not a unit the runner knows ({e.name})"


@pytest.fixture(scope="module")
def suite_results(pytestconfig):
    if pytestconfig.getoption("--existing-port"):
        pytest.skip("Redis's suite starts a fresh server per unit; --existing-port does not apply")
    kind = pytestconfig.getoption("--target")
    lists = Lists.load()
    if kind == "redis":  # the same tests, and every one of them must pass on Redis itself
        lists = Lists(lists.skips, [])
    jobs = int(os.environ.get("REDISTILL_SUITE_JOBS", "2"))
    try:
        results = runner.run_units(runner.MAKE_TEST_UNITS, kind, lists, jobs, log=lambda *_: None)
    except fetch.SuiteUnavailable as e:
        pytest.skip(f"Redis's test suite is unavailable here: {e}")
    RESULTS.update(results)
    return results


@pytest.mark.parametrize("unit", runner.MAKE_TEST_UNITS)
def test_unit(unit, suite_results):
    r = suite_results[unit]
    assert r.verdict.ok, runner.report(r) + ("\n" + r.server_log if r.server_log else "")
