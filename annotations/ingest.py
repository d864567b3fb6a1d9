"""Getting articles in: the form, the import command and the seeds all call these."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotations import figures
from annotations.htmltext import to_canonical_text
from annotations.markup_limits import MarkupTooComplex
from annotations.models import BODY_MAX_CHARS, Article
from annotations.text import canonicalize
from annotations.webpages.extract import ExtractedPage, extract_page


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
    """Plain text or pasted HTML in, canonical text out; refuses empty or oversized bodies,
    and HTML too deep or too large to parse in bounded time."""
    try:
        body = to_canonical_text(raw)
    except MarkupTooComplex as error:
        raise ValidationError(error.message, code="too_complex") from None
    if not body:
        raise ValidationError("The article has no text.", code="empty")
    if len(body) > BODY_MAX_CHARS:
        raise ValidationError(
            f"The article is too long ({len(body):,} characters; the limit is {BODY_MAX_CHARS:,}).",
            code="too_long",
        )
    return body


def duplicate(twin: Article) -> ValidationError:
    """The refusal of a body that is already stored, as ``twin``."""
    return ValidationError(
        f"This text is already in Sourcemark as “{twin.title}”.", code="duplicate"
    )


def store(article: Article) -> None:
    """Save a new or edited article whose body passed the duplicate check.

    Another request may have stored the same text since the check: the
    fingerprint's unique constraint then refuses ours, and the editor gets
    the same answer as without the race (``duplicate``), not a 500.
    """
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        twin = Article.objects.filter(fingerprint=article.fingerprint).exclude(pk=article.pk)
        if not twin.exists():
            raise
        raise duplicate(twin.get()) from None


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
            # Its overview figures (nothing labelled yet) with it: /reports/ never computes them.
            figures.update([article.pk])
    except IntegrityError:
        # Another process saved the same text a moment ago.
        return Article.objects.get(fingerprint=digest), False
    return article, True


SUFFIXES = (".txt", ".html", ".htm", ".json")


def read_article_file(path: Path) -> ArticleData:
    """An article from a .txt (first line is the title), .html/.htm (a saved web page:
    its story and metadata, ``annotations.webpages``) or .json file.

    Raises ``OSError`` when the file cannot be read, and ``ValueError`` with a
    reason an editor can read (without the path) when it holds no article.
    """
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"cannot import {suffix or 'files without an extension'}")
    if suffix in (".html", ".htm"):
        # Bytes: the page's own charset declaration decides how they read (PageRefused
        # is a ValueError with the reason).
        return article_from_page(extract_page(path.read_bytes()))
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("is not UTF-8 text") from None
    if suffix == ".txt":
        title, _, body = raw.lstrip().partition("\n")
        return ArticleData(title=title.strip(), body=body)
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"is not valid JSON ({error})") from None
    except RecursionError:
        # The decoder gives up after about a thousand levels: quickly, whatever the size.
        raise ValueError("the JSON is nested too deeply to be an article") from None
    return article_from_json(record)


def article_from_page(page: ExtractedPage) -> ArticleData:
    """A web page's story and metadata as an article (authors in ``byline``)."""
    return ArticleData(
        title=page.title,
        body=page.body,
        outlet=page.outlet,
        url=page.url,
        byline=page.byline,
        published=page.published,
    )


JSON_FIELDS = ("title", "body", "outlet", "url", "byline", "published")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def article_from_json(record: object) -> ArticleData:
    """An article from one JSON record, every field of the type it must be.

    ``title`` and ``body`` are required text; ``outlet``, ``url`` and
    ``byline`` are text or null; ``published`` is a date written YYYY-MM-DD,
    or null. Anything else (a number for a date, null for a title, an object
    for text, an unknown field, a NUL character) raises ``ValueError`` naming
    the field: nothing is converted into text it did not say.
    """
    if not isinstance(record, dict):
        raise ValueError("a JSON article must be an object with at least a title and a body")
    unknown = [name for name in record if name not in JSON_FIELDS]
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r} (known: {', '.join(JSON_FIELDS)})")
    for name in ("title", "body"):
        if name not in record:
            raise ValueError(f"{name} is missing")
    text = {name: _text_field(record, name) for name in JSON_FIELDS if name != "published"}
    for name in ("title", "body"):
        if not text[name].strip():
            raise ValueError(f"{name} is empty")
    return ArticleData(
        title=text["title"],
        body=text["body"],
        outlet=text["outlet"],
        url=text["url"],
        byline=text["byline"],
        published=_date_field(record.get("published")),
    )


def _text_field(record: dict[str, object], name: str) -> str:
    value = record.get(name)
    if value is None and name not in ("title", "body"):
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {_describe(value)}")
    if "\x00" in value:
        raise ValueError(f"{name} contains a NUL character, which Sourcemark cannot store")
    return value


def _date_field(value: object) -> datetime.date | None:
    if value is None or value == "":
        return None
    shown = repr(value) if isinstance(value, str) else _describe(value)
    problem = f"published must be a date written YYYY-MM-DD, not {shown}"
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(problem)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(problem) from None


def _describe(value: object) -> str:
    """A JSON value's kind, as an editor would name it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    return "a list" if isinstance(value, list) else "an object"
