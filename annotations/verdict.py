"""The verdict: a short judgement of an article's sourcing, by rules stated once. Pure: no Django imports.

**Basis.** Every share here, and on every page that shows a share (the
report's table and bar, the overview, the CSV), is a share of the
*labelled text*: the characters some span's consensus owns
(``annotations.balance``). What was labelled is what was judged; a share of
the whole article would fall as an article is half read and rise as
reviewers go on, without the article changing. How much was labelled is the
one figure of the whole article: the *coverage*, labelled characters over
every character of the body.

**Too little to judge.** Below ``MIN_COVERAGE`` of the article labelled,
shares of the labelled text describe a sentence or two: they are still
shown, flagged "only 0.3 % labelled", the verdict says there is too little
to judge, and a sort by a share puts such articles after the others.

**The rules**, first that applies (``RULES``, shown on the report page):

1. nothing labelled, or coverage below ``MIN_COVERAGE``: too little to judge;
2. disputed text at least ``CONTESTED`` of the labelled text: contested;
3. unsourced speculation at least ``MOSTLY_UNSOURCED``: mostly unsourced;
4. official claims at least ``MOSTLY_OFFICIAL``: mostly official claims;
5. verified fact at least ``WELL_SOURCED`` and speculation below
   ``LITTLE_SPECULATION``: well sourced;
6. otherwise: mixed sourcing.

Each judgement is followed by how many spans are disputed and how many
reviewers have finished the article.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotations.balance import Balance
from annotations.kinds import DISPUTED, OFFICIAL_CLAIM, UNSOURCED_SPECULATION, VERIFIED_FACT

# The thresholds, each a share (0..1). Coverage is of the article; the rest of the labelled text.
MIN_COVERAGE = 0.10
CONTESTED = 0.25
MOSTLY_UNSOURCED = 0.40
MOSTLY_OFFICIAL = 0.50
WELL_SOURCED = 0.60
LITTLE_SPECULATION = 0.15

BASIS = "of the labelled text"

TOO_LITTLE = "Too little labelled to judge"
CONTESTED_NAME = "Contested"
UNSOURCED_NAME = "Mostly unsourced"
OFFICIAL_NAME = "Mostly official claims"
WELL_SOURCED_NAME = "Well sourced"
MIXED_NAME = "Mixed sourcing"


def pct(share: float) -> str:
    """A share as the pages write it: ``0.413`` -> ``"41 %"``; below 10 % one decimal
    (``"0.3 %"``), so a small share never reads as 0 or 100."""
    value = share * 100
    if 0 < value < 0.05:
        return "<0.1 %"
    if 0 < value < 10:
        text = f"{value:.1f}"
        if text == "10.0":  # 9.96 % rounds up: no ".0" on a whole number
            text = "10"
    elif 99 < value < 100:
        text = "99"  # never a bare 100 for what is not all of it
    else:
        text = f"{value:.0f}"
    return f"{text} %"


# The rules in words, in the order they apply, for the report page.
RULES = (
    f"{TOO_LITTLE}: less than {pct(MIN_COVERAGE)} of the article is labelled.",
    f"{CONTESTED_NAME}: reviewers are split on {pct(CONTESTED)} or more {BASIS}.",
    f"{UNSOURCED_NAME}: {pct(MOSTLY_UNSOURCED)} or more {BASIS} is unsourced speculation.",
    f"{OFFICIAL_NAME}: {pct(MOSTLY_OFFICIAL)} or more {BASIS} is official claims.",
    f"{WELL_SOURCED_NAME}: {pct(WELL_SOURCED)} or more {BASIS} is verified fact, "
    f"and less than {pct(LITTLE_SPECULATION)} unsourced speculation.",
    f"{MIXED_NAME}: none of the above.",
)


@dataclass(frozen=True)
class Verdict:
    judgement: str  # one of the names above
    reason: str  # what follows it: the figures that led to it
    judged: bool  # False when there is too little to judge

    @property
    def sentence(self) -> str:
        """The whole verdict: "Mostly unsourced: 41 % of the labelled text rests on..." """
        return f"{self.judgement}: {self.reason}"


def coverage(figures: Balance) -> float:
    """Share of the article's characters under any label, 0..1 (0 for an empty article)."""
    return figures.labelled / figures.total if figures.total else 0.0


def too_little(figures: Balance) -> bool:
    """True when shares of the labelled text say too little to rank or judge the article."""
    return figures.labelled == 0 or coverage(figures) < MIN_COVERAGE


def coverage_flag(figures: Balance) -> str:
    """``"only 0.3 % labelled"`` for an article below ``MIN_COVERAGE``, else ``""``."""
    if figures.total == 0 or not too_little(figures):
        return ""
    return f"only {pct(coverage(figures))} labelled"


def judge(figures: Balance, *, reviewers: int, finished: int) -> Verdict:
    """The verdict on an article whose ``reviewers`` (``finished`` of them done) gave ``figures``."""
    tail = f"{_spans_disputed(figures)}; {finished} of {reviewers} reviewers finished."
    if figures.total == 0:
        return Verdict(TOO_LITTLE, "this article has no text.", False)
    if too_little(figures):
        return Verdict(
            TOO_LITTLE,
            f"only {pct(coverage(figures))} of the article is labelled; {tail}",
            False,
        )

    def share(category: str) -> float:
        return figures.share_of_labelled(category) or 0.0

    if share(DISPUTED) >= CONTESTED:
        name, reason = CONTESTED_NAME, f"reviewers are split on {pct(share(DISPUTED))} {BASIS}"
    elif share(UNSOURCED_SPECULATION) >= MOSTLY_UNSOURCED:
        name = UNSOURCED_NAME
        reason = f"{pct(share(UNSOURCED_SPECULATION))} {BASIS} rests on no named source"
    elif share(OFFICIAL_CLAIM) >= MOSTLY_OFFICIAL:
        name = OFFICIAL_NAME
        reason = f"{pct(share(OFFICIAL_CLAIM))} {BASIS} repeats official claims"
    elif share(VERIFIED_FACT) >= WELL_SOURCED and share(UNSOURCED_SPECULATION) < LITTLE_SPECULATION:
        name = WELL_SOURCED_NAME
        reason = f"{pct(share(VERIFIED_FACT))} {BASIS} is verified fact"
    else:
        name = MIXED_NAME
        reason = (
            f"{pct(share(VERIFIED_FACT))} verified fact, {pct(share(OFFICIAL_CLAIM))} official "
            f"claims, {pct(share(UNSOURCED_SPECULATION))} unsourced speculation {BASIS}"
        )
    return Verdict(name, f"{reason}; {tail}", True)


def _spans_disputed(figures: Balance) -> str:
    disputed = figures.spans.get(DISPUTED, 0)
    total = figures.span_count
    return f"{disputed} of {total} span{'' if total == 1 else 's'} disputed"
