from __future__ import annotations

from django.urls import path

from annotations.views import articles, reports

urlpatterns = [
    path("", articles.article_list, name="article_list"),
    path("articles/new/", articles.article_create, name="article_create"),
    path("articles/<int:article_id>/", articles.article_detail, name="article_detail"),
    path("articles/<int:article_id>/edit/", articles.article_edit, name="article_edit"),
    path("articles/<int:article_id>/report/", reports.article_report, name="article_report"),
    path("reports/", reports.report_overview, name="report_overview"),
]
