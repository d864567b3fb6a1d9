"""Helpers shared by the CSV export tests: reading a CSV back, and many labels fast."""

from __future__ import annotations

import codecs
import csv
import io

from django.contrib.auth.models import User

from annotations.models import Article, Label, LabelKind, Span

HEADER = [
    "article id",
    "article title",
    "outlet",
    "article URL",
    "authors",
    "published",
    "article coverage",
    "span id",
    "start",
    "end",
    "anchor",
    "quote",
    "label",
    "label code",
    "span consensus",
    "reviewer",
    "reviewer finished",
    "note",
    "source URL",
    "created (UTC)",
    "updated (UTC)",
]


# A column's index by its heading: C["note"].
C = {heading: index for index, heading in enumerate(HEADER)}


def parse_csv(content: bytes) -> list[list[str]]:
    """Rows of an exported file, header included; fails unless it starts with a BOM."""
    assert content.startswith(codecs.BOM_UTF8), "the file must start with a UTF-8 BOM"
    text = content[len(codecs.BOM_UTF8) :].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def many_labels(count: int, reviewer: User, *, title: str = "Long read") -> Article:
    """An article with ``count`` one-word spans, each labelled once by ``reviewer``.

    Written with bulk_create: these tests are about reading, not the write path.
    """
    words = [f"w{n:05d}" for n in range(count)]
    body = " ".join(words)
    article = Article.objects.create(title=title, body=body, fingerprint=f"{title:x<64}"[:64])
    spans = Span.objects.bulk_create(
        Span(article=article, start=n * 7, end=n * 7 + 6, quote=word)
        for n, word in enumerate(words)
    )
    kinds = LabelKind.values
    Label.objects.bulk_create(
        Label(span=span, reviewer=reviewer, kind=kinds[n % len(kinds)], note=f"note {n}")
        for n, span in enumerate(spans)
    )
    return article
