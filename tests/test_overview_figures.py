"""The overview's figures are written with the labels (annotations.figures), never on a view."""

from __future__ import annotations

import datetime
import io
import re

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations import report
from annotations.labelling import label_span
from annotations.models import Article, ArticleFigures
from tests.test_interop_import import annotation, as_file


def _titles(html: str) -> list[str]:
    return re.findall(r'/report/">([^<]+)</a>', html)


def _speculation(html: str, title: str) -> str:
    row = html.split(f">{title}</a>", 1)[1].split("</tr>", 1)[0]
    return row.split('<td class="num speculation">', 1)[1].split("</td>", 1)[0]


def test_after_an_import_the_overview_reads_its_figures_and_computes_none(
    carol_client, alice, tmp_path
):
    for name, text in [("calm", "Officials confirmed it."), ("rumour", "Sources think it.")]:
        (tmp_path / f"{name}.txt").write_text(f"{name.title()}\n\n{text}\n")
    call_command("import_articles", str(tmp_path), stdout=io.StringIO())
    rumour = Article.objects.get(title="Rumour")
    labels = tmp_path / "labels.json"
    labels.write_bytes(as_file(annotation("Sources think it", "speculation")))
    call_command(
        "import_annotations", str(labels), "--article", str(rumour.id), stdout=io.StringIO()
    )
    stored = {row.article_id: row.revision for row in ArticleFigures.objects.all()}
    assert len(stored) == 2  # the import left every article's figures current
    with CaptureQueriesContext(connection) as queries:
        html = carol_client.get("/reports/?sort=-speculation").content.decode()
    assert _titles(html) == ["Rumour", "Calm"]
    assert _speculation(html, "Rumour").startswith("100 %")
    # the session with its user (one statement), the sorted page with its figures, outlets:
    # no body read, nothing written.
    assert len(queries) == 3
    sql = " ".join(query["sql"] for query in queries.captured_queries).lower()
    assert '"body"' not in sql and "insert" not in sql and "update" not in sql
    assert {row.article_id: row.revision for row in ArticleFigures.objects.all()} == stored


def test_a_label_write_shows_in_the_next_views_order(carol_client, alice):
    made = [
        Article.objects.create(
            title=f"Story {n}",
            body="word " * 20,
            published=datetime.date(2025, 1, 1 + n),
            fingerprint=f"story-{n}".ljust(64, "0"),
        )
        for n in range(2)
    ]
    for article in made:  # both as much labelled, both all verified at first
        label_span(
            article=article,
            reviewer=alice,
            start=0,
            end=14,
            quote="word word word",
            kind="verified_fact",
        )
    html = carol_client.get("/reports/?sort=-speculation").content.decode()
    assert _titles(html) == ["Story 1", "Story 0"]  # equal shares: newest first
    label_span(
        article=made[0],
        reviewer=alice,
        start=15,
        end=24,
        quote="word word",
        kind="unsourced_speculation",
    )
    html = carol_client.get("/reports/?sort=-speculation").content.decode()
    assert _titles(html) == ["Story 0", "Story 1"]
    assert _speculation(html, "Story 0") == "39 %"  # 9 of 23 labelled characters


def test_a_view_never_computes_every_articles_missing_figures(carol_client):
    count = report.ARTICLES_PER_PAGE + report.STALE_PER_VIEW + 10
    Article.objects.bulk_create(  # as old data, or a bulk write that left them out
        Article(
            title=f"Old {n}",
            body="x" * 100,
            published=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
            fingerprint=f"old-{n:04d}-".ljust(64, "0"),
        )
        for n in range(count)
    )
    html = carol_client.get("/reports/?sort=-coverage").content.decode()
    assert len(_titles(html)) == report.ARTICLES_PER_PAGE
    # The page's and the next ones' at most: never all of them.
    assert ArticleFigures.objects.count() <= report.ARTICLES_PER_PAGE + report.STALE_PER_VIEW
    assert 'class="num coverage">0 %</td>' in html
