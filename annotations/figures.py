"""Each article's balance for the /reports/ overview: cached, and recomputed when stale.

The figures are those of ``annotations.balance`` (the report page computes
the same ones afresh). ``ArticleFigures`` keeps them with the article's
``labels_revision`` they were computed at; every label write bumps the
revision (``annotations.labelling``), so a cached row is used only while no
label of its article has changed since. Revisions are read before labels,
so figures computed while a write lands are stored under the older revision
and recomputed next time: the cache can be cold, never wrong.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from annotations.balance import Balance, balance, consensus_of_counts
from annotations.kinds import KINDS
from annotations.models import ArticleFigures, Span

# The values_list fields an overview query adds for each article.
FIELDS = ("labels_revision", "figures__revision", "figures__chars", "figures__spans")


@dataclass(frozen=True)
class Cached:
    """What the overview's query read about one article's figures."""

    article_id: int
    total: int  # characters of the body
    revision: int  # the article's labels_revision
    cached_revision: int | None
    chars: dict[str, int] | None
    spans: dict[str, int] | None


def balances(articles: Iterable[Cached]) -> dict[int, Balance]:
    """Every article's balance: from the cache, or computed in one query and cached.

    Runs no query when every article's figures are fresh, else two (labels of
    the stale articles; one upsert).
    """
    found: dict[int, Balance] = {}
    stale: dict[int, Cached] = {}
    for article in articles:
        if article.cached_revision == article.revision and article.chars is not None:
            found[article.article_id] = Balance(article.total, article.chars, article.spans or {})
        else:
            stale[article.article_id] = article
    if stale:
        computed = _compute(stale)
        ArticleFigures.objects.bulk_create(
            [
                ArticleFigures(
                    article_id=article_id,
                    revision=stale[article_id].revision,
                    chars=figures.chars,
                    spans=figures.spans,
                )
                for article_id, figures in computed.items()
            ],
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=["revision", "chars", "spans"],
        )
        found.update(computed)
    return found


def _compute(articles: dict[int, Cached]) -> dict[int, Balance]:
    """Balances from the labels: one GROUP BY on the span, a count per kind, as plain rows."""
    rows = (
        Span.objects.filter(article_id__in=list(articles), start__isnull=False)  # not orphans
        .order_by()
        .annotate(**{kind: Count("labels", filter=Q(labels__kind=kind)) for kind in KINDS})
        .values_list("article_id", "start", "end", *KINDS)
    )
    per_article: dict[int, list[tuple[int, int, str | None]]] = defaultdict(list)
    for article_id, start, end, *counts in rows:
        per_article[article_id].append((start, end, consensus_of_counts(counts)))
    return {
        article_id: balance(article.total, per_article.get(article_id, ()))
        for article_id, article in articles.items()
    }
