"""The suite's output parsed into per-test events, the checked-in lists, and the verdict for one unit.

Output lines of Redis's test_helper.tcl (TERM=dumb, so no colours):
  [ok]: NAME (N ms)                 a test passed
  [err]: NAME in tests/unit/X.tcl   a test failed; the message follows on the next lines
  [err]: MESSAGE                    an error outside any test (a whole start_server block was cut short)
  [skip]: NAME                      skipped by --skiptest (our lists) or --only
  [ignore]: NAME: REASON            not run because of its tags (denied tag, external:skip, large-memory, ...)
  [exception]: ...                  the test client died: the rest of the unit never ran
  [TIMEOUT]: ...                    no progress for --timeout seconds; "(IN PROGRESS) NAME" lines follow
  [1/1 done]: unit/X (N seconds)    the unit ran to its end
After "The End" the helper repeats the failures, which are not parsed again.

Lists (one entry a line, fields separated by " | ", # starts a comment):
  skiplist.txt        UNIT | TEST NAME | REASON     never run (passed as --skiptest)
                      tag | TAG | REASON            tests with this tag never run (--tags -TAG)
  known_failures.txt  UNIT | TEST NAME | BUG        run, and expected to fail until the bug is fixed;
                                                    a BUG starting with "[hangs]" or "[cascades]" is not run
                                                    (it would stall the unit, or leave the server in a state
                                                    that fails the tests after it) and only reported;
                                                    "[flaky]": it may pass or fail (timing), both accepted.
                      UNIT | (outside a test) TEXT | BUG  an error outside any test whose message contains TEXT
A skip reason is one of: needs replication, needs persistence, needs DEBUG internals (what and why), or
"issue N (feature)" for a feature that an open issue builds.  Nothing is skipped because it is hard.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIPLIST = HERE / "skiplist.txt"
KNOWN_FAILURES = HERE / "known_failures.txt"
SKIP_REASON = re.compile(r"^(needs replication|needs persistence|needs DEBUG internals|issue \d+ \()")
NOT_RUN = ("[hangs]", "[cascades]")  # known failures that are not run: they stall or break the rest of the unit
FLAKY = "[flaky]"  # a known failure that sometimes passes (timing): either outcome is accepted and reported
OUTSIDE = "(outside a test) "  # a known failure's name for an error outside any test: this, then a substring

_OK = re.compile(r"^\[ok\]: (.*) \(\d+ ms\)$")
_ERR = re.compile(r"^\[err\]: (.*)$")
_TEST_ERR = re.compile(r"^(.*) in tests/\S+\.tcl$")
_SKIP = re.compile(r"^\[skip\]: (.*)$")
_IGNORE = re.compile(r"^\[ignore\]: (.*)$")
_DONE = re.compile(r"^\[\d+/\d+ done\]: ")
_IN_PROGRESS = re.compile(r"\(IN PROGRESS\) (.*)$")
_STATUS = re.compile(r"^\[(ok|err|skip|ignore|exception|TIMEOUT|ready|\d+/\d+ done)\]")


@dataclass(frozen=True)
class Entry:
    unit: str  # "unit/type/list", or "tag" for a denied tag
    name: str  # test name (or the tag)
    reason: str
    line: int

    @property
    def hangs(self) -> bool:
        """Not run: passed as --skiptest (it hangs, or leaves the server in a state that fails later tests)."""
        return self.reason.startswith(NOT_RUN)

    @property
    def outside(self) -> str | None:
        """For an error outside any test: the text it must contain."""
        return self.name[len(OUTSIDE):] if self.name.startswith(OUTSIDE) else None


class ListError(ValueError):
    pass


def load_list(path: Path, is_skiplist: bool) -> list[Entry]:
    entries: list[Entry] = []
    seen: set[tuple[str, str]] = set()
    for no, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ")]
        if len(parts) != 3 or not all(parts):
            raise ListError(f"{path.name}:{no}: want 'UNIT | TEST NAME | REASON', got {raw!r}")
        unit, name, reason = parts
        if unit != "tag" and not unit.startswith("unit/"):
            raise ListError(f"{path.name}:{no}: unit {unit!r} is neither 'tag' nor unit/...")
        if is_skiplist and not SKIP_REASON.match(reason):
            raise ListError(f"{path.name}:{no}: skip reason {reason!r} is not one of: needs replication, "
                            "needs persistence, needs DEBUG internals, issue N (feature)")
        if not is_skiplist and unit == "tag":
            raise ListError(f"{path.name}:{no}: known failures name tests, not tags")
        if (unit, name) in seen:
            raise ListError(f"{path.name}:{no}: duplicate entry for {unit} | {name}")
        seen.add((unit, name))
        entries.append(Entry(unit, name, reason, no))
    return entries


@dataclass
class Lists:
    skips: list[Entry]
    known: list[Entry]

    @classmethod
    def load(cls, skiplist: Path = SKIPLIST, known: Path = KNOWN_FAILURES) -> "Lists":
        lists = cls(load_list(skiplist, True), load_list(known, False))
        both = {(e.unit, e.name) for e in lists.skips} & {(e.unit, e.name) for e in lists.known}
        if both:
            raise ListError(f"in both skiplist.txt and known_failures.txt: {sorted(both)}")
        return lists

    @classmethod
    def empty(cls) -> "Lists":
        return cls([], [])

    def deny_tags(self) -> list[str]:
        return [e.name for e in self.skips if e.unit == "tag"]

    def skipped_in(self, unit: str) -> list[Entry]:
        return [e for e in self.skips if e.unit == unit]

    def known_in(self, unit: str) -> list[Entry]:
        return [e for e in self.known if e.unit == unit]

    def not_run_in(self, unit: str) -> list[str]:
        """Names passed as --skiptest: skip-list entries and known failures that are not run."""
        return [e.name for e in self.skipped_in(unit)] + [e.name for e in self.known_in(unit) if e.hangs]


@dataclass
class Parsed:
    ok: Counter = field(default_factory=Counter)  # name -> times passed
    err: dict[str, list[str]] = field(default_factory=dict)  # name -> messages
    block_errors: list[str] = field(default_factory=list)  # errors outside any test
    skipped: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # "NAME: REASON"
    exception: str | None = None
    timeout: str | None = None  # the helper's own no-progress timeout, with the test in progress
    done: bool = False

    @property
    def passed(self) -> int:
        return sum(self.ok.values())


def parse_output(text: str) -> Parsed:
    p = Parsed()
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.strip() == "The End":
            break
        if _STATUS.match(line) is None:
            continue
        body = []  # continuation lines of a multi-line report
        while i < len(lines) and _STATUS.match(lines[i]) is None and lines[i].strip() != "The End":
            body.append(lines[i])
            i += 1
        if m := _OK.match(line):
            p.ok[m.group(1)] += 1
        elif m := _ERR.match(line):
            if t := _TEST_ERR.match(m.group(1)):
                p.err.setdefault(t.group(1), []).append("\n".join(body).strip())
            else:
                p.block_errors.append("\n".join([m.group(1)] + body).strip())
        elif m := _SKIP.match(line):
            p.skipped.append(m.group(1))
        elif m := _IGNORE.match(line):
            p.ignored.append(m.group(1))
        elif line.startswith("[exception]"):
            p.exception = "\n".join([line] + body).strip()
        elif line.startswith("[TIMEOUT]"):
            running = [m.group(1) for b in body if (m := _IN_PROGRESS.search(b))]
            p.timeout = "no progress; in progress: " + (", ".join(running) or "(unknown)")
        elif _DONE.match(line):
            p.done = True
    return p


@dataclass
class Verdict:
    unit: str
    parsed: Parsed
    problems: list[str] = field(default_factory=list)  # any of these fails the unit
    known_failed: list[Entry] = field(default_factory=list)  # ran and failed, as listed
    known_not_run: list[Entry] = field(default_factory=list)  # "[hangs]" entries
    skipped: list[Entry] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def clip(text: str, limit: int = 1500) -> str:
    return text if len(text) <= limit else text[:limit] + " ..."


def evaluate(unit: str, parsed: Parsed, lists: Lists, *, complete_run: bool = True,
             run_problems: list[str] = ()) -> Verdict:
    """complete_run False (e.g. --only) turns off the checks that every listed test showed up."""
    v = Verdict(unit, parsed, problems=list(run_problems))
    known = {e.name: e for e in lists.known_in(unit)}
    for name, msgs in parsed.err.items():
        if name in known and not known[name].hangs:
            v.known_failed.append(known[name])
        else:
            v.problems.append(f"FAILED: {name}\n    " + clip(msgs[0]).replace("\n", "\n    "))
    outside = [e for e in known.values() if e.outside]
    matched: set[str] = set()
    for msg in parsed.block_errors:
        entry = next((e for e in outside if e.outside in msg), None)
        if entry is not None:
            matched.add(entry.name)
            if entry not in v.known_failed:
                v.known_failed.append(entry)
            continue
        v.problems.append("ERROR outside any test (the rest of its block did not run):\n    "
                          + clip(msg).replace("\n", "\n    "))
    if parsed.exception:
        v.problems.append("EXCEPTION (the rest of the unit did not run):\n    " + clip(parsed.exception))
    if parsed.timeout:
        v.problems.append(f"TIMEOUT: {parsed.timeout}")
    if not parsed.done and not parsed.exception and not parsed.timeout and not run_problems:
        v.problems.append("the unit did not run to its end (no 'done' line)")
    finished = parsed.done and not v.problems
    skipped = set(parsed.skipped)
    for e in known.values():
        if e.outside:
            if e.name not in matched and finished and complete_run:
                v.problems.append(f"NOW PASSES: no error outside a test contains {e.outside!r} "
                                  f"(known_failures.txt:{e.line}): remove it from the list")
        elif e.hangs:
            v.known_not_run.append(e)
            if e.name not in skipped and finished and complete_run:
                v.problems.append(f"STALE: known hang {e.name!r} (known_failures.txt:{e.line}) matches no test")
        elif e.reason.startswith(FLAKY):
            if e.name not in parsed.err and not parsed.ok[e.name] and finished and complete_run:
                v.problems.append(f"STALE: known failure {e.name!r} (known_failures.txt:{e.line}) did not run")
        elif e.name not in parsed.err and parsed.ok[e.name]:
            v.problems.append(f"NOW PASSES: {e.name!r} (known_failures.txt:{e.line}): remove it from the list")
        elif e.name not in parsed.err and finished and complete_run:
            v.problems.append(f"STALE: known failure {e.name!r} (known_failures.txt:{e.line}) did not run")
    for e in lists.skipped_in(unit):
        v.skipped.append(e)
        if e.name not in skipped and finished and complete_run:
            v.problems.append(f"STALE: skip entry {e.name!r} (skiplist.txt:{e.line}) matches no test")
    return v
