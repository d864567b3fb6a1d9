"""bench/RESULTS.md and bench/results.json. Pure: no Django imports.

Each database's run is kept under its own key ("postgresql", "sqlite"), so a
run on one leaves the other's figures in place. The Markdown between the
``bench`` markers is rewritten from the JSON; everything outside them (the
load test's section, for one) is kept as it is.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

START = "<!-- bench:start -->"
END = "<!-- bench:end -->"
DATABASE_ORDER = ("postgresql", "sqlite")


def machine() -> dict:
    info: dict[str, object] = {"cores": os.cpu_count(), "python": platform.python_version()}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


def save(results: dict, directory: Path) -> None:
    """Merge this run into results.json and rewrite the benchmark part of RESULTS.md."""
    json_path = directory / "results.json"
    md_path = directory / "RESULTS.md"
    everything = json.loads(json_path.read_text()) if json_path.exists() else {}
    everything[results["database_vendor"]] = results
    json_path.write_text(json.dumps(everything, indent=2, ensure_ascii=False) + "\n")
    md_path.write_text(splice(md_path.read_text() if md_path.exists() else "", render(everything)))


def splice(
    existing: str, section: str, *, start: str = START, end: str = END, first: bool = True
) -> str:
    """``existing`` with the section between ``start`` and ``end`` replaced (or, when it
    has none, put first, or last with ``first=False``)."""
    block = f"{start}\n{section.rstrip()}\n{end}"
    if start in existing and end in existing:
        before, rest = existing.split(start, 1)
        _, after = rest.split(end, 1)
        return before + block + after
    if not existing.strip():
        return block + "\n"
    if first:
        return block + "\n\n" + existing.lstrip()
    return existing.rstrip() + "\n\n" + block + "\n"


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "rows/s":
        return f"{value:,.0f}"
    if unit == "ratio":
        return f"{value:.2f}"
    if unit == "MB":
        return f"{value:.0f}"
    return f"{value:.1f}"


def _target(figure: dict) -> str:
    if figure.get("target") is None:
        return ""
    sign = "≥" if figure.get("higher_is_better") else "≤"
    unit = figure["unit"]
    unit = "" if unit == "ratio" else f" {unit}"
    return f"{sign} {figure['target']:g}{unit}"


def _verdict(figure: dict) -> str:
    passed = figure.get("passed")
    return "" if passed is None else ("**PASS**" if passed else "**FAIL**")


def render(everything: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run.py); the same figures are in "
        "[results.json](results.json). Times are milliseconds; each figure is the "
        "median of the runs, with the fastest (min) and slowest (max). "
        "Run it again with `make bench` (SQLite) or "
        "`DATABASE_URL=postgres://…/sourcemark_bench make bench` (PostgreSQL).",
        "",
        "The 2 cores are shared with whatever else runs; each run records the load average. "
        "Under load the medians rise while the minimums stay near the quiet figures: read a "
        "FAIL whose min passes, with a high load noted, as contention rather than the app.",
    ]
    for vendor in sorted(everything, key=lambda v: DATABASE_ORDER.index(v)):
        lines += ["", *_render_run(everything[vendor])]
    return "\n".join(lines) + "\n"


def _render_run(run: dict) -> list[str]:
    m = run["machine"]
    d = run["dataset"]
    lines = [
        f"## {run['database']}",
        "",
        f"- Date: {run['date']}",
        f"- Machine: {m.get('cores')} cores ({m.get('cpu', 'unknown CPU')}), "
        f"{m.get('memory_gb', '?')} GB memory; Python {m.get('python')}, Django {run['django']}",
        f"- Data: {d['articles']:,} articles, {d['spans']:,} spans, {d['labels']:,} labels; "
        f"the long article has {d['long_spans']:,} spans and {d['long_labels']:,} labels "
        + (
            f"(generated in {run['generation_s']:.0f} s)"
            if run.get("generation_s") is not None
            else "(reused from an earlier run)"
        ),
        f"- Runs per figure: {run['runs']} (after one warm-up run); server times in-process "
        "through the full middleware stack with django.test.Client, logged in as an editor",
        "",
        "| Measurement | min | median | max | unit | target | result |",
        "| --- | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for figure in run["figures"]:
        if "reason" in figure:
            lines.append(f"| {figure['title']} | | | | | | not measured: {figure['reason']} |")
            continue
        unit = figure["unit"]
        lines.append(
            f"| {figure['title']} | {_number(figure['min'], unit)} | "
            f"{_number(figure['median'], unit)} | {_number(figure['max'], unit)} | {unit} | "
            f"{_target(figure)} | {_verdict(figure)} |"
        )
    export = run.get("export", {})
    if "ratio" in export:
        lines += [
            "",
            f"COPY ratio: the app's export runs at **{export['ratio']:.0%}** of COPY's rate "
            f"(target ≥ 30%).",
        ]
    elif run["database_vendor"] == "sqlite":
        lines += ["", "SQLite has no COPY: the export rate is reported alone."]
    lines += [
        "",
        "SQL queries per request (at full size, and with few spans or articles):",
        "",
        "| Request | queries | with few | constant |",
        "| --- | ---: | ---: | --- |",
    ]
    for count in run["queries"]:
        verdict = "**PASS**" if count["constant"] else "**FAIL**"
        lines.append(
            f"| {count['view']} (`{count['url']}`) | {count['queries']} | "
            f"{count['small_queries']} (`{count['small_url']}`) | {verdict} |"
        )
    notes = [
        f"- {figure['title']}: {figure['note']}" for figure in run["figures"] if figure.get("note")
    ]
    notes += [f"- {note}" for note in run.get("notes", [])]
    if notes:
        lines += ["", "Notes:", "", *notes]
    return lines
