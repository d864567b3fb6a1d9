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

from annotations import graphemes
from annotations.models import (
    NOTE_MAX_LENGTH,
    URL_MAX_LENGTH,
    Article,
    Label,
    LabelKind,
    Span,
    http_url_validator,
)
from annotations.text import Anchor, OffsetError, QuoteMismatch, anchor

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


class Gone(LabelError):
    """What the request acts on was removed by another request a moment earlier."""

    status = 404


def lock_article(article_id: int, *, with_body: bool = True) -> Article:
    """The article's row, locked until the caller's transaction ends.

    The one lock on an article's text. Every write that reads the body (a
    label, whose quote is checked against it) or changes it (the edit form,
    the admin) takes it first, inside its own transaction, and reads the body
    under it: so the body cannot change between a label's check and its
    insert (issue 10: both used to succeed, and the span kept a quote the text
    no longer had). Label writes that do not read the body take it too
    (``with_body=False`` leaves the text unread), so every writer on one
    article queues in one order and no two deadlock; they then lock spans and
    labels. Call it inside ``transaction.atomic()``; on SQLite, whose
    transactions take the database's write lock at BEGIN, the lock is already
    held. Raises ``Gone`` when the article was deleted meanwhile.
    """
    rows = Article.objects.select_for_update()
    if not with_body:
        rows = rows.defer("body")
    try:
        return rows.get(pk=article_id)
    except Article.DoesNotExist:
        raise Gone("This article has been deleted meanwhile.") from None


def clean_label_fields(kind: str, note: str, source_url: str) -> tuple[str, str, str]:
    """Validate what the editor typed; return it trimmed, or raise ``LabelError``."""
    if kind not in LabelKind.values:
        choices = ", ".join(LabelKind.labels)
        raise LabelError(f"Sourcemark has no such label. Choose one of: {choices}.")
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
    for attempt in range(_RACE_RETRIES + 1):
        try:
            with transaction.atomic():
                # The body as it is now, and as it stays until we commit: the caller's
                # copy may predate an edit. The caller renders what was checked.
                article.body = lock_article(article.pk).body
                where = _anchor(article.body, start, end, quote)
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
            # A unique constraint lost to a writer that committed between our read
            # and our insert: everything above is rolled back; read again. With the
            # article locked first this should not happen; it stays a retry, not a 500.
            if attempt == _RACE_RETRIES:
                raise
    raise AssertionError("unreachable")


def _anchor(body: str, start: int, end: int, quote: str) -> Anchor:
    """The span to store: the client's quote checked at the client's offsets, then its
    edges widened to whole grapheme clusters (annotations.graphemes), whatever the
    client did, so that no span splits an emoji or a letter from its accent."""
    try:
        checked = anchor(body, start, end, quote)
        snapped = graphemes.snap(body, start, end)
        if snapped == (start, end):
            return checked
        return anchor(body, *snapped, body[snapped[0] : snapped[1]])
    except QuoteMismatch as error:
        raise StaleQuote(str(error)) from None
    except OffsetError as error:
        raise LabelError(str(error)) from None


def change_label(label: Label, user: Any, *, kind: str, note: str, source_url: str) -> Label:
    """Change ``user``'s own label; anyone else's is refused, one removed meanwhile is ``Gone``."""
    _check_owner(label, user)
    kind, note, source_url = clean_label_fields(kind, note, source_url)
    if (label.kind, label.note, label.source_url) == (kind, note, source_url):
        return label  # Nothing changed: no write, no audit entry.
    with transaction.atomic():
        lock_article(label.article_id, with_body=False)
        _still_there(label, "This label has been removed meanwhile. Reload the page.")
        _bump_revision([label.article_id])
        _update(label, user, kind, note, source_url)
    return label


def remove_label(label: Label, user: Any) -> bool:
    """Delete ``user``'s own label, and its span when no label is left on it.

    Returns True when the span went too. A label removed meanwhile (a double
    click, another tab) is ``Gone``.
    """
    _check_owner(label, user)
    with transaction.atomic():
        # Every label write on this article holds its lock: of two reviewers removing
        # the span's last two labels, the second sees the first's delete and removes
        # the span; a label being added waits, or committed first and keeps the span.
        lock_article(label.article_id, with_body=False)
        _still_there(label, "This label has already been removed.")
        _bump_revision([label.article_id])
        _record_author(label, user)
        label.delete()
        if not Label.objects.filter(span_id=label.span_id).exists():
            Span.objects.filter(pk=label.span_id).delete()
            return True
    return False


def _still_there(label: Label, message: str) -> None:
    """Under the article's lock: the label exists, or another request removed it."""
    if not Label.objects.filter(pk=label.pk).exists():
        raise Gone(message)


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
    """Mark the cached figures (ArticleFigures) of ``article_ids`` stale.

    Runs in each write's transaction, after ``lock_article``.
    """
    Article.objects.filter(pk__in=article_ids).update(labels_revision=F("labels_revision") + 1)
