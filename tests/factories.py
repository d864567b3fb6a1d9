"""Test data built through the same domain layer the app uses."""

from __future__ import annotations

from annotations.labelling import label_span
from annotations.models import Article, Label


def label_quote(
    article: Article, reviewer, quote: str, kind: str, note: str = "", source_url: str = ""
) -> Label:
    """``reviewer`` labels the first occurrence of ``quote`` in ``article``."""
    start = article.body.index(quote)
    return label_span(
        article=article,
        reviewer=reviewer,
        start=start,
        end=start + len(quote),
        quote=quote,
        kind=kind,
        note=note,
        source_url=source_url,
    )
