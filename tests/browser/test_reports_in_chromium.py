"""The report and the overview in a real Chromium: finishing a review, and a barely labelled article."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from annotations.ingest import ArticleData, save_article
from annotations.labelling import label_span
from annotations.seeding import create_demo_accounts
from tests.conftest import SAMPLE_BODY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = "Officials say 300,000 reservists were called up."


@pytest.fixture
def article(transactional_db):
    create_demo_accounts()
    made, _ = save_article(ArticleData(title="Mobilisation rumours", body=SAMPLE_BODY))
    return made


def _label(article, username: str, quote: str, kind: str) -> None:
    start = article.body.index(quote)
    label_span(
        article=article,
        reviewer=User.objects.get(username=username),
        start=start,
        end=start + len(quote),
        quote=quote,
        kind=kind,
    )


def test_finishing_an_article_shows_on_its_report(open_as, article, site_debug):
    _label(article, "alice", SENTENCE, "official_claim")
    page = open_as(User.objects.get(username="bob"))
    page.goto(f"/articles/{article.id}/")
    finished = page.locator("#finished-reviews")
    assert "No reviewer has finished this article yet." in finished.inner_text()
    page.get_by_role("button", name="I have finished this article").click()
    # htmx swaps the part in place: no reload, and the button now reopens.
    page.get_by_role("button", name="Reopen my review").wait_for()
    assert "Finished by bob." in page.locator("#finished-reviews").inner_text()

    page.goto(f"/articles/{article.id}/report/")
    assert "Finished by bob." in page.locator("#finished-reviews").inner_text()
    verdict = page.locator(".verdict").inner_text()
    assert "1 of 2 reviewers finished" in verdict
    # bob's silence now counts: the 8 words alice labelled meet his "not labelled".
    assert "0 of 8 words labelled alike" in page.locator(".text-agreement").inner_text()
    assert page.errors == []


def test_the_overview_flags_a_barely_labelled_article(open_as, article, site_debug):
    long, _ = save_article(ArticleData(title="Long read", body=("Words here. " * 300).strip()))
    _label(long, "alice", "Words here.", "unsourced_speculation")  # 11 of 3,599 characters
    _label(article, "alice", SENTENCE, "verified_fact")
    page = open_as(User.objects.get(username="bob"))
    page.goto("/reports/")
    page.get_by_role("link", name="Speculation (of labelled)").click()
    page.wait_for_url("**/reports/?sort=-speculation")
    rows = page.locator("table.overview tbody tr")
    # The barely labelled article is not first, though all its labelled text is speculation.
    assert rows.nth(0).locator("td").first.inner_text().startswith("Mobilisation rumours")
    barely = rows.filter(has_text="Long read")
    cell = barely.locator("td.speculation").inner_text()
    assert cell == "100 % (only 0.3 % labelled)"
    assert barely.locator("td.coverage").inner_text() == "0.3 %"
    assert "Too little labelled to judge" in barely.inner_text()
    assert page.errors == []
