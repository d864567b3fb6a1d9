"""The verdict (annotations.verdict): one test per wording, and property tests for the rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotations import verdict
from annotations.balance import Balance
from annotations.kinds import DISPUTED, OFFICIAL_CLAIM, UNSOURCED_SPECULATION
from annotations.kinds import VERIFIED_FACT as FACT
from annotations.verdict import coverage_flag, judge, pct, too_little

SPEC, CLAIM = UNSOURCED_SPECULATION, OFFICIAL_CLAIM


def _chars(fact: int = 0, claim: int = 0, spec: int = 0, disputed: int = 0) -> dict[str, int]:
    return {FACT: fact, CLAIM: claim, SPEC: spec, DISPUTED: disputed}


def test_mostly_unsourced_is_the_issues_own_example():
    # 41 of 100 labelled characters speculation, in an article of 200; 2 of 9 spans disputed.
    figures = Balance(
        200,
        _chars(fact=30, claim=19, spec=41, disputed=10),
        {FACT: 3, CLAIM: 2, SPEC: 2, DISPUTED: 2},
    )
    assert judge(figures, reviewers=3, finished=3).sentence == (
        "Mostly unsourced: 41 % of the labelled text rests on no named source; "
        "2 of 9 spans disputed; 3 of 3 reviewers finished."
    )


def test_too_little_labelled_to_judge():
    # 3 of 1,000 characters: 0.3 %.
    figures = Balance(1000, _chars(spec=3), {SPEC: 1, FACT: 0, CLAIM: 0, DISPUTED: 0})
    result = judge(figures, reviewers=1, finished=0)
    assert not result.judged
    assert result.sentence == (
        "Too little labelled to judge: only 0.3 % of the article is labelled; "
        "0 of 1 span disputed; 0 of 1 reviewers finished."
    )
    assert coverage_flag(figures) == "only 0.3 % labelled"


def test_nothing_labelled_and_no_text():
    assert judge(Balance(50, _chars(), _chars()), reviewers=0, finished=0).sentence == (
        "Too little labelled to judge: only 0 % of the article is labelled; "
        "0 of 0 spans disputed; 0 of 0 reviewers finished."
    )
    assert judge(Balance(0, _chars(), _chars()), reviewers=0, finished=0).sentence == (
        "Too little labelled to judge: this article has no text."
    )
    assert coverage_flag(Balance(0, _chars(), _chars())) == ""


def test_contested():
    figures = Balance(100, _chars(fact=20, spec=50, disputed=30), _chars(1, 0, 1, 1))
    assert judge(figures, reviewers=2, finished=1).sentence == (
        "Contested: reviewers are split on 30 % of the labelled text; "
        "1 of 3 spans disputed; 1 of 2 reviewers finished."
    )


def test_mostly_official_claims():
    figures = Balance(100, _chars(fact=40, claim=60), _chars(1, 1))
    assert judge(figures, reviewers=2, finished=2).sentence == (
        "Mostly official claims: 60 % of the labelled text repeats official claims; "
        "0 of 2 spans disputed; 2 of 2 reviewers finished."
    )


def test_well_sourced():
    figures = Balance(100, _chars(fact=70, claim=20, spec=10), _chars(2, 1, 1))
    assert judge(figures, reviewers=1, finished=1).sentence == (
        "Well sourced: 70 % of the labelled text is verified fact; "
        "0 of 4 spans disputed; 1 of 1 reviewers finished."
    )


def test_mixed_sourcing():
    # Fact 60 % but speculation 20 %: not well sourced; nothing else reaches its threshold.
    figures = Balance(100, _chars(fact=60, claim=20, spec=20), _chars(1, 1, 1))
    assert judge(figures, reviewers=2, finished=0).sentence == (
        "Mixed sourcing: 60 % verified fact, 20 % official claims, 20 % unsourced "
        "speculation of the labelled text; 0 of 3 spans disputed; 0 of 2 reviewers finished."
    )


def test_shares_are_never_rounded_to_nothing_or_everything():
    assert pct(0.003) == "0.3 %"
    assert pct(0.0004) == "<0.1 %"
    assert pct(0.0) == "0 %"
    assert pct(0.0996) == "10 %"
    assert pct(0.413) == "41 %"
    assert pct(0.996) == "99 %"
    assert pct(1.0) == "100 %"


def test_the_rules_shown_on_the_page_name_the_thresholds():
    assert (
        verdict.RULES[0]
        == "Too little labelled to judge: less than 10 % of the article is labelled."
    )
    assert len(verdict.RULES) == 6


shares = st.integers(0, 400)


@given(fact=shares, claim=shares, spec=shares, disputed=shares, rest=st.integers(0, 4000))
def test_the_first_rule_that_applies_decides(fact, claim, spec, disputed, rest):
    chars = _chars(fact, claim, spec, disputed)
    figures = Balance(sum(chars.values()) + rest, chars, _chars(1, 1, 1, 1))
    result = judge(figures, reviewers=2, finished=1)
    labelled = sum(chars.values())
    if labelled == 0 or labelled / figures.total < verdict.MIN_COVERAGE:
        assert result.judgement == verdict.TOO_LITTLE and not result.judged
        assert too_little(figures)
        return
    assert result.judged and not too_little(figures) and coverage_flag(figures) == ""

    def share(n: int) -> float:
        return n / labelled

    if share(disputed) >= verdict.CONTESTED:
        expected = verdict.CONTESTED_NAME
    elif share(spec) >= verdict.MOSTLY_UNSOURCED:
        expected = verdict.UNSOURCED_NAME
    elif share(claim) >= verdict.MOSTLY_OFFICIAL:
        expected = verdict.OFFICIAL_NAME
    elif share(fact) >= verdict.WELL_SOURCED and share(spec) < verdict.LITTLE_SPECULATION:
        expected = verdict.WELL_SOURCED_NAME
    else:
        expected = verdict.MIXED_NAME
    assert result.judgement == expected
    assert result.sentence.startswith(f"{expected}: ")
    assert result.sentence.endswith("; 1 of 2 reviewers finished.")


@given(labelled=st.integers(1, 1000), rest=st.integers(0, 100_000))
def test_a_barely_labelled_article_is_always_flagged(labelled, rest):
    figures = Balance(labelled + rest, _chars(spec=labelled), _chars(spec=1))
    flagged = labelled / (labelled + rest) < verdict.MIN_COVERAGE
    assert bool(coverage_flag(figures)) == flagged == too_little(figures)
    if flagged:
        # Its shares are of very little: the flag says how little, never as "0 %".
        assert coverage_flag(figures).startswith("only ")
        assert coverage_flag(figures) != "only 0 % labelled"
