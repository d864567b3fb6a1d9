"""Every span and label write goes through here.

Each function checks its input and either writes everything or nothing. A
refusal is a ``LabelError`` carrying the HTTP status and a message an editor
can read, so views only translate it into a response.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from accounts.rows import instance_from_row
from annotations import ingest, selection, throttle
from annotations.corrections import SpanText, Status, reanchor
from annotations.highlights import QUOTE_PREVIEW_CHARS, Known, summary_of
from annotations.matching import Nearby, NearbySpan, nearby
from annotations.models import (
    NOTE_MAX_LENGTH,
    URL_MAX_LENGTH,
    AnchorChange,
    AnchorState,
    Article,
    ArticleRevision,
    FinishedReview,
    Label,
    LabelKind,
    Span,
    http_url_validator,
)
from annotations.segments import touching
from annotations.text import Anchor, OffsetError, QuoteMismatch, anchor, paragraph_ranges

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


class StaleRevision(LabelError):
    """The request's offsets are into an older body: the article was corrected since."""

    status = 409


STALE_REVISION = (
    "This article was corrected since you opened it; reload to see where your selection now is."
)


class NotYours(LabelError):
    status = 403


class Gone(LabelError):
    """What the request acts on was removed by another request a moment earlier."""

    status = 404


class ArticleGone(Gone):
    """The article itself is not there (deleted, or never was)."""


class TooManyWrites(LabelError):
    """Over the editor's label writes this minute (``annotations.throttle``)."""

    status = 429


def lock_article(article_id: int, *, with_body: bool = True, bump: bool = False) -> Article:
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
    held. Raises ``ArticleGone`` when the article was deleted meanwhile.

    With ``bump``, the same statement also marks the article's cached figures
    stale (``_bump_revision``): an ``UPDATE ... RETURNING`` row, locked as
    ``SELECT ... FOR UPDATE`` locks it (on PostgreSQL the two lock modes
    conflict, so every writer still queues on this row), and one query
    instead of two. The returned article holds the bumped ``labels_revision``.
    """
    if bump:
        return _lock_and_bump(article_id, with_body=with_body)
    rows = Article.objects.select_for_update()
    if not with_body:
        rows = rows.defer("body")
    try:
        return rows.get(pk=article_id)
    except Article.DoesNotExist:
        raise ArticleGone("This article has been deleted meanwhile.") from None


def _lock_and_bump(
    article_id: int, *, with_body: bool, counting: tuple[str, list[int]] | None = None
) -> Article:
    """``lock_article(bump=True)``; with ``counting`` (``throttle.count``, PostgreSQL
    only), the same statement counts the write first, in a WITH clause the UPDATE
    joins: the count's row is locked before the article's, as when they are two
    statements. The count is then the article's ``throttle_writes``."""
    quote = connection.ops.quote_name
    fields = [f for f in Article._meta.concrete_fields if with_body or f.name != "body"]
    table = quote(Article._meta.db_table)
    revision = quote(Article._meta.get_field("labels_revision").column)
    returning = ", ".join(f"{table}.{quote(f.column)}" for f in fields)
    where = f"{table}.{quote(Article._meta.pk.column)} = %s"
    if counting is None:
        sql = f"UPDATE {table} SET {revision} = {revision} + 1 WHERE {where} RETURNING {returning}"
        params: list[int] = [article_id]
    else:
        sql = (
            f"WITH counted AS ({counting[0]}) "
            f"UPDATE {table} SET {revision} = {table}.{revision} + 1 FROM counted "
            f"WHERE {where} RETURNING {returning}, counted.writes AS throttle_writes"
        )
        params = [*counting[1], article_id]
    # A cursor, not Article.objects.raw: RawQuerySet works out its columns and their
    # order again on every call (0.47 ms a call against 0.36 ms, round trip included).
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise ArticleGone("This article has been deleted meanwhile.")
    article: Article = instance_from_row(
        Article, row[: len(fields)], tuple(f.attname for f in fields)
    )
    if counting is not None:
        article.throttle_writes = row[-1]  # type: ignore[attr-defined]
    return article


