"""The balance report of one article, and the overview of every article.

The figures come from the pure modules ``annotations.balance`` and
``annotations.agreement``; this module only fetches plain rows (values_list,
never model instances per label) in a constant number of queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from annotations import report_html
from annotations.agreement import agreement
from annotations.balance import (
    CATEGORIES,
    CATEGORY_NAMES,
    KINDS,
    UNSOURCED_SPECULATION,
    VERIFIED_FACT,
    Balance,
    balance,
    consensus,
    consensus_of_counts,
    verdict,
)
from annotations.models import Article, Label, Span

ARTICLES_PER_PAGE = 50
UNLABELLED = "unlabelled"
KIND_NAMES = {kind: name.capitalize() for kind, name in CATEGORY_NAMES.items()}


@dataclass(frozen=True)
class Segment:
    """One part of a stacked balance bar; ``x`` and ``width`` are percentages."""

    category: str
    name: str
    x: str
    width: str
    share: str
    chars: int
    spans: int | None


def bar(figures: Balance) -> list[Segment]:
    """The stacked bar: each category in a fixed order, then the unlabelled rest."""
    segments = []
    x = 0.0
    parts = [(c, figures.share(c), figures.chars[c], figures.spans[c]) for c in CATEGORIES]
    parts.append((UNLABELLED, figures.unlabelled_share, figures.unlabelled, None))
    for category, share, chars, spans in parts:
        segments.append(
            Segment(
                category=category,
                name=KIND_NAMES.get(category, "Not labelled"),
                x=f"{x * 100:.3f}%",
                width=f"{share * 100:.3f}%",
                share=f"{share * 100:.1f}%",
                chars=chars,
                spans=spans,
            )
        )
        x += share
    return segments


# --- One article's report ----------------------------------------------------


@dataclass(slots=True)
class ReportLabel:
    reviewer: str
    kind: str
    name: str
    note: str
    source_url: str


@dataclass(slots=True)
class ReportSpan:
    start: int
    end: int
    quote: str
    labels: list[ReportLabel] = field(default_factory=list)
    consensus: str | None = None

    @property
    def consensus_name(self) -> str:
        return KIND_NAMES.get(self.consensus or "", "")

    @property
    def unanimous(self) -> bool:
        return len({label.kind for label in self.labels}) <= 1


def _report_spans(article: Article) -> list[ReportSpan]:
    """Every labelled span of the article in reading order, with its labels. One query."""
    rows = (
        Label.objects.filter(span__article=article)
        .order_by("span__start", "-span__end", "span_id", "reviewer__username")
        .values_list(
            "span_id",
            "span__start",
            "span__end",
            "span__quote",
            "reviewer__username",
            "kind",
            "note",
            "source_url",
        )
    )
    spans: dict[int, ReportSpan] = {}
    for span_id, start, end, quote, reviewer, kind, note, source_url in rows:
        span = spans.get(span_id)
        if span is None:
            span = spans[span_id] = ReportSpan(start=start, end=end, quote=quote)
        span.labels.append(ReportLabel(reviewer, kind, KIND_NAMES[kind], note, source_url))
    for span in spans.values():
        span.consensus = consensus(label.kind for label in span.labels)
    return list(spans.values())


@require_GET
@login_required
def article_report(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=article_id)
    spans = _report_spans(article)
    figures = balance(len(article.body), ((s.start, s.end, s.consensus) for s in spans))
    by_label = {category: [] for category in CATEGORIES}
    for span in spans:
        by_label[span.consensus].append(span)
    disagreements = [span for span in spans if not span.unanimous]
    agreed = agreement({label.reviewer: label.kind for label in s.labels} for s in spans)
    return render(
        request,
        "annotations/report.html",
        {
            "article": article,
            "figures": figures,
            "segments": bar(figures),
            "bar": report_html.balance_bar(bar(figures)),
            "verdict": verdict(figures),
            "groups": [
                (
                    category,
                    KIND_NAMES[category],
                    len(by_label[category]),
                    report_html.spans_by_label(by_label[category]),
                )
                for category in CATEGORIES
            ],
            "disagreements": bool(disagreements),
            "disagreements_html": report_html.disagreements(disagreements),
            "agreement": agreed,
            "reviewers": sorted({label.reviewer for s in spans for label in s.labels}),
        },
    )


# --- The overview of every article ------------------------------------------

SORTS = ("date", "speculation", "verified")
DEFAULT_SORT = "-date"


@dataclass
class Summary:
    id: int
    title: str
    outlet: str
    date: datetime.date
    chars: int
    figures: Balance | None = None
    reviewers: int = 0

    def share(self, category: str) -> float | None:
        return self.figures.share_of_labelled(category) if self.figures else None

    @property
    def speculation(self) -> float | None:
        return self.share(UNSOURCED_SPECULATION)

    @property
    def verified(self) -> float | None:
        return self.share(VERIFIED_FACT)

    @property
    def bar(self) -> str:
        return report_html.balance_bar(bar(self.figures or balance(self.chars, ())), mini=True)


def _shares(summaries: dict[int, Summary], spans: QuerySet[Span]) -> None:
    """Fill in each summary's balance from one grouped query over ``spans``.

    One row per span with the number of reviewers who chose each kind (a
    GROUP BY on the span, read as plain tuples); consensus and the sweep run
    in Python, per article.
    """
    rows = (
        spans.order_by()
        .annotate(**{kind: Count("labels", filter=Q(labels__kind=kind)) for kind in KINDS})
        .values_list("article_id", "start", "end", *KINDS)
    )
    per_article: dict[int, list[tuple[int, int, str | None]]] = defaultdict(list)
    for article_id, start, end, *counts in rows:
        per_article[article_id].append((start, end, consensus_of_counts(counts)))
    for article_id, article_spans in per_article.items():
        summary = summaries.get(article_id)
        if summary is not None:
            summary.figures = balance(summary.chars, article_spans)


def _sorted(summaries: list[Summary], sort: str) -> list[Summary]:
    """Newest first by default; articles with nothing labelled sort last by share."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    # Ties (and the date sort itself) break newest first, then by id.
    summaries = sorted(summaries, key=lambda s: (s.date, s.id), reverse=True)
    if key == "date":
        return summaries if descending else summaries[::-1]
    known = [s for s in summaries if getattr(s, key) is not None]
    unknown = [s for s in summaries if getattr(s, key) is None]
    known.sort(key=lambda s: getattr(s, key), reverse=descending)
    return known + unknown


