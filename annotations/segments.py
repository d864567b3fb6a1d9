"""Cut article text into segments at every span boundary. Pure: no Django imports.

Spans may nest and overlap, so one ``<mark>`` per span cannot be rendered as
well-formed HTML. Instead the text is cut at every span start and end (and at
every paragraph edge); each resulting segment carries the ids of all spans
covering it, outermost first, so the innermost (shortest) span -- the one a
click picks -- is always the last.

One sweep over the sorted boundaries: O((spans + paragraphs) log spans).
"""

from __future__ import annotations

from bisect import bisect
from collections.abc import Iterable, Sequence
from typing import NamedTuple

SpanTuple = tuple[int, int, int]  # (id, start, end), code points, end exclusive


class Segment(NamedTuple):
    # A tuple, not a dataclass: a long article makes two for each of its spans per render.
    start: int
    end: int
    # Ids of the spans covering [start, end): outermost first, innermost last.
    spans: tuple[int, ...]


def _nesting_key(span: SpanTuple) -> tuple[int, int, int]:
    # Longer spans sort first (outer); equal lengths by position, then id, so
    # the order is total and the same on every render.
    span_id, start, end = span
    return (start - end, start, span_id)


def split(ranges: Sequence[tuple[int, int]], spans: Iterable[SpanTuple]) -> list[list[Segment]]:
    """For each ``(start, end)`` in ``ranges`` (sorted, disjoint), its segments.

    Segments of one range are contiguous and concatenate to the whole range;
    text outside every range (the blank line between paragraphs) gets none.
    A span is clipped to the ranges it touches. Spans with ``start >= end``
    are ignored.
    """
    starts: dict[int, list[SpanTuple]] = {}
    ends: dict[int, list[int]] = {}
    points = set()
    for start, end in ranges:
        points.add(start)
        points.add(end)
    for span in spans:
        span_id, start, end = span
        if start >= end:
            continue
        starts.setdefault(start, []).append(span)
        ends.setdefault(end, []).append(span_id)
        points.add(start)
        points.add(end)

    out: list[list[Segment]] = [[] for _ in ranges]
    if not ranges:
        return out
    ordered_points = sorted(points)
    # The spans covering the current point, sorted outermost first: their sort
    # keys, and their ids in the same order (copied into each segment as is).
    active: list[tuple[int, int, int]] = []
    active_ids: list[int] = []
    keys: dict[int, tuple[int, int, int]] = {}
    covering: tuple[int, ...] = ()
    index = 0
    range_start, range_end = ranges[0]
    for a, b in zip(ordered_points, ordered_points[1:], strict=False):
        changed = False
        for span_id in ends.get(a, ()):
            at = active.index(keys.pop(span_id))
            del active[at]
            del active_ids[at]
            changed = True
        for span in starts.get(a, ()):
            key = keys[span[0]] = _nesting_key(span)
            at = bisect(active, key)
            active.insert(at, key)
            active_ids.insert(at, span[0])
            changed = True
        if changed:
            covering = tuple(active_ids)
        while range_end <= a:
            index += 1
            if index == len(ranges):
                return out
            range_start, range_end = ranges[index]
        if range_start <= a and b <= range_end:
            out[index].append(Segment(a, b, covering))
    return out


def touching(ranges: Sequence[tuple[int, int]], start: int, end: int) -> list[int]:
    """Indexes of the ranges that share at least one code point with ``start:end``."""
    return [i for i, (lo, hi) in enumerate(ranges) if lo < end and start < hi]
