"""Where a selection lands, and when it means a span already there. Pure: no Django imports.

People never select to the same character: one drags to the full stop, the
next stops before it, a third catches the space after it. Two rules make a
selection land where its reviewer meant it (issue 13):

**Snapping** (``snap``). The selection is trimmed of white space at both
ends, then each edge that falls inside a word moves outward to the word's
edge, then to the nearest grapheme cluster boundary (``annotations.graphemes``).
Words are Unicode's default word boundaries (UAX #29, the ``regex`` module's
``WORD`` flag), which the browser's ``Intl.Segmenter`` (granularity "word",
in annotate.js) follows too: "don't", "3.14" and "e.g" are one word each,
punctuation and spaces are words of their own, so an edge already next to
punctuation stays where it is (the full stop is the reviewer's choice). Han
and Thai text has a boundary between every two characters under the default
rules; the browser's dictionary finds real words there, whose edges are
boundaries here too, so the server leaves what the browser sent alone.
Edges move outward only: snapping never drops a character the reviewer
selected, except white space at the ends. Words are found within
``WORD_WINDOW`` code points of an edge, so the cost does not grow with the
text; a "word" longer than that (no prose has one) is cut at the window.

**Near-identical** (``likeness``, ``near_identical``, ``best``). A new
selection and an existing span are near-identical when their **cores** (the
range with punctuation and white space stripped from both ends) share at
least ``NEAR`` (90 %) of the code points either covers:
``|core(a) ∩ core(b)| / |core(a) ∪ core(b)| >= 0.9`` (Jaccard's index on
code point positions). Why this, and not one of the two rules the issue
offers alone:

- "Differs only by edge punctuation or white space" is the commonest case
  (bob stops before alice's full stop; a quotation mark caught or not) and
  must hold for any length, even "Yes." against "Yes": equal cores give 1.
  A bare 90 % of the raw characters misses it for spans shorter than ten
  characters.
- "Covers >= 90 % of the same characters" catches a word more or less at
  either end of a long sentence, which edge punctuation alone does not. It
  is measured on the union, not on one side, so a span is never "the same"
  as a much longer one that contains it (a clause inside its sentence): a
  difference of 10 % of either length, at most.
- Positions, not text: the same words elsewhere in the article are another
  span. Code points, as every offset here: a flag counts two, which moves
  the ratio of an emoji-heavy span slightly and never decides the common
  cases above.

A range with no core (punctuation only: "—", "…") is near-identical only to
the very same range. When several spans qualify, ``best`` takes the most
alike; among equals the one whose raw edges are closest to the selection's,
then the earliest. ``SpanIndex`` does the same over many spans for an
import, looking only at spans whose core starts near the selection's (a
bound the 90 % rule implies), so an import is not quadratic in its size.

The server applies both rules on every write (``annotations.labelling``),
so the result never depends on the client; the page's toolbar asks the
server which span a selection means (``views.annotate.span_offer``) and
offers it by default, with a way to keep the selection as a new span.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

import regex

from annotations.graphemes import snap as snap_to_clusters

NEAR = 0.9
WORD_WINDOW = 64
_WORD_BOUNDARY = regex.compile(r"\b", regex.WORD | regex.V1)

Key = TypeVar("Key", bound=Hashable)
Range = tuple[int, int]


def snap(text: str, start: int, end: int) -> Range:
    """``(start, end)`` trimmed of white space, widened to whole words and grapheme clusters.

    A range of white space only becomes empty (``start == end``), for the
    caller to refuse; a range outside the text is returned unchanged, for the
    caller's own check to refuse.
    """
    if not 0 <= start <= end <= len(text):
        return start, end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return start, end
    start, end = _word_before(text, start), _word_after(text, end)
    return snap_to_clusters(text, start, end)


def _word_before(text: str, offset: int) -> int:
    """The last word boundary at or before ``offset``."""
    low, bounds, _ = _boundaries_near(text, offset)
    return max((b for b in bounds if b <= offset), default=low)


def _word_after(text: str, offset: int) -> int:
    """The first word boundary at or after ``offset``."""
    _, bounds, high = _boundaries_near(text, offset)
    return min((b for b in bounds if b >= offset), default=high)


def _boundaries_near(text: str, offset: int) -> tuple[int, list[int], int]:
    low = max(0, offset - WORD_WINDOW)
    high = min(len(text), offset + WORD_WINDOW)
    # The window's own ends always count as boundaries; they are taken only
    # when no real boundary lies in between (a "word" longer than the window).
    bounds = [low + match.start() for match in _WORD_BOUNDARY.finditer(text[low:high])]
    return low, bounds, high


def _is_edge_noise(char: str) -> bool:
    """White space or punctuation (Unicode categories P*), stripped from a core's ends."""
    return char.isspace() or unicodedata.category(char).startswith("P")


