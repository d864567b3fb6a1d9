"""The difference between two canonical bodies, as a map from old offsets to new ones.

Pure: no Django imports. The rules:

* **The diff.** Bodies are compared line by line first (a paragraph is a
  line), with difflib; the blank lines between paragraphs travel with the
  line after them, so they never anchor a match. Replaced lines found
  unchanged on the other side were moved: they stay whole deletions and
  insertions, never compared with what took their place. The remaining
  replaced lines are compared character by character by diff-match-patch,
  with its *semantic cleanup*, which drops the one- or two-letter matches
  any two unrelated sentences share. Finally a small change never begins
  or ends inside a word: the rest of the word joins it ("recieved" fixed to
  "received" is one word replaced, not "ie" by "ei"). What the diff calls
  unchanged is text the edit kept; everything else is a *hunk*: old text
  replaced by new text (either side may be empty).
* **Bounded cost.** The character diff stops refining after
  ``DIFF_TIMEOUT`` seconds. Its result is still a correct diff, only
  coarser (more text counted as replaced), so nothing is misplaced because
  of it: more spans go to the search, and some more are orphaned.
* **Mapping an edge.** The first character of a span maps to its new
  position when the diff kept it; text inserted right before a span stays
  outside it, and so does text inserted right after. A character inside a
  small hunk (up to ``REDIFF_MAX`` characters: a few nearby edits the
  cleanup merged) is looked up in a plain character diff of that hunk; an
  edge at the start or end of a word must land at one there too (a plain
  diff of "Schools" and "Schoosl" keeps the final "s"). Failing that, a
  hunk that begins at a span's first character (or ends at its last) lies
  inside the span: its new text becomes part of the span. Otherwise the
  hunk crosses the edge: the span keeps what survives of its own, up to the
  last (or from the first) of its characters that the plain diff of a
  small hunk keeps; failing that, the edge is *snapped* to the end of the
  hunk on the span's side, the replacing text left out. An edge found
  either way that falls inside a word moves to whichever end of the word
  leaves the word wholly in the span if most of it was, and wholly out
  otherwise (which paragraph a full stop between two paragraphs' edits
  belongs to is the diff's arbitrary choice).
* **Slides.** An insertion next to identical text could have been made at
  several places with the same result: "the " inserted before "the
  ministry" may sit before or after the first "the". The diff picks one;
  where other places are as natural a boundary (diff-match-patch's scale:
  blank line, line break, end of sentence, space, punctuation), a span edge
  whose side of the insertion depends on the pick is *ambiguous*, and a
  span with an ambiguous edge is never placed.
  (A deletion next to identical text leaves the same text at the same
  places whichever copy went; the diff puts it on the most natural
  boundary, and the context test in ``reanchoring`` refuses a span whose
  copy has other words around it.)
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from diff_match_patch import diff_match_patch

DIFF_TIMEOUT = 0.5  # seconds: a safety net for pathological input only
# A hunk is re-diffed to map an edge inside it only up to this size: a
# longer one is a rewrite or a move, not a pair of merged small edits.
REDIFF_MAX = 64

EQUAL, DELETE, INSERT = 0, -1, 1
PARAGRAPH_BREAK = "\n\n"
Op = tuple[int, str]


def differ() -> diff_match_patch:
    """A diff-match-patch engine with this module's time limit."""
    engine = diff_match_patch()
    engine.Diff_Timeout = DIFF_TIMEOUT
    return engine


def plain_ops(old: str, new: str) -> list[Op]:
    """A plain (minimal) character diff: ``(op, text)`` pairs, ``op`` in EQUAL, DELETE, INSERT."""
    return cast(list[Op], differ().diff_main(old, new, False))


def semantic_ops(old: str, new: str) -> list[Op]:
    """A character diff after diff-match-patch's semantic cleanup."""
    engine = differ()
    ops = engine.diff_main(old, new, False)
    engine.diff_cleanupSemantic(ops)
    return cast(list[Op], ops)


