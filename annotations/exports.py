"""Which labels an export holds, and streaming them out as CSV.

The admin actions, the per-article download and ``manage.py export_labels``
all come through here, so they select, order and format labels the same way.
Two queries, whatever the number of rows (after bringing the exported articles'
cached figures up to date, for their coverage: ``figures.refresh``): labels are read as plain tuples in
chunks, and their spans' label counts in a second stream in the same order, so
the span's consensus is right even when the export holds only some of the
span's labels (say, one reviewer's), and memory holds one chunk of each.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import StreamingHttpResponse

from annotations import csvsql, csvsqlite, figures
from annotations.balance import consensus, consensus_of_counts
from annotations.csvexport import Row, csv_chunks
from annotations.csvsql import IsoDate, IsoUtc
from annotations.kinds import KINDS, NAMES
from annotations.models import Article, FinishedReview, Label

# Rows fetched from the database at a time; memory holds about this many.
CHUNK_SIZE = 5000


class _Label(NamedTuple):
    """One label as the export query reads it (``_LOOKUPS``, in this order)."""

    article_id: int
    article_title: str
    outlet: str
    article_url: str
    authors: str
    published: str | datetime.date | None
    article_coverage: str
    span_id: int
    start: int | None  # None, and end too, for an orphan (``Span.anchor``)
    end: int | None
    anchor: str
    quote: str
    kind: str
    reviewer: str
    reviewer_finished: str | datetime.datetime | None
    note: str
    source_url: str
    created: str | datetime.datetime
    updated: str | datetime.datetime

    @property
    def span_key(self) -> tuple[Any, ...]:
        """The span's key, as ``_ORDER`` sorts it."""
        return _key((self.article_id, self.start, self.end, self.span_id))

    def row(self, span_consensus: str) -> Row:
        """The label as a row of the file: its kind named, and its span's consensus."""
        # Unpacked at once rather than read field by field: this runs for every label.
        (
            article_id,
            title,
            outlet,
            url,
            authors,
            published,
            coverage,
            span_id,
            start,
            end,
            anchor,
            quote,
            kind,
            reviewer,
            finished,
            note,
            source_url,
            created,
            updated,
        ) = self
        return Row(
            article_id,
            title,
            outlet,
            url,
            authors,
            published,
            coverage,
            span_id,
            start,
            end,
            anchor,
            quote,
            NAMES.get(kind, kind),
            kind,
            span_consensus,
            reviewer,
            finished,
            note,
            source_url,
            created,
            updated,
        )


_TIMES = {"created": IsoUtc("created_at"), "updated": IsoUtc("updated_at")}
_DATES = {"published": IsoDate("span__article__published")}
# Cached by annotations.figures, brought up to date as the export begins (export_bytes).
_COVERAGE = {"article_coverage": Coalesce("span__article__figures__coverage", Value(""))}
# When the label's reviewer finished its article; "" while they have not.
_FINISHED = {
    "reviewer_finished": Coalesce(
        IsoUtc(
            Subquery(
                FinishedReview.objects.filter(
                    article_id=OuterRef("article_id"), reviewer_id=OuterRef("reviewer_id")
                ).values("finished_at")[:1]
            )
        ),
        Value(""),
    )
}
_LOOKUPS = (
    "span__article_id",
    "span__article__title",
    "span__article__outlet",
    "span__article__url",
    "span__article__byline",
    *_DATES,
    *_COVERAGE,
    "span_id",
    "span__start",
    "span__end",
    "span__anchor",
    "span__quote",
    "kind",
    "reviewer__username",
    *_FINISHED,
    "note",
    "source_url",
    *_TIMES,
)
# A span's key: the export's order, and the leading columns of _span_kind_counts' rows.
_KEY_FIELDS = ("span__article_id", "span__start", "span__end", "span_id")
# Orphans (no start, no end) last in each article, on every database (PostgreSQL's
# default; SQLite's is first), as annotations.csvsql orders them.
_ORDER = (
    "span__article_id",
    F("span__start").asc(nulls_last=True),
    F("span__end").asc(nulls_last=True),
    "span_id",
)
_KEY = len(_KEY_FIELDS)


def _key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """A span key as Python compares it in ``_ORDER``'s order: offsets of None last."""
    article_id, start, end, span_id = key
    return (article_id, start is None, start or 0, end is None, end or 0, span_id)


def _consensus_name(agreed: str | None) -> str:
    return NAMES[agreed] if agreed else ""


def select_labels(
    *,
    article_ids: Iterable[int] | None = None,
    outlet: str | None = None,
    since: datetime.date | None = None,
) -> QuerySet[Label]:
    """Labels of these articles, of this outlet, updated on or after ``since`` (UTC).

    ``since`` compares with the last change, so a label created earlier and
    changed since is included; every new label counts as changed when created.
    """
    labels = Label.objects.all()
    if article_ids is not None:
        labels = labels.filter(article_id__in=list(article_ids))
    if outlet is not None:
        labels = labels.filter(article__outlet=outlet)
    if since is not None:
        start = datetime.datetime.combine(since, datetime.time.min, tzinfo=datetime.UTC)
        labels = labels.filter(updated_at__gte=start)
    return labels


