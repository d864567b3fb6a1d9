"""Snapping a selection and the near-identical rule: annotations/selection.py."""

from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations import graphemes
from annotations.selection import (
    NEAR,
    SpanIndex,
    best,
    core,
    likeness,
    near_identical,
    snap,
)

SENTENCE = "Officials said the bridge would reopen in May."
TEXT = f"{SENTENCE} Nobody believed them.\n\nA 👍🏽 for “the ferry”, 🇺🇦🇵🇱 flags; x\u0301 marks."


def at(piece: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(piece)
    return start, start + len(piece)


# --- Snapping ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        # Mid-word edges move out to the word's edges.
        ("fficials sa", "Officials said"),
        ("ials said the brid", "Officials said the bridge"),
        # A word already whole, with or without its punctuation: left alone.
        ("Officials said", "Officials said"),
        ("in May.", "in May."),
        ("in May", "in May"),
        # Surrounding white space goes; the paragraph break too.
        (" Nobody believed them.\n\n", "Nobody believed them."),
        # Inside one word: the word.
        ("elie", "believed"),
        # An emoji with its skin tone is one word; half of it is the whole emoji.
        ("👍", "👍🏽"),
        # Quotation marks are words of their own: kept when selected, not added.
        ("“the ferr", "“the ferry"),
        ("he ferry”", "the ferry”"),
        # Half a flag: both flags (grapheme clusters, then words).
        ("🇦🇵", "🇺🇦🇵🇱"),
        # A letter without its combining accent: both.
        ("x", "x\u0301"),
    ],
)
def test_snap_lands_on_whole_words(selected, expected):
    start, end = snap(TEXT, *at(selected))
    assert TEXT[start:end] == expected


def test_snap_of_white_space_only_is_empty():
    start, end = snap(TEXT, *at("\n\n"))
    assert start == end


def test_snap_outside_the_text_is_left_for_the_caller():
    assert snap(TEXT, 5, len(TEXT) + 3) == (5, len(TEXT) + 3)


def test_snap_stops_at_the_window_in_a_word_longer_than_it():
    word = "a" * 200
    start, end = snap(word, 100, 101)
    assert (start, end) == (100 - 64, 101 + 64)


texts = st.lists(
    st.sampled_from([*"ab é.,;“”'’-— \n", "👍🏽", "🇺🇦", "x\u0301", "3", "京"]), max_size=40
).map("".join)


@st.composite
def text_and_range(draw):
    text = draw(texts)
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    return text, start, end


WORD = regex.compile(r"\b", regex.WORD | regex.V1)


@settings(deadline=None)  # regex windows: slow only on a loaded machine
@given(text_and_range())
def test_snap_properties(case):
    text, start, end = case
    new_start, new_end = snap(text, start, end)
    if new_start == new_end:
        # Only white space was selected.
        assert text[start:end].strip() == ""
        return
    # Outward only, except for white space trimmed at the ends.
    trimmed = text[start:end]
    lead = len(trimmed) - len(trimmed.lstrip())
    tail = len(trimmed) - len(trimmed.rstrip())
    assert new_start <= start + lead and new_end >= end - tail
    # Never into the white space around the selection.
    assert not text[new_start:new_end].isspace()
    # On grapheme cluster boundaries and on word boundaries.
    assert graphemes.snap(text, new_start, new_end) == (new_start, new_end)
    bounds = {m.start() for m in WORD.finditer(text)}
    assert new_start in bounds or graphemes.boundary_before(text, new_start) == new_start
    assert new_end in bounds or graphemes.boundary_after(text, new_end) == new_end
    # Snapping twice changes nothing.
    assert snap(text, new_start, new_end) == (new_start, new_end)


# --- Near-identical ---------------------------------------------------------------------


def test_bob_stopping_before_alices_full_stop_is_the_same_span():
    alice = at(SENTENCE)
    bob = at(SENTENCE[:-1])
    assert likeness(TEXT, alice, bob) == 1.0
    assert near_identical(TEXT, alice, bob)


