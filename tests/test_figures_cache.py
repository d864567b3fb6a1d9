"""The overview's cached figures (annotations.figures): used while fresh, recomputed after a write."""

from __future__ import annotations

from annotations.labelling import change_label, label_span, remove_label, set_finished
from annotations.models import ArticleFigures


def _speculation_cell(html: str) -> str:
    row = html.split("Mobilisation rumours", 1)[1].split("</tr>", 1)[0]
    return row.split('<td class="num speculation">', 1)[1].split("</td>", 1)[0]


def test_overview_figures_follow_every_label_write(carol_client, article, alice):
    assert _speculation_cell(carol_client.get("/reports/").content.decode()) == "–"
    label = label_span(
        article=article, reviewer=alice, start=0, end=9, quote="Officials", kind="official_claim"
    )
    # 9 of 186 characters labelled: flagged, never a bare share.
    flagged = ' <span class="flag">(only 4.8 % labelled)</span>'
    assert _speculation_cell(carol_client.get("/reports/").content.decode()) == "0 %" + flagged

    change_label(label, alice, kind="unsourced_speculation", note="", source_url="")
    assert _speculation_cell(carol_client.get("/reports/").content.decode()) == "100 %" + flagged

    remove_label(label, alice)
    assert _speculation_cell(carol_client.get("/reports/").content.decode()) == "–"


def test_finishing_a_review_shows_on_the_overview_at_once(carol_client, article, alice, bob):
    label_span(
        article=article, reviewer=alice, start=0, end=9, quote="Officials", kind="verified_fact"
    )
    finished = '<td class="num finished"'
    row = _row(carol_client.get("/reports/").content.decode())
    assert f"{finished}>0 of 1</td>" in row
    set_finished(article.id, bob, finished=True)  # finished without a label: a reviewer too
    row = _row(carol_client.get("/reports/").content.decode())
    assert f'{finished} title="Finished by bob">1 of 2</td>' in row
    set_finished(article.id, bob, finished=False)
    assert f"{finished}>0 of 1</td>" in _row(carol_client.get("/reports/").content.decode())


def _row(html: str) -> str:
    return html.split("Mobilisation rumours", 1)[1].split("</tr>", 1)[0]


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
