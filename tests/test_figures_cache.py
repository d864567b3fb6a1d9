"""The overview's cached figures (annotations.figures): used while fresh, recomputed after a write."""

from __future__ import annotations

from annotations.labelling import change_label, label_span, remove_label
from annotations.models import ArticleFigures


def _speculation_cell(html: str) -> str:
    row = html.split("Mobilisation rumours", 1)[1].split("</tr>", 1)[0]
    return row.rsplit('<td class="num">', 2)[1].split("</td>", 1)[0]


def test_overview_figures_follow_every_label_write(carol_client, article, alice):
    assert _speculation_cell(carol_client.get("/reports/").content.decode()) == "–"
    label = label_span(
        article=article, reviewer=alice, start=0, end=9, quote="Officials", kind="official_claim"
    )
    assert _speculation_cell(carol_client.get("/reports/").content.decode()) == "0%"

    change_label(label, alice, kind="unsourced_speculation", note="", source_url="")
    assert _speculation_cell(carol_client.get("/reports/").content.decode()) == "100%"

    remove_label(label, alice)
    assert _speculation_cell(carol_client.get("/reports/").content.decode()) == "–"


def test_figures_are_cached_at_the_articles_revision(carol_client, article, alice):
    label_span(
        article=article, reviewer=alice, start=0, end=9, quote="Officials", kind="verified_fact"
    )
    carol_client.get("/reports/?sort=-verified")
    article.refresh_from_db()
    cached = ArticleFigures.objects.get(article=article)
    assert cached.revision == article.labels_revision == 1
    assert cached.chars["verified_fact"] == 9


def test_saving_article_details_keeps_the_labels_revision(article, alice):
    stale_copy = type(article).objects.get(pk=article.pk)
    label_span(
        article=article, reviewer=alice, start=0, end=9, quote="Officials", kind="verified_fact"
    )
    stale_copy.title = "Renamed"
    stale_copy.save()
    article.refresh_from_db()
    assert (article.title, article.labels_revision) == ("Renamed", 1)
