"""Turns one benchmark result (perf/bench.py's JSON) into a Markdown table, a PNG chart and docs/PERFORMANCE.md.

    python perf/report.py perf/results/<date>.json [--docs]    # re-render an earlier run

matplotlib is optional (the bench target installs it into the venv): without it there is no chart.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOCS = ROOT / "docs" / "PERFORMANCE.md"

# (label, cell names, what, comparison, goal): ratios are Redistill / Redis.
TARGETS = [
    ("throughput -P 1", ("SET -P 1", "GET -P 1"), "rps", ">=", 1.0),
    ("throughput -P 16", ("SET -P 16", "GET -P 16"), "rps", ">=", 1.5),
    ("throughput -P 64", ("SET -P 64", "GET -P 64"), "rps", ">=", 2.0),
    ("CPU per op -P 64", ("SET -P 64", "GET -P 64"), "cpu_us_per_op", "<=", 0.5),
    ("p99 latency -P 1", ("SET -P 1", "GET -P 1"), "p99", "<=", 1.0),
    ("data types -P 16", ("LPUSH -P 16", "RPUSH -P 16", "LPOP -P 16", "RPOP -P 16", "SADD -P 16", "HSET -P 16",
                          "SPOP -P 16", "ZADD -P 16", "ZPOPMIN -P 16", "LRANGE_100 -P 16", "SETBIT -P 16",
                          "BITCOUNT -P 16", "GEOADD -P 16", "GEOSEARCH -P 16", "PFADD -P 16", "PFCOUNT -P 16"), "rps", ">=", 1.0),
    ("scripts -P 16", ("EVALSHA rate-limit -P 16", "EVALSHA 10 calls -P 16"), "rps", ">=", 1.0),
]
GROUPS = (("strings", "Strings"), ("types", "Data types"), ("scripts", "Scripts (an op is one EVALSHA call)"))


def _cell(result: dict, name: str) -> dict | None:
    return next((c for c in result["cells"] if c["name"] == name), None)


def _ratio(a: float, b: float) -> float | None:
    return b / a if a else None


def targets(result: dict) -> list[dict]:
    """Every target with its measured ratio, for each cell it covers that the run has."""
    out = []
    for label, names, key, cmp, goal in TARGETS:
        for name in names:
            c = _cell(result, name)
            if not c:
                continue
            ratio = _ratio(c["servers"]["redis"][key], c["servers"]["redistill"][key])
            met = ratio is not None and (ratio >= goal if cmp == ">=" else ratio <= goal)
            out.append({"target": label, "cell": name, "metric": key, "goal": f"{cmp} {goal}x",
                        "ratio": ratio, "met": met})
    mem = result.get("memory", {})
    if "redis" in mem and "redistill" in mem:
        ratio = _ratio(mem["redis"]["rss_per_key"], mem["redistill"]["rss_per_key"])
        out.append({"target": "RSS per key", "cell": f"{mem['redis']['keys']} keys", "metric": "rss_per_key",
                    "goal": "<= 0.6x", "ratio": ratio, "met": ratio is not None and ratio <= 0.6})
    return out


def targets_text(result: dict) -> str:
    lines = ["targets (Redistill / Redis):"]
    for t in result.get("targets", []):
        r = "n/a" if t["ratio"] is None else f"{t['ratio']:.2f}x"
        lines.append(f"  {'met ' if t['met'] else 'MISS'} {t['target']:18} {t['cell']:12} {r:>7}  (goal {t['goal']})")
    return "\n".join(lines)


def _fmt_ratio(r: float | None) -> str:
    return "n/a" if r is None else f"{r:.2f}x"


def cell_rows(cells: list[dict]) -> list[str]:
    """One table: throughput/latency/CPU per cell, Redis and Redistill side by side."""
    rows = ["| cell | Redis ops/s | Redistill ops/s | ratio | Redis p50 / p99 ms | Redistill p50 / p99 ms "
            "| Redis CPU µs/op | Redistill CPU µs/op | CPU ratio |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for c in cells:
        a, b = c["servers"]["redis"], c["servers"]["redistill"]
        rows.append(f"| {c['name']} | {a['rps']:,.0f} | {b['rps']:,.0f} | {_fmt_ratio(_ratio(a['rps'], b['rps']))} "
                    f"| {a['p50']:.3f} / {a['p99']:.3f} | {b['p50']:.3f} / {b['p99']:.3f} "
                    f"| {a['cpu_us_per_op']:.2f} | {b['cpu_us_per_op']:.2f} "
                    f"| {_fmt_ratio(_ratio(a['cpu_us_per_op'], b['cpu_us_per_op']))} |")
    return rows


def markdown(result: dict) -> str:
    """The tables of one run: throughput/latency/CPU per cell (strings, then data types), memory, targets."""
    rows = []
    for group, title in GROUPS:
        cells = [c for c in result["cells"] if c.get("group", "strings") == group]
        if cells:
            rows += ([""] if rows else []) + [f"**{title}**", ""] + cell_rows(cells)
    mem = result.get("memory", {})
    if mem:
        rows += ["", "| memory | Redis | Redistill | ratio |", "| --- | ---: | ---: | ---: |"]
        a, b = mem["redis"], mem["redistill"]
        for key, label in (("rss_per_key", "RSS per key (B)"), ("used_per_key", "used_memory per key (B)")):
            rows.append(f"| {label} | {a[key]:.1f} | {b[key]:.1f} | {_fmt_ratio(_ratio(a[key], b[key]))} |")
        rows.append(f"| RSS after {a['keys']:,} keys (MB) | {a['rss_after'] / 2**20:.1f} "
                    f"| {b['rss_after'] / 2**20:.1f} | {_fmt_ratio(_ratio(a['rss_after'], b['rss_after']))} |")
    if result.get("targets"):
        rows += ["", "| target | cell | goal | measured | |", "| --- | --- | --- | ---: | --- |"]
        for t in result["targets"]:
            rows.append(f"| {t['target']} | {t['cell']} | {t['goal']} | {_fmt_ratio(t['ratio'])} "
                        f"| {'met' if t['met'] else '**missed**'} |")
    return "\n".join(rows) + "\n"


def machine_text(result: dict) -> str:
    m, s = result["machine"], result["settings"]
    load = ", ".join(f"{x:.2f}" for x in result.get("load_before", []))
    load_after = ", ".join(f"{x:.2f}" for x in result.get("load_after", []))
    extra = " ".join(s.get("redistill_args") or []) or "defaults"
    lines = [
        f"- date: {result['date']}{' (QUICK mode: short runs, not a measurement)' if result.get('quick') else ''}",
        f"- machine: {m['nproc']} CPUs ({m['cpus_usable']} usable), {m['cpu_model']}, {m['memory_total_gb']} GB, "
        f"Linux {m['kernel']}",
        f"- software: Python {m['python']}, {m['redis_server']}, {m['redis_benchmark']}, "
        f"Redistill {m['redistill_commit']} ({extra})",
        f"- load average (1, 5, 15 min) before: {load}; after: {load_after}",
        f"- redis-benchmark -c {s['clients']} -r {s['random']} (data types: -r {s.get('type_random', '-')}"
        f"{'; scripts: -r ' + str(s['script_random']) if 'script_random' in s else ''}); "
        f"{s['rounds']} rounds (A B / B A), medians; "
        f"runs sized for {s['target_seconds']} s; {s['keys']:,} keys preloaded",
    ]
    if result.get("note"):
        lines.append(f"- note: {result['note']}")
    return "\n".join(lines) + "\n"


def chart(result: dict, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no chart (make bench installs it into the venv)", file=sys.stderr)
        return False
    cells = result["cells"]
    names = [c["name"] for c in cells]
    x = range(len(names))
    w = 0.4
    fig, axes = plt.subplots(1, 3, figsize=(max(15, 0.8 * len(cells)), 5.2), gridspec_kw={"width_ratios": [4, 4, 1.3]})
    colors = {"redis": "#c0392b", "redistill": "#2471a3"}
    for ax, key, title in ((axes[0], "rps", "throughput (ops/s, higher is better)"),
                           (axes[1], "cpu_us_per_op", "server CPU µs per op (lower is better)")):
        for i, s in enumerate(("redis", "redistill")):
            vals = [c["servers"][s][key] / (1000 if key == "rps" else 1) for c in cells]
            ax.bar([j + (i - 0.5) * w for j in x], vals, w, label=s, color=colors[s])
        ax.set_xticks(list(x))
        ax.set_xticklabels(names, rotation=40, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        if key == "rps":
            ax.set_ylabel("k ops/s")
        ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    mem = result.get("memory", {})
    ax = axes[2]
    if mem:
        vals = [mem[s]["rss_per_key"] for s in ("redis", "redistill")]
        ax.bar([0, 1], vals, 0.6, color=[colors["redis"], colors["redistill"]])
        ax.set_xticks([0, 1])
        ax.set_xticklabels(["redis", "redistill"], fontsize=8)
        ax.set_title("RSS bytes per key", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    m = result["machine"]
    fig.suptitle(f"Redis vs Redistill, redis-benchmark -c {result['settings']['clients']} -r "
                 f"{result['settings']['random']} — {result['date'][:16]} — {m['nproc']} CPUs {m['cpu_model']}"
                 + (" — QUICK" if result.get("quick") else ""), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


DOC_HEAD = """# Performance

