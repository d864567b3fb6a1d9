"""A new article from a web page: upload or address → preview → Save (annotations/page_import.py).

The pages are the saved ones of ``tests/webpages/``; addresses are served by
a local server on 127.0.0.1 (``tests/local_web.py``), allowed through
``WEB_FETCH_ALLOWED_NETWORKS`` as an intranet CMS would be.
"""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile

from annotations.models import Article
from annotations.page_import import MAX_AGE, SALT, Preview
from tests.local_web import ALLOW_LOCAL, PAGES

FERRY = PAGES["regional-ferry-captions-related"]
LATIN1 = PAGES["spanish-latin1-http-header"]


def upload(case=FERRY, name: str | None = None) -> dict[str, object]:
    return {
        "source": "page",
        "page": SimpleUploadedFile(name or f"{case.name}.html", case.html, "text/html"),
    }


def field_value(html: str, name: str) -> str:
    """The value a form field of the page holds (inputs only)."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, f"no field {name}"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return unescape(value.group(1)) if value else ""


def preview_fields(html: str) -> dict[str, str]:
    return {
        name: field_value(html, name)
        for name in ("title", "outlet", "byline", "published", "url", "token")
    }


# --- the New article page ------------------------------------------------------------


def test_the_new_article_page_offers_a_file_and_a_web_address(alice_client):
    html = alice_client.get("/articles/new/").content.decode()
    assert "Web page (.html file)" in html
    assert "Web address" in html
    assert 'action="/articles/new/preview/"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="body"' in html  # typing or pasting stays


# --- upload → preview → Save --------------------------------------------------------


def test_an_uploaded_page_is_previewed_with_its_details_filled_in(alice_client):
    response = alice_client.post("/articles/new/preview/", upload())
    html = response.content.decode()
    assert response.status_code == 200
    fields = preview_fields(html)
    assert fields["title"] == FERRY.expected["title"]
    assert fields["outlet"] == "The Harbour Herald"
    assert fields["byline"] == "Sarah Lindqvist, Tomás Ferreira"
    assert fields["published"] == "2026-03-20"
    assert fields["url"] == FERRY.expected["url"]
    text = unescape(html)
    for paragraph in FERRY.expected["paragraphs"]:
        assert paragraph in text
    # What was left out is there to check, folded away.
    removed = unescape(html[html.index("<details") : html.index("</details>")])
    assert "Related Articles" in removed
    assert "<details" in html and "<details open" not in html
    assert Article.objects.count() == 0  # nothing is saved by a preview


def test_saving_the_preview_creates_the_article_with_the_edited_details(alice_client, alice):
    fields = preview_fields(alice_client.post("/articles/new/preview/", upload()).content.decode())
    fields["title"] = "Island ferry cancelled again"
    response = alice_client.post("/articles/new/from-page/", fields)

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{article.id}/"
    assert article.title == "Island ferry cancelled again"
    assert article.outlet == "The Harbour Herald"
    assert article.byline == "Sarah Lindqvist, Tomás Ferreira"
    assert article.published == datetime.date(2026, 3, 20)
    assert article.url == FERRY.expected["url"]
    assert article.canonical_url == (
        "https://harbourherald.example/news/island-ferry-cancelled-third-week-repairs-overrun-48213"
    )
    assert article.body == "\n\n".join(FERRY.expected["paragraphs"])
    assert article.created_by == alice


def test_the_article_page_shows_outlet_authors_and_date(alice_client):
    fields = preview_fields(alice_client.post("/articles/new/preview/", upload()).content.decode())
    alice_client.post("/articles/new/from-page/", fields)
    article = Article.objects.get()
    html = alice_client.get(f"/articles/{article.id}/").content.decode()
    meta = html[html.index('<p class="meta">') :]
    meta = meta[: meta.index("</p>")]
    assert "The Harbour Herald" in meta
    assert "Sarah Lindqvist, Tomás Ferreira" in unescape(meta)
    assert "20 March 2026" in meta


def test_a_legacy_charset_page_reads_as_the_page_declares(alice_client):
    # The file says nothing about its charset; windows-1252 is the web's default for it.
    html = alice_client.post("/articles/new/preview/", upload(LATIN1)).content.decode()
    assert preview_fields(html)["title"] == LATIN1.expected["title"]


# --- the text comes only from the server ------------------------------------------------


def test_the_text_is_never_taken_from_the_form(alice_client):
    fields = preview_fields(alice_client.post("/articles/new/preview/", upload()).content.decode())
    alice_client.post("/articles/new/from-page/", {**fields, "body": "Forged text."})
    assert Article.objects.get().body.startswith("Islanders face another week")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-token",
        signing.dumps({"p": ["Forged text."], "r": [], "o": "x"}, salt="another.salt"),
        signing.dumps({"p": ["Forged text."], "r": [], "o": "x"}, salt=SALT, key="other-key"),
    ],
    ids=["missing", "garbage", "other salt", "other key"],
)
def test_a_forged_or_missing_token_is_refused_with_a_sentence(alice_client, token):
    response = alice_client.post("/articles/new/from-page/", {"title": "T", "token": token})
    assert response.status_code == 400
    assert "This preview has expired or was changed" in response.content.decode()
    assert Article.objects.count() == 0


def test_a_changed_token_is_refused(alice_client):
    fields = preview_fields(alice_client.post("/articles/new/preview/", upload()).content.decode())
    value, _, signature = fields["token"].rpartition(":")
    fields["token"] = value + ":" + signature[::-1]
    assert alice_client.post("/articles/new/from-page/", fields).status_code == 400
    assert Article.objects.count() == 0


def test_a_preview_older_than_an_hour_cannot_be_saved(alice_client, monkeypatch):
    fields = preview_fields(alice_client.post("/articles/new/preview/", upload()).content.decode())
    later = datetime.datetime.now().timestamp() + MAX_AGE + 1
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = alice_client.post("/articles/new/from-page/", fields)
    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_the_token_holds_the_paragraphs_compressed():
    preview = Preview(("Para one. " * 500, "Para two."), ("Menu",), "the file x.html")
    token = preview.token()
    assert token.startswith(".")  # signing's mark of a compressed payload
    assert len(token) < len(preview.body) / 5
    assert Preview.from_token(token) == preview


# --- duplicates -------------------------------------------------------------------------


def test_the_same_text_is_refused_by_its_fingerprint(alice_client):
    fields = preview_fields(alice_client.post("/articles/new/preview/", upload()).content.decode())
    alice_client.post("/articles/new/from-page/", fields)
    first = Article.objects.get()

    again = alice_client.post("/articles/new/preview/", upload()).content.decode()
    assert "This text is already in Sourcemark" in again
    assert f'href="/articles/{first.id}/"' in again
    response = alice_client.post("/articles/new/from-page/", {**fields, "save_anyway": "on"})
    assert response.status_code == 400
    assert "This text is already in Sourcemark" in unescape(response.content.decode())
    assert Article.objects.count() == 1


def test_the_same_address_asks_for_a_confirmation(alice_client, article):
    # Stored under another spelling of the address: http, www, a tracking parameter.
    Article.objects.filter(pk=article.pk).update(
        canonical_url="https://harbourherald.example/news/island-ferry-cancelled-third-week-repairs-overrun-48213"
    )
    html = alice_client.post("/articles/new/preview/", upload()).content.decode()
    assert "An article from this address is already stored" in html
    assert f'href="/articles/{article.id}/"' in html

    fields = preview_fields(html)
    refused = alice_client.post("/articles/new/from-page/", fields)
    assert refused.status_code == 400
    assert "Tick this box" in refused.content.decode()
    assert Article.objects.count() == 1

    saved = alice_client.post("/articles/new/from-page/", {**fields, "save_anyway": "on"})
    assert saved.status_code == 302
    assert Article.objects.filter(canonical_url=article.canonical_url).count() == 0
    assert Article.objects.count() == 2


def test_an_address_edited_in_the_preview_is_the_one_checked(alice_client, article):
    article.url = "http://www.desk-daily.example/story?utm_source=x"
    article.save()
    fields = preview_fields(alice_client.post("/articles/new/preview/", upload()).content.decode())
    fields["url"] = "https://desk-daily.example/story/"
    response = alice_client.post("/articles/new/from-page/", fields)
    assert response.status_code == 400
    assert "An article from this address is already stored" in response.content.decode()


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "No article text was found"),
        (b"<html><body>" + b"<div>" * 300 + b"<p>x</p></body></html>", "nested more than"),
        (b"   ", "does not contain a web page"),
    ],
    ids=["no story", "too deep", "empty"],
)
def test_a_page_that_cannot_be_read_is_refused_in_the_form(alice_client, content, message):
    data = {"source": "page", "page": SimpleUploadedFile("x.html", content, "text/html")}
    response = alice_client.post("/articles/new/preview/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in unescape(html)
    assert "Web page (.html file)" in html  # the New article page again


def test_a_file_over_the_limit_is_skipped_as_it_arrives_and_the_editor_told(alice_client, settings):
    settings.FILE_UPLOAD_MAX_BYTES = 10_000
    data = {"source": "page", "page": SimpleUploadedFile("big.html", b"x" * 10_001, "text/html")}
    response = alice_client.post("/articles/new/preview/", data)
    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()


def test_nothing_chosen_is_a_sentence_not_an_error_page(alice_client):
    for data in (
        {},
        {"source": "page"},
        {"source": "address"},
        {"source": "address", "address": "x y"},
    ):
        response = alice_client.post("/articles/new/preview/", data)
        assert response.status_code == 400
        assert (
            'class="errorlist' in response.content.decode() or "Choose" in response.content.decode()
        )


# --- web addresses --------------------------------------------------------------------


def test_an_allowed_local_address_is_fetched_previewed_and_saved(
    alice_client, local_site, settings
):
    settings.WEB_FETCH_ALLOWED_NETWORKS = ALLOW_LOCAL
    address = local_site.url(FERRY.name)
    html = alice_client.post(
        "/articles/new/preview/", {"source": "address", "address": address}
    ).content.decode()
    fields = preview_fields(html)
    assert fields["title"] == FERRY.expected["title"]
    assert f"From {address}" in html
    assert alice_client.post("/articles/new/from-page/", fields).status_code == 302
    assert Article.objects.get().byline == "Sarah Lindqvist, Tomás Ferreira"


def test_the_charset_of_the_answer_decides_how_a_fetched_page_reads(
    alice_client, local_site, settings
):
    settings.WEB_FETCH_ALLOWED_NETWORKS = ALLOW_LOCAL
    data = {"source": "address", "address": local_site.url(LATIN1.name)}
    html = alice_client.post("/articles/new/preview/", data).content.decode()
    assert preview_fields(html)["title"] == LATIN1.expected["title"]


@pytest.mark.parametrize(
    ("path", "allowed", "message"),
    [
        (FERRY.name, False, "points to a local or private network address"),
        ("to-metadata", True, "points to a local or private network address"),
        ("pdf", True, "is not a web page (it sent application/pdf)"),
        ("missing", True, "answered 404"),
    ],
    ids=["this machine, not allowed", "redirect to metadata", "a PDF", "404"],
)
def test_each_refused_address_says_why_in_the_form(
    alice_client, local_site, settings, path, allowed, message
):
    settings.WEB_FETCH_ALLOWED_NETWORKS = ALLOW_LOCAL if allowed else []
    address = local_site.url(path)
    response = alice_client.post(
        "/articles/new/preview/", {"source": "address", "address": address}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in unescape(html)
    assert field_value(html, "address") == address  # refilled, to correct
    assert Article.objects.count() == 0


PRIVATE = "points to a local or private network address"


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("http://127.0.0.1/", PRIVATE),
        ("http://[::1]/", PRIVATE),
        ("http://169.254.169.254/latest/meta-data/", PRIVATE),
        ("http://0.0.0.0/", PRIVATE),
        ("http://10.0.0.1/", PRIVATE),
        ("http://[::ffff:127.0.0.1]/", PRIVATE),
        # Django's URL field refuses these spellings before the fetch rules see them
        # (which refuse them too: tests/test_webpages_fetch.py).
        ("http://2130706433/", "Enter a valid URL."),
        ("http://0177.0.0.1/", "Enter a valid URL."),
    ],
)
def test_private_addresses_are_refused_without_the_setting(alice_client, address, message):
    response = alice_client.post(
        "/articles/new/preview/", {"source": "address", "address": address}
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_name_that_cannot_be_found_is_refused(alice_client):
    data = {"source": "address", "address": "https://no-such-host.example/story"}
    response = alice_client.post("/articles/new/preview/", data)
    assert response.status_code == 400
    assert "could not be found" in response.content.decode()


def test_the_refusal_is_escaped(alice_client, local_site, settings):
    settings.WEB_FETCH_ALLOWED_NETWORKS = ALLOW_LOCAL
    address = local_site.url("<b>x</b>")
    html = alice_client.post(
        "/articles/new/preview/", {"source": "address", "address": address}
    ).content.decode()
    assert "<b>x</b>" not in html


# --- query counts ----------------------------------------------------------------------


def test_preview_and_save_queries(alice_client, django_assert_num_queries):
    # the session with its user and the editor check (one statement); the same text
    # stored?; the same address stored?
    with django_assert_num_queries(3):
        html = alice_client.post("/articles/new/preview/", upload()).content.decode()
    fields = preview_fields(html)
    # the session with its user and the editor check (one statement); same text?, same
    # address?; savepoint, insert, release
    with django_assert_num_queries(6):
        assert alice_client.post("/articles/new/from-page/", fields).status_code == 302


def test_a_clear_checkbox_sent_with_no_file_is_no_file(alice_client):
    # A clearable file input would read "page-clear"; the sweep (test_no_echo) found a 500.
    response = alice_client.post("/articles/new/preview/", {"source": "page", "page-clear": "on"})
    assert response.status_code == 400
    assert "Choose a saved web page" in response.content.decode()


def test_markup_in_the_page_and_in_the_details_comes_back_escaped(alice_client):
    from tests.hostile import REFLECTED, REFLECTED_TAGS

    escaped = REFLECTED.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    page = (
        f"<html><head><title>{escaped}</title></head><body><article><h1>{escaped}</h1>"
        f"<p>{escaped} is what the story quotes, long enough to be a paragraph.</p>"
        f"<p>A second paragraph about {escaped} and nothing else at all.</p></article>"
        f"<nav><a href='/'>{escaped}</a></nav></body></html>"
    ).encode()
    data = {"source": "page", "page": SimpleUploadedFile("x.html", page, "text/html")}
    html = alice_client.post("/articles/new/preview/", data).content.decode()
    assert REFLECTED.text in unescape(html)  # shown, as text
    assert not any(tag in html for tag in REFLECTED_TAGS)

    fields = preview_fields(html)
    hostile = dict.fromkeys(("title", "outlet", "byline", "published", "url"), REFLECTED.text)
    response = alice_client.post("/articles/new/from-page/", {**fields, **hostile})
    assert response.status_code == 400
    assert not any(tag in response.content.decode() for tag in REFLECTED_TAGS)


# --- the details wherever an article is shown --------------------------------------------


def test_outlet_authors_and_date_are_on_the_article_page_report_and_overview(alice_client, article):
    article.outlet = "The Harbour <Herald>"
    article.byline = "Sarah Lindqvist, Tomás <b>Ferreira</b>"
    article.published = datetime.date(2026, 3, 20)
    article.save()
    for url in (f"/articles/{article.id}/", f"/articles/{article.id}/report/", "/reports/"):
        html = alice_client.get(url).content.decode()
        assert "The Harbour &lt;Herald&gt;" in html, url
        assert "Sarah Lindqvist, Tomás &lt;b&gt;Ferreira&lt;/b&gt;" in html, url
        assert "20 March 2026" in html or "20 Mar 2026" in html, url
    assert "Author(s)" in alice_client.get("/reports/").content.decode()
    assert "Author(s)" in alice_client.get(f"/articles/{article.id}/edit/").content.decode()


def test_a_page_made_of_the_hostile_corpus_previews_and_saves_inert(alice_client):
    from django.utils.html import escape

    from tests.hostile import PAYLOADS, assert_inert

    shown = [p for p in PAYLOADS if "\x00" not in p.text and len(p.text) <= 2000]
    paragraphs = "".join(f"<p>{p.name}: {escape(p.text)}</p>" for p in shown)
    links = "".join(f"<li><a href='/x'>{escape(p.text)}</a></li>" for p in shown[:20])
    page = (
        f"<html><head><title>{escape(shown[0].text)} | Desk</title>"
        f"<meta property='og:site_name' content='{escape(shown[2].text)}'>"
        f"<meta name='author' content='{escape(shown[4].text)}'></head>"
        f"<body><nav><ul>{links}</ul></nav><article><h1>Story</h1>{paragraphs}</article>"
        "</body></html>"
    ).encode()
    data = {"source": "page", "page": SimpleUploadedFile("hostile.html", page, "text/html")}
    response = alice_client.post("/articles/new/preview/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert(html)
    fields = preview_fields(html)
    fields["title"] = fields["title"] or "Hostile"
    fields["url"] = ""
    saved = alice_client.post("/articles/new/from-page/", fields)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert_inert(alice_client.get(saved["Location"]).content.decode())