def _lock_for_write(
    article_id: int, user: Any, *, throttled: bool, with_body: bool = True
) -> Article:
    """The article locked and its revision bumped (``lock_article(bump=True)``), the
    write counted first when ``throttled`` (``annotations.throttle``): over the limit,
    ``TooManyWrites`` undoes the write and the count. One statement on PostgreSQL, two
    on SQLite (which cannot write two tables in one)."""
    counting = throttle.count(user.pk) if throttled else None
    if counting is not None and connection.vendor != "postgresql":
        if not throttle.allow(user.pk):
            raise TooManyWrites(throttle.message())
        counting = None
    article = _lock_and_bump(article_id, with_body=with_body, counting=counting)
    if counting is not None and not throttle.counted(counting[1], article.throttle_writes):  # type: ignore[attr-defined]
        raise TooManyWrites(throttle.message())
    return article


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
    article: Article | int,
    reviewer: Any,
    start: int,
    end: int,
    quote: str,
    kind: str,
    note: str = "",
    source_url: str = "",
    body_revision: int | None = None,
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
        body_revision=body_revision,
        keep_separate=keep_separate,
    ).label


@dataclass(frozen=True, slots=True)
class Labelled:
    """What ``label_selection`` did: the label set, whether its span is new, the
    article as it was read under the lock (its body checked, its revision bumped),
    and the spans around the label as the write left them (``highlights.changed``
    answers from them)."""

    label: Label
    span_created: bool
    article: Article
    known: Known


def label_selection(
    *,
    article: Article | int,
    reviewer: Any,
    start: int,
    end: int,
    quote: str,
    kind: str,
    note: str = "",
    source_url: str = "",
    body_revision: int | None = None,
    keep_separate: bool = False,
    throttled: bool = False,
) -> Labelled:
    """Set ``reviewer``'s label on the span the selection ``start:end`` means.

    The selection is snapped (whole words and grapheme clusters, no white
    space at its ends: ``annotations.selection``); when it is near-identical
    to a stored span, the label goes on that span, unless ``keep_separate``
    asks for a span of its own (issue 13). Otherwise the span is created.
    Labelling a span twice with the same values changes nothing, so a double
    submission is harmless; with other values it updates the reviewer's label.
    ``body_revision``, the revision the offsets are into (the page's), is
    checked under the lock: an older one is refused (``StaleRevision``).
    ``article`` is an article or its id (``ArticleGone`` when there is none);
    ``throttled`` counts the write against the reviewer's limit
    (``annotations.throttle``; ``TooManyWrites`` over it).

    Queries, for a new span: the lock (which bumps the revision), the spans
    near the selection, the span, the label and its history row; with
    ``throttled``, the count (in the lock's statement on PostgreSQL, in the
    read of the spans on SQLite). However many spans the article has.
    """
    kind, note, source_url = clean_label_fields(kind, note, source_url)
    article_id = article if isinstance(article, int) else article.pk
    for attempt in range(_RACE_RETRIES + 1):
        try:
            with transaction.atomic():
                # The body as it is now, and as it stays until we commit: the caller's
                # copy may predate an edit. The caller renders what was checked.
                # SQLite counts the write in the read of the spans nearby, below.
                counting = throttle.count(reviewer.pk) if throttled else None
                count_later = counting if connection.vendor != "postgresql" else None
                locked = _lock_for_write(
                    article_id, reviewer, throttled=throttled and count_later is None
                )
                if isinstance(article, Article):
                    article.body, article.body_revision = locked.body, locked.body_revision
                    article.labels_revision = locked.labels_revision
                if body_revision is not None and body_revision != locked.body_revision:
                    raise StaleRevision(STALE_REVISION)
                where = _anchor(locked.body, start, end, quote)
                around = nearby(
                    article_id,
                    _paragraphs(locked.body, where),
                    (where.start, where.end),
                    reviewer.pk,
                    counting=count_later,
                )
                if count_later is not None and not throttle.counted(
                    count_later[1], around.writes or 0
                ):
                    raise TooManyWrites(throttle.message())
                near = around.match(
                    locked.body, where.start, where.end, keep_separate=keep_separate
                )
                span_created = near is None
                if near is None:  # a new span, inserted with the label (_set_label)
                    span = Span(
                        article_id=article_id,
                        start=where.start,
                        end=where.end,
                        quote=where.quote,
                        prefix=where.prefix,
                        suffix=where.suffix,
                        created_by=reviewer,
                    )
                else:
                    # The span as the answer and the panel need it: its quote is its text.
                    span = Span(
                        id=near.id,
                        article_id=article_id,
                        start=near.start,
                        end=near.end,
                        quote=locked.body[near.start : near.end],
                    )
                mine = None if near is None else near.mine
                label, old_kind = _set_label(
                    span, reviewer, kind, note, source_url, mine=mine, new_span=span_created
                )
                if near is None:
                    preview = where.quote[:QUOTE_PREVIEW_CHARS]
                    near = NearbySpan(span.pk, where.start, where.end, preview, [0, 0, 0], [], None)
                if label.kind != old_kind:
                    around.labelled(near, reviewer.get_username(), kind, old_kind)
                return Labelled(label, span_created, locked, _known(around))
        except IntegrityError:
            # A unique constraint lost to a writer that committed between our read
            # and our insert: everything above is rolled back; read again. With the
            # article locked first this should not happen; it stays a retry, not a 500.
            if attempt == _RACE_RETRIES:
                raise
    raise AssertionError("unreachable")


