"""CSV export: the app's streaming export against PostgreSQL's own COPY, and its memory.

The app's rate is rows per second of ``annotations.exports.export_bytes``
consumed to the end (query, consensus, formula neutralising, CSV quoting,
UTF-8 encoding: everything but the socket). COPY runs the very SQL the
export ran (captured from the connection), as ``COPY (...) TO STDOUT WITH
CSV``, read to the end through psycopg: the floor for getting those rows
out of the database. Peak memory is measured in a separate process
(``bench/export_memory.py``) so nothing else this harness did counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

from annotations.models import Label
from bench.measure import Figure, QueryCount, count_queries, time_runs

# Issue 17: the export at half COPY's rate on PostgreSQL; on SQLite (no COPY),
# 102,000 labels in 0.7 s, i.e. this many rows a second.
MIN_COPY_RATIO = 0.50
MIN_SQLITE_RATE = 102_000 / 0.7
PEAK_MEMORY_MB = 150
ROOT = Path(__file__).resolve().parent.parent


def available() -> bool:
    try:
        from annotations import exports  # noqa: F401
    except ImportError:
        return False
    return True


def consume_export() -> tuple[int, int]:
    """Run the app's whole export, as ``manage.py export_labels`` does; returns (bytes, chunks)."""
    from annotations.exports import export_bytes, select_labels

    size = chunks = 0
    for chunk in export_bytes(select_labels(), whole_spans=True):
        size += len(chunk)
        chunks += 1
    return size, chunks


# PostgreSQL's own COPY of the same rows: the export's join, columns, filter
# (every label) and order, with no formatting of ours. The floor: how fast
# the database alone turns these rows into CSV.
COPY_SQL = (
    'SELECT a.id, a.title, a.outlet, a.url, l.span_id, s.start, s."end", s.quote, l.kind, '
    "u.username, l.note, l.source_url, l.created_at, l.updated_at "
    "FROM annotations_label l "
    "JOIN annotations_span s ON s.id = l.span_id "
    "JOIN annotations_article a ON a.id = s.article_id "
    "JOIN auth_user u ON u.id = l.reviewer_id "
    'ORDER BY s.article_id, s.start, s."end", l.span_id, l.id'
)


def export_sql() -> str:
    """The longest statement the export runs, as the driver sent it (for the results)."""
    _, statements = count_queries(consume_export)
    return max(statements, key=len)


def copy_bytes(sql: str) -> int:
    """Read ``COPY (sql) TO STDOUT WITH CSV`` to the end; returns the bytes read."""
    size = 0
    statement = f"COPY ({sql}) TO STDOUT WITH CSV"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in copy:
            size += len(block)
    return size


def export_figures(runs: int) -> tuple[list[Figure], list[QueryCount], dict]:
    rows = Label.objects.count()
    sizes: dict[str, int] = {}

    def app(n: int) -> None:
        sizes["app_bytes"], sizes["chunks"] = consume_export()

    app_ms = time_runs(app, runs)
    app_rate = Figure(
        "export_rate",
        f"CSV export of all {rows:,} labels (app, streaming)",
        "rows/s",
        [rows / (ms / 1000) for ms in app_ms],
        note="Consumes annotations.exports.export_bytes(select_labels(), whole_spans=True) to the end, as manage.py export_labels does.",
        higher_is_better=True,
        extra={"rows": rows, "bytes": sizes["app_bytes"], "ms": app_ms},
    )
    if connection.vendor != "postgresql":
        app_rate.target = round(MIN_SQLITE_RATE)
    figures = [app_rate]
    queries, _ = count_queries(consume_export)
    # One article's download: the same one query (plus none per row) for ~100 labels.
    from annotations.exports import export_bytes, select_labels

    first = Label.objects.order_by("span__article_id").values_list("span__article_id", flat=True)[0]
    small, _ = count_queries(
        lambda: b"".join(export_bytes(select_labels(article_ids=[first]), whole_spans=True))
    )
    counts = [
        QueryCount(
            "CSV export (all labels)",
            "export_bytes(select_labels(), whole_spans=True)",
            queries,
            f"article {first} only",
            small,
        )
    ]
    comparison: dict = {"rows": rows}
    if connection.vendor == "postgresql":

        def copy(n: int) -> None:
            sizes["copy_bytes"] = copy_bytes(COPY_SQL)

        copy_ms = time_runs(copy, runs)
        copy_rate = Figure(
            "copy_rate",
            "PostgreSQL COPY (same join, columns and order) TO STDOUT WITH CSV",
            "rows/s",
            [rows / (ms / 1000) for ms in copy_ms],
            higher_is_better=True,
            extra={"rows": rows, "bytes": sizes["copy_bytes"], "ms": copy_ms},
        )
        ratios = sorted(a / c for a, c in zip(app_rate.runs, copy_rate.runs, strict=True))
        ratio = Figure(
            "copy_ratio",
            "App export rate ÷ COPY rate",
            "ratio",
            [app_rate.median / copy_rate.median],
            target=MIN_COPY_RATIO,
            higher_is_better=True,
            note="Ratio of the medians; per-run ratios in extra.",
            extra={"per_run": ratios},
        )
        figures += [copy_rate, ratio]
        comparison.update(
            copy_sql=COPY_SQL, export_sql=export_sql(), ratio=ratio.median, target=MIN_COPY_RATIO
        )
    else:
        app_rate.note += " SQLite has no COPY: the export rate alone is reported."
    return figures, counts, comparison


def peak_memory(label_total: int, runs: int = 1, *, fmt: str = "csv") -> Figure:
    """Peak memory (max RSS) of a fresh process exporting every label; ``runs`` processes.

    ``fmt``: "csv", or "jsonld" for one Web Annotation collection (bench/webannotation.py).
    """
    peaks, raises, rates = [], [], []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-m", "bench.export_memory", fmt],
            cwd=ROOT,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            check=True,
        )
        measured = json.loads(result.stdout.strip().splitlines()[-1])
        peaks.append(measured["peak_kb"] / 1024)
        raises.append((measured["peak_kb"] - measured["before_kb"]) / 1024)
        rates.append(measured["rows"] / measured["seconds"])
    what = "labels" if fmt == "csv" else "labels as Web Annotations"
    return Figure(
        f"export_peak_memory_{label_total}" + ("" if fmt == "csv" else f"_{fmt}"),
        f"Peak memory of a process exporting {label_total:,} {what}",
        "MB",
        peaks,
        target=PEAK_MEMORY_MB,
        note="Peak resident size (VmHWM) of a fresh process: Python, Django, the driver and "
        "the export; extra.raise_mb is the export's own share.",
        extra={"raise_mb": raises, "rows_per_s": rates, "labels": label_total},
    )
