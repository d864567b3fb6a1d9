"""Consensus and balance figures, computed by hand."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations import balance as balance_module
from annotations.balance import (
    balance,
    consensus,
    consensus_of_counts,
)
from annotations.kinds import CATEGORIES, DISPUTED, KINDS
from annotations.models import LabelKind


def test_consensus_is_the_label_most_reviewers_chose():
    assert consensus(["verified_fact", "official_claim", "verified_fact"]) == "verified_fact"


def test_a_tie_is_disputed():
    assert consensus(["verified_fact", "official_claim"]) == DISPUTED


def test_a_single_reviewer_is_the_consensus():
    assert consensus(["unsourced_speculation"]) == "unsourced_speculation"


def test_no_labels_no_consensus():
    assert consensus([]) is None


# --- Balance: which characters each consensus owns -------------------------


def test_kinds_match_the_model():
    assert list(KINDS) == LabelKind.values


def test_disjoint_spans_add_up():
    # 100 characters: fact 0-10, claim 20-50, speculation 60-65.
    figures = balance(
        100,
        [(0, 10, "verified_fact"), (20, 50, "official_claim"), (60, 65, "unsourced_speculation")],
    )
    assert figures.chars == {
        "verified_fact": 10,
        "official_claim": 30,
        "unsourced_speculation": 5,
        "disputed": 0,
    }
    assert figures.spans == {
        "verified_fact": 1,
        "official_claim": 1,
        "unsourced_speculation": 1,
        "disputed": 0,
    }
    assert figures.unlabelled == 55
    # Of the 45 labelled characters, 30 are official claim: 2/3.
    assert figures.share_of_labelled("official_claim") == 30 / 45


def test_overlapping_spans_of_one_kind_count_once():
    # 0-30 and 20-50 are both fact: the union is 0-50, 50 characters, not 60.
    figures = balance(100, [(0, 30, "verified_fact"), (20, 50, "verified_fact")])
    assert figures.chars["verified_fact"] == 50
    assert figures.spans["verified_fact"] == 2
    assert figures.unlabelled == 50


def test_the_innermost_span_owns_nested_text():
    # A claim 0-40 with speculation 10-20 inside it: the speculation owns its
    # 10 characters, the claim keeps 0-10 and 20-40 = 30. Order of input is irrelevant.
    spans = [(0, 40, "official_claim"), (10, 20, "unsourced_speculation")]
    for ordering in (spans, spans[::-1]):
        figures = balance(50, ordering)
        assert figures.chars["unsourced_speculation"] == 10
        assert figures.chars["official_claim"] == 30
        assert figures.labelled == 40


def test_a_nest_three_deep_and_a_sibling():
    # fact 0-100 > claim 10-60 > disputed 20-30; speculation 70-80 inside fact.
    # fact: 0-10, 60-70, 80-100 = 40; claim: 10-20, 30-60 = 40; disputed 10; speculation 10.
    figures = balance(
        100,
        [
            (0, 100, "verified_fact"),
            (10, 60, "official_claim"),
            (20, 30, "disputed"),
            (70, 80, "unsourced_speculation"),
        ],
    )
    assert figures.chars == {
        "verified_fact": 40,
        "official_claim": 40,
        "disputed": 10,
        "unsourced_speculation": 10,
    }
    assert figures.unlabelled == 0


def test_crossing_spans_of_equal_length_go_to_the_later_start():
    # fact 0-10 and claim 5-15 are both 10 long; 5-10 goes to the claim (starts later).
    figures = balance(20, [(0, 10, "verified_fact"), (5, 15, "official_claim")])
    assert figures.chars["verified_fact"] == 5
    assert figures.chars["official_claim"] == 10


def test_crossing_spans_of_different_length_go_to_the_shorter():
    # fact 0-12 (12 long) and claim 8-16 (8 long): 8-12 is the claim's.
    figures = balance(20, [(0, 12, "verified_fact"), (8, 16, "official_claim")])
    assert (figures.chars["verified_fact"], figures.chars["official_claim"]) == (8, 8)


def test_spans_without_labels_count_nowhere():
    figures = balance(10, [(0, 5, None)])
    assert figures.labelled == 0 and figures.span_count == 0


def test_no_labels_and_no_text_divide_by_nothing():
    empty = balance(0, [])
    assert empty.share_of_labelled("verified_fact") is None
    unlabelled = balance(120, [])
    assert unlabelled.unlabelled == 120
    assert unlabelled.share_of_labelled("disputed") is None


def test_a_single_reviewer_s_label_counts_as_the_consensus():
    figures = balance(10, [(0, 4, consensus(["unsourced_speculation"]))])
    assert figures.chars["unsourced_speculation"] == 4


def test_a_tied_span_is_disputed_in_the_balance():
    figures = balance(10, [(0, 4, consensus(["verified_fact", "official_claim"]))])
    assert figures.chars["disputed"] == 4 and figures.chars["verified_fact"] == 0


def test_five_thousand_nested_spans_are_swept_exactly():
    # 5,000 spans each nested in the previous one: i..(10000 - i). The
    # innermost one owns its whole range, each outer one only its two ends.
    spans = [(i, 10_000 - i, KINDS[i % 3]) for i in range(5_000)]
    figures = balance(10_000, spans)
    assert figures.labelled == 10_000
    assert figures.span_count == 5_000
    # kinds cycle fact, claim, speculation: fact owns i = 0, 3, ..., 4998 (1,667 spans x 2 chars).
    assert figures.chars["verified_fact"] == 1_667 * 2


@pytest.mark.parametrize(
    "kinds",
    [
        [],
        ["verified_fact"],
        ["verified_fact", "official_claim"],
        ["official_claim", "verified_fact", "official_claim"],
        ["verified_fact", "verified_fact", "official_claim", "official_claim", "verified_fact"],
        ["unsourced_speculation", "unsourced_speculation", "official_claim"],
        ["unsourced_speculation", "official_claim", "verified_fact"],
    ],
)
def test_consensus_from_grouped_counts_is_the_same_rule(kinds):
    counts = Counter(kinds)
    assert consensus_of_counts([counts[kind] for kind in KINDS]) == consensus(kinds)


def _owner_of_each_character(total, spans):
    """The rule, character by character: the shortest covering span, then the later start."""
    owned = dict.fromkeys(CATEGORIES, 0)
    for ch in range(total):
        covering = [
            (end - start, -start, -order, category)
            for order, (start, end, category) in enumerate(spans)
            if start <= ch < end and category is not None
        ]
        if covering:
            owned[min(covering)[3]] += 1
    return owned


@given(
    st.lists(
        # Spans inside an 80-character text, as the database guarantees.
        st.tuples(st.integers(0, 79), st.integers(1, 30), st.sampled_from([*CATEGORIES, None])).map(
            lambda t: (t[0], min(t[0] + t[1], 80), t[2])
        ),
        max_size=25,
    )
)
def test_the_sweep_agrees_with_a_character_by_character_count(spans):
    figures = balance(80, spans)
    assert figures.chars == _owner_of_each_character(80, spans)
    assert figures.labelled + figures.unlabelled == 80


@given(
    st.lists(
        st.tuples(st.integers(0, 79), st.integers(1, 80), st.sampled_from(CATEGORIES)).map(
            lambda t: (t[0], min(t[0] + t[1], 80), t[2])
        ),
        min_size=2,
        max_size=40,
    )
)
def test_deep_nests_swept_with_a_heap_own_the_same_characters(spans):
    """Past ``PAINT_LIMIT`` layers a run is swept with a heap instead of painted: the same
    characters either way."""
    items = sorted(
        (start, end, category, order) for order, (start, end, category) in enumerate(spans)
    )
    painted, swept = dict.fromkeys(CATEGORIES, 0), dict.fromkeys(CATEGORIES, 0)
    balance_module._sweep(items, painted)
    balance_module._sweep_heap(items, swept)
    assert painted == swept == _owner_of_each_character(80, spans)