def core(text: str, start: int, end: int) -> Range:
    """``(start, end)`` without the punctuation and white space at its ends.

    Empty (``start == end``) for a range of punctuation only.
    """
    while start < end and _is_edge_noise(text[start]):
        start += 1
    while end > start and _is_edge_noise(text[end - 1]):
        end -= 1
    return start, end


def likeness(text: str, a: Range, b: Range) -> float:
    """How alike two ranges of ``text`` are: the Jaccard index of their cores, 0 to 1.

    Ranges without a core are 1 when the ranges are equal, else 0.
    """
    if a == b:
        return 1.0
    ca, cb = core(text, *a), core(text, *b)
    if ca[0] == ca[1] or cb[0] == cb[1]:
        return 0.0
    shared = min(ca[1], cb[1]) - max(ca[0], cb[0])
    if shared <= 0:
        return 0.0
    union = max(ca[1], cb[1]) - min(ca[0], cb[0])
    return shared / union


def near_identical(text: str, a: Range, b: Range) -> bool:
    """Whether ``a`` and ``b`` mean the same passage (the module docstring's rule)."""
    return likeness(text, a, b) >= NEAR


def best(text: str, selection: Range, spans: Iterable[tuple[Key, int, int]]) -> Key | None:
    """The key of the span most like ``selection`` among the near-identical ones, or None.

    Most alike first; among equals, the smallest distance between raw edges,
    then the earliest span (by start, end).
    """
    chosen: tuple[tuple[float, int, int, int], Key] | None = None
    for key, start, end in spans:
        alike = likeness(text, selection, (start, end))
        if alike < NEAR:
            continue
        distance = abs(start - selection[0]) + abs(end - selection[1])
        rank = (-alike, distance, start, end)
        if chosen is None or rank < chosen[0]:
            chosen = (rank, key)
    return None if chosen is None else chosen[1]


def reach(text: str, selection: Range) -> int:
    """How far (in code points) a near-identical span's core may start from the selection's.

    From the rule: the cores' union is at most ``|core(selection)| / NEAR``,
    and the starts differ by at most the part of the union they do not share.
    """
    low, high = core(text, *selection)
    return int((high - low) * (1 - NEAR) / NEAR) + 1


class SpanIndex(Generic[Key]):
    """Many spans of one text, for finding the one a selection means (``best``) quickly.

    Only spans whose core starts within ``reach`` of the selection's are
    compared (and the very same range, for one without a core).
    """

    def __init__(self, text: str, spans: Iterable[tuple[Key, int, int]] = ()) -> None:
        self.text = text
        self._starts: list[int] = []  # core starts, sorted
        self._spans: list[tuple[Key, int, int]] = []  # in the order of _starts
        self._exact: dict[Range, Key] = {}
        for key, start, end in spans:
            self.add(key, start, end)

    def add(self, key: Key, start: int, end: int) -> None:
        self._exact.setdefault((start, end), key)
        at = core(self.text, start, end)[0]
        where = bisect.bisect_right(self._starts, at)
        self._starts.insert(where, at)
        self._spans.insert(where, (key, start, end))

    def best(self, start: int, end: int) -> Key | None:
        """As ``best(text, (start, end), every span added)``."""
        low, high = core(self.text, start, end)
        if low == high:
            return self._exact.get((start, end))
        near = reach(self.text, (start, end))
        first = bisect.bisect_left(self._starts, low - near)
        last = bisect.bisect_right(self._starts, low + near)
        return best(self.text, (start, end), self._spans[first:last])
