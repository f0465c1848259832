"""LATENCY: Redis's latency monitor (events sampled past latency-monitor-threshold, LATEST, HISTORY,
RESET, GRAPH, DOCTOR) and its per-command latency histograms (HISTOGRAM, latency-tracking).

Events: "command" and "fast-command" (a Python-path command that took at least the threshold,
as Redis's call()), "expire-cycle" and "eviction-cycle" (the cron's sweeps).  The histograms
hold the commands the Python path runs and times; the C fast path does not time its commands
(a clock read per command would cost more than GET itself), so they have none.
"""
from __future__ import annotations

import threading
import time
from typing import Any

from redistill import errors
from redistill.commands.args import help_reply
from redistill.errors import CommandError
from redistill.protocol import Encoded, Verbatim, encode

TS_LEN = 160        # Redis's LATENCY_TS_LEN: samples kept per event
GRAPH_COLS = 80     # LATENCY_GRAPH_COLS
GRAPH_ROWS = 4


class LatencyMonitor:
    """The events' time series (Redis's latencyTimeSeries), one small lock around them."""

    def __init__(self) -> None:
        self.threshold = 0          # latency-monitor-threshold, ms (0: off)
        self._lock = threading.Lock()
        self._events: dict[str, dict[str, Any]] = {}

    def add_sample_if_needed(self, event: str, ms: int) -> None:
        """latencyAddSampleIfNeeded: one sample per event and second, the worst of that second."""
        if not self.threshold or ms < self.threshold:
            return
        now = int(time.time())
        with self._lock:
            ts = self._events.setdefault(event, {"samples": [], "max": 0})
            samples = ts["samples"]
            ts["max"] = max(ts["max"], ms)
            if samples and samples[-1][0] == now:
                samples[-1][1] = max(samples[-1][1], ms)
                return
            samples.append([now, ms])
            if len(samples) > TS_LEN:
                del samples[0]

    def snapshot(self) -> dict[str, tuple[list[tuple[int, int]], int]]:
        with self._lock:
            return {e: ([tuple(s) for s in ts["samples"]], ts["max"]) for e, ts in self._events.items()}

    def reset(self, events: list[str]) -> int:
        with self._lock:
            if not events:
                n = len(self._events)
                self._events.clear()
                return n
            return sum(self._events.pop(e, None) is not None for e in dict.fromkeys(events))


# ---- per-command histograms (Redis's latency-tracking, hdr_histogram with 2 significant digits) ----

MIN_NS, MAX_NS = 1, 1_000_000_000
FIRST_LEVEL = 10    # the reply's first bucket is 1024 ns (hdr_iter_log_init(..., 1024, 2))
_LEVELS = 21        # 1024 ns .. 2^30 ns, past LATENCY_HISTOGRAM_MAX_VALUE (1 s)
_local = threading.local()
_all: list[dict[str, list[int]]] = []
_all_lock = threading.Lock()
tracking = True     # latency-tracking


def _level(ns: int) -> int:
    """The reply bucket of a duration: the first power-of-two level 2^k (k >= 10) whose
    hdr_histogram equivalent range (2^(k-7) wide with 2 significant digits) reaches it."""
    ns = min(max(ns, MIN_NS), MAX_NS)
    k = max(FIRST_LEVEL, ns.bit_length() - 1)
    if ns >= (1 << k) + (1 << (k - 7)):
        k += 1
    return k - FIRST_LEVEL


def _key(level: int) -> int:
    """The bucket's label in microseconds: its highest equivalent value / 1000, as Redis prints it."""
    k = level + FIRST_LEVEL
    return ((1 << k) + (1 << (k - 7)) - 1) // 1000


def record(name: str, ns: int) -> None:
    """One call of `name` took ns (each thread writes its own table: no lock per call)."""
    table = getattr(_local, "table", None)
    if table is None:
        table = _local.table = {}
        with _all_lock:
            _all.append(table)
    row = table.get(name)
    if row is None:
        row = table[name] = [0] * _LEVELS
    row[_level(ns)] += 1


def histograms() -> dict[str, list[int]]:
    merged: dict[str, list[int]] = {}
    with _all_lock:
        tables = [dict(t) for t in _all]
    for t in tables:
        for name, row in t.items():
            total = merged.setdefault(name, [0] * _LEVELS)
            for i, v in enumerate(list(row)):
                total[i] += v
    return merged


