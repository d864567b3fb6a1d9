"""Getting articles in: the form, the import command and the seeds all call these."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotations.htmltext import html_to_text, to_canonical_text
from annotations.models import BODY_MAX_CHARS, Article
from annotations.text import canonicalize


class ArticleLocked(ValidationError):
    """The body of an article with spans cannot change: the spans point into it."""


def fingerprint(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass
class ArticleData:
    title: str
    body: str
    outlet: str = ""
    url: str = ""
    byline: str = ""
    published: datetime.date | None = None


def canonical_body(raw: str) -> str:
    """Plain text or pasted HTML in, canonical text out; refuses empty or oversized bodies."""
    body = to_canonical_text(raw)
    if not body:
        raise ValidationError("The article has no text.", code="empty")
    if len(body) > BODY_MAX_CHARS:
        raise ValidationError(
            f"The article is too long ({len(body):,} characters; the limit is {BODY_MAX_CHARS:,}).",
            code="too_long",
        )
    return body


def save_article(data: ArticleData, *, created_by: Any = None) -> tuple[Article, bool]:
    """Store an article unless one with the same canonical text exists.

    Returns ``(article, created)``. Metadata is validated by the model's own
    field validators, so a `javascript:` URL is refused here as in the form.
    """
    body = canonical_body(data.body)
    digest = fingerprint(body)
    existing = Article.objects.filter(fingerprint=digest).first()
    if existing is not None:
        return existing, False
    article = Article(
        title=canonicalize(data.title).replace("\n", " ") or "Untitled",
        body=body,
        fingerprint=digest,
        outlet=data.outlet.strip(),
        url=data.url.strip(),
        byline=data.byline.strip(),
        published=data.published,
        created_by=created_by,
    )
    article.full_clean(exclude=["fingerprint"])
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        # Another process saved the same text a moment ago.
        return Article.objects.get(fingerprint=digest), False
    return article, True


def set_body(article: Article, raw: str) -> None:
    """Replace an article's body, refusing once spans point into it."""
    body = canonical_body(raw)
    if body == article.body:
        return
    if article.spans.exists():
        raise ArticleLocked(
            "The text cannot be changed: reviewers have already highlighted it, and "
            "their highlights point into this exact text. Title and details can still change.",
            code="locked",
        )
    article.body = body
    article.fingerprint = fingerprint(body)


def read_article_file(path: Path) -> ArticleData:
    """An article from a .txt (first line is the title), .html or .json file."""
    raw = path.read_text(encoding="utf-8-sig")
    suffix = path.suffix.lower()
    if suffix == ".txt":
        title, _, body = raw.lstrip().partition("\n")
        return ArticleData(title=title.strip(), body=body)
    if suffix in (".html", ".htm"):
        return ArticleData(title=_html_title(raw) or path.stem, body=raw)
    if suffix == ".json":
        record = json.loads(raw)
        if not isinstance(record, dict) or "title" not in record or "body" not in record:
            raise ValueError(f"{path}: a JSON article needs at least 'title' and 'body'")
        published = record.get("published") or None
        return ArticleData(
            title=str(record["title"]),
            body=str(record["body"]),
            outlet=str(record.get("outlet", "")),
            url=str(record.get("url", "")),
            byline=str(record.get("byline", "")),
            published=datetime.date.fromisoformat(published) if published else None,
        )
    raise ValueError(f"{path}: cannot import {suffix or 'files without an extension'}")


def _html_title(raw: str) -> str:
    lower = raw.lower()
    for open_tag, close_tag in (("<title", "</title>"), ("<h1", "</h1>")):
        start = lower.find(open_tag)
        if start != -1:
            start = lower.find(">", start) + 1
            end = lower.find(close_tag, start)
            if start and end != -1:
                return html_to_text(raw[start:end])
    return ""
