"""The whole-span CSV export on SQLite: each line of the file built by one SELECT.

SQLite has no COPY (``annotations.csvsql`` is PostgreSQL's path), and
reading every label as a tuple of 19 values to format its cells in Python
held the export to 60,000–100,000 rows a second, against issue 17's 145,714.
So SQLite joins each line's fields itself, with ``printf`` (one pass; a NULL
is an empty field), and Python only reads one string per label and joins
the lines. What is the same for many labels is formatted once: an article's
fields per article, a reviewer's name per reviewer, a span's consensus per
span, in the query both databases share (``csvsql.whole_span_lines``).

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
from annotations.csvsql import consensus_sql, whole_span_lines
from annotations.kinds import KINDS, NAMES
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
    """The SELECT of the labels' lines, in the export's order (``csvsql.whole_span_lines``)."""
    article_fields: list[str | tuple[str, ...]] = [
        "a.id",
        *(_text(f"a.{column}") for column in ("title", "outlet", "url", "byline")),
        "a.published",  # a date is stored as its ISO text
        "g.coverage",  # csvexport.coverage_cell, cached by annotations.figures: digits and a dot
    ]
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
    return whole_span_lines(
        labels,
        article_fields=f"{_line(article_fields)} AS fields",
        reviewer_name=_text("username"),
        consensus=consensus_sql(_literal),
        line=_line(fields),
    )


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