def reset_histograms() -> None:
    """CONFIG RESETSTAT (a racing call on another thread may land in a row just dropped)."""
    with _all_lock:
        for t in _all:
            t.clear()


def _cdf(row: list[int]) -> dict[str, Any]:
    """fillCommandCDF: calls, then the cumulative count at each level where it grows."""
    out, total = {}, 0
    for level, n in enumerate(row):
        if n:
            total += n
            out[_key(level)] = total
    return {b"calls": total, b"histogram_usec": out}


# ---- the subcommands ------------------------------------------------------------------------

def _monitor(client: Any) -> LatencyMonitor:
    return client.server.latency


# LATENCY LATEST
def latest(client: Any, args: list[bytes]) -> list:
    return [[e.encode(), samples[-1][0], samples[-1][1], top]
            for e, (samples, top) in _monitor(client).snapshot().items()]


# LATENCY HISTORY event
def history(client: Any, args: list[bytes]) -> list:
    ts = _monitor(client).snapshot().get(args[2].decode("latin-1"))
    return [list(s) for s in ts[0]] if ts else []


# LATENCY RESET [event ...]
def reset(client: Any, args: list[bytes]) -> int:
    return _monitor(client).reset([a.decode("latin-1") for a in args[2:]])


# LATENCY GRAPH event
def graph(client: Any, args: list[bytes]) -> Verbatim:
    event = args[2].decode("latin-1")
    ts = _monitor(client).snapshot().get(event)
    if not ts:
        raise CommandError(errors.latency_no_samples(args[2]))
    samples, top = ts
    values = [lat for _, lat in samples]
    now = int(time.time())
    labels = [_ago(now - t) for t, _ in samples]
    text = (f"{event} - high {max(values)} ms, low {min(values)} ms (all time high {top} ms)\n"
            + "-" * GRAPH_COLS + "\n" + _sparkline(values, labels))
    return Verbatim("txt", text)


def _ago(elapsed: int) -> str:
    if elapsed < 60:
        return f"{elapsed}s"
    if elapsed < 3600:
        return f"{elapsed // 60}m"
    if elapsed < 86400:
        return f"{elapsed // 3600}h"
    return f"{elapsed // 86400}d"


def _sparkline(values: list[int], labels: list[str]) -> str:
    """Redis's sparklineRender with SPARKLINE_FILL, GRAPH_COLS columns a range, GRAPH_ROWS rows."""
    out = []
    for start in range(0, len(values), GRAPH_COLS):
        if start:
            out.append("\n")
        out.append(_sparkline_range(values, labels, min(values), max(values), start,
                                    min(GRAPH_COLS, len(values) - start)))
    return "".join(out)


def _sparkline_range(values: list[int], labels: list[str], lo: int, hi: int, offset: int, n: int) -> str:
    charset = "_o#"
    steps = len(charset) * GRAPH_ROWS
    relmax = (hi - lo) or 1
    out, row = [], 0
    while True:
        chars, more = [" "] * n, False
        for j in range(n):
            step = min(max(int(int((values[offset + j] - lo) * steps) / relmax), 0), steps - 1)
            if row < GRAPH_ROWS:
                more = True
                idx = step - (GRAPH_ROWS - row - 1) * len(charset)
                if 0 <= idx < len(charset):
                    chars[j] = charset[idx]
                elif idx >= len(charset):
                    chars[j] = "|"
            elif row - GRAPH_ROWS < 1:   # label_margin_top: one blank row before the labels
                more = True
                break
            else:
                label, at = labels[offset + j], row - GRAPH_ROWS - 1
                if len(label) > at:
                    more = True
                    chars[j] = label[at]
        if not more:
            return "".join(out)
        row += 1
        out.append("".join(chars) + "\n")


# LATENCY DOCTOR
def doctor(client: Any, args: list[bytes]) -> Verbatim:
    from redistill.commands.config_cmd import config_params   # CONFIG's view of hz
    mon = _monitor(client)
    hz = int(config_params(client.server).get("hz", "10"))
    return Verbatim("txt", _report(mon.snapshot(), mon.threshold, client.server.slowlog, hz))


_DISABLED = ("I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. "
             "You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. "
             "If we weren't in a deep space mission I'd suggest to take a look at "
             "https://redis.io/topics/latency-monitor.\n")
_NOTHING = ("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the "
            "slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think "
            "things over.\n")
