"""An article's spans, read in one query, and its paragraphs as highlighted HTML.

What the article page shows of its spans (``article_highlights``), and what
an htmx write sends back instead of the page (``changed``). A 5,000-span
article has about 10,000 highlighted segments and 5,000 rows in the span
list. A template loop over them costs far more than joining strings, so this
hot path is built in Python; every piece of user text goes through
``escape`` on the way.
"""

from __future__ import annotations

import html
import re
from bisect import bisect, bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Aggregate, CharField, Count, IntegerField, Q, Subquery, Value
from django.db.models.functions import Substr
from django.db.models.sql.compiler import SQLCompiler
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from annotations.balance import consensus_of_counts
from annotations.kinds import CATEGORIES, KINDS, NAMES
from annotations.models import Article, Span
from annotations.segments import touching
from annotations.text import paragraph_ranges

QUOTE_PREVIEW_CHARS = 90
# The side list shows this many spans at first, and a link that loads the
# rest (views.annotate.span_items): for a long article the whole list was
# most of the page's HTML and elements, and Chromium took far longer to show
# the highlights with it (bench/RESULTS.md).
INLINE_SPAN_ITEMS = 300
# The standard library's escape replaces what django.utils.html.escape does
# (& < > " ') without its lazy-string wrapper; five str.replace calls are
# also faster than a str.translate table on non-ASCII text, and it runs for
# every segment and item of the page.
escape = html.escape
# What escape replaces: text without any of them is its own escaped form.
_ESCAPED = re.compile("[&<>\"']")
# A segment inside spans of two labels names the outermost's in a class (o-<short
# name>, the colour's name in annotate.css): short, as a dense article has one on
# most of its thousands of segments.
_OUTER = {
    kind: f" hl-nested o-{short}"
    for kind, short in zip(CATEGORIES, ("fact", "claim", "spec", "disputed"), strict=True)
}
# A highlight's <mark> up to its edge classes, and from its title on, by the
# innermost span's consensus.
_MARK_OPEN = {kind: f'<mark class="hl hl-{kind}' for kind in CATEGORIES}
_MARK_TITLE = {kind: f' title="{NAMES[kind]}">' for kind in CATEGORIES}


@dataclass(slots=True)
class SpanSummary:
    id: int
    start: int
    end: int
    quote: str  # The first QUOTE_PREVIEW_CHARS characters only.
    labels: int = 0
    consensus: str = ""
    reviewers: tuple[str, ...] = ()  # usernames, sorted

    @property
    def title(self) -> str:
        return NAMES[self.consensus]


@dataclass(frozen=True)
class ArticleHighlights:
    """The highlighted body and side list of the article page."""

    paragraphs: list[str]  # each paragraph's <p>, escaped: the body is their concatenation
    items_html: SafeString
    span_count: int
    more_items: int  # spans left out of the side list until "Show all"

    @property
    def body_html(self) -> SafeString:
        """The whole body, joined on each use (the page itself splices the paragraphs'
        bytes into its template's output instead: views.annotate.render_article_page)."""
        return mark_safe("".join(self.paragraphs))

    def body_chunks(self, charset: str = "utf-8") -> Iterator[bytes]:
        """The body as bytes, a paragraph at a time."""
        for paragraph in self.paragraphs:
            yield paragraph.encode(charset)


def article_highlights(article: Article, *, every_item: bool = False) -> ArticleHighlights:
    """Every span highlighted in the body; the first ``INLINE_SPAN_ITEMS`` in the side list.

    ``every_item`` lists them all: the page "Show all" leads to without
    JavaScript. One query.
    """
    spans = load_spans(article, detailed=None if every_item else INLINE_SPAN_ITEMS)
    shown = spans
    if len(spans) > INLINE_SPAN_ITEMS and not every_item:
        shown = dict(islice(spans.items(), INLINE_SPAN_ITEMS))
    return ArticleHighlights(
        paragraphs=_paragraphs(article.body, spans),
        items_html=mark_safe(span_items_html(article, shown)),
        span_count=len(spans),
        more_items=len(spans) - len(shown),
    )


