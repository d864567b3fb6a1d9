"""A reviewer's "I have finished this article", and reopening it.

The write goes through ``annotations.labelling.set_finished``; what the page
shows through ``annotations.reviews``.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from annotations.access import editor_required, get_article
from annotations.labelling import LabelError, set_finished
from annotations.reviews import finished_state
from annotations.throttle import throttle_label_writes
from annotations.views import HtmxHttpRequest
from annotations.views.site import refusal

ACTIONS = {"finish": True, "reopen": False}


@require_POST
@editor_required
@throttle_label_writes
def review_finished(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    """Finish (``action=finish``) or reopen (``action=reopen``) the editor's review."""
    article = get_article(article_id, only=("id",))
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return refusal(request, "Send action=finish or action=reopen.")
    try:
        set_finished(article.id, request.user, finished=ACTIONS[action])
    except LabelError as error:
        return refusal(request, error.message, status=error.status)
    if not request.htmx:
        return redirect("article_detail", article_id=article.id)
    context = {"finished": finished_state(article.id, request.user)}
    return render(request, "annotations/partials/_finished.html", context)
