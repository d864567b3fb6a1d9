"""Cutting text into highlight segments: by hand, and property-based."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotations.segments import Segment, split, touching
from annotations.text import paragraph_ranges


def test_plain_text_is_one_segment_per_paragraph():
    body = "One.\n\nTwo."
    assert split(paragraph_ranges(body), []) == [[Segment(0, 4, ())], [Segment(6, 10, ())]]


def test_nested_spans_list_the_innermost_last():
    # "abcdefghij": span 1 covers c–h, span 2 (inside it) covers e–f.
    [segments] = split([(0, 10)], [(1, 2, 8), (2, 4, 6)])
    assert segments == [
        Segment(0, 2, ()),
        Segment(2, 4, (1,)),
        Segment(4, 6, (1, 2)),
        Segment(6, 8, (1,)),
        Segment(8, 10, ()),
    ]


def test_overlapping_spans_are_cut_where_they_cross():
    [segments] = split([(0, 6)], [(7, 0, 4), (8, 2, 6)])
    assert [(s.start, s.end, set(s.spans)) for s in segments] == [
        (0, 2, {7}),
        (2, 4, {7, 8}),
        (4, 6, {8}),
    ]


def test_a_span_across_paragraphs_is_clipped_to_each():
    body = "Alpha beta.\n\nGamma."
    first, second = split(paragraph_ranges(body), [(5, 6, 18)])
    assert first[-1] == Segment(6, 11, (5,))
    assert second == [Segment(13, 18, (5,)), Segment(18, 19, ())]


def test_same_range_twice_is_ordered_by_id():
    [segments] = split([(0, 3)], [(9, 0, 3), (4, 0, 3)])
    assert segments == [Segment(0, 3, (4, 9))]


def test_touching_finds_the_paragraphs_of_a_span():
    ranges = paragraph_ranges("Alpha.\n\nBeta.\n\nGamma.")
    assert touching(ranges, 2, 4) == [0]
    assert touching(ranges, 3, 10) == [0, 1]
    assert touching(ranges, 8, 13) == [1]


@st.composite
def text_and_spans(draw):
    paragraphs = draw(st.lists(st.text("ab é🇺🇦", min_size=1, max_size=12), min_size=1, max_size=4))
    body = "\n\n".join(paragraphs)
    n = len(body)
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n), st.integers(0, n)).filter(lambda p: p[0] != p[1]),
            max_size=12,
        )
    )
    spans = [(i + 1, min(a, b), max(a, b)) for i, (a, b) in enumerate(pairs)]
    return body, spans


@given(text_and_spans())
def test_segments_tile_each_paragraph_and_know_their_covering_spans(case):
    body, spans = case
    ranges = paragraph_ranges(body)
    by_id = {span_id: (start, end) for span_id, start, end in spans}
    for (lo, hi), segments in zip(ranges, split(ranges, spans), strict=True):
        # Contiguous, non-empty, concatenating to the paragraph's text.
        assert "".join(body[s.start : s.end] for s in segments) == body[lo:hi]
        assert all(s.start < s.end for s in segments)
        assert [s.start for s in segments[1:]] == [s.end for s in segments[:-1]]
        for segment in segments:
            covering = {i for i, (a, b) in by_id.items() if a <= segment.start and segment.end <= b}
            assert set(segment.spans) == covering
            # No span boundary falls strictly inside a segment.
            for a, b in by_id.values():
                assert not segment.start < a < segment.end
                assert not segment.start < b < segment.end
            if segment.spans:
                lengths = [by_id[i][1] - by_id[i][0] for i in segment.spans]
                assert lengths == sorted(lengths, reverse=True)  # innermost last


@given(text_and_spans())
def test_each_span_covers_exactly_its_range_outside_paragraph_breaks(case):
    body, spans = case
    ranges = paragraph_ranges(body)
    segments = [s for paragraph in split(ranges, spans) for s in paragraph]
    in_paragraph = {i for lo, hi in ranges for i in range(lo, hi)}
    for span_id, start, end in spans:
        covered = {i for s in segments if span_id in s.spans for i in range(s.start, s.end)}
        assert covered == set(range(start, end)) & in_paragraph
