"""The editing loop an editor can trust (issue 12): fresh pages after Back, the panel's
Save and Undo, overlapping highlights, the edit form's date, and the small visible fixes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from annotations.models import Article
from annotations.seeding import load_seeds
from tests.browser.test_annotate_in_chromium import drag_select, mark

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seed_article(transactional_db) -> Article:
    load_seeds(demo=True)
    return Article.objects.get(title__startswith="Putin tells mothers")


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _count(page) -> str:
    return page.locator("#span-count").inner_text()


def test_back_from_the_report_shows_the_label_just_made(open_as, seed_article, site_debug):
    page = open_as(_user("alice"))
    # A first page sets the CSRF cookie: the article page is then cached under the
    # cookies it is shown with (Vary: Cookie), as in a browser that logged in.
    page.goto("/")
    page.goto(f"/articles/{seed_article.id}/")
    before = _count(page)
    drag_select(page, "One version is", "up to two million")
    page.locator("#label-toolbar").wait_for(state="visible")
    page.keyboard.press("3")
    mark(page, "One version").wait_for()
    after = _count(page)
    assert after != before

    page.get_by_role("link", name="Report", exact=True).click()
    page.wait_for_url("**/report/")
    page.go_back()
    page.wait_for_url(f"**/articles/{seed_article.id}/")
    mark(page, "One version").wait_for()
    assert _count(page) == after
    assert page.errors == []
