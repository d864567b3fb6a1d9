"""The hot queries' plans on PostgreSQL: ``EXPLAIN (ANALYZE, BUFFERS)`` of every SELECT
the hot requests run, on ``make bench``'s data (``--scale 10`` for the issue-17 size).

    DATABASE_URL=postgres://…/…bench… .venv/bin/python -m bench.plans [--scale 10] [--write]

Each request is made once through the whole Django stack (as bench/pages.py
makes it) with its SQL captured; every SELECT of it is then explained with
the same parameters, and the plan's key lines kept: each scan (which index,
or a sequential scan), sorts, the rows and buffers of the top node and the
execution time. Writes (the label POST's INSERTs) are not explained: EXPLAIN
ANALYZE would run them. ``--write`` puts the result in bench/RESULTS.md
between the ``plans`` markers; without it, it is printed.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

from bench import database

RESULTS_MD = Path(__file__).resolve().parent / "RESULTS.md"
START, END = "<!-- plans:start -->", "<!-- plans:end -->"
KEY_NODE = re.compile(
    r"(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan|Bitmap Index Scan|Sort Method|"
    r"Hash Join|Nested Loop|Merge Join|HashAggregate|GroupAggregate|Limit|Execution Time)"
)
SESSION_TABLES = ("accounts_usersession", "auth_user", "auth_group")


def key_lines(plan: list[str]) -> list[str]:
    """The lines of a text plan worth reading: the top node with its buffers, every scan,
    join and sort, and the execution time."""
    kept = [plan[0].strip()]
    for line in plan[1:]:
        text = line.strip().removeprefix("-> ")
        if KEY_NODE.search(text):
            kept.append(re.sub(r"\s+", " ", text))
    buffers = next((line.strip() for line in plan if "Buffers:" in line), "")
    if buffers:
        kept.insert(1, buffers)
    return kept


def requests(data, cleanups: list[Callable[[], None]]) -> list[tuple[str, Callable[[], object]]]:
    from annotations.models import Article, LabelKind
    from bench.pages import HTMX, FreshRanges, logged_in_client

    client = logged_in_client(data.reviewer)
    outlet = Article.objects.get(pk=data.long_article_id).outlet.replace(" ", "+")
    long_id, medium_id = data.long_article_id, data.medium_article_id

    def get(url: str) -> Callable[[], object]:
        def action() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if response.streaming:
                b"".join(getattr(response, "streaming_content"))  # noqa: B009
            else:
                response.content  # noqa: B018

        return action

    ranges = FreshRanges(Article.objects.get(pk=long_id))  # before capturing: not the POST's
    cleanups.append(ranges.clean_up)

    def label() -> None:
        start, end, quote = ranges.next()
        form = {"start": start, "end": end, "quote": quote, "kind": LabelKind.values[0]}
        client.post(f"/articles/{long_id}/labels/", form, **HTMX)

    return [
        (f"Article page, 2,000 spans (`/articles/{medium_id}/`)", get(f"/articles/{medium_id}/")),
        (f"Article page, 5,000 spans (`/articles/{long_id}/`)", get(f"/articles/{long_id}/")),
        ("Label a span (htmx POST), its SELECTs", label),
        (
            f"Report, 5,000 spans (`/articles/{long_id}/report/`)",
            get(f"/articles/{long_id}/report/"),
        ),
        ("`/reports/`", get("/reports/")),
        ("`/reports/?sort=-speculation`", get("/reports/?sort=-speculation")),
        (
            f"`/reports/?sort=-speculation&outlet={outlet}`",
            get(f"/reports/?sort=-speculation&outlet={outlet}"),
        ),
        (
            f"CSV of the 5,000-span article (`/articles/{long_id}/labels.csv`)",
            get(f"/articles/{long_id}/labels.csv"),
        ),
    ]


def explain(sql: str, params: Any) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return [row[0] for row in cursor.fetchall()]


def plans(data) -> list[str]:
    lines: list[str] = []
    cleanups: list[Callable[[], None]] = []
    try:
        hot = requests(data, cleanups)
        for title, action in hot:
            lines += _request_plans(title, action)
    finally:
        for cleanup in cleanups:  # the labels the POST added
            cleanup()
    return lines


def _request_plans(title: str, action: Callable[[], object]) -> list[str]:
    from django.db import connection

    action()  # warm: the plan of a request as every later one runs it
    captured: list[tuple[str, object]] = []
    with connection.execute_wrapper(_Keep(captured)):
        action()
    lines = ["", f"### {title}", ""]
    for sql, params in _selects(captured):
        first = re.sub(r"\s+", " ", sql)[:140]
        lines += [f"- `{first}…`", "", "  ```"]
        lines += [f"  {line}" for line in key_lines(explain(sql, params))]
        lines += ["  ```"]
    return lines


class _Keep:
    """An execute wrapper that keeps each statement with its parameters."""

    def __init__(self, into: list[tuple[str, object]]) -> None:
        self.into = into

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.into.append((sql, params))
        return execute(sql, params, many, context)


def _selects(captured: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """The SELECTs, sessions and user lookups left out."""
    return [
        (sql, params)
        for sql, params in captured
        if sql.lstrip().upper().startswith("SELECT")
        and not any(f'FROM "{table}"' in sql for table in SESSION_TABLES)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="into bench/RESULTS.md")
    args = parser.parse_args(argv)
    database.configure()
    django.setup()
    from django.db import connection

    from bench import dataset

    if connection.vendor != "postgresql":
        print("The plans are PostgreSQL's: set DATABASE_URL.", file=sys.stderr)
        return 2
    data = dataset.find(dataset.Sizes.scaled(args.scale))
    if data is None:
        print("No benchmark dataset of that scale here: run make bench first.", file=sys.stderr)
        return 2
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = [
        "## Query plans of the hot requests",
        "",
        f"Written by `python -m bench.plans --scale {args.scale} --write` (bench/plans.py), "
        f"{when}, PostgreSQL {version}: {data.articles:,} articles, {data.spans:,} spans, "
        f"{data.labels:,} labels. `EXPLAIN (ANALYZE, BUFFERS)` of each SELECT the request "
        "runs (sessions and users left out), key lines only: the top node and its buffers, "
        "every scan, join and sort, the execution time.",
        *plans(data),
    ]
    text = "\n".join(section) + "\n"
    if not args.write:
        print(text)
        return 0
    block = f"{START}\n{text.rstrip()}\n{END}\n"
    existing = RESULTS_MD.read_text(encoding="utf-8")
    if START in existing and END in existing:
        before, rest = existing.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        existing = before + block + ("\n" + after if after else "")
    else:
        existing = existing.rstrip("\n") + "\n\n" + block
    RESULTS_MD.write_text(existing, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
