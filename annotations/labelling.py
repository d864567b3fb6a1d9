"""Every span and label write goes through here.

Each function checks its input and either writes everything or nothing. A
refusal is a ``LabelError`` carrying the HTTP status and a message an editor
can read, so views only translate it into a response.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from simple_history.utils import bulk_create_with_history

from annotations import selection
from annotations.matching import near_span
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

# Rows per INSERT of an import; SQLite's limit on parameters makes its own batches smaller.
_IMPORT_BATCH = 1000

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
    keep_separate: bool = False,
) -> Label:
    """Set ``reviewer``'s label on the span the selection ``start:end`` means.

    As ``label_selection``, for callers that need only the label.
    """
    return label_selection(
        article=article,
        reviewer=reviewer,
        start=start,
        end=end,
        quote=quote,
        kind=kind,
        note=note,
        source_url=source_url,
        keep_separate=keep_separate,
    ).label


@dataclass(frozen=True, slots=True)
class Labelled:
    """What ``label_selection`` did: the label set, and whether its span is new."""

    label: Label
    span_created: bool


def label_selection(
    *,
    article: Article,
    reviewer: Any,
    start: int,
    end: int,
    quote: str,
    kind: str,
    note: str = "",
    source_url: str = "",
    keep_separate: bool = False,
) -> Labelled:
    """Set ``reviewer``'s label on the span the selection ``start:end`` means.

    The selection is snapped (whole words and grapheme clusters, no white
    space at its ends: ``annotations.selection``); when it is near-identical
    to a stored span, the label goes on that span, unless ``keep_separate``
    asks for a span of its own (issue 13). Otherwise the span is created.
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
                span = near_span(
                    article.pk, article.body, where.start, where.end, keep_separate=keep_separate
                )
                span_created = span is None
                if span is None:
                    span = Span.objects.create(
                        article=article,
                        start=where.start,
                        end=where.end,
                        quote=where.quote,
                        prefix=where.prefix,
                        suffix=where.suffix,
                        created_by=reviewer,
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
                return Labelled(label, span_created)
        except IntegrityError:
            # A unique constraint lost to a writer that committed between our read
            # and our insert: everything above is rolled back; read again. With the
            # article locked first this should not happen; it stays a retry, not a 500.
            if attempt == _RACE_RETRIES:
                raise
    raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True)
class NewLabel:
    """One label an import sets: ``reviewer_id``'s label on the text at ``start:end``."""

    reviewer_id: int
    start: int
    end: int
    quote: str
    kind: str
    note: str = ""
    source_url: str = ""


# An article's labels as an import compares them: (reviewer id, start, end) -> (kind, note, source).
ExistingLabels = dict[tuple[int, int, int], tuple[str, str, str]]


