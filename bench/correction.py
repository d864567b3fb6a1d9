"""A correction of the 5,000-span article through the app's write path (issue 14).

``labelling.revise_body`` as the edit form calls it: the article row locked,
the old body kept as a revision, every span re-anchored and the moved ones
stored in bulk. The correction is ``bench.reanchoring``'s typical one (a typo,
a figure, a word inserted in a span, an emoji, a new paragraph), so most
spans move: the largest update a correction makes. Each run is rolled back, so the dataset is unchanged for the
figures measured after it.
"""

from __future__ import annotations

import time

from django.contrib.auth.models import User
from django.db import transaction

from annotations.corrections import SpanText
from annotations.labelling import lock_article, revise_body
from annotations.models import Article, Span
from bench.dataset import Dataset
from bench.measure import Figure, count_queries
from bench.reanchoring import corrections

TARGET_MS = 1000.0


class _RolledBack(Exception):
    pass


def corrected(article_id: int) -> str:
    """The article's body after ``bench.reanchoring``'s typical correction."""
    body = Article.objects.get(pk=article_id).body
    spans = [
        SpanText(pk, start, end, quote, prefix, suffix)
        for pk, start, end, quote, prefix, suffix in Span.objects.filter(article_id=article_id)
        .order_by("id")
        .values_list("id", "start", "end", "quote", "prefix", "suffix")
        if start is not None and end is not None
    ]
    return next(iter(corrections(body, spans).values()))


def figure(data: Dataset, runs: int) -> Figure:
    article_id = data.long_article_id
    editor = User.objects.get(username=data.reviewer)
    timings: list[float] = []
    outcome: dict[str, int] = {}
    new_body = corrected(article_id)

    def correct() -> None:
        try:
            with transaction.atomic():
                article = lock_article(article_id)
                began = time.perf_counter()
                revise_body(article, new_body, editor=editor, reason="benchmark")
                timings.append((time.perf_counter() - began) * 1000)
                spans = Span.objects.filter(article_id=article_id)
                outcome["spans"] = spans.count()
                outcome["orphaned"] = spans.filter(start__isnull=True).count()
                raise _RolledBack
        except _RolledBack:
            pass

    correct()  # warm-up
    timings.clear()
    for _ in range(runs):
        correct()
    queries, _ = count_queries(correct)
    timings.pop()  # the counted run's time is not a timing run
    result = Figure(
        "correction",
        "Correct the 5,000-span article (re-anchor and store every span)",
        "ms",
        timings,
        target=TARGET_MS,
        note=(
            f"labelling.revise_body in one transaction, rolled back after each run: "
            f"bench.reanchoring's typical correction, so most of the "
            f"{outcome.get('spans', 0):,} spans move ({outcome.get('orphaned', 0)} orphaned). "
            f"{queries} queries, 4 of them the two counts of this harness; the moved spans "
            "are stored by one statement (one executemany on SQLite)."
        ),
    )
    return result
