"""Articles, spans and labels in the Django admin, with the export actions (CSV, Web Annotations).

Changelists join or annotate what they show (``list_select_related``,
subquery counts), so a page of 100 rows costs the same queries as a page of 3.

Spans and labels are read-only here (view, filter, export). A span's offsets
and quote must match the article body, which only ``annotations.labelling``
checks; a label belongs to its reviewer, and only they change or remove it,
in the app, where every write keeps the rules the admin would bypass: the
audit trail, the overview's cached figures (``labels_revision``), and no span
left without labels. Not even staff may change another reviewer's label
(README, "Roles"), so the admin offers no change, delete or revert of a label
or span, and its history pages are for reading.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django_stubs_ext import WithAnnotations
from simple_history.admin import SimpleHistoryAdmin

from annotations import ingest, interop_export
from annotations.access import can_export_labels
from annotations.exports import csv_response, export_filename, select_labels, utc_today
from annotations.forms import ArticleForm
from annotations.labelling import Gone, lock_article, revise_body
from annotations.models import Article, Label, Span

QUOTE_PREVIEW_CHARS = 80


class _LabelCount(TypedDict):
    n_labels: int


class _Counts(TypedDict):
    n_spans: int
    n_labels: int


def _preview(text: str) -> str:
    return text if len(text) <= QUOTE_PREVIEW_CHARS else text[: QUOTE_PREVIEW_CHARS - 1] + "…"


def _count(queryset: QuerySet[Any], outer: str) -> Coalesce:
    """A per-row count as a subquery: no GROUP BY over the changelist's joins."""
    counted = queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer)
    counted = counted.annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _check_export_permission(request: HttpRequest) -> None:
    if not can_export_labels(request.user):
        raise PermissionDenied("Exporting labels needs permission to view labels.")


# --- Articles -----------------------------------------------------------------


