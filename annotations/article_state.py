"""An article read together with what its page and its report show beside the text.

Both pages show who has finished reviewing the article, and the spans a
correction orphaned. Each was a query of its own on every view of a page,
though almost every article has no orphan: here both come with the article
in the one query that reads it (issue 17: the 2,000-span page spent 1.5 ms
on the two). ``attention.needs_attention`` then reads orphans only when
there are some.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import get_object_or_404

from annotations.highlights import JoinedUsernames
from annotations.models import AnchorState, Article, FinishedReview, Span


def get_article_with_state(article_id: int) -> Article:
    """``access.get_article``, with ``has_orphans`` and ``finished_by`` (the usernames
    of those who finished it, comma-joined, or None) read in the same query."""
    finished_by = (
        FinishedReview.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(names=JoinedUsernames("reviewer__username"))
        .values("names")
    )
    # An orphan has no place (a constraint says so): asked with its NULL start, the
    # index on (article, start, end) finds it, where the anchor alone read every span.
    orphaned = Span.objects.filter(
        article=OuterRef("pk"), start__isnull=True, anchor=AnchorState.ORPHANED
    )
    articles = Article.objects.annotate(
        has_orphans=Exists(orphaned), finished_by=Subquery(finished_by)
    )
    return get_object_or_404(articles, pk=article_id)


def has_orphans(article: Article) -> bool:
    """Whether any span of ``article`` is orphaned, as far as its read says: True (ask)
    for an article read without ``get_article_with_state``."""
    return getattr(article, "has_orphans", True)


def finished_names(article: Article) -> list[str] | None:
    """Who finished ``article``, sorted, from ``get_article_with_state``'s read; None for
    an article read without it."""
    if not hasattr(article, "finished_by"):
        return None
    return sorted(article.finished_by.split(",")) if article.finished_by else []
