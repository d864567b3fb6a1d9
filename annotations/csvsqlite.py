"""The whole-span CSV export on SQLite: each line of the file built by one SELECT.

SQLite has no COPY (``annotations.csvsql`` is PostgreSQL's path), and
reading every label as a tuple of 19 values to format its cells in Python
held the export to 60,000–100,000 rows a second, against issue 17's 145,714.
So SQLite joins each line's fields itself, with ``printf`` (one pass; a NULL
is an empty field), and Python only reads one string per label and joins
the lines. What is the same for many labels is formatted once: an article's
fields per article, a reviewer's name per reviewer, a span's consensus per
span (each a MATERIALIZED CTE).

No rule is restated in SQL where it could differ from Python's: every text a
person typed (titles, quotes, notes, names, URLs) goes through
``csvexport.text_field``, registered on the connection as a function. Only
fields that are codes or digits go as they are: the kinds' names
(``kinds.NAMES``), kind and anchor codes (from their own lists, anything
else through ``text_field``), ids, offsets, dates and timestamps.
``tests/test_exports.py`` holds this path to the same bytes as the
row-by-row export.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from annotations.csvexport import text_field
from annotations.kinds import DISPUTED, KINDS, NAMES
from annotations.models import AnchorState, Label

# Lines joined into one chunk of bytes for the response: fewer, larger writes.
ROWS_PER_CHUNK = 5000
_FIELD = "sourcemark_csv_field"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _text(column: str) -> str:
    return f"{_FIELD}({column})"


def _note(column: str) -> str:
    # Most labels have no note and no source: no call for those.
    return f"(CASE WHEN {column} = '' THEN '' ELSE {_text(column)} END)"


def _code(column: str, codes: list[str]) -> str:
    return f"(CASE WHEN {column} IN ({', '.join(map(_literal, codes))}) THEN {column} ELSE {_text(column)} END)"


def _name(column: str) -> str:
    """The name of the kind in ``column`` (kinds.NAMES)."""
    cases = " ".join(f"WHEN {_literal(k)} THEN {_literal(NAMES[k])}" for k in KINDS)
    return f"(CASE {column} {cases} ELSE {_text(column)} END)"


def _consensus() -> str:
    """The name of a span's consensus (balance.consensus_of_counts), grouped by span."""
    counts = {kind: f"count(*) FILTER (WHERE kind = {_literal(kind)})" for kind in KINDS}
    cases = " ".join(
        f"WHEN {' AND '.join(f'{counts[kind]} > {counts[other]}' for other in KINDS if other != kind)}"
        f" THEN {_literal(NAMES[kind])}"
        for kind in KINDS
    )
    return f"(CASE {cases} ELSE {_literal(NAMES[DISPUTED])} END)"


def _finished(column: str) -> str:
    """csvexport.iso_utc of a stored timestamp that may be NULL (an empty field)."""
    # "%%" survives Django's placeholder step as "%".
    return f"strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', {column})"


def _utc(column: str) -> tuple[str, str, str]:
    """csvexport.iso_utc of a stored timestamp, as a field of ``_line``: SQLite stores
    UTC as "2026-11-28 08:55:03.123456" (Django's str() of it), and printf cuts the
    date and the time out of it at half the cost of parsing it with strftime."""
    return ("%%.10sT%%.8sZ", column, f"substr({column}, 12)")


def _line(fields: list[str | tuple[str, ...]]) -> str:
    """One printf of the fields, joined by commas: each an expression written with
    ``%s`` (a NULL is an empty field), or a (format, expressions...) tuple."""
    formats, arguments = [], []
    for field in fields:
        if isinstance(field, str):
            formats.append("%%s")
            arguments.append(field)
        else:
            formats.append(field[0])
            arguments.extend(field[1:])
    return f"printf('{','.join(formats)}', {', '.join(arguments)})"


def _lines_sql(labels: QuerySet[Label]) -> tuple[str, tuple[Any, ...]]:
    """The SELECT of the labels' lines, in the export's order (``exports._ORDER``)."""
    labels = labels.order_by()
    of_articles, article_params = labels.values("article_id").query.sql_with_params()
    kinds, kind_params = labels.values("span_id", "kind").query.sql_with_params()
    selected, params = labels.values("pk").query.sql_with_params()
    if not labels.query.where:  # Every label: no lookup.
        selected, params = "", ()
    article_fields: list[str | tuple[str, ...]] = [
        "a.id",
        *(_text(f"a.{column}") for column in ("title", "outlet", "url", "byline")),
        "a.published",  # a date is stored as its ISO text
        "g.coverage",  # csvexport.coverage_cell, cached by annotations.figures: digits and a dot
    ]
    articles = (
        f"SELECT a.id, {_line(article_fields)} AS fields FROM annotations_article a "
        "LEFT JOIN annotations_articlefigures g ON g.article_id = a.id "
        f"WHERE a.id IN ({of_articles})"
    )
    reviewers = f"SELECT id, {_text('username')} AS username FROM auth_user"
    consensus = f"SELECT span_id, {_consensus()} AS name FROM ({kinds}) k GROUP BY span_id"
    fields: list[str | tuple[str, ...]] = [
        "a.fields",
        "l.span_id",
        "s.start",
        's."end"',
        _code("s.anchor", AnchorState.values),
        _text("s.quote"),
        _name("l.kind"),
        _code("l.kind", list(KINDS)),
        "c.name",
        "u.username",
        _finished("f.finished_at"),
        _note("l.note"),
        _note("l.source_url"),
        _utc("l.created_at"),
        _utc("l.updated_at"),
    ]
    sql = (
        f"WITH a AS MATERIALIZED ({articles}), u AS MATERIALIZED ({reviewers}), "
        f"c AS MATERIALIZED ({consensus}) "
        f"SELECT {_line(fields)} "
        "FROM annotations_label l "
        "JOIN annotations_span s ON s.id = l.span_id "
        "JOIN a ON a.id = s.article_id "
        "JOIN u ON u.id = l.reviewer_id "
        "JOIN c ON c.span_id = l.span_id "
        "LEFT JOIN annotations_finishedreview f "
        "ON f.article_id = s.article_id AND f.reviewer_id = l.reviewer_id "
        f"{f'WHERE l.id IN ({selected}) ' if selected else ''}"
        # Orphans (no offsets) last in each article, as on PostgreSQL.
        'ORDER BY s.article_id, s.start NULLS LAST, s."end" NULLS LAST, l.span_id, l.id'
    )
    return sql, (*article_params, *kind_params, *params)


def csv_bytes(labels: QuerySet[Label]) -> Iterator[bytes]:
    """The lines of a whole-span export in UTF-8, CRLF-ended, a chunk at a time."""
    sql, params = _lines_sql(labels)
    connection.ensure_connection()
    connection.connection.create_function(_FIELD, 1, text_field, deterministic=True)
    with connection.cursor() as cursor:
        # Always a tuple, even empty: Django then turns "%%" into "%" for printf.
        cursor.execute(sql, params)
        while lines := [line for (line,) in cursor.fetchmany(ROWS_PER_CHUNK)]:
            lines.append("")
            yield "\r\n".join(lines).encode("utf-8")
