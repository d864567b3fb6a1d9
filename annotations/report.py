"""What the reports show: one article's balance, agreement and lists, and the overview.

The figures come from the pure modules ``annotations.balance`` and
``annotations.agreement``; this module reads plain rows (``values_list``,
never a model instance per label) in a constant number of queries, and
shapes them for ``views.reports``. The long lists are built as HTML by
``annotations.report_html``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.db.models.functions import Length
from django.utils.safestring import SafeString

from annotations import report_html
from annotations.agreement import Agreement, agreement
from annotations.balance import Balance, balance, consensus, verdict
from annotations.figures import FIELDS as FIGURE_FIELDS
from annotations.figures import Cached, balances
from annotations.kinds import CATEGORIES, NAMES, UNSOURCED_SPECULATION, VERIFIED_FACT
from annotations.models import Article, Label

# The rest of a balance bar: the text no span's consensus owns.
UNLABELLED = "unlabelled"
UNLABELLED_NAME = "Not labelled"


def bar(figures: Balance) -> list[report_html.BarSegment]:
    """The stacked bar: each category in a fixed order, then the unlabelled rest."""
    parts: list[tuple[str, float, int, int | None]] = [
        (c, figures.share(c), figures.chars[c], figures.spans[c]) for c in CATEGORIES
    ]
    parts.append((UNLABELLED, figures.unlabelled_share, figures.unlabelled, None))
    segments = []
    x = 0.0
    for category, share, chars, spans in parts:
        segments.append(
            report_html.BarSegment(
                category=category,
                name=NAMES.get(category, UNLABELLED_NAME),
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

# Spans listed at first in each of the report's lists; "Show all" loads the rest.
# Written out in full, a long article's lists made a page of megabytes, far
# over the benchmark's target (bench/RESULTS.md); the figures still count every span.
INLINE_REPORT_SPANS = 100
DISAGREEMENTS = "disagreements"
LISTS = (*CATEGORIES, DISAGREEMENTS)


@dataclass(slots=True)
class ReportLabel:
    reviewer: str
    kind: str
    note: str = ""  # filled in by _fill_details for the spans a page lists
    source_url: str = ""


@dataclass(slots=True)
class ReportSpan:
    id: int
    start: int
    end: int
    quote: str = ""  # filled in by _fill_details for the spans a page lists
    labels: list[ReportLabel] = field(default_factory=list)
    consensus: str = ""

    @property
    def unanimous(self) -> bool:
        return len({label.kind for label in self.labels}) <= 1


@dataclass(frozen=True)
class ReportList:
    """One list of the report: a category's spans, or the disagreements."""

    name: str
    title: str
    count: int
    html: SafeString  # the first INLINE_REPORT_SPANS items, or every one
    more: int  # items left for "Show all"


@dataclass(frozen=True)
class ArticleReport:
    figures: Balance
    segments: list[report_html.BarSegment]
    bar: SafeString
    verdict: str
    by_label: list[ReportList]
    disagreements: ReportList
    agreement: Agreement


def article_report(article: Article, *, every_span: bool = False) -> ArticleReport:
    """The whole report of ``article``; its lists in full with ``every_span``. Two queries."""
    spans = _report_spans(article)
    figures = balance(len(article.body), ((s.start, s.end, s.consensus) for s in spans))
    lists = _lists(spans)
    shown = lists if every_span else {n: s[:INLINE_REPORT_SPANS] for n, s in lists.items()}
    _fill_details(span for listed in shown.values() for span in listed)
    report_lists = {
        name: ReportList(
            name=name,
            title=NAMES.get(name, "Disagreements"),
            count=len(lists[name]),
            html=_list_html(name, shown[name]),
            more=len(lists[name]) - len(shown[name]),
        )
        for name in LISTS
    }
    segments = bar(figures)
    return ArticleReport(
        figures=figures,
        segments=segments,
        bar=report_html.balance_bar(segments),
        verdict=verdict(figures),
        by_label=[report_lists[category] for category in CATEGORIES],
        disagreements=report_lists[DISAGREEMENTS],
        agreement=agreement({label.reviewer: label.kind for label in s.labels} for s in spans),
    )


def report_list_html(article: Article, name: str) -> SafeString:
    """Every item of one of the report's lists (``LISTS``), for its "Show all" link. Two queries."""
    listed = _lists(_report_spans(article))[name]
    _fill_details(listed)
    return _list_html(name, listed)


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
        span.labels.append(ReportLabel(reviewer, kind))
    for span in spans.values():
        span.consensus = consensus([label.kind for label in span.labels]) or ""
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


def _lists(spans: list[ReportSpan]) -> dict[str, list[ReportSpan]]:
    """Each list of the report, by name: a category's spans, and the disagreements."""
    lists: dict[str, list[ReportSpan]] = {category: [] for category in CATEGORIES}
    for span in spans:
        lists[span.consensus].append(span)
    lists[DISAGREEMENTS] = [span for span in spans if not span.unanimous]
    return lists


def _list_html(name: str, spans: list[ReportSpan]) -> SafeString:
    if name == DISAGREEMENTS:
        return report_html.disagreements(spans)
    return report_html.spans_by_label(spans)


# --- The overview of every article -------------------------------------------

ARTICLES_PER_PAGE = 50
SORTS = ("date", "speculation", "verified")
DEFAULT_SORT = "-date"


class UnknownSort(ValueError):
    def __init__(self) -> None:
        # The value sent is never repeated: this answer once carried an attacker's markup.
        super().__init__(f"Unknown sort order. Sort by one of: {', '.join(SORTS)}.")


