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

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
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
    spans: Iterable[tuple[int, int, Hashable, str]],
    finished: Collection[Hashable] = (),
) -> list[dict[Hashable, str]]:
    """Each covered token's values, ``{reviewer: label}``, in reading order.

    ``spans`` are ``(start, end, reviewer, label)``, one per label; reviewers
    in ``finished`` have finished the article (the module docstring says what
    that changes). A finished reviewer without a single label still counts.
    """
    names, rows = _rows(text_tokens, spans, finished)
    units = []
    for row in rows:
        unit = {name: value for name, value in zip(names, row, strict=True) if value is not None}
        if unit:
            units.append(unit)
    return units


def _rows(
    text_tokens: Sequence[tuple[int, int]],
    spans: Iterable[tuple[int, int, Hashable, str]],
    finished: Collection[Hashable],
) -> tuple[list[Hashable], list[tuple[str | None, ...]]]:
    """Every reviewer, and each token's values in their order (``None``: no value).

    Tokens no span covers have no value, even from a finished reviewer.
    """
    columns = _columns(text_tokens, spans)
    names = list(columns)
    names += [reviewer for reviewer in finished if reviewer not in columns]
    table = [columns.get(name) or [None] * len(text_tokens) for name in names]
    rows = list(zip(*table, strict=True)) if table else []
    done = [name in finished for name in names]
    if not any(done):
        return names, rows
    return names, [
        tuple(NOT_LABELLED if value is None and done[i] else value for i, value in enumerate(row))
        if any(value is not None for value in row)
        else row
        for row in rows
    ]


def _columns(
    text_tokens: Sequence[tuple[int, int]], spans: Iterable[tuple[int, int, Hashable, str]]
) -> dict[Hashable, list[str | None]]:
    """Per reviewer, the label of their innermost span over each token (``None``: none).

    Each reviewer's spans are painted onto their column from the outermost to
    the innermost (the ``balance`` order, reversed), so on every token the
    innermost span covering it is painted last and wins: one slice per span.
    """
    starts = [start for start, _ in text_tokens]
    ends = [end for _, end in text_tokens]
    by_reviewer: defaultdict[Hashable, list[tuple[tuple[int, int, int], int, int, str]]] = (
        defaultdict(list)
    )
    for order, (start, end, reviewer, label) in enumerate(spans):
        # Tokens overlapping [start, end): those ending after start and starting before end.
        first = bisect_right(ends, start)
        last = bisect_left(starts, end)
        if first < last:
            by_reviewer[reviewer].append(((end - start, -start, -order), first, last, label))
    columns: dict[Hashable, list[str | None]] = {}
    for reviewer, items in by_reviewer.items():
        column: list[str | None] = [None] * len(text_tokens)
        items.sort(reverse=True)  # outermost first: longest, then earlier start, then given first
        for _, first, last, label in items:
            column[first:last] = [label] * (last - first)
        columns[reviewer] = column
    return columns


def alpha_nominal(units: Iterable[Sequence[str]]) -> float | None:
    """Krippendorff's nominal alpha, as ``agreement.krippendorff_alpha_nominal``."""
    return _alpha(Counter(tuple(sorted(unit)) for unit in units))


def _alpha(counts: Mapping[tuple[str, ...], int]) -> float | None:
    """Alpha from each distinct set of values and how many units have it: an article has
    thousands of words but a handful of distinct sets."""
    coincidences: defaultdict[tuple[str, str], float] = defaultdict(float)
    for values, times in counts.items():
        m = len(values)
        if m < 2:
            continue
        for i, a in enumerate(values):
            for j, b in enumerate(values):
                if i != j:
                    coincidences[(a, b)] += times / (m - 1)
    totals: defaultdict[str, float] = defaultdict(float)
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
    spans: Iterable[tuple[int, int, Hashable, str]],
    finished: Collection[Hashable] = (),
) -> TextAgreement:
    """Every figure of the module docstring for ``text`` and its labelled ``spans``.

    Tokens with the same values are counted together (``Counter`` over the
    rows), so the work per token is a tuple, not a Python loop.
    """
    names, rows = _rows(tokens(text), spans, finished)
    units = 0
    agreed = 0
    reviewers: set[Hashable] = set()
    sets: Counter[tuple[str, ...]] = Counter()
    for row, times in Counter(rows).items():
        values = tuple(sorted(value for value in row if value is not None))
        if len(values) < 2:
            continue
        units += times
        agreed += times if values[0] == values[-1] else 0
        reviewers.update(name for name, value in zip(names, row, strict=True) if value is not None)
        sets[values] += times
    if units < MIN_TOKENS:
        return TextAgreement(
            tokens=units,
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
    alpha = _alpha(sets)
    return TextAgreement(
        tokens=units,
        reviewers=len(reviewers),
        agreed=agreed,
        percent=agreed / units,
        alpha=alpha,
        note=(
            ""
            if alpha is not None
            else "Alpha is undefined here: every reviewer gave every word the same value, "
            "so agreement by chance is certain."
        ),
    )