def _paragraphs(body: str, where: Anchor) -> tuple[int, int]:
    """The range of the paragraphs ``where`` touches."""
    ranges = paragraph_ranges(body)
    touched = touching(ranges, where.start, where.end)
    return ranges[touched[0]][0], ranges[touched[-1]][1]


def _known(around: Nearby) -> Known:
    spans = {}
    for span in around.spans:
        summary = summary_of(span.id, span.start, span.end, span.quote, span.counts, span.reviewers)
        if summary is not None:
            spans[span.id] = summary
    return Known(around.within, spans, around.span_count, around.later)


def _set_label(
    span: Span,
    reviewer: Any,
    kind: str,
    note: str,
    source_url: str,
    *,
    mine: int | None,
    new_span: bool = False,
) -> tuple[Label, str | None]:
    """``reviewer``'s label on ``span`` with these values, and its kind before (None: new).

    ``mine`` is the id of the reviewer's label on the span (``matching.nearby``
    read it), None when there is none: then a plain INSERT (and its history
    row), with no read first and no savepoint; a ``new_span`` (not saved yet)
    is inserted first. A label already there is read and updated, or left as
    it is when nothing changed.
    """
    if mine is not None:
        label = Label.objects.get(pk=mine)
        old_kind = label.kind
        _update(label, reviewer, kind, note, source_url)
        label.span = span
        return label, old_kind
    label = Label(
        span=span,
        article_id=span.article_id,
        reviewer=reviewer,
        kind=kind,
        note=note,
        source_url=source_url,
    )
    _insert(span, label, new_span=new_span)
    return label, None


def _history_user_id() -> int | None:
    """Who django-simple-history names for a write without ``_history_user``: the
    logged-in user of the request (its middleware keeps it), else nobody."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


@cache
def _label_history() -> Any:
    """Label's audit history model. ``Label.history`` builds a manager class at every
    access (django-simple-history): a twentieth of a label write's CPU, asked per write."""
    return Label.history.model


def _history_insert(history_type: str) -> str:
    """The head of an INSERT of Label's audit history rows as django-simple-history
    writes them ("+" new, "~" changed), copying the labels of the FROM clause that
    follows; the date and the user are its two parameters."""
    quote = connection.ops.quote_name
    copied = ", ".join(quote(f.column) for f in Label._meta.concrete_fields)
    return (
        f"INSERT INTO {quote(_label_history()._meta.db_table)} ({copied}, history_date, "
        f"history_change_reason, history_type, history_user_id) "
        f"SELECT {copied}, %s, NULL, '{history_type}', %s FROM "
    )


