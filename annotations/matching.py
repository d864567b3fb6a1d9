"""The stored span a new selection means, by the near-identical rule of ``annotations.selection``.

``near_span`` is what every label write asks (``annotations.labelling``);
``offer`` is what the toolbar shows before the editor presses a label
(``views.annotate.span_offer``): the span, its text and who labelled it. Both
read only the spans that overlap the selection and are long enough to
qualify, in one query, so their cost does not grow with the article.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F

from annotations import selection
from annotations.models import Article, Label, Span

# How much of an offered span's text the toolbar shows.
OFFER_QUOTE_CHARS = 120


def near_span(
    article_id: int, body: str, start: int, end: int, *, keep_separate: bool = False
) -> Span | None:
    """The article's span that ``body[start:end]`` (snapped) means, or None. One query.

    With ``keep_separate``, only a span at exactly these offsets (two spans
    never share their offsets).
    """
    spans = Span.objects.filter(article_id=article_id).order_by()
    low, high = selection.core(body, start, end)
    if keep_separate or low == high:
        spans = spans.filter(start=start, end=end)
    else:
        # Overlapping, and at least as long as a near-identical span must be.
        shortest = int((high - low) * selection.NEAR)
        spans = spans.filter(start__lt=end, end__gt=start, end__gte=F("start") + shortest)
    found = {span.pk: span for span in spans}
    key = selection.best(
        body,
        (start, end),
        [
            (pk, s.start, s.end)
            for pk, s in found.items()
            if s.start is not None and s.end is not None
        ],
    )
    return None if key is None else found[key]


@dataclass(frozen=True)
class Offer:
    """The existing span a selection would label, as the toolbar shows it."""

    span: Span
    quote: str
    reviewers: list[str]


def offer(article: Article, start: int, end: int) -> Offer | None:
    """The span a selection at ``start:end`` would be labelled on, when it is not a new one.

    The selection is snapped first, as the write will snap it. None when the
    selection makes a new span, or is exactly a span already (labelling it
    there is what the editor asked for; nothing to offer). Two queries.
    """
    start, end = selection.snap(article.body, start, end)
    if not 0 <= start < end <= len(article.body):
        return None
    span = near_span(article.pk, article.body, start, end)
    if span is None or (span.start, span.end) == (start, end):
        return None
    reviewers = (
        Label.objects.filter(span=span)
        .order_by("created_at", "pk")
        .values_list("reviewer__username", flat=True)
    )
    quote = span.quote
    if len(quote) > OFFER_QUOTE_CHARS:
        quote = quote[: OFFER_QUOTE_CHARS - 1] + "…"
    return Offer(span=span, quote=quote, reviewers=list(reviewers))