Redistill and Redis measured side by side on one machine in one run by `make bench` (perf/bench.py).
Every full `make bench` rewrites the "Latest results" section of this page (the rest is kept);
`make bench QUICK=1` only checks the harness (its results go to perf/results/*-quick.* and leave this
page alone).

## How it is measured

- Debian's `redis-server` (`--save '' --appendonly no`) and Redistill (default settings: one worker thread
  per CPU but one) run on free loopback ports. Both are first loaded with the same keys (`key:NNNNNNNNNNNN`, 3-byte
  values), so GETs hit and SETs overwrite; RSS (from /proc) and `used_memory` (INFO) are read before and after
  that load, giving the memory cost per small key.
- Each cell is `redis-benchmark -c 50 -r 1000000 -P <n> -t <test> --csv`, run on Redis and on Redistill in
  turn (A B, then B A, ...) for several rounds; the tables show medians. Every run is sized to last the
  target time (2.5 s in a full run). MSET is redis-benchmark's `MSET (10 keys)` (ops = MSET commands);
  *mixed* runs GET with 40 clients and SET with 10 at once (ops/s summed over the wall time, p50 weighted by
  ops, p99 the larger of the two).
- Server CPU per op: user + system CPU seconds of the whole server process (all threads) over the run,
  from `/proc/<pid>/stat`, divided by the requests of the run.
- On a 2-core machine redis-benchmark needs a whole core, so throughput at -P 1 and -P 16 is partly
  bounded by the client; CPU per op is not. Numbers taken while the machine was busy say so in the
  load averages below.

`make bench-core` runs a C microbenchmark of the keyspace alone (perf/keyspace_bench.c): ops/s per
thread for hashing, GET, SET and a pipelined connection batch, over 1, 2 and 4 threads.
"""


BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def latest_section(result: dict, stem: Path, has_chart: bool) -> str:
    parts = [BEGIN, "## Latest results\n", machine_text(result), ""]
    if has_chart:
        rel = os.path.relpath(stem.with_suffix(".png"), DOCS.parent)
        parts += [f"![Redis vs Redistill]({rel})", ""]
    parts += [markdown(result), f"Raw numbers (every run): `{os.path.relpath(stem.with_suffix('.json'), ROOT)}`.",
              END]
    return "\n".join(parts)


def docs_page(result: dict, stem: Path, has_chart: bool) -> str:
    """docs/PERFORMANCE.md with its generated section replaced; the hand-written rest is kept."""
    section = latest_section(result, stem, has_chart)
    try:
        old = DOCS.read_text()
    except OSError:
        old = ""
    if BEGIN in old and END in old:
        return old[:old.index(BEGIN)] + section + old[old.index(END) + len(END):]
    return DOC_HEAD + "\n" + section + "\n"


def write_all(result: dict, stem: Path, docs: bool) -> list[Path]:
    stem = Path(stem)
    paths = [stem.with_suffix(".json"), stem.with_suffix(".md")]
    paths[0].write_text(json.dumps(result, indent=1) + "\n")
    paths[1].write_text("# Benchmark " + result["date"] + "\n\n" + machine_text(result) + "\n" + markdown(result))
    has_chart = chart(result, stem.with_suffix(".png"))
    if has_chart:
        paths.append(stem.with_suffix(".png"))
    if docs:
        DOCS.write_text(docs_page(result, stem, has_chart))
        paths.append(DOCS)
    return paths


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("json", help="a perf/results/<date>.json file")
    ap.add_argument("--docs", action="store_true", help="also rewrite docs/PERFORMANCE.md")
    args = ap.parse_args()
    src = Path(args.json).resolve()
    result = json.loads(src.read_text())
    result["targets"] = targets(result)
    for p in write_all(result, src.with_suffix(""), args.docs):
        print("wrote", os.path.relpath(p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