@dataclass(frozen=True)
class Changed:
    """What changes on the article page after a write on one span, swapped out of band."""

    paragraphs_html: SafeString
    item_html: SafeString
    span_count: int


@dataclass(frozen=True)
class Known:
    """The spans sharing text with ``within`` as they are after a write, known by the
    writer (``matching.Nearby``, read under the article's lock and updated with the
    write): ``changed`` builds its answer from them without a query."""

    within: tuple[int, int]
    spans: dict[int, SpanSummary]  # in reading order; labelled spans only
    span_count: int
    later: int | None  # the first span after the written one in reading order


def changed(
    article: Article,
    span: Span,
    *,
    span_was_new: bool = False,
    span_gone: bool = False,
    known: Known | None = None,
) -> Changed:
    """The paragraphs ``span`` touches, its item in the side list, and the span count.

    The paragraphs are cut again with every span that touches them; the item
    is inserted in reading order (a new span), replaced, or deleted (a span
    gone). From ``known`` when it covers those paragraphs, without a query;
    else one query, however many spans the article has: the spans of those
    paragraphs as ``load_spans`` reads them, each row also carrying the
    article's span count and, for a new span, the span after it in reading
    order (two subqueries run once); a second only when no span is left there.
    """
    ranges = paragraph_ranges(article.body)
    assert span.start is not None and span.end is not None  # a write's span has its place
    affected = touching(ranges, span.start, span.end)
    within = (ranges[affected[0]][0], ranges[affected[-1]][1])
    if known is not None and known.within[0] <= within[0] and within[1] <= known.within[1]:
        spans, span_count, later = known.spans, known.span_count, known.later
    else:
        spans, span_count, later = _read_changed(article, span, within, span_was_new)
    summary = spans.get(span.id)
    if span_gone or summary is None:
        item = f'<li id="span-item-{span.id}" hx-swap-oob="delete"></li>'
    elif span_was_new:
        where = f"beforebegin:#span-item-{later}" if later else "beforeend:#span-items"
        # Not an inline swap: htmx inserts the wrapper's children, the <li>.
        item = f'<ol hx-swap-oob="{where}">{span_item_html(article, summary)}</ol>'
    else:
        item = span_item_html(article, summary, swap="true")
    return Changed(
        paragraphs_html=mark_safe(paragraphs_html(article.body, spans, affected, oob=True)),
        item_html=mark_safe(item),
        span_count=span_count,
    )


def _read_changed(
    article: Article, span: Span, within: tuple[int, int], span_was_new: bool
) -> tuple[dict[int, SpanSummary], int, int | None]:
    assert span.start is not None and span.end is not None
    placed = Span.objects.filter(article=article, start__isnull=False).order_by()
    count = placed.values("article_id").annotate(spans=Count("id")).values("spans")
    later = (
        Span.objects.filter(article=article)
        .filter(Q(start__gt=span.start) | Q(start=span.start, end__lt=span.end))
        .order_by("start", "-end", "id")
        .values("id")[:1]
    )
    rows = list(
        placed.filter(start__lt=within[1], end__gt=within[0])
        .annotate(**{kind: Count("labels", filter=Q(labels__kind=kind)) for kind in KINDS})
        .order_by("start", "-end", "id")
        .annotate(
            reviewer_names=JoinedUsernames("labels__reviewer__username"),
            span_count=Subquery(count),
            later=Subquery(later) if span_was_new else Value(None, IntegerField()),
        )
        .values_list(
            "span_count",
            "later",
            "id",
            "start",
            "end",
            Substr("quote", 1, QUOTE_PREVIEW_CHARS),
            "reviewer_names",
            *KINDS,
        )
    )
    spans: dict[int, SpanSummary] = {}
    for _, _, span_id, start, end, quote, names, *counts in rows:
        summary = summary_of(span_id, start, end, quote, counts, names.split(",") if names else [])
        if summary is not None:
            spans[span_id] = summary
    if not rows:
        return spans, placed.count(), None
    return spans, rows[0][0], rows[0][1]