def _insert(span: Span, label: Label, *, new_span: bool) -> None:
    """Insert ``label`` with its audit history row, and ``span`` first when it is new.

    PostgreSQL: one statement (INSERTs in WITH clauses, each fed by the one
    before). SQLite, which has no INSERT in WITH: one statement a table, each
    ``RETURNING`` the id the next needs. Not ``Model.save``: its signals,
    and django-simple-history's manager built per save, cost more CPU than
    the database spends on the rows.

    The history row is the one django-simple-history writes for a new label
    (``history_type`` "+", no change reason, and as ``history_user`` the
    request's logged-in user, ``_history_user_id``); tests/test_audit_trail.py
    reads it through the panel as it reads theirs.
    """
    quote = connection.ops.quote_name
    now = timezone.now()

    def values(instance: Any, skip: tuple[str, ...] = ()) -> tuple[str, str, list[Any]]:
        fields = [f for f in instance._meta.concrete_fields if not f.primary_key]
        fields = [f for f in fields if f.attname not in skip]
        params = []
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                setattr(instance, field.attname, now)
            params.append(field.get_db_prep_save(getattr(instance, field.attname), connection))
        columns = ", ".join(quote(f.column) for f in fields)
        return columns, ", ".join("%s" for _ in fields), params

    span_table, label_table = quote(Span._meta.db_table), quote(Label._meta.db_table)
    history = _history_insert("+")
    audit = [now, _history_user_id()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            clauses, params = [], []
            if new_span:
                columns, marks, row = values(span)
                clauses.append(
                    f"new_span AS (INSERT INTO {span_table} ({columns}) "
                    f"VALUES ({marks}) RETURNING {quote('id')})"
                )
                columns, marks, more = values(label, skip=("span_id",))
                source = f"SELECT new_span.id, {marks} FROM new_span"
                columns = f"{quote('span_id')}, {columns}"
                params += row + more
            else:
                columns, marks, row = values(label)
                source = f"VALUES ({marks})"
                params += row
            clauses.append(
                f"new_label AS (INSERT INTO {label_table} ({columns}) {source} RETURNING *)"
            )
            clauses.append(f"audit AS ({history}new_label)")
            cursor.execute(
                f"WITH {', '.join(clauses)} SELECT id, span_id FROM new_label", params + audit
            )
            label.pk, span_id = cursor.fetchone()
        else:
            if new_span:
                columns, marks, row = values(span)
                cursor.execute(
                    f"INSERT INTO {span_table} ({columns}) VALUES ({marks}) RETURNING id", row
                )
                (label.span_id,) = cursor.fetchone()
            columns, marks, row = values(label)
            cursor.execute(
                f"INSERT INTO {label_table} ({columns}) VALUES ({marks}) RETURNING id", row
            )
            (label.pk,) = cursor.fetchone()
            span_id = label.span_id
            cursor.execute(f"{history}{label_table} WHERE id = %s", [*audit, label.pk])
    if new_span:
        span.pk = span_id
        span._state.adding, span._state.db = False, connection.alias
    label.span = span
    label._state.adding, label._state.db = False, connection.alias


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
            if start is not None and end is not None  # an orphan's labels are at no place
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
    ids.update({(span.start, span.end): span.pk for span in created})  # type: ignore[misc]  # placed
    return ids


def _span_ids(article: Article) -> dict[tuple[int, int], int]:
    # No ordering: Span's default (by article) would join the article table.
    spans = Span.objects.filter(article_id=article.pk).order_by()
    return {
        (start, end): pk
        for pk, start, end in spans.values_list("pk", "start", "end")
        if start is not None and end is not None  # orphans have no place to find
    }


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


def change_label(
    label: Label, user: Any, *, kind: str, note: str, source_url: str, throttled: bool = False
) -> Label:
    """Change ``user``'s own label; anyone else's is refused, one removed meanwhile is ``Gone``.

    ``throttled`` counts the write (``label_selection``); a change to the same
    values writes nothing and is not counted.
    """
    _check_owner(label, user)
    kind, note, source_url = clean_label_fields(kind, note, source_url)
    if (label.kind, label.note, label.source_url) == (kind, note, source_url):
        return label  # Nothing changed: no write, no audit entry.
    with transaction.atomic():
        _lock_for_write(label.article_id, user, throttled=throttled, with_body=False)
        _still_there(label, "This label has been removed meanwhile. Reload the page.")
        _update(label, user, kind, note, source_url)
    return label


def remove_label(label: Label, user: Any, *, throttled: bool = False) -> bool:
    """Delete ``user``'s own label, and its span when no label is left on it.

    Returns True when the span went too. A label removed meanwhile (a double
    click, another tab) is ``Gone``. ``throttled`` counts the write (``label_selection``).
    """
    _check_owner(label, user)
    with transaction.atomic():
        # Every label write on this article holds its lock: of two reviewers removing
        # the span's last two labels, the second sees the first's delete and removes
        # the span; a label being added waits, or committed first and keeps the span.
        _lock_for_write(label.article_id, user, throttled=throttled, with_body=False)
        _still_there(label, "This label has already been removed.")
        _record_author(label, user)
        label.delete()
        return _drop_if_unlabelled(label.span_id)


def _drop_if_unlabelled(span_id: int) -> bool:
    """Delete the span, and its history of places, when no label is left on it; True
    when it went. Two statements, where the ORM's cascade read the span and its labels
    first (Span and AnchorChange send no signals and keep no audit history)."""
    quote = connection.ops.quote_name
    labels = quote(Label._meta.db_table)
    unlabelled = f"NOT EXISTS (SELECT 1 FROM {labels} WHERE {quote('span_id')} = %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(AnchorChange._meta.db_table)} "
            f"WHERE {quote('span_id')} = %s AND {unlabelled}",
            [span_id, span_id],
        )
        cursor.execute(
            f"DELETE FROM {quote(Span._meta.db_table)} WHERE {quote('id')} = %s AND {unlabelled}",
            [span_id, span_id],
        )
        return bool(cursor.rowcount)


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
    """Change ``label`` to these values, with its audit history row; nothing when unchanged.

    As ``_insert``, not ``Model.save``: the row and the history row
    django-simple-history writes for a change (``history_type`` "~", ``user``
    as ``history_user``), in one statement on PostgreSQL (an UPDATE in a WITH
    clause feeding the history INSERT), two on SQLite.
    """
    if (label.kind, label.note, label.source_url) == (kind, note, source_url):
        return  # Nothing changed: no write, no audit entry.
    label.kind, label.note, label.source_url = kind, note, source_url
    label.updated_at = now = timezone.now()
    quote = connection.ops.quote_name
    table = quote(Label._meta.db_table)
    changing = ("kind", "note", "source_url", "updated_at")
    fields = [f for f in Label._meta.concrete_fields if f.attname in changing]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    values = [field.get_db_prep_save(getattr(label, field.attname), connection) for field in fields]
    history = _history_insert("~")
    audit = [now, getattr(user, "pk", None)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH changed AS (UPDATE {table} SET {assignments} WHERE id = %s RETURNING *) "
                f"{history}changed",
                [*values, label.pk, *audit],
            )
        else:
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*values, label.pk])
            cursor.execute(f"{history}{table} WHERE id = %s", [*audit, label.pk])


def set_finished(article_id: int, reviewer: Any, *, finished: bool) -> None:
    """Mark ``reviewer``'s review of the article finished, or reopen it; twice is harmless.

    A finished reviewer's "not labelled" counts in the agreement on the text,
    so the change bumps the revision like a label write (cached figures go stale).
    """
    with transaction.atomic():
        lock_article(article_id, with_body=False)
        mine = FinishedReview.objects.filter(article_id=article_id, reviewer=reviewer)
        if mine.exists() == finished:
            return  # Already so: no write.
        _bump_revision([article_id])
        if finished:
            FinishedReview.objects.create(article_id=article_id, reviewer=reviewer)
        else:
            mine.delete()


def _bump_revision(article_ids: Any) -> None:
    """Mark the cached figures (ArticleFigures) of ``article_ids`` stale.

    Runs in each write's transaction, after ``lock_article``.
    """
    Article.objects.filter(pk__in=article_ids).update(labels_revision=F("labels_revision") + 1)


# --- Corrections ------------------------------------------------------------------------

_PLACE_FIELDS = ("start", "end", "quote", "prefix", "suffix", "anchor")
_ORPHANS = (AnchorState.ORPHANED, AnchorState.DISMISSED)


def revise_body(
    article: Article, new_body: str, *, editor: Any, reason: str = ""
) -> ArticleRevision | None:
    """Replace ``article``'s body with ``new_body`` (canonical), every span following its text.

    Call under ``lock_article`` in the caller's transaction, with
    ``article.body`` the body as stored. It keeps the old body as a revision
    (``ArticleRevision``), re-anchors every placed span
    (``annotations.corrections.reanchor``) and stores where each is now, with
    its ``anchor`` state; a span whose text is gone is orphaned (no offsets)
    and keeps its labels. Each span edited or orphaned gets an
    ``AnchorChange`` with its old offsets and quote (a moved span's text is
    the same; the revision keeps the old body its old offsets point into). The article's body,
    fingerprint and ``body_revision`` are saved; its other fields are the
    caller's. Queries: a constant number, however many spans move (the moved
    ones in one batch of UPDATEs, ``_store_places``). Returns None (and
    writes nothing) when the text is the same. Raises ``ValidationError``
    (``ingest.duplicate``), having written nothing, when another article
    already has this text.
    """
    old_body = article.body
    if new_body == old_body:
        return None
    with transaction.atomic():  # a savepoint: a duplicate text undoes everything
        spans = {
            span.pk: span
            for span in Span.objects.filter(article_id=article.pk, start__isnull=False)
            .order_by()
            .only("id", "start", "end", "quote", "prefix", "suffix", "anchor")
        }
        placements = reanchor(
            old_body,
            new_body,
            (SpanText(s.pk, s.start, s.end, s.quote, s.prefix, s.suffix) for s in spans.values()),  # type: ignore[arg-type]
        )
        revision = ArticleRevision.objects.create(
            article_id=article.pk,
            number=article.body_revision + 1,
            old_body=old_body,
            editor=editor,
            reason=reason.strip()[:200],
        )
        changed, history = [], []
        for placed in placements:
            span = spans[placed.id]
            new = (placed.start, placed.end, placed.quote, placed.prefix, placed.suffix)
            state = AnchorState.ORPHANED if placed.status is Status.ORPHANED else placed.status
            if new == (span.start, span.end, span.quote, span.prefix, span.suffix) and (
                state == span.anchor
            ):
                continue
            # The old text, where the text changed or is gone (a moved span's is its own).
            if placed.status in (Status.EDITED, Status.ORPHANED):
                history.append(
                    AnchorChange(
                        span_id=span.pk,
                        revision=revision,
                        anchor=state,
                        old_start=span.start,
                        old_end=span.end,
                        old_quote=span.quote,
                        reason=placed.reason,
                        user=editor,
                    )
                )
            span.start, span.end, span.quote, span.prefix, span.suffix = new
            span.anchor = state
            changed.append(span)
        # No two spans may share a range, even between two rows of one UPDATE:
        # the moving ones leave their old places first.
        # (Unplaced meanwhile, so orphans by the database's rule.)
        Span.objects.filter(pk__in=[span.pk for span in changed]).update(
            start=None, end=None, anchor=AnchorState.ORPHANED
        )
        _store_places(changed)
        AnchorChange.objects.bulk_create(history, batch_size=_IMPORT_BATCH)
        article.body = new_body
        article.fingerprint = ingest.fingerprint(new_body)
        article.body_revision = revision.number
        try:
            with transaction.atomic():
                Article.objects.filter(pk=article.pk).update(
                    body=new_body,
                    fingerprint=article.fingerprint,
                    body_revision=revision.number,
                    labels_revision=F("labels_revision") + 1,  # the figures are stale
                )
        except IntegrityError:
            twin = Article.objects.filter(fingerprint=article.fingerprint).exclude(pk=article.pk)
            if not twin.exists():
                raise
            article.body, article.body_revision = old_body, revision.number - 1
            raise ingest.duplicate(twin.get()) from None
    return revision


def orphan_of(article: Article, span_id: int) -> Span:
    """The article's orphaned span ``span_id`` (under its lock), or ``Gone``."""
    span = Span.objects.filter(
        pk=span_id, article_id=article.pk, anchor=AnchorState.ORPHANED
    ).first()
    if span is None:
        raise Gone("This label no longer needs attention: someone re-attached or dismissed it.")
    return span


def reattach(
    article_id: int,
    span_id: int,
    *,
    user: Any,
    start: int,
    end: int,
    quote: str,
    body_revision: int | None = None,
) -> Span:
    """Give orphaned span ``span_id`` the place an editor selected; its labels go with it.

    The selection is checked as a label's is (quote at its offsets, edges on
    grapheme clusters, ``body_revision``). Where a span already covers exactly
    that text, the re-attachment is refused (``LabelError``): merging two
    reviewers' labels on one span is a decision for the people, who can label
    that span and dismiss the orphan. Recorded as an ``AnchorChange``.
    """
    with transaction.atomic():
        article = lock_article(article_id)
        if body_revision is not None and body_revision != article.body_revision:
            raise StaleRevision(STALE_REVISION)
        where = _anchor(article.body, start, end, quote)
        span = orphan_of(article, span_id)
        if Span.objects.filter(article_id=article.pk, start=where.start, end=where.end).exists():
            raise LabelError(
                "Another highlight already covers exactly this text. Label that one "
                "instead, and dismiss this orphan."
            )
        AnchorChange.objects.create(
            span=span,
            anchor=AnchorState.REATTACHED,
            old_quote=span.quote,
            reason="Re-attached by hand.",
            user=user,
        )
        span.start, span.end, span.quote = where.start, where.end, where.quote
        span.prefix, span.suffix, span.anchor = where.prefix, where.suffix, AnchorState.REATTACHED
        span.save(update_fields=["start", "end", "quote", "prefix", "suffix", "anchor"])
        _bump_revision([article.pk])
        return span


def dismiss(article_id: int, span_id: int, *, user: Any) -> None:
    """Stop asking about orphaned span ``span_id``: it keeps its labels and old quote
    (exports still list it, ``dismissed``) but leaves the "need attention" list."""
    with transaction.atomic():
        article = lock_article(article_id, with_body=False)
        span = orphan_of(article, span_id)
        AnchorChange.objects.create(
            span=span,
            anchor=AnchorState.DISMISSED,
            old_quote=span.quote,
            reason="Dismissed by hand.",
            user=user,
        )
        span.anchor = AnchorState.DISMISSED
        span.save(update_fields=["anchor"])


def _store_places(spans: list[Span]) -> None:
    """Write each span's place and text in one statement (PostgreSQL) or one prepared
    UPDATE run for every row (SQLite's executemany, in C, a few hundredths of a second).

    Not ``bulk_update``: its CASE expressions are built in Python, a branch per
    row for each column, and took 20 s for the 5,000 spans of the benchmark
    article. Call after the spans left their old places (start and end NULL):
    no two rows may share a range at any moment.
    """
    if not spans:
        return
    quote = connection.ops.quote_name
    table = quote(Span._meta.db_table)
    rows = [[*(getattr(span, name) for name in _PLACE_FIELDS), span.pk] for span in spans]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Whole columns as arrays: one statement, seven parameters, any number of rows.
            names = [quote(name) for name in (*_PLACE_FIELDS, "id")]
            types = ["integer", "integer", "text", "text", "text", "text", "integer"]
            arrays = ", ".join(f"%s::{kind}[]" for kind in types)
            assignments = ", ".join(f"{name} = v.{name}" for name in names[:-1])
            cursor.execute(
                f"UPDATE {table} AS s SET {assignments} "
                f"FROM unnest({arrays}) AS v({', '.join(names)}) WHERE s.id = v.id",
                [list(column) for column in zip(*rows, strict=True)],
            )
            return
        columns = ", ".join(f"{quote(name)} = %s" for name in _PLACE_FIELDS)
        cursor.executemany(f"UPDATE {table} SET {columns} WHERE {quote('id')} = %s", rows)
