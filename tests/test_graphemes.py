"""Span edges on grapheme-cluster boundaries: annotations/graphemes.py."""

from __future__ import annotations

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from annotations.graphemes import boundary_after, boundary_before, snap

THUMB = "👍🏽"  # thumbs up + skin-tone modifier: 2 code points
FAMILY = "👨\u200d👩\u200d👧"  # man ZWJ woman ZWJ girl: 5 code points
FLAGS = "🇺🇦🇵🇱"  # two flags: four regional indicators
ACCENT = "x\u0301"  # x + combining acute: no precomposed form, so NFC keeps 2 code points
TEXT = f"Good {THUMB} news, a {FAMILY} and {FLAGS} flags; {ACCENT} marks."


def _at(piece: str, text: str = TEXT) -> int:
    return text.index(piece)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # A skin tone cut from its emoji, either half: the whole emoji.
        (_at(THUMB), _at(THUMB) + 1, (_at(THUMB), _at(THUMB) + 2)),
        (_at(THUMB) + 1, _at(THUMB) + 2, (_at(THUMB), _at(THUMB) + 2)),
        # One person of a ZWJ family: the family.
        (_at(FAMILY) + 2, _at(FAMILY) + 3, (_at(FAMILY), _at(FAMILY) + 5)),
        # Half of each of two flags: both flags.
        (_at(FLAGS) + 1, _at(FLAGS) + 3, (_at(FLAGS), _at(FLAGS) + 4)),
        # A lone combining mark, or its letter without it: letter and mark.
        (_at(ACCENT) + 1, _at(ACCENT) + 2, (_at(ACCENT), _at(ACCENT) + 2)),
        (_at(ACCENT), _at(ACCENT) + 1, (_at(ACCENT), _at(ACCENT) + 2)),
        # Already on boundaries: unchanged.
        (0, 4, (0, 4)),
        (_at(THUMB), _at(THUMB) + 2, (_at(THUMB), _at(THUMB) + 2)),
        (0, len(TEXT), (0, len(TEXT))),
        # Outside the text: left for the caller to refuse.
        (5, len(TEXT) + 3, (5, len(TEXT) + 3)),
    ],
    ids=[
        "emoji without its skin tone",
        "skin tone alone",
        "one of a family",
        "halves of two flags",
        "combining mark alone",
        "letter without its mark",
        "word",
        "whole emoji",
        "whole text",
        "outside",
    ],
)
def test_snap_widens_to_whole_clusters(start, end, expected):
    assert snap(TEXT, start, end) == expected


def _boundaries(text: str) -> set[int]:
    return {m.start() for m in regex.finditer(r"\X", text)} | {len(text)}


# Text made of pieces whose clusters are short; flags never follow flags, so no run
# of regional indicators is longer than the window (the module's stated limit).
tokens = st.sampled_from(["a", "b", " ", ".", "\n\n", "é", ACCENT, THUMB, FAMILY, "🇺🇦", "ñ"])
texts = st.lists(tokens, min_size=1, max_size=60).filter(
    lambda parts: not any(a == b == "🇺🇦" for a, b in zip(parts, parts[1:], strict=False))
)


@given(texts, st.data())
def test_snap_agrees_with_segmenting_the_whole_text(parts, data):
    text = "".join(parts)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    snapped = snap(text, start, end)
    boundaries = _boundaries(text)
    assert snapped[0] == max(b for b in boundaries if b <= start)
    assert snapped[1] == min(b for b in boundaries if b >= end)
    assert snap(text, *snapped) == snapped


def test_each_edge_reads_only_a_window_around_it():
    # Far from the edge, a cluster split in the middle changes nothing near it.
    text = "x" * 10_000 + THUMB + "y" * 10_000
    assert boundary_before(text, 10_001) == 10_000
    assert boundary_after(text, 10_001) == 10_002
