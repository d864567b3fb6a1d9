"""The CSV export's lines built by PostgreSQL, byte for byte as ``annotations.csvexport`` writes them.

For a whole-span export (every label of the articles it covers) on
PostgreSQL, the database formats each row as one CSV line: formula
neutralising, RFC 4180 quoting as Python's ``csv`` module does it
(QUOTE_MINIMAL: a field with a comma, a double quote, CR or LF is quoted,
quotes doubled), kind names, and each span's consensus from a window over
its labels. Python then only joins lines. Formatting 16 cells per row in
Python took three times as long as PostgreSQL's whole ``COPY`` of the same
rows (bench/RESULTS.md). ``csvexport`` stays the definition: the tests
compare this path's bytes with it, on hostile text too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from annotations.balance import DISPUTED, KINDS
from annotations.csvexport import BLANKS, FORMULA_STARTERS, LEADING_CONTROLS, formula_pattern
from annotations.models import Label, LabelKind

LINES_PER_FETCH = 5000
_NAMES = dict(LabelKind.choices)


def _literal(text: str) -> str:
    """A PostgreSQL string literal (E'' so control characters are spelled out)."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    escaped = escaped.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")
    return f"E'{escaped}'"


# csvexport's formula rule, built from its own lists. NUL cannot be stored in
# PostgreSQL text (nor written in a literal), so it is left out here.
_FORMULA = _literal(
    "^"
    + formula_pattern(
        LEADING_CONTROLS.replace("\x00", ""), BLANKS.replace("\x00", ""), FORMULA_STARTERS
    )
)


def _text(column: str) -> str:
    """A text cell: neutralised, then quoted when the csv module would quote it."""
    neutral = f"(CASE WHEN {column} ~ {_FORMULA} THEN '''' || {column} ELSE {column} END)"
    return (
        f"(CASE WHEN {neutral} ~ '[\",\\r\\n]' "
        f"THEN '\"' || replace({neutral}, '\"', '\"\"') || '\"' ELSE {neutral} END)"
    )


def _kind_name(column: str) -> str:
    cases = " ".join(f"WHEN {_literal(k)} THEN {_literal(n)}" for k, n in _NAMES.items())
    return f"(CASE {column} {cases} ELSE {column} END)"


def _consensus() -> str:
    """The kind more reviewers chose than any other, else Disputed (balance.consensus)."""
    counts = {
        kind: f"count(*) FILTER (WHERE l.kind = {_literal(kind)}) OVER spans" for kind in KINDS
    }
    cases = " ".join(
        f"WHEN {' AND '.join(f'{counts[kind]} > {counts[other]}' for other in KINDS if other != kind)}"
        f" THEN {_literal(_NAMES[kind])}"
        for kind in KINDS
    )
    return f"(CASE {cases} ELSE {_literal(DISPUTED.capitalize())} END)"


def _utc(column: str) -> str:
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"


def _line_sql(labels: QuerySet[Label]) -> tuple[str, tuple[Any, ...]]:
    selected, params = labels.order_by().values("pk").query.sql_with_params()
    cells = [
        "a.id::text",
        _text("a.title"),
        _text("a.outlet"),
        _text("a.url"),
        "l.span_id::text",
        "s.start::text",
        's."end"::text',
        _text("s.quote"),
        _kind_name("l.kind"),
        "l.kind",
        _consensus(),
        _text("u.username"),
        _text("l.note"),
        _text("l.source_url"),
        _utc("l.created_at"),
        _utc("l.updated_at"),
    ]
    sql = (
        f"SELECT concat_ws(',', {', '.join(cells)}) || E'\\r\\n' "
        "FROM annotations_label l "
        "JOIN annotations_span s ON s.id = l.span_id "
        "JOIN annotations_article a ON a.id = s.article_id "
        f"JOIN auth_user u ON u.id = l.reviewer_id "
        f"WHERE l.id IN ({selected}) "
        # Partitioned by the output order's leading columns: one sort serves both.
        'WINDOW spans AS (PARTITION BY s.article_id, s.start, s."end", l.span_id) '
        'ORDER BY s.article_id, s.start, s."end", l.span_id, l.id'
    )
    return sql, params


def csv_lines(labels: QuerySet[Label]) -> Iterator[str]:
    """The rows of a whole-span export as CSV text, a batch of lines at a time.

    Call inside a transaction (``exports.export_bytes`` does): the named
    cursor then streams instead of being stored WITH HOLD.
    """
    sql, params = _line_sql(labels)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(LINES_PER_FETCH):
            yield "".join([line for (line,) in batch])
