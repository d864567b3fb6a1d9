"""Labels out as W3C Web Annotations: the query, the site's base URL, the response.

The document itself is built by the pure ``annotations.interop.webannotation``;
this module reads the labels for it, one streamed query whatever their
number, and serves it. The article's download, the admin action and
``manage.py export_annotations`` all come through here.

Every id in an export starts at ``settings.SITE_URL`` (``site()``): a label
keeps one id whichever host name a reader used, and the command has no
request to take one from. Without it (production must set it) the export is
refused with a sentence naming the setting, never written with ids that
would change.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.core import checks
from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Concat, Trim
from django.http import StreamingHttpResponse

from annotations.csvsql import IsoUtc
from annotations.exports import CHUNK_SIZE, streaming_snapshot
from annotations.interop.vocabulary import Site
from annotations.interop.webannotation import MEDIA_TYPE, LabelRow, collection_chunks
from annotations.models import Article, Label

NO_SITE_URL = (
    "Web Annotation exports need the address readers reach Sourcemark at, for the "
    "annotations' ids: set SITE_URL (for example https://sourcemark.example.org)."
)

# LabelRow's fields, in its order, as the query reads them.
_LOOKUPS = (
    "article_id",
    "id",
    "kind",
    "span__start",
    "span__end",
    "span__quote",
    "span__prefix",
    "span__suffix",
    "note",
    "source_url",
    "reviewer__username",
    "reviewer_name",
    "created",
    "updated",
    "article__url",
)
# Reading order, as the CSV export has it; labels of one span by id.
# Orphans (no offsets) last in each article, on every database.
_ORDER = (
    "article_id",
    F("span__start").asc(nulls_last=True),
    F("span__end").asc(nulls_last=True),
    "span_id",
    "id",
)


class NoSiteUrl(Exception):
    """``SITE_URL`` is not set: ids cannot be made (``NO_SITE_URL`` says so)."""


def site(base_url: str | None = None) -> Site:
    """Where ids start: ``base_url`` when given (the command's ``--base-url``), else SITE_URL."""
    base = base_url if base_url is not None else settings.SITE_URL
    if not base:
        raise NoSiteUrl(NO_SITE_URL)
    return Site(base)


def check_site_url(**kwargs: object) -> list[checks.CheckMessage]:
    """``manage.py check --deploy`` says when SITE_URL is unset: the exports would refuse.

    Registered by ``AnnotationsConfig.ready``.
    """
    if settings.SITE_URL:
        return []
    return [checks.Error(NO_SITE_URL, id="annotations.E001")]


def label_rows(labels: QuerySet[Label]) -> Iterator[LabelRow]:
    """``labels`` as ``LabelRow``s in reading order: one query, streamed in chunks.

    Only the WHERE clause of ``labels`` matters. Each row joins its span, its
    reviewer and its article; times come formatted by the database.
    """
    full_name = Trim(
        Concat("reviewer__first_name", Value(" "), "reviewer__last_name", output_field=CharField())
    )
    rows = (
        labels.annotate(
            reviewer_name=full_name, created=IsoUtc("created_at"), updated=IsoUtc("updated_at")
        )
        .order_by(*_ORDER)
        .values_list(*_LOOKUPS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    return map(LabelRow._make, rows)


def article_bytes(article: Article, where: Site) -> Iterator[bytes]:
    """One article's document (``/articles/<id>/annotations.jsonld``), a chunk at a time."""
    # Both the labels and their spans by the article: without the spans' own
    # condition PostgreSQL joined every span in the database to the article's
    # labels (a sequential scan: 2,772 of 2,944 buffers at 1,000 articles,
    # ten times that at --scale 10).
    labels = Label.objects.filter(article_id=article.pk, span__article_id=article.pk)
    with streaming_snapshot():
        yield from collection_chunks(
            label_rows(labels),
            site=where,
            collection_id=where.export(article.pk),
            label=f"Sourcemark labels on “{article.title}”",
        )


def selection_bytes(
    labels: QuerySet[Label], where: Site, *, today: datetime.date
) -> Iterator[bytes]:
    """A selection's labels (the admin's, the command's) as one collection, a chunk at a time.

    The collection is this export and no other, so its id is a fresh
    ``urn:uuid``; each annotation keeps its stable id and its own article.
    """
    with streaming_snapshot():
        yield from collection_chunks(
            label_rows(labels),
            site=where,
            collection_id=f"urn:uuid:{uuid.uuid4()}",
            label=f"Sourcemark labels exported on {today.isoformat()}",
        )


def export_filename(today: datetime.date, article_id: int | None = None) -> str:
    """Named like the CSV files: by what the file holds and the UTC date."""
    if article_id is None:
        return f"sourcemark-labels-{today.isoformat()}.jsonld"
    return f"sourcemark-article-{article_id}-annotations-{today.isoformat()}.jsonld"


def jsonld_response(chunks: Iterator[bytes], filename: str) -> StreamingHttpResponse:
    """Stream the document: rows are read and written as the client downloads."""
    response = StreamingHttpResponse(chunks, content_type=MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Editorial judgements: no shared cache may keep a copy (as the CSV).
    response["Cache-Control"] = "private, no-store"
    return response
