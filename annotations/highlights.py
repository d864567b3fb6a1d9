"""An article's spans, read in one query, and its paragraphs as highlighted HTML.

A 5,000-span article has about 10,000 highlighted segments and 5,000 rows in
the span list. A template loop over them costs far more than joining strings,
so this hot path is built in Python; every piece of user text goes through
``escape`` on the way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models.functions import Substr

from annotations.balance import DISPUTED, consensus
from annotations.models import Article, Label, LabelKind
from annotations.segments import Segment, split, touching
from annotations.text import paragraph_ranges

QUOTE_PREVIEW_CHARS = 90
KIND_NAMES: dict[str, str] = {**dict(LabelKind.choices), DISPUTED: "disputed"}
# What django.utils.html.escape replaces, applied with a bare str.translate:
# escape() is wrapped for lazy strings, and it is called ~15,000 times a page.
_ESCAPES = {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord('"'): "&quot;",
    ord("'"): "&#x27;",
}


def escape(text: str) -> str:
    return text.translate(_ESCAPES)


@dataclass(slots=True)
class SpanSummary:
    id: int
    start: int
    end: int
    quote: str  # The first QUOTE_PREVIEW_CHARS characters only.
    kinds: list[str] = field(default_factory=list)
    consensus: str = ""

    @property
    def title(self) -> str:
        return KIND_NAMES[self.consensus]


def load_spans(article: Article, within: tuple[int, int] | None = None) -> dict[int, SpanSummary]:
    """Every labelled span of ``article`` in reading order, with its consensus. One query.

    With ``within=(start, end)``, only the spans sharing text with that range.
    """
    labels = Label.objects.filter(span__article=article)
    if within is not None:
        labels = labels.filter(span__start__lt=within[1], span__end__gt=within[0])
    rows = labels.order_by("span__start", "-span__end", "span_id").values_list(
        "span_id",
        "span__start",
        "span__end",
        Substr("span__quote", 1, QUOTE_PREVIEW_CHARS),
        "kind",
    )
    spans: dict[int, SpanSummary] = {}
    for span_id, start, end, quote, kind in rows:
        summary = spans.get(span_id)
        if summary is None:
            summary = spans[span_id] = SpanSummary(span_id, start, end, quote)
        summary.kinds.append(kind)
    for summary in spans.values():
        kinds = summary.kinds
        # One label is its own consensus (balance.consensus says so); most spans have one.
        summary.consensus = kinds[0] if len(kinds) == 1 else consensus(kinds) or ""
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
        f'<span class="count" title="labels">({len(summary.kinds)})</span></a></li>'
    )
