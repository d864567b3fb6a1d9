"""The editing loop an editor can trust (issue 12): fresh pages after Back, the panel's
Save and Undo, overlapping highlights, the edit form's date, and the small visible fixes."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import User

from annotations.labelling import label_span
from annotations.models import Article, Label
from annotations.seeding import load_seeds
from tests.browser.test_annotate_in_chromium import PHRASE, drag_select, mark
from tests.factories import label_quote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seed_article(transactional_db) -> Article:
    load_seeds(demo=True)
    return Article.objects.get(title__startswith="Putin tells mothers")


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _count(page) -> str:
    return page.locator("#span-count").inner_text()


def test_back_from_the_report_shows_the_label_just_made(open_as, seed_article):
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


def _label_phrase(
    article: Article, username: str, kind: str, note: str = "", source_url: str = ""
) -> None:
    label_quote(article, _user(username), PHRASE, kind, note=note, source_url=source_url)


def test_enter_in_the_panel_saves_the_note_and_source(open_as, seed_article):
    _label_phrase(seed_article, "alice", "official_claim")
    page = open_as(_user("alice"))
    page.goto(f"/articles/{seed_article.id}/")
    mark(page, "One version").click()
    panel = page.locator("#span-panel")
    form = panel.locator("form.label-form")
    form.locator("textarea[name=note]").fill("Said on state TV")
    form.locator("input[name=source_url]").fill("https://example.org/tv")
    form.locator("input[name=source_url]").press("Enter")
    panel.locator(".note", has_text="Said on state TV").wait_for()
    label = Label.objects.get(span__quote=PHRASE)
    assert (label.kind, label.note, label.source_url) == (
        "official_claim",
        "Said on state TV",
        "https://example.org/tv",
    )

    # The explicit Save does the same, and keeps the label.
    form.locator("textarea[name=note]").fill("Said on state TV, twice")
    form.get_by_role("button", name="Save").click()
    panel.locator(".note", has_text="twice").wait_for()
    label.refresh_from_db()
    assert (label.kind, label.note) == ("official_claim", "Said on state TV, twice")
    assert page.errors == []


def test_undo_puts_back_the_label_just_removed(open_as, seed_article):
    _label_phrase(
        seed_article,
        "alice",
        "unsourced_speculation",
        note="Who says?",
        source_url="https://a.example/",
    )
    page = open_as(_user("alice"))
    page.goto(f"/articles/{seed_article.id}/")
    count = _count(page)
    mark(page, "One version").click()
    panel = page.locator("#span-panel")
    panel.get_by_role("button", name="Remove my label").click()
    undo = panel.get_by_role("button", name="Undo")
    undo.wait_for()
    assert mark(page, "One version").count() == 0
    assert not Label.objects.filter(span__quote=PHRASE).exists()

    undo.click()
    mark(page, "One version").wait_for()
    assert _count(page) == count
    label = Label.objects.get(span__quote=PHRASE)
    assert (label.kind, label.note, label.source_url) == (
        "unsourced_speculation",
        "Who says?",
        "https://a.example/",
    )
    # The audit trail keeps the removal and the label made again.
    panel.locator(".panel-label .reviewer", has_text="alice").wait_for()
    actions = Label.history.order_by("history_date").values_list("history_type", flat=True)
    assert list(actions.filter(reviewer__username="alice", note="Who says?")) == ["+", "-", "+"]
    assert page.errors == []


def test_undo_on_a_span_others_labelled_shows_both_in_the_audit_trail(open_as, seed_article):
    _label_phrase(seed_article, "bob", "verified_fact")
    _label_phrase(seed_article, "alice", "official_claim", note="Per the ministry")
    page = open_as(_user("alice"))
    page.goto(f"/articles/{seed_article.id}/")
    mark(page, "One version").click()
    panel = page.locator("#span-panel")
    panel.get_by_role("button", name="Remove my label").click()
    panel.get_by_role("button", name="Undo").click()
    panel.locator(".note", has_text="Per the ministry").wait_for()
    assert panel.locator(".reviewer").all_inner_texts() == ["bob", "alice"]
    panel.get_by_text("Removed labels").click()
    assert panel.locator("details.trail li", has_text="alice removed").count() == 1
    assert page.errors == []


def _label(article: Article, username: str, quote: str, kind: str, after: str = "") -> None:
    start = article.body.index(quote, article.body.index(after) if after else 0)
    label_span(
        article=article,
        reviewer=_user(username),
        start=start,
        end=start + len(quote),
        quote=quote,
        kind=kind,
    )


def exact_mark(page, text: str):
    return page.locator("#article-body mark", has_text=re.compile(f"^{re.escape(text)}$"))


_STYLE = """m => { const s = getComputedStyle(m); return {
  background: s.backgroundColor, line: s.textDecorationStyle, lineColour: s.textDecorationColor,
  border: s.borderBottomStyle, edges: s.boxShadow, spans: m.dataset.spans}; }"""


def test_an_outer_span_stays_visible_where_an_inner_one_covers_it(open_as, seed_article):
    _label_phrase(seed_article, "alice", "unsourced_speculation")
    _label(seed_article, "bob", "two million", "official_claim", after=PHRASE)
    page = open_as(_user("alice"))
    page.goto(f"/articles/{seed_article.id}/")
    outer = mark(page, "One version").evaluate(_STYLE)
    inner = exact_mark(page, "two million").evaluate(_STYLE)
    # The inner span: its own background and its own line (double) below the text.
    assert inner["background"] == "rgb(207, 224, 245)"  # --claim
    assert inner["border"] == "double"
    # The outer span's dotted underline, in its colour, runs on through the inner one.
    assert (inner["line"], inner["lineColour"]) == (outer["line"], outer["lineColour"])
    assert outer["lineColour"] == "rgb(154, 74, 0)"  # --spec-edge
    assert page.errors == []


def test_adjacent_spans_with_the_same_label_stay_two(open_as, seed_article):
    # Spans touch only where a word meets punctuation: selections snap to whole words
    # (issue 13), and the hyphen is a word of its own, so "front" and "-line" stay two.
    _label(seed_article, "alice", "front", "verified_fact", after="front-line")
    _label(seed_article, "alice", "-line", "verified_fact", after="front-line")
    assert Label.objects.filter(span__quote__in=["front", "-line"]).count() == 2
    page = open_as(_user("alice"))
    page.goto(f"/articles/{seed_article.id}/")
    first = exact_mark(page, "front").evaluate(_STYLE)
    second = exact_mark(page, "-line").evaluate(_STYLE)
    assert first["spans"] != second["spans"]
    assert first["background"] == second["background"]
    # Each span's edges are drawn: the end of the first, the start of the second.
    assert "inset" in first["edges"] and "-2px" in first["edges"]
    assert "inset" in second["edges"]
    assert page.errors == []


def test_saving_the_edit_form_unchanged_keeps_every_field(open_as, seed_article):
    Article.objects.filter(pk=seed_article.pk).update(
        outlet="BBC News",
        url="https://www.bbc.co.uk/news/world-europe-63755473",
        byline="Jane Doe, John Roe",
        published=datetime.date(2009, 6, 17),
    )
    before = Article.objects.get(pk=seed_article.pk)
    page = open_as(_user("alice"))
    page.goto(f"/articles/{seed_article.id}/edit/")
    # The date input holds the date (an ISO value), not an empty field.
    assert page.locator("input[name=published]").input_value() == "2009-06-17"
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/articles/{seed_article.id}/")
    after = Article.objects.get(pk=seed_article.pk)
    fields = ("title", "body", "outlet", "url", "byline", "published")
    assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
    assert page.errors == []


def test_the_small_visible_things(open_as, seed_article):
    Article.objects.create(title="Undated", body="No date here.", fingerprint="d" * 64)
    _label_phrase(seed_article, "alice", "verified_fact")
    _label_phrase(seed_article, "bob", "official_claim")
    page = open_as(_user("alice"))
    page.goto(f"/articles/{seed_article.id}/")
    # Keys on the label buttons.
    drag_select(page, "One version is", "up to two million")
    toolbar = page.locator("#label-toolbar")
    toolbar.wait_for(state="visible")
    assert toolbar.locator(".kind-button").all_inner_texts() == [
        "1 Verified fact",
        "2 Official claim",
        "3 Unsourced speculation",
    ]
    page.keyboard.press("Escape")
    # "Disputed", capitalised, in the legend and the badges.
    assert page.locator(".legend mark.hl-disputed").inner_text() == "Disputed"
    badges = page.locator("#span-items .badge.hl-disputed").all_inner_texts()
    assert badges and set(badges) == {"Disputed"}
    fact = page.locator(".legend mark.hl-verified_fact").evaluate(
        "m => getComputedStyle(m).backgroundColor"
    )

    # The report's verified green is the highlight's.
    page.goto(f"/articles/{seed_article.id}/report/")
    assert page.locator(".fill-fact").evaluate("r => getComputedStyle(r).fill") == fact

    # The overview and the list show the publication date, as such.
    for url in ("/reports/", "/"):
        page.goto(url)
        assert "Published" in page.locator("thead").text_content()
        undated = page.locator("tr", has_text="Undated")
        assert "–" in undated.inner_text()
        assert "25 Nov 2022" in page.locator("tr", has_text="Putin tells").inner_text()
    # The list's Balance column shows the balance.
    bar = page.locator("tr", has_text="Putin tells").locator("svg.bar")
    assert "Disputed" in bar.get_attribute("aria-label")
    assert page.errors == []


def test_an_unknown_sort_is_a_styled_page_that_echoes_nothing(open_as, seed_article, site_debug):
    page = open_as(_user("alice"))
    response = page.goto("/reports/?sort=%3Cb%20id%3Dx%3Ebogus%3C%2Fb%3E")
    assert response.status == 400
    assert page.locator("h1").inner_text() == "Request not accepted"
    assert "Unknown sort order" in page.locator("#bad-request").inner_text()
    assert page.locator("#x").count() == 0 and "bogus" not in page.content()
    # Styled: the site's stylesheet applies (the card, the header).
    assert page.locator(".site-header").evaluate("h => getComputedStyle(h).display") == "flex"
