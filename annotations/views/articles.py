"""The article list, and creating or editing an article (the article page is ``annotate``'s)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from annotations import ingest
from annotations.access import editor_required, get_article, is_editor
from annotations.forms import ArticleForm
from annotations.labelling import lock_article
from annotations.models import Article, Label
from annotations.views import HtmxHttpRequest

ARTICLES_PER_PAGE = 25


@require_GET
@login_required
def article_list(request: HtmxHttpRequest) -> HttpResponse:
    articles = (
        Article.objects.only("id", "title", "outlet", "published", "created_at")
        .annotate(span_count=Count("spans", distinct=True))
        .order_by("-created_at", "-id")
    )
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    # Label counts in one grouped query for the page, not a second join above.
    label_counts = dict(
        Label.objects.filter(article__in=[a.id for a in page])
        .values_list("article")
        .annotate(n=Count("id"))
    )
    context = {
        "page": page,
        "rows": [(article, label_counts.get(article.id, 0)) for article in page],
        "previous_link": f"?page={page.number - 1}",
        "next_link": f"?page={page.number + 1}",
        "can_edit": is_editor(request.user),
    }
    return render(request, "annotations/article_list.html", context)


def _store(form: ArticleForm) -> bool:
    """Save a valid form; False, with the reason on the form, when the text arrived meanwhile."""
    try:
        ingest.store(form.save(commit=False))
    except ValidationError as error:
        form.add_error("body", error)
        return False
    return True


@require_http_methods(["GET", "POST"])
@editor_required
def article_create(request: HtmxHttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        if _store(form):
            article = form.instance
            messages.success(request, f"Saved “{article.title}”. Select text to label it.")
            return redirect("article_detail", article_id=article.id)
    status = 400 if request.method == "POST" else 200
    return render(request, "annotations/article_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@editor_required
def article_edit(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    article = get_article(article_id)
    if request.method != "POST":
        form = ArticleForm(instance=article)
    else:
        # Checked and saved under the article's lock: no label can arrive in between.
        with transaction.atomic():
            form = ArticleForm(request.POST, instance=lock_article(article.pk))
            if form.is_valid() and _store(form):
                messages.success(request, "Saved.")
                return redirect("article_detail", article_id=article.id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "annotations/article_form.html", {"form": form, "article": article}, status=status
    )
