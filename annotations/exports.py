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
from itertools import repeat
from typing import Any

from django.db.models import CharField, Count, Func, QuerySet
from django.http import StreamingHttpResponse

from annotations.balance import DISPUTED, consensus
from annotations.csvexport import csv_chunks
from annotations.models import Label, LabelKind

# Rows fetched from the database at a time; memory holds about this many.
CHUNK_SIZE = 2000

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
        labels = labels.filter(span__article_id__in=list(article_ids))
    if outlet is not None:
        labels = labels.filter(span__article__outlet=outlet)
    if since is not None:
        start = datetime.datetime.combine(since, datetime.time.min, tzinfo=datetime.UTC)
        labels = labels.filter(updated_at__gte=start)
    return labels


_ORDER = ("span__article_id", "span__start", "span__end", "span_id")


def _span_kind_counts(labels: QuerySet[Label]) -> Iterator[tuple[Any, ...]]:
    """(article id, start, end, span id, kind, number of labels) for the spans ``labels`` touch.

    Counts all of each span's labels, not only the selected ones, in the same
    span order as ``export_rows`` reads labels, so the two streams can be
    walked side by side. One grouped query; spans come in through a semi-join.
    """
    spans = labels.order_by().values("span_id")
    return (
        Label.objects.filter(span_id__in=spans)
        .order_by()
        .values_list(*_ORDER, "kind")
        .annotate(n=Count("id"))
        .order_by(*_ORDER, "kind")
        .iterator(chunk_size=CHUNK_SIZE)
    )


def export_rows(labels: QuerySet[Label]) -> Iterator[tuple[object, ...]]:
    """One tuple per label, in the columns of ``annotations.csvexport.COLUMNS``.

    Two queries, each streamed in chunks, whatever the number of rows: the
    labels ordered by article, then span in reading order, then label; and
    their spans' label counts in the same span order, for the consensus. Only
    the WHERE clause of ``labels`` matters: its ordering and any
    select_related are replaced.
    """
    rows = (
        labels.annotate(**_TIMES)
        .order_by(*_ORDER, "id")
        .values_list(*_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
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
            kinds: list[str] = []
            while pending is not None and pending[:4] == span_key:
                kinds.extend(repeat(pending[4], pending[5]))
                pending = next(counts, None)
            agreed = consensus(kinds)
            span_consensus = _CONSENSUS_NAMES.get(agreed, "") if agreed else ""
        (article_id, title, outlet, url, span_id, start, end, quote, kind) = row[:9]
        yield (
            article_id,
            title,
            outlet,
            url,
            span_id,
            start,
            end,
            quote,
            _KIND_NAMES.get(kind, kind),
            kind,
            span_consensus,
            *row[9:],
        )


def export_bytes(labels: QuerySet[Label]) -> Iterator[bytes]:
    """The CSV file for ``labels``, UTF-8 with BOM, a chunk at a time."""
    for chunk in csv_chunks(export_rows(labels)):
        yield chunk.encode("utf-8")


def export_filename(today: datetime.date, article_id: int | None = None) -> str:
    if article_id is None:
        return f"sourcemark-labels-{today.isoformat()}.csv"
    return f"sourcemark-article-{article_id}-labels-{today.isoformat()}.csv"


def utc_today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def csv_response(labels: QuerySet[Label], filename: str) -> StreamingHttpResponse:
    """Stream the export: rows are read and written as the client downloads."""
    response = StreamingHttpResponse(export_bytes(labels), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Editorial judgements: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response