def summary_of(
    span_id: int, start: int, end: int, quote: str, counts: Sequence[int], reviewers: Iterable[str]
) -> SpanSummary | None:
    """A span's summary from its label counts (in the order of KINDS), as ``load_spans``
    makes it; None for a span without labels (being removed: it is not shown)."""
    labels = sum(counts)
    if not labels:
        return None
    agreed = consensus_of_counts(counts) or ""
    return SpanSummary(span_id, start, end, quote, labels, agreed, tuple(sorted(reviewers)))


def load_spans(
    article: Article, within: tuple[int, int] | None = None, *, detailed: int | None = None
) -> dict[int, SpanSummary]:
    """Every labelled span of ``article`` in reading order, with its consensus. One query.

    With ``within=(start, end)``, only the spans sharing text with that range.
    One row per span with a count per kind (GROUP BY in the database), not a
    row per label: half the rows for two reviewers, and no Counter per span.
    With ``detailed=n``, only the first n spans carry their quote and
    reviewers (the side list's items); the rest have what the highlighted body
    needs, an empty quote and no reviewers.
    """
    sql, params = _spans_sql(article.pk, within, connection.vendor, detailed)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    spans: dict[int, SpanSummary] = {}
    # A long article has thousands of spans but a handful of distinct rows of counts
    # (most spans have one or two labels): each row's consensus and total is worked out once.
    decided: dict[tuple[int, ...], tuple[str | None, int]] = {}
    for row in rows:
        counts = row[5:]
        if (found := decided.get(counts)) is None:
            found = decided[counts] = (consensus_of_counts(counts), sum(counts))
        agreed, labels = found
        if agreed is not None:  # always: the labels are joined, not left-joined
            span_id, start, end, quote, names = row[:5]
            reviewers = tuple(sorted(names.split(","))) if names else ()
            spans[span_id] = SpanSummary(
                span_id, start, end, quote or "", labels, agreed, reviewers
            )
    return spans


def _spans_sql(
    article_id: int, within: tuple[int, int] | None, vendor: str, detailed: int | None = None
) -> tuple[str, list[int | str]]:
    """``load_spans``' query: the article's labels grouped by span, then joined to their spans.

    Written out rather than through the ORM, whose GROUP BY is on every
    column of the span (the quote's first characters included: a sort on them
    in PostgreSQL) where grouping the labels by their span's id is enough; this
    is a third of the query's time on SQLite and more on PostgreSQL.
    The labels are read by their own article (``Label.article``, always the
    span's) from their index: through the span alone PostgreSQL scanned every
    label in the database (2,884 buffers against 142 for the 2,000-span article,
    issue 17's note). No spans without labels: one is being removed, and not shown.
    Rows come straight from the cursor, ints and strs as the driver returns
    them: Django's per-row converters were a fifth of this function's time.
    With ``detailed``, the quote and names are NULL after that many rows in
    reading order: sent and decoded for 2,000 spans, they were a fifth of the
    2,000-span page's read for the 300 items it lists.
    """
    names = "STRING_AGG(u.username, ',')" if vendor == "postgresql" else "GROUP_CONCAT(u.username)"
    counts = ", ".join(f"COUNT(*) FILTER (WHERE l.kind = %s) AS {kind}" for kind in KINDS)
    order = 's.start, s."end" DESC, s.id'
    quote, listed = "SUBSTR(s.quote, 1, %s)", "g.names"
    params: list[int | str] = [QUOTE_PREVIEW_CHARS]
    if detailed is not None:
        shown = f"ROW_NUMBER() OVER (ORDER BY {order}) <= %s"
        quote, listed = f"CASE WHEN {shown} THEN {quote} END", f"CASE WHEN {shown} THEN g.names END"
        params = [detailed, QUOTE_PREVIEW_CHARS, detailed]
    params += [*KINDS, article_id]
    place = ""
    if within is not None:
        # Only the labels of the spans in the range (a label write's answer), not the article's.
        place = (
            "AND l.span_id IN (SELECT id FROM annotations_span "
            'WHERE article_id = %s AND start < %s AND "end" > %s)'
        )
        params += [article_id, within[1], within[0]]
    params.append(article_id)
    sql = (
        f'SELECT s.id, s.start, s."end", {quote}, {listed}, '
        f"{', '.join(f'g.{kind}' for kind in KINDS)} "
        f"FROM (SELECT l.span_id, {names} AS names, {counts} "
        "FROM annotations_label l JOIN auth_user u ON u.id = l.reviewer_id "
        f"WHERE l.article_id = %s {place} GROUP BY l.span_id) g "
        "JOIN annotations_span s ON s.id = g.span_id "
        # The span's article too: without it PostgreSQL joins every span in the database.
        "WHERE s.article_id = %s AND s.start IS NOT NULL "  # orphans have no place
        f"ORDER BY {order}"
    )
    return sql, params


