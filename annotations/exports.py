"""Which labels an export holds, and streaming them out as CSV.

The admin actions, the per-article download and ``manage.py export_labels``
all come through here, so they select, order and format labels the same way.
Two queries, whatever the number of rows: labels are read as plain tuples in
chunks, and their spans' label counts in a second stream in the same order, so
the span's consensus is right even when the export holds only some of the
span's labels (say, one reviewer's), and memory holds one chunk of each.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, Count, Func, Q, QuerySet
from django.http import StreamingHttpResponse

from annotations.balance import DISPUTED, KINDS, consensus, consensus_of_counts
from annotations.csvexport import csv_chunks
from annotations.csvsql import csv_lines
from annotations.models import Label, LabelKind

# Rows fetched from the database at a time; memory holds about this many.
CHUNK_SIZE = 5000

_KIND_NAMES = dict(LabelKind.choices)
_CONSENSUS_NAMES = {**_KIND_NAMES, DISPUTED: "Disputed"}


class IsoUtc(Func):
    """A timestamp as ``2026-11-28T08:55:03Z`` text, formatted by the database.

    Parsing two datetimes per row into Python only to format them again is a
    quarter of an export's time. Same truncation to the second as
    ``csvexport.iso_utc``; other databases return the datetime for it to format.
    """

    output_field = CharField()
    template = "%(expressions)s"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite stores UTC text; "%%%%" survives both Python formatting steps as "%".
        template = "strftime('%%%%Y-%%%%m-%%%%dT%%%%H:%%%%M:%%%%SZ', %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra)


_TIMES = {"created": IsoUtc("created_at"), "updated": IsoUtc("updated_at")}

_FIELDS = (
    "span__article_id",
    "span__article__title",
    "span__article__outlet",
    "span__article__url",
    "span_id",
    "span__start",
    "span__end",
    "span__quote",
    "kind",
    "reviewer__username",
    "note",
    "source_url",
    *_TIMES,
)


def can_export_labels(user: Any) -> bool:
    """Staff who may see labels in the admin (view, or change which implies it)."""
    return (
        user.is_active
        and user.is_staff
        and (user.has_perm("annotations.view_label") or user.has_perm("annotations.change_label"))
    )


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


_ORDER = ("span__article_id", "span__start", "span__end", "span_id")


def setup_queries(vendor: str) -> int:
    """Statements an export runs before its two streamed queries (tests count them)."""
    return 1 if vendor == "postgresql" else 0


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
        .values_list(*_ORDER)
        .annotate(**{kind: Count("id", filter=Q(kind=kind)) for kind in KINDS})
        .order_by(*_ORDER)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def export_rows(
    labels: QuerySet[Label], *, whole_spans: bool = False
) -> Iterator[tuple[object, ...]]:
    """One tuple per label, in the columns of ``annotations.csvexport.COLUMNS``.

    Two queries, each streamed in chunks, whatever the number of rows: the
    labels ordered by article, then span in reading order, then label; and
    their spans' label counts in the same span order, for the consensus. Only
    the WHERE clause of ``labels`` matters: its ordering and any
    select_related are replaced. With ``whole_spans`` (the caller knows
    ``labels`` holds every label of each span it touches: whole articles or
    outlets) the consensus comes from the rows themselves, in one query.
    """
    rows = (
        labels.annotate(**_TIMES)
        .order_by(*_ORDER, "id")
        .values_list(*_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    if whole_spans:
        yield from _with_own_consensus(rows)
        return
    counts = _span_kind_counts(labels)
    pending = next(counts, None)
    last_span: object = None
    span_consensus = ""
    for row in rows:
        if row[4] != last_span:
            last_span = row[4]
            span_key = (row[0], row[5], row[6], row[4])
            # The two queries are not one snapshot: skip spans labelled in between.
            while pending is not None and pending[:4] < span_key:
                pending = next(counts, None)
            span_consensus = ""
            if pending is not None and pending[:4] == span_key:
                span_consensus = _CONSENSUS_NAMES.get(consensus_of_counts(pending[4:]), "")
                pending = next(counts, None)
        kind = row[8]
        # Tuples joined in C: this runs once per exported label.
        yield row[:8] + (_KIND_NAMES.get(kind, kind), kind, span_consensus) + row[9:]


def _with_own_consensus(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[object, ...]]:
    """``export_rows`` when ``rows`` hold every label of each span they touch.

    A span's rows are consecutive, so its consensus comes from its own rows:
    no second query. Holds one span's rows at a time.
    """
    span_rows: list[tuple[Any, ...]] = []
    for row in rows:
        if span_rows and row[4] != span_rows[0][4]:
            yield from _finish_span(span_rows)
            span_rows = []
        span_rows.append(row)
    if span_rows:
        yield from _finish_span(span_rows)


def _finish_span(rows: list[tuple[Any, ...]]) -> Iterator[tuple[object, ...]]:
    agreed = _CONSENSUS_NAMES.get(consensus([row[8] for row in rows]), "")
    for row in rows:
        kind = row[8]
        yield row[:8] + (_KIND_NAMES.get(kind, kind), kind, agreed) + row[9:]


def export_bytes(labels: QuerySet[Label], *, whole_spans: bool = False) -> Iterator[bytes]:
    """The CSV file for ``labels``, UTF-8 with BOM, a chunk at a time.

    On PostgreSQL the rows are read inside a transaction: outside one, Django
    declares its server-side cursors WITH HOLD, and PostgreSQL then computes
    and stores the whole result before sending the first row (1.5 s of a
    200,000-label export, and the same again in a temporary file). Inside
    one, rows stream as the sort yields them, and both queries see the
    labels as they were when the export began. SQLite reads in chunks
    without it, and a transaction there would hold the write lock
    (``transaction_mode`` IMMEDIATE) for the whole download.
    """
    if connection.vendor != "postgresql":
        for chunk in csv_chunks(export_rows(labels, whole_spans=whole_spans)):
            yield chunk.encode("utf-8")
        return
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            # A cursor's plan is otherwise chosen for its first 10% of rows; an
            # export reads them all (0.5 s less for 200,000 labels).
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        if whole_spans:
            # PostgreSQL writes the lines itself (annotations.csvsql), as csv_chunks would.
            yield from (chunk.encode("utf-8") for chunk in csv_chunks(()))
            yield from (lines.encode("utf-8") for lines in csv_lines(labels))
            return
        for chunk in csv_chunks(export_rows(labels, whole_spans=whole_spans)):
            yield chunk.encode("utf-8")


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