class SpanInline(admin.TabularInline[Span, Article]):
    """An article's spans in reading order; each links to its labels."""

    model = Span
    fields = ["start", "end", "quote", "label_count", "created_by", "created_at"]
    readonly_fields = ["start", "end", "quote", "label_count", "created_by", "created_at"]
    ordering = ["start", "-end"]
    extra = 0
    show_change_link = True
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Span]:
        spans: QuerySet[Span] = super().get_queryset(request)
        return spans.select_related("created_by").annotate(
            n_labels=_count(Label.objects.all(), "span")
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="labels")
    def label_count(self, span: WithAnnotations[Span, _LabelCount]) -> int:
        return int(span.n_labels)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    # The app's form: canonical text, duplicate check; a new body is a revision (save_model).
    form = ArticleForm
    list_display = [
        "title",
        "outlet",
        "published",
        "created_by",
        "span_count",
        "label_count",
        "created_at",
    ]
    list_filter = ["outlet", "published", "created_at", "created_by"]
    list_select_related = ["created_by"]
    search_fields = ["title", "outlet", "byline"]
    date_hierarchy = "created_at"
    readonly_fields = ["fingerprint", "canonical_url", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "body", "outlet", "url", "byline", "published"]}),
        (
            "Provenance",
            {"fields": ["fingerprint", "canonical_url", "created_by", "created_at", "updated_at"]},
        ),
    ]
    inlines = [SpanInline]
    actions = ["export_labels_csv", "export_labels_jsonld"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        articles: QuerySet[Article] = super().get_queryset(request)
        return articles.annotate(
            n_spans=_count(Span.objects.all(), "article"),
            n_labels=_count(Label.objects.all(), "article"),
        )

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Article | None:
        """For a save, the article locked (``labelling.lock_article``) until the admin's
        transaction ends: its form checks and saves the body under the same lock as the app."""
        article = super().get_object(request, object_id, from_field)
        if article is None or request.method != "POST":
            return article
        try:
            return lock_article(article.pk)
        except Gone:
            return None

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        if not change and request.user.is_authenticated:  # the admin is for staff only
            obj.created_by = request.user
        if change and "body" in form.changed_data:
            # A correction, as the app's edit form makes it: a revision, spans re-anchored.
            new_body, obj.body = obj.body, form.initial["body"]
            revise_body(obj, new_body, editor=request.user, reason="edited in the admin")
        ingest.store(obj)  # the same text saved meanwhile: the duplicate answer, not a 500

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:  # from save_model, once the form was valid
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.display(description="spans", ordering="n_spans")
    def span_count(self, article: WithAnnotations[Article, _Counts]) -> int:
        return int(article.n_spans)

    @admin.display(description="labels", ordering="n_labels")
    def label_count(self, article: WithAnnotations[Article, _Counts]) -> int:
        return int(article.n_labels)

    @admin.action(description="Export labels of selected articles as CSV")
    def export_labels_csv(
        self, request: HttpRequest, queryset: QuerySet[Article]
    ) -> StreamingHttpResponse:
        _check_export_permission(request)
        article_ids = queryset.order_by().values_list("pk", flat=True)
        # Every label of the selected articles: each span whole, so no count query.
        return csv_response(
            select_labels(article_ids=article_ids), export_filename(utc_today()), whole_spans=True
        )

    @admin.action(description="Export labels of selected articles as Web Annotations")
    def export_labels_jsonld(
        self, request: HttpRequest, queryset: QuerySet[Article]
    ) -> StreamingHttpResponse | None:
        """One AnnotationCollection of every label of the selected articles (annotations.interop_export)."""
        _check_export_permission(request)
        try:
            site = interop_export.site()
        except interop_export.NoSiteUrl as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        article_ids = queryset.order_by().values_list("pk", flat=True)
        today = utc_today()
        labels = select_labels(article_ids=article_ids)
        return interop_export.jsonld_response(
            interop_export.selection_bytes(labels, site, today=today),
            interop_export.export_filename(today),
        )


# --- Spans --------------------------------------------------------------------


class ReadOnlyMixin:
    """Viewing only: see the module docstring for why labels and spans never change here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LabelInline(ReadOnlyMixin, admin.TabularInline[Label, Span]):
    model = Label
    fields = ("reviewer", "kind", "note", "source_url", "created_at", "updated_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Label]:
        return super().get_queryset(request).select_related("reviewer")


@admin.register(Span)
class SpanAdmin(ReadOnlyMixin, admin.ModelAdmin[Span]):
    list_display = ["quote_preview", "article", "start", "end", "label_count", "created_at"]
    list_filter = ["article__outlet", "labels__kind", "created_at"]
    list_select_related = ["article"]
    search_fields = ["quote", "article__title"]
    date_hierarchy = "created_at"
    fields = (
        "article",
        "start",
        "end",
        "quote",
        "prefix",
        "suffix",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [LabelInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Span]:
        spans: QuerySet[Span] = super().get_queryset(request)
        return spans.annotate(n_labels=_count(Label.objects.all(), "span"))

    @admin.display(description="quote", ordering="quote")
    def quote_preview(self, span: Span) -> str:
        return _preview(span.quote)

    @admin.display(description="labels", ordering="n_labels")
    def label_count(self, span: WithAnnotations[Span, _LabelCount]) -> int:
        return int(span.n_labels)


# --- Labels -------------------------------------------------------------------


def _label_id(raw: str) -> int:
    """An id from the URL, or 404: simple_history's views answer 500 to "abc"."""
    try:
        return int(unquote(raw))
    except ValueError:
        raise Http404("No such label.") from None


@admin.register(Label)
class LabelAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = [
        "quote_preview",
        "article_title",
        "kind",
        "reviewer",
        "note_preview",
        "created_at",
        "updated_at",
    ]
    list_filter = ["kind", "span__article__outlet", "reviewer", "created_at", "updated_at"]
    list_select_related = ["span__article", "reviewer"]
    search_fields = ["span__quote", "note", "span__article__title"]
    date_hierarchy = "updated_at"
    fields = [
        "span",
        "reviewer",
        "kind",
        "note",
        "source_url",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    history_list_display = ["kind", "note", "source_url"]
    # simple_history's list has an inline style the CSP refuses; ours is the same without it.
    object_history_list_template = "admin/annotations/label/history_list.html"
    actions = ["export_labels_csv"]

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        _label_id(object_id)
        response: HttpResponse = super().history_view(request, object_id, extra_context)
        return response

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        """One past version, to read. simple_history would save a POST here ("revert")
        with view permission alone: refused, as every other change of a label is."""
        if request.method != "GET":
            raise PermissionDenied("Labels are changed by their reviewer, in the app.")
        _label_id(object_id)
        _label_id(version_id)
        response: HttpResponse = super().history_form_view(
            request, object_id, version_id, extra_context
        )
        return response

    @admin.display(description="quote", ordering="span__quote")
    def quote_preview(self, label: Label) -> str:
        return _preview(label.span.quote)

    @admin.display(description="article", ordering="span__article__title")
    def article_title(self, label: Label) -> str:
        return label.span.article.title

    @admin.display(description="note")
    def note_preview(self, label: Label) -> str:
        return _preview(label.note)

    @admin.action(description="Export selected labels as CSV")
    def export_labels_csv(
        self, request: HttpRequest, queryset: QuerySet[Label]
    ) -> StreamingHttpResponse:
        _check_export_permission(request)
        return csv_response(queryset, export_filename(utc_today()))
