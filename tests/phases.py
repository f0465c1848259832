"""Runs make targets (the phases of `make test`) side by side, each with its own log and port range.

    python tests/phases.py TARGET...      (the Makefile's test-suites target calls it)

The phases spend most of their time waiting (on servers, sleeps, timeouts), so on two cores running them
together takes little more than the longest one.  Each runs as `make TARGET` in its own process group,
with its output in .test-logs/TARGET.log and REDISTILL_TEST_PORTS set to a port range of its own
(tests/servers.py free_port), so that servers started by different phases never pick the same port.
While they run, one line per finished phase; at the end each phase's summary (its log without pytest's
progress dots, the whole log of a failed phase), then one total line.  Exit status 1 if any phase failed.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / ".test-logs"
# Below Linux's ephemeral ports (32768-) and below the ports Redis's suite helper scans (11968-).
PORT_BASE, PORT_SPAN = 1100, 900
PROGRESS = re.compile(r"^[.sxXfFE]+\s*(\[\s*\d+%\])?\s*$")  # pytest -q progress lines
COUNTS = re.compile(r"(\d+) (passed|failed|skipped|errors?)\b")
FAILED_LINES = 400  # lines of a failed phase's log shown at the end (all of it is in the log file)


def pytest_counts(text: str) -> dict[str, int]:
    """Adds up pytest's closing lines ("== 3 failed, 120 passed, 2 skipped in 9.1s ==") in one log."""
    total: dict[str, int] = {}
    for line in text.splitlines():
        if re.search(r"\d+ (passed|failed|errors?)\b.* in [\d.]+s", line):
            for n, what in COUNTS.findall(line):
                key = "errors" if what.startswith("error") else what
                total[key] = total.get(key, 0) + int(n)
    return total


def summary(text: str, ok: bool) -> str:
    lines = [ln for ln in text.splitlines() if not PROGRESS.match(ln)]
    if not ok and len(lines) > FAILED_LINES:
        lines = [f"... ({len(lines) - FAILED_LINES} lines above: see the log)"] + lines[-FAILED_LINES:]
    return "\n".join(lines)


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def start(target: str, index: int) -> tuple[subprocess.Popen, Path]:
    lo = PORT_BASE + index * PORT_SPAN
    env = dict(os.environ, REDISTILL_TEST_PORTS=f"{lo}-{lo + PORT_SPAN}")
    log = LOGS / f"{target}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([*shlex.split(os.environ.get("MAKE", "make")), "--no-print-directory", target], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    return proc, log


def stop_all(procs) -> None:
    """Phases still running (this run was interrupted): SIGINT first, so that pytest tears its fixtures
    down and stops the servers it started, then SIGKILL for what is left after a bound."""
    live = [proc for proc in procs if proc.poll() is None]
    for proc in live:
        try:
            os.killpg(proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 30
    for proc in live:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def main(targets: list[str]) -> int:
    if PORT_BASE + len(targets) * PORT_SPAN > 11968:
        sys.exit(f"too many phases for the port ranges: {targets}")
    LOGS.mkdir(exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    began = time.monotonic()
    running = {}
    for i, target in enumerate(targets):
        proc, log = start(target, i)
        running[target] = (proc, log)
        print(f"== {target} started (log: {log.relative_to(ROOT)})", flush=True)
    results: dict[str, tuple[int, float]] = {}
    try:
        while len(results) < len(targets):
            for target, (proc, _) in running.items():
                if target not in results and proc.poll() is not None:
                    results[target] = (proc.returncode, time.monotonic() - began)
                    verdict = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
                    print(f"== {target} {verdict} after {minutes(results[target][1])}", flush=True)
            time.sleep(0.5)
    finally:
        stop_all([proc for proc, _ in running.values()])

    totals: dict[str, int] = {}
    for target in targets:
        code, took = results[target]
        text = running[target][1].read_text(errors="replace")
        for key, n in pytest_counts(text).items():
            totals[key] = totals.get(key, 0) + n
        state = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"\n======== {target}: {state}, {minutes(took)} (.test-logs/{target}.log) ========")
        print(summary(text, code == 0), flush=True)
    failed = [t for t in targets if results[t][0] != 0]
    print(f"\n== phases took {minutes(time.monotonic() - began)}; "
          + (f"FAILED: {' '.join(failed)}" if failed else "every phase ok"))
    # a phase that failed outside pytest (a build, a crash) counts as one failure
    bad = max(totals.get("failed", 0) + totals.get("errors", 0), len(failed))
    print(f"total: {totals.get('passed', 0)} passed, {bad} failed, {totals.get('skipped', 0)} skipped", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
