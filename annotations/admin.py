"""Articles, spans and labels in the Django admin, with the CSV export actions.

Changelists join or annotate what they show (``list_select_related``,
subquery counts), so a page of 100 rows costs the same queries as a page of 3.
Spans are read-only here: their offsets and quote must match the article
body, which only ``annotations.labelling`` checks. Label edits go through the
same field checks as the app, and every change is kept in the label's
history (who, when, before and after), shown by SimpleHistoryAdmin.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, StreamingHttpResponse
from django_stubs_ext import WithAnnotations
from simple_history.admin import SimpleHistoryAdmin

from annotations.access import can_export_labels
from annotations.exports import csv_response, export_filename, select_labels, utc_today
from annotations.forms import ArticleForm
from annotations.labelling import LabelError, clean_label_fields
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
    # The app's form: canonical text, duplicate check, body locked once highlighted.
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
    readonly_fields = ["fingerprint", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "body", "outlet", "url", "byline", "published"]}),
        ("Provenance", {"fields": ["fingerprint", "created_by", "created_at", "updated_at"]}),
    ]
    inlines = [SpanInline]
    actions = ["export_labels_csv"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        articles: QuerySet[Article] = super().get_queryset(request)
        return articles.annotate(
            n_spans=_count(Span.objects.all(), "article"),
            n_labels=_count(Label.objects.all(), "article"),
        )

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        if not change and request.user.is_authenticated:  # the admin is for staff only
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

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


# --- Spans --------------------------------------------------------------------


class LabelForm(forms.ModelForm[Label]):
    """The app's rules for kind, note and source: no markup, http(s) links only."""

    class Meta:
        model = Label
        fields = ["kind", "note", "source_url"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            kind, note, source_url = clean_label_fields(
                cleaned.get("kind", ""), cleaned.get("note", ""), cleaned.get("source_url", "")
            )
        except LabelError as error:
            raise ValidationError(error.message) from None
        cleaned.update(kind=kind, note=note, source_url=source_url)
        return cleaned


class LabelInline(admin.TabularInline[Label, Span]):
    model = Label
    form = LabelForm
    fields = ["reviewer", "kind", "note", "source_url", "created_at", "updated_at"]
    readonly_fields = ["reviewer", "created_at", "updated_at"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Label]:
        return super().get_queryset(request).select_related("reviewer")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A label is added by highlighting text in the article, as its reviewer.
        return False


@admin.register(Span)
class SpanAdmin(admin.ModelAdmin[Span]):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Spans are made by highlighting text, where the quote is checked against the body.
        return False

    @admin.display(description="quote", ordering="quote")
    def quote_preview(self, span: Span) -> str:
        return _preview(span.quote)

    @admin.display(description="labels", ordering="n_labels")
    def label_count(self, span: WithAnnotations[Span, _LabelCount]) -> int:
        return int(span.n_labels)


# --- Labels -------------------------------------------------------------------


@admin.register(Label)
class LabelAdmin(SimpleHistoryAdmin):
    form = LabelForm
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
    readonly_fields = ["span", "reviewer", "created_at", "updated_at"]
    history_list_display = ["kind", "note", "source_url"]
    actions = ["export_labels_csv"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A label is added by highlighting text in the article, as its reviewer.
        return False

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
