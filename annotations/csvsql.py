"""Rules of the CSV export restated in SQL, for speed, each next to the Python it mirrors.

For a whole-span export (every label of the articles it covers) on
PostgreSQL, the database writes the file's rows with ``COPY (SELECT ...) TO
STDOUT (FORMAT csv)`` (``csv_bytes``): the SELECT makes each cell's text,
and COPY's own C code quotes the cells and joins them into lines, which
Python passes on as bytes. Formatting every cell in Python was several times
slower than PostgreSQL's own ``COPY`` of the same rows, and so was joining
the cells into lines in SQL (bench/RESULTS.md). Each piece of SQL below
restates one Python definition, which stays the rule:

- ``_FORMULA`` and ``_text``: ``csvexport.neutralise`` (its pattern built
  from csvexport's own lists);
- COPY's CSV quoting is Python's ``csv`` quoting (QUOTE_MINIMAL: a field
  with a comma, a double quote, CR or LF is quoted, quotes doubled), once
  an empty cell is sent as NULL (``_cell``): COPY quotes an empty string;
- ``_name``: ``kinds.NAMES``, generated from the table;
- ``consensus_sql``: ``balance.consensus_of_counts``, over a group of the span's labels;
- ``UTC_TIMESTAMP`` (also used by ``IsoUtc`` for the row-by-row export):
  ``csvexport.iso_utc``;
- ``ISO_DATE`` (also used by ``IsoDate``): ``csvexport.text_cell`` of a date,
  and of no date.

``tests/test_exports.py`` holds this path to the same bytes as the Python
one on PostgreSQL, with hostile text, disputes and majorities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import CharField, Func, QuerySet

from annotations.csvexport import BLANKS, FORMULA_STARTERS, LEADING_CONTROLS, formula_pattern
from annotations.kinds import DISPUTED, KINDS, NAMES
from annotations.models import Label

if TYPE_CHECKING:
    # Only named for the type checker: importing psycopg here loaded the driver (10 MB)
    # into every process, SQLite's included.
    from psycopg.abc import Buffer

# Rows joined into one chunk of bytes for the response: fewer, larger writes.
ROWS_PER_CHUNK = 5000
_CRLF = b"\r\n"

# csvexport.iso_utc in PostgreSQL: ISO 8601 in UTC, to the second ("2026-11-28T08:55:03Z").
UTC_TIMESTAMP = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
# csvexport.text_cell of a date ("2026-03-20"), and of None (""); in COPY a NULL
# is an empty cell already (_DATE).
_DATE = "to_char({}, 'YYYY-MM-DD')"
ISO_DATE = f"coalesce({_DATE}, '')"


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


def _cell(text: str) -> str:
    """Text as COPY should write it. COPY writes an empty string as '""', the csv
    module as nothing, which is how COPY writes a NULL: so an empty string goes as NULL."""
    return f"NULLIF({text}, '')"


def _text(column: str) -> str:
    """A text cell, neutralised (COPY quotes it as the csv module would)."""
    return _cell(f"CASE WHEN {column} ~ {_FORMULA} THEN '''' || {column} ELSE {column} END")


def _name(column: str) -> str:
    """The name of the kind in ``column`` (kinds.NAMES)."""
    cases = " ".join(f"WHEN {_literal(k)} THEN {_literal(NAMES[k])}" for k in KINDS)
    return f"(CASE {column} {cases} ELSE {column} END)"


def consensus_sql(literal: Callable[[str], str] = _literal) -> str:
    """The name of a span's consensus (balance.consensus_of_counts), grouped by span;
    ``literal`` writes a string literal for the database (SQLite has no E'').

    Every label of the span is in the group (a whole-span export), so no
    count is zero for a kind that was chosen, and some kind was.
    """
    counts = {kind: f"count(*) FILTER (WHERE kind = {literal(kind)})" for kind in KINDS}
    cases = " ".join(
        f"WHEN {' AND '.join(f'{counts[kind]} > {counts[other]}' for other in KINDS if other != kind)}"
        f" THEN {literal(NAMES[kind])}"
        for kind in KINDS
    )
    return f"(CASE {cases} ELSE {literal(NAMES[DISPUTED])} END)"


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


def whole_span_lines(
    labels: QuerySet[Label], *, article_fields: str, reviewer_name: str, consensus: str, line: str
) -> tuple[str, tuple[Any, ...]]:
    """The SELECT a whole-span export's lines are written from, on either database:
    PostgreSQL's COPY (``_copy_sql``) and SQLite's lines (``annotations.csvsqlite``).

    What is the same for many rows is worked out once: an article's fields
    once per article (``a``: ``article_fields`` over ``annotations_article a``
    and its cached figures ``g``), a reviewer's name once per reviewer (``u``:
    ``reviewer_name`` over ``auth_user``), a span's consensus once per span
    (``c``: ``consensus`` over its labels' kinds, grouped); each CTE is
    MATERIALIZED so that the database cannot fold it back into the per-label
    ``line``, which reads ``l`` (the label), ``s`` (its span), ``a``, ``u``,
    ``c`` and ``f`` (the reviewer's finished review of the article, if any).
    In the export's order (``exports._ORDER``): orphans, with no offsets, last
    in each article.
    """
    labels = labels.order_by()
    # The selection's own query in each place, not "id IN (selection)" nested
    # inside another IN, which PostgreSQL plans as a loop over every article.
    of_articles, article_params = labels.values("article_id").query.sql_with_params()
    kinds, kind_params = labels.values("span_id", "kind").query.sql_with_params()
    selected, params = labels.values("pk").query.sql_with_params()
    if not labels.query.where:  # Every label (export_labels, the benchmark): no lookup.
        selected, params = "", ()
    articles = (
        f"SELECT a.id, {article_fields} FROM annotations_article a "
        "LEFT JOIN annotations_articlefigures g ON g.article_id = a.id "
        # A label's article is always its span's (Label.article, as select_labels uses it).
        f"WHERE a.id IN ({of_articles})"
    )
    reviewers = f"SELECT id, {reviewer_name} AS username FROM auth_user"
    grouped = f"SELECT span_id, {consensus} AS name FROM ({kinds}) k GROUP BY span_id"
    sql = (
        f"WITH a AS MATERIALIZED ({articles}), u AS MATERIALIZED ({reviewers}), "
        f"c AS MATERIALIZED ({grouped}) "
        f"SELECT {line} "
        "FROM annotations_label l "
        "JOIN annotations_span s ON s.id = l.span_id "
        "JOIN a ON a.id = s.article_id "
        "JOIN u ON u.id = l.reviewer_id "
        "JOIN c ON c.span_id = l.span_id "
        "LEFT JOIN annotations_finishedreview f "
        "ON f.article_id = s.article_id AND f.reviewer_id = l.reviewer_id "
        f"{f'WHERE l.id IN ({selected}) ' if selected else ''}"
        'ORDER BY s.article_id, s.start NULLS LAST, s."end" NULLS LAST, l.span_id, l.id'
    )
    return sql, (*article_params, *kind_params, *params)


def _copy_sql(labels: QuerySet[Label]) -> tuple[str, tuple[Any, ...]]:
    """``COPY`` of the labels' rows, in the export's order (``whole_span_lines``)."""
    article_fields = (
        f"{_text('a.title')} AS title, {_text('a.outlet')} AS outlet, {_text('a.url')} AS url, "
        f"{_text('a.byline')} AS byline, {_DATE.format('a.published')} AS published, "
        # csvexport.coverage_cell, cached by annotations.figures: digits and a dot.
        f"{_cell('g.coverage')} AS coverage"
    )
    # Every cell is text, an int or NULL (written as nothing), never an empty string.
    cells = [
        "a.id",
        "a.title",
        "a.outlet",
        "a.url",
        "a.byline",
        "a.published",
        "a.coverage",
        "l.span_id",
        # An orphan has no offsets: NULL, empty cells.
        "s.start",
        's."end"',
        _cell("s.anchor"),
        _text("s.quote"),
        _name("l.kind"),
        "l.kind",
        "c.name",
        "u.username",
        UTC_TIMESTAMP.format("f.finished_at"),
        _text("l.note"),
        _text("l.source_url"),
        UTC_TIMESTAMP.format("l.created_at"),
        UTC_TIMESTAMP.format("l.updated_at"),
    ]
    sql, params = whole_span_lines(
        labels,
        article_fields=article_fields,
        reviewer_name=_text("username"),
        consensus=consensus_sql(),
        line=", ".join(cells),
    )
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params


def csv_bytes(labels: QuerySet[Label]) -> Iterator[bytes]:
    """The rows of a whole-span export as CSV in UTF-8, a chunk of lines at a time.

    Call inside a transaction (``exports.export_bytes`` does), so that every
    query of the export sees one snapshot. COPY streams the rows as the sort
    yields them, one row per message; memory holds one chunk.
    """
    sql, params = _copy_sql(labels)
    with connection.cursor() as cursor:
        # COPY does not go through execute(), so it is logged here as execute()
        # would log it (connection.queries, the query counts in tests and bench).
        logged = cursor.debug_sql(sql, params) if connection.queries_logged else nullcontext()
        with logged, cursor.cursor.copy(sql, params or None) as copy:
            lines: list[Buffer] = []
            for row in copy:
                # COPY ends a line with LF, the csv module (and the header) with
                # CRLF. The last cell is a timestamp: that LF is never in quotes.
                lines.append(row[:-1])
                if len(lines) == ROWS_PER_CHUNK:
                    yield _CRLF.join(lines) + _CRLF
                    lines.clear()
            if lines:
                yield _CRLF.join(lines) + _CRLF
