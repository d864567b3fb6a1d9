"""Rows in, CSV text out: the columns of a label export and the rules for each cell.

Pure: no Django imports, so the rules are tested directly and shared by the
admin actions, the per-article download and the ``export_labels`` command.

- UTF-8 with a byte-order mark, so Excel reads non-ASCII text as UTF-8.
- RFC 4180 quoting by the ``csv`` module: commas, quotes and line breaks in a
  cell survive a round trip.
- ``article coverage``: the share of the article's text under any label
  (``coverage_cell``), the one share of the whole article; ``reviewer
  finished``: when the label's reviewer finished the article, empty while
  they have not.
- Formula injection (OWASP "CSV Injection"): a text cell that a spreadsheet
  could run as a formula gets a leading apostrophe. Nothing is dropped, and
  the numeric columns, whose values are always ints, are written as they are.

The formula rule, and why. Excel, LibreOffice Calc and Google Sheets run a
cell that starts with ``=``, ``+``, ``-`` or ``@``; OWASP's list (and ASVS
1.2.10) adds a leading tab, CR, LF or NUL, which can move such a character
into place. Two more cases came up in issue 10:

- Look-alikes. Apple Numbers normalises compatibility characters before it
  reads a cell: ``＝2+2`` (FULLWIDTH EQUALS SIGN) opened from a CSV file shows
  4, the report on which csv-stringify (node-csv) began to escape these
  forms. Japanese input methods type ``＝`` for ``=``, and a person who
  retypes such a cell gets a formula. So every character whose NFKC form is
  one of the four counts: ``＝ ＋ － ＠``, the small forms ``﹦ ﹢ ﹣ ﹫``, the
  super- and subscript ``⁼ ⁺ ₌ ₊`` (``FORMULA_STARTERS``).
- Something in front. Excel and LibreOffice read `` =1+2`` as text as they
  open a file, and LibreOffice ran none of the probe's cells. But
  LibreOffice's import can trim spaces (an option), and the usual cleanup of
  an exported sheet (TRIM, CLEAN, replacing odd spaces, a cell edited and
  confirmed) removes blanks and invisible characters and leaves a live
  formula. So a starter counts after any run of white space, control or
  format characters (ZERO WIDTH SPACE, byte-order mark, direction marks:
  ``BLANKS``, every character Unicode gives one of these properties).

A cell that starts with tab, CR, LF or NUL, or with a starter after any run
of ``BLANKS``, gets the apostrophe. That costs a harmless cell (" -5 %") one
visible apostrophe; a missed formula runs on a reviewer's computer.
``annotations/csvsql.py`` states the same rule in SQL, built from these lists.
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
    authors: str
    published: str | datetime.date | None
    article_coverage: str
    span_id: int
    start: int | None
    end: int | None
    anchor: str
    quote: str
    label: str
    label_code: str
    span_consensus: str
    reviewer: str
    reviewer_finished: str | datetime.datetime | None
    note: str
    source_url: str
    created: str | datetime.datetime
    updated: str | datetime.datetime


HEADINGS: dict[str, str] = {
    "article_id": "article id",
    "article_title": "article title",
    "outlet": "outlet",
    "article_url": "article URL",
    "authors": "authors",
    "published": "published",
    "article_coverage": "article coverage",
    "span_id": "span id",
    "start": "start",
    "end": "end",
    "anchor": "anchor",
    "quote": "quote",
    "label": "label",
    "label_code": "label code",
    "span_consensus": "span consensus",
    "reviewer": "reviewer",
    "reviewer_finished": "reviewer finished",
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

# The formula rule (module docstring): OWASP's leading characters, and the
# characters a formula starts with in every form NFKC folds to them...
LEADING_CONTROLS = "\t\r\n\x00"
FORMULA_STARTERS = (
    "=+-@"
    "\uff1d\uff0b\uff0d\uff20"  # full-width
    "\ufe66\ufe62\ufe63\ufe6b"  # small
    "\u207c\u207a\u208c\u208a"  # superscript, subscript
    "\ufb29"  # HEBREW LETTER ALTERNATIVE PLUS SIGN
)


def _chars(*ranges: tuple[int, int]) -> str:
    return "".join(chr(c) for low, high in ranges for c in range(low, high + 1))


# ...after any of these: white space, controls (Cc) and format characters (Cf),
# all of Unicode's (tests/test_csvexport.py checks that none is missing).
BLANKS = _chars(
    (0x00, 0x20), (0x7F, 0xA0), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C),
    (0x6DD, 0x6DD), (0x70F, 0x70F), (0x890, 0x891), (0x8E2, 0x8E2), (0x1680, 0x1680),
    (0x180E, 0x180E), (0x2000, 0x200F), (0x2028, 0x202F), (0x205F, 0x2064),
    (0x2066, 0x206F), (0x3000, 0x3000), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)  # fmt: skip


def formula_pattern(leading: str, blanks: str, starters: str) -> str:
    """The rule as a regular expression that Python and PostgreSQL read alike: a
    leading control, or a starter after any blanks, each class listing its characters."""
    return f"(?:[{_class(leading)}]|[{_class(blanks)}]*[{_class(starters)}])"


def _class(chars: str) -> str:
    # Every character itself (no ranges, which PostgreSQL may read by collation);
    # "-" last, where it stands for itself.
    return "".join(c for c in chars if c != "-") + ("-" if "-" in chars else "")


_FORMULA = re.compile(formula_pattern(LEADING_CONTROLS, BLANKS, FORMULA_STARTERS))

# Rows per string handed to the response: fewer, larger writes than one per row.
ROWS_PER_CHUNK = 500


def coverage_cell(labelled: int, total: int) -> str:
    """An article's coverage (labelled characters over all of them) as the export writes it:
    a fraction to four places, rounded half up, ``"0.1043"``; ``""`` for an empty article.
    In integers, so that no float rounding can differ between two writers."""
    if total <= 0:
        return ""
    basis_points = (2 * 10000 * labelled + total) // (2 * total)
    return f"{basis_points // 10000}.{basis_points % 10000:04d}"


def neutralise(text: str) -> str:
    """Prefix an apostrophe when a spreadsheet would read ``text`` as a formula."""
    return "'" + text if _FORMULA.match(text) else text


def text_field(text: str) -> str:
    """``text`` as one field of a line of the file: neutralised, then quoted as the
    ``csv`` module quotes it (QUOTE_MINIMAL: a comma, a double quote, CR or LF puts
    the field in quotes, a quote is doubled), for writers that join fields themselves
    (``annotations.csvsqlite``)."""
    text = neutralise(text)
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def iso_utc(moment: datetime.datetime) -> str:
    """``2026-11-28T08:55:03Z``: ISO 8601 in UTC, to the second."""
    if moment.tzinfo is not datetime.UTC:
        moment = moment.astimezone(datetime.UTC)
    return moment.isoformat(timespec="seconds")[:19] + "Z"


def text_cell(value: object) -> str:
    """Text neutralised; ``None`` empty; a moment in ISO 8601 UTC, a date as ``2026-03-20``."""
    if value.__class__ is str:
        return neutralise(value)  # type: ignore[arg-type]
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return iso_utc(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
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
# cell by cell. After a separator only one character is looked at: any
# character a trigger can start with raises the alarm, except the separator
# itself (an empty cell, in most rows). It is a blank, so a trigger after a
# run of separators shows as the run's last one and the character after it.
_SEPARATOR = "\x1f"


def _ranges(chars: str) -> str:
    """A regular-expression class of ``chars`` in ranges, for Python only: Python
    tests hundreds of single characters, some beyond U+FFFF, one by one (issue 17:
    a fifth of the SQLite export's time), and a few dozen ranges at once."""
    runs: list[list[int]] = []
    for code in sorted(set(map(ord, chars))):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(
        re.escape(chr(low)) + ("" if low == high else "-" + re.escape(chr(high)))
        for low, high in runs
    )


_CELL_STARTS = (LEADING_CONTROLS + BLANKS + FORMULA_STARTERS).replace(_SEPARATOR, "")
_TRIGGER_AFTER_SEPARATOR = re.compile(f"{_SEPARATOR}[{_ranges(_CELL_STARTS)}]")


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
    if _FORMULA.match(joined) or _TRIGGER_AFTER_SEPARATOR.search(joined):
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