def _query(**params: str | int | None) -> str:
    """A shareable query string, leaving out what is the default."""
    kept = {k: v for k, v in params.items() if v not in (None, "", 1, DEFAULT_SORT)}
    return "?" + urlencode(kept) if kept else "?"


@require_GET
@login_required
def report_overview(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort") or DEFAULT_SORT
    if sort.lstrip("-") not in SORTS:
        choices = ", ".join(SORTS)
        return HttpResponseBadRequest(f"Unknown sort {sort!r}: use one of {choices}.")
    outlet = request.GET.get("outlet", "")
    articles = Article.objects.all()
    if outlet:
        articles = articles.filter(outlet=outlet)
    # The body's length in SQL: the text itself is never fetched here.
    summaries = {
        row[0]: Summary(row[0], row[1], row[2], row[3] or row[4].date(), row[5])
        for row in articles.order_by()
        .annotate(chars=Length("body"))
        .values_list("id", "title", "outlet", "published", "created_at", "chars")
    }
    spans = Span.objects.all()
    if sort.lstrip("-") == "date":
        # Dates are known without labels: only this page's shares are needed.
        ordered = _sorted(list(summaries.values()), sort)
        page = Paginator(ordered, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
        _shares(summaries, spans.filter(article_id__in=[s.id for s in page]))
    else:
        # Sorting by a share needs every (filtered) article's share first.
        if outlet:
            spans = spans.filter(article__outlet=outlet)
        _shares(summaries, spans)
        ordered = _sorted(list(summaries.values()), sort)
        page = Paginator(ordered, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    reviewers = dict(
        Label.objects.filter(span__article_id__in=[s.id for s in page])
        .order_by()
        .values_list("span__article_id")
        .annotate(n=Count("reviewer_id", distinct=True))
    )
    for summary in page:
        summary.reviewers = reviewers.get(summary.id, 0)

    def sort_link(key: str) -> str:
        # A second click on the current column reverses it; shares start highest first.
        target = key if sort == f"-{key}" else f"-{key}"
        return _query(sort=target, outlet=outlet)

    template = "annotations/report_overview.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#report-table"
    response = render(
        request,
        template,
        {
            "page": page,
            "sort": sort,
            "outlet": outlet,
            "outlets": Article.objects.exclude(outlet="")
            .order_by("outlet")
            .values_list("outlet", flat=True)
            .distinct(),
            "sort_links": {key: sort_link(key) for key in SORTS},
            "page_links": {
                "previous": _query(
                    sort=sort, outlet=outlet, page=page.number - 1 if page.has_previous() else None
                ),
                "next": _query(
                    sort=sort,
                    outlet=outlet,
                    page=page.next_page_number() if page.has_next() else None,
                ),
            },
        },
    )
    # The same URL answers with the page or the fragment: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
