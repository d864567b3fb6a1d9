"""A new article from a web page, in Chromium as an editor does it, with DEBUG off and on.

Upload a saved page, or type an address the test's local server answers;
read the preview; Save; read the article with its outlet, authors and date.
Without the allow-list setting, an address on this machine is refused with
a sentence beside the field.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from annotations.models import Article
from annotations.seeding import create_demo_accounts
from bench.extraction import PAGES_DIR
from tests.local_web import ALLOW_LOCAL, PAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FERRY = PAGES["regional-ferry-captions-related"]


@pytest.fixture
def editor(transactional_db) -> User:
    create_demo_accounts()
    return User.objects.get(username="alice")


def _save_preview_and_read(page) -> None:
    """From the preview to the article page: everything the editor checks on the way."""
    page.get_by_role("heading", name="Preview").wait_for()
    assert page.get_by_label("Title").input_value() == FERRY.expected["title"]
    assert page.get_by_label("Outlet").input_value() == "The Harbour Herald"
    assert page.get_by_label("Author(s)").input_value() == "Sarah Lindqvist, Tomás Ferreira"
    assert page.get_by_label("Published").input_value() == "2026-03-20"
    kept = page.locator("[data-preview-text]").inner_text()
    assert FERRY.expected["paragraphs"][0] in kept
    # What was left out is folded away until asked for.
    removed = page.locator("details.removed")
    assert not removed.locator("li").first.is_visible()
    removed.locator("summary").click()
    assert "Related Articles" in removed.inner_text()

    page.get_by_role("button", name="Save").click()
    page.locator("#article-body").wait_for()
    article = Article.objects.get()
    assert page.url.endswith(f"/articles/{article.id}/")
    meta = page.locator(".article-head .meta").inner_text()
    assert "The Harbour Herald" in meta
    assert "By Sarah Lindqvist, Tomás Ferreira" in meta
    assert "20 March 2026" in meta
    body = page.locator("#article-body").inner_text()
    for paragraph in FERRY.expected["paragraphs"]:
        assert paragraph in body
    for line in FERRY.expected["boilerplate"]:
        assert line not in body, line
    assert page.locator("#article-body p").count() == len(FERRY.expected["paragraphs"])
    assert page.errors == []


def test_an_uploaded_page_becomes_a_clean_article(open_as, editor, site_debug):
    page = open_as(editor)
    page.goto("/articles/new/")
    page.get_by_label("Web page (.html file)").set_input_files(
        str(PAGES_DIR / f"{FERRY.name}.html")
    )
    page.get_by_role("form", name="From a saved page").get_by_role("button", name="Preview").click()
    _save_preview_and_read(page)


def test_a_web_address_becomes_a_clean_article(open_as, editor, local_site, settings, site_debug):
    settings.WEB_FETCH_ALLOWED_NETWORKS = ALLOW_LOCAL
    page = open_as(editor)
    page.goto("/articles/new/")
    page.get_by_role("textbox", name="Web address").fill(local_site.url(FERRY.name))
    page.get_by_role("textbox", name="Web address").press("Enter")
    _save_preview_and_read(page)


def test_an_address_on_this_machine_is_refused_without_the_setting(
    open_as, editor, local_site, site_debug
):
    page = open_as(editor)
    page.goto("/articles/new/")
    address = local_site.url(FERRY.name)
    page.get_by_role("textbox", name="Web address").fill(address)
    page.get_by_role("form", name="From a web address").get_by_role(
        "button", name="Preview"
    ).click()

    error = page.locator("#id_address_error")
    error.wait_for()
    assert "points to a local or private network address" in error.inner_text()
    assert (
        page.get_by_role("textbox", name="Web address").input_value() == address
    )  # kept, to correct
    assert page.get_by_role("heading", name="New article").is_visible()
    assert Article.objects.count() == 0
    # The answer is a 400 (the browser says so in its console); nothing else went wrong.
    assert all("status of 400" in error for error in page.errors), page.errors
