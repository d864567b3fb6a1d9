"""What the reports show: one article's balance, agreement and lists, and the overview.

The figures come from the pure modules ``annotations.balance`` and
``annotations.agreement``; this module reads plain rows (``values_list``,
never a model instance per label) in a constant number of queries, and
shapes them for ``views.reports``. The long lists are built as HTML by
``annotations.report_html``.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DateField,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Concat, TruncDate
from django.db.models.sql.compiler import SQLCompiler
from django.utils.safestring import SafeString

from annotations import figures, report_html
from annotations.agreement import Agreement, agreement_of_counts
from annotations.balance import Balance, balance, consensus
from annotations.figures import FIELDS as FIGURE_FIELDS
from annotations.figures import Cached, Figures
from annotations.kinds import CATEGORIES, NAMES, UNSOURCED_SPECULATION, VERIFIED_FACT
from annotations.models import Article, Label
from annotations.text_agreement import TextAgreement, text_agreement_of_groups
from annotations.verdict import (
    MIN_COVERAGE,
    RULES,
    Verdict,
    coverage,
    coverage_flag,
    judge,
    pct,
    too_little,
)


def bar(figures: Balance) -> list[report_html.BarSegment]:
    """The stacked bar: each category's share of the labelled text, in a fixed order.

    The one basis of every share (``annotations.verdict``); how much of the
    article is labelled is said next to the bar, as its coverage.
    """
    segments = []
    x = 0.0
    for category in CATEGORIES:
        share = figures.share_of_labelled(category) or 0.0
        segments.append(
            report_html.BarSegment(
                category=category,
                name=NAMES[category],
                x=f"{x * 100:.3f}%",
                width=f"{share * 100:.3f}%",
                share=pct(share),
                chars=figures.chars[category],
                spans=figures.spans[category],
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
    choices: tuple[tuple[str, str], ...]  # (reviewer, kind) of each label, by reviewer
    consensus: str
    unanimous: bool
    quote: str = ""  # filled in by _fill_details for the spans a page lists
    # The labels with their notes and sources: filled in by _fill_details likewise.
    labels: list[ReportLabel] | None = None


@dataclass(frozen=True)
class ReportList:
    """One list of the report: a category's spans, or the disagreements."""

    name: str
    title: str
    count: int
    html: SafeString  # the first INLINE_REPORT_SPANS items, or every one
    more: int  # items left for "Show all"


@dataclass(slots=True)
class Overlap:
    """Two overlapping spans on which reviewers who each labelled only one of them disagree."""

    first: ReportSpan
    second: ReportSpan


@dataclass(frozen=True)
class ArticleReport:
    figures: Balance
    segments: list[report_html.BarSegment]
    bar: SafeString
    verdict: Verdict
    rules: tuple[str, ...]
    coverage: str  # "10.4 %" of the article
    coverage_flag: str  # "only 0.3 % labelled", or ""
    by_label: list[ReportList]
    disagreements: ReportList
    agreement: Agreement
    text_agreement: TextAgreement
    reviewers: list[str]  # who labelled or finished the article
    finished: list[str]  # who finished it


def article_report(
    article: Article, *, finished: list[str], every_span: bool = False
) -> ArticleReport:
    """The whole report of ``article``; its lists in full with ``every_span``. Two queries.

    ``finished``: usernames of the reviewers who finished the article
    (``reviews.finished_state``).
    """
    spans = _report_spans(article)
    figures = balance(len(article.body), [(s.start, s.end, s.consensus) for s in spans])
    lists = _lists(spans)
    shown = lists if every_span else {n: s[:INLINE_REPORT_SPANS] for n, s in lists.items()}
    _fill_details(_spans_in(span for listed in shown.values() for span in listed), article)
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
    reviewers = sorted({reviewer for s in spans for reviewer, _ in s.choices} | set(finished))
    return ArticleReport(
        figures=figures,
        segments=segments,
        bar=report_html.balance_bar(segments),
        verdict=judge(figures, reviewers=len(reviewers), finished=len(finished)),
        rules=RULES,
        coverage=pct(coverage(figures)),
        coverage_flag=coverage_flag(figures),
        by_label=[report_lists[category] for category in CATEGORIES],
        disagreements=report_lists[DISAGREEMENTS],
        # Each distinct (reviewer, kind) set counted once: a handful, however many spans.
        agreement=agreement_of_counts(Counter(s.choices for s in spans if len(s.choices) > 1)),
        text_agreement=text_agreement_of_groups(
            article.body, [(s.start, s.end, s.choices) for s in spans], finished
        ),
        reviewers=reviewers,
        finished=sorted(finished),
    )


