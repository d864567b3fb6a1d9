"""The stored span a new selection means, by the near-identical rule of ``annotations.selection``.

``nearby`` is what every label write reads (``annotations.labelling``): the
spans of the paragraphs around the selection, among which ``Nearby.match``
finds the one the selection means, as ``near_span`` does. ``offer`` is what
the toolbar shows before the editor presses a label
(``views.annotate.span_offer``): the span, its text and who labelled it. Each
reads only the spans near the selection, in one query, so its cost does not
grow with the article.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F

from annotations import selection
from annotations.highlights import QUOTE_PREVIEW_CHARS
from annotations.kinds import KINDS
from annotations.models import Article, Label, Span

# How much of an offered span's text the toolbar shows.
OFFER_QUOTE_CHARS = 120


def near_span(
    article_id: int, body: str, start: int, end: int, *, keep_separate: bool = False
) -> Span | None:
    """The article's span that ``body[start:end]`` (snapped) means, or None. One query.

    With ``keep_separate``, only a span at exactly these offsets (two spans
    never share their offsets).
    """
    spans = Span.objects.filter(article_id=article_id).order_by()
    low, high = selection.core(body, start, end)
    if keep_separate or low == high:
        spans = spans.filter(start=start, end=end)
    else:
        # Overlapping, and at least as long as a near-identical span must be.
        shortest = int((high - low) * selection.NEAR)
        spans = spans.filter(start__lt=end, end__gt=start, end__gte=F("start") + shortest)
    found = {span.pk: span for span in spans}
    key = selection.best(
        body,
        (start, end),
        [
            (pk, s.start, s.end)
            for pk, s in found.items()
            if s.start is not None and s.end is not None
        ],
    )
    return None if key is None else found[key]


@dataclass(frozen=True)
class Offer:
    """The existing span a selection would label, as the toolbar shows it."""

    span: Span
    quote: str
    reviewers: list[str]


def offer(article: Article, start: int, end: int) -> Offer | None:
    """The span a selection at ``start:end`` would be labelled on, when it is not a new one.

    The selection is snapped first, as the write will snap it. None when the
    selection makes a new span, or is exactly a span already (labelling it
    there is what the editor asked for; nothing to offer). Two queries.
    """
    start, end = selection.snap(article.body, start, end)
    if not 0 <= start < end <= len(article.body):
        return None
    span = near_span(article.pk, article.body, start, end)
    if span is None or (span.start, span.end) == (start, end):
        return None
    reviewers = (
        Label.objects.filter(span=span)
        .order_by("created_at", "pk")
        .values_list("reviewer__username", flat=True)
    )
    quote = span.quote
    if len(quote) > OFFER_QUOTE_CHARS:
        quote = quote[: OFFER_QUOTE_CHARS - 1] + "…"
    return Offer(span=span, quote=quote, reviewers=list(reviewers))


@dataclass
class NearbySpan:
    """A span of the paragraphs a label write touches, as ``nearby`` read it."""

    id: int
    start: int
    end: int
    quote: str  # its first highlights.QUOTE_PREVIEW_CHARS characters
    counts: list[int]  # labels of each of KINDS
    reviewers: list[str]  # usernames
    mine: int | None  # the writer's label on it


@dataclass
class Nearby:
    """The spans of the paragraphs ``within`` (a range of the body), read under the
    article's lock before a label write: the candidates the near-identical rule picks
    from, and, once the write is applied (``labelled``), what the answer shows
    (``highlights.changed``) without reading again.

    ``span_count`` is the article's placed spans, ``later`` the first span after the
    selection's range in reading order (where a new span's item goes in the side list).
    ``writes`` is the throttle's count, when the read counted the write too.
    """

    within: tuple[int, int]
    spans: list[NearbySpan]
    span_count: int
    later: int | None
    writes: int | None = None

    def match(self, body: str, start: int, end: int, *, keep_separate: bool) -> NearbySpan | None:
        """The span ``body[start:end]`` (snapped) means, as ``near_span`` finds it."""
        if keep_separate:
            return next((s for s in self.spans if (s.start, s.end) == (start, end)), None)
        found = {span.id: span for span in self.spans}
        key = selection.best(body, (start, end), [(s.id, s.start, s.end) for s in self.spans])
        return None if key is None else found[key]

    def labelled(self, span: NearbySpan, reviewer: str, kind: str, old_kind: str | None) -> None:
        """Apply a write: ``reviewer``'s label on ``span`` is now ``kind`` (was
        ``old_kind``, None when it is new; ``span`` may be new, with no labels yet)."""
        if span not in self.spans:
            self.spans.append(span)
            self.spans.sort(key=lambda s: (s.start, -s.end, s.id))
            self.span_count += 1
        if old_kind is None:
            span.reviewers = sorted([*span.reviewers, reviewer])
        else:
            span.counts[KINDS.index(old_kind)] -= 1
        span.counts[KINDS.index(kind)] += 1


def nearby(
    article_id: int,
    within: tuple[int, int],
    selected: tuple[int, int],
    reviewer_id: int,
    *,
    counting: tuple[str, list[int]] | None = None,
) -> Nearby:
    """The spans sharing text with ``within``, with their labels counted. One query.

    As ``highlights.load_spans`` reads them (a row per span, a count per kind,
    reviewers' names), each row also naming ``reviewer_id``'s label on it and
    carrying the span count and the span after ``selected`` (two subqueries run
    once). The article's first span is read too, wherever it is, so that a
    paragraph without spans still answers with the count. Plain SQL, built once:
    the ORM spent longer composing this query than the database running it
    (tests/test_write_answer.py holds the answer to ``highlights.changed``'s own read).

    With ``counting`` (``throttle.count``; SQLite only), the same statement
    counts the write first: the count's ``RETURNING`` carries the rows as one
    JSON array (SQLite cannot put an INSERT in a WITH clause, as PostgreSQL
    does in ``labelling.lock_article``), and ``Nearby.writes`` holds the count.
    """
    start, end = selected
    params: list[Any] = [
        *(article_id, article_id, start, start, end),  # span count, later
        reviewer_id,
        *KINDS,
        *(article_id, within[1], within[0], article_id),
    ]
    writes = None
    if counting is None:
        rows = _execute(_nearby_sql(), params)
    else:
        sql = f"{counting[0]}, (SELECT json_group_array(json(r)) FROM ({_nearby_sql(True)}))"
        ((writes, packed),) = _execute(sql, [*counting[1], *params])
        # In reading order, as the plain query's ORDER BY gives them.
        rows = sorted(json.loads(packed), key=lambda row: (row[3], -row[4], row[2]))
    found = Nearby(within, [], 0, None, writes)
    for span_count, later_id, span_id, low, high, quote, names, mine, *counts in rows:
        found.span_count, found.later = span_count, later_id
        if low < within[1] and high > within[0]:
            reviewers = sorted(names.split(",")) if names else []
            found.spans.append(NearbySpan(span_id, low, high, quote, counts, reviewers, mine))
    return found


def _execute(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


@cache
def _nearby_sql(as_json: bool = False) -> str:
    """``nearby``'s query, for this database (the reviewers' names: GROUP_CONCAT in
    SQLite, STRING_AGG in PostgreSQL, as ``highlights.JoinedUsernames``); ``as_json``,
    each row one SQLite JSON array named ``r``."""
    quote = connection.ops.quote_name
    span, label = quote(Span._meta.db_table), quote(Label._meta.db_table)
    user = quote(get_user_model()._meta.db_table)
    end = quote("end")
    placed = "article_id = %s AND start IS NOT NULL"
    reading_order = f"ORDER BY start, {end} DESC, id LIMIT 1"
    names = (
        "STRING_AGG(u.username, ',')"
        if connection.vendor == "postgresql"
        else "GROUP_CONCAT(u.username)"
    )
    counts = ", ".join("COUNT(CASE WHEN l.kind = %s THEN 1 END)" for _ in KINDS)
    labels = f"{names}, MAX(CASE WHEN l.reviewer_id = %s THEN l.id END), {counts}"
    spans = (
        f"WHERE s.article_id = %s AND s.start IS NOT NULL AND ((s.start < %s AND s.{end} > %s) "
        f"OR s.id = (SELECT id FROM {span} WHERE {placed} {reading_order})) "
    )
    columns = (
        f"(SELECT COUNT(*) FROM {span} WHERE {placed}), "
        f"(SELECT id FROM {span} WHERE {placed} AND (start > %s OR (start = %s AND {end} < %s)) "
        f"{reading_order}), "
        f"s.id, s.start, s.{end}, SUBSTR(s.quote, 1, {QUOTE_PREVIEW_CHARS}), "
    )
    order = f"ORDER BY s.start, s.{end} DESC, s.id"
    if connection.vendor == "postgresql":
        # Each span's labels counted in a subquery of their own, through the label's
        # span index: a join grouped by span let PostgreSQL, misled by stale
        # statistics (after a correction rewrote 5,000 spans), hash every label
        # of every article, 50 ms under the article's lock (issue 17).
        return (
            f"SELECT {columns}k.* FROM {span} s CROSS JOIN LATERAL (SELECT {labels} "
            f"FROM {label} l JOIN {user} u ON u.id = l.reviewer_id WHERE l.span_id = s.id) k "
            f"{spans}{order}"
        )
    columns += labels
    if as_json:
        columns = f"json_array({columns}) AS r"
    return (
        f"SELECT {columns} "
        f"FROM {span} s LEFT JOIN {label} l ON l.span_id = s.id "
        f"LEFT JOIN {user} u ON u.id = l.reviewer_id "
        f"{spans}GROUP BY s.id {order}"
    )
