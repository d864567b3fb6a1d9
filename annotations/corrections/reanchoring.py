"""Moving spans to where their text now is after an article's body is corrected.

Pure: no Django imports. ``reanchor(old, new, spans)`` takes both canonical
bodies and each span's offsets, quote, prefix and suffix (as
``annotations.text.anchor`` stored them) and returns where each span now is,
or why it has no place any more. The rules, each stated once:

1. **The diff decides first.** Offsets are mapped through the diff of the
   two bodies (``annotations.corrections.diffing``: how edges map, and when
   an edge is ambiguous). A span whose text *and* stored context lie in one
   stretch the diff kept is placed where the diff puts it, with nothing
   more to check.
2. **Every other placement is confirmed** by two tests:

   - its new text is recognised as the old quote
     (``annotations.corrections.recognition``), and
   - its *context agrees*: counting outwards from the span, at least
     ``CONFIRM_CONTEXT`` characters of the stored prefix and suffix
     together match the text around it (compared folded, as recognition
     folds; the start or end of the body counts as agreeing context).

   A quote of at least ``LONG_QUOTE`` characters within one paragraph,
   unchanged but for typography, confirms itself: a passage that long does
   not recur by chance (across a paragraph break it might be a long
   paragraph and the first word of whichever paragraph now follows).

   Some placements need ``CONFIRM_CONTEXT`` agreeing characters on *each*
   side (a side may instead agree up to the edge of the paragraph, where
   the span began or ended one): a span without letters (a figure, a time,
   a date) whose text changed, and a text recognised only as a figure
   update, since only the sentence around them shows it is the same figure
   ("10:30" that became "10:45" at the head of a replaced live-blog entry
   is not a corrected time); and every placement the search found (rule
   3), which no diff backs (live-blog entries repeat "The regional fire
   service said the fire had").
3. **Search where the diff cannot decide.** A span not placed by rule 1 is
   also looked for in the text the diff marks as changed -- never in text
   the diff kept, which is the image of other old text. Candidates are the
   exact occurrences of its quote there; for a span the diff has no place
   for at all, when none is confirmed, also the text between its stored
   prefix and suffix (their last and first ``ANCHOR`` characters, less any
   text added at either end) when it is a slight edit of its quote (at most
   ``FUZZY_MAX_CHANGED`` of either text changed): a moved paragraph with a
   typo fixed inside the span. A search candidate's context counts
   only up to a paragraph break (the paragraph after a span says nothing
   about a paragraph inserted before it that happens to end with the same
   words, "…, he said."). With rule 2's test on each side, this keeps a
   span reaching one word into the next paragraph ("…her office
   denied.\n\nThe") off another paragraph that now follows and also
   begins "The".

   For a span the diff did not place, the confirmed candidate is taken if
   its context, counted in full, agrees by at least ``SEARCH_MARGIN``
   characters more than any other candidate's. A placement the diff did
   confirm is never moved elsewhere, but a copy in changed text whose
   context agrees as well or nearly (within ``SEARCH_MARGIN``) makes it a
   guess: two copies that context cannot tell apart, or a copy that context
   prefers while the diff says the text stayed (two near-identical
   paragraphs swapped), orphan the span. A quote found more than
   ``MAX_OCCURRENCES`` times in changed text is too common to weigh: only
   the diff's confirmed placement can place it.
4. **Orphan rather than guess.** A span is orphaned when its text is gone,
   rewritten beyond recognition, found only where its context does not
   agree, found in several places context cannot tell apart, or has an
   ambiguous edge. Two spans that land on the same range keep one span
   there (the one whose text did not change, else the earlier) and orphan
   the other. A span whose stored quote is not the old body's text at its
   offsets is orphaned unread.
5. **Edges are trimmed and whole**: a placed span never starts or ends
   with white space, and its edges fall between grapheme clusters, widened
   to them as every selection is (``annotations.graphemes``): a skin-tone
   modifier added to an emoji at a span's end joins the span.

Statuses: ``unchanged`` (same offsets, same text), ``moved`` (same text,
other offsets), ``edited`` (its text changed; it follows it), ``orphaned``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from annotations.corrections.diffing import EQUAL, INSERT, DiffMap, Hunk, semantic_ops
from annotations.corrections.recognition import (
    FOLD_CHARS,
    MAX_CHANGED_SHARE,
    Likeness,
    Rule,
    likeness,
)
from annotations.graphemes import snap
from annotations.text import CONTEXT_CHARS, PARAGRAPH_BREAK, context

CONFIRM_CONTEXT = 16
LONG_QUOTE = 2 * CONTEXT_CHARS
SEARCH_MARGIN = 16
ANCHOR = 16
# Text found between a span's stored prefix and suffix has no diff and no
# exact quote behind it: only a slight edit of the quote is taken for it.
FUZZY_MAX_CHANGED = MAX_CHANGED_SHARE / 2
# A quote that occurs more often than this in the changed text is common
# enough that context should not be trusted to pick one (and it bounds cost).
MAX_OCCURRENCES = 100


class Status(StrEnum):
    UNCHANGED = "unchanged"
    MOVED = "moved"
    EDITED = "edited"
    ORPHANED = "orphaned"


class Why(StrEnum):
    """Why a span was orphaned; ``REASONS`` says it in a sentence."""

    DELETED = "deleted"
    REWRITTEN = "rewritten"
    CONTEXT = "context"
    AMBIGUOUS = "ambiguous"
    REPEATED = "repeated"
    DUPLICATE = "duplicate"
    STALE = "stale"


REASONS = {
    Why.DELETED: "Its text was deleted.",
    Why.REWRITTEN: "Its text was rewritten beyond recognition.",
    Why.CONTEXT: "Similar text is still there, but the words around it changed too much "
    "to be sure it is the same passage.",
    Why.AMBIGUOUS: "Its text now occurs more than once, and the words around it cannot "
    "tell which is its own.",
    Why.REPEATED: "It lay in repeated text, and which copy was removed or added cannot be told.",
    Why.DUPLICATE: "Another span now covers exactly the same text.",
    Why.STALE: "Its stored text did not match the article before this change.",
}


@dataclass(frozen=True)
class SpanText:
    """A span as stored: offsets into the old body, its quote and context."""

    id: int
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Placement:
    """Where a span is in the new body.

    ``start``/``end`` are None for an orphan; ``quote``, ``prefix`` and
    ``suffix`` are then the old ones. ``found_by`` says which rule placed it
    (``diff``, ``search`` or ``fuzzy``).
    """

    id: int
    status: Status
    start: int | None
    end: int | None
    quote: str
    prefix: str
    suffix: str
    why: Why | None = None
    found_by: str = ""
    likeness: Likeness | None = None

    @property
    def reason(self) -> str:
        """Why the span was orphaned, in a sentence an editor can read; "" when placed."""
        if self.why is None:
            return ""
        if self.why is Why.REWRITTEN and self.likeness is not None:
            return (
                f"Its text was rewritten beyond recognition ({self.likeness.similarity:.0%} "
                f"similar, {self.likeness.deleted_share:.0%} of it deleted)."
            )
        return REASONS[self.why]


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    likeness: Likeness
    agreement: int
    confirmed: bool
    found_by: str


def reanchor(old: str, new: str, spans: Iterable[SpanText]) -> list[Placement]:
    """Place every span of ``old`` in ``new`` (see the module docstring), in input order."""
    return _Reanchoring(old, new).run(list(spans))


class _Reanchoring:
    def __init__(self, old: str, new: str) -> None:
        self.old = old
        self.new = new
        self.diff = DiffMap(old, new)
        self._windows: list[tuple[int, int]] | None = None
        self._folded_new: str | None = None

    def run(self, spans: list[SpanText]) -> list[Placement]:
        placements = [self.place(span) for span in spans]
        return [
            self._orphan(span, Why.DUPLICATE) if duplicate else placement
            for span, placement, duplicate in zip(
                spans, placements, _duplicates(placements), strict=True
            )
        ]

    def place(self, span: SpanText) -> Placement:
        s, e = span.start, span.end
        if not (0 <= s < e <= len(self.old)) or self.old[s:e] != span.quote:
            return self._orphan(span, Why.STALE)
        start_edge = self.diff.map_start(s)
        end_edge = self.diff.map_end(e)
        if start_edge.ambiguous or end_edge.ambiguous:
            return self._orphan(span, Why.REPEATED)
        # Rule 1: text and context kept in one stretch.
        block = self.diff.kept_window(s - len(span.prefix), e + len(span.suffix))
        if block is not None:
            ns = block.new_start + s - block.old_start
            return self._placed(span, ns, ns + e - s, None)
        # Rules 2 and 3: the diff's placement, confirmed and checked against the search.
        by_diff: _Candidate | None = None
        if start_edge.position is not None and end_edge.position is not None:
            bounds = _trim(self.new, start_edge.position, end_edge.position)
            if bounds is not None:
                by_diff = self._judge(span, *bounds, found_by="diff")
        found = self._search(span, by_diff)
        if isinstance(found, _Candidate):
            return self._placed(span, found.start, found.end, found)
        if found is Why.AMBIGUOUS or by_diff is None:
            return self._orphan(span, found)
        if not by_diff.likeness.recognised:
            return self._orphan(span, Why.REWRITTEN, by_diff.likeness)
        return self._orphan(span, Why.CONTEXT)

    # --- Confirming a candidate ---------------------------------------------

    def _judge(self, span: SpanText, start: int, end: int, *, found_by: str) -> _Candidate:
        """Rule 2's tests for one candidate placement, and its full context agreement."""
        text = self.new[start:end]
        like = likeness(span.quote, text)
        searched = found_by != "diff"
        # Found by the search, a candidate is confirmed by its own paragraph only (rule 3).
        sides = self._agreement(span, start, end, within_paragraph=searched)
        if not like.recognised:
            confirmed = False
        elif (
            like.rule in (Rule.SAME, Rule.TYPOGRAPHY)
            and len(span.quote) >= LONG_QUOTE
            and PARAGRAPH_BREAK not in span.quote
        ):
            confirmed = True
        elif (
            searched
            or like.rule is Rule.FIGURES
            or (not _has_letters(span.quote) and like.rule is not Rule.SAME)
        ):
            # Each side agrees or is the edge of the paragraph; one at least agrees.
            confirmed = all(n >= CONFIRM_CONTEXT or edge for n, edge in sides) and (
                max(n for n, _ in sides) >= CONFIRM_CONTEXT
            )
        else:
            confirmed = sum(n for n, _ in sides) >= CONFIRM_CONTEXT
        if searched:
            sides = self._agreement(span, start, end, within_paragraph=False)
        return _Candidate(start, end, like, sum(n for n, _ in sides), confirmed, found_by)

    def _agreement(
        self, span: SpanText, start: int, end: int, *, within_paragraph: bool
    ) -> tuple[tuple[int, bool], tuple[int, bool]]:
        """Agreeing characters of stored prefix, and of suffix, around ``start:end``.

        With each count, whether that side agreed all the way to an edge both
        bodies share there: the start or end of the body or, with
        ``within_paragraph``, of the paragraph, where counting stops (rule 3).
        """
        prefix, suffix = span.prefix, span.suffix
        # Does the stored context reach the span's paragraph edge (or the body's)?
        starts_paragraph = span.start == len(prefix)
        ends_paragraph = span.end + len(suffix) == len(self.old)
        if within_paragraph:
            at = prefix.rfind(PARAGRAPH_BREAK)
            if at != -1:
                prefix, starts_paragraph = prefix[at + len(PARAGRAPH_BREAK) :], True
            at = suffix.find(PARAGRAPH_BREAK)
            if at != -1:
                suffix, ends_paragraph = suffix[:at], True
        before = _common_run(prefix[::-1], self.new[max(0, start - len(prefix)) : start][::-1])
        after = _common_run(suffix, self.new[end : end + len(suffix)])
        edge_before = (
            starts_paragraph
            and before == len(prefix)
            and self._edge(start - len(prefix), within_paragraph, at_start=True)
        )
        edge_after = (
            ends_paragraph
            and after == len(suffix)
            and self._edge(end + len(suffix), within_paragraph, at_start=False)
        )
        # The edge is context too: a span that was the article's first words
        # and still is agrees fully on that side.
        return (
            (CONTEXT_CHARS if edge_before else before, edge_before),
            (CONTEXT_CHARS if edge_after else after, edge_after),
        )

    def _edge(self, at: int, paragraphs: bool, *, at_start: bool) -> bool:
        """True when ``at`` is the start (or end) of the new body, or of a paragraph."""
        if at_start:
            return at == 0 or (paragraphs and self.new.endswith(PARAGRAPH_BREAK, 0, at))
        return at == len(self.new) or (paragraphs and self.new.startswith(PARAGRAPH_BREAK, at))

    # --- Searching the changed text ----------------------------------------

    def _search(self, span: SpanText, by_diff: _Candidate | None) -> _Candidate | Why:
        """The one candidate context picks, or why there is none.

        A confirmed placement by the diff stands unless a copy rivals it.
        """
        positions = self._occurrences(span.quote)
        if positions is None:
            # Too common to weigh every copy: only the diff's word counts.
            return by_diff if by_diff is not None and by_diff.confirmed else Why.AMBIGUOUS
        candidates = [
            self._judge(span, p, p + len(span.quote), found_by="search") for p in positions
        ]
        if by_diff is not None:
            candidates = [c for c in candidates if c.start != by_diff.start]
        elif not any(c.confirmed for c in candidates):
            candidates += self._fuzzy(span)
        if by_diff is not None and by_diff.confirmed:
            # Placed by the diff; a copy whose context agrees nearly as well
            # or better (the diff and the context disagree) makes it a guess.
            rivals = [c for c in candidates if c.agreement > by_diff.agreement - SEARCH_MARGIN]
            return Why.AMBIGUOUS if rivals else by_diff
        if not candidates:
            return Why.DELETED
        candidates.sort(key=lambda c: c.agreement, reverse=True)
        best = candidates[0]
        if not best.confirmed:
            return Why.CONTEXT
        if len(candidates) > 1 and candidates[1].agreement > best.agreement - SEARCH_MARGIN:
            return Why.AMBIGUOUS
        return best

    def _occurrences(self, needle: str) -> list[int] | None:
        """Where ``needle`` occurs overlapping changed text; None when too often."""
        found: set[int] = set()
        for lo, hi in self._changed_windows():
            window = self.new[max(0, lo - len(needle) + 1) : hi + len(needle) - 1]
            offset = max(0, lo - len(needle) + 1)
            at = window.find(needle)
            while at != -1:
                if not self._kept(offset + at, offset + at + len(needle)):
                    found.add(offset + at)
                    if len(found) > MAX_OCCURRENCES:
                        return None
                at = window.find(needle, at + 1)
        return sorted(found)

    def _fuzzy(self, span: SpanText) -> list[_Candidate]:
        """Recognised text between the span's stored prefix and suffix, in changed text."""
        if len(span.prefix) < ANCHOR // 2 or len(span.suffix) < ANCHOR // 2:
            return []
        folded = self._folded()
        head = span.prefix[-ANCHOR:].translate(FOLD_CHARS)
        tail = span.suffix[:ANCHOR].translate(FOLD_CHARS)
        reach = 2 * len(span.quote) + ANCHOR
        candidates: list[_Candidate] = []
        for lo, hi in self._changed_windows():
            at = folded.find(head, max(0, lo - len(head)), hi)
            while at != -1 and len(candidates) <= MAX_OCCURRENCES:
                start = at + len(head)
                stop = folded.find(tail, start, min(len(folded), start + reach))
                bounds = self._own_text(span, start, stop) if stop != -1 else None
                if bounds is not None and not self._kept(*bounds):
                    candidate = self._judge(span, *bounds, found_by="fuzzy")
                    like = candidate.likeness
                    if max(like.deleted_share, like.added_share) <= FUZZY_MAX_CHANGED:
                        candidates.append(candidate)
                at = folded.find(head, at + 1, hi)
        return candidates

    def _own_text(self, span: SpanText, start: int, end: int) -> tuple[int, int] | None:
        """``start:end`` less what was added at either end of the span's text.

        Text inserted right before or after a span stays outside it (as in
        the diff's edge rules): an emoji put before a moved span is not its own.
        """
        ops = semantic_ops(span.quote, self.new[start:end])
        kept = [i for i, (op, _) in enumerate(ops) if op == EQUAL]
        if not kept:
            return None
        start += sum(len(text) for op, text in ops[: kept[0]] if op == INSERT)
        end -= sum(len(text) for op, text in ops[kept[-1] + 1 :] if op == INSERT)
        return _trim(self.new, start, end)

    def _kept(self, start: int, end: int) -> bool:
        """True when ``new[start:end]`` lies in one stretch the diff kept (old text)."""
        block = self.diff.new_block_at(start)
        return block is not None and end <= block.new_end

    def _changed_windows(self) -> list[tuple[int, int]]:
        """The new body's changed stretches, as ``(start, end)``, merged when adjacent."""
        if self._windows is None:
            windows: list[tuple[int, int]] = []
            for hunk in self.diff.hunks:
                lo, hi = _changed_range(hunk)
                if windows and lo <= windows[-1][1]:
                    windows[-1] = (windows[-1][0], max(hi, windows[-1][1]))
                else:
                    windows.append((lo, hi))
            self._windows = windows
        return self._windows

    def _folded(self) -> str:
        if self._folded_new is None:
            self._folded_new = self.new.translate(FOLD_CHARS)
        return self._folded_new

    # --- Results ---------------------------------------------------------------

    def _placed(
        self, span: SpanText, start: int, end: int, candidate: _Candidate | None
    ) -> Placement:
        if not (self.new[start - 1 : start + 1] + self.new[end - 1 : end + 1]).isascii():
            # Rule 5: between grapheme clusters (ASCII neighbours always are).
            start, end = snap(self.new, start, end)
        quote = self.new[start:end]
        if quote != span.quote:
            status = Status.EDITED
        elif (start, end) == (span.start, span.end):
            status = Status.UNCHANGED
        else:
            status = Status.MOVED
        prefix, suffix = context(self.new, start, end)
        return Placement(
            span.id,
            status,
            start,
            end,
            quote,
            prefix,
            suffix,
            found_by=candidate.found_by if candidate else "diff",
            likeness=candidate.likeness if candidate else None,
        )

    @staticmethod
    def _orphan(span: SpanText, why: Why, like: Likeness | None = None) -> Placement:
        return Placement(
            span.id,
            Status.ORPHANED,
            None,
            None,
            span.quote,
            span.prefix,
            span.suffix,
            why=why,
            likeness=like,
        )


def _changed_range(hunk: Hunk) -> tuple[int, int]:
    # A deletion leaves an empty range; searching around it still finds text
    # that a neighbouring insertion put there.
    return hunk.new_start, max(hunk.new_end, hunk.new_start + 1)


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``start:end`` without white space at either end; None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _common_run(a: str, b: str) -> int:
    """How many leading characters ``a`` and ``b`` share, compared folded."""
    return len(os.path.commonprefix([a.translate(FOLD_CHARS), b.translate(FOLD_CHARS)]))


def _duplicates(placements: list[Placement]) -> list[bool]:
    """Rule 4's last case: which placements lose their range to another span."""
    rank = {Status.UNCHANGED: 0, Status.MOVED: 1, Status.EDITED: 2}
    keeper: dict[tuple[int, int], Placement] = {}
    for p in placements:
        if p.start is None or p.end is None:
            continue
        held = keeper.get((p.start, p.end))
        if held is None or (rank[p.status], p.id) < (rank[held.status], held.id):
            keeper[(p.start, p.end)] = p
    return [p.start is not None and keeper[(p.start, p.end or 0)] is not p for p in placements]