class JoinedUsernames(Aggregate):
    """Usernames joined by commas, which usernames cannot hold: GROUP_CONCAT in SQLite,
    STRING_AGG in PostgreSQL (Django 5.2 has no aggregate for both). In a write's answer
    read (``_read_changed``), so an item names who labelled it, and in the article page's
    read of who finished the article (``article_state``)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, Any]:
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s, ',')",
        )


def paragraphs_html(
    body: str,
    spans: dict[int, SpanSummary],
    only: Sequence[int] | None = None,
    *,
    oob: bool = False,
) -> str:
    """The ``<p>`` of each paragraph (or of the paragraphs indexed in ``only``): ``_paragraphs``."""
    return "".join(_paragraphs(body, spans, only, oob=oob))


def _mark_head(inner: str, outer: str | None, ids: list[str]) -> tuple[str, str]:
    """A highlight's ``<mark>`` around its edge classes: what comes before `` s``/`` e``
    and what comes after them, up to its text. The one place the mark's markup is written.

    ``inner`` and ``outer`` are the innermost and outermost covering spans' consensus
    (``outer`` None under one span); ``ids`` their ids as text, outermost first.
    """
    # Inside several spans: the innermost's background and line, and the
    # outermost's underline continuing through it (o-<label>) when it differs.
    nested = "" if outer is None else " hl-nested" if outer == inner else _OUTER[outer]
    # Each highlight is described by its spans' items in the side list
    # (aria-describedby), but the page's script sets that from data-spans
    # (static/annotations/describe.js): sent, it was 40 % of a long article's bytes.
    return _MARK_OPEN[inner], f'{nested}" data-spans="{" ".join(ids)}"{_MARK_TITLE[inner]}'


def _paragraphs(
    body: str,
    spans: dict[int, SpanSummary],
    only: Sequence[int] | None = None,
    *,
    oob: bool = False,
) -> list[str]:
    """The ``<p>`` of each paragraph (or of the paragraphs indexed in ``only``), one string each.

    Each paragraph carries its code point range in ``data-start``/``data-end``
    so the page's script can turn a selection into offsets; each highlighted
    segment is a ``<mark>`` listing the spans covering it, innermost last, its
    classes saying where a span starts or ends and which label the outermost has.

    The segments are ``segments.split``'s (a test holds the two to the same
    bytes), cut here in the same sweep that writes them: a 2,000-span article
    has about 3,000 segments covered by 6-7 spans each, so what each segment
    costs is what the page costs. Making a tuple per segment and then
    unpacking it, and turning the same ids into text again for every segment
    under them, was a third of this function's instructions (issue 17's note);
    here a mark's attributes are written once where the covering spans change,
    from ids made text once per span. A string per paragraph, not one for the
    body: the page sends them as bytes one after the other, and never holds the
    whole body in one string (copies of a multi-megabyte string cost more in
    page faults than building it).
    """
    ranges = paragraph_ranges(body)
    indexes = range(len(ranges)) if only is None else only
    wanted = [ranges[i] for i in indexes]
    paragraphs: list[str] = []
    if not wanted:
        return paragraphs
    relevant: Iterable[SpanSummary]
    if only is None:
        relevant = spans.values()
    else:
        relevant = [s for s in spans.values() if touching(wanted, s.start, s.end)]
    swap = ' hx-swap-oob="true"' if oob else ""
    # As split's sweep: each span by its nesting key (start - end, start, id), longer
    # first (outer), then its id as text and its consensus. Where a span starts (s) or
    # ends (e) the segment's edge is drawn, so two adjacent spans with the same label
    # stay two (annotate.css): every span's start and end is a key of these.
    starts: dict[int, list[tuple[int, int, int, str, str]]] = {}
    ends: dict[int, list[tuple[int, int, int, str, str]]] = {}
    for s in relevant:
        starting = starts.setdefault(s.start, [])
        ending = ends.setdefault(s.end, [])
        if s.start < s.end:
            key = (s.start - s.end, s.start, s.id, str(s.id), s.consensus)
            starting.append(key)
            ending.append(key)
    points = {*starts, *ends}
    for start, end in wanted:
        points.add(start)
        points.add(end)
    ordered = sorted(points)
    # The spans covering the current point, sorted outermost first: their keys, and
    # their ids as text in the same order.
    active: list[tuple[int, int, int, str, str]] = []
    active_ids: list[str] = []
    none: list[tuple[int, int, int, str, str]] = []
    head = tail = ""
    next_index = iter(indexes).__next__
    next_range = iter(wanted).__next__

    def opened() -> tuple[int, int, list[str], bool] | None:
        """The next paragraph's range, its parts so far (its <p>), and whether its text
        needs no escaping (most paragraphs: then no segment of theirs needs it); None
        when every wanted paragraph is written."""
        if len(paragraphs) == len(wanted):
            return None
        start, end = next_range()
        opening = f'<p id="p-{next_index()}" data-start="{start}" data-end="{end}"{swap}>'
        return start, end, [opening], _ESCAPED.search(body, start, end) is None

    if (paragraph := opened()) is None:
        return paragraphs
    range_start, range_end, parts, plain = paragraph
    append = parts.append
    for a, b in zip(ordered, ordered[1:], strict=False):
        ending = ends.get(a, none)
        starting = starts.get(a, none)
        if ending or starting:
            for key in ending:
                at = bisect_left(active, key)  # keys are unique: this is the span's
                del active[at]
                del active_ids[at]
            for key in starting:
                at = bisect(active, key)
                active.insert(at, key)
                active_ids.insert(at, key[3])
            if active:
                outer = active[0][4] if len(active) > 1 else None
                head, tail = _mark_head(active[-1][4], outer, active_ids)
        while range_end <= a:
            append("</p>")
            paragraphs.append("".join(parts))
            if (paragraph := opened()) is None:
                return paragraphs
            range_start, range_end, parts, plain = paragraph
            append = parts.append
        if range_start <= a and b <= range_end:
            text = body[a:b] if plain else escape(body[a:b])
            if active:
                append(
                    f"{head}{' s' if a in starts else ''}{' e' if b in ends else ''}"
                    f"{tail}{text}</mark>"
                )
            else:
                append(text)
    # The last paragraph, and any empty ones after it.
    while True:
        parts.append("</p>")
        paragraphs.append("".join(parts))
        if (paragraph := opened()) is None:
            return paragraphs
        parts = paragraph[2]


def span_items_html(article: Article, spans: dict[int, SpanSummary]) -> str:
    """The side list's items: every span in reading order with its consensus."""
    spans_url = reverse("span_items", args=[article.id])
    return "".join(
        span_item_html(article, summary, spans_url=spans_url) for summary in spans.values()
    )


def span_item_html(
    article: Article, summary: SpanSummary, swap: str = "", *, spans_url: str = ""
) -> str:
    """One item of the side list; ``swap`` is an hx-swap-oob value.

    Its link is the span's panel, ``spans_url`` (the article's, reversed once
    per list, not per item) followed by the span's id.
    """
    spans_url = spans_url or reverse("span_items", args=[article.id])
    oob = f' hx-swap-oob="{swap}"' if swap else ""
    more = "…" if len(summary.quote) == QUOTE_PREVIEW_CHARS else ""
    return (
        f'<li id="span-item-{summary.id}"{oob}>'
        f'<a href="{spans_url}{summary.id}/" data-span-link="{summary.id}">'
        f'<span class="badge hl hl-{summary.consensus}">{summary.title}</span> '
        f'<span class="quote">{escape(summary.quote)}{more}</span> '
        f'<span class="count" title="labels">({summary.labels})</span> '
        f'<span class="reviewers">by {escape(", ".join(summary.reviewers))}</span></a></li>'
    )
