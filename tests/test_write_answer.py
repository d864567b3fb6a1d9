"""A label write answers from what it read under the article's lock, not from a second read.

``labelling.label_selection`` reads the spans of the paragraphs it touches
(``matching.nearby``), applies its own write to them and hands them to
``highlights.changed`` (``Known``), which then needs no query. Its answer must be
exactly the one a fresh read after the write gives: the same paragraphs, item and count.
"""

from __future__ import annotations

import random

from annotations import selection
from annotations.highlights import changed
from annotations.ingest import ArticleData, save_article
from annotations.labelling import label_selection
from annotations.models import Article, Label

BODY = "\n\n".join(
    [
        "Officials say 300,000 reservists were called up, and more may follow soon.",
        "One version is that he could draft up to two million, including women.",
        "Reporters saw the medics; the café was closed. Nobody would say why.",
    ]
)


def _words(body: str) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    start: int | None = None
    for index, char in enumerate(body + " "):
        if char.isspace() or char in ",.;":
            if start is not None:
                found.append((start, index))
                start = None
        elif start is None:
            start = index
    return found


def test_the_answer_from_the_write_equals_a_fresh_read(alice, bob):
    article, _ = save_article(ArticleData(title="Answer", body=BODY), created_by=alice)
    words = _words(article.body)
    rng = random.Random(5)
    outcomes = set()
    for _ in range(120):
        first = rng.randrange(len(words))
        last = min(len(words) - 1, first + rng.randrange(0, 12))
        start, end = words[first][0], words[last][1]
        if rng.random() < 0.3:  # a ragged selection, snapped by the write
            start, end = start + rng.randrange(0, 2), end - rng.randrange(0, 2)
        start, end = selection.snap(article.body, start, end)
        done = label_selection(
            article=article.pk,
            reviewer=rng.choice([alice, bob]),
            start=start,
            end=end,
            quote=article.body[start:end],
            kind=rng.choice(["verified_fact", "official_claim", "unsourced_speculation"]),
            note=rng.choice(["", "a note"]),
            keep_separate=rng.random() < 0.2,
        )
        span = done.label.span
        fresh = Article.objects.get(pk=article.pk)
        known = changed(fresh, span, span_was_new=done.span_created, known=done.known)
        read = changed(fresh, span, span_was_new=done.span_created)
        assert known == read
        outcomes.add((done.span_created, Label.objects.filter(span_id=span.id).count()))
    # New spans, spans joined by a second reviewer, and labels changed in place all occurred.
    assert {(True, 1), (False, 1), (False, 2)} <= outcomes