def report_list_html(article: Article, name: str) -> SafeString:
    """Every item of one of the report's lists (``LISTS``), for its "Show all" link. Two queries."""
    listed = _lists(_report_spans(article))[name]
    _fill_details(_spans_in(listed), article)
    return _list_html(name, listed)


# Separators no username (letters, digits and @.+-_) and no kind can hold.
_PAIR, _LABEL = "\x1f", "\x1e"


class _Choices(Aggregate):
    """Each label of a span as ``reviewer<US>kind``, joined by ``<RS>``, in any order:
    GROUP_CONCAT in SQLite, STRING_AGG in PostgreSQL (Django 5.2 has no aggregate
    for both)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def __init__(self) -> None:
        super().__init__(
            Concat(F("reviewer__username"), Value(_PAIR), F("kind"), output_field=CharField()),
            Value(_LABEL),
        )

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, Any]:
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra)


@dataclass(frozen=True, slots=True)
class _Chosen:
    """What a span's labels say, read once for each distinct set of labels."""

    choices: tuple[tuple[str, str], ...]  # (reviewer, kind), by reviewer
    consensus: str
    unanimous: bool


def _chosen(joined: str) -> _Chosen:
    choices = tuple(
        sorted(
            (reviewer, kind) for reviewer, kind in (p.split(_PAIR) for p in joined.split(_LABEL))
        )
    )
    kinds = [kind for _, kind in choices]
    return _Chosen(choices, consensus(kinds) or "", len(set(kinds)) == 1)


def _report_spans(article: Article) -> list[ReportSpan]:
    """Every labelled span of the article in reading order, with who chose what. One query,
    one row per span.

    Only what the figures need (offsets, reviewers, kinds): each span's labels
    come joined in one string, read once for each distinct string (an article
    has thousands of spans but a handful of ways its reviewers chose). Quotes,
    notes and sources are read for the spans a page lists, by ``_fill_details``.
    """
    rows = (
        # Both sides filtered by article, so PostgreSQL reads two index ranges
        # instead of hashing every span in the database.
        # Orphans (no offsets) are listed apart (annotations.attention), not counted here.
        Label.objects.filter(article=article, span__article=article, span__start__isnull=False)
        .values("span_id", "span__start", "span__end")
        .annotate(joined=_Choices())
        .order_by("span__start", "-span__end", "span_id")
        .values_list("span_id", "span__start", "span__end", "joined")
    )
    read: dict[str, _Chosen] = {}
    spans = []
    for span_id, start, end, joined in rows:
        assert start is not None and end is not None  # orphans are filtered out above
        chosen = read.get(joined)
        if chosen is None:
            chosen = read[joined] = _chosen(joined)
        spans.append(
            ReportSpan(span_id, start, end, chosen.choices, chosen.consensus, chosen.unanimous)
        )
    return spans


def _fill_details(spans: Iterable[ReportSpan], article: Article) -> None:
    """The quote of each of ``spans`` (of ``article``), and its labels with their notes and
    sources, in the order of ``ReportSpan.choices``. One query."""
    by_id = {span.id: span for span in spans}
    rows = (
        # The article on both sides: PostgreSQL reads index ranges, not every span.
        Label.objects.filter(article=article, span__article=article, span_id__in=list(by_id))
        .order_by("span_id", "reviewer__username")
        .values_list("span_id", "span__quote", "reviewer__username", "kind", "note", "source_url")
    )
    labels: dict[int, list[ReportLabel]] = {span_id: [] for span_id in by_id}
    for span_id, quote, reviewer, kind, note, source_url in rows:
        by_id[span_id].quote = quote
        labels[span_id].append(ReportLabel(reviewer, kind, note, source_url))
    for span_id, span in by_id.items():
        span.labels = labels[span_id]


def _lists(spans: list[ReportSpan]) -> dict[str, list[ReportSpan | Overlap]]:
    """Each list of the report, by name: a category's spans, and the disagreements.

    A disagreement is a span whose reviewers chose different labels, or two
    overlapping spans (``_overlaps``), in reading order.
    """
    lists: dict[str, list[ReportSpan | Overlap]] = {category: [] for category in CATEGORIES}
    for span in spans:
        lists[span.consensus].append(span)
    disagreements: list[ReportSpan | Overlap] = [span for span in spans if not span.unanimous]
    disagreements.extend(_overlaps(spans))
    disagreements.sort(key=lambda item: _position(item))
    lists[DISAGREEMENTS] = disagreements
    return lists


def _position(item: ReportSpan | Overlap) -> tuple[int, int, int, int]:
    if isinstance(item, Overlap):
        return (item.first.start, -item.first.end, item.second.start, -item.second.end)
    return (item.start, -item.end, item.start, -item.end)


