"""The balance report of one article, its CSV download, and the overview of every article.

What each page shows is shaped by ``annotations.report``; the CSV by
``annotations.exports``. Every page here is ``never_cache``: labels change
them, and Back must show them as they are now, not the browser's copy (issue 12).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from annotations import report
from annotations.access import get_article
from annotations.article_state import finished_names, get_article_with_state
from annotations.attention import needs_attention
from annotations.exports import csv_response, export_filename, select_labels, utc_today
from annotations.reviews import finished_state
from annotations.views import HtmxHttpRequest
from annotations.views.site import refusal


@never_cache
@require_GET
@login_required
def article_report(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    article = get_article_with_state(article_id)
    finished = finished_state(article.id, request.user, finished_names(article))
    shown = report.article_report(article, finished=finished.names)
    context = {
        "article": article,
        "report": shown,
        "finished": finished,
        "orphans": needs_attention(article),  # shown apart, out of every figure
    }
    return render(request, "annotations/report.html", context)


@never_cache
@require_GET
@login_required
def report_list(request: HtmxHttpRequest, article_id: int, name: str) -> HttpResponse:
    """Every item of one of the report's lists, for its "Show all" link.

    Without htmx, the report with every list in full.
    """
    if name not in report.LISTS:
        raise Http404("No such list.")
    article = get_article(article_id)
    if request.htmx:
        return HttpResponse(report.report_list_html(article, name))
    finished = finished_state(article.id, request.user)
    shown = report.article_report(article, finished=finished.names, every_span=True)
    context = {"article": article, "report": shown, "finished": finished}
    return render(request, "annotations/report.html", context)


@require_GET
@login_required
def article_labels_csv(request: HtmxHttpRequest, article_id: int) -> StreamingHttpResponse:
    """Every label on one article. Every logged-in user may read its report, so its CSV too."""
    article = get_article(article_id, only=("id",))
    return csv_response(
        select_labels(article_ids=[article.id]),
        export_filename(utc_today(), article.id),
        whole_spans=True,  # every label of the article: each span's consensus from its rows
    )


@never_cache
@require_GET
@login_required
def report_overview(request: HtmxHttpRequest) -> HttpResponse:
    try:
        shown = report.overview(
            sort=request.GET.get("sort", ""),
            outlet=request.GET.get("outlet", ""),
            page_number=request.GET.get("page"),
        )
    except report.UnknownSort as error:
        return refusal(request, str(error))
    template = "annotations/report_overview.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#report-table"
    response = render(request, template, {"overview": shown})
    # The same URL answers with the page or the fragment: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