def diff_ops(old: str, new: str) -> list[Op]:
    """The diff of two bodies (see "The diff" in the module docstring)."""
    # Both end in a line break while lines are compared, so the last
    # paragraph is a line like the others (and moves like one).
    old_keys, old_texts, old_tail = _lines(old + "\n")
    new_keys, new_texts, new_tail = _lines(new + "\n")
    in_old, in_new = set(old_keys), set(new_keys)
    ops: list[Op] = []
    deleted: list[tuple[str, str]] = []
    inserted: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, o1, o2, n1, n2 in matcher.get_opcodes():
        if tag != "equal":
            deleted += zip(old_keys[o1:o2], old_texts[o1:o2], strict=True)
            inserted += zip(new_keys[n1:n2], new_texts[n1:n2], strict=True)
            continue
        for op, text in _replaced(deleted, inserted, in_new, in_old):
            _append(ops, op, text)
        deleted, inserted = [], []
        for key, a, b in zip(old_keys[o1:o2], old_texts[o1:o2], new_texts[n1:n2], strict=True):
            if a != b:
                # The same line after other blank lines (a line break made
                # a paragraph break, or the reverse).
                _append(ops, DELETE, a[: len(a) - len(key)])
                _append(ops, INSERT, b[: len(b) - len(key)])
            _append(ops, EQUAL, key if a != b else a)
    for op, text in _replaced(
        deleted + [("", old_tail)], inserted + [("", new_tail)], in_new, in_old
    ):
        _append(ops, op, text)
    return whole_words(_without_final_newline(ops))


def _lines(text: str) -> tuple[list[str], list[str], str]:
    """Each non-blank line, and the same with the blank lines before it; then what is left.

    Blank lines are everywhere (between every two paragraphs): they must not
    anchor the line diff, so they travel with the line after them.
    """
    keys: list[str] = []
    texts: list[str] = []
    blank = ""
    for line in text.splitlines(keepends=True):
        if line.strip():
            keys.append(line)
            texts.append(blank + line)
            blank = ""
        else:
            blank += line
    return keys, texts, blank


def _without_final_newline(ops: list[Op]) -> list[Op]:
    """Take the line break added for the line diff off the end of each side."""
    for side, other in ((DELETE, INSERT), (INSERT, DELETE)):
        for i in range(len(ops) - 1, -1, -1):
            op, text = ops[i]
            if op == side:
                ops[i] = (op, text[:-1])
                break
            if op == EQUAL:
                # Kept on both sides: take it off this side only.
                ops[i : i + 1] = [(EQUAL, text[:-1]), (other, text[-1])]
                break
    result: list[Op] = []
    for op, text in ops:
        _append(result, op, text)
    return result


def _replaced(
    deleted: list[tuple[str, str]],
    inserted: list[tuple[str, str]],
    in_new: set[str],
    in_old: set[str],
) -> list[Op]:
    """The diff of replaced lines: moved ones stay whole, the others are diffed by character.

    A line found unchanged on the other side moved there: comparing it with
    whatever replaced it here would only find coincidences, at great cost.
    Lines are ``(line, text)``: the text has the blank lines before the line.
    """
    old_rest = "".join(text for key, text in deleted if key not in in_new)
    new_rest = "".join(text for key, text in inserted if key not in in_old)
    inner = semantic_ops(old_rest, new_rest) if old_rest and new_rest else []
    if not inner:
        inner = [(DELETE, old_rest), (INSERT, new_rest)]
    # Put the moved lines back where they were: a deletion when the old side
    # reaches one, an insertion when the new side does.
    moved_out = _positions(deleted, in_new)
    moved_in = _positions(inserted, in_old)
    result: list[Op] = []
    o = n = 0
    for op, text in inner:
        while text:
            if op != INSERT and moved_out and moved_out[0][0] == o:
                _append(result, DELETE, moved_out.pop(0)[1])
                continue
            if op != DELETE and moved_in and moved_in[0][0] == n:
                _append(result, INSERT, moved_in.pop(0)[1])
                continue
            take = len(text)
            if op != INSERT and moved_out:
                take = min(take, moved_out[0][0] - o)
            if op != DELETE and moved_in:
                take = min(take, moved_in[0][0] - n)
            _append(result, op, text[:take])
            o += take if op != INSERT else 0
            n += take if op != DELETE else 0
            text = text[take:]
    for _, text in moved_out:
        _append(result, DELETE, text)
    for _, text in moved_in:
        _append(result, INSERT, text)
    return result


def _positions(lines: list[tuple[str, str]], moved: set[str]) -> list[tuple[int, str]]:
    """Each moved line's text with its offset among the lines that did not move."""
    found = []
    at = 0
    for key, text in lines:
        if key in moved:
            found.append((at, text))
        else:
            at += len(text)
    return found


