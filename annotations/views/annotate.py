"""Annotating an article: the highlighted page, labelling a selection, the span panel.

Writes go through ``annotations.labelling``; a ``LabelError`` becomes its
status and message. For htmx the message is the whole answer, as plain text,
and the page's script (``static/annotations/errors.js``) shows it in the
toolbar or the panel, where the request came from. A successful htmx write
answers with only what changed (``highlights.changed``), swapped out of
band: the paragraphs the span touches, the span's item in the side list, and
the panel when it is open. Without htmx every write redirects back to the
page, and every refusal renders the page with the message.

The page and its fragments are ``never_cache``: htmx changes the page after it
loaded, so the browser's copy is stale after the first label, and Back would
show it (issue 12).
"""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from annotations.access import editor_required, get_article, get_label, is_editor
from annotations.article_state import finished_names, get_article_with_state
from annotations.attention import needs_attention
from annotations.forms import blank_import_form
from annotations.highlights import (
    ArticleHighlights,
    Known,
    article_highlights,
    changed,
    load_spans,
    span_items_html,
)
from annotations.kinds import CATEGORIES, KINDS, NAMES
from annotations.labelling import (
    ArticleGone,
    LabelError,
    change_label,
    label_selection,
    remove_label,
)
from annotations.matching import offer
from annotations.models import NOTE_MAX_LENGTH, Article, Span
from annotations.reviews import finished_state
from annotations.span_panel import SpanPanel, Undo, span_panel_for, undo_of
from annotations.views import HtmxHttpRequest
from annotations.views.live import live_revision
from annotations.views.site import refusal

TEMPLATE = "annotations/article_detail.html"
# ASCII digits only: int() would also take " 7", "+7" and "٧".
_OFFSET = re.compile(r"[0-9]{1,9}")
# (value, name, shortcut key) of each label button: keys 1, 2, 3 in the order of KINDS.
KIND_BUTTONS = [(kind, NAMES[kind], key) for key, kind in enumerate(KINDS, start=1)]
LEGEND = [(category, NAMES[category]) for category in CATEGORIES]


def _context(request: HtmxHttpRequest, article: Article, **extra: object) -> dict[str, object]:
    """What every rendering of the article page (or a part of it) needs."""
    return {
        "article": article,
        "can_edit": is_editor(request.user),
        "kinds": KIND_BUTTONS,
        "legend": LEGEND,
        "note_max_length": NOTE_MAX_LENGTH,
        "live_revision": live_revision(article),
        **extra,
    }


def render_article_page(
    request: HtmxHttpRequest,
    article: Article,
    *,
    panel: SpanPanel | None = None,
    error: str = "",
    status: int = 200,
    every_item: bool = False,
) -> HttpResponse:
    """The whole page: highlighted body, side list, toolbar, and the panel when one is open."""
    highlights = article_highlights(article, every_item=every_item)
    context = _context(
        request,
        article,
        highlights=_Marked(highlights),
        panel=panel,
        error=error,
        import_form=blank_import_form(),
    )
    context["orphans"] = needs_attention(article)
    context["finished"] = finished_state(article.id, request.user, finished_names(article))
    response = render(request, TEMPLATE, context, status=status)
    return _with_highlights(response, highlights)


# Where the template puts the highlighted body and the side list's items, for
# _with_highlights to fill in. Every text the page shows from a request or the
# database is escaped, so "<!--" in the rendered page is the template's own.
_BODY_MARK = "<!--highlighted body-->"
_ITEMS_MARK = "<!--span items-->"


class _Marked:
    """The page's highlights as its template sees them: the body and items as marks."""

    body_html = mark_safe(_BODY_MARK)
    items_html = mark_safe(_ITEMS_MARK)

    def __init__(self, highlights: ArticleHighlights) -> None:
        self.span_count = highlights.span_count
        self.more_items = highlights.more_items


def _with_highlights(response: HttpResponse, highlights: ArticleHighlights) -> HttpResponse:
    """``response`` with the body's paragraphs and the items, as bytes, where the template
    marked them (the body first, as the page shows it).

    The body is most of a long article's page (0.8 of 0.93 MB at 2,000 spans, and
    four bytes a character in a Python string once one emoji is in it). Through
    the template it was copied at every level (each join, each SafeString, the
    encoding), each copy a fresh allocation of megabytes whose page faults cost a
    quarter of the page's time (issue 17's note); spliced here it is encoded once,
    a paragraph at a time, and copied once, into the response.
    """
    charset = response.charset
    head, rest = response.content.split(_BODY_MARK.encode(charset), 1)
    middle, tail = rest.split(_ITEMS_MARK.encode(charset), 1)
    body = highlights.body_chunks(charset)
    items = highlights.items_html.encode(charset)
    response.content = b"".join([head, *body, middle, items, tail])
    return response


def _changes(
    request: HtmxHttpRequest,
    article: Article,
    span: Span,
    *,
    span_was_new: bool = False,
    span_gone: bool = False,
    panel: SpanPanel | None = None,
    undo: Undo | None = None,
    known: Known | None = None,
) -> HttpResponse:
    """The htmx answer to a write on ``span``: what changed, and the panel when it shows
    the span (with ``undo``: the label just removed, and an Undo button)."""
    changes = changed(article, span, span_was_new=span_was_new, span_gone=span_gone, known=known)
    context = _context(request, article, changes=changes, panel=panel, undo=undo)
    return render(request, f"{TEMPLATE}#changes", context)


