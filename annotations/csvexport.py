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
from collections.abc import Iterable, Iterator, Sequence

BOM = "\ufeff"

# (heading, numeric). The export query yields each row's values in this order.
COLUMNS: tuple[tuple[str, bool], ...] = (
    ("article id", True),
    ("article title", False),
    ("outlet", False),
    ("article URL", False),
    ("span id", True),
    ("start", True),
    ("end", True),
    ("quote", False),
    ("label", False),
    ("label code", False),
    ("span consensus", False),
    ("reviewer", False),
    ("note", False),
    ("source URL", False),
    ("created (UTC)", False),
    ("updated (UTC)", False),
)
HEADER: tuple[str, ...] = tuple(heading for heading, _ in COLUMNS)
# Explicit, so a new text column cannot slip past the formula rule by accident.
NUMERIC_COLUMNS: frozenset[int] = frozenset(
    index for index, (_, numeric) in enumerate(COLUMNS) if numeric
)

# A cell starting with any of these may be run as a formula (or, for tab and
# line breaks, shift into one) by Excel, LibreOffice or Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")

# Rows per string handed to the response: fewer, larger writes than one per row.
ROWS_PER_CHUNK = 500


def neutralise(text: str) -> str:
    """Prefix an apostrophe when a spreadsheet would read ``text`` as a formula."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def iso_utc(moment: datetime.datetime) -> str:
    """``2026-11-28T08:55:03Z``: ISO 8601 in UTC, to the second."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cell(value: object, numeric: bool) -> str | int:
    """One value as the CSV module should write it."""
    if value is None:
        return ""
    # bool is an int subclass, but never a number a spreadsheet should see as one.
    if numeric and isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, datetime.datetime):
        return iso_utc(value)
    # Anything else, including a stray string in a numeric column, is text.
    return neutralise(str(value))


def safe_row(row: Sequence[object]) -> list[str | int]:
    if len(row) != len(COLUMNS):
        raise ValueError(f"A row has {len(row)} values; the export has {len(COLUMNS)} columns.")
    return [cell(value, index in NUMERIC_COLUMNS) for index, value in enumerate(row)]


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
    pending = 0
    for row in rows:
        writer.writerow(safe_row(row))
        pending += 1
        if pending == rows_per_chunk:
            yield _drain(buffer)
            pending = 0
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
