"""Agreement figures against published worked examples, recomputed by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.agreement import agreement, cohen_kappa, krippendorff_alpha_nominal


def test_cohen_kappa_matches_wikipedias_worked_example():
    # Wikipedia, "Cohen's kappa", "Simple example": 50 grant proposals read by
    # A and B. Both yes 20, A yes / B no 5, A no / B yes 10, both no 15.
    # By hand: po = (20 + 15) / 50 = 0.70. A says yes 25/50 = 0.5, B 30/50 = 0.6,
    # so pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.50 and kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40.
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_kappa_is_zero_when_agreement_is_what_chance_predicts():
    # Each reviewer says yes half the time, independently: po = pe = 0.5.
    pairs = [("yes", "yes"), ("yes", "no"), ("no", "yes"), ("no", "no")]
    assert cohen_kappa(pairs) == 0


def test_kappa_is_undefined_when_both_always_choose_one_label():
    assert cohen_kappa([("fact", "fact")] * 5) is None


# Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability",
# Annenberg School for Communication, section C ("nominal data, any number of
# observers, missing data"): 4 observers, 12 units, values 1-5, "." missing.
#          unit: 1  2  3  4  5  6  7  8  9  10 11 12
#   observer A:  1  2  3  3  2  1  4  1  2  .  .  .
#   observer B:  1  2  3  3  2  2  4  1  2  5  .  3
#   observer C:  .  3  3  3  2  3  4  2  2  5  1  .
#   observer D:  1  2  3  3  2  4  4  1  2  5  1  .
KRIPPENDORFF_2011: list[list[int | None]] = [
    [1, 1, None, 1],
    [2, 2, 3, 2],
    [3, 3, 3, 3],
    [3, 3, 3, 3],
    [2, 2, 2, 2],
    [1, 2, 3, 4],
    [4, 4, 4, 4],
    [1, 1, 2, 1],
    [2, 2, 2, 2],
    [None, 5, 5, 5],
    [None, None, 1, 1],
    [None, 3, None, None],
]


def test_alpha_matches_krippendorffs_own_nominal_example():
    # By hand: unit 12 has one value and is not pairable, leaving n = 40 values:
    # n_1 = 9, n_2 = 13, n_3 = 10, n_4 = 5, n_5 = 3. Off-diagonal coincidences
    # (each ordered pair of differing values in a unit weighs 1 / (m_u - 1)):
    # unit 2: 6 pairs / 3 = 2; unit 6: 12 / 3 = 4; unit 8: 6 / 3 = 2; total 8.
    # sum over c != k of n_c n_k = 40^2 - (81 + 169 + 100 + 25 + 9) = 1216.
    # alpha = 1 - (n - 1) * 8 / 1216 = 1 - 312 / 1216 = 0.7434; the paper prints 0.743.
    units = [[v for v in unit if v is not None] for unit in KRIPPENDORFF_2011]
    assert krippendorff_alpha_nominal(units) == pytest.approx(1 - 312 / 1216)
    assert round(krippendorff_alpha_nominal(units) or 0, 3) == 0.743


def test_alpha_for_the_same_data_given_as_reviewers_labels():
    units = [
        {coder: value for coder, value in zip("ABCD", unit, strict=True) if value is not None}
        for unit in KRIPPENDORFF_2011
    ]
    figures = agreement(units)
    assert figures.units == 11  # unit 12 has a single coder
    assert figures.reviewers == 4
    assert figures.kappa is None  # four reviewers: kappa does not apply
    assert "exactly two reviewers" in figures.note
    assert round(figures.alpha or 0, 3) == 0.743
    # Units where every coder agrees: 1, 3, 4, 5, 7, 9, 10, 11 = 8 of 11.
    assert (figures.agreed, figures.percent) == (8, 8 / 11)


def test_two_reviewers_get_percent_kappa_and_alpha():
    # alice/bob on four spans: fact/fact, claim/claim, fact/claim, spec/spec.
    # po = 3/4; alice: fact 2, claim 1, spec 1; bob: fact 1, claim 2, spec 1;
    # pe = (2*1 + 1*2 + 1*1) / 16 = 5/16; kappa = (12/16 - 5/16) / (11/16) = 7/11.
    # alpha: n = 8, n_fact = 3, n_claim = 3, n_spec = 2; off-diagonal 2 (one split unit);
    # sum n_c n_k (c != k) = 64 - (9 + 9 + 4) = 42; alpha = 1 - 7 * 2 / 42 = 2/3.
    units = [
        {"alice": "fact", "bob": "fact"},
        {"alice": "claim", "bob": "claim"},
        {"alice": "fact", "bob": "claim"},
        {"alice": "spec", "bob": "spec"},
        {"alice": "spec"},  # one reviewer only: left out
    ]
    figures = agreement(units)
    assert (figures.units, figures.reviewers, figures.agreed) == (4, 2, 3)
    assert figures.percent == 0.75
    assert figures.kappa == pytest.approx(7 / 11)
    assert figures.alpha == pytest.approx(2 / 3)
    assert figures.note == ""


@pytest.mark.parametrize(
    ("units", "overlap"),
    [([], "no spans are"), ([{"alice": "fact"}, {"bob": "fact"}], "no spans are")],
)
def test_no_overlap_is_said_in_words(units, overlap):
    figures = agreement(units)
    assert figures.percent is None and figures.kappa is None and figures.alpha is None
    assert figures.note == (
        f"Not enough overlap: {overlap} labelled by two or more reviewers; "
        "agreement needs at least 2."
    )


def test_one_shared_span_is_not_enough():
    figures = agreement([{"alice": "fact", "bob": "claim"}])
    assert figures.percent is None
    assert figures.note.startswith("Not enough overlap: 1 span is labelled")


def test_a_single_label_everywhere_has_no_chance_corrected_figure():
    figures = agreement([{"alice": "fact", "bob": "fact"}] * 3)
    assert figures.percent == 1.0
    assert figures.kappa is None and figures.alpha is None
    assert "agreement by chance is certain" in figures.note


@given(
    st.lists(
        st.dictionaries(st.sampled_from(["alice", "bob", "carol"]), st.sampled_from("fcs")),
        max_size=40,
    )
)
def test_spans_labelled_alike_counted_together_give_the_same_figures(units):
    """``agreement`` counts each distinct span once with how often it occurs; the figures
    are those of every span read one by one."""
    figures = agreement(units)
    shared = [u for u in units if len(u) >= 2]
    assert figures.units == len(shared)
    assert figures.agreed == sum(len(set(u.values())) == 1 for u in shared)
    if figures.percent is None:
        return
    assert figures.alpha == pytest.approx(krippendorff_alpha_nominal(u.values() for u in shared))
    if figures.reviewers == 2:
        first, second = sorted({r for u in shared for r in u})
        assert figures.kappa == pytest.approx(cohen_kappa((u[first], u[second]) for u in shared))
