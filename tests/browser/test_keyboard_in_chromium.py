"""Labelling with the keyboard only, in a real Chromium (issue 12, item 10).

No mouse: Tab to "Label with keyboard", arrows select sentences, a digit
labels, Enter opens the highlight. The status region says what happened and
the focus never falls back to <body>.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from annotations.labelling import label_span
from annotations.models import Label
from tests.browser.test_annotate_in_chromium import _label_phrase, emoji_article, seed_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["emoji_article", "seed_article"]  # fixtures

FIRST = "Officials say 300,000 reservists were called up."
SECOND = "One version is that he could draft up to two million – including 300,000 women."

STATUS = "#label-status"


def _alice() -> User:
    return User.objects.get(username="alice")


def _focused(page) -> str:
    """The focused element, as "tag#id", never expected to be "body"."""
    return page.evaluate(
        "(() => { const e = document.activeElement; return e ? e.tagName.toLowerCase() + '#' + e.id : ''; })()"
    )


def _tab_to(page, name: str) -> None:
    for _ in range(60):
        page.keyboard.press("Tab")
        if (
            page.evaluate("document.activeElement && document.activeElement.textContent.trim()")
            == name
        ):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_label_a_sentence_with_the_keyboard_only(open_as, emoji_article):
    page = open_as(_alice())
    page.goto(f"/articles/{emoji_article.id}/")
    assert page.get_by_text("select the next or previous sentence").is_visible()  # keys documented
    _tab_to(page, "Label with keyboard")
    page.keyboard.press("Enter")
    assert (
        page.get_by_role("button", name="Label with keyboard").get_attribute("aria-pressed")
        == "true"
    )
    assert _focused(page) == "div#article-body"
    assert page.evaluate("window.getSelection().toString()") == FIRST

    page.keyboard.press("ArrowDown")
    assert page.evaluate("window.getSelection().toString()") == SECOND
    toolbar = page.locator("#label-toolbar")
    toolbar.wait_for(state="visible")
    page.keyboard.press("Shift+ArrowUp")  # no shorter than one sentence
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Shift+ArrowDown")
    assert page.evaluate("window.getSelection().toString()") == FIRST + "\n\n" + SECOND
    page.keyboard.press("Shift+ArrowUp")
    assert page.evaluate("window.getSelection().toString()") == FIRST
    page.keyboard.press("ArrowDown")
    assert page.evaluate("window.getSelection().toString()") == SECOND

    page.keyboard.press("2")
    highlight = page.locator("#article-body mark", has_text="One version")
    highlight.wait_for()
    assert highlight.inner_text() == SECOND
    assert Label.objects.get().kind == "official_claim"
    page.locator(STATUS, has_text="Saved: Official claim").wait_for()
    assert _focused(page) == "div#article-body"
    # What a screen reader is given about the highlight: its label and its reviewer.
    described = page.evaluate(
        """(() => {
          const mark = document.querySelector("#article-body mark");
          return mark.getAttribute("aria-describedby").split(" ")
            .map(id => document.getElementById(id).textContent).join(" ");
        })()"""
    )
    assert "Official claim" in described and "by alice" in described

    # Enter on a labelled sentence opens its panel; removing the label keeps the focus on the page.
    page.keyboard.press("Enter")
    panel = page.locator("#span-panel")
    panel.locator(".reviewer", has_text="alice").wait_for()
    assert _focused(page) == "h2#span-panel-title"
    _tab_to(page, "Remove my label")
    page.keyboard.press("Enter")
    panel.get_by_role("button", name="Undo").wait_for()  # the panel stays, offering Undo
    page.locator(STATUS, has_text="Your label was removed.").wait_for()
    assert not Label.objects.exists()
    page.wait_for_timeout(100)
    assert _focused(page) not in ("body#", "")
    assert page.errors == []


def test_closing_the_toolbar_or_removing_with_the_mouse_never_leaves_the_focus_on_body(
    open_as, seed_article
):
    _label_phrase(seed_article, "alice", "unsourced_speculation")
    page = open_as(_alice())
    page.goto(f"/articles/{seed_article.id}/")
    page.locator("#article-body mark", has_text="One version").click()
    panel = page.locator("#span-panel")
    panel.get_by_role("button", name="Remove my label").click()
    # The panel stays open and offers Undo (issue 12): the focus goes to its heading.
    panel.get_by_role("button", name="Undo").wait_for()
    page.wait_for_timeout(100)
    assert _focused(page) == "h2#span-panel-title"
    assert page.errors == []


def test_the_toolbar_offer_follows_the_sentence_cursor(open_as, emoji_article):
    # bob labelled the first sentence without its full stop: the toolbar offers his span
    # for the first sentence, and nothing for the second.
    label_span(
        article=emoji_article,
        reviewer=User.objects.get(username="bob"),
        start=0,
        end=len(FIRST) - 1,
        quote=FIRST[:-1],
        kind="verified_fact",
    )
    page = open_as(_alice())
    page.goto(f"/articles/{emoji_article.id}/")
    _tab_to(page, "Label with keyboard")
    # The second sentence is selected while the first one's offer is still on its way.
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("window.getSelection().toString()") == SECOND
    page.locator("#label-toolbar").wait_for(state="visible")
    offer = page.locator("#label-toolbar #toolbar-offer")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)
    assert offer.inner_text() == ""
    page.keyboard.press("ArrowUp")
    offer.get_by_text("Label the existing span").wait_for()
    assert FIRST[:-1] in offer.inner_text()
    assert page.errors == []
