"""Reviewer labels as W3C Web Annotations (JSON-LD), streamed. Pure: no Django imports.

One ``LabelRow`` (a reviewer's label on a span) becomes one Annotation:

- ``@context`` ``http://www.w3.org/ns/anno.jsonld``, ``id`` the label's IRI
  (``vocabulary.Site.annotation``), ``type`` ``Annotation``.
- ``motivation`` ``classifying``, always and alone: the model says an
  Annotation SHOULD have exactly one motivation (3.3.5). Each body says why
  it is there with its own ``purpose``, so a note is a body whose purpose is
  ``commenting`` rather than a second motivation.
- ``creator``: a ``Person`` with the reviewer's ``name`` (full name, or the
  username when there is none) and ``nickname`` (the username, which an
  import matches); never an e-mail address.
- ``created`` and ``modified``: xsd:dateTime in UTC with a ``Z``.
- ``body``: the label as a ``TextualBody`` with ``purpose`` ``classifying``,
  whose ``id`` is the kind's concept IRI (``vocabulary.Site.concept``) and
  whose ``value`` is its name; the note, when there is one, as a
  ``TextualBody`` with ``purpose`` ``commenting``; the evidence link, when
  there is one, as a ``SpecificResource`` with ``purpose`` ``linking`` and the
  link as its ``source`` (an external resource carries a purpose only through
  a SpecificResource, 4.1).
- ``target``: a ``SpecificResource`` whose ``source`` is the article's
  canonical URL (its app URL when it has none), with a ``TextQuoteSelector``
  (``exact``, ``prefix``, ``suffix``) and a ``TextPositionSelector``
  (``start``, ``end``): both in Unicode code points of the canonical body,
  as the model requires (4.2.4) and as Sourcemark stores them.

A file is one ``AnnotationCollection`` holding its annotations in one
embedded ``AnnotationPage``. A Page MUST hold at least one annotation (5.2),
so an article without labels is a Collection with ``total`` 0 and no page.
Several pages would need a URL each and a request each, and a reader paging
while editors label would see a moving list; one page streamed from one
query is one consistent reading, and streaming keeps memory flat at any size.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from annotations.csvexport import iso_utc
from annotations.interop.vocabulary import ANNO_CONTEXT, Site
from annotations.kinds import KINDS, NAMES

MEDIA_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'
# Annotations per bytes chunk handed to the response: fewer, larger writes.
ITEMS_PER_CHUNK = 500

# Lone surrogates cannot be UTF-8: "backslashreplace" writes them as the JSON
# escape \udXXXX, which is what ensure_ascii would have written, so the output
# is always valid JSON and every other character stays readable.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
# A str as a JSON string literal, exactly as _encode writes one (C code).
_string = json.encoder.encode_basestring


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "backslashreplace")


class LabelRow(NamedTuple):
    """One reviewer's label on one span, as the export query reads it."""

    article_id: int
    label_id: int
    kind: str
    start: int | None  # None, and end too, for a span a correction orphaned
    end: int | None
    quote: str
    prefix: str
    suffix: str
    note: str
    source_url: str
    reviewer: str  # username
    reviewer_name: str  # full name; "" when the account has none
    created: datetime.datetime | str  # a str is already ISO 8601 UTC with Z
    updated: datetime.datetime | str
    article_url: str  # the article's canonical URL; "" when it has none


def _when(moment: datetime.datetime | str) -> str:
    return moment if isinstance(moment, str) else iso_utc(moment)


def _label_bodies(site: Site) -> dict[str, dict[str, Any]]:
    """The classifying body of each kind."""
    return {
        kind: {
            "id": site.concept(kind),
            "type": "TextualBody",
            "purpose": "classifying",
            "value": NAMES[kind],
            "format": "text/plain",
            "language": "en",
        }
        for kind in KINDS
    }


def annotation(row: LabelRow, site: Site) -> dict[str, Any]:
    """The Web Annotation of one label (see the module docstring)."""
    body: list[dict[str, Any]] = [_label_bodies(site)[row.kind]]
    if row.note:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": row.note,
                "format": "text/plain",
            }
        )
    if row.source_url:
        body.append({"type": "SpecificResource", "purpose": "linking", "source": row.source_url})
    return {
        "@context": ANNO_CONTEXT,
        "id": site.annotation(row.article_id, row.label_id),
        "type": "Annotation",
        "motivation": "classifying",
        "creator": {
            "type": "Person",
            "name": row.reviewer_name or row.reviewer,
            "nickname": row.reviewer,
        },
        "created": _when(row.created),
        "modified": _when(row.updated),
        "body": body,
        "target": {
            "type": "SpecificResource",
            "source": row.article_url or site.article(row.article_id),
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": row.quote,
                    "prefix": row.prefix,
                    "suffix": row.suffix,
                },
                *(
                    [{"type": "TextPositionSelector", "start": row.start, "end": row.end}]
                    if row.start is not None
                    else []  # an orphan: its text, with no place in the body
                ),
            ],
        },
    }


