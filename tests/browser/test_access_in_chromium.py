"""Accessibility and small screens, measured in a real Chromium (issue 12, item 11).

axe-core (shipped inside axe-playwright-python, injected into the page; nothing
is fetched) finds no serious or critical violation on any page, the article's
toolbar and panel open included. At 390 px wide nothing scrolls sideways, the
header keeps every link on screen, and the legend and the highlights come
before the article instead of after all of it.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User

from annotations.models import Article
from annotations.seeding import load_seeds
from tests.browser.test_annotate_in_chromium import drag_select

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")


@pytest.fixture
def seed_article(transactional_db) -> Article:
    load_seeds(demo=True)
    return Article.objects.get(title__startswith="Putin tells mothers")


def _alice() -> User:
    return User.objects.get(username="alice")


def serious_violations(page) -> list[str]:
    """Each serious or critical axe violation as "rule: where (what to fix)"."""
    results = Axe().run(page)
    return [
        f"{violation['id']}: {node['target']} ({node['failureSummary']})"
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
        for node in violation["nodes"]
    ]


def _open_toolbar(page) -> None:
    drag_select(page, "President Vladimir Putin has told mothers")
    page.locator("#label-toolbar").wait_for(state="visible")


def _open_panel(page) -> None:
    page.locator("#article-body mark").first.click()
    page.locator("#span-panel .reviewer").first.wait_for()


STATES = {
    "article list": ("/", None),
    "article with highlights": ("/articles/{id}/", None),
    "article, toolbar open": ("/articles/{id}/", _open_toolbar),
    "article, panel open": ("/articles/{id}/", _open_panel),
    "report": ("/articles/{id}/report/", None),
    "overview": ("/reports/", None),
    "new article": ("/articles/new/", None),
}


@pytest.mark.parametrize("name", list(STATES))
def test_no_serious_accessibility_violations(open_as, seed_article, name):
    path, prepare = STATES[name]
    page = open_as(_alice())
    page.goto(path.format(id=seed_article.id))
    if prepare:
        prepare(page)
    assert serious_violations(page) == []
    assert page.errors == []


def test_no_serious_accessibility_violations_on_the_login_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto("/login/")
        assert serious_violations(page) == []
    finally:
        context.close()


# --- 390 px ------------------------------------------------------------------------------

_SIDEWAYS = """() => {
  const root = document.documentElement;
  const over = [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1 && !e.closest(".visually-hidden, .bar-defs, .skip-link, thead"))
    .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && e.className.baseVal === undefined ? "." + e.className : ""));
  return {scroll: root.scrollWidth, client: root.clientWidth, over: over.slice(0, 5)};
}"""


@pytest.mark.parametrize("path", ["/reports/", "/articles/{id}/report/", "/articles/{id}/", "/"])
def test_nothing_scrolls_sideways_at_390_px(open_as, seed_article, path):
    page = open_as(_alice())
    page.set_viewport_size(PHONE)
    page.goto(path.format(id=seed_article.id))
    measured = page.evaluate(_SIDEWAYS)
    assert measured["scroll"] <= measured["client"], measured
    assert measured["over"] == []
    header = page.evaluate(
        """() => [...document.querySelectorAll(".site-header a, .site-header button")]
             .map(e => e.getBoundingClientRect())
             .every(r => r.left >= 0 && r.right <= document.documentElement.clientWidth && r.width > 0)"""
    )
    assert header, "every link of the header is on screen"


def test_overview_rows_are_blocks_at_390_px(open_as, seed_article):
    page = open_as(_alice())
    page.set_viewport_size(PHONE)
    page.goto("/reports/")
    row = page.locator("table.overview tbody tr").first
    title = row.locator("td").first.bounding_box()
    bar = row.locator("td.bar-col").bounding_box()
    assert bar["y"] > title["y"]  # a column became a line of its own
    # The numbers still say what they count (the column headings are for screen readers only).
    spans = row.locator("td.num").first.evaluate("e => getComputedStyle(e, '::before').content")
    assert spans == '"Spans "'


def test_legend_and_highlights_come_before_the_article_at_390_px(open_as, seed_article):
    page = open_as(_alice())
    page.set_viewport_size(PHONE)
    page.goto(f"/articles/{seed_article.id}/")
    body = page.locator("#article-body").bounding_box()
    legend = page.locator(".legend").bounding_box()
    items = page.locator("#span-items").bounding_box()
    assert legend["y"] < body["y"]
    assert items["y"] < body["y"]
    # The list scrolls in its own box: the article starts within two screens.
    assert body["y"] < 2 * PHONE["height"]
    assert page.errors == []
