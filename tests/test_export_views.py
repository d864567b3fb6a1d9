"""The per-article Download CSV link: /articles/<id>/labels.csv."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import StreamingHttpResponse

from annotations.labelling import set_finished
from annotations.models import Article, FinishedReview, Label, Span
from bench.fixtures import FORMULA_PAYLOADS
from tests.conftest import SAMPLE_BODY
from tests.exporting import HEADER, C, iso, many_labels, parse_csv
from tests.factories import label_quote

EMOJI_QUOTE = "Reporters 🇺🇦 saw the 👩🏽‍⚕️ medics"
HOSTILE = FORMULA_PAYLOADS


def _download(client, article_id: int) -> bytes:
    response = client.get(f"/articles/{article_id}/labels.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_it_requires_login(client, article):
    response = client.get(f"/articles/{article.id}/labels.csv")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/articles/{article.id}/labels.csv"


def test_missing_article_is_404(carol_client, db):
    assert carol_client.get("/articles/999/labels.csv").status_code == 404


def test_post_is_refused(carol_client, article):
    assert carol_client.post(f"/articles/{article.id}/labels.csv").status_code == 405


def test_reader_downloads_a_streamed_csv_named_by_article_and_date(carol_client, article, alice):
    label_quote(article, alice, "Officials", "official_claim")
    response = carol_client.get(f"/articles/{article.id}/labels.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="sourcemark-article-{article.id}-labels-{today}.csv"'
    )
    assert response["Cache-Control"] == "private, no-store"
    rows = parse_csv(response.getvalue())
    assert rows[0] == HEADER
    assert len(rows) == 2


def test_round_trip_matches_the_database_field_by_field(carol_client, article, alice, bob):
    notes = {
        "alice": 'She said "yes", then, after a pause,\nleft. Café 👩🏽‍⚕️',
        "bob": "Line one\r\nLine two; 1 < 2, 100%",
    }
    label_quote(
        article, alice, EMOJI_QUOTE, "verified_fact", notes["alice"], "https://example.com/ü?q=1,2"
    )
    label_quote(article, bob, EMOJI_QUOTE, "official_claim", notes["bob"])
    label_quote(article, alice, "Officials", "unsourced_speculation")
    other = Article.objects.create(title="Other", body="Other text", fingerprint="o" * 64)
    Label.objects.create(
        span=Span.objects.create(article=other, start=0, end=5, quote="Other"),
        reviewer=alice,
        kind="verified_fact",
    )

    set_finished(article.id, bob, finished=True)
    finished = {"bob": iso(FinishedReview.objects.get(reviewer=bob).finished_at)}

    rows = parse_csv(_download(carol_client, article.id))

    assert rows[0] == HEADER
    assert len(rows) == 4  # only this article's three labels
    # Reading order: "Officials" comes first in the body, then the emoji span.
    assert [row[C["quote"]] for row in rows[1:]] == ["Officials", EMOJI_QUOTE, EMOJI_QUOTE]
    for row in rows[1:]:
        label = Label.objects.select_related("span__article", "reviewer").get(
            span_id=int(row[C["span id"]]), reviewer__username=row[C["reviewer"]]
        )
        span, art = label.span, label.span.article
        assert row == [
            str(art.id),
            art.title,
            art.outlet,
            art.url,
            art.byline,
            art.published.isoformat() if art.published else "",
            # "Officials" (9) and the emoji quote (33 code points) of 186: 0.22580...
            "0.2258",
            str(span.id),
            str(span.start),
            str(span.end),
            span.anchor,
            span.quote,
            label.get_kind_display(),
            label.kind,
            "Disputed" if span.quote == EMOJI_QUOTE else "Unsourced speculation",
            label.reviewer.username,
            finished.get(label.reviewer.username, ""),
            label.note,
            label.source_url,
            iso(label.created_at),
            iso(label.updated_at),
        ]
    assert SAMPLE_BODY[int(rows[2][C["start"]]) : int(rows[2][C["end"]])] == EMOJI_QUOTE
    assert {rows[2][C["note"]], rows[3][C["note"]]} == set(notes.values())


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_cells_are_neutralised_and_kept(carol_client, db, payload):
    # The app refuses most of these; rows written directly stand for old or imported data.
    article = Article.objects.create(
        title=payload,
        outlet=payload,
        url=payload,
        byline=payload,
        body=payload + " is the text",
        fingerprint="h" * 64,
    )
    reviewer = User.objects.create_user(payload.strip() + "-user")
    reviewer.username = payload
    reviewer.save()
    span = Span.objects.create(article=article, start=0, end=len(payload), quote=payload)
    Label.objects.create(
        span=span, reviewer=reviewer, kind="verified_fact", note=payload, source_url=payload
    )

    row = parse_csv(_download(carol_client, article.id))[1]

    for column in [
        "article title",
        "outlet",
        "article URL",
        "authors",
        "quote",
        "reviewer",
        "note",
        "source URL",
    ]:
        assert row[HEADER.index(column)] == "'" + payload, column
    # Numeric columns are the numbers themselves.
    assert row[C["article id"]] == str(article.id) and row[C["span id"]] == str(span.id)
    assert (row[C["start"]], row[C["end"]]) == ("0", str(len(payload)))


def test_queries_do_not_grow_with_labels(carol_client, alice, django_assert_num_queries):
    small = many_labels(5, alice, title="Small")
    large = many_labels(200, alice, title="Large")
    for article, count in [(small, 5), (large, 200)]:
        # the session with its user (one statement), article; on PostgreSQL the export's SET
        # LOCAL; the article's cached figures, then (stale here) its labels, reviewers and
        # finished reviews and the upsert, for the coverage column; the labels (one streamed
        # query, however many rows: every label of the article is in it, so each span's
        # consensus comes from its own rows)
        with django_assert_num_queries(8 + (connection.vendor == "postgresql")):
            response = carol_client.get(f"/articles/{article.id}/labels.csv")
            content = b"".join(response.streaming_content)
        assert len(parse_csv(content)) == count + 1


def test_the_report_page_links_to_the_download(carol_client, article):
    html = carol_client.get(f"/articles/{article.id}/report/").content.decode()
    assert f'<a href="/articles/{article.id}/labels.csv" download>Download CSV</a>' in html
