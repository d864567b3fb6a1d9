"""Cut article text into segments at every span boundary. Pure: no Django imports.

Spans may nest and overlap, so one ``<mark>`` per span cannot be rendered as
well-formed HTML. Instead the text is cut at every span start and end (and at
every paragraph edge); each resulting segment carries the ids of all spans
covering it, outermost first, so the innermost (shortest) span -- the one a
click picks -- is always the last.

One sweep over the sorted boundaries: O((spans + paragraphs) log spans).
"""

from __future__ import annotations

from bisect import bisect, bisect_left
from collections.abc import Iterable, Sequence
from typing import NamedTuple

SpanTuple = tuple[int, int, int]  # (id, start, end), code points, end exclusive


class Segment(NamedTuple):
    # A tuple, not a dataclass: a long article makes two for each of its spans per render.
    start: int
    end: int
    # Ids of the spans covering [start, end): outermost first, innermost last.
    spans: tuple[int, ...]


def split(ranges: Sequence[tuple[int, int]], spans: Iterable[SpanTuple]) -> list[list[Segment]]:
    """For each ``(start, end)`` in ``ranges`` (sorted, disjoint), its segments.

    Segments of one range are contiguous and concatenate to the whole range;
    text outside every range (the blank line between paragraphs) gets none.
    A span is clipped to the ranges it touches. Spans with ``start >= end``
    are ignored.
    """
    # Each span by its nesting key, (start - end, start, id): longer spans sort
    # first (outer); equal lengths by position, then id, so the order is total
    # and the same on every render. The key's last item is the span's id.
    starts: dict[int, list[tuple[int, int, int]]] = {}
    ends: dict[int, list[tuple[int, int, int]]] = {}
    points = set()
    for start, end in ranges:
        points.add(start)
        points.add(end)
    for span_id, start, end in spans:
        if start >= end:
            continue
        key = (start - end, start, span_id)
        starts.setdefault(start, []).append(key)
        ends.setdefault(end, []).append(key)
        points.add(start)
        points.add(end)

    out: list[list[Segment]] = [[] for _ in ranges]
    if not ranges:
        return out
    ordered_points = sorted(points)
    # The spans covering the current point, sorted outermost first: their keys,
    # and their ids in the same order (copied into each segment as is).
    active: list[tuple[int, int, int]] = []
    active_ids: list[int] = []
    covering: tuple[int, ...] = ()
    none: list[tuple[int, int, int]] = []
    # A long article makes thousands of segments per render: tuple.__new__ builds
    # each without the Python-level __new__ a NamedTuple call goes through.
    segment = tuple.__new__
    index = 0
    range_start, range_end = ranges[0]
    segments = out[0]
    for a, b in zip(ordered_points, ordered_points[1:], strict=False):
        ending = ends.get(a, none)
        starting = starts.get(a, none)
        if ending or starting:
            for key in ending:
                at = bisect_left(active, key)  # keys are unique: this is the span's
                del active[at]
                del active_ids[at]
            for key in starting:
                at = bisect(active, key)
                active.insert(at, key)
                active_ids.insert(at, key[2])
            covering = tuple(active_ids)
        while range_end <= a:
            index += 1
            if index == len(ranges):
                return out
            range_start, range_end = ranges[index]
            segments = out[index]
        if range_start <= a and b <= range_end:
            segments.append(segment(Segment, (a, b, covering)))
    return out


def touching(ranges: Sequence[tuple[int, int]], start: int, end: int) -> list[int]:
    """Indexes of the ranges that share at least one code point with ``start:end``."""
    return [i for i, (lo, hi) in enumerate(ranges) if lo < end and start < hi]
