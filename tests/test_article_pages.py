"""The article list, the article page and the New article form."""

from __future__ import annotations

import pytest

from annotations.labelling import label_span
from annotations.models import Article


@pytest.mark.parametrize("url", ["/", "/articles/new/", "/articles/1/", "/articles/1/edit/"])
def test_it_requires_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_list_shows_articles_with_counts_newest_first(alice_client, article, alice, bob):
    label_span(
        article=article, reviewer=alice, start=0, end=9, quote="Officials", kind="official_claim"
    )
    label_span(
        article=article, reviewer=bob, start=0, end=9, quote="Officials", kind="verified_fact"
    )
    Article.objects.create(title="Newer <b>one</b>", body="x", fingerprint="f" * 64)
    response = alice_client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Newer &lt;b&gt;one&lt;/b&gt;") < html.index("Mobilisation rumours")
    assert f'href="/articles/{article.id}/"' in html
    assert ">1</td>" in html and ">2</td>" in html  # one span, two labels
    assert "New article" in html


def test_list_queries_do_not_grow_with_articles(alice_client, alice, django_assert_num_queries):
    for n in range(30):
        Article.objects.create(title=f"A{n}", body="x", fingerprint=f"{n:064d}")
    alice_client.get("/")  # fills each article's cached figures (annotations.figures)
    # the session with its user and the editor check (one statement), count, page of
    # articles, label counts, figures (the balance bars)
    with django_assert_num_queries(5):
        alice_client.get("/")


def test_list_is_paginated(alice_client, db):
    Article.objects.bulk_create(
        Article(title=f"A{n}", body="x", fingerprint=f"{n:064d}") for n in range(30)
    )
    assert "Page 1 of 2" in alice_client.get("/").content.decode()
    assert "Page 2 of 2" in alice_client.get("/?page=2").content.decode()


def test_readers_see_no_new_article_link(carol_client, db):
    assert "New article" not in carol_client.get("/").content.decode()


def test_article_page_shows_paragraphs_escaped(alice_client, db):
    article = Article.objects.create(
        title="T", body="<script>alert(1)</script>\n\nSecond 🇺🇦", fingerprint="a" * 64
    )
    html = alice_client.get(f"/articles/{article.id}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Second 🇺🇦" in html


def test_missing_article_is_404(alice_client, db):
    assert alice_client.get("/articles/999/").status_code == 404


def test_editor_creates_an_article_from_pasted_html(alice_client, alice):
    response = alice_client.post(
        "/articles/new/",
        {
            "title": "  Pasted   piece ",
            "body": "<p>First&nbsp;para</p><script>x()</script><p>Second</p>",
            "outlet": "Wire",
            "url": "https://example.com/a",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{article.id}/"
    assert article.title == "Pasted piece"
    assert article.body == "First para\n\nSecond"
    assert article.created_by == alice


def test_reader_cannot_create_an_article(carol_client, db):
    assert carol_client.get("/articles/new/").status_code == 403
    assert carol_client.post("/articles/new/", {"title": "T", "body": "B"}).status_code == 403
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "", "body": "B"}, "title", "This field is required."),
        ({"title": "T", "body": "   "}, "body", "This field is required."),
        ({"title": "T", "body": "<script>only()</script>"}, "body", "The article has no text."),
        ({"title": "T", "body": "B", "url": "javascript:alert(1)"}, "url", "Enter a valid URL."),
        ({"title": "T", "body": "B", "published": "yesterday"}, "published", "Enter a valid date."),
    ],
)
def test_bad_input_gets_field_errors(alice_client, db, data, field, message):
    response = alice_client.post("/articles/new/", data)
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert not Article.objects.exists()


def test_duplicate_text_is_refused_with_the_existing_title(alice_client, article):
    response = alice_client.post("/articles/new/", {"title": "Again", "body": article.body})
    assert response.status_code == 400
    assert "already in Sourcemark as “Mobilisation rumours”" in response.content.decode()
    assert Article.objects.count() == 1


def test_metadata_edit_of_a_labelled_article_makes_no_revision(alice_client, article, alice):
    label_span(
        article=article, reviewer=alice, start=0, end=9, quote="Officials", kind="official_claim"
    )
    accepted = alice_client.post(
        f"/articles/{article.id}/edit/", {"title": "New title", "body": article.body, "outlet": "X"}
    )
    assert accepted.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.outlet, article.body_revision) == ("New title", "X", 1)
    assert not article.revisions.exists()


def test_login_page_uses_django_labels(client, db):
    html = client.get("/login/").content.decode()
    assert "Username" in html and "Password" in html


def test_login_then_see_the_list(client, alice):
    response = client.post("/login/", {"username": "alice", "password": "pw-alice"}, follow=True)
    assert response.status_code == 200
    assert "Articles" in response.content.decode()
