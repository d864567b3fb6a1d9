"""Rows in, CSV text out: the columns of a label export and the rules for each cell.

Pure: no Django imports, so the rules are tested directly and shared by the
admin actions, the per-article download and the ``export_labels`` command.

- UTF-8 with a byte-order mark, so Excel reads non-ASCII text as UTF-8.
- RFC 4180 quoting by the ``csv`` module: commas, quotes and line breaks in a
  cell survive a round trip.
- Formula injection (OWASP "CSV Injection"): a text cell that a spreadsheet
  could run as a formula gets a leading apostrophe. Nothing is dropped, and
  the numeric columns, whose values are always ints, are written as they are.
"""

from __future__ import annotations

import csv
import datetime
import io
import operator
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

BOM = "\ufeff"


class Row(NamedTuple):
    """One label as a row of the file, in column order.

    The export query yields them (``annotations.exports``); times may still
    be datetimes and any text may be ``None``: the cell rules below make text
    of them.
    """

    article_id: int
    article_title: str
    outlet: str
    article_url: str
    span_id: int
    start: int
    end: int
    quote: str
    label: str
    label_code: str
    span_consensus: str
    reviewer: str
    note: str
    source_url: str
    created: str | datetime.datetime
    updated: str | datetime.datetime


HEADINGS: dict[str, str] = {
    "article_id": "article id",
    "article_title": "article title",
    "outlet": "outlet",
    "article_url": "article URL",
    "span_id": "span id",
    "start": "start",
    "end": "end",
    "quote": "quote",
    "label": "label",
    "label_code": "label code",
    "span_consensus": "span consensus",
    "reviewer": "reviewer",
    "note": "note",
    "source_url": "source URL",
    "created": "created (UTC)",
    "updated": "updated (UTC)",
}
HEADER: tuple[str, ...] = tuple(HEADINGS[name] for name in Row._fields)
# Always ints, never altered; every other column is text and gets the
# formula rule. Explicit, so a new text column cannot slip past it by accident.
NUMERIC_COLUMNS: frozenset[int] = frozenset(
    Row._fields.index(name) for name in ("article_id", "span_id", "start", "end")
)

# A cell starting with any of these may be run as a formula (or, for tab and
# line breaks, shift into one) by Excel, LibreOffice or Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")

# Rows per string handed to the response: fewer, larger writes than one per row.
ROWS_PER_CHUNK = 500


_TRIGGER_STARTS = frozenset(FORMULA_TRIGGERS)


def neutralise(text: str) -> str:
    """Prefix an apostrophe when a spreadsheet would read ``text`` as a formula."""
    # text[:1] is "" for an empty cell, which is not a trigger.
    return "'" + text if text[:1] in _TRIGGER_STARTS else text


def iso_utc(moment: datetime.datetime) -> str:
    """``2026-11-28T08:55:03Z``: ISO 8601 in UTC, to the second."""
    if moment.tzinfo is not datetime.UTC:
        moment = moment.astimezone(datetime.UTC)
    return moment.isoformat(timespec="seconds")[:19] + "Z"


def text_cell(value: object) -> str:
    if value.__class__ is str:
        # neutralise(), inlined: this runs for every text cell of every row.
        return "'" + value if value[:1] in _TRIGGER_STARTS else value  # type: ignore[index,operator,return-value]
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return iso_utc(value)
    return neutralise(str(value))


def number_cell(value: object) -> str | int:
    # bool is an int subclass, but never a number a spreadsheet should see as one.
    if value.__class__ is int:
        return value  # type: ignore[return-value]
    # Anything else in a numeric column (a bug upstream) is treated as text.
    return text_cell(value)


_CELLS = tuple(
    number_cell if index in NUMERIC_COLUMNS else text_cell for index in range(len(Row._fields))
)


def _checked_row(row: Sequence[object]) -> list[str | int]:
    return [cell(value) for cell, value in zip(_CELLS, row, strict=True)]


_TEXT_INDEXES = tuple(i for i in range(len(Row._fields)) if i not in NUMERIC_COLUMNS)
_text_cells = operator.itemgetter(*_TEXT_INDEXES)
_number_cells = operator.itemgetter(*sorted(NUMERIC_COLUMNS))
# Text cells joined by a separator: a trigger at the start of the whole, or
# right after a separator, is a trigger at the start of a cell. A separator
# inside a cell can only raise a false alarm, and then the row is checked
# cell by cell. The pattern starts with a literal, so the search is a fast scan.
_SEPARATOR = "\x1f"
_TRIGGER_AFTER_SEPARATOR = re.compile(_SEPARATOR + "[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")


def safe_row(row: Sequence[object]) -> Sequence[str | int]:
    """The row as it may be written: formula triggers neutralised, every cell as text or int.

    Most rows are all strings and ints with no trigger: they are recognised
    with one join and one regex search (C code, not a Python call per cell)
    and returned as they are. Any other row goes through the per-cell rules.
    """
    if len(row) != len(HEADER):
        raise ValueError(f"A row has {len(row)} values; the export has {len(HEADER)} columns.")
    try:
        joined = _SEPARATOR.join(_text_cells(row))
    except TypeError:  # None, a datetime or a number among the text cells
        return _checked_row(row)
    if joined[:1] in _TRIGGER_STARTS or _TRIGGER_AFTER_SEPARATOR.search(joined):
        return _checked_row(row)
    for value in _number_cells(row):
        if value.__class__ is not int:
            return _checked_row(row)
    return row  # type: ignore[return-value]


def csv_chunks(
    rows: Iterable[Sequence[object]], rows_per_chunk: int = ROWS_PER_CHUNK
) -> Iterator[str]:
    """The whole file as strings: BOM and header first, then rows a chunk at a time.

    Holds at most ``rows_per_chunk`` rows, so memory stays flat however many
    rows the iterable yields.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(HEADER)
    batch: list[Sequence[str | int]] = []
    for row in rows:
        batch.append(safe_row(row))
        if len(batch) == rows_per_chunk:
            writer.writerows(batch)
            batch.clear()
            yield _drain(buffer)
    writer.writerows(batch)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