def _overlaps(spans: list[ReportSpan]) -> list[Overlap]:
    """Pairs of overlapping spans where a reviewer who labelled only the one and a
    reviewer who labelled only the other chose different labels: bob's selection
    that stops a character short of alice's, or a sentence inside her paragraph.

    A reviewer who labelled both spans has said how they differ, so they count
    for neither. ``spans`` in reading order (by start).
    """
    # Who labelled each span, read once for each distinct set of labels.
    reviewers: dict[tuple[tuple[str, str], ...], frozenset[str]] = {}
    for span in spans:
        if span.choices not in reviewers:
            reviewers[span.choices] = frozenset(reviewer for reviewer, _ in span.choices)
    if len(set(reviewers.values())) < 2:
        return []  # the same reviewers on every span (the usual case): no pair counts
    found = []
    open_spans: list[tuple[int, ReportSpan, frozenset[str]]] = []
    for span in spans:
        start = span.start
        if open_spans:
            open_spans = [pair for pair in open_spans if pair[0] > start]
        mine = reviewers[span.choices]
        for _, other, theirs in open_spans:
            # The same reviewers on both (the usual case): each said how the spans differ.
            if theirs == mine:
                continue
            if any(
                a != b
                for reviewer_a, a in other.choices
                if reviewer_a not in mine
                for reviewer_b, b in span.choices
                if reviewer_b not in theirs
            ):
                found.append(Overlap(other, span))
        open_spans.append((span.end, span, mine))
    return found


def _spans_in(items: Iterable[ReportSpan | Overlap]) -> Iterator[ReportSpan]:
    for item in items:
        if isinstance(item, Overlap):
            yield item.first
            yield item.second
        else:
            yield item


def _list_html(name: str, items: list[ReportSpan | Overlap]) -> SafeString:
    if name == DISAGREEMENTS:
        return report_html.disagreements(items)
    return report_html.spans_by_label(_spans_in(items))


# --- The overview of every article -------------------------------------------

ARTICLES_PER_PAGE = 50
SORTS = ("date", "coverage", "speculation", "verified")
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
    published: datetime.date | None = None  # what the Published column shows
    cached: Figures | None = None  # every row shown has its figures, current

    @property
    def figures(self) -> Balance:
        return self.cached.balance if self.cached else balance(0, ())

    @property
    def reviewers(self) -> list[str]:
        return self.cached.reviewers if self.cached else []

    @property
    def finished(self) -> list[str]:
        return self.cached.finished if self.cached else []

    @property
    def coverage(self) -> float:
        return coverage(self.figures)

    @property
    def coverage_text(self) -> str:
        return pct(self.coverage)

    @property
    def too_little(self) -> bool:
        """Too little labelled for its shares to rank it (``verdict.MIN_COVERAGE``)."""
        return too_little(self.figures)

    @property
    def flag(self) -> str:
        return coverage_flag(self.figures)

    def share(self, category: str) -> float | None:
        return self.figures.share_of_labelled(category)

    @property
    def speculation(self) -> float | None:
        return self.share(UNSOURCED_SPECULATION)

    @property
    def verified(self) -> float | None:
        return self.share(VERIFIED_FACT)

    @property
    def speculation_text(self) -> str:
        return "–" if self.speculation is None else pct(self.speculation)

    @property
    def verified_text(self) -> str:
        return "–" if self.verified is None else pct(self.verified)

    @property
    def verdict(self) -> Verdict:
        return judge(self.figures, reviewers=len(self.reviewers), finished=len(self.finished))

    @property
    def bar(self) -> SafeString:
        return report_html.balance_bar(bar(self.figures), mini=True)


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
    Column("Balance of the labelled text", css="bar-col"),
    Column("Coverage of the article", css="num", sort="coverage"),
    Column("Spans", css="num"),
    Column("Reviewers finished", css="num"),
    Column("Speculation (of labelled)", css="num", sort="speculation"),
    Column("Verified (of labelled)", css="num", sort="verified"),
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
    min_coverage: str  # verdict.MIN_COVERAGE, as the page names it


def overview(*, sort: str, outlet: str, page_number: str | None) -> Overview:
    """One page of every article's summary, sorted and filtered. Two queries when every
    figure is current (``_page``).

    Raises ``UnknownSort`` for a sort not in ``SORTS`` (``-`` before it reverses it).
    """
    sort = sort or DEFAULT_SORT
    if sort.lstrip("-") not in SORTS:
        raise UnknownSort()
    page = _page(sort, outlet, page_number)
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
        min_coverage=pct(MIN_COVERAGE),
    )


# Articles whose figures are stale or missing (old data, a bulk write that did not
# fill them) that one view brings up to date before sorting, besides those on its page.
STALE_PER_VIEW = 100


