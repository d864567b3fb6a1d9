"""bench/RESULTS.md and bench/results.json. Pure: no Django imports.

Each database's run is kept under its own key ("postgresql", "sqlite", and
"postgresql-x10" for ``--scale 10``), so a run on one leaves the others'
figures in place. Each figure is compared with the same figure of the
previous committed run under the same key (``git show HEAD:bench/results.json``,
else the file as it is): a change for the worse of more than
``REGRESSION`` (20 %) is flagged, and so is any extra SQL query. The Markdown between the
``bench`` markers is rewritten from the JSON; everything outside them (the
load test's section, for one) is kept as it is.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path

START = "<!-- bench:start -->"
END = "<!-- bench:end -->"
DATABASE_ORDER = ("postgresql", "sqlite")
REGRESSION = 0.20  # a figure this much worse than the previous committed one is flagged


def key(results: dict) -> str:
    """Where a run is kept in results.json: the database, and the scale when not 1."""
    scale = results.get("scale", 1)
    vendor: str = results["database_vendor"]
    return vendor if scale == 1 else f"{vendor}-x{scale}"


def _order(key: str) -> tuple[int, str]:
    vendor = key.split("-", 1)[0]
    return (DATABASE_ORDER.index(vendor) if vendor in DATABASE_ORDER else 99, key)


def previous(directory: Path, key: str) -> dict | None:
    """The last committed run kept under ``key``, or None."""
    path = directory / "results.json"
    text = None
    try:
        relative = path.resolve().relative_to(Path(__file__).resolve().parents[1])
        text = subprocess.run(
            ["git", "show", f"HEAD:{relative}"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (ValueError, OSError, subprocess.CalledProcessError):
        text = path.read_text() if path.exists() else None
    if not text:
        return None
    run: dict | None = json.loads(text).get(key)
    return run


def compare(results: dict, before: dict | None) -> None:
    """Put each figure's previous median and change into it; flag regressions over 20 %."""
    if before is None:
        return
    results["previous_date"] = before.get("date")
    old = {f["id"]: f for f in before.get("figures", []) if f.get("median") is not None}
    for figure in results["figures"]:
        earlier = old.get(figure["id"])
        if earlier is None or figure.get("median") is None or not earlier["median"]:
            continue
        change = figure["median"] / earlier["median"] - 1
        worse = -change if figure.get("higher_is_better") else change
        figure.update(previous=earlier["median"], change=change, regression=worse > REGRESSION)
    old_counts = {c["view"]: c["queries"] for c in before.get("queries", [])}
    for count in results["queries"]:
        if count["view"] in old_counts:
            count["previous"] = old_counts[count["view"]]
            count["regression"] = count["queries"] > count["previous"]


def _change(figure: dict) -> str:
    if "change" not in figure:
        return ""
    text = f"{figure['change']:+.0%}"
    return f"**{text} worse**" if figure.get("regression") else text


def console(results: dict) -> list[str]:
    """One line per figure: median, previous median, change, target verdict, regression."""
    lines = []
    for figure in results["figures"]:
        if "reason" in figure:
            lines.append(f"{figure['title']}: not measured ({figure['reason']})")
            continue
        unit = figure["unit"]
        verdict = {True: " PASS", False: " FAIL", None: ""}[figure.get("passed")]
        line = f"{figure['title']}: {_number(figure['median'], unit)} {unit}{verdict}"
        if "previous" in figure:
            line += f" (previous {_number(figure['previous'], unit)}, {figure['change']:+.0%})"
        if figure.get("regression"):
            line += f" REGRESSION over {REGRESSION:.0%}"
        lines.append(line)
    for count in results["queries"]:
        line = f"{count['view']}: {count['queries']} queries"
        if count.get("target") is not None:
            line += " PASS" if count["queries"] <= count["target"] else " FAIL"
        if "previous" in count:
            line += f" (previous {count['previous']})"
        if count.get("regression"):
            line += " REGRESSION"
        lines.append(line)
    return lines


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
    everything[key(results)] = results
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


def _load(run: dict) -> str:
    load = run.get("load")
    if not load:
        return "not recorded"
    return f"{load[0]:.1f} when measuring began, {load[1]:.1f} at the end"


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
    for name in sorted(everything, key=_order):
        lines += ["", *_render_run(everything[name])]
    return "\n".join(lines) + "\n"


def _render_run(run: dict) -> list[str]:
    m = run["machine"]
    d = run["dataset"]
    scale = run.get("scale", 1)
    lines = [
        f"## {run['database']}" + (f", scale {scale}" if scale != 1 else ""),
        "",
        f"- Date: {run['date']}; load average (1 min) {_load(run)}",
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
        "- Previous: "
        + (
            f"the committed run of {run['previous_date']}; a change for the worse over "
            f"{REGRESSION:.0%} is flagged"
            if run.get("previous_date")
            else "none committed for this database and scale"
        ),
        "",
        "| Measurement | min | median | max | unit | target | result | previous | change |",
        "| --- | ---: | ---: | ---: | --- | --- | --- | ---: | ---: |",
    ]
    for figure in run["figures"]:
        if "reason" in figure:
            lines.append(f"| {figure['title']} | | | | | | not measured: {figure['reason']} | | |")
            continue
        unit = figure["unit"]
        lines.append(
            f"| {figure['title']} | {_number(figure['min'], unit)} | "
            f"{_number(figure['median'], unit)} | {_number(figure['max'], unit)} | {unit} | "
            f"{_target(figure)} | {_verdict(figure)} | "
            f"{_number(figure.get('previous'), unit)} | {_change(figure)} |"
        )
    export = run.get("export", {})
    if "ratio" in export:
        lines += [
            "",
            f"COPY ratio: the app's export runs at **{export['ratio']:.0%}** of COPY's rate "
            f"(target ≥ {export.get('target', 0.5):.0%}).",
        ]
    elif run["database_vendor"] == "sqlite":
        lines += ["", "SQLite has no COPY: the export rate is reported alone."]
    lines += [
        "",
        "SQL queries per request (at full size, and with few spans or articles):",
        "",
        "| Request | queries | with few | constant | target | previous |",
        "| --- | ---: | ---: | --- | --- | ---: |",
    ]
    for count in run["queries"]:
        verdict = "**PASS**" if count["constant"] else "**FAIL**"
        target = count.get("target")
        if target is not None:
            target = f"≤ {target} " + ("**PASS**" if count["queries"] <= target else "**FAIL**")
        earlier = count.get("previous", "")
        if count.get("regression"):
            earlier = f"{earlier} **more now**"
        lines.append(
            f"| {count['view']} (`{count['url']}`) | {count['queries']} | "
            f"{count['small_queries']} (`{count['small_url']}`) | {verdict} | "
            f"{target or ''} | {earlier} |"
        )
    notes = [
        f"- {figure['title']}: {figure['note']}" for figure in run["figures"] if figure.get("note")
    ]
    notes += [f"- {note}" for note in run.get("notes", [])]
    if notes:
        lines += ["", "Notes:", "", *notes]
    return lines
