"""Agreement on the text (annotations.text_agreement): words as units, computed by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.agreement import krippendorff_alpha_nominal
from annotations.text_agreement import (
    NOT_LABELLED,
    alpha_nominal,
    text_agreement,
    text_agreement_of_groups,
    token_values,
    tokens,
)
from tests.test_agreement import KRIPPENDORFF_2011

TEXT = "Alice saw the cat. Bob ran home."
#       0    5    10   15   20   25   30


def test_tokens_are_words_without_spaces_or_punctuation():
    assert [TEXT[a:b] for a, b in tokens(TEXT)] == [
        "Alice",
        "saw",
        "the",
        "cat",
        "Bob",
        "ran",
        "home",
    ]
    other = "Café, 2026 — naïve"
    assert [other[a:b] for a, b in tokens(other)] == ["Café", "2026", "naïve"]


def test_a_selection_without_its_full_stop_meets_the_one_with_it():
    # alice labels "Alice saw the cat." (0-18), bob stops before the full stop (0-17):
    # no identical span, yet the same four words, labelled alike.
    same = text_agreement(TEXT, [(0, 18, "alice", "fact"), (0, 17, "bob", "fact")])
    assert (same.tokens, same.agreed, same.percent) == (4, 4, 1.0)
    assert same.alpha is None  # one category only: chance agreement is certain
    assert "undefined" in same.note


def test_near_identical_selections_labelled_differently_disagree_on_every_word():
    # Four units, each {fact, speculation}: n = 8, n_fact = n_spec = 4; 8 off-diagonal
    # coincidences (2 ordered pairs per unit, weight 1); sum n_c n_k = 64 - 32 = 32.
    # alpha = 1 - (8 - 1) * 8 / 32 = -0.75.
    figures = text_agreement(TEXT, [(0, 18, "alice", "fact"), (0, 17, "bob", "spec")])
    assert (figures.tokens, figures.agreed, figures.percent) == (4, 0, 0.0)
    assert figures.alpha == pytest.approx(-0.75)


def test_only_a_finished_reviewer_s_silence_counts():
    spans = [(0, 18, "alice", "fact"), (19, 31, "bob", "fact")]
    # Neither finished: no word has two values.
    nobody = text_agreement(TEXT, spans)
    assert nobody.tokens == 0 and nobody.percent is None
    assert "Not enough overlap" in nobody.note
    # bob finished: alice's four words meet his "not labelled"; his three words have
    # no value of alice's (she has not finished: she may not have read that far).
    units = token_values(tokens(TEXT), spans, finished={"bob"})
    assert units[:4] == [{"alice": "fact", "bob": NOT_LABELLED}] * 4
    assert units[4:] == [{"bob": "fact"}] * 3
    figures = text_agreement(TEXT, spans, finished={"bob"})
    assert (figures.tokens, figures.agreed, figures.reviewers) == (4, 0, 2)


def test_a_finished_reviewer_without_a_label_counts_everywhere_others_labelled():
    # "a b c d": alice labels all four fact; bob "a b" fact and "c d" speculation;
    # carol finished without a label. Units a, b: {f, f, N}; c, d: {f, s, N}.
    # Coincidences (weight 1/2 per ordered pair, m = 3): ff 2, fN 3, Nf 3, fs 1,
    # sf 1, sN 1, Ns 1. n_f = 6, n_N = 4, n_s = 2, n = 12; off-diagonal 10;
    # sum n_c n_k = 144 - (36 + 16 + 4) = 88; alpha = 1 - 11 * 10 / 88 = -0.25.
    spans = [
        (0, 7, "alice", "f"),
        (0, 3, "bob", "f"),
        (4, 7, "bob", "s"),
    ]
    figures = text_agreement("a b c d", spans, finished={"carol"})
    assert (figures.tokens, figures.agreed, figures.reviewers) == (4, 0, 3)
    assert figures.alpha == pytest.approx(-0.25)


def test_a_reviewer_s_innermost_span_gives_their_value():
    # alice labels the whole "a b c d" fact and "b" inside it speculation; bob all fact.
    spans = [(0, 7, "alice", "f"), (2, 3, "alice", "s"), (0, 7, "bob", "f")]
    figures = text_agreement("a b c d", spans)
    assert (figures.tokens, figures.agreed) == (4, 3)
    assert figures.percent == 0.75


def test_the_weighted_alpha_matches_krippendorffs_published_example():
    # Krippendorff 2011, section C: 0.743 (tests/test_agreement.py works it by hand).
    units = [[v for v in unit if v is not None] for unit in KRIPPENDORFF_2011]
    assert alpha_nominal(units) == pytest.approx(0.7434, abs=1e-4)


@given(
    st.lists(
        st.lists(st.sampled_from(["f", "c", "s", NOT_LABELLED]), min_size=0, max_size=4),
        max_size=25,
    )
)
def test_the_weighted_alpha_is_the_plain_one(units):
    expected = krippendorff_alpha_nominal(units)
    got = alpha_nominal(units)
    assert (got is None) == (expected is None)
    if got is not None and expected is not None:
        assert got == pytest.approx(expected)


def _naive(text: str, spans, finished) -> list[dict]:
    """Each token, each reviewer, every span: the module docstring read literally."""
    units = []
    for a, b in tokens(text):
        unit = {}
        for reviewer in {r for _, _, r, _ in spans}:
            over = [
                (end - start, -start, -order, label)
                for order, (start, end, who, label) in enumerate(spans)
                if who == reviewer and start < b and end > a
            ]
            if over:
                unit[reviewer] = min(over)[3]
        if unit:
            for reviewer in finished:
                unit.setdefault(reviewer, NOT_LABELLED)
            units.append(unit)
    return units


@given(
    st.lists(
        st.tuples(
            st.integers(0, 30),
            st.integers(1, 12),
            st.sampled_from(["alice", "bob", "carol"]),
            st.sampled_from(["f", "c", "s"]),
        ),
        max_size=12,
    ),
    st.sets(st.sampled_from(["alice", "bob", "carol"])),
)
def test_the_sweep_agrees_with_a_word_by_word_reading(raw, finished):
    text = "ab cd, ef. gh ij kl mn op qr st"
    spans = [(start, min(start + length, len(text)), r, k) for start, length, r, k in raw]
    spans = [s for s in spans if s[0] < s[1]]
    assert token_values(tokens(text), spans, finished) == _naive(text, spans, finished)


@given(
    st.dictionaries(
        st.tuples(st.integers(0, 30), st.integers(1, 12)),
        st.dictionaries(st.sampled_from(["alice", "bob", "carol"]), st.sampled_from("fcs")),
        max_size=12,
    ),
    st.sets(st.sampled_from(["alice", "bob", "carol"])),
)
def test_spans_given_with_all_their_labels_count_as_one_label_each(ranges, finished):
    """The report gives each span once with every reviewer's label on it: the same figures
    as one row per label."""
    text = "ab cd, ef. gh ij kl mn op qr st"
    spans = [
        (start, min(start + length, len(text)), tuple(sorted(chosen.items())))
        for (start, length), chosen in ranges.items()
        if start < len(text)
    ]
    one_each = [(start, end, r, k) for start, end, chosen in spans for r, k in chosen]
    assert text_agreement_of_groups(text, spans, finished) == text_agreement(
        text, one_each, finished
    )
