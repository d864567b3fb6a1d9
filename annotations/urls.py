from __future__ import annotations

from django.urls import path

from annotations.views import annotate, articles, corrections, interop, live, reports, reviews

urlpatterns = [
    path("", articles.article_list, name="article_list"),
    path("articles/new/", articles.article_create, name="article_create"),
    path("articles/new/preview/", articles.article_preview, name="article_preview"),
    path(
        "articles/new/from-page/",
        articles.article_create_from_page,
        name="article_create_from_page",
    ),
    path("articles/<int:article_id>/", annotate.article_detail, name="article_detail"),
    path("articles/<int:article_id>/edit/", articles.article_edit, name="article_edit"),
    path("articles/<int:article_id>/revisions/", corrections.revision_list, name="revision_list"),
    path(
        "articles/<int:article_id>/orphans/reattach/",
        corrections.orphan_reattach,
        name="orphan_reattach",
    ),
    path(
        "articles/<int:article_id>/orphans/<int:span_id>/dismiss/",
        corrections.orphan_dismiss,
        name="orphan_dismiss",
    ),
    path("articles/<int:article_id>/labels/", annotate.label_create, name="label_create"),
    path(
        "articles/<int:article_id>/labels/<int:label_id>/",
        annotate.label_change,
        name="label_change",
    ),
    path(
        "articles/<int:article_id>/labels/<int:label_id>/remove/",
        annotate.label_remove,
        name="label_remove",
    ),
    path("articles/<int:article_id>/spans/offer/", annotate.span_offer, name="span_offer"),
    path("articles/<int:article_id>/spans/<int:span_id>/", annotate.span_panel, name="span_panel"),
    path("articles/<int:article_id>/spans/", annotate.span_items, name="span_items"),
    path("articles/<int:article_id>/finished/", reviews.review_finished, name="review_finished"),
    path("articles/<int:article_id>/changes/", live.article_changes, name="article_changes"),
    path("articles/<int:article_id>/report/", reports.article_report, name="article_report"),
    path("articles/<int:article_id>/report/<slug:name>/", reports.report_list, name="report_list"),
    path("reports/", reports.report_overview, name="report_overview"),
    path(
        "articles/<int:article_id>/labels.csv",
        reports.article_labels_csv,
        name="article_labels_csv",
    ),
    # The paths of annotations.interop.vocabulary (EXPORT_PATH, SCHEME_PATH): ids in exports.
    path(
        "articles/<int:article_id>/annotations.jsonld",
        interop.article_annotations,
        name="article_annotations",
    ),
    path(
        "articles/<int:article_id>/annotations/import/",
        interop.annotations_import,
        name="annotations_import",
    ),
    path("vocab/labels", interop.label_scheme, name="label_scheme"),
]