@dataclass
class Summary:
    """One article's row of the overview."""

    id: int
    title: str
    outlet: str
    authors: str
    date: datetime.date  # what the date sort uses: published, else the day it was added
    chars: int
    published: datetime.date | None = None  # what the Published column shows
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
    def bar(self) -> SafeString:
        return report_html.balance_bar(bar(self.figures or balance(self.chars, ())), mini=True)


@dataclass(frozen=True)
class Column:
    """A heading of the overview's table; ``sort`` names the sort it offers, if any."""

    title: str
    css: str = ""
    sort: str = ""


COLUMNS = (
    Column("Title"),
    Column("Outlet"),
    Column("Author(s)"),
    Column("Published", sort="date"),
    Column("Balance", css="bar-col"),
    Column("Spans", css="num"),
    Column("Reviewers", css="num"),
    Column("Speculation", css="num", sort="speculation"),
    Column("Verified", css="num", sort="verified"),
)


@dataclass(frozen=True)
class Heading:
    column: Column
    link: str = ""  # the query string that sorts by this column
    aria_sort: str = ""  # "ascending" or "descending" on the current sort's column


@dataclass(frozen=True)
class Overview:
    page: Page[Summary]
    sort: str
    outlet: str
    outlets: list[str]
    headings: list[Heading]
    previous_link: str
    next_link: str


def overview(*, sort: str, outlet: str, page_number: str | None) -> Overview:
    """One page of every article's summary, sorted and filtered. Five queries at most.

    Raises ``UnknownSort`` for a sort not in ``SORTS`` (``-`` before it reverses it).
    """
    sort = sort or DEFAULT_SORT
    if sort.lstrip("-") not in SORTS:
        raise UnknownSort()
    page = _page(sort, outlet, page_number)
    reviewers = dict(
        Label.objects.filter(article_id__in=[s.id for s in page])
        .order_by()
        .values_list("article_id")
        .annotate(n=Count("reviewer_id", distinct=True))
    )
    for summary in page:
        summary.reviewers = reviewers.get(summary.id, 0)
    return Overview(
        page=page,
        sort=sort,
        outlet=outlet,
        outlets=list(
            Article.objects.exclude(outlet="")
            .order_by("outlet")
            .values_list("outlet", flat=True)
            .distinct()
        ),
        headings=[_heading(column, sort, outlet) for column in COLUMNS],
        previous_link=_query(
            sort=sort, outlet=outlet, page=page.number - 1 if page.has_previous() else None
        ),
        next_link=_query(
            sort=sort, outlet=outlet, page=page.next_page_number() if page.has_next() else None
        ),
    )


def _page(sort: str, outlet: str, page_number: str | None) -> Page[Summary]:
    """The page of summaries, with the figures of (at least) the articles on it."""
    articles = Article.objects.all()
    if outlet:
        articles = articles.filter(outlet=outlet)
    # The body's length in SQL: the text itself is never fetched here. Each
    # article's cached figures come in the same query (annotations.figures).
    rows = (
        articles.order_by()
        .annotate(chars=Length("body"))
        .values_list(
            "id", "title", "outlet", "byline", "published", "created_at", "chars", *FIGURE_FIELDS
        )
    )
    summaries: dict[int, Summary] = {}
    cached: dict[int, Cached] = {}
    for id, title, outlet_name, authors, published, created_at, chars, *cache in rows:
        date = published or created_at.date()
        summaries[id] = Summary(id, title, outlet_name, authors, date, chars, published)
        cached[id] = Cached(id, chars, *cache)
    if sort.lstrip("-") == "date":
        # Dates are known without labels: only this page's figures are needed.
        page = Paginator(_sorted(list(summaries.values()), sort), ARTICLES_PER_PAGE)
        shown = page.get_page(page_number)
        for article_id, figures in balances([cached[s.id] for s in shown]).items():
            summaries[article_id].figures = figures
        return shown
    # Sorting by a share needs every (filtered) article's figures first.
    for article_id, figures in balances(cached.values()).items():
        summaries[article_id].figures = figures
    ordered = _sorted(list(summaries.values()), sort)
    return Paginator(ordered, ARTICLES_PER_PAGE).get_page(page_number)


def mini_bars(article_ids: Iterable[int]) -> dict[int, SafeString]:
    """Each article's small balance bar, as the overview shows it (for the article list).

    One query when every article's figures are cached, three when some are stale
    (``figures.balances``), however many articles.
    """
    rows = (
        Article.objects.filter(id__in=list(article_ids))
        .order_by()
        .annotate(chars=Length("body"))
        .values_list("id", "chars", *FIGURE_FIELDS)
    )
    cached = [Cached(id, chars, *cache) for id, chars, *cache in rows]
    figures = balances(cached)
    return {
        c.article_id: report_html.balance_bar(
            bar(figures.get(c.article_id) or balance(c.total, ())), mini=True
        )
        for c in cached
    }


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


def _heading(column: Column, sort: str, outlet: str) -> Heading:
    if not column.sort:
        return Heading(column)
    # A second click on the current column reverses it; every column starts highest first.
    target = column.sort if sort == f"-{column.sort}" else f"-{column.sort}"
    current = {column.sort: "ascending", f"-{column.sort}": "descending"}.get(sort, "")
    return Heading(column, link=_query(sort=target, outlet=outlet), aria_sort=current)


def _query(**params: str | int | None) -> str:
    """A shareable query string, leaving out what is the default."""
    kept = {k: v for k, v in params.items() if v not in (None, "", 1, DEFAULT_SORT)}
    return "?" + urlencode(kept) if kept else "?"
