"""Which labels an export holds, and streaming them out as CSV.

The admin actions, the per-article download and ``manage.py export_labels``
all come through here, so they select, order and format labels the same way.
One query, whatever the number of rows: labels are read as plain tuples in
chunks, and each row carries its span's label counts (correlated subqueries)
so the span's consensus is right even when the export holds only some of the
span's labels (say, one reviewer's).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from itertools import repeat
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import StreamingHttpResponse

from annotations.balance import DISPUTED, consensus
from annotations.csvexport import csv_chunks
from annotations.models import Label, LabelKind

# Rows fetched from the database at a time; memory holds about this many.
CHUNK_SIZE = 2000

_KIND_NAMES = dict(LabelKind.choices)
_CONSENSUS_NAMES = {**_KIND_NAMES, DISPUTED: "Disputed"}
_KINDS = tuple(LabelKind.values)

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
    "created_at",
    "updated_at",
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


def _kind_count(kind: str) -> Coalesce:
    same_span = (
        Label.objects.filter(span_id=OuterRef("span_id"), kind=kind)
        .order_by()
        .values("span_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(same_span, output_field=IntegerField()), 0)


def export_rows(labels: QuerySet[Label]) -> Iterator[tuple[object, ...]]:
    """One tuple per label, in the columns of ``annotations.csvexport.COLUMNS``.

    Runs one query (streamed in chunks), ordered by article, then span in
    reading order, then label. Whatever filters or annotations ``labels``
    carries, only its WHERE clause matters here.
    """
    counts = {f"n_{kind}": _kind_count(kind) for kind in _KINDS}
    rows = (
        labels.order_by()
        .annotate(**counts)
        .order_by("span__article_id", "span__start", "span__end", "span_id", "id")
        .values_list(*_FIELDS, *counts)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    last_span: object = None
    span_consensus = ""
    for row in rows:
        span_id = row[4]
        if span_id != last_span:
            # Rows come span by span: work the consensus out once per span.
            kinds = [repeat(kind, n) for kind, n in zip(_KINDS, row[14:], strict=True)]
            agreed = consensus(kind for run in kinds for kind in run)
            span_consensus = _CONSENSUS_NAMES.get(agreed, "") if agreed else ""
            last_span = span_id
        (article_id, title, outlet, url, span_id, start, end, quote, kind, reviewer) = row[:10]
        note, source_url, created_at, updated_at = row[10:14]
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
            reviewer,
            note,
            source_url,
            created_at,
            updated_at,
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