_ADVICE = {   # in Redis's order; each checked against redis-server 7.0.15's report
    "slowlog_enabled": "- There are latency issues with potentially slow commands you are using. Try to enable "
                       "the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than "
                       "{slower}'. If the Slow log is disabled Redis is not able to log slow commands execution "
                       "for you.\n",
    "slowlog_tuning": "- Your current Slow Log configuration only logs events that are slower than your "
                      "configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than "
                      "{slower}'.\n",
    "slowlog_inspect": "- Check your Slow Log to understand what are the commands you are running which are "
                       "too slow to execute. Please check https://redis.io/commands/slowlog for more "
                       "information.\n",
    "scheduler": "- The system is slow to execute Redis code paths not containing system calls. This usually "
                 "means the system does not provide Redis CPU time to run for long periods. You should try to:\n"
                 "  1) Lower the system load.\n"
                 "  2) Use a computer / VM just for Redis if you are running other software in the same system.\n"
                 "  3) Check if you have a \"noisy neighbour\" problem.\n"
                 "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your "
                 "system.\n"
                 "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you "
                 "are using Jemalloc. However this may create fragmentation problems.\n",
    "hz": "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' "
          "configuration parameter to 100 using 'CONFIG SET hz 100'.\n",
    "large_objects": "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a "
                     "blocking operation. If you have very large objects that are often deleted, expired, "
                     "or evicted, try to fragment those objects into multiple smaller objects.\n",
}


def _report(events: dict, threshold: int, slowlog: Any, hz: int) -> str:
    """createLatencyReport: each event's analysis, then the advice its kind calls for (the events
    recorded here: command, fast-command, expire-cycle; eviction-cycle gets none)."""
    if not threshold and not events:
        return _DISABLED
    if not events:
        return _NOTHING
    now = int(time.time())
    text = ["Dave, I have observed latency spikes in this Redis instance. "
            "You don't mind talking about it, do you Dave?\n\n"]
    advice: set[str] = set()
    for num, (event, (samples, top)) in enumerate(events.items(), 1):
        lats = [lat for _, lat in samples]
        avg = sum(lats) // len(lats)
        mad = sum(abs(avg - lat) for lat in lats) // len(lats)
        period = (now - min(t for t, _ in samples)) or 1
        text.append(f"{num}. {event}: {len(lats)} latency spikes (average {avg}ms, mean deviation {mad}ms, "
                    f"period {period / len(lats):.2f} sec). Worst all time event {top}ms.")
        if event == "command":
            slower = getattr(slowlog, "slower_than", -1)
            if slower < 0 or getattr(slowlog, "max_len", 0) == 0:
                advice.add("slowlog_enabled")
            elif slower // 1000 > threshold:
                advice.add("slowlog_tuning")
            advice.update(("slowlog_inspect", "large_objects"))
        elif event == "fast-command":
            advice.add("scheduler")
        elif event == "expire-cycle" and hz < 100:
            advice.add("hz")
        text.append("\n")
    if advice:
        text.append("\nI have a few advices for you:\n\n")
        for name in _ADVICE:   # Redis's order
            if name in advice:
                text.append(_ADVICE[name].format(slower=threshold * 1000))
    return "".join(text)


# LATENCY HISTOGRAM [command ...]: a map, with a command named twice in it twice, as Redis's
def histogram(client: Any, args: list[bytes]) -> Encoded:
    from redistill.commands import COMMANDS   # the table, for names and containers
    rows = histograms()
    out: list[tuple[bytes, Any]] = []
    if len(args) == 2:
        out = [(name.encode(), _cdf(row)) for name, row in rows.items() if any(row)]
    for arg in args[2:]:
        name = arg.decode("latin-1").lower()
        top, _, sub = name.partition("|")
        spec = COMMANDS.get(top)
        if spec is None:
            continue
        names = [name] if sub or not spec.subcommands else [f"{top}|{s}" for s in spec.subcommands]
        for full in names:
            row = rows.get(full)
            if row and any(row):
                out.append((full.encode(), _cdf(row)))
    proto = getattr(client, "resp", 2)
    head = b"%%%d\r\n" % len(out) if proto == 3 else b"*%d\r\n" % (2 * len(out))
    return Encoded(head + b"".join(encode(name, proto) + encode(cdf, proto) for name, cdf in out))


# LATENCY HELP
def help_(client: Any, args: list[bytes]) -> list[str]:
    return help_reply("LATENCY", [
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
    ])
