"""Consensus and balance figures, computed by hand."""

from __future__ import annotations

from annotations.balance import DISPUTED, consensus


def test_consensus_is_the_label_most_reviewers_chose():
    assert consensus(["verified_fact", "official_claim", "verified_fact"]) == "verified_fact"


def test_a_tie_is_disputed():
    assert consensus(["verified_fact", "official_claim"]) == DISPUTED


def test_a_single_reviewer_is_the_consensus():
    assert consensus(["unsourced_speculation"]) == "unsourced_speculation"


def test_no_labels_no_consensus():
    assert consensus([]) is None
