"""``make bench``: build the throwaway database, measure, write bench/RESULTS.md.

    .venv/bin/python -m bench.run [--runs 7] [--scale 1] [--keep-data] [--no-browser] [--no-memory]

PostgreSQL when DATABASE_URL is set (its name must contain "bench": it is
wiped), else SQLite in bench/out/. ``--keep-data`` reuses a dataset of the
same sizes left by an earlier run. ``--scale 10`` measures at ten times the
articles and labels (10,000 and 2,000,000; the long article is the same); its
results are kept apart (``postgresql-x10``). Each figure is printed beside the
previous committed result of the same database and scale, and a change for
the worse of more than 20 % is flagged (bench/report.py, ``compare``).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

import django

from bench import database

BENCH_DIR = Path(__file__).resolve().parent
MEMORY_LABELS = 1_000_000


def measure(
    data,
    *,
    runs: int,
    browser: bool,
    memory: bool,
    memory_labels: int = MEMORY_LABELS,
    exports: bool = True,
    memory_runs: int = 3,
) -> dict:
    """Every figure of issues 7 and 17 on the dataset ``data`` in the current database."""
    from annotations.models import Label
    from bench import correction, export, pages, webannotation
    from bench.pages import Unavailable

    figures, counts = pages.server_figures(data, runs)
    figures.append(correction.figure(data, runs))
    notes: list[str] = []
    if browser:
        try:
            figures.insert(1, _browser_figure(data, runs))
        except Exception as error:  # no Chromium, say: the other figures still count
            reason = f"Chromium run failed: {type(error).__name__}: {str(error)[:200]}"
            figures.insert(
                1, Unavailable("article_page_browser", "Article page in Chromium", reason)
            )
    export_info: dict = {}
    if not exports:
        notes.append("The exports' rates were not measured in this run (--no-export).")
    elif export.available():
        export_figures, export_counts, export_info = export.export_figures(runs)
        figures += export_figures
        counts += export_counts
    if export.available():
        annotation_figures, annotation_counts = webannotation.figures(data, runs)
        figures += annotation_figures
        counts += annotation_counts
        if memory:
            total = Label.objects.count()
            for fmt in ("csv", "jsonld"):
                figures.append(export.peak_memory(total, runs=min(runs, memory_runs), fmt=fmt))
            from bench.dataset import add_extra_labels, remove_extra_labels

            if memory_labels > total:
                extra = add_extra_labels(memory_labels)
                try:
                    # The same peak at five times the labels: memory stays flat.
                    for fmt in ("csv", "jsonld"):
                        figures.append(
                            export.peak_memory(memory_labels, runs=min(runs, memory_runs), fmt=fmt)
                        )
                finally:
                    remove_extra_labels(extra)
    else:
        figures.append(Unavailable("export_rate", "CSV export", "annotations.exports is missing"))
    from bench import reanchoring

    return {
        "figures": [f.as_dict() if not isinstance(f, Unavailable) else asdict(f) for f in figures]
        + [reanchoring.figure(runs)],
        "queries": [c.as_dict() for c in counts],
        "export": export_info,
        "notes": notes,
    }


def _browser_figure(data, runs: int):
    from bench import browser
    from bench.pages import logged_in_client

    client = logged_in_client(data.reviewer)
    html = client.get(f"/articles/{data.long_article_id}/").content.decode()
    body = html.split('id="article-body"', 1)[-1].split("</div>", 1)[0]
    highlights = body.count("<mark ")
    session = client.cookies["sessionid"].value
    return browser.page_figure(data.long_article_id, session, highlights, runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="Timed runs per figure (>= 5).")
    parser.add_argument(
        "--scale", type=int, default=1, help="Times the articles and labels (10: 2,000,000)."
    )
    parser.add_argument("--keep-data", action="store_true", help="Reuse an existing dataset.")
    parser.add_argument("--no-browser", action="store_true", help="Skip Chromium.")
    parser.add_argument("--no-memory", action="store_true", help="Skip the peak-memory runs.")
    parser.add_argument(
        "--no-export",
        action="store_true",
        help="Skip the CSV export's rate and COPY (minutes at --scale 10); memory is still run.",
    )
    parser.add_argument("--output", type=Path, default=BENCH_DIR, help="Where RESULTS.md goes.")
    args = parser.parse_args(argv)

    try:
        database.configure()
    except database.RefusedDatabase as error:
        print(error, file=sys.stderr)
        return 2
    django.setup()
    from django.db import connection

    from bench import dataset, report

    sizes = dataset.Sizes.scaled(args.scale)
    data = None
    if args.keep_data:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # the code may have moved on since
        data = dataset.find(sizes)
        if data is not None:
            # An earlier run's correction rewrote 5,000 spans: settle the dead rows and
            # the visibility map as autovacuum would, so every run starts from the same state.
            dataset.analyze()
    generation = None
    if data is None:
        print("Building the dataset…", flush=True)
        began = time.perf_counter()
        database.wipe_and_migrate()
        data = dataset.build(sizes)
        generation = time.perf_counter() - began
    print(f"Dataset ready ({generation or 0:.0f} s): {data.as_dict()}", flush=True)

    from newsroom import collector

    collector.tune()  # as wsgi.py does in every app process: time what the server runs
    load_before = os.getloadavg()[0]
    results = measure(
        data,
        runs=args.runs,
        browser=not args.no_browser,
        memory=not args.no_memory,
        exports=not args.no_export,
        # A fresh process exporting 2,000,000 labels takes a minute or more: once at scale 10.
        memory_runs=3 if args.scale == 1 else 1,
    )
    load_after = os.getloadavg()[0]
    results["load"] = [load_before, load_after]
    results["notes"].append(
        f"Load average (1 min) on the 2 cores: {load_before:.1f} when measuring began, "
        f"{load_after:.1f} at the end; other work on the machine slows every figure."
    )
    results.update(
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=report.machine(),
        database=database.describe(),
        database_vendor=connection.vendor,
        django=django.get_version(),
        dataset=data.as_dict(),
        generation_s=generation,
        runs=args.runs,
    )
    results["scale"] = args.scale
    key = report.key(results)
    previous = report.previous(args.output, key)
    report.compare(results, previous)
    report.save(results, args.output)
    for line in report.console(results):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
