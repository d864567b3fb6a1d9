"""Highlighted paragraphs as HTML, built without the database."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from annotations.highlights import SpanSummary, paragraphs_html
from annotations.kinds import CATEGORIES, NAMES
from annotations.segments import split, touching
from annotations.text import paragraph_ranges

_TAG = re.compile(r"<[^>]+>")


def _summaries(spans: list[tuple[int, int, int]], kind: str = "verified_fact"):
    return {i: SpanSummary(i, s, e, "", 1, kind) for i, s, e in spans}


@st.composite
def body_and_spans(draw):
    paragraphs = draw(st.lists(st.text("a<&\"' é🇺🇦\n", min_size=1, max_size=10), max_size=4))
    body = "\n\n".join(p.strip() for p in paragraphs if p.strip()) or "x"
    n = len(body)
    pairs = draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, n)), max_size=8))
    spans = [(i + 1, min(a, b), max(a, b)) for i, (a, b) in enumerate(pairs) if a != b]
    return body, spans


@given(body_and_spans())
def test_without_its_tags_the_html_is_the_escaped_text(case):
    body, spans = case
    out = paragraphs_html(body, _summaries(spans))
    paragraphs = re.findall(r"<p [^>]*>(.*?)</p>", out, flags=re.S)
    texts = [html.unescape(_TAG.sub("", p)) for p in paragraphs]
    assert texts == [body[s:e] for s, e in paragraph_ranges(body)]
    # Every tag is the builder's own: "<" in the text never becomes markup.
    assert all(re.match(r"</?(p|mark)[ >]", tag) for tag in _TAG.findall(out))


def test_only_the_requested_paragraphs_are_rendered_for_an_out_of_band_swap():
    body = "One.\n\nTwo words.\n\nThree."
    out = paragraphs_html(body, _summaries([(4, 6, 9)]), [1], oob=True)
    assert out == (
        '<p id="p-1" data-start="6" data-end="16" hx-swap-oob="true">'
        '<mark class="hl hl-verified_fact s e" data-spans="4" '
        'title="Verified fact">Two</mark>'
        " words.</p>"
    )


def test_adjacent_spans_with_one_label_keep_their_edges():
    body = "Two words here."
    out = paragraphs_html(body, _summaries([(1, 0, 3), (2, 3, 9)]))
    assert '<mark class="hl hl-verified_fact s e" data-spans="1"' in out
    assert '<mark class="hl hl-verified_fact s e" data-spans="2"' in out


def test_a_nested_segment_names_the_outer_label_when_it_differs():
    body = "Officials say 300,000 reservists."
    spans = _summaries([(1, 0, 32)], "official_claim") | _summaries([(2, 14, 21)])
    out = paragraphs_html(body, spans)
    assert '<mark class="hl hl-official_claim s" data-spans="1"' in out
    assert '<mark class="hl hl-verified_fact s e hl-nested o-claim" data-spans="1 2"' in out
    assert '<mark class="hl hl-official_claim e" data-spans="1"' in out
    same = paragraphs_html(body, _summaries([(1, 0, 32), (2, 14, 21)]))
    assert '<mark class="hl hl-verified_fact s e hl-nested" data-spans="1 2"' in same


def _paragraphs_through_split(body, spans, only=None, *, oob=False):
    """The paragraphs as they were built before issue 17's second round: ``segments.split``
    cuts the segments, then each is written with its ids made text again. The page's
    sweep (``highlights._paragraphs``) must give the same bytes."""
    ranges = paragraph_ranges(body)
    indexes = range(len(ranges)) if only is None else only
    wanted = [ranges[i] for i in indexes]
    relevant = list(spans.values())
    if only is not None:
        relevant = [s for s in relevant if touching(wanted, s.start, s.end)]
    cut = split(wanted, [(s.id, s.start, s.end) for s in relevant])
    swap = ' hx-swap-oob="true"' if oob else ""
    starts = {s.start for s in relevant}
    ends = {s.end for s in relevant}
    consensus = {s.id: s.consensus for s in relevant}
    out = []
    for index, (start, end), segments in zip(indexes, wanted, cut, strict=True):
        parts = [f'<p id="p-{index}" data-start="{start}" data-end="{end}"{swap}>']
        for a, b, covering in segments:
            text = html.escape(body[a:b])
            if not covering:
                parts.append(text)
                continue
            inner, outer = consensus[covering[-1]], consensus[covering[0]]
            nested = ""
            if len(covering) > 1:
                nested = " hl-nested" if outer == inner else f" hl-nested o-{_SHORT[outer]}"
            ids = " ".join(map(str, covering))
            parts.append(
                f'<mark class="hl hl-{inner}{" s" if a in starts else ""}'
                f'{" e" if b in ends else ""}{nested}" data-spans="{ids}" title="{NAMES[inner]}">{text}</mark>'
            )
        out.append("".join(parts) + "</p>")
    return "".join(out)


_SHORT = dict(zip(CATEGORIES, ("fact", "claim", "spec", "disputed"), strict=True))


@given(body_and_spans(), st.lists(st.sampled_from(CATEGORIES), min_size=8, max_size=8))
def test_the_sweep_writes_what_split_cuts(case, kinds):
    body, spans = case
    summaries = {
        i: SpanSummary(i, s, e, "", 1, kinds[n % len(kinds)]) for n, (i, s, e) in enumerate(spans)
    }
    assert paragraphs_html(body, summaries) == _paragraphs_through_split(body, summaries)
    count = len(paragraph_ranges(body))
    for only in ([0], [count - 1], list(range(0, count, 2))):
        assert paragraphs_html(body, summaries, only, oob=True) == _paragraphs_through_split(
            body, summaries, only, oob=True
        )
