"""The pure CSV writer: columns, quoting, and the formula-injection rule."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import sys
import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.csvexport import (
    BLANKS,
    FORMULA_STARTERS,
    HEADER,
    NUMERIC_COLUMNS,
    Row,
    csv_chunks,
    neutralise,
    safe_row,
    text_field,
)
from bench.fixtures import FORMULA_PAYLOADS

# NUL cannot reach the database, but the pure writer must still neutralise it.
PAYLOADS = [*FORMULA_PAYLOADS, "\x00NUL"]
TEXT_COLUMNS = [index for index in range(len(HEADER)) if index not in NUMERIC_COLUMNS]
WHEN = datetime.datetime(2026, 11, 28, 8, 55, 3, 123456, tzinfo=datetime.UTC)


def _row(**overrides: Any) -> list[object]:
    row = Row(
        article_id=7,
        article_title="Title",
        outlet="Outlet",
        article_url="https://example.com/a",
        authors="Ana Ruiz, Tom Brandt",
        published="2026-03-20",
        article_coverage="0.1043",
        span_id=11,
        start=0,
        end=9,
        anchor="unchanged",
        quote="Officials",
        label="Official claim",
        label_code="official_claim",
        span_consensus="Disputed",
        reviewer="alice",
        reviewer_finished="",
        note="",
        source_url="",
        created=WHEN,
        updated=WHEN,
    )
    return list(row._replace(**overrides))


def _read(chunks: list[str]) -> list[list[str]]:
    text = "".join(chunks)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_the_numeric_columns_are_ids_and_offsets():
    assert [HEADER[index] for index in sorted(NUMERIC_COLUMNS)] == [
        "article id",
        "span id",
        "start",
        "end",
    ]


def test_file_starts_with_bom_and_header_and_uses_crlf():
    text = "".join(csv_chunks([_row()]))
    assert text.startswith("\ufeffarticle id,article title,outlet,")
    assert text.encode("utf-8").startswith(codecs.BOM_UTF8)
    assert text.endswith("2026-11-28T08:55:03Z\r\n")
    assert text.count("\r\n") == 2


def test_an_empty_export_is_just_the_header():
    assert _read(list(csv_chunks([]))) == [list(HEADER)]


@pytest.mark.parametrize(
    "note",
    [
        'He said "yes", then left',
        "line one\nline two\r\nline three",
        "café, 🇺🇦 and 👩🏽‍⚕️",
        'a "quoted, comma" and\ttab inside',
    ],
)
def test_quoting_survives_a_round_trip(note):
    rows = _read(list(csv_chunks([_row(note=note, quote=note)])))
    assert rows[1][HEADER.index("note")] == note
    assert rows[1][HEADER.index("quote")] == note


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_formula_payload_is_neutralised_in_every_text_column(payload):
    row = [payload if index in TEXT_COLUMNS else value for index, value in enumerate(_row())]
    written = _read(list(csv_chunks([row])))[1]
    for index in TEXT_COLUMNS:
        assert written[index] == "'" + payload, HEADER[index]
    assert [written[index] for index in sorted(NUMERIC_COLUMNS)] == ["7", "11", "0", "9"]


def test_numbers_in_numeric_columns_are_not_altered_even_negative():
    written = _read(list(csv_chunks([_row(article_id=-1, span_id=-2, start=-3, end=-4)])))[1]
    assert [written[index] for index in sorted(NUMERIC_COLUMNS)] == ["-1", "-2", "-3", "-4"]


def test_a_string_in_a_numeric_column_is_treated_as_text():
    written = _read(list(csv_chunks([_row(start="=1+2")])))[1]
    assert written[HEADER.index("start")] == "'=1+2"


def test_harmless_text_is_left_alone():
    for text in ["Officials say", "a = b", "1+2", "'quoted", " lead space", "café", "\u2212 minus"]:
        assert neutralise(text) == text


def _starts_a_formula(text: str) -> bool:
    """The rule of csvexport's docstring, from Unicode's own tables rather than its lists."""
    if text[:1] in ("\t", "\r", "\n", "\x00"):
        return True
    rest = text.lstrip("".join(ch for ch in set(text) if _blank(ch)))
    return unicodedata.normalize("NFKC", rest[:1]) in ("=", "+", "-", "@")


def _blank(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


# BLANKS also holds format characters newer than this Python's Unicode tables.
KNOWN_BLANKS = sorted(ch for ch in BLANKS if _blank(ch))


@given(st.text(alphabet=st.sampled_from(KNOWN_BLANKS + sorted(FORMULA_STARTERS) + list("ab1 "))))
def test_the_rule_is_what_the_docstring_says(text):
    assert neutralise(text) == ("'" + text if _starts_a_formula(text) else text)


@given(
    st.text(alphabet=st.sampled_from(KNOWN_BLANKS + sorted(FORMULA_STARTERS) + list("ab1 \x1f"))),
    st.sampled_from(TEXT_COLUMNS[1:]),
)
def test_the_fast_check_of_a_row_misses_no_formula_in_any_column(text, column):
    # safe_row looks at a whole row at once (all text, as the export's query
    # reads it); it must neutralise what the rule says.
    plain = _row(created="2026-11-28T08:55:03Z", updated="2026-11-28T08:55:03Z")
    row = [text if index == column else value for index, value in enumerate(plain)]
    assert safe_row(row)[column] == neutralise(text)


def test_the_lists_hold_every_character_unicode_gives_those_properties():
    everything = (chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    every = list(everything)
    assert {ch for ch in every if _blank(ch)} <= set(BLANKS)
    starters = {ch for ch in every if unicodedata.normalize("NFKC", ch) in ("=", "+", "-", "@")}
    assert starters <= set(FORMULA_STARTERS)


def test_datetimes_are_iso_8601_utc_and_none_is_empty():
    kyiv = datetime.timezone(datetime.timedelta(hours=2))
    row = _row()[:-2] + [WHEN.astimezone(kyiv), None]
    written = _read(list(csv_chunks([row])))[1]
    assert written[-2:] == ["2026-11-28T08:55:03Z", ""]


def test_a_date_is_written_yyyy_mm_dd_and_no_date_is_empty():
    for published, cell in [(datetime.date(2026, 3, 20), "2026-03-20"), (None, "")]:
        written = _read(list(csv_chunks([_row(published=published)])))[1]
        assert written[HEADER.index("published")] == cell


def test_rows_come_out_in_chunks_not_all_at_once():
    chunks = list(csv_chunks([_row()] * 5, rows_per_chunk=2))
    # header + 2 rows, 2 rows, 1 row
    assert [chunk.count("\r\n") for chunk in chunks] == [3, 2, 1]


def test_a_row_of_the_wrong_width_is_refused():
    with pytest.raises(ValueError, match=f"{len(HEADER)} columns"):
        list(csv_chunks([[1, 2, 3]]))


def test_a_trigger_after_a_unit_separator_inside_a_cell_is_left_alone():
    # The fast check joins cells with U+001F; text containing one is checked cell by cell.
    written = _read(list(csv_chunks([_row(note="a\x1f=b", quote="=x")])))[1]
    assert written[HEADER.index("note")] == "a\x1f=b"
    assert written[HEADER.index("quote")] == "'=x"


@given(
    st.text(
        alphabet=st.sampled_from(
            [*KNOWN_BLANKS[:40], *sorted(FORMULA_STARTERS), *",\"\r\n\tab1 'é🇺"]
        )
    )
)
def test_a_field_joined_by_hand_is_what_the_csv_module_writes(text):
    # annotations.csvsqlite joins a line's fields itself, each through text_field:
    # the same text, between two other fields, as csv_chunks writes it.
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(["a", neutralise(text), "b"])
    assert buffer.getvalue() == f"a,{text_field(text)},b\r\n"
