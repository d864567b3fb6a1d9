"""Each article's balance for the /reports/ overview: cached, and recomputed when stale.

The figures are those of ``annotations.balance`` (the report page computes
the same ones afresh). ``ArticleFigures`` keeps them with the article's
``labels_revision`` they were computed at; every label write bumps the
revision (``annotations.labelling``), so a cached row is used only while no
label of its article has changed since. Revisions are read before labels,
so figures computed while a write lands are stored under the older revision
and recomputed next time: the cache can be cold, never wrong. Finishing or
reopening a review bumps the revision too (``labelling.set_finished``): who
is done is cached with the figures, and the verdict counts them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length

from annotations.balance import Balance, balance, consensus_of_counts
from annotations.csvexport import coverage_cell
from annotations.kinds import KINDS
from annotations.models import Article, ArticleFigures, FinishedReview, Label, Span

# The values_list fields an overview query adds for each article.
FIELDS = (
    "labels_revision",
    "figures__revision",
    "figures__chars",
    "figures__spans",
    "figures__reviewers",
    "figures__finished",
    "figures__coverage",
)


@dataclass(frozen=True)
class Cached:
    """What the overview's query read about one article's figures."""

    article_id: int
    total: int  # characters of the body
    revision: int  # the article's labels_revision
    cached_revision: int | None
    chars: dict[str, int] | None
    spans: dict[str, int] | None
    reviewers: list[str] | None = None
    finished: list[str] | None = None
    coverage: str | None = None

    @property
    def fresh(self) -> bool:
        # Rows cached before reviewers and coverage were kept hold None: stale.
        return self.cached_revision == self.revision and None not in (
            self.chars,
            self.reviewers,
            self.finished,
            self.coverage,
        )


@dataclass(frozen=True)
class Figures:
    """One article's cached figures: its balance, who labelled it and who finished it."""

    balance: Balance
    reviewers: list[str]  # usernames of everyone who labelled or finished it, sorted
    finished: list[str]  # usernames of those who finished it, sorted


def balances(articles: Iterable[Cached]) -> dict[int, Figures]:
    """Every article's figures: from the cache, or computed and cached.

    Runs no query when every article's figures are fresh, else four (labels,
    reviewers and finished reviews of the stale articles; one upsert).
    """
    found: dict[int, Figures] = {}
    stale: dict[int, Cached] = {}
    for article in articles:
        if article.fresh:
            found[article.article_id] = Figures(
                Balance(article.total, article.chars or {}, article.spans or {}),
                article.reviewers or [],
                article.finished or [],
            )
        else:
            stale[article.article_id] = article
    if stale:
        computed = _compute(stale)
        ArticleFigures.objects.bulk_create(
            [
                ArticleFigures(
                    article_id=article_id,
                    revision=stale[article_id].revision,
                    chars=figures.balance.chars,
                    spans=figures.balance.spans,
                    reviewers=figures.reviewers,
                    finished=figures.finished,
                    coverage=coverage_cell(figures.balance.labelled, figures.balance.total),
                )
                for article_id, figures in computed.items()
            ],
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=["revision", "chars", "spans", "reviewers", "finished", "coverage"],
        )
        found.update(computed)
    return found


def refresh(articles: QuerySet[Article]) -> None:
    """Bring the cached figures of ``articles`` up to date (the CSV export reads their
    coverage). One query when they are fresh, five at most."""
    rows = articles.order_by().annotate(chars=Length("body")).values_list("id", "chars", *FIELDS)
    balances(Cached(*row) for row in rows)


def _compute(articles: dict[int, Cached]) -> dict[int, Figures]:
    """Figures from the labels: one GROUP BY on the span, a count per kind, as plain rows;
    then who labelled and who finished each article."""
    ids = list(articles)
    rows = (
        Span.objects.filter(article_id__in=ids, start__isnull=False)  # not orphans
        .order_by()
        .annotate(**{kind: Count("labels", filter=Q(labels__kind=kind)) for kind in KINDS})
        .values_list("article_id", "start", "end", *KINDS)
    )
    per_article: dict[int, list[tuple[int, int, str | None]]] = defaultdict(list)
    for article_id, start, end, *counts in rows:
        per_article[article_id].append((start, end, consensus_of_counts(counts)))
    reviewers: defaultdict[int, set[str]] = defaultdict(set)
    labelled = Label.objects.filter(article_id__in=ids).order_by().distinct()
    for article_id, name in labelled.values_list("article_id", "reviewer__username"):
        reviewers[article_id].add(name)
    finished: defaultdict[int, set[str]] = defaultdict(set)
    done = FinishedReview.objects.filter(article_id__in=ids).order_by()
    for article_id, name in done.values_list("article_id", "reviewer__username"):
        finished[article_id].add(name)
    return {
        article_id: Figures(
            balance(article.total, per_article.get(article_id, ())),
            sorted(reviewers[article_id] | finished[article_id]),
            sorted(finished[article_id]),
        )
        for article_id, article in articles.items()
    }