class _AnnotationJson:
    """``_encode(annotation(row, site))``, built from pieces encoded once.

    Encoding a dict per label held an export of 10,000 labels to about a
    third of its rate; here only each row's own strings are encoded (by the
    json module's C string encoder) and joined between constant pieces. The
    output is the same text (a property test compares the two for any row).
    """

    def __init__(self, site: Site) -> None:
        self.site = site
        self.labels = {kind: _encode(body) for kind, body in _label_bodies(site).items()}
        # (article id, canonical URL) -> (the annotation id up to the label's id, target source)
        self.articles: dict[tuple[int, str], tuple[str, str]] = {}

    def __call__(self, row: LabelRow) -> str:
        article = self.articles.get((row.article_id, row.article_url))
        if article is None:
            source = row.article_url or self.site.article(row.article_id)
            article = (self.site.annotation(row.article_id, 0)[:-1], _string(source))
            self.articles[(row.article_id, row.article_url)] = article
        id_prefix, source = article
        body = self.labels[row.kind]
        if row.note:
            body += (
                ',{"type":"TextualBody","purpose":"commenting","value":'
                + _string(row.note)
                + ',"format":"text/plain"}'
            )
        if row.source_url:
            body += (
                ',{"type":"SpecificResource","purpose":"linking","source":'
                + _string(row.source_url)
                + "}"
            )
        return "".join(
            (
                '{"@context":"http://www.w3.org/ns/anno.jsonld","id":',
                _string(id_prefix + str(row.label_id)),
                ',"type":"Annotation","motivation":"classifying","creator":{"type":"Person","name":',
                _string(row.reviewer_name or row.reviewer),
                ',"nickname":',
                _string(row.reviewer),
                '},"created":',
                _string(_when(row.created)),
                ',"modified":',
                _string(_when(row.updated)),
                ',"body":[',
                body,
                '],"target":{"type":"SpecificResource","source":',
                source,
                ',"selector":[{"type":"TextQuoteSelector","exact":',
                _string(row.quote),
                ',"prefix":',
                _string(row.prefix),
                ',"suffix":',
                _string(row.suffix),
                "}]}}"
                if row.start is None
                else f'}},{{"type":"TextPositionSelector","start":{row.start},"end":{row.end}}}]}}}}',
            )
        )


def collection_chunks(
    rows: Iterable[LabelRow],
    *,
    site: Site,
    collection_id: str,
    label: str,
    items_per_chunk: int = ITEMS_PER_CHUNK,
) -> Iterator[bytes]:
    """The whole document as UTF-8 chunks: an AnnotationCollection of ``rows``.

    Holds at most ``items_per_chunk`` annotations at a time, so memory stays
    flat however many rows come. Each annotation keeps its own ``@context``,
    so one taken out of the file alone is still a complete Web Annotation.
    ``total`` comes last, once the rows have been counted (JSON objects are
    unordered, so readers find it wherever it is).
    """
    if "#" in collection_id:
        raise ValueError("A collection IRI cannot have a fragment: its page is one.")
    page_id = collection_id + "#page-1"
    encoded = _AnnotationJson(site)
    head = {
        "@context": ANNO_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": label,
    }
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        yield _utf8(_encode(head)[:-1] + ',"total":0}\n')
        return
    page = {"id": page_id, "type": "AnnotationPage", "partOf": collection_id, "startIndex": 0}
    # Every item but the first carries the comma before it, so a chunk can end anywhere.
    batch = [_encode(head)[:-1] + ',\n"first":' + _encode(page)[:-1] + ',"items":[\n']
    batch.append(encoded(first))
    total = 1
    for row in rows:
        batch.append(",\n" + encoded(row))
        total += 1
        if len(batch) >= items_per_chunk:
            yield _utf8("".join(batch))
            batch.clear()
    batch.append(f'\n]}},\n"last":{_encode(page_id)},"total":{total}}}\n')
    yield _utf8("".join(batch))


def article_chunks(
    rows: Iterable[LabelRow], *, site: Site, article_id: int, title: str
) -> Iterator[bytes]:
    """One article's labels: the document ``/articles/<id>/annotations.jsonld`` serves."""
    return collection_chunks(
        rows,
        site=site,
        collection_id=site.export(article_id),
        label=f"Sourcemark labels on “{title}”",
    )
