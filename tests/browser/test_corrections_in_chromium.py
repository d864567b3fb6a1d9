"""Issue 14 in a real Chromium: correct a labelled article, spans follow, an orphan is re-attached."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from annotations.ingest import ArticleData, save_article
from annotations.labelling import lock_article, revise_body
from annotations.models import Article, Span
from annotations.seeding import create_demo_accounts
from tests.browser.test_annotate_in_chromium import drag_select, mark
from tests.corrections.texts import DENIAL, NEW, OLD
from tests.factories import label_quote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _user(name: str) -> User:
    return User.objects.get(username=name)


@pytest.fixture
def labelled(transactional_db) -> Article:
    create_demo_accounts()
    article, _ = save_article(ArticleData(title="Call-up", body=OLD))
    label_quote(article, _user("alice"), "Officials say", "official_claim")
    label_quote(article, _user("bob"), DENIAL, "verified_fact", note="Checked the call log")
    return article


def test_correct_a_labelled_article_then_reattach_its_orphan(open_as, labelled, site_debug):
    page = open_as(_user("alice"))
    page.goto(f"/articles/{labelled.id}/")
    assert page.locator(".meta .revision").inner_text() == "Revision 1"
    assert page.locator("#p-0 mark").inner_text() == "Officials say"

    page.goto(f"/articles/{labelled.id}/edit/")
    page.fill("textarea[name=body]", NEW)
    page.fill("input[name=reason]", "correction")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/articles/{labelled.id}/")

    # The span moved on screen: now in the second paragraph.
    assert page.locator(".meta .revision").inner_text() == "Revision 2"
    assert page.locator("#p-0 mark").count() == 0
    assert page.locator("#p-1 mark").inner_text() == "Officials say"
    # The denial's text is gone: its label waits under "need attention".
    attention = page.locator("#needs-attention")
    assert attention.locator("h2").inner_text() == "1 label needs attention"
    assert DENIAL in attention.inner_text() and "Checked the call log" in attention.inner_text()
    assert mark(page, "Reporters").count() == 0

    # Re-attach it: select the text, choose it in the toolbar.
    drag_select(page, "Reporters saw", "the medics")
    toolbar = page.locator("#label-toolbar")
    toolbar.wait_for(state="visible")
    toolbar.locator("select[name=orphan]").select_option(label=DENIAL[:39] + "…")
    toolbar.get_by_role("button", name="here").click()
    page.locator(".messages, .message").filter(has_text="Re-attached").first.wait_for()
    assert page.locator("#needs-attention").count() == 0
    highlight = mark(page, "Reporters saw")
    assert highlight.inner_text() == "Reporters saw the medics"
    assert highlight.get_attribute("title") == "Verified fact"
    span = Span.objects.get(article=labelled, quote="Reporters saw the medics")
    assert (span.anchor, span.labels.get().note) == ("reattached", "Checked the call log")

    # The CSV names how each span stands.
    response = page.request.get(f"/articles/{labelled.id}/labels.csv")
    rows = list(csv.reader(io.StringIO(response.text().lstrip("\ufeff"))))
    header = rows[0]
    assert header[header.index("end") + 1] == "anchor"
    anchors = {row[header.index("quote")]: row[header.index("anchor")] for row in rows[1:]}
    assert anchors == {"Officials say": "moved", "Reporters saw the medics": "reattached"}

    page.goto(f"/articles/{labelled.id}/revisions/")
    assert page.locator("#revision-2 ins").first.inner_text().startswith("Update:")
    assert page.errors == []


def test_a_label_from_a_page_older_than_a_correction_is_refused_in_the_toolbar(
    open_as, labelled, site_debug
):
    page = open_as(_user("alice"))
    page.goto(f"/articles/{labelled.id}/")
    # Someone corrects the article while the page is open.
    with transaction.atomic():
        revise_body(
            lock_article(labelled.pk), OLD.replace("Monday", "Tuesday"), editor=_user("bob")
        )
    drag_select(page, "Reporters saw", "the medics")
    toolbar = page.locator("#label-toolbar")
    toolbar.wait_for(state="visible")
    toolbar.get_by_role("button", name="Verified fact", exact=True).click()
    error = page.locator("#annotate-error")
    error.filter(has_text="corrected since you opened it").wait_for()
    assert not Span.objects.filter(quote="Reporters saw the medics").exists()
