"""An article's spans, read in one query, and its paragraphs as highlighted HTML.

A 5,000-span article has about 10,000 highlighted segments and 5,000 rows in
the span list. A template loop over them costs far more than joining strings,
so this hot path is built in Python; every piece of user text goes through
``escape`` on the way.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Substr

from annotations.balance import DISPUTED, KINDS, consensus_of_counts
from annotations.models import Article, LabelKind, Span
from annotations.segments import Segment, split, touching
from annotations.text import paragraph_ranges

QUOTE_PREVIEW_CHARS = 90
KIND_NAMES: dict[str, str] = {**dict(LabelKind.choices), DISPUTED: "disputed"}
# The standard library's escape replaces what django.utils.html.escape does
# (& < > " ') without its lazy-string wrapper; five str.replace calls are
# also several times faster than a str.translate table on non-ASCII text.
# It is called ~15,000 times for a 5,000-span page.
escape = html.escape


@dataclass(slots=True)
class SpanSummary:
    id: int
    start: int
    end: int
    quote: str  # The first QUOTE_PREVIEW_CHARS characters only.
    labels: int = 0
    consensus: str = ""

    @property
    def title(self) -> str:
        return KIND_NAMES[self.consensus]


def load_spans(article: Article, within: tuple[int, int] | None = None) -> dict[int, SpanSummary]:
    """Every labelled span of ``article`` in reading order, with its consensus. One query.

    With ``within=(start, end)``, only the spans sharing text with that range.
    One row per span with a count per kind (GROUP BY in the database), not a
    row per label: half the rows for two reviewers, and no Counter per span.
    """
    queryset = Span.objects.filter(article=article)
    if within is not None:
        queryset = queryset.filter(start__lt=within[1], end__gt=within[0])
    rows = (
        queryset.order_by()
        .annotate(**{kind: Count("labels", filter=Q(labels__kind=kind)) for kind in KINDS})
        .order_by("start", "-end", "id")
        .values_list("id", "start", "end", Substr("quote", 1, QUOTE_PREVIEW_CHARS), *KINDS)
    )
    spans: dict[int, SpanSummary] = {}
    for span_id, start, end, quote, *counts in rows:
        labels = sum(counts)
        if labels:  # A span without labels is being removed: it is not shown.
            agreed = consensus_of_counts(counts) or ""
            spans[span_id] = SpanSummary(span_id, start, end, quote, labels, agreed)
    return spans


def paragraphs_html(
    body: str,
    spans: dict[int, SpanSummary],
    only: Sequence[int] | None = None,
    *,
    oob: bool = False,
) -> str:
    """The ``<p>`` of each paragraph (or of the paragraphs indexed in ``only``).

    Each paragraph carries its code point range in ``data-start``/``data-end``
    so the page's script can turn a selection into offsets; each highlighted
    segment is a ``<mark>`` listing the spans covering it, innermost last.
    """
    ranges = paragraph_ranges(body)
    indexes = range(len(ranges)) if only is None else only
    wanted = [ranges[i] for i in indexes]
    if only is None:
        relevant = spans.values()
    else:
        relevant = [s for s in spans.values() if touching(wanted, s.start, s.end)]
    cut = split(wanted, [(s.id, s.start, s.end) for s in relevant])
    swap = ' hx-swap-oob="true"' if oob else ""
    return "".join(
        _paragraph(body, index, start, end, segments, spans, swap)
        for index, (start, end), segments in zip(indexes, wanted, cut, strict=True)
    )


def _paragraph(
    body: str,
    index: int,
    start: int,
    end: int,
    segments: list[Segment],
    spans: dict[int, SpanSummary],
    swap: str,
) -> str:
    parts = [f'<p id="p-{index}" data-start="{start}" data-end="{end}"{swap}>']
    for segment in segments:
        text = escape(body[segment.start : segment.end])
        if not segment.spans:
            parts.append(text)
            continue
        inner = spans[segment.spans[-1]]
        nested = " hl-nested" if len(segment.spans) > 1 else ""
        ids = " ".join(map(str, segment.spans))
        parts.append(
            f'<mark class="hl hl-{inner.consensus}{nested}" data-spans="{ids}" '
            f'title="{inner.title}">{text}</mark>'
        )
    parts.append("</p>")
    return "".join(parts)


def span_items_html(article: Article, spans: dict[int, SpanSummary]) -> str:
    """The side list's items: every span in reading order with its consensus."""
    return "".join(span_item_html(article, summary) for summary in spans.values())


def span_item_html(article: Article, summary: SpanSummary, swap: str = "") -> str:
    """One item of the side list; ``swap`` is an hx-swap-oob value."""
    oob = f' hx-swap-oob="{swap}"' if swap else ""
    more = "…" if len(summary.quote) == QUOTE_PREVIEW_CHARS else ""
    return (
        f'<li id="span-item-{summary.id}"{oob}>'
        f'<a href="/articles/{article.id}/spans/{summary.id}/" data-span-link="{summary.id}">'
        f'<span class="badge hl hl-{summary.consensus}">{summary.title}</span> '
        f'<span class="quote">{escape(summary.quote)}{more}</span> '
        f'<span class="count" title="labels">({summary.labels})</span></a></li>'
    )
