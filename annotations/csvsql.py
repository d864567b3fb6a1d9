"""Rules of the CSV export restated in SQL, for speed, each next to the Python it mirrors.

For a whole-span export (every label of the articles it covers) on
PostgreSQL, the database formats each row as one CSV line (``csv_lines``),
and Python only joins lines: formatting every cell in Python was several
times slower than PostgreSQL's own ``COPY`` of the same rows
(bench/RESULTS.md). Each piece of SQL below restates one Python definition,
which stays the rule:

- ``_FORMULA`` and ``_text``: ``csvexport.neutralise`` (its pattern built
  from csvexport's own lists) and Python's ``csv`` quoting (QUOTE_MINIMAL: a
  field with a comma, a double quote, CR or LF is quoted, quotes doubled);
- ``_name``: ``kinds.NAMES``, generated from the table;
- ``_consensus``: ``balance.consensus_of_counts``, over a window of the span's labels;
- ``UTC_TIMESTAMP`` (also used by ``IsoUtc`` for the row-by-row export):
  ``csvexport.iso_utc``;
- ``ISO_DATE`` (also used by ``IsoDate``): ``csvexport.text_cell`` of a date,
  and of no date.

``tests/test_exports.py`` holds this path to the same bytes as the Python
one on PostgreSQL, with hostile text, disputes and majorities.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import CharField, Func, QuerySet

from annotations.csvexport import BLANKS, FORMULA_STARTERS, LEADING_CONTROLS, formula_pattern
from annotations.kinds import DISPUTED, KINDS, NAMES
from annotations.models import Label

LINES_PER_FETCH = 5000

# csvexport.iso_utc in PostgreSQL: ISO 8601 in UTC, to the second ("2026-11-28T08:55:03Z").
UTC_TIMESTAMP = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
# csvexport.text_cell of a date ("2026-03-20"), and of None (""): concat_ws would
# leave a NULL out altogether, and every cell after it would move one column left.
ISO_DATE = "coalesce(to_char({}, 'YYYY-MM-DD'), '')"


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


def _name(column: str) -> str:
    """The name of the kind in ``column`` (kinds.NAMES)."""
    cases = " ".join(f"WHEN {_literal(k)} THEN {_literal(NAMES[k])}" for k in KINDS)
    return f"(CASE {column} {cases} ELSE {column} END)"


def _consensus() -> str:
    """The name of the span's consensus: balance.consensus_of_counts, over the window ``spans``.

    Every label of the span is in the window (a whole-span export), so no
    count is zero for a kind that was chosen, and some kind was.
    """
    counts = {
        kind: f"count(*) FILTER (WHERE l.kind = {_literal(kind)}) OVER spans" for kind in KINDS
    }
    cases = " ".join(
        f"WHEN {' AND '.join(f'{counts[kind]} > {counts[other]}' for other in KINDS if other != kind)}"
        f" THEN {_literal(NAMES[kind])}"
        for kind in KINDS
    )
    return f"(CASE {cases} ELSE {_literal(NAMES[DISPUTED])} END)"


class IsoUtc(Func):
    """A timestamp as ``csvexport.iso_utc`` writes it, formatted by the database.

    Parsing two datetimes per row into Python only to format them again is a
    large share of an export's time. Other databases than PostgreSQL and
    SQLite return the datetime, for ``csvexport`` to format.
    """

    output_field = CharField()
    template = "%(expressions)s"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = UTC_TIMESTAMP.format("%(expressions)s")
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite stores UTC text; "%%%%" survives both Python formatting steps as "%".
        template = "strftime('%%%%Y-%%%%m-%%%%dT%%%%H:%%%%M:%%%%SZ', %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra)


class IsoDate(Func):
    """A date as ``csvexport.text_cell`` writes it (``""`` for none), by the database,
    so that the row's cells are all text and csvexport's fast path takes it."""

    output_field = CharField()
    template = "%(expressions)s"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = ISO_DATE.format("%(expressions)s")
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite stores a date as its ISO text already.
        return self.as_sql(compiler, connection, template="coalesce(%(expressions)s, '')", **extra)


def _line_sql(labels: QuerySet[Label]) -> tuple[str, tuple[Any, ...]]:
    selected, params = labels.order_by().values("pk").query.sql_with_params()
    cells = [
        "a.id::text",
        _text("a.title"),
        _text("a.outlet"),
        _text("a.url"),
        _text("a.byline"),
        ISO_DATE.format("a.published"),
        # csvexport.coverage_cell, cached by annotations.figures: digits and a dot, never quoted.
        "coalesce(g.coverage, '')",
        "l.span_id::text",
        # An orphan has no offsets: empty cells (concat_ws would drop a NULL's column).
        "coalesce(s.start::text, '')",
        """coalesce(s."end"::text, '')""",
        "s.anchor",
        _text("s.quote"),
        _name("l.kind"),
        "l.kind",
        _consensus(),
        _text("u.username"),
        f"coalesce({UTC_TIMESTAMP.format('f.finished_at')}, '')",
        _text("l.note"),
        _text("l.source_url"),
        UTC_TIMESTAMP.format("l.created_at"),
        UTC_TIMESTAMP.format("l.updated_at"),
    ]
    sql = (
        f"SELECT concat_ws(',', {', '.join(cells)}) || E'\\r\\n' "
        "FROM annotations_label l "
        "JOIN annotations_span s ON s.id = l.span_id "
        "JOIN annotations_article a ON a.id = s.article_id "
        "JOIN auth_user u ON u.id = l.reviewer_id "
        "LEFT JOIN annotations_articlefigures g ON g.article_id = a.id "
        "LEFT JOIN annotations_finishedreview f "
        "ON f.article_id = a.id AND f.reviewer_id = l.reviewer_id "
        f"WHERE l.id IN ({selected}) "
        # Partitioned by the output order's leading columns: one sort serves both.
        # Orphans (NULL offsets) come last in each article, PostgreSQL's default.
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
