"""Live colleagues in a real Chromium: bob labels, alice's open page shows it (issue 12, item 9)."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import User

from annotations.models import Article
from annotations.seeding import load_seeds
from tests.browser.test_annotate_in_chromium import drag_select, mark

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHRASE = "One version is that he could draft up to two million"


@pytest.fixture
def seed_article(transactional_db) -> Article:
    load_seeds(demo=True)
    return Article.objects.get(title__startswith="Putin tells mothers")


def _user(name: str) -> User:
    return User.objects.get(username=name)


def test_bobs_label_appears_on_alices_page_and_her_selection_stays(open_as, seed_article):
    alice = open_as(_user("alice"))
    bob = open_as(_user("bob"))
    alice.goto(f"/articles/{seed_article.id}/")
    bob.goto(f"/articles/{seed_article.id}/")
    alice.evaluate("window.notReloaded = true")
    polls = []
    alice.on("response", lambda r: "/changes/" in r.url and polls.append(r.status))
    # alice is in the middle of labelling something else: a selection, the toolbar open.
    drag_select(alice, "President Vladimir Putin has told mothers")
    toolbar = alice.locator("#label-toolbar")
    toolbar.wait_for(state="visible")
    selected = alice.evaluate("window.getSelection().toString()")
    assert selected

    drag_select(bob, "One version is", "up to two million")
    bob.locator("#label-toolbar").get_by_role("button", name="Official claim", exact=True).click()
    mark(bob, "One version").wait_for()
    labelled = time.monotonic()

    mark(alice, "One version").wait_for(timeout=3000)
    assert time.monotonic() - labelled < 3
    assert mark(alice, "One version").inner_text() == PHRASE
    assert alice.locator("#span-items li", has_text=PHRASE).count() == 1
    assert "by bob" in alice.locator("#span-items li", has_text=PHRASE).inner_text()
    # Nothing of alice's own work was disturbed, and the page was not reloaded.
    assert alice.evaluate("window.getSelection().toString()") == selected
    assert toolbar.is_visible()
    toolbar.locator("[name=note]").fill("typed after")
    assert alice.evaluate("window.notReloaded") is True
    # She can still label what she selected.
    toolbar.get_by_role("button", name="Verified fact", exact=True).click()
    mark(alice, "President Vladimir Putin has").wait_for()
    assert mark(alice, "President Vladimir Putin has").inner_text() == selected.strip()
    assert 200 in polls
    assert alice.errors == [] and bob.errors == []


def test_an_unchanged_article_is_asked_about_and_nothing_is_sent(open_as, seed_article):
    page = open_as(_user("alice"))
    answers = []
    page.on("response", lambda r: "/changes/" in r.url and answers.append(r.status))
    page.goto(f"/articles/{seed_article.id}/")
    page.wait_for_timeout(4500)
    assert answers, "the page asks every two seconds"
    assert set(answers) == {204}  # no content (test_live.py checks the body is empty)
    assert page.errors == []
