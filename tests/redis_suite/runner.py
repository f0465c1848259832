"""Run Redis's own test suite (Debian's redis 7.0.15 source) against a fresh Redistill or redis-server per unit.

By hand, from the repository root (the first run fetches and caches the suite, see fetch.py):

    .venv/bin/python tests/redis_suite/runner.py unit/type/incr                 # one unit against Redistill
    .venv/bin/python tests/redis_suite/runner.py unit/type/list --only 'LPOS basic usage - quicklist' -v
    .venv/bin/python tests/redis_suite/runner.py --server redis unit/type/incr  # against redis-server
    .venv/bin/python tests/redis_suite/runner.py -j 2                           # every unit `make test` runs
    .venv/bin/python tests/redis_suite/runner.py --keep unit/expire             # keep the output and logs

Each unit gets its own server on its own port (started as tests/servers.py starts them, stopped after; a
server that crashes or does not exit 0 on SIGTERM fails the unit), its own copy of the suite's tests/ (so
several runs can share the cache), and a bound in time: the helper's own --timeout kills a unit that makes
no progress (and names the test in progress), and a hard timeout kills the helper's process group.
Against Redistill the checked-in lists apply (results.py explains them); against redis-server no list
applies except the denied tags, so the two counts compare.  Exit status 0 when every unit is clean.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import fetch  # noqa: E402
from results import Lists, Parsed, Verdict, clip, evaluate, parse_output  # noqa: E402
from servers import start_server  # noqa: E402

# Every unit `make test` runs, longest first (so that parallel jobs finish together).
MAKE_TEST_UNITS = [
    "unit/type/list", "unit/type/zset", "unit/geo", "unit/type/hash", "unit/type/set", "unit/type/string",
    "unit/scan", "unit/bitops", "unit/type/list-3", "unit/expire", "unit/other", "unit/multi", "unit/querybuf",
    "unit/introspection", "unit/protocol", "unit/keyspace", "unit/type/incr", "unit/pause",
    "unit/type/list-2", "unit/introspection-2", "unit/slowlog", "unit/info-command", "unit/bitfield",
    "unit/pubsub", "unit/pubsubshard", "unit/tracking",
    "unit/type/stream", "unit/type/stream-cgroups",
    "unit/scripting", "unit/functions", "unit/latency-monitor", "unit/acl", "unit/acl-v2",
    "unit/dump", "unit/sort",
]
# Units that pass whole but are too slow for make test's time budget, run by hand (`runner.py --slow`, or by
# name): unit/hyperloglog takes 80-120 s against redis-server itself, nearly all of it in the Tcl client
# (building a 33 MB corrupted value one byte at a time, 1000 fuzzing rounds of up to 3000 PFADD elements).
SLOW_UNITS = ["unit/hyperloglog"]
# The tags the issue measured redis-server 7.0.15 with (246, 694 and 135 passing tests in its three groups).
ISSUE_TAGS = "-needs:repl -needs:debug -needs:save -needs:config-maxmemory -needs:reset -needs:config-resetstat"
IDLE_TIMEOUT = int(os.environ.get("REDISTILL_SUITE_IDLE_TIMEOUT", "180"))  # seconds without progress
UNIT_TIMEOUT = int(os.environ.get("REDISTILL_SUITE_UNIT_TIMEOUT", "900"))  # hard bound for one unit


@dataclass
class UnitRun:
    unit: str
    kind: str
    verdict: Verdict
    seconds: float
    output: str  # the helper's whole output
    workdir: Path | None  # kept with --keep
    server_log: str

    @property
    def parsed(self) -> Parsed:
        return self.verdict.parsed


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def helper_argv(tclsh: str, port: int, unit: str, deny_tags: list[str], not_run: list[str],
                only: list[str]) -> list[str]:
    argv = [tclsh, "tests/test_helper.tcl", "--host", "127.0.0.1", "--port", str(port), "--singledb",
            "--ignore-encoding", "--durable", "--timeout", str(IDLE_TIMEOUT),
            # the helper's own listening port is found in [baseport-32, baseport) (and +10000 checked free):
            # a random range below Linux's ephemeral ports (32768-) keeps parallel runs and connections apart
            "--baseport", str(random.randrange(12000, 22000)),
            "--tags", " ".join("-" + t for t in deny_tags), "--single", unit]
    for name in not_run:
        argv += ["--skiptest", name]
    for name in only:
        argv += ["--only", name]
    return argv


def run_unit(suite: Path, unit: str, kind: str, lists: Lists, *, deny_tags: list[str] | None = None,
             only: list[str] = (), server_args: list[str] = (), keep: bool = False) -> UnitRun:
    tclsh = fetch.find_tclsh()
    work = Path(tempfile.mkdtemp(prefix=f"redis-suite-{unit.replace('/', '-')}-"))
    shutil.copytree(suite / "tests", work / "tests")
    out_path = work / "output.txt"
    problems: list[str] = []
    started = time.monotonic()
    sp = None
    try:
        try:
            # The suite's DEBUG tests need DEBUG (off by default on both servers).  Its tests assume
            # Redis's default policy, noeviction: Redistill's default (allkeys-lru) would let the
            # background eviction drop keys once a test lowers maxmemory to force -OOM.
            sp = start_server(kind, ["--enable-debug-command", "yes", "--maxmemory-policy", "noeviction"]
                              + list(server_args))
        except BaseException as e:  # servers.start_server reports through pytest.fail
            if isinstance(e, KeyboardInterrupt):
                raise
            problems.append(f"server did not start: {e}")
        if sp is not None:
            argv_tags = lists.deny_tags() if deny_tags is None else deny_tags
            argv = helper_argv(tclsh, sp.port, unit, argv_tags, lists.not_run_in(unit), list(only))
            for attempt in range(2):
                proc = _run_helper(argv, work, out_path, problems)
                text = out_path.read_text(errors="replace")
                # The helper's listening port can be taken between its check and its bind: that run
                # ran no test, so it is started again (once) on another port range.
                if attempt == 0 and "couldn't open socket: address already in use" in text and "[ok]" not in text:
                    argv = helper_argv(tclsh, sp.port, unit, argv_tags, lists.not_run_in(unit), list(only))
                    continue
                break
            if not problems and not re.search(r"^\[\d+/\d+ done\]", text, re.M) and "[TIMEOUT]" not in text:
                tail = "\n".join(text.splitlines()[-15:])
                problems.append(f"the helper exited with {proc.returncode} before the unit's end; its last "
                                f"output:\n{tail}")
            if sp.proc.poll() is not None:
                problems.append(f"the server exited with {sp.proc.returncode} during the unit")
            code = sp.stop()
            if code != 0 and not problems:
                problems.append(f"the server exited with {code} on SIGTERM (None: needed SIGKILL)")
    finally:
        server_log = sp.stderr_text() if sp is not None else ""
        output = out_path.read_text(errors="replace") if out_path.exists() else ""
        if sp is not None and sp.workdir is not None and not keep:
            shutil.rmtree(sp.workdir, ignore_errors=True)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    verdict = evaluate(unit, parse_output(output), lists, complete_run=not only, run_problems=problems)
    return UnitRun(unit, kind, verdict, time.monotonic() - started, output, work if keep else None, server_log)


def _run_helper(argv: list[str], work: Path, out_path: Path, problems: list[str]) -> subprocess.Popen:
    """Runs the suite's helper to its end (or UNIT_TIMEOUT), then kills its process group."""
    env = dict(os.environ, TERM="dumb")
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(argv, cwd=work, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        try:
            proc.wait(timeout=UNIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            problems.append(f"HARD TIMEOUT: the unit ran over {UNIT_TIMEOUT}s and was killed")
        finally:
            _kill_group(proc.pid)  # the test client it spawned, too
            proc.wait()
    return proc


def run_units(units: list[str], kind: str, lists: Lists, jobs: int = 2, log=print, **kw) -> dict[str, UnitRun]:
    suite = fetch.ensure_suite(log)
    fetch.find_tclsh(log)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(run_unit, suite, u, kind, lists, **kw): u for u in units}
        results = {}
        for f in as_completed(futures):
            results[futures[f]] = f.result()
            log(summary_line(results[futures[f]]))
    return {u: results[u] for u in units}


def summary_line(r: UnitRun) -> str:
    v = r.verdict
    parts = [f"{r.parsed.passed} passed"]
    if v.known_failed or v.known_not_run:
        parts.append(f"{len(v.known_failed) + len(v.known_not_run)} known failures")
    if v.skipped:
        parts.append(f"{len(v.skipped)} skip-listed")
    if r.parsed.ignored:
        parts.append(f"{len(r.parsed.ignored)} not run by tags")
    status = "ok" if v.ok else f"FAILED ({len(v.problems)} problems)"
    return f"{r.unit:24} [{r.kind}] {status}: {', '.join(parts)} ({r.seconds:.0f}s)"


def report(r: UnitRun, verbose: bool = False) -> str:
    v = r.verdict
    lines = [summary_line(r)]
    lines += ["  " + p.replace("\n", "\n  ") for p in v.problems]
    for e in v.known_failed:
        lines.append(f"  known failure: {e.name}  <- {e.reason}")
    for e in v.known_not_run:
        lines.append(f"  known failure (not run): {e.name}  <- {e.reason}")
    if verbose:
        for name, msgs in r.parsed.err.items():
            lines.append(f"  [err] {name}: " + clip(msgs[0], 600).replace("\n", "\n      "))
        lines += [f"  [skip] {e.name}  <- {e.reason}" for e in v.skipped]
        lines += [f"  [ignore] {i}" for i in r.parsed.ignored]
    if r.workdir:
        lines.append(f"  the helper's output is kept in {r.workdir}/output.txt")
    if not v.ok and r.server_log and verbose:
        lines.append(clip(r.server_log, 2000))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("units", nargs="*", help="units such as unit/type/incr (default: every make-test unit)")
    ap.add_argument("--slow", action="store_true", help="also the units too slow for make test (SLOW_UNITS)")
    ap.add_argument("--server", choices=("redistill", "redis"), default="redistill")
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("REDISTILL_SUITE_JOBS", "2")))
    ap.add_argument("--only", action="append", default=[], help="run only this test (repeatable; /regexp)")
    ap.add_argument("--tags", default=None,
                    help=f"denied tags instead of the skip list's, e.g. the issue's: --tags '{ISSUE_TAGS}'")
    ap.add_argument("--no-lists", action="store_true", help="ignore skiplist.txt and known_failures.txt")
    ap.add_argument("--keep", action="store_true", help="keep each unit's work dir (output, tests/tmp)")
    ap.add_argument("-v", "--verbose", action="store_true", help="every failure's message and every skip")
    ap.add_argument("--server-arg", action="append", default=[], help="extra argument for the server")
    args = ap.parse_args(argv)

    lists = Lists.load()
    deny = None
    if args.tags is not None:
        deny = [t[1:] for t in args.tags.split() if t.startswith("-")]
    if args.server == "redis" or args.no_lists:  # the denied tags stay, so that counts compare
        deny = lists.deny_tags() if deny is None else deny
        lists = Lists.empty()
    units = args.units or MAKE_TEST_UNITS + (SLOW_UNITS if args.slow else [])
    results = run_units(units, args.server, lists, args.jobs, deny_tags=deny, only=args.only,
                        server_args=args.server_arg, keep=args.keep)
    print()
    for u in units:
        print(report(results[u], args.verbose))
    total = sum(r.parsed.passed for r in results.values())
    bad = [u for u, r in results.items() if not r.verdict.ok]
    print(f"\n{total} tests passed in {len(units)} units against {args.server}; "
          + (f"{len(bad)} units FAILED: {' '.join(bad)}" if bad else "every unit clean"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
