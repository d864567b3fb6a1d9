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
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from annotations.agreement import alpha_of_counts

NOT_LABELLED = "not labelled"
MIN_TOKENS = 2

_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each token of ``text``, in code points."""
    return [match.span() for match in _TOKEN.finditer(text)]


@lru_cache(maxsize=8)
def _bounds(text: str) -> tuple[list[int], list[int]]:
    """The starts and the ends of the tokens of ``text``: a report is read again and again
    while its article's body stays the same, and splitting 60 kB into words takes
    milliseconds."""
    found = tokens(text)
    return [start for start, _ in found], [end for _, end in found]


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
    names, rows = _rows(
        ([start for start, _ in text_tokens], [end for _, end in text_tokens]),
        _one_each(spans),
        finished,
    )
    units = []
    for row in rows:
        unit = {name: value for name, value in zip(names, row, strict=True) if value is not None}
        if unit:
            units.append(unit)
    return units


# A labelled span and who chose what on it: ``(start, end, ((reviewer, label), ...))``.
Group = tuple[int, int, Sequence[tuple[Hashable, str]]]


def _one_each(spans: Iterable[tuple[int, int, Hashable, str]]) -> Iterator[Group]:
    """``(start, end, reviewer, label)`` rows as groups of one label each."""
    for start, end, reviewer, label in spans:
        yield start, end, ((reviewer, label),)


def _rows(
    bounds: tuple[list[int], list[int]],
    spans: Iterable[Group],
    finished: Collection[Hashable],
) -> tuple[list[Hashable], list[tuple[str | None, ...]]]:
    """Every reviewer, and each token's values in their order (``None``: no value).

    Tokens no span covers have no value, even from a finished reviewer.
    """
    painted = _paint(bounds, spans, finished)
    return painted.names, [painted.values(row) for row in zip(*painted.columns, strict=True)]


@dataclass(frozen=True)
class _Painted:
    """Each reviewer's column of label codes, one per token (0: no span of theirs)."""

    names: list[Hashable]  # the reviewers, in the order first given, then the finished
    columns: list[array[int]]
    labels: list[str | None]  # by code: 0 is None
    done: list[bool]  # by reviewer: finished

    def values(self, row: tuple[int, ...]) -> tuple[str | None, ...]:
        """A token's values (a row of codes): ``NOT_LABELLED`` from a finished reviewer
        without a span there, when anyone has one."""
        labels = self.labels
        if any(row) and any(self.done):
            return tuple(
                NOT_LABELLED if not code and done else labels[code]
                for code, done in zip(row, self.done, strict=True)
            )
        return tuple(labels[code] for code in row)


def _paint(
    bounds: tuple[list[int], list[int]], spans: Iterable[Group], finished: Collection[Hashable]
) -> _Painted:
    """Per reviewer, the label of their innermost span over each token, as codes.

    The spans are painted onto their reviewers' columns from the outermost to
    the innermost (the ``balance`` order, reversed), so on every token the
    innermost span covering it is painted last and wins: one slice per label,
    an array of machine integers (a memset, not a list of objects). A span's
    tokens are found once for all its labels.
    """
    starts, ends = bounds
    size = len(starts)
    codes: dict[str, array[int]] = {}
    labels: list[str | None] = [None]
    columns: dict[Hashable, array[int]] = {}
    items: list[tuple[int, int, int, int, int, Sequence[tuple[Hashable, str]]]] = []
    for order, (start, end, chosen) in enumerate(spans):
        # Tokens overlapping [start, end): those ending after start and starting before end.
        first = bisect_right(ends, start)
        last = bisect_left(starts, end)
        if first < last:
            items.append((end - start, -start, -order, first, last, chosen))
            for reviewer, label in chosen:
                if reviewer not in columns:  # in the order reviewers are first given
                    columns[reviewer] = array("I", bytes(4 * size))
                if label not in codes:
                    codes[label] = array("I", [len(labels)])
                    labels.append(label)
    # Outermost first: longest, then earlier start, then given first (order is unique).
    items.sort(reverse=True)
    for _, _, _, first, last, chosen in items:
        for reviewer, label in chosen:
            columns[reviewer][first:last] = codes[label] * (last - first)
    names = list(columns)
    names += [reviewer for reviewer in finished if reviewer not in columns]
    empty = array("I", bytes(4 * size))
    return _Painted(
        names,
        [columns.get(name, empty) for name in names],
        labels,
        [name in finished for name in names],
    )


def alpha_nominal(units: Iterable[Sequence[str]]) -> float | None:
    """Krippendorff's nominal alpha, as ``agreement.krippendorff_alpha_nominal``."""
    return _alpha(Counter(tuple(sorted(unit)) for unit in units))


def _alpha(counts: Mapping[tuple[str, ...], int]) -> float | None:
    """Alpha from each distinct set of values and how many units have it."""
    return alpha_of_counts(counts.items())


def text_agreement(
    text: str,
    spans: Iterable[tuple[int, int, Hashable, str]],
    finished: Collection[Hashable] = (),
) -> TextAgreement:
    """Every figure of the module docstring for ``text`` and its labelled ``spans``."""
    return text_agreement_of_groups(text, _one_each(spans), finished)


def text_agreement_of_groups(
    text: str, spans: Iterable[Group], finished: Collection[Hashable] = ()
) -> TextAgreement:
    """``text_agreement`` of spans given with every label on each,
    ``(start, end, ((reviewer, label), ...))``: the report's rows, one per span.

    Tokens with the same values are counted together (``Counter`` over the
    rows of codes), so the work per token is a tuple, not a Python loop.
    """
    painted = _paint(_bounds(text), spans, finished)
    names = painted.names
    units = 0
    agreed = 0
    reviewers: set[Hashable] = set()
    sets: Counter[tuple[str, ...]] = Counter()
    # Rows of codes are counted in C; only each distinct row is read in Python.
    for codes, times in Counter(zip(*painted.columns, strict=True)).items():
        row = painted.values(codes)
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
