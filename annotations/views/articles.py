"""The article list, and creating or editing an article (the article page is ``annotate``'s).

A new article is typed or pasted (``article_create``), or starts from a web
page: a saved file or an address, previewed (``article_preview``) and saved
as previewed (``article_create_from_page``; see ``annotations.page_import``).

The list is ``never_cache``: its counts change with every label, and Back must
not show the copy the browser kept from before them (issue 12).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotations import ingest, page_import, report
from annotations.access import editor_required, get_article, is_editor
from annotations.forms import (
    ArticleDetailsForm,
    ArticleEditForm,
    ArticleForm,
    ArticleFromPageForm,
    PageSourceForm,
)
from annotations.labelling import lock_article
from annotations.models import Article, Label
from annotations.page_import import Preview, PreviewExpired
from annotations.views import HtmxHttpRequest
from annotations.views.site import refusal
from annotations.webpages.extract import PageRefused
from annotations.webpages.fetch import FetchRefused
from newsroom.uploads import was_too_large

ARTICLES_PER_PAGE = 25


@never_cache
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
    bars = report.mini_bars(a.id for a in page)
    context = {
        "page": page,
        "rows": [(article, label_counts.get(article.id, 0), bars[article.id]) for article in page],
        "previous_link": f"?page={page.number - 1}",
        "next_link": f"?page={page.number + 1}",
        "can_edit": is_editor(request.user),
    }
    return render(request, "annotations/article_list.html", context)


def _store(form: ArticleDetailsForm) -> bool:
    """Save a valid form; False, with the reason on the form, when the text arrived meanwhile."""
    try:
        ingest.store(form.save(commit=False))
    except ValidationError as error:
        form.add_error("body" if "body" in form.fields else None, error)
        return False
    return True


def _saved(request: HtmxHttpRequest, article: Article) -> HttpResponse:
    messages.success(request, f"Saved “{article.title}”. Select text to label it.")
    return redirect("article_detail", article_id=article.id)


def _new_article_page(
    request: HtmxHttpRequest, form: ArticleForm, source: PageSourceForm, status: int
) -> HttpResponse:
    context = {"form": form, "source": source}
    return render(request, "annotations/article_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@editor_required
def article_create(request: HtmxHttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        if _store(form):
            return _saved(request, form.instance)
    status = 400 if request.method == "POST" else 200
    return _new_article_page(request, form, PageSourceForm(), status)


@require_POST
@editor_required
def article_preview(request: HtmxHttpRequest) -> HttpResponse:
    """A saved page or a web address, extracted and shown with its details to correct."""
    source = PageSourceForm(request.POST, request.FILES, too_large=was_too_large(request, "page"))
    if not source.is_valid():
        return _new_article_page(request, ArticleForm(), source, status=400)
    try:
        page, origin = source.extract()
        ingest.canonical_body(page.body)  # the limits Save applies, said now
    except (PageRefused, FetchRefused, ValidationError) as refused:
        # The reason, for the editor, beside the field it is about (escaped like any text).
        reason = refused.messages if isinstance(refused, ValidationError) else str(refused)
        source.add_error("page" if source.source == "page" else "address", reason)
        return _new_article_page(request, ArticleForm(), source, status=400)
    preview = Preview.of(page, origin)
    details = {**page_import.initial_details(page), "token": preview.token()}
    form = ArticleFromPageForm(
        initial=details, preview=preview, same_address=page_import.stored_at(page.url)
    )
    return _preview_page(request, form, status=200, same_text=page_import.same_text(page.body))


@require_POST
@editor_required
def article_create_from_page(request: HtmxHttpRequest) -> HttpResponse:
    """Save a preview: its details as corrected, its text exactly as it was shown."""
    try:
        preview = Preview.from_token(request.POST.get("token", ""))
    except PreviewExpired as expired:
        return refusal(request, " ".join(expired.messages), status=400)
    form = ArticleFromPageForm(request.POST, preview=preview)
    if form.is_valid():
        form.instance.created_by = request.user
        if _store(form):
            return _saved(request, form.instance)
    return _preview_page(request, form, status=400)


def _preview_page(
    request: HtmxHttpRequest,
    form: ArticleFromPageForm,
    status: int,
    same_text: page_import.StoredAt | None = None,
) -> HttpResponse:
    context = {"form": form, "preview": form.preview, "same_text": same_text}
    return render(request, "annotations/article_preview.html", context, status=status)


def _saved_message(saved: Article, before: Article) -> str:
    if saved.body_revision == before.body_revision:
        return "Saved."
    return f"Saved revision {saved.body_revision}: the highlights follow the corrected text."


@require_http_methods(["GET", "POST"])
@editor_required
def article_edit(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    article = get_article(article_id)
    if request.method != "POST":
        form = ArticleEditForm(instance=article)
    else:
        # Checked and saved under the article's lock: no label can arrive in between,
        # and every highlight follows the new text (a new revision) in the same transaction.
        with transaction.atomic():
            form = ArticleEditForm(request.POST, instance=lock_article(article.pk))
            if form.is_valid() and form.save_edit(request.user):
                messages.success(request, _saved_message(form.instance, article))
                return redirect("article_detail", article_id=article.id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "annotations/article_form.html", {"form": form, "article": article}, status=status
    )
