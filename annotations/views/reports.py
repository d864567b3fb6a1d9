"""The balance report of one article, and the overview of every article.

The figures come from the pure modules ``annotations.balance`` and
``annotations.agreement``; this module only fetches plain rows (values_list,
never model instances per label) in a constant number of queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import Length
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from annotations import report_html
from annotations.agreement import agreement
from annotations.balance import (
    CATEGORIES,
    CATEGORY_NAMES,
    UNSOURCED_SPECULATION,
    VERIFIED_FACT,
    Balance,
    balance,
    consensus,
    verdict,
)
from annotations.figures import FIELDS as FIGURE_FIELDS
from annotations.figures import Cached, balances
from annotations.models import Article, Label
from annotations.views.errors import bad_request

ARTICLES_PER_PAGE = 50
UNLABELLED = "unlabelled"
KIND_NAMES = {kind: name.capitalize() for kind, name in CATEGORY_NAMES.items()}


def bar(figures: Balance) -> list[report_html.BarSegment]:
    """The stacked bar: each category in a fixed order, then the unlabelled rest."""
    segments = []
    x = 0.0
    parts = [(c, figures.share(c), figures.chars[c], figures.spans[c]) for c in CATEGORIES]
    parts.append((UNLABELLED, figures.unlabelled_share, figures.unlabelled, None))
    for category, share, chars, spans in parts:
        segments.append(
            report_html.BarSegment(
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
    note: str = ""  # filled in by _fill_details for the spans a page lists
    source_url: str = ""


@dataclass(slots=True)
class ReportSpan:
    id: int
    start: int
    end: int
    quote: str = ""  # filled in by _fill_details for the spans a page lists
    labels: list[ReportLabel] = field(default_factory=list)
    consensus: str | None = None

    @property
    def consensus_name(self) -> str:
        return KIND_NAMES.get(self.consensus or "", "")

    @property
    def unanimous(self) -> bool:
        return len({label.kind for label in self.labels}) <= 1


def _report_spans(article: Article) -> list[ReportSpan]:
    """Every labelled span of the article in reading order, with who chose what. One query.

    Only what the figures need (offsets, reviewers, kinds): quotes, notes and
    sources are read for the spans a page lists, by ``_fill_details``.
    """
    rows = (
        # Both sides filtered by article, so PostgreSQL reads two index ranges
        # instead of hashing every span in the database.
        Label.objects.filter(article=article, span__article=article)
        .order_by("span__start", "-span__end", "span_id", "reviewer__username")
        .values_list("span_id", "span__start", "span__end", "reviewer__username", "kind")
    )
    spans: dict[int, ReportSpan] = {}
    for span_id, start, end, reviewer, kind in rows:
        span = spans.get(span_id)
        if span is None:
            span = spans[span_id] = ReportSpan(span_id, start, end)
        span.labels.append(ReportLabel(reviewer, kind, KIND_NAMES[kind]))
    for span in spans.values():
        span.consensus = consensus([label.kind for label in span.labels])
    return list(spans.values())


def _fill_details(spans: Iterable[ReportSpan]) -> None:
    """The quote of each of ``spans``, and its labels' notes and sources. One query."""
    by_id = {span.id: span for span in spans}
    rows = Label.objects.filter(span_id__in=list(by_id)).values_list(
        "span_id", "span__quote", "reviewer__username", "note", "source_url"
    )
    for span_id, quote, reviewer, note, source_url in rows:
        span = by_id[span_id]
        span.quote = quote
        for label in span.labels:
            if label.reviewer == reviewer:
                label.note, label.source_url = note, source_url


# Spans listed at first in each of the report's lists; "Show all" loads the rest.
# Written out in full, 5,000 spans made a 2.5 MB page that took twice the
# benchmark's 100 ms target (bench/RESULTS.md); the figures still count every span.
INLINE_REPORT_SPANS = 100
DISAGREEMENTS = "disagreements"


