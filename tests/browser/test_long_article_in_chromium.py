"""A long article in a real Chromium (issue 17): its highlights are described by the page's
script (describe.js), not in the HTML sent, and what a reader does far down the page works
as on a short one (guards for any later change to how the paragraphs are drawn)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from annotations.ingest import ArticleData, save_article
from annotations.models import Article
from annotations.seeding import create_demo_accounts
from tests.browser.test_access_in_chromium import _SIDEWAYS, PHONE
from tests.browser.test_annotate_in_chromium import drag_select, mark
from tests.factories import label_quote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARAGRAPHS = 60


def _paragraph(i: int) -> str:
    return (
        f"Paragraph {i} opens here. Claim number {i} is what the ministry said on the day. "
        + "Reporters asked again and were told the same thing in other words. " * 3
        + f"Paragraph {i} ends here."
    )


@pytest.fixture
def long_article(transactional_db) -> Article:
    create_demo_accounts()
    made, _ = save_article(
        ArticleData(title="Long", body="\n\n".join(map(_paragraph, range(PARAGRAPHS))))
    )
    for i in range(0, PARAGRAPHS, 3):
        label_quote(made, _user("bob"), f"Claim number {i} is", "official_claim")
    return made


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _in_view(page, locator) -> bool:
    return locator.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }"
    )


_DESCRIPTIONS = """() => [...document.querySelectorAll("#article-body mark")].map(m => [
  m.dataset.spans, m.getAttribute("aria-describedby")])"""


def _open_described(page, article) -> None:
    """The article's page, once describe.js has described every highlight."""
    page.goto(f"/articles/{article.id}/")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#article-body mark')]"
        ".every(m => m.hasAttribute('aria-describedby'))"
    )


def test_every_highlight_is_described_by_its_items_in_the_side_list(open_as, long_article):
    page = open_as(_user("alice"))
    _open_described(page, long_article)
    described = page.evaluate(_DESCRIPTIONS)
    assert len(described) == PARAGRAPHS // 3
    for spans, ids in described:
        assert ids == " ".join(f"span-item-{id}" for id in spans.split())
    # What a screen reader is given about the last one: its label, quote and reviewer.
    text = page.evaluate(
        """(() => {
          const marks = document.querySelectorAll("#article-body mark");
          const mark = marks[marks.length - 1];
          return mark.getAttribute("aria-describedby").split(" ")
            .map(id => document.getElementById(id).textContent).join(" ");
        })()"""
    )
    assert "Official claim" in text and "Claim number 57 is" in text and "by bob" in text
    assert page.errors == []


def test_a_selection_across_two_paragraphs_far_down_is_labelled(open_as, long_article):
    page = open_as(_user("alice"))
    page.goto(f"/articles/{long_article.id}/")
    drag_select(page, "Paragraph 40 ends here.", "Paragraph 41 opens here.")
    toolbar = page.locator("#label-toolbar")
    toolbar.wait_for(state="visible")
    assert _in_view(page, toolbar)
    body = long_article.body
    start = body.index("Paragraph 40 ends")
    end = body.index("Paragraph 41 opens here.") + len("Paragraph 41 opens here.")
    assert toolbar.locator("[name=start]").input_value() == str(start)
    assert toolbar.locator("[name=end]").input_value() == str(end)
    assert toolbar.locator("[name=quote]").input_value() == body[start:end]
    toolbar.get_by_role("button", name="Verified fact", exact=True).click()
    mark(page, "Paragraph 41 opens").wait_for()
    # The new highlights are described too, as soon as they are swapped in.
    assert (
        mark(page, "Paragraph 41 opens").get_attribute("aria-describedby").startswith("span-item-")
    )
    assert page.errors == []


def test_the_side_list_scrolls_to_a_highlight_at_the_end(open_as, long_article):
    page = open_as(_user("alice"))
    page.goto(f"/articles/{long_article.id}/")
    page.locator("#span-items a", has_text="Claim number 57 is").click()
    page.locator("#span-panel .reviewer", has_text="bob").wait_for()
    page.wait_for_timeout(200)  # paragraphs drawn near the screen may change height
    assert _in_view(page, mark(page, "Claim number 57 is"))
    assert page.errors == []


def test_the_keyboard_steps_sentence_by_sentence_down_the_whole_article(open_as, long_article):
    page = open_as(_user("alice"))
    page.goto(f"/articles/{long_article.id}/")
    page.get_by_role("button", name="Label with keyboard").click()
    sentences_per_paragraph = 6
    for _ in range(50 * sentences_per_paragraph):
        page.keyboard.press("ArrowDown")
    assert page.evaluate("window.getSelection().toString()") == "Paragraph 50 opens here."
    page.wait_for_timeout(200)
    box = page.evaluate(
        "(() => { const r = window.getSelection().getRangeAt(0).getBoundingClientRect();"
        " return [r.top, r.bottom, window.innerHeight]; })()"
    )
    assert 0 <= box[0] < box[1] <= box[2]
    assert page.errors == []


def test_scrolled_to_the_end_the_last_paragraph_is_drawn_on_screen(open_as, long_article):
    page = open_as(_user("alice"))
    page.goto(f"/articles/{long_article.id}/")
    for _ in range(3):  # heights settle as paragraphs are drawn
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        page.wait_for_timeout(100)
    last = page.locator(f"#p-{PARAGRAPHS - 1}")
    assert _in_view(page, last)
    assert page.evaluate(
        f"""(() => {{
          const r = document.getElementById("p-{PARAGRAPHS - 1}").getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + 5, r.top + 5);
          return Boolean(hit && hit.closest("#p-{PARAGRAPHS - 1}"));
        }})()"""
    )
    assert page.errors == []


def test_at_390_px_nothing_scrolls_sideways_down_a_long_article(open_as, long_article):
    page = open_as(_user("alice"))
    page.set_viewport_size(PHONE)
    page.goto(f"/articles/{long_article.id}/")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    page.wait_for_timeout(100)
    measured = page.evaluate(_SIDEWAYS)
    assert measured["scroll"] <= measured["client"], measured
    assert measured["over"] == []


def test_a_colleagues_label_replaces_only_its_own_paragraph(open_as, long_article):
    page = open_as(_user("alice"))
    _open_described(page, long_article)
    page.evaluate("window.kept = [...document.querySelectorAll('#article-body > p')]")
    label_quote(long_article, _user("bob"), "Claim number 31 is", "verified_fact")
    mark(page, "Claim number 31 is").wait_for(timeout=5000)
    replaced = page.evaluate("window.kept.filter(p => !p.isConnected).map(p => p.id)")
    assert replaced == ["p-31"]
    assert (
        mark(page, "Claim number 31 is").get_attribute("aria-describedby").startswith("span-item-")
    )
    assert page.errors == []
