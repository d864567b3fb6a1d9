"""Agreement between reviewers on the text itself, not on identical spans. Pure: no Django imports.

Span-level agreement (``annotations.agreement``) only compares spans with the
same offsets, so two reviewers who select one sentence but stop one
character apart never meet there: it measures how steady their mouse hands
are. Here the *units* are the words of the article.

* **Unit: a token**, a run of word characters (``\\w+``: letters, digits,
  marks, the underscore). Spaces and punctuation belong to no unit. Tokens
  rather than characters because a word is the smallest thing a reviewer
  means to label (selections snap to whole words): with characters, a
  selection that leaves out a full stop or a space would count as a
  disagreement, and a long word would weigh more than a short one. A token
  counts as covered by a span that overlaps any of its characters. (Scripts
  written without spaces between words make one token of a whole run; none
  of the articles labelled so far is written that way.)
* **Which tokens count**: those covered by at least one reviewer's span.
  Words nobody labelled say nothing about the labels.
* **A reviewer's value** on a token: the label of their innermost span over
  it (the shortest; of two equally long, the one starting later: the rule of
  ``annotations.balance``). Where none of their spans covers it, the value is
  ``NOT_LABELLED`` if the reviewer has finished the article, and missing
  otherwise: an unfinished reviewer may simply not have read that far.
* **Percent agreement**: the share of tokens with two or more values on
  which every value is the same.
* **Krippendorff's alpha, nominal**, on those tokens with ``NOT_LABELLED``
  as one more category (``agreement.krippendorff_alpha_nominal``, tested
  against Krippendorff 2011). Not the unitizing alpha (α_U, Krippendorff
  1995/2004): it has no published worked example we could test an
  implementation against, and on pre-cut units the nominal alpha is the
  coefficient Krippendorff himself prescribes.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass

NOT_LABELLED = "not labelled"
MIN_TOKENS = 2

_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each token of ``text``, in code points."""
    return [match.span() for match in _TOKEN.finditer(text)]


@dataclass(frozen=True)
class TextAgreement:
    tokens: int  # tokens with values from two or more reviewers
    reviewers: int  # reviewers with a value on any of those tokens
    agreed: int  # of those tokens, how many every reviewer labelled alike
    percent: float | None  # agreed / tokens, 0..1
    alpha: float | None
    note: str  # why a figure is missing, or ""


def token_values(
    text_tokens: Sequence[tuple[int, int]],
    spans: Iterable[tuple[int, int, Hashable, Hashable]],
    finished: Collection[Hashable] = (),
) -> list[dict[Hashable, Hashable]]:
    """Each covered token's values, ``{reviewer: label}``, in reading order.

    ``spans`` are ``(start, end, reviewer, label)``, one per label; reviewers
    in ``finished`` have finished the article (the module docstring says what
    that changes). A finished reviewer without a single label still counts.
    """
    starts = [start for start, _ in text_tokens]
    ends = [end for _, end in text_tokens]
    # Per reviewer: (first token, last token + 1, innermost key, label) of each span.
    by_reviewer: defaultdict[Hashable, list[tuple[int, int, tuple[int, int, int], Hashable]]] = (
        defaultdict(list)
    )
    for order, (start, end, reviewer, label) in enumerate(spans):
        # Tokens overlapping [start, end): those ending after start and starting before end.
        first = bisect_right(ends, start)
        last = bisect_left(starts, end)
        if first < last:
            by_reviewer[reviewer].append((first, last, (end - start, -start, -order), label))
    values: dict[int, dict[Hashable, Hashable]] = {}
    for reviewer, items in by_reviewer.items():
        items.sort(key=lambda item: item[0])
        open_spans: list[tuple[tuple[int, int, int], int, Hashable]] = []
        next_item = 0
        # Only the tokens some span of this reviewer covers: walk them in order.
        token = 0
        while next_item < len(items) or open_spans:
            if not open_spans and next_item < len(items):
                token = max(token, items[next_item][0])
            while next_item < len(items) and items[next_item][0] <= token:
                first, last, key, label = items[next_item]
                heapq.heappush(open_spans, (key, last, label))
                next_item += 1
            while open_spans and open_spans[0][1] <= token:
                heapq.heappop(open_spans)
            if open_spans:
                values.setdefault(token, {})[reviewer] = open_spans[0][2]
                token += 1
    for reviewer in finished:
        for unit in values.values():
            unit.setdefault(reviewer, NOT_LABELLED)
    return [values[token] for token in sorted(values)]


def alpha_nominal(units: Iterable[Sequence[Hashable]]) -> float | None:
    """Krippendorff's nominal alpha, as ``agreement.krippendorff_alpha_nominal``,
    with units of the same values counted once and weighted: an article has
    tens of thousands of tokens but a handful of distinct value sets."""
    counts = Counter(tuple(sorted(unit, key=repr)) for unit in units)
    coincidences: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for values, times in counts.items():
        m = len(values)
        if m < 2:
            continue
        for i, a in enumerate(values):
            for j, b in enumerate(values):
                if i != j:
                    coincidences[(a, b)] += times / (m - 1)
    totals: defaultdict[Hashable, float] = defaultdict(float)
    for (a, _), weight in coincidences.items():
        totals[a] += weight
    n = sum(totals.values())
    expected_pairs = n * n - sum(t * t for t in totals.values())
    if n <= 1 or expected_pairs <= 1e-12:
        return None
    observed_off = sum(w for (a, b), w in coincidences.items() if a != b)
    return 1 - (n - 1) * observed_off / expected_pairs


def text_agreement(
    text: str,
    spans: Iterable[tuple[int, int, Hashable, Hashable]],
    finished: Collection[Hashable] = (),
) -> TextAgreement:
    """Every figure of the module docstring for ``text`` and its labelled ``spans``."""
    units = [unit for unit in token_values(tokens(text), spans, finished) if len(unit) >= 2]
    reviewers = {reviewer for unit in units for reviewer in unit}
    agreed = sum(len(set(unit.values())) == 1 for unit in units)
    if len(units) < MIN_TOKENS:
        return TextAgreement(
            tokens=len(units),
            reviewers=len(reviewers),
            agreed=agreed,
            percent=None,
            alpha=None,
            note=(
                "Not enough overlap: agreement on the text needs at least "
                f"{MIN_TOKENS} words labelled by two or more reviewers "
                "(a finished reviewer counts everywhere)."
            ),
        )
    alpha = alpha_nominal(list(unit.values()) for unit in units)
    return TextAgreement(
        tokens=len(units),
        reviewers=len(reviewers),
        agreed=agreed,
        percent=agreed / len(units),
        alpha=alpha,
        note=(
            ""
            if alpha is not None
            else "Alpha is undefined here: every reviewer gave every word the same value, "
            "so agreement by chance is certain."
        ),
    )
