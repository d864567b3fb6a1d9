"""Grapheme clusters: what a reader sees as one character. Pure: no Django imports.

A span's edges fall between grapheme clusters (Unicode's extended grapheme
clusters, UAX #29): a skin-tone modifier cut from its emoji, a combining
accent without its letter, half a flag or one person of a ZWJ family is not
text anyone meant to select. ``snap`` widens a code-point range outward to
the nearest cluster boundaries. The browser applies the same rule
(``Intl.Segmenter`` with granularity "grapheme", in annotate.js) before it
sends offsets, and the server snaps every write again, so a stored span
never depends on the client.

Boundaries come from the ``regex`` module's ``\\X``, applied to ``WINDOW``
code points on each side of an edge, so the cost does not grow with the
text. A cluster longer than that (dozens of accents stacked on one letter)
or a run of more than ``WINDOW`` regional indicators (flags) in a row may be
cut where segmenting the whole text would not; prose has neither.

The API is small on purpose: ``snap`` for a range, ``boundary_before`` and
``boundary_after`` for one edge (word snapping builds on these).
"""

from __future__ import annotations

import regex

WINDOW = 32
_CLUSTER = regex.compile(r"\X")


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` widened to grapheme-cluster boundaries of ``text``.

    The start moves left and the end right, each to the nearest boundary (not
    at all when it is one). A range outside the text is returned unchanged,
    for the caller's own check to refuse.
    """
    if not 0 <= start <= end <= len(text):
        return start, end
    return boundary_before(text, start), boundary_after(text, end)


def boundary_before(text: str, offset: int) -> int:
    """The last cluster boundary at or before ``offset`` (0 <= offset <= len(text))."""
    low, starts, _ = _clusters_near(text, offset)
    return max((s for s in starts if s <= offset), default=low)


def boundary_after(text: str, offset: int) -> int:
    """The first cluster boundary at or after ``offset`` (0 <= offset <= len(text))."""
    _, starts, high = _clusters_near(text, offset)
    return min((s for s in starts if s >= offset), default=high)


def _clusters_near(text: str, offset: int) -> tuple[int, list[int], int]:
    """Where each cluster starts within ``WINDOW`` of ``offset``, and the window's ends."""
    low = max(0, offset - WINDOW)
    high = min(len(text), offset + WINDOW)
    starts = [low + match.start() for match in _CLUSTER.finditer(text[low:high])]
    starts.append(high)
    return low, starts, high