def _report_lists(spans: list[ReportSpan]) -> dict[str, list[ReportSpan]]:
    """Each list of the report, by name: a category's spans, and the disagreements."""
    lists: dict[str, list[ReportSpan]] = {category: [] for category in CATEGORIES}
    for span in spans:
        lists[span.consensus].append(span)
    lists[DISAGREEMENTS] = [span for span in spans if not span.unanimous]
    return lists


def _list_html(name: str, spans: list[ReportSpan]) -> str:
    if name == DISAGREEMENTS:
        return report_html.disagreements(spans)
    return report_html.spans_by_label(spans)


@require_GET
@login_required
def article_report(request: HttpRequest, article_id: int, every_span: bool = False) -> HttpResponse:
    article = get_object_or_404(Article, pk=article_id)
    spans = _report_spans(article)
    figures = balance(len(article.body), ((s.start, s.end, s.consensus) for s in spans))
    lists = _report_lists(spans)
    shown = lists if every_span else {n: s[:INLINE_REPORT_SPANS] for n, s in lists.items()}
    _fill_details(span for listed in shown.values() for span in listed)
    agreed = agreement({label.reviewer: label.kind for label in s.labels} for s in spans)
    disagreements = lists[DISAGREEMENTS]
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
                    len(lists[category]),
                    _list_html(category, shown[category]),
                    len(lists[category]) - len(shown[category]),
                )
                for category in CATEGORIES
            ],
            "disagreements": bool(disagreements),
            "disagreements_html": _list_html(DISAGREEMENTS, shown[DISAGREEMENTS]),
            "disagreement_count": len(disagreements),
            "more_disagreements": len(disagreements) - len(shown[DISAGREEMENTS]),
            "agreement": agreed,
            "reviewers": sorted({label.reviewer for s in spans for label in s.labels}),
        },
    )


@require_GET
@login_required
def report_list(request: HttpRequest, article_id: int, name: str) -> HttpResponse:
    """Every item of one of the report's lists, for its "Show all" link.

    Without htmx, the report with every list in full.
    """
    if name not in (*CATEGORIES, DISAGREEMENTS):
        raise Http404("No such list.")
    if not request.htmx:
        return article_report(request, article_id, every_span=True)
    article = get_object_or_404(Article, pk=article_id)
    listed = _report_lists(_report_spans(article))[name]
    _fill_details(listed)
    return HttpResponse(_list_html(name, listed))


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
        # Never echo the value: this answer once carried an attacker's markup (issue 10).
        choices = ", ".join(SORTS)
        return bad_request(request, message=f"Unknown sort order. Sort by one of: {choices}.")
    outlet = request.GET.get("outlet", "")
    articles = Article.objects.all()
    if outlet:
        articles = articles.filter(outlet=outlet)
    # The body's length in SQL: the text itself is never fetched here. Each
    # article's cached figures come in the same query (annotations.figures).
    rows = (
        articles.order_by()
        .annotate(chars=Length("body"))
        .values_list("id", "title", "outlet", "published", "created_at", "chars", *FIGURE_FIELDS)
    )
    summaries: dict[int, Summary] = {}
    cached: dict[int, Cached] = {}
    for id, title, outlet_name, published, created_at, chars, *cache in rows:
        summaries[id] = Summary(id, title, outlet_name, published or created_at.date(), chars)
        cached[id] = Cached(id, chars, *cache)
    by_date = sort.lstrip("-") == "date"
    if by_date:
        # Dates are known without labels: only this page's figures are needed.
        ordered = _sorted(list(summaries.values()), sort)
        page = Paginator(ordered, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
        wanted = [cached[s.id] for s in page]
    else:
        # Sorting by a share needs every (filtered) article's figures first.
        wanted = list(cached.values())
    for article_id, figures in balances(wanted).items():
        summaries[article_id].figures = figures
    if not by_date:
        ordered = _sorted(list(summaries.values()), sort)
        page = Paginator(ordered, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    reviewers = dict(
        Label.objects.filter(article_id__in=[s.id for s in page])
        .order_by()
        .values_list("article_id")
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
