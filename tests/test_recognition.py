"""When an edited span's text is still its own, and when it is beyond recognition."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.corrections.recognition import (
    MAX_CHANGED_SHARE,
    Rule,
    fold,
    kept_characters,
    likeness,
)


def test_the_same_text_is_recognised():
    assert likeness("300,000 reservists", "300,000 reservists").rule is Rule.SAME


def test_typography_alone_is_no_change():
    found = likeness("'fake news'... he said - twice", "‘fake news’… he said – twice")
    assert found.rule is Rule.TYPOGRAPHY and found.recognised


def test_a_paragraph_break_and_a_space_are_the_same_white_space():
    assert likeness(
        "was not true.\n\nYet such denials", "was not true. Yet such denials"
    ).recognised


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "the Russian leadership shared in their suffering",
            "the Russian leadership shared in their sufering",
        ),
        ("recieved", "received"),  # a typo fixed in a one-word span
        ("he shared their pain", "he said he shared their pain"),  # words inserted
        ("tens of thousands of soldiers on both sides", "tens of thousands of soldiers"),
        ("up to two million people", "up to three million people"),
    ],
)
def test_slight_edits_are_recognised(old, new):
    assert likeness(old, new).rule is Rule.SIMILAR


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("5,937", "6,100"),  # a span of one figure, every digit changed
        ("300,000", "1,200,000"),
        ("10:30", "10:45"),
    ],
)
def test_a_figure_update_is_recognised_however_different_the_number(old, new):
    assert likeness(old, new).recognised


def test_a_figure_with_every_digit_changed_is_recognised_only_as_a_figure():
    # Re-anchoring asks for agreeing context on both sides in this case.
    assert likeness("5,937", "6,100").rule is Rule.FIGURES


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Putin said that he shared their pain", "The statement was withdrawn an hour later"),
        ("no regrets", "Peskov"),
        ("denied", "confirmed"),
        # More than half of the old text deleted.
        ("Hundreds of thousands of Russian soldiers have been sent", "Hundreds of"),
        # More than half of the new text is new.
        ("said", "said, according to two officials close to the talks,"),
        ("300,000 reservists", "1.2 million"),  # a figure rewritten as words is not a figure update
    ],
)
def test_rewrites_are_beyond_recognition(old, new):
    found = likeness(old, new)
    assert found.rule is Rule.BEYOND and not found.recognised


def test_empty_or_blank_new_text_is_beyond_recognition():
    assert not likeness("soldiers", "").recognised
    assert not likeness("soldiers", "  ").recognised


def test_stray_letters_shared_by_unrelated_words_are_not_kept():
    # A plain character diff would keep the "i", "e" and "d" these share.
    assert kept_characters("denied", "confirmed") <= 2


def test_the_figures_say_how_much_changed():
    found = likeness("the whole leadership of the country", "the whole leadership")
    assert found.deleted_share == pytest.approx(15 / 35)
    assert found.added_share == 0
    assert found.similarity == pytest.approx(2 * 20 / 55)


# --- Properties ----------------------------------------------------------------

# Letters only: the properties below are about the shares, not about folding.
words = st.text(alphabet="abcdefghij ", min_size=1, max_size=60).filter(str.strip)


@given(words)
def test_a_text_is_always_its_own(text):
    assert likeness(text, text).recognised


@given(words, st.data())
def test_deleting_at_most_half_of_a_text_in_one_piece_keeps_it(text, data):
    cut = data.draw(st.integers(0, len(text) // 2))
    at = data.draw(st.integers(0, len(text) - cut))
    shorter = text[:at] + text[at + cut :]
    if fold(shorter).strip() and fold(shorter) != fold(text):
        found = likeness(text, shorter)
        assert found.deleted_share <= MAX_CHANGED_SHARE + 1e-9 or not found.recognised
        assert found.added_share == 0


@given(words, st.text(alphabet="klmnopqrst", min_size=1, max_size=60))
def test_text_with_nothing_in_common_is_never_recognised(old, new):
    assert not likeness(old, new).recognised


@given(words, words)
def test_recognised_means_at_most_half_changed_either_way_unless_only_figures(old, new):
    found = likeness(old, new)
    if found.rule is Rule.SIMILAR:
        assert found.deleted_share <= MAX_CHANGED_SHARE
        assert found.added_share <= MAX_CHANGED_SHARE
    assert 0 <= found.similarity <= 1


@given(words, words, st.integers(0, 10**9), st.integers(0, 10**9))
def test_changing_only_a_figure_is_always_recognised(before, after, old_number, new_number):
    old = f"{before} {old_number:,} {after}"
    new = f"{before} {new_number:,} {after}"
    assert likeness(old, new).recognised


@given(words, words)
def test_kept_characters_never_exceed_either_text(old, new):
    kept = kept_characters(old, new)
    assert 0 <= kept <= min(len(old), len(new))