def refuse(request: HtmxHttpRequest, article: Article | int, error: LabelError) -> HttpResponse:
    """The error's status and message: the message alone for htmx (plain text, which
    errors.js shows where the request came from; htmx swaps no error answer), else the
    page with it (``article`` may be its id: the page reads it). No article: 404."""
    if isinstance(error, ArticleGone):
        raise Http404("No such article.")
    if not request.htmx:
        if isinstance(article, int):
            article = get_article(article)
        return render_article_page(request, article, error=error.message, status=error.status)
    return refusal(request, error.message, status=error.status)


# --- Labelling -------------------------------------------------------------------------


def selection(data: QueryDict) -> tuple[int, int, str]:
    """The start, end and quote the page's script sent, or a readable LabelError."""
    start, end, quote = (data.get(name, "") for name in ("start", "end", "quote"))
    missing = [
        name for name, value in (("start", start), ("end", end), ("quote", quote)) if not value
    ]
    if missing:
        raise LabelError(
            "Select some text in the article first (missing: " + ", ".join(missing) + ")."
        )
    if not (_OFFSET.fullmatch(start) and _OFFSET.fullmatch(end)):
        raise LabelError("The selection's start and end must be whole numbers.")
    return int(start), int(end), quote


def revision_of(data: QueryDict) -> int | None:
    """The body revision the page was rendered from (``labelling.StaleRevision``); None
    when the request does not say (a script of one's own, an old page)."""
    revision = data.get("revision", "")
    if not revision:
        return None
    if not _OFFSET.fullmatch(revision):
        raise LabelError("The page's revision must be a whole number. Reload the page.")
    return int(revision)


def _fields(data: QueryDict) -> dict[str, str]:
    return {name: data.get(name, "") for name in ("kind", "note", "source_url")}


@require_POST
@editor_required
def label_create(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    """Label the selected text: create (or reuse) its span and set the editor's label.
    The write reads the article (locked) and counts itself (``annotations.throttle``)."""
    try:
        start, end, quote = selection(request.POST)
        done = label_selection(
            article=article_id,
            reviewer=request.user,
            start=start,
            end=end,
            quote=quote,
            body_revision=revision_of(request.POST),
            keep_separate=request.POST.get("keep_separate") == "1",
            throttled=True,
            **_fields(request.POST),
        )
    except LabelError as error:
        return refuse(request, article_id, error)
    if not request.htmx:
        return redirect("article_detail", article_id=article_id)
    span = done.label.span
    panel = span_panel_for(span, request.user) if request.POST.get("from") == "panel" else None
    # A new span's item is inserted in the side list; an existing one's replaced.
    return _changes(
        request, done.article, span, span_was_new=done.span_created, panel=panel, known=done.known
    )


@require_POST
@editor_required
def label_change(request: HtmxHttpRequest, article_id: int, label_id: int) -> HttpResponse:
    """Change the editor's own label (from the span panel); counted as label_create's."""
    article = get_article(article_id)
    label = get_label(article, label_id)
    try:
        change_label(label, request.user, throttled=True, **_fields(request.POST))
    except LabelError as error:
        return refuse(request, article, error)
    if not request.htmx:
        return redirect("span_panel", article_id=article.id, span_id=label.span_id)
    panel = span_panel_for(label.span, request.user)
    return _changes(request, article, label.span, panel=panel)


@require_POST
@editor_required
def label_remove(request: HtmxHttpRequest, article_id: int, label_id: int) -> HttpResponse:
    """Remove the editor's own label; the span goes too when it was the last. The panel
    stays open (even when the span went) with an Undo that labels the span again."""
    article = get_article(article_id)
    label = get_label(article, label_id)
    span = label.span
    undo = undo_of(label)
    try:
        span_gone = remove_label(label, request.user, throttled=True)
    except LabelError as error:
        return refuse(request, article, error)
    if not request.htmx:
        if span_gone:
            return redirect("article_detail", article_id=article.id)
        return redirect("span_panel", article_id=article.id, span_id=span.id)
    panel = None if span_gone else span_panel_for(span, request.user)
    return _changes(request, article, span, span_gone=span_gone, panel=panel, undo=undo)


# --- Reading ---------------------------------------------------------------------------


@never_cache
@require_GET
@login_required
def article_detail(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    return render_article_page(request, get_article_with_state(article_id))


@never_cache
@require_GET
@login_required
def span_items(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    """Every item of the side list, for the "Show all" link of a long article's page.

    Without htmx, the article page with the whole list in it.
    """
    if not request.htmx:
        return render_article_page(request, get_article_with_state(article_id), every_item=True)
    article = get_article(article_id)
    return HttpResponse(span_items_html(article, load_spans(article)))


@never_cache
@require_GET
@login_required
def span_offer(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    """What the toolbar offers for a selection: the existing span it would label, if any.

    The toolbar asks as the selection changes (``?start=&end=``, code points);
    the answer is a fragment for the toolbar, empty when the selection makes a
    new span. Readers may ask too: it shows nothing they cannot read.
    """
    article = get_article(article_id)
    start, end = (request.GET.get(name, "") for name in ("start", "end"))
    if not (_OFFSET.fullmatch(start) and _OFFSET.fullmatch(end)):
        return refusal(request, "The selection's start and end must be whole numbers.")
    found = offer(article, int(start), int(end))
    return render(request, f"{TEMPLATE}#span_offer", {"article": article, "offer": found})


@never_cache
@require_GET
@login_required
def span_panel(request: HtmxHttpRequest, article_id: int, span_id: int) -> HttpResponse:
    """The panel for one span: a fragment for htmx, else the page with the panel open."""
    article = get_article(article_id)
    span = get_object_or_404(Span, pk=span_id, article=article)
    panel = span_panel_for(span, request.user)
    if request.htmx:
        return render(request, f"{TEMPLATE}#span_panel", _context(request, article, panel=panel))
    return render_article_page(request, article, panel=panel)