def _span_kind_counts(labels: QuerySet[Label]) -> Iterator[tuple[Any, ...]]:
    """(article id, start, end, span id, then a count per kind of ``KINDS``) per span.

    Counts all of each span's labels, not only the selected ones, in the same
    span order as ``export_rows`` reads labels, so the two streams can be
    walked side by side. One grouped query; spans come in through a semi-join.
    """
    spans = labels.order_by().values("span_id")
    return (
        Label.objects.filter(span_id__in=spans)
        .order_by()
        .values_list(*_KEY_FIELDS)
        .annotate(**{kind: Count("id", filter=Q(kind=kind)) for kind in KINDS})
        .order_by(*_ORDER)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def export_rows(labels: QuerySet[Label], *, whole_spans: bool = False) -> Iterator[Row]:
    """One row per label, in the columns of ``annotations.csvexport.Row``.

    Two queries, each streamed in chunks, whatever the number of rows: the
    labels ordered by article, then span in reading order, then label; and
    their spans' label counts in the same span order, for the consensus. Only
    the WHERE clause of ``labels`` matters: its ordering and any
    select_related are replaced. With ``whole_spans`` (the caller knows
    ``labels`` holds every label of each span it touches: whole articles or
    outlets) the consensus comes from the rows themselves, in one query.
    """
    rows = map(
        _Label._make,
        labels.annotate(**_TIMES, **_DATES, **_COVERAGE, **_FINISHED)
        .order_by(*_ORDER, "id")
        .values_list(*_LOOKUPS)
        .iterator(chunk_size=CHUNK_SIZE),
    )
    if whole_spans:
        yield from _with_own_consensus(rows)
        return
    counts = _span_kind_counts(labels)
    pending = next(counts, None)
    last_span: int | None = None
    span_consensus = ""
    for label in rows:
        if label.span_id != last_span:
            last_span = label.span_id
            span_key = label.span_key
            # The two queries are not one snapshot: skip spans labelled in between.
            while pending is not None and _key(pending[:_KEY]) < span_key:
                pending = next(counts, None)
            span_consensus = ""
            if pending is not None and _key(pending[:_KEY]) == span_key:
                span_consensus = _consensus_name(consensus_of_counts(pending[_KEY:]))
                pending = next(counts, None)
        yield label.row(span_consensus)


def _with_own_consensus(labels: Iterator[_Label]) -> Iterator[Row]:
    """``export_rows`` when ``labels`` hold every label of each span they touch.

    A span's labels are consecutive, so its consensus comes from them: no
    second query. Holds one span's labels at a time.
    """
    span_labels: list[_Label] = []
    for label in labels:
        if span_labels and label.span_id != span_labels[0].span_id:
            yield from _finish_span(span_labels)
            span_labels = []
        span_labels.append(label)
    if span_labels:
        yield from _finish_span(span_labels)


def _finish_span(labels: list[_Label]) -> Iterator[Row]:
    agreed = _consensus_name(consensus([label.kind for label in labels]))
    for label in labels:
        yield label.row(agreed)


# Whole-span exports whose lines the database writes: COPY on PostgreSQL, one
# SELECT of lines on SQLite. Others format rows in Python (csv_chunks).
_DATABASE_LINES = {"postgresql": csvsql.csv_bytes, "sqlite": csvsqlite.csv_bytes}


def export_bytes(labels: QuerySet[Label], *, whole_spans: bool = False) -> Iterator[bytes]:
    """The CSV file for ``labels``, UTF-8 with BOM, a chunk at a time (``streaming_snapshot``)."""
    with streaming_snapshot():
        figures.refresh(Article.objects.filter(id__in=labels.order_by().values("article_id")))
        if whole_spans and connection.vendor in _DATABASE_LINES:
            # The database writes the lines itself, as csv_chunks would.
            yield from (chunk.encode("utf-8") for chunk in csv_chunks(()))
            yield from _DATABASE_LINES[connection.vendor](labels)
            return
        for chunk in csv_chunks(export_rows(labels, whole_spans=whole_spans)):
            yield chunk.encode("utf-8")


@contextmanager
def streaming_snapshot() -> Iterator[None]:
    """Where an export's queries run, so that their rows stream: every export's.

    On PostgreSQL the rows are read inside a transaction: outside one, Django
    declares its server-side cursors WITH HOLD, and PostgreSQL then computes
    and stores the whole result, in a temporary file, before sending the
    first row. Inside one, rows stream as the sort yields them, and every
    query sees the labels as they were when the export began. SQLite reads
    in chunks without it, and a transaction there would hold the write lock
    (``transaction_mode`` IMMEDIATE) for the whole download.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            # A cursor's plan is otherwise chosen for its first 10% of rows; an
            # export reads them all.
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        yield


def export_filename(today: datetime.date, article_id: int | None = None) -> str:
    if article_id is None:
        return f"sourcemark-labels-{today.isoformat()}.csv"
    return f"sourcemark-article-{article_id}-labels-{today.isoformat()}.csv"


def utc_today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def csv_response(
    labels: QuerySet[Label], filename: str, *, whole_spans: bool = False
) -> StreamingHttpResponse:
    """Stream the export: rows are read and written as the client downloads."""
    response = StreamingHttpResponse(
        export_bytes(labels, whole_spans=whole_spans), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Editorial judgements: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response
