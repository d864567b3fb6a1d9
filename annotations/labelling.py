"""Every span and label write goes through here.

Each function checks its input and either writes everything or nothing. A
refusal is a ``LabelError`` carrying the HTTP status and a message an editor
can read, so views only translate it into a response.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from annotations.models import (
    NOTE_MAX_LENGTH,
    URL_MAX_LENGTH,
    Article,
    Label,
    LabelKind,
    Span,
    http_url_validator,
)
from annotations.text import OffsetError, QuoteMismatch, anchor

# "a < b" is fine in a note; "<b>", "</p>", "<!--" and "<?php" are markup.
_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]")
# A concurrent writer can win a unique-constraint race between our read and
# our insert; we then re-read. Twice is plenty: a third loss means a bug.
_RACE_RETRIES = 2


class LabelError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleQuote(LabelError):
    status = 409


class NotYours(LabelError):
    status = 403


def clean_label_fields(kind: str, note: str, source_url: str) -> tuple[str, str, str]:
    """Validate what the editor typed; return it trimmed, or raise ``LabelError``."""
    if kind not in LabelKind.values:
        choices = ", ".join(LabelKind.labels)
        # The value sent is not repeated: a refusal never echoes what the request held.
        raise LabelError(f"Unknown label: choose one of {choices}.")
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise LabelError(
            f"The note is too long ({len(note):,} characters; the limit is {NOTE_MAX_LENGTH:,})."
        )
    if _MARKUP.search(note):
        raise LabelError("Notes are plain text: please remove the HTML markup (text in < >).")
    if "\x00" in note:
        raise LabelError("The note contains a NUL character; please retype it.")
    source_url = source_url.strip()
    if source_url:
        if len(source_url) > URL_MAX_LENGTH:
            raise LabelError(f"The source link is longer than {URL_MAX_LENGTH:,} characters.")
        try:
            http_url_validator(source_url)
        except ValidationError:
            raise LabelError(
                "The source must be a web address starting with http:// or https://."
            ) from None
    return kind, note, source_url


def label_span(
    *,
    article: Article,
    reviewer: Any,
    start: int,
    end: int,
    quote: str,
    kind: str,
    note: str = "",
    source_url: str = "",
) -> Label:
    """Create (or reuse) the span at ``start:end`` and set ``reviewer``'s label on it.

    Labelling a span twice with the same values changes nothing, so a double
    submission is harmless; with other values it updates the reviewer's label.
    """
    kind, note, source_url = clean_label_fields(kind, note, source_url)
    try:
        where = anchor(article.body, start, end, quote)
    except QuoteMismatch as error:
        raise StaleQuote(str(error)) from None
    except OffsetError as error:
        raise LabelError(str(error)) from None

    for attempt in range(_RACE_RETRIES + 1):
        try:
            with transaction.atomic():
                _bump_revision([article.pk])
                span, _ = Span.objects.get_or_create(
                    article=article,
                    start=where.start,
                    end=where.end,
                    defaults={
                        "quote": where.quote,
                        "prefix": where.prefix,
                        "suffix": where.suffix,
                        "created_by": reviewer,
                    },
                )
                # A new label's history row holds its reviewer; in a request,
                # history_user is the logged-in user, the same person.
                label, created = Label.objects.get_or_create(
                    span=span,
                    reviewer=reviewer,
                    defaults={
                        "article": article,
                        "kind": kind,
                        "note": note,
                        "source_url": source_url,
                    },
                )
                if not created:
                    _update(label, reviewer, kind, note, source_url)
                return label
        except IntegrityError:
            # The span was removed (its last label deleted) between our read and
            # our insert, or a twin request won the race: everything above is
            # rolled back; read again.
            if attempt == _RACE_RETRIES:
                raise
    raise AssertionError("unreachable")


def change_label(label: Label, user: Any, *, kind: str, note: str, source_url: str) -> Label:
    """Change ``user``'s own label; anyone else's is refused."""
    _check_owner(label, user)
    kind, note, source_url = clean_label_fields(kind, note, source_url)
    if (label.kind, label.note, label.source_url) == (kind, note, source_url):
        return label  # Nothing changed: no write, no audit entry.
    with transaction.atomic():
        _bump_revision(Span.objects.filter(pk=label.span_id).values("article_id"))
        _update(label, user, kind, note, source_url)
    return label


def remove_label(label: Label, user: Any) -> bool:
    """Delete ``user``'s own label, and its span when no label is left on it.

    Returns True when the span went too.
    """
    _check_owner(label, user)
    with transaction.atomic():
        # The article first, as every write locks it first (no deadlock between writers).
        _bump_revision(Span.objects.filter(pk=label.span_id).values("article_id"))
        # Lock the span: of two reviewers removing its last two labels at once, the
        # second waits, sees the first's delete and removes the span. A label being
        # added right now either committed first (we see it and keep the span) or
        # fails its deferred foreign key at commit, and label_span retries on a new span.
        span = Span.objects.select_for_update().get(pk=label.span_id)
        _record_author(label, user)
        label.delete()
        if not span.labels.exists():
            span.delete()
            return True
    return False


def _check_owner(label: Label, user: Any) -> None:
    if label.reviewer_id != user.pk:
        raise NotYours("This is another reviewer's label: only they can change or remove it.")


def _record_author(label: Label, user: Any) -> None:
    """Name ``user`` in the audit trail even outside a request (seeds, commands);
    in a request it is the logged-in user anyway."""
    label._history_user = user  # type: ignore[attr-defined]  # read by django-simple-history


def _update(label: Label, user: Any, kind: str, note: str, source_url: str) -> None:
    if (label.kind, label.note, label.source_url) == (kind, note, source_url):
        return  # Nothing changed: no write, no audit entry.
    label.kind, label.note, label.source_url = kind, note, source_url
    _record_author(label, user)
    label.save(update_fields=["kind", "note", "source_url", "updated_at"])


def _bump_revision(article_ids: Any) -> None:
    """Mark the cached figures (ArticleFigures) of ``article_ids`` (a list or a subquery) stale.

    Runs first in each write's transaction: it takes the article's row lock,
    so writers on one article queue in one order (no deadlock) for the few
    milliseconds a write takes.
    """
    Article.objects.filter(pk__in=article_ids).update(labels_revision=F("labels_revision") + 1)
