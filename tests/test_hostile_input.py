"""The hostile corpus in every field a person types into: refused with a readable 4xx, or stored
and rendered inert on the article list, the article page and the edit form."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils.html import escape

from annotations.labelling import LabelError, clean_label_fields, label_span
from annotations.models import Article
from tests.hostile import PAYLOADS, TOO_COMPLEX, URLS, assert_inert

OK_URL = [u for u in URLS if u.accepted]
BAD_URL = [u for u in URLS if not u.accepted]


def _post_article(client, n, title, body, **extra):
    # The payload last: an unclosed <svg> or <math> would swallow a paragraph after it.
    data = {"title": title, "body": f"Paragraph {n} of the hostile article.\n\n{body}", **extra}
    return client.post("/articles/new/", data)


@pytest.fixture
def hostile_articles(alice_client):
    """One article per payload, with the payload as title, outlet, byline and body."""
    statuses = {}
    for n, payload in enumerate(PAYLOADS):
        response = _post_article(
            alice_client,
            n,
            payload.text,
            payload.text,
            outlet=payload.text[:200],
            byline=payload.text[:300],
        )
        statuses[payload.name] = response.status_code
    return statuses


def test_every_payload_is_saved_or_refused_never_a_crash(hostile_articles):
    assert set(hostile_articles.values()) <= {302, 400}, hostile_articles
    # Refused: over the title limit, a NUL, or markup too deep or too large to parse.
    refused = {name for name, status in hostile_articles.items() if status == 400}
    assert refused == {"very long word", "NUL byte"} | TOO_COMPLEX


def test_refusals_say_why(alice_client, db):
    long_title = _post_article(alice_client, 0, "A" * 10_000, "Body")
    assert long_title.status_code == 400
    assert "Ensure this value has at most 300 characters" in long_title.content.decode()
    nul = _post_article(alice_client, 1, "before\x00after", "Body")
    assert "contains a NUL character, which Sourcemark cannot store" in nul.content.decode()


def test_the_article_list_renders_every_payload_inert(alice_client, hostile_articles):
    pages = [alice_client.get("/").content.decode(), alice_client.get("/?page=2").content.decode()]
    for html in pages:
        assert_inert(html)
    both = "".join(pages)
    # The titles are there, shown as text.
    assert escape("<script>alert('xss')</script>") in both
    assert escape("<img src=x onerror=alert(1)>") in both
    assert "\u202etxt.exe\u202c invoice" in both  # shown as is; the browser isolates it in a cell


def test_every_article_page_and_edit_form_is_inert(alice_client, hostile_articles):
    articles = list(Article.objects.all())
    assert len(articles) == len(PAYLOADS) - 2 - len(TOO_COMPLEX)
    for article in articles:
        assert_inert(alice_client.get(f"/articles/{article.id}/").content.decode())
        assert_inert(alice_client.get(f"/articles/{article.id}/edit/").content.decode())


def test_pasted_html_keeps_only_text(alice_client, db):
    body = "".join(p.text for p in PAYLOADS if p.text.startswith("<") and p.name not in TOO_COMPLEX)
    response = _post_article(alice_client, 0, "Pasted", f"<p>Intro</p>{body}")
    assert response.status_code == 302
    article = Article.objects.get()
    # Sanitised to text: no tag survives as markup; scripts and styles vanish with their content.
    assert "alert('xss')" not in article.body and "display:none" not in article.body
    assert_inert(alice_client.get(f"/articles/{article.id}/").content.decode())


def test_typed_text_that_looks_like_markup_stays_as_typed(alice_client, db):
    response = _post_article(alice_client, 0, "Typed", "Tom said a < b and c > d, I <3 it")
    assert response.status_code == 302
    html = alice_client.get(f"/articles/{Article.objects.get().id}/").content.decode()
    assert "Tom said a &lt; b and c &gt; d, I &lt;3 it" in html


@pytest.mark.parametrize("url", URLS, ids=[u.name for u in URLS])
def test_article_links_are_http_or_refused(alice_client, db, url):
    response = _post_article(alice_client, 0, "Linked", "Body", url=url.url)
    article = Article.objects.first()
    if response.status_code == 400:
        assert "Enter a valid URL." in response.context["form"].errors["url"]
        assert article is None
    else:
        # Accepted: an http(s) URL, or "//host/x" read as https://host/x; shown escaped.
        assert response.status_code == 302
        assert article is not None
        assert article.url.startswith(("http://", "https://"))
        html = alice_client.get(f"/articles/{article.id}/").content.decode()
        assert f'href="{escape(article.url)}"' in html
        assert_inert(html)
    assert url.accepted <= (response.status_code == 302)


@pytest.mark.parametrize("payload", PAYLOADS, ids=[p.name for p in PAYLOADS])
def test_notes_with_markup_are_refused_readably_others_kept_as_text(payload):
    looks_like_markup = any(
        token in payload.text
        for token in ("<a", "<s", "<S", "<i", "<b", "<p", "<m", "<o", "<e", "<f", "<d", "</", "<!")
    )
    if looks_like_markup or "\x00" in payload.text or len(payload.text) > 2000:
        with pytest.raises(LabelError) as refused:
            clean_label_fields("verified_fact", payload.text, "")
        assert refused.value.status == 400
        assert refused.value.message.endswith(".")  # a sentence, not a code
    else:
        assert clean_label_fields("verified_fact", payload.text, "")[1] == payload.text.strip()


def test_a_100_kb_note_is_refused_readably():
    with pytest.raises(LabelError) as refused:
        clean_label_fields("verified_fact", "n" * 100_000, "")
    assert refused.value.status == 400
    assert refused.value.message == (
        "The note is too long (100,000 characters; the limit is 2,000)."
    )


@pytest.mark.parametrize("url", URLS, ids=[u.name for u in URLS])
def test_source_urls_are_refused_unless_http(url, article, alice):
    if url.accepted:
        label = label_span(
            article=article,
            reviewer=alice,
            start=0,
            end=9,
            quote="Officials",
            kind="verified_fact",
            source_url=url.url,
        )
        assert label.source_url == url.url.strip()
    else:
        with pytest.raises(LabelError) as refused:
            clean_label_fields("verified_fact", "", url.url)
        assert refused.value.status == 400
        assert "http:// or https://" in refused.value.message


def test_usernames_with_markup_cannot_be_registered():
    validator = UnicodeUsernameValidator()
    for payload in PAYLOADS[:8]:
        with pytest.raises(ValidationError):
            validator(payload.text)


@pytest.mark.parametrize("payload", PAYLOADS[:20], ids=[p.name for p in PAYLOADS[:20]])
def test_a_hostile_username_is_shown_inert(article, payload):
    # Usernames made outside the validators (a directory sync, a shell) are shown as text.
    user = User.objects.create_user(payload.text[:150].replace("\x00", ""), password="x")
    client = Client()
    client.force_login(user)
    html = client.get(f"/articles/{article.id}/").content.decode()
    assert f'<span class="who">{escape(user.username)}</span>' in html
    assert_inert(html)
