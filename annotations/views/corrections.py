"""Corrections: an article's revisions, and the labels a correction left without a place.

Editing the body is ``articles.article_edit``; the writes are
``annotations.labelling``'s (``reattach``, ``dismiss``). A refusal is a
``LabelError``: for htmx its message as plain text (``errors.js`` shows it in
the toolbar or the list), else the article page with it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from annotations.access import editor_required, get_article
from annotations.attention import revisions
from annotations.labelling import LabelError, dismiss, reattach
from annotations.views import HtmxHttpRequest
from annotations.views.annotate import refuse, revision_of, selection


@require_GET
@login_required
def revision_list(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    article = get_article(article_id)
    context = {"article": article, "revisions": revisions(article)}
    return render(request, "annotations/revision_list.html", context)


@require_POST
@editor_required
def orphan_reattach(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    """Give the orphaned span ``orphan`` the text selected in the article (sent as a label's
    selection is, from the toolbar)."""
    article = get_article(article_id)
    try:
        start, end, quote = selection(request.POST)
        reattach(
            article.pk,
            _orphan_id(request.POST),
            user=request.user,
            start=start,
            end=end,
            quote=quote,
            body_revision=revision_of(request.POST),
        )
    except LabelError as error:
        return refuse(request, article, error)
    messages.success(request, "Re-attached: its labels are on the text you selected.")
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect("article_detail", article_id=article.id)


def _orphan_id(data: QueryDict) -> int:
    orphan = data.get("orphan", "")
    if not (orphan.isascii() and orphan.isdigit() and len(orphan) < 10):
        raise LabelError("Choose which label that needs attention to re-attach.")
    return int(orphan)


@require_POST
@editor_required
def orphan_dismiss(request: HtmxHttpRequest, article_id: int, span_id: int) -> HttpResponse:
    """Leave an orphaned span unplaced for good: it keeps its labels, and exports list it."""
    article = get_article(article_id)
    try:
        dismiss(article.pk, span_id, user=request.user)
    except LabelError as error:
        return refuse(request, article, error)
    messages.success(request, "Dismissed: it no longer needs attention (exports still list it).")
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect("article_detail", article_id=article.id)