def import_labels(
    article_id: int,
    decide: Callable[[Article, ExistingLabels], Sequence[NewLabel]],
    *,
    author: Any,
    reason: str,
) -> int:
    """Set many new labels on one article at once, or none; returns how many were set.

    Under the article's lock (``lock_article``) it reads the article's labels
    once and hands them, with the article, to ``decide``, which returns the
    labels to set: so nothing can change between the decision and the
    writes. Each is checked and snapped as ``label_span`` does (its fields,
    its quote at its offsets, edges on whole words and grapheme clusters),
    and goes on the stored span, or one added by this import, that it is
    near-identical to (``annotations.selection``; an import never asks to keep
    a separate span). Any that fails, or
    that the reviewer already has on that span, raises ``LabelError`` and
    nothing is written. An import only adds: it never changes or removes a
    label. The writes are a constant number of statements (spans and labels
    in batches, their audit history with ``author`` and ``reason``, one
    ``labels_revision`` bump), not a round of queries per label. Nothing to
    set writes nothing and leaves the revision alone.
    """
    with transaction.atomic():
        article = lock_article(article_id)
        stored = Label.objects.filter(article_id=article.pk).order_by()
        existing: ExistingLabels = {
            (reviewer_id, start, end): (kind, note, source_url)
            for reviewer_id, start, end, kind, note, source_url in stored.values_list(
                "reviewer_id", "span__start", "span__end", "kind", "note", "source_url"
            )
        }
        new = list(decide(article, existing))
        if not new:
            return 0
        # The spans stored and those this import adds, for the near-identical rule
        # (annotations.selection): a label near-identical to a span goes on it.
        ids = _span_ids(article)
        places = selection.SpanIndex(article.body, [(at, *at) for at in ids])
        fresh: dict[tuple[int, int], tuple[int, Anchor]] = {}
        checked = []
        for item in new:
            kind, note, source_url = clean_label_fields(item.kind, item.note, item.source_url)
            where = _anchor(article.body, item.start, item.end, item.quote)
            place = places.best(where.start, where.end)
            if place is None:
                place = (where.start, where.end)
                places.add(place, *place)
                fresh[place] = (item.reviewer_id, where)
            key = (item.reviewer_id, *place)
            if key in existing:
                raise LabelError(
                    "An import sets new labels only: this reviewer already labelled "
                    f"“{where.quote[:60]}”."
                )
            existing[key] = (kind, note, source_url)
            checked.append((item.reviewer_id, place, kind, note, source_url))
        _bump_revision([article.pk])
        spans = _spans_at(article, ids, fresh)
        labels = []
        for reviewer_id, place, kind, note, source_url in checked:
            labels.append(
                Label(
                    span_id=spans[place],
                    article_id=article.pk,
                    reviewer_id=reviewer_id,
                    kind=kind,
                    note=note,
                    source_url=source_url,
                )
            )
        bulk_create_with_history(
            labels,
            Label,
            batch_size=_IMPORT_BATCH,
            default_user=author,
            default_change_reason=reason[:100],  # the history column's length
        )
        return len(labels)


def _spans_at(
    article: Article,
    ids: dict[tuple[int, int], int],
    fresh: dict[tuple[int, int], tuple[int, Anchor]],
) -> dict[tuple[int, int], int]:
    """``ids`` (the article's spans, ``_span_ids``) with the ``fresh`` spans created.

    The inserts, under the article's lock (no one else adds a span meanwhile).
    A new span's creator is the reviewer of its first imported label.
    """
    missing = {
        place: Span(
            article_id=article.pk,
            start=where.start,
            end=where.end,
            quote=where.quote,
            prefix=where.prefix,
            suffix=where.suffix,
            created_by_id=reviewer_id,
        )
        for place, (reviewer_id, where) in fresh.items()
    }
    created = Span.objects.bulk_create(missing.values(), batch_size=_IMPORT_BATCH)
    if any(span.pk is None for span in created):  # a database that returns no ids
        return _span_ids(article)
    ids.update({(span.start, span.end): span.pk for span in created})
    return ids


def _span_ids(article: Article) -> dict[tuple[int, int], int]:
    # No ordering: Span's default (by article) would join the article table.
    spans = Span.objects.filter(article_id=article.pk).order_by()
    return {(start, end): pk for pk, start, end in spans.values_list("pk", "start", "end")}


def _anchor(body: str, start: int, end: int, quote: str) -> Anchor:
    """The span to store: the client's quote checked at the client's offsets, then
    snapped (annotations.selection: white space at the ends trimmed, edges widened to
    whole words and grapheme clusters), whatever the client did, so that no span
    splits a word, an emoji or a letter from its accent."""
    try:
        if 0 <= start < end <= len(body):
            selected = body[start:end]
            if selected.isspace():
                raise LabelError("Only white space is selected: select some words.")
            start += len(selected) - len(selected.lstrip())
            end -= len(selected) - len(selected.rstrip())
            quote = quote.strip()
        checked = anchor(body, start, end, quote)
        snapped = selection.snap(body, start, end)
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
