"""Consensus and balance figures. Pure: no Django imports.

Fed plain data (kinds as strings, spans as tuples), so the report, the
overview's cached figures (``annotations.figures``), the article page's
highlights and the CSV export all compute them the same way.

The rules, stated once (the report page and the README repeat them):

* **Consensus**: the kind more of the span's reviewers chose than any
  other; when two or more kinds tie at the top, the span is disputed. So one
  reviewer's label is the consensus, and a span nobody labelled has none and
  counts nowhere.
* **Denominator**: every code point of the canonical body, the blank line
  between paragraphs included (a span may cross a paragraph break and then
  covers it, so numerator and denominator count the same characters and the
  shares add up to 100%).
* **Overlaps**: each character belongs to at most one category. Where spans
  overlap, the innermost span owns the characters: the shortest one; between
  spans of equal length, the one starting later; between identical ranges
  (impossible in the database, which keeps one span per range), the one given
  last. The annotate page also picks the innermost span on a click.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from annotations.kinds import CATEGORIES, DISPUTED, KINDS


def consensus_of_counts(counts: Sequence[int]) -> str | None:
    """A span's consensus (the rule above) from how many reviewers chose each of ``KINDS``.

    ``None`` when nobody labelled it. Counts in the order of ``KINDS`` are
    what a SQL GROUP BY with one count per kind returns. The one definition:
    ``consensus`` counts and calls it, and ``annotations.csvsql`` restates it
    in SQL (a test holds the two to the same bytes).
    """
    best = max(counts)
    if best == 0:
        return None
    if counts.count(best) > 1:
        return DISPUTED
    return KINDS[counts.index(best)]


def consensus(kinds: Iterable[str]) -> str | None:
    """``consensus_of_counts`` of the kinds the span's reviewers chose, one each."""
    chosen = kinds if isinstance(kinds, list | tuple) else list(kinds)
    return consensus_of_counts([chosen.count(kind) for kind in KINDS])


@dataclass(frozen=True)
class Balance:
    """How many characters of an article each category owns.

    ``chars`` maps every category in ``CATEGORIES`` to the characters it owns
    (overlaps resolved, see the module docstring); ``spans`` to the number of
    spans whose consensus it is.
    """

    total: int
    chars: dict[str, int] = field(default_factory=dict)
    spans: dict[str, int] = field(default_factory=dict)

    @property
    def labelled(self) -> int:
        return sum(self.chars.values())

    @property
    def unlabelled(self) -> int:
        return self.total - self.labelled

    @property
    def span_count(self) -> int:
        return sum(self.spans.values())

    def share_of_labelled(self, category: str) -> float | None:
        """Share of the labelled text, 0..1; ``None`` when nothing is labelled.

        The one basis of a label's share (``annotations.verdict`` says why);
        the share of the whole article that is labelled is the coverage
        (``verdict.coverage``).
        """
        labelled = self.labelled
        return self.chars.get(category, 0) / labelled if labelled else None


def balance(total: int, spans: Iterable[tuple[int, int, str | None]]) -> Balance:
    """The balance of an article of ``total`` characters.

    ``spans`` are ``(start, end, category)`` with ``category`` a consensus
    (``None`` for a span without labels, which is ignored). Offsets beyond
    the text (which the database never holds) are clipped to it first. Spans
    are sorted, O(n log n), and each run of overlapping ones painted (``_sweep``).
    """
    chars = dict.fromkeys(CATEGORIES, 0)
    counts = dict.fromkeys(CATEGORIES, 0)
    # (start, end, category, input order) of the labelled spans, clipped to the text.
    items = []
    for order, (start, end, category) in enumerate(spans):
        if category is None:
            continue
        counts[category] += 1
        start, end = max(start, 0), min(end, total)
        if start < end:
            items.append((start, end, category, order))
    items.sort()
    # Spans that overlap nothing (most of them) own their whole range; only
    # runs of overlapping spans need the sweep.
    run: list[tuple[int, int, str, int]] = []
    run_end = -1
    for item in items:
        if item[0] >= run_end and run:
            _sweep(run, chars)
            run = []
        run.append(item)
        run_end = max(run_end, item[1])
    if run:
        _sweep(run, chars)
    return Balance(total=total, chars=chars, spans=counts)


# One byte per category for ``_sweep``'s painting; 0 is "no span".
# Paint a run while its spans cover each character this many times on average, at
# most; past that, the heap sweep (``_sweep_heap``) does less work.
PAINT_LIMIT = 16
_CODES = {category: bytes([n]) for n, category in enumerate(CATEGORIES, start=1)}


def _sweep(items: list[tuple[int, int, str, int]], chars: dict[str, int]) -> None:
    """Add to ``chars`` what each category owns in ``items`` (overlapping, sorted by start).

    Each span is painted over the run's characters from the outermost to the
    innermost (longest, then earlier start, then given first), so on every
    character the innermost span covering it is painted last and wins: one
    slice of bytes per span, however deeply they nest.
    """
    if len(items) == 1:
        start, end, category, _ = items[0]
        chars[category] += end - start
        return
    base = items[0][0]
    width = max(end for _, end, _, _ in items) - base
    if sum(end - start for start, end, _, _ in items) > PAINT_LIMIT * width:
        _sweep_heap(items, chars)  # deeply nested: painting would copy too much
        return
    painted = bytearray(width)
    for start, end, category, _ in sorted(items, key=lambda i: (i[0] - i[1], i[0], i[3])):
        painted[start - base : end - base] = _CODES[category] * (end - start)
    for category, code in _CODES.items():
        chars[category] += painted.count(code)


def _sweep_heap(items: list[tuple[int, int, str, int]], chars: dict[str, int]) -> None:
    """``_sweep`` for deep nests: over the span boundaries with a heap of the open
    spans, innermost first (shortest, then later start, then given last), O(n log n)."""
    boundaries = sorted({point for start, end, _, _ in items for point in (start, end)})
    # Spans that have ended are dropped lazily from the top.
    open_spans: list[tuple[int, int, int, int, str]] = []
    next_item = 0
    for here, there in zip(boundaries, boundaries[1:], strict=False):
        while next_item < len(items) and items[next_item][0] == here:
            start, end, category, order = items[next_item]
            heapq.heappush(open_spans, (end - start, -start, -order, end, category))
            next_item += 1
        while open_spans and open_spans[0][3] <= here:
            heapq.heappop(open_spans)
        if open_spans:
            chars[open_spans[0][4]] += there - here
