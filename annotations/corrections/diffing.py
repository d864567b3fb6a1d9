"""The difference between two canonical bodies, as a map from old offsets to new ones.

Pure: no Django imports. The rules:

* **The diff.** Bodies are compared with diff-match-patch: paragraph by
  paragraph first, then each changed paragraph character by character,
  then its *semantic cleanup*, which drops the one- or two-letter matches
  any two unrelated sentences share. What the diff calls unchanged is text
  the edit kept; everything else is a *hunk*: old text replaced by new text
  (either side may be empty).
* **Bounded cost.** The character diff stops refining after
  ``DIFF_TIMEOUT`` seconds. Its result is still a correct diff, only coarser
  (more text counted as replaced), so nothing is misplaced because of it:
  more spans go to the search, and some more are orphaned.
* **Mapping an edge.** The first character of a span maps to its new
  position when the diff kept it. Text inserted right before a span stays
  outside it, and so does text inserted right after. A hunk that begins at
  a span's first character (or ends at its last) lies inside the span: its
  new text becomes part of the span. An edge whose character sits inside a
  hunk that crosses the edge is mapped through a plain character diff of
  that hunk (up to ``REDIFF_MAX`` characters: two small edits the cleanup
  merged); if that does not keep the character either, the edge is
  *snapped* to the end of the hunk on the span's side: the replacing text
  is left out and the span keeps what survives of its own. A snapped edge
  that falls inside a word moves to whichever end of the word leaves the
  word wholly in the span if most of it was, and wholly out otherwise
  (which paragraph a full stop between two paragraphs' edits belongs to is
  the diff's arbitrary choice).
* **Slides.** An insertion or deletion next to identical text could have
  been made at several places with the same result: deleting one of two
  identical paragraphs, or inserting a word next to the same word. The diff
  picks one place; a span edge whose fate depends on which place was meant
  is *ambiguous*, and a span with an ambiguous edge is never placed.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from diff_match_patch import diff_match_patch  # type: ignore[import-untyped]

DIFF_TIMEOUT = 0.5  # seconds: a safety net for pathological input only
# A hunk is re-diffed to map an edge inside it only up to this size: a
# longer one is a rewrite or a move, not a pair of merged small edits.
REDIFF_MAX = 400

EQUAL, DELETE, INSERT = 0, -1, 1
Op = tuple[int, str]


def diff_ops(old: str, new: str, *, cleanup: bool = True) -> list[Op]:
    """diff-match-patch's operations turning ``old`` into ``new``: ``(op, text)`` pairs.

    With ``cleanup``, paragraphs are compared first and the result is cleaned
    semantically; without, it is a plain (minimal) character diff.
    """
    engine = diff_match_patch()
    engine.Diff_Timeout = DIFF_TIMEOUT
    ops = cast(list[Op], engine.diff_main(old, new, cleanup))
    if cleanup:
        engine.diff_cleanupSemantic(ops)
    return ops


@dataclass(frozen=True)
class Block:
    """A stretch the diff kept: ``old[old_start:old_start + length]`` is at ``new_start``."""

    old_start: int
    new_start: int
    length: int

    @property
    def old_end(self) -> int:
        return self.old_start + self.length

    @property
    def new_end(self) -> int:
        return self.new_start + self.length


@dataclass(frozen=True)
class Hunk:
    """``old[old_start:old_end]`` replaced by ``new[new_start:new_end]`` (either may be empty)."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int


@dataclass(frozen=True)
class Edge:
    """Where a span edge went: ``position`` in the new body, or None when ambiguous."""

    position: int | None
    ambiguous: bool = False
    snapped: bool = False


AMBIGUOUS = Edge(None, ambiguous=True)