def whole_words(ops: Sequence[Op]) -> list[Op]:
    """The same diff with no kept stretch ending or starting inside a word a small change is in.

    "recieved" fixed to "received" keeps "rec" and "ved"; "300,000" updated
    to "350,000" keeps "3" and "0,000". The part of a word next to a change
    of at most ``REDIFF_MAX`` characters joins it, so such changes are whole
    words. A bigger change (a paragraph deleted right after a quote mark
    was made curly) draws nothing in: the words next to it are kept text.
    """
    # Kept text and changes, alternating: ("=", kept, "") or ("~", deleted, inserted).
    items: list[list[str]] = []
    for op, text in ops:
        if op == EQUAL:
            items.append(["=", text, ""])
        else:
            if not items or items[-1][0] != "~":
                items.append(["~", "", ""])
            items[-1][1 if op == DELETE else 2] += text
    for i, item in enumerate(items):
        if item[0] != "~" or max(len(item[1]), len(item[2])) > REDIFF_MAX:
            continue
        if i > 0:  # kept text before the change
            kept = items[i - 1][1]
            after = (item[1][:1] or _edge(items, i + 1, 0)) + (
                item[2][:1] or _edge(items, i + 1, 0)
            )
            word = _TRAILING_WORD.search(kept)
            if word and not after.isspace():
                items[i - 1][1] = kept[: word.start()]
                item[1], item[2] = word.group() + item[1], word.group() + item[2]
        if i + 1 < len(items):  # kept text after the change
            kept = items[i + 1][1]
            before = (item[1][-1:] or _edge(items, i - 1, -1)) + (
                item[2][-1:] or _edge(items, i - 1, -1)
            )
            word = _LEADING_WORD.match(kept)
            if word and not before.isspace():
                items[i + 1][1] = kept[word.end() :]
                item[1], item[2] = item[1] + word.group(), item[2] + word.group()
    result: list[Op] = []
    for kind, first, second in items:
        if kind == "=":
            _append(result, EQUAL, first)
        else:
            _append(result, DELETE, first)
            _append(result, INSERT, second)
    return result


_TRAILING_WORD = re.compile(r"\S+\Z")
_LEADING_WORD = re.compile(r"\S+")


def _edge(items: list[list[str]], i: int, at: int) -> str:
    """The first (``at=0``) or last (``at=-1``) character of kept item ``i``; a space if none."""
    if 0 <= i < len(items) and items[i][0] == "=" and items[i][1]:
        return items[i][1][at]
    return " "


