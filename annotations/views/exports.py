"""The per-article Download CSV link: every label on one article."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from annotations.exports import csv_response, export_filename, select_labels, utc_today
from annotations.models import Article


@require_GET
@login_required
def article_labels_csv(request: HttpRequest, article_id: int) -> StreamingHttpResponse:
    # Every logged-in user may read every article and its report, so its CSV too.
    article = get_object_or_404(Article.objects.only("id"), pk=article_id)
    return csv_response(
        select_labels(article_ids=[article.id]),
        export_filename(utc_today(), article.id),
        whole_spans=True,  # every label of the article: each span's consensus from its rows
    )