def _page(sort: str, outlet: str, page_number: str | None) -> Page[Summary]:
    """The page of summaries, sorted, filtered and paged in SQL from the cached figures
    (``annotations.figures``): one query, which reads no article body.

    Figures are kept current where labels are written; any still stale or
    missing (old data) are brought up to date here for this page and for up
    to ``STALE_PER_VIEW`` articles after it in the sort, and the page is read
    again: a view never computes every article's figures.
    """
    articles = Article.objects.all()
    if outlet:
        articles = articles.filter(outlet=outlet)
    ordered = _ordered(articles, sort)
    try:
        number = int(page_number or 1)
    except (TypeError, ValueError):
        number = 1  # as Paginator.get_page: not a number is the first page
    rows = _page_rows(ordered, number) if number >= 1 else []
    if rows and rows[0].stale:
        ahead = ordered.filter(_STALE).values_list("id", flat=True)[:STALE_PER_VIEW]
        figures.update({row.cached.article_id for row in rows if row.stale} | set(ahead))
        rows = _page_rows(ordered, number)
    if not rows and number != 1:  # a page before the first or past the last
        count = articles.count()
        number = max(1, -(-count // ARTICLES_PER_PAGE))  # the last page, as get_page
        rows = _page_rows(ordered, number) if count else []
    count = rows[0].count if rows else 0
    stale = [row.cached.article_id for row in rows if not row.cached.fresh]
    computed = figures.update(stale) if stale else {}  # written while the page was read
    summaries = []
    for row in rows:
        found = computed.get(row.cached.article_id)
        if found is None and row.cached.fresh:
            found = row.cached.figures
        row.summary.cached = found  # None only for an article deleted meanwhile
        summaries.append(row.summary)
    # The paginator only counts (the page is read above): a range of the count will do.
    counted: Paginator[Summary] = Paginator(range(count), ARTICLES_PER_PAGE)  # type: ignore[arg-type]
    return Page(summaries, number, counted)


# An article whose cached figures are missing, from before the overview's columns, or
# older than its labels.
_STALE = (
    Q(figures__isnull=True)
    | Q(figures__total__isnull=True)
    | Q(figures__revision__lt=F("labels_revision"))
    | Q(figures__revision__gt=F("labels_revision"))
)


@dataclass
class _Row:
    summary: Summary
    cached: Cached
    count: int  # articles the filter selects
    stale: int  # of those, how many have stale or missing figures


def _page_rows(ordered: QuerySet[Article], number: int) -> list[_Row]:
    first = (number - 1) * ARTICLES_PER_PAGE
    rows = ordered.annotate(
        count=Window(Count("id")),
        stale=Window(Sum(Case(When(_STALE, then=1), default=0))),
    ).values_list("id", "title", "outlet", "byline", "published", "count", "stale", *FIGURE_FIELDS)[
        first : first + ARTICLES_PER_PAGE
    ]
    return [
        _Row(Summary(id, title, outlet, authors, published), Cached(id, *cache), count, stale)
        for id, title, outlet, authors, published, count, stale, *cache in rows
    ]


def _ordered(articles: QuerySet[Article], sort: str) -> QuerySet[Article]:
    """Newest first by default. By a share: articles labelled too little to judge
    (``verdict.too_little``) come after the others, whichever the direction, and
    those with nothing labelled (or no figures yet) last. Ties, and the date sort
    itself, break newest first, then by id; the date is the publication date, else
    the day the article was added."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    articles = articles.annotate(
        day=Coalesce("published", TruncDate("created_at"), output_field=DateField())
    )
    newest = [F("day").desc(), F("id").desc()]
    if key == "date":
        return articles.order_by(*newest) if descending else articles.order_by("day", "id")
    if key == "coverage":
        covered = Coalesce("figures__covered", Value(0.0), output_field=FloatField())
        return articles.order_by(covered.desc() if descending else covered.asc(), *newest)
    share = F(f"figures__{key}")
    group = Case(
        When(**{f"figures__{key}__isnull": True}, then=Value(2)),
        When(figures__covered__lt=MIN_COVERAGE, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return articles.order_by(group, share.desc() if descending else share.asc(), *newest)


def mini_bars(article_ids: Iterable[int]) -> dict[int, SafeString]:
    """Each article's small balance bar, as the overview shows it (for the article list).

    One query when every article's figures are cached, six when some are stale
    (``figures.balances``), however many articles.
    """
    rows = (
        Article.objects.filter(id__in=list(article_ids))
        .order_by()
        .values_list("id", *FIGURE_FIELDS)
    )
    found = figures.balances(Cached(*row) for row in rows)
    return {
        article_id: report_html.balance_bar(bar(shown.balance), mini=True)
        for article_id, shown in found.items()
    }


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