def _append(ops: list[Op], op: int, text: str) -> None:
    """Add to a diff, merging with the last operation and keeping deletions before insertions."""
    if not text:
        return
    if ops and ops[-1][0] == op:
        ops[-1] = (op, ops[-1][1] + text)
    elif op == DELETE and ops and ops[-1][0] == INSERT:
        if len(ops) > 1 and ops[-2][0] == DELETE:
            ops[-2] = (DELETE, ops[-2][1] + text)
        else:
            ops.insert(len(ops) - 1, (op, text))
    else:
        ops.append((op, text))


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
        """Where the span beginning at ``old[start]`` now begins (see the module docstring)."""
        if self._ambiguous(self._start_slides, start):
            return AMBIGUOUS
        block = self.block_at(start)
        if block is not None:
            return Edge(block.new_start + start - block.old_start)
        hunk = self.hunk_at(start)
        kept = self._through_hunk(hunk, start)
        if kept is not None and (not _at_boundary(self.old, start) or _at_boundary(self.new, kept)):
            return Edge(kept)
        if hunk.old_start == start:
            return Edge(hunk.new_start)  # replaced from the span's first character: inside
        kept = self._nearest_kept(hunk, range(start + 1, hunk.old_end))
        if kept is not None:  # the first character of its own the hunk keeps
            return Edge(kept if _at_boundary(self.new, kept) else _word_edge(self.new, kept, True))
        return Edge(_word_edge(self.new, hunk.new_end, is_start=True), snapped=True)

    def map_end(self, end: int) -> Edge:
        """Where the span ending before ``old[end]`` now ends (exclusive)."""
        if self._ambiguous(self._end_slides, end):
            return AMBIGUOUS
        last = end - 1
        block = self.block_at(last)
        if block is not None:
            return Edge(block.new_start + last - block.old_start + 1)
        hunk = self.hunk_at(last)
        kept = self._through_hunk(hunk, last)
        if kept is not None and (
            not _at_boundary(self.old, end) or _at_boundary(self.new, kept + 1)
        ):
            return Edge(kept + 1)
        if hunk.old_end == end:
            return Edge(hunk.new_end)  # replaced up to the span's last character: inside
        kept = self._nearest_kept(hunk, range(last - 1, hunk.old_start - 1, -1))
        if kept is not None:  # the last character of its own the hunk keeps
            edge = kept + 1
            return Edge(edge if _at_boundary(self.new, edge) else _word_edge(self.new, edge, False))
        return Edge(_word_edge(self.new, hunk.new_start, is_start=False), snapped=True)

    def _nearest_kept(self, hunk: Hunk, positions: range) -> int | None:
        """The new position of the first of ``positions`` a small hunk's plain diff keeps."""
        self._through_hunk(hunk, hunk.old_start)  # computes the re-diff, if small enough
        if self._rediffs[hunk] is None:
            return None
        for pos in positions:
            kept = self._through_hunk(hunk, pos)
            if kept is not None:
                return kept
        return None

    def _through_hunk(self, hunk: Hunk, pos: int) -> int | None:
        """Where a plain character diff of a small hunk puts ``old[pos]``, if it keeps it."""
        if hunk not in self._rediffs:
            old_text = self.old[hunk.old_start : hunk.old_end]
            new_text = self.new[hunk.new_start : hunk.new_end]
            small = len(new_text) > 0 and max(len(old_text), len(new_text)) <= REDIFF_MAX
            self._rediffs[hunk] = plain_ops(old_text, new_text) if small else None
        o = n = 0
        target = pos - hunk.old_start
        for op, text in self._rediffs[hunk] or ():
            if op == EQUAL:
                if o <= target < o + len(text):
                    return hunk.new_start + n + target - o
                o += len(text)
                n += len(text)
            elif op == DELETE:
                o += len(text)
            else:
                n += len(text)
        return None

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
            if h.old_start == h.old_end:  # an insertion at x of new[c:d]
                x, c, d = h.old_start, h.new_start, h.new_end
                left = _common_suffix(self.new, c, d)
                right = _common_prefix(self.new, c, d)
                if not left + right:
                    continue
                # The insertion could sit at any x + k, -left <= k <= right; only
                # those on boundaries as natural as the best count.
                scores = {
                    k: _boundary_score(self.new, c + k) + _boundary_score(self.new, d + k)
                    for k in range(-left, right + 1)
                }
                best = max(scores.values())
                places = [x + k for k, score in scores.items() if score == best]
                lo, hi = min(places), max(places)
                if lo < hi:
                    # A start s is ambiguous if the insertion could fall before or
                    # after it (at w <= s, or w > s); an end e alike (w >= e, or w < e).
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


_WORD = re.compile(r"\w+(?:[.,:'’-]\w+)*")


def _at_boundary(text: str, at: int) -> bool:
    """False inside a word: letters and digits, joined by . , : ' ’ or - ("2.1", "don't")."""
    window = _WORD.finditer(text, max(0, at - 64), min(len(text), at + 64))
    return not any(m.start() < at < m.end() for m in window)


_SENTENCE_END = frozenset('.!?…:;"”’)»')


def _boundary_score(text: str, at: int) -> int:
    """How natural a place ``at`` is for an edit to begin or end.

    diff-match-patch's own scale (its semantic-lossless cleanup): 6 at either
    end of the text, 5 at a blank line, 4 at a line break, 3 at the end of a
    sentence, 2 at a space, 1 next to punctuation, 0 inside a word -- except
    that only sentence punctuation ends a sentence (to diff-match-patch any
    symbol before a space does, an emoji included).
    """
    if at <= 0 or at >= len(text):
        return 6
    one, two = text[at - 1], text[at]
    space1, space2 = one.isspace(), two.isspace()
    if text.endswith("\n\n", 0, at) or text.startswith("\n\n", at):
        return 5
    if one == "\n" or two == "\n":
        return 4
    if one in _SENTENCE_END and space2:
        return 3
    if space1 or space2:
        return 2
    if not one.isalnum() or not two.isalnum():
        return 1
    return 0


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


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint half-open ranges covering the same positions."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged
