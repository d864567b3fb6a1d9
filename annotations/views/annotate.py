"""Annotating an article: the highlighted page, labelling a selection, the span panel.

Writes go through ``annotations.labelling``; a ``LabelError`` becomes its
status and message, shown in the toolbar or the panel. An htmx write answers
with only what changed, swapped out of band: the paragraphs the span touches,
the span's item in the side list, and the panel when it is open. Without htmx every write
redirects back to the page, and every refusal renders the page with the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from annotations.access import editor_required, is_editor
from annotations.balance import consensus
from annotations.graphemes import snap
from annotations.highlights import (
    KIND_NAMES,
    load_spans,
    paragraphs_html,
    span_item_html,
    span_items_html,
)
from annotations.labelling import LabelError, change_label, label_span, remove_label
from annotations.models import Article, Label, LabelKind, Span
from annotations.segments import touching
from annotations.text import paragraph_ranges
from annotations.throttle import throttle_label_writes

TEMPLATE = "annotations/article_detail.html"
INLINE_SPAN_ITEMS = 300
# ASCII digits only: int() would also take " 7", "+7" and "٧".
_OFFSET = re.compile(r"[0-9]{1,9}")
_AUDITED_FIELDS = (("kind", "label"), ("note", "note"), ("source_url", "source"))


def _get_article(article_id: int) -> Article:
    """Every article is visible to every logged-in user of the newsroom."""
    return get_object_or_404(Article, pk=article_id)


def _get_label(article: Article, label_id: int) -> Label:
    """A label of this article only: an id from another article is a 404 here."""
    return get_object_or_404(Label.objects.select_related("span"), pk=label_id, article=article)


# --- The page --------------------------------------------------------------------------


def render_article_page(
    request: HttpRequest,
    article: Article,
    *,
    panel: SpanPanel | None = None,
    error: str = "",
    status: int = 200,
    every_item: bool = False,
) -> HttpResponse:
    """The whole article page: highlighted body, span list, toolbar, optional panel.

    A long side list shows its first ``INLINE_SPAN_ITEMS`` spans and a link
    that loads the rest (``span_items``): for 5,000 spans the whole list is
    more than half of the page's HTML and three quarters of its elements,
    and Chromium took a second longer to show the highlights and answer a
    selection with it (bench/RESULTS.md). ``every_item`` lists them all: the
    page that link leads to without JavaScript.
    """
    spans = load_spans(article)
    shown = spans
    if len(spans) > INLINE_SPAN_ITEMS and not every_item:
        shown = dict(islice(spans.items(), INLINE_SPAN_ITEMS))
    # Built by annotations.highlights, which escapes every piece of text.
    context = {
        "article": article,
        "body_html": mark_safe(paragraphs_html(article.body, spans)),
        "span_items": mark_safe(span_items_html(article, shown)),
        "more_span_items": len(spans) - len(shown),
        "span_count": len(spans),
        "can_edit": is_editor(request.user),
        "kinds": _kind_buttons(),
        "panel": panel,
        "error": error,
    }
    return render(request, TEMPLATE, context, status=status)


def _kind_buttons() -> list[tuple[str, str, int]]:
    """(value, name, shortcut key) for the three label buttons."""
    return [(value, name, key) for key, (value, name) in enumerate(LabelKind.choices, start=1)]


def _changes(
    request: HttpRequest,
    article: Article,
    span: Span,
    *,
    span_was_new: bool = False,
    span_gone: bool = False,
    panel: SpanPanel | None = None,
    close_panel: bool = False,
) -> HttpResponse:
    """The htmx answer to a write on ``span``: only what changed, swapped out of band.

    The paragraphs the span touches (re-cut with every span that touches
    them), the span's item in the side list (inserted in reading order,
    replaced or deleted), the count, and the panel when it shows this span.
    Three queries, however many spans the article has.
    """
    ranges = paragraph_ranges(article.body)
    affected = touching(ranges, span.start, span.end)
    within = (ranges[affected[0]][0], ranges[affected[-1]][1])
    spans = load_spans(article, within)
    summary = spans.get(span.id)
    if span_gone or summary is None:
        item = f'<li id="span-item-{span.id}" hx-swap-oob="delete"></li>'
    elif span_was_new:
        later = (
            Span.objects.filter(article=article)
            .filter(Q(start__gt=span.start) | Q(start=span.start, end__lt=span.end))
            .order_by("start", "-end", "id")
            .values_list("id", flat=True)
            .first()
        )
        where = f"beforebegin:#span-item-{later}" if later else "beforeend:#span-items"
        # Not an inline swap: htmx inserts the wrapper's children, the <li>.
        item = f'<ol hx-swap-oob="{where}">{span_item_html(article, summary)}</ol>'
    else:
        item = span_item_html(article, summary, swap="true")
    context = {
        "article": article,
        "paragraphs": mark_safe(paragraphs_html(article.body, spans, affected, oob=True)),
        "span_item": mark_safe(item),
        "span_count": Span.objects.filter(article=article).count(),
        "can_edit": is_editor(request.user),
        "kinds": _kind_buttons(),
        "panel": panel,
        "close_panel": close_panel,
        "oob": True,
        "error": "",
    }
    return render(request, f"{TEMPLATE}#changes", context)


def _refuse(request: HttpRequest, article: Article, error: LabelError) -> HttpResponse:
    """The error's status and message: on the page, or for htmx as plain text, which the
    page's script shows in the toolbar or panel. Never markup: htmx swaps no error answer
    (base.html's htmx-config), so nothing in one can ever act on the page (issue 10)."""
    if not request.htmx:
        return render_article_page(request, article, error=error.message, status=error.status)
    return HttpResponse(
        error.message, content_type="text/plain; charset=utf-8", status=error.status
    )


# --- Labelling -------------------------------------------------------------------------


def _selection(data: QueryDict) -> tuple[int, int, str]:
    """The start, end and quote the page's script sent, or a readable LabelError."""
    missing = [name for name in ("start", "end", "quote") if not data.get(name)]
    if missing:
        raise LabelError(
            "Select some text in the article first (missing: " + ", ".join(missing) + ")."
        )
    if not (_OFFSET.fullmatch(data["start"]) and _OFFSET.fullmatch(data["end"])):
        raise LabelError("The selection's start and end must be whole numbers.")
    return int(data["start"]), int(data["end"]), data["quote"]


def _fields(data: QueryDict) -> dict[str, str]:
    return {
        "kind": data.get("kind", ""),
        "note": data.get("note", ""),
        "source_url": data.get("source_url", ""),
    }


@require_POST
@editor_required
@throttle_label_writes
def label_create(request: HttpRequest, article_id: int) -> HttpResponse:
    """Label the selected text: create (or reuse) its span and set the editor's label."""
    article = _get_article(article_id)
    from_panel = request.POST.get("from") == "panel"
    try:
        start, end, quote = _selection(request.POST)
        # Whether the side list already has this span: insert its item, or replace it.
        # At the offsets label_span stores: widened to whole grapheme clusters.
        stored = dict(zip(("start", "end"), snap(article.body, start, end), strict=True))
        span_was_new = not Span.objects.filter(article=article, **stored).exists()
        label = label_span(
            article=article,
            reviewer=request.user,
            start=start,
            end=end,
            quote=quote,
            **_fields(request.POST),
        )
    except LabelError as error:
        return _refuse(request, article, error)
    if not request.htmx:
        return redirect("article_detail", article_id=article.id)
    panel = span_panel_for(label.span, request.user) if from_panel else None
    return _changes(request, article, label.span, span_was_new=span_was_new, panel=panel)


@require_POST
@editor_required
@throttle_label_writes
def label_change(request: HttpRequest, article_id: int, label_id: int) -> HttpResponse:
    """Change the editor's own label (from the span panel)."""
    article = _get_article(article_id)
    label = _get_label(article, label_id)
    try:
        change_label(label, request.user, **_fields(request.POST))
    except LabelError as error:
        return _refuse(request, article, error)
    if not request.htmx:
        return redirect("span_panel", article_id=article.id, span_id=label.span_id)
    panel = span_panel_for(label.span, request.user)
    return _changes(request, article, label.span, panel=panel)


@require_POST
@editor_required
@throttle_label_writes
def label_remove(request: HttpRequest, article_id: int, label_id: int) -> HttpResponse:
    """Remove the editor's own label; the span goes too when it was the last."""
    article = _get_article(article_id)
    label = _get_label(article, label_id)
    span = label.span
    try:
        span_gone = remove_label(label, request.user)
    except LabelError as error:
        return _refuse(request, article, error)
    if not request.htmx:
        if span_gone:
            return redirect("article_detail", article_id=article.id)
        return redirect("span_panel", article_id=article.id, span_id=span.id)
    panel = None if span_gone else span_panel_for(span, request.user)
    return _changes(request, article, span, span_gone=span_gone, panel=panel, close_panel=span_gone)


# --- The span panel --------------------------------------------------------------------


@dataclass
class AuditEntry:
    who: str
    when: datetime
    action: str
    changes: list[str] = field(default_factory=list)


@dataclass
class PanelLabel:
    id: int
    reviewer: str
    kind: str
    kind_name: str
    note: str
    source_url: str
    when: datetime
    mine: bool
    trail: list[AuditEntry]


@dataclass
class SpanPanel:
    span: Span
    consensus: str
    consensus_name: str
    labels: list[PanelLabel]
    removed: list[AuditEntry]
    can_label: bool
    my_label: PanelLabel | None


def _audit_trails(span: Span) -> dict[int, list[AuditEntry]]:
    """Each label's history on this span (removed labels too), oldest first. One query."""
    records = (
        Label.history.filter(span_id=span.id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    trails: dict[int, list[AuditEntry]] = {}
    previous: dict[int, Any] = {}
    for record in records:
        before = previous.get(record.id)
        changes = []
        for attribute, name in _AUDITED_FIELDS:
            value = getattr(record, attribute)
            shown = KIND_NAMES.get(value, value) if attribute == "kind" else value
            if before is None:
                if value and record.history_type == "+":
                    changes.append(f"{name}: {shown}")
            elif getattr(before, attribute) != value:
                old = getattr(before, attribute)
                old_shown = KIND_NAMES.get(old, old) if attribute == "kind" else old
                changes.append(f"{name}: {old_shown or '(none)'} → {shown or '(none)'}")
        action = {"+": "labelled", "~": "changed", "-": "removed"}[record.history_type]
        who = record.history_user.get_username() if record.history_user else "(system)"
        trails.setdefault(record.id, []).append(
            AuditEntry(who=who, when=record.history_date, action=action, changes=changes)
        )
        previous[record.id] = record
    return trails


def span_panel_for(span: Span, user: Any) -> SpanPanel:
    """Every reviewer's label on ``span`` with its audit trail. Two queries."""
    labels = list(span.labels.select_related("reviewer").order_by("created_at", "id"))
    trails = _audit_trails(span)
    shown = [
        PanelLabel(
            id=label.id,
            reviewer=label.reviewer.get_username(),
            kind=label.kind,
            kind_name=label.get_kind_display(),
            note=label.note,
            source_url=label.source_url,
            when=label.updated_at,
            mine=label.reviewer_id == user.pk,
            trail=trails.pop(label.id, []),
        )
        for label in labels
    ]
    agreed = consensus(label.kind for label in shown) or ""
    return SpanPanel(
        span=span,
        consensus=agreed,
        consensus_name=KIND_NAMES.get(agreed, ""),
        labels=shown,
        removed=[entry for trail in trails.values() for entry in trail],
        can_label=is_editor(user),
        my_label=next((label for label in shown if label.mine), None),
    )


@require_GET
@login_required
def span_items(request: HttpRequest, article_id: int) -> HttpResponse:
    """Every item of the side list, for the "Show all" link of a long article's page.

    Without htmx, the article page with the whole list in it.
    """
    article = _get_article(article_id)
    if not request.htmx:
        return render_article_page(request, article, every_item=True)
    return HttpResponse(span_items_html(article, load_spans(article)))


@require_GET
@login_required
def span_panel(request: HttpRequest, article_id: int, span_id: int) -> HttpResponse:
    """The panel for one span: a fragment for htmx, else the page with the panel open."""
    article = _get_article(article_id)
    span = get_object_or_404(Span, pk=span_id, article=article)
    panel = span_panel_for(span, request.user)
    if request.htmx:
        context = {"article": article, "panel": panel, "kinds": _kind_buttons()}
        return render(request, f"{TEMPLATE}#span_panel", context)
    return render_article_page(request, article, panel=panel)