class DiffMap:
    """The diff of ``old`` and ``new`` as blocks and hunks, with offset mapping."""

    def __init__(self, old: str, new: str, ops: Sequence[Op] | None = None) -> None:
        self.old = old
        self.new = new
        self.blocks: list[Block] = []
        o = n = 0
        for op, text in diff_ops(old, new) if ops is None else ops:
            if op == EQUAL:
                if text:
                    self.blocks.append(Block(o, n, len(text)))
                o += len(text)
                n += len(text)
            elif op == DELETE:
                o += len(text)
            else:
                n += len(text)
        if (o, n) != (len(old), len(new)):
            raise ValueError("the diff does not turn the old body into the new one")
        self._old_starts = [b.old_start for b in self.blocks]
        self._new_starts = [b.new_start for b in self.blocks]
        self.hunks = self._hunks()
        self._start_slides, self._end_slides = self._slides()
        self._rediffs: dict[Hunk, list[Op] | None] = {}

    # --- Where an old character is ------------------------------------------

    def block_at(self, old_pos: int) -> Block | None:
        """The kept block holding ``old[old_pos]``, if the diff kept that character."""
        i = bisect.bisect_right(self._old_starts, old_pos) - 1
        if i >= 0 and old_pos < self.blocks[i].old_end:
            return self.blocks[i]
        return None

    def hunk_at(self, old_pos: int) -> Hunk:
        """The hunk holding ``old[old_pos]`` (call only when ``block_at`` is None)."""
        i = bisect.bisect_right(self._old_starts, old_pos)
        before = self.blocks[i - 1] if i > 0 else None
        after = self.blocks[i] if i < len(self.blocks) else None
        return Hunk(
            before.old_end if before else 0,
            after.old_start if after else len(self.old),
            before.new_end if before else 0,
            after.new_start if after else len(self.new),
        )

    def new_block_at(self, new_pos: int) -> Block | None:
        """The kept block holding ``new[new_pos]``, if that character is kept old text."""
        i = bisect.bisect_right(self._new_starts, new_pos) - 1
        if i >= 0 and new_pos < self.blocks[i].new_end:
            return self.blocks[i]
        return None

    def kept_window(self, start: int, end: int) -> Block | None:
        """The one kept block holding all of ``old[start:end]``, if there is one."""
        block = self.block_at(start)
        if block is not None and end <= block.old_end:
            return block
        return None

    # --- Mapping span edges ---------------------------------------------------

    def map_start(self, start: int) -> Edge:
        """Where the span ``old[start:end]`` now begins (see the module docstring)."""
        if self._ambiguous(self._start_slides, start):
            return AMBIGUOUS
        block = self.block_at(start)
        if block is not None:
            return Edge(block.new_start + start - block.old_start)
        hunk = self.hunk_at(start)
        if hunk.old_start == start:
            return Edge(hunk.new_start)  # replaced from the span's first character: inside
        return self._through_hunk(hunk, start, is_start=True)

    def map_end(self, end: int) -> Edge:
        """Where the span ``old[start:end]`` now ends (exclusive)."""
        if self._ambiguous(self._end_slides, end):
            return AMBIGUOUS
        last = end - 1
        block = self.block_at(last)
        if block is not None:
            return Edge(block.new_start + last - block.old_start + 1)
        hunk = self.hunk_at(last)
        if hunk.old_end == end:
            return Edge(hunk.new_end)  # replaced up to the span's last character: inside
        return self._through_hunk(hunk, last, is_start=False)

    def _through_hunk(self, hunk: Hunk, pos: int, *, is_start: bool) -> Edge:
        """Map ``old[pos]`` through a plain character diff of the hunk that holds it."""
        if hunk not in self._rediffs:
            old_text = self.old[hunk.old_start : hunk.old_end]
            new_text = self.new[hunk.new_start : hunk.new_end]
            small = 0 < len(new_text) and max(len(old_text), len(new_text)) <= REDIFF_MAX
            self._rediffs[hunk] = diff_ops(old_text, new_text, cleanup=False) if small else None
        ops = self._rediffs[hunk]
        # Left out: the span starts after the hunk, or ends before it.
        lost = Edge(
            _word_edge(self.new, hunk.new_end if is_start else hunk.new_start, is_start),
            snapped=True,
        )
        if ops is None:
            return lost
        o = n = 0
        target = pos - hunk.old_start
        for op, text in ops:
            if op == EQUAL:
                if o <= target < o + len(text):
                    mapped = hunk.new_start + n + target - o
                    return Edge(mapped if is_start else mapped + 1)
                o += len(text)
                n += len(text)
            elif op == DELETE:
                o += len(text)
            else:
                n += len(text)
        return lost

    # --- Slides ----------------------------------------------------------------

    def _hunks(self) -> list[Hunk]:
        hunks = []
        o = n = 0
        for block in [*self.blocks, Block(len(self.old), len(self.new), 0)]:
            if block.old_start > o or block.new_start > n:
                hunks.append(Hunk(o, block.old_start, n, block.new_start))
            o, n = block.old_end, block.new_end
        return hunks

    def _slides(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Ranges of span starts, and of span ends, that a slide makes ambiguous."""
        starts: list[tuple[int, int]] = []
        ends: list[tuple[int, int]] = []
        for h in self.hunks:
            if h.old_start == h.old_end:  # insertion at x of new[c:d]
                x, c, d = h.old_start, h.new_start, h.new_end
                left = _common_suffix(self.new, c, d)
                right = _common_prefix(self.new, c, d)
                if left + right:
                    # The insertion could sit anywhere in x-left..x+right: a start s
                    # is ambiguous if it could fall before or after s, an end alike.
                    starts.append((x - left, x + right))
                    ends.append((x - left + 1, x + right + 1))
            elif h.new_start == h.new_end:  # deletion of old[a:b]
                a, b = h.old_start, h.old_end
                left = _common_suffix(self.old, a, b)
                right = _common_prefix(self.old, a, b)
                if left + right:
                    # Characters deleted by some placements of the deletion and kept by others.
                    for lo, hi in _difference((a - left, b + right), (a + right, b - left)):
                        starts.append((lo, hi))
                        ends.append((lo + 1, hi + 1))
        return _merge(starts), _merge(ends)

    @staticmethod
    def _ambiguous(ranges: list[tuple[int, int]], pos: int) -> bool:
        i = bisect.bisect_right(ranges, (pos, 2**62)) - 1
        return i >= 0 and pos < ranges[i][1]


def _word_edge(text: str, pos: int, is_start: bool) -> int:
    """``pos`` moved out of the word it falls in (see "snapped" in the module docstring)."""
    if pos <= 0 or pos >= len(text) or text[pos - 1].isspace() or text[pos].isspace():
        return pos
    word_start = pos
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word_end = pos
    while word_end < len(text) and not text[word_end].isspace():
        word_end += 1
    inside = word_end - pos if is_start else pos - word_start
    outside = pos - word_start if is_start else word_end - pos
    if inside > outside:
        return word_start if is_start else word_end
    return word_end if is_start else word_start


def _common_suffix(text: str, a: int, b: int) -> int:
    """How far ``text[..a]`` and ``text[..b]`` agree, counting back from ``a`` and ``b``."""
    k = 0
    while a - k > 0 and text[a - k - 1] == text[b - k - 1]:
        k += 1
    return k


def _common_prefix(text: str, a: int, b: int) -> int:
    """How far ``text[a..]`` and ``text[b..]`` agree, counting on from ``a`` and ``b``."""
    k = 0
    while b + k < len(text) and text[a + k] == text[b + k]:
        k += 1
    return k


def _difference(outer: tuple[int, int], inner: tuple[int, int]) -> list[tuple[int, int]]:
    """``outer`` minus ``inner``, as up to two half-open ranges."""
    lo, hi = outer
    ilo, ihi = inner
    if ilo >= ihi:
        return [outer]
    return [r for r in ((lo, min(ilo, hi)), (max(ihi, lo), hi)) if r[0] < r[1]]


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint half-open ranges covering the same positions."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged
