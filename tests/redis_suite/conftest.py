"""Prints the Redis suite's per-unit counts and its known failures after the run (test_redis_suite.py)."""


def pytest_terminal_summary(terminalreporter):
    import test_redis_suite
    import runner

    results = test_redis_suite.RESULTS
    if not results:
        return
    tr = terminalreporter
    tr.section("Redis's own test suite (tests/redis_suite)")
    for r in results.values():
        tr.write_line(runner.summary_line(r))
    known = [(r.unit, e) for r in results.values() for e in r.verdict.known_failed + r.verdict.known_not_run]
    if known:
        tr.write_line(f"{len(known)} KNOWN FAILURES (tests/redis_suite/known_failures.txt; not failing the run):")
        for unit, e in known:
            tr.write_line(f"  {unit} | {e.name} | {e.reason}")
    total = sum(r.parsed.passed for r in results.values())
    tr.write_line(f"{total} tests of Redis's suite passed in {len(results)} units")
