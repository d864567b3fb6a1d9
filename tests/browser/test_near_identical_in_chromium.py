"""Issue 13: bob selects alice's sentence but stops before its full stop, in a real Chromium.

The toolbar offers alice's span by default, the label goes on it, and the
report shows the disagreement; a tick keeps the selection as a new span.
Run with DEBUG off and on (django-htmx adds its own handler with DEBUG on).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from annotations.ingest import ArticleData, save_article
from annotations.labelling import label_span
from annotations.models import Article, Span
from annotations.seeding import create_demo_accounts
from tests.browser.test_annotate_in_chromium import drag_select, mark
from tests.conftest import SAMPLE_BODY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = "Officials say 300,000 reservists were called up."


@pytest.fixture
def alices_sentence(transactional_db) -> Article:
    create_demo_accounts()
    article, _ = save_article(ArticleData(title="Reservists", body=SAMPLE_BODY))
    label_span(
        article=article,
        reviewer=User.objects.get(username="alice"),
        start=0,
        end=len(SENTENCE),
        quote=SENTENCE,
        kind="official_claim",
    )
    return article


def _bob_selects_without_the_full_stop(open_as, article: Article):
    page = open_as(User.objects.get(username="bob"))
    page.goto(f"/articles/{article.id}/")
    drag_select(page, "Officials", "called up")  # stops before the "."
    toolbar = page.locator("#label-toolbar")
    toolbar.wait_for(state="visible")
    offer = toolbar.locator("#toolbar-offer")
    offer.get_by_text("Label the existing span").wait_for()
    return page, toolbar, offer


def test_bobs_near_identical_selection_labels_alices_span(open_as, alices_sentence, site_debug):
    page, toolbar, offer = _bob_selects_without_the_full_stop(open_as, alices_sentence)
    assert offer.inner_text().startswith(
        f"Label the existing span: “{SENTENCE}” (labelled by alice)"
    )
    assert not offer.get_by_label("Keep my selection as a new span").is_checked()
    toolbar.get_by_role("button", name="Unsourced speculation", exact=True).click()

    page.locator('#article-body mark[title="Disputed"]', has_text="Officials").wait_for()
    assert mark(page, "Officials").inner_text() == SENTENCE
    assert page.locator("#span-items li").count() == 1
    span = Span.objects.get()
    assert sorted(span.labels.values_list("reviewer__username", "kind")) == [
        ("alice", "official_claim"),
        ("bob", "unsourced_speculation"),
    ]

    page.goto(f"/articles/{alices_sentence.id}/report/")
    disagreements = page.locator("section", has=page.locator("#disagreements-heading"))
    assert SENTENCE in disagreements.inner_text()
    assert "No disagreements" not in disagreements.inner_text()
    assert page.errors == []


def test_keep_my_selection_makes_a_second_span(open_as, alices_sentence, site_debug):
    page, toolbar, offer = _bob_selects_without_the_full_stop(open_as, alices_sentence)
    offer.get_by_label("Keep my selection as a new span").check()
    toolbar.get_by_role("button", name="Verified fact", exact=True).click()

    page.locator("#span-items li").nth(1).wait_for()
    assert sorted(Span.objects.values_list("quote", flat=True)) == [SENTENCE[:-1], SENTENCE]
    assert page.errors == []


def test_a_drag_inside_words_lands_on_whole_words(open_as, alices_sentence):
    page = open_as(User.objects.get(username="bob"))
    page.goto(f"/articles/{alices_sentence.id}/")
    drag_select(page, "ersion is", "up to tw")  # starts inside "version", ends inside "two"
    toolbar = page.locator("#label-toolbar")
    toolbar.wait_for(state="visible")
    # The browser snapped before sending: the quote it sends is whole words.
    assert toolbar.locator("[name=quote]").input_value() == (
        "version is that he could draft up to two"
    )
    # A new passage: nothing to offer.
    assert toolbar.locator("#toolbar-offer").inner_text() == ""
    page.keyboard.press("1")
    mark(page, "version is").wait_for()
    assert Span.objects.get(labels__reviewer__username="bob").quote == (
        "version is that he could draft up to two"
    )
    assert page.errors == []
