"""Live colleagues: has the article changed since the revision this page shows?

The article page (``static/annotations/live.js``) asks every two seconds with
the revision it was rendered at. Nothing changed: 204, no body, one query (the
article's revision columns; with the session and user that ``login_required``
reads, three). Something changed: the highlighted body, the side list and the
span count as the page renders them, with the new revision, for the script to
swap in around the editor's selection, toolbar and panel.

A revision is the article's ``REVISION_FIELDS`` joined by dots. After a
correction the answer carries the new body revision too: the script puts it
in the toolbar, whose offsets now point into the new text, and says the
article was corrected (a write made from the old text is refused, 409).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from annotations.access import get_article
from annotations.highlights import article_highlights
from annotations.models import Article
from annotations.views import HtmxHttpRequest

# The columns every change the page shows bumps: annotations.labelling bumps labels_revision
# on every label write, and body_revision on a correction (issue 14).
REVISION_FIELDS = ("labels_revision", "body_revision")


def revision_token(values: Iterable[object]) -> str:
    return ".".join(str(value) for value in values)


def live_revision(article: Article) -> str:
    return revision_token(getattr(article, name) for name in REVISION_FIELDS)


@require_GET
@login_required
def article_changes(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    """204 when ``?since=`` is the article's revision; else its highlights and new revision."""
    row = Article.objects.filter(pk=article_id).values_list(*REVISION_FIELDS).first()
    if row is None:
        raise Http404("No such article.")
    if request.GET.get("since", "") == revision_token(row):
        response = HttpResponse(status=204)
    else:
        # Read again with the body, before the spans: a write in between shows up next time.
        article = get_article(article_id)
        context = {
            "article": article,
            "revision": live_revision(article),
            "highlights": article_highlights(article),
        }
        response = render(request, "annotations/partials/_live_highlights.html", context)
    # Per user and per moment: no cache may keep or share it.
    add_never_cache_headers(response)
    return response
