"""The canonical text: pure functions, tested without Django."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.text import (
    OffsetError,
    QuoteMismatch,
    anchor,
    canonicalize,
    context,
    paragraph_ranges,
)


def test_line_endings_become_newlines():
    assert canonicalize("one\r\ntwo\rthree\u2028four") == "one\ntwo\nthree\nfour"


def test_paragraphs_are_separated_by_exactly_one_blank_line():
    assert canonicalize("\n\nfirst\n\n\n\n second \n\n\nthird\n") == "first\n\nsecond\n\nthird"


def test_blank_lines_made_of_spaces_still_separate_paragraphs():
    assert canonicalize("first\n   \t \nsecond") == "first\n\nsecond"


def test_no_break_and_other_space_separators_become_plain_spaces():
    # The seed article has three NO-BREAK SPACEs; browsers copy them as spaces.
    raw = "war in\u00a0Ukraine\u00a0has\u2009killed\u3000many\tsoldiers"
    assert canonicalize(raw) == "war in Ukraine has killed many soldiers"


def test_runs_of_spaces_collapse_and_lines_are_trimmed():
    assert canonicalize("  • bullet   one  \n  • bullet two") == "• bullet one\n• bullet two"


def test_result_is_nfc():
    assert canonicalize("cafe\u0301") == "caf\u00e9"


def test_control_characters_and_nul_are_dropped():
    assert canonicalize("a\x00b\x07c") == "abc"


def test_emoji_and_flags_are_kept_whole():
    text = "Reporters 🇺🇦 saw 👩🏽‍⚕️ medics"
    assert canonicalize(text) == text


def test_paragraph_ranges_address_each_paragraph():
    body = "first para\n\nsecond\nline\n\n🇺🇦 third"
    assert [body[s:e] for s, e in paragraph_ranges(body)] == [
        "first para",
        "second\nline",
        "🇺🇦 third",
    ]


def test_context_is_clipped_at_the_edges():
    assert context("abcdefgh", 1, 3, width=4) == ("a", "defg")


def test_anchor_counts_code_points_not_utf16_units():
    body = "🇺🇦 flag then 👩🏽‍⚕️ medic"
    start = body.index("medic")
    where = anchor(body, start, start + 5, "medic")
    assert where.quote == "medic"
    assert where.prefix.endswith("👩🏽‍⚕️ ")


def test_anchor_refuses_a_quote_that_does_not_match():
    with pytest.raises(QuoteMismatch):
        anchor("the quick brown fox", 4, 9, "slow")


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 3), (5, 2), (0, 99)])
def test_anchor_refuses_impossible_offsets(start, end):
    with pytest.raises(OffsetError):
        anchor("the quick brown fox", start, end, "x")


def test_anchor_accepts_a_quote_that_differs_only_in_white_space():
    body = "first line\nsecond line"
    where = anchor(body, 6, 17, "line second")
    assert where.quote == "line\nsecond"


def test_anchor_refuses_selections_with_white_space_at_the_edges():
    with pytest.raises(OffsetError):
        anchor("the quick brown", 3, 9, " quick")


def _visible(text: str) -> list[str]:
    """The characters canonicalisation promises to keep, in NFC."""
    return [
        ch
        for ch in unicodedata.normalize("NFC", text)
        if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cs")
    ]


any_text = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(" \t\n\r\u00a0\u2009\u2028\u2029e\u0301🇺🇦\u200d"),
    ),
    max_size=200,
)


@given(any_text)
def test_canonicalize_is_idempotent(raw):
    once = canonicalize(raw)
    assert canonicalize(once) == once


@given(any_text)
def test_canonicalize_never_loses_a_visible_character(raw):
    assert _visible(canonicalize(raw)) == _visible(raw)


@given(any_text)
def test_canonical_text_has_no_edge_white_space_or_triple_newlines(raw):
    text = canonicalize(raw)
    assert text == text.strip()
    assert "\n\n\n" not in text
    assert "  " not in text