def test_quotation_marks_and_spaces_at_the_edges_do_not_matter():
    assert near_identical(TEXT, at("“the ferry”"), at("the ferry"))
    assert near_identical(TEXT, at("“the ferry”,"), at("the ferry”"))


def test_short_spans_differing_only_by_punctuation_are_the_same():
    text = "Yes. No."
    assert near_identical(text, (0, 4), (0, 3))


def test_a_word_more_at_the_end_of_a_long_sentence_is_the_same():
    long = "The minister said on Tuesday that the bridge across the river would reopen in May"
    text = long + " ahead of schedule."
    assert near_identical(text, (0, len(long)), (0, len(long) + len(" ahead")))


def test_a_clause_inside_its_sentence_is_not_the_same():
    assert not near_identical(TEXT, at(SENTENCE), at("Officials said"))
    assert not near_identical(TEXT, at(SENTENCE), at("the bridge would reopen in May."))


def test_the_same_words_elsewhere_are_another_span():
    text = "Prices rose. Prices rose."
    assert not near_identical(text, (0, 12), (13, 25))


def test_emoji_and_non_bmp_text_count_by_position():
    text = "𝒜𝒷𝒸 👍🏽 𝒹𝑒𝒻!"
    assert near_identical(text, (0, len(text)), (0, len(text) - 1))
    assert not near_identical(text, (0, len(text)), (0, 3))


def test_punctuation_only_ranges_match_only_themselves():
    text = "Wait — what?"
    dash = at("—", text)
    low, high = core(text, *dash)
    assert low == high
    assert near_identical(text, dash, dash)
    assert not near_identical(text, dash, at(" — ", text))
    assert not near_identical(text, dash, (0, len(text)))


def test_best_takes_the_most_alike_then_the_closest_edges():
    alice = at(SENTENCE)
    without_stop = at(SENTENCE[:-1])
    shorter = at(SENTENCE[: -len(" May.")])
    spans = [("shorter", *shorter), ("alice", *alice), ("other", *at("Nobody believed them."))]
    assert best(TEXT, without_stop, spans) == "alice"
    # Two spans with the same core: the one whose edges are closest.
    spans = [("with stop", *alice), ("without", *without_stop)]
    assert best(TEXT, without_stop, spans) == "without"
    assert best(TEXT, alice, spans) == "with stop"
    assert best(TEXT, at("Officials"), spans) is None


def ranges_of(text: str):
    edges = st.integers(0, len(text))
    return st.tuples(edges, edges).map(lambda r: (min(r), max(r)))


@settings(deadline=None)
@given(st.data())
def test_likeness_is_symmetric_and_bounded(data):
    text = data.draw(texts)
    a = data.draw(ranges_of(text))
    b = data.draw(ranges_of(text))
    alike = likeness(text, a, b)
    assert alike == likeness(text, b, a)
    assert 0.0 <= alike <= 1.0
    assert likeness(text, a, a) == 1.0
    # Equal cores are always near-identical, whatever the punctuation around them.
    if core(text, *a) == core(text, *b) and core(text, *a)[0] < core(text, *a)[1]:
        assert near_identical(text, a, b)


@settings(deadline=None)
@given(st.data())
def test_the_index_finds_what_comparing_every_span_finds(data):
    text = data.draw(texts)
    within = ranges_of(text)
    spans = data.draw(st.lists(within, max_size=12))
    selection = data.draw(within)
    keyed = [(n, start, end) for n, (start, end) in enumerate(spans)]
    assert SpanIndex(text, keyed).best(*selection) == best(text, selection, keyed)


def test_the_threshold_is_ninety_percent():
    assert NEAR == 0.9
    text = "abcdefghij klmnopqrst"  # 9 of 10 code points shared: exactly 90 %
    assert likeness(text, (0, 10), (0, 9)) == pytest.approx(0.9)
    assert near_identical(text, (0, 10), (0, 9))
    assert not near_identical(text, (0, 10), (0, 8))
