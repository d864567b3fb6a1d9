"""Each article's figures for the /reports/ overview, kept in ``ArticleFigures``.

The figures are those of ``annotations.balance`` (the report page computes
the same ones afresh), with what the overview sorts by beside them (the
body's length, the coverage, the speculation and verified shares), so
/reports/ sorts and pages in SQL and reads no article body.

They are written where labels are written in bulk (the import commands, the
benchmark's loader: ``fill``) and for one article by ``update``, in the
same transaction as the write. ``ArticleFigures`` keeps them with the
article's ``labels_revision`` they were computed at; every label write bumps
the revision (``annotations.labelling``), so a row is used only while no
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
from annotations.kinds import KINDS, UNSOURCED_SPECULATION, VERIFIED_FACT
from annotations.models import Article, ArticleFigures, FinishedReview, Label, Span
from annotations.verdict import coverage

# The values_list fields a query adds for each article: Cached(article_id, *these).
FIELDS = (
    "labels_revision",
    "figures__revision",
    "figures__total",
    "figures__chars",
    "figures__spans",
    "figures__reviewers",
    "figures__finished",
    "figures__coverage",
)

# How many articles ``fill`` computes at a time.
BATCH = 1000


@dataclass(frozen=True)
class Cached:
    """What a query read about one article's figures (``FIELDS``)."""

    article_id: int
    revision: int  # the article's labels_revision
    cached_revision: int | None
    total: int | None  # characters of the body
    chars: dict[str, int] | None
    spans: dict[str, int] | None
    reviewers: list[str] | None = None
    finished: list[str] | None = None
    coverage: str | None = None

    @property
    def fresh(self) -> bool:
        # Rows cached before the body's length, reviewers and coverage were kept hold None: stale.
        return self.cached_revision == self.revision and None not in (
            self.total,
            self.chars,
            self.reviewers,
            self.finished,
            self.coverage,
        )

    @property
    def figures(self) -> Figures:
        assert self.fresh
        return Figures(
            Balance(self.total or 0, self.chars or {}, self.spans or {}),
            self.reviewers or [],
            self.finished or [],
        )


@dataclass(frozen=True)
class Figures:
    """One article's cached figures: its balance, who labelled it and who finished it."""

    balance: Balance
    reviewers: list[str]  # usernames of everyone who labelled or finished it, sorted
    finished: list[str]  # usernames of those who finished it, sorted


def balances(
    articles: Iterable[Cached], lengths: dict[int, int] | None = None
) -> dict[int, Figures]:
    """Every article's figures: from the cache, or computed and cached (``update``).

    Runs no query when every article's figures are fresh, else five; four when
    the caller read the articles' ``lengths`` (characters of the body) with them.
    """
    found: dict[int, Figures] = {}
    stale: list[Cached] = []
    for article in articles:
        if article.fresh:
            found[article.article_id] = article.figures
        else:
            stale.append(article)
    if stale and lengths is not None:
        revisions = {article.article_id: article.revision for article in stale}
        found.update(_store(revisions, {i: lengths[i] for i in revisions}))
    elif stale:
        found.update(update(article.article_id for article in stale))
    return found


def update(article_ids: Iterable[int]) -> dict[int, Figures]:
    """Compute the figures of ``article_ids`` from their labels and store them; five queries.

    Call it in the transaction that changed their labels (or finished reviews),
    after the change: the figures are then current when it commits.
    """
    ids = list(article_ids)
    if not ids:
        return {}
    # Revisions first: a write landing after this read leaves the row stale, never wrong.
    rows = list(
        Article.objects.filter(id__in=ids)
        .order_by()
        .annotate(total=Length("body"))
        .values_list("id", "labels_revision", "total")
    )
    revisions = {article_id: revision for article_id, revision, _ in rows}
    return _store(revisions, {article_id: total for article_id, _, total in rows})


def _store(revisions: dict[int, int], totals: dict[int, int]) -> dict[int, Figures]:
    """Compute and store the figures of the articles in ``revisions`` (their
    ``labels_revision``, read before their labels) of ``totals`` characters."""
    computed = _compute(totals)
    ArticleFigures.objects.bulk_create(
        [
            _row(article_id, revisions[article_id], figures)
            for article_id, figures in computed.items()
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=UPDATED,
    )
    return computed


def fill(articles: QuerySet[Article] | None = None, batch: int = BATCH) -> int:
    """The figures of every article (of ``articles``), ``batch`` at a time, as a bulk import
    must leave them; returns how many were filled."""
    ids = (articles if articles is not None else Article.objects.all()).order_by("id")
    filled = 0
    pending: list[int] = []
    for article_id in ids.values_list("id", flat=True).iterator(chunk_size=batch):
        pending.append(article_id)
        if len(pending) == batch:
            filled += len(update(pending))
            pending = []
    return filled + len(update(pending))


def refresh(articles: QuerySet[Article]) -> None:
    """Bring the cached figures of ``articles`` up to date (the CSV export reads their
    coverage). One query when they are fresh, five at most."""
    rows = list(
        articles.order_by().annotate(length=Length("body")).values_list("id", "length", *FIELDS)
    )
    balances((Cached(i, *cached) for i, _, *cached in rows), {i: n for i, n, *_ in rows})


# What an upsert of a row writes: every column but the article.
UPDATED = [
    "revision",
    "total",
    "chars",
    "spans",
    "reviewers",
    "finished",
    "coverage",
    "covered",
    "speculation",
    "verified",
]


def _row(article_id: int, revision: int, figures: Figures) -> ArticleFigures:
    shown = figures.balance
    return ArticleFigures(
        article_id=article_id,
        revision=revision,
        total=shown.total,
        chars=shown.chars,
        spans=shown.spans,
        reviewers=figures.reviewers,
        finished=figures.finished,
        coverage=coverage_cell(shown.labelled, shown.total),
        # What the overview sorts by, as report.Summary computes it from the balance.
        covered=coverage(shown),
        speculation=shown.share_of_labelled(UNSOURCED_SPECULATION),
        verified=shown.share_of_labelled(VERIFIED_FACT),
    )


def _compute(totals: dict[int, int]) -> dict[int, Figures]:
    """Figures from the labels of the articles in ``totals`` (their bodies' lengths): one
    GROUP BY on the span, a count per kind, as plain rows; then who labelled and who
    finished each article."""
    ids = list(totals)
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
            balance(total, per_article.get(article_id, ())),
            sorted(reviewers[article_id] | finished[article_id]),
            sorted(finished[article_id]),
        )
        for article_id, total in totals.items()
    }
