"""A failed htmx request in a real Chromium, with DEBUG off and on: said where the editor looks.

The editor's selection and everything typed stay; the page is never
replaced, and no login page is pasted into it. Only a real server error
(5xx) under DEBUG gives way to Django's debug page.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from annotations.access import SESSION_ENDED
from annotations.labelling import label_span
from annotations.models import Article, Label
from annotations.report import INLINE_REPORT_SPANS
from annotations.seeding import DEMO_PASSWORD, load_seeds
from tests.browser.test_annotate_in_chromium import PHRASE, drag_select, mark
from tests.exporting import many_labels

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Checked against the ministry's statement"


@pytest.fixture
def seed_article(transactional_db) -> Article:
    load_seeds(demo=True)
    return Article.objects.get(title__startswith="Putin tells mothers")


def _alice() -> User:
    return User.objects.get(username="alice")


def _open_with_selection(open_as, article: Article):
    """Alice's page with PHRASE selected and a note typed in the toolbar."""
    page = open_as(_alice())
    page.goto(f"/articles/{article.id}/")
    page.evaluate("window.notReloaded = true")
    drag_select(page, "One version is", "up to two million")
    toolbar = page.locator("#label-toolbar")
    toolbar.wait_for(state="visible")
    toolbar.get_by_label("Note").fill(NOTE)
    return page, toolbar


def _log_out_in_another_tab(page) -> None:
    other = page.context.new_page()
    other.goto("/")
    other.get_by_role("button", name="Log out").click()
    other.wait_for_url("**/login/")
    other.close()


def _assert_nothing_was_replaced(page) -> None:
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("input[type=password]").count() == 0  # no login form pasted in
    assert page.locator("#article-body p").count() > 1


def test_a_refusal_keeps_the_selection_and_what_was_typed(open_as, seed_article, site_debug):
    page, toolbar = _open_with_selection(open_as, seed_article)
    toolbar.get_by_label("Source").fill("www.bbc.co.uk/news")
    toolbar.get_by_role("button", name="Verified fact", exact=True).click()

    page.locator("#annotate-error").get_by_text(
        "must be a web address starting with http"
    ).wait_for()
    _assert_nothing_was_replaced(page)
    assert toolbar.is_visible()
    assert toolbar.get_by_label("Note").input_value() == NOTE
    assert toolbar.get_by_label("Source").input_value() == "www.bbc.co.uk/news"

    # Corrected, the same toolbar labels the same selection.
    toolbar.get_by_label("Source").fill("https://www.bbc.co.uk/news")
    toolbar.get_by_role("button", name="Verified fact", exact=True).click()
    mark(page, "One version").wait_for()
    assert page.locator("#annotate-error").inner_text() == ""
    label = Label.objects.get(span__quote=PHRASE)
    assert (label.note, label.source_url) == (NOTE, "https://www.bbc.co.uk/news")


def test_a_server_error_shows_debug_help_only_in_debug(open_as, seed_article, site_debug):
    page, toolbar = _open_with_selection(open_as, seed_article)
    page.route(
        "**/labels/",
        lambda route: route.fulfill(
            status=500, content_type="text/html", body="<h1>Traceback of the server error</h1>"
        ),
    )
    toolbar.get_by_role("button", name="Verified fact", exact=True).click()
    if site_debug:
        # DEBUG's help for a real server error: django-htmx shows Django's page.
        page.get_by_text("Traceback of the server error").wait_for()
        return
    page.locator("#annotate-error").get_by_text("The server could not do this (500)").wait_for()
    _assert_nothing_was_replaced(page)
    assert toolbar.get_by_label("Note").input_value() == NOTE


def test_an_ended_session_keeps_the_label_until_the_editor_logs_in_again(
    open_as, seed_article, site_debug
):
    page, toolbar = _open_with_selection(open_as, seed_article)
    _log_out_in_another_tab(page)
    toolbar.get_by_role("button", name="Unsourced speculation", exact=True).click()

    error = page.locator("#annotate-error")
    error.get_by_text(SESSION_ENDED).wait_for()
    _assert_nothing_was_replaced(page)
    assert toolbar.is_visible()
    assert toolbar.get_by_label("Note").input_value() == NOTE
    assert not Label.objects.filter(span__quote=PHRASE).exists()

    # The login opens in a new tab; this one keeps its state.
    with page.expect_popup() as opened:
        error.get_by_role("link", name="Log in").click()
    login = opened.value
    login.get_by_label("Username").fill("alice")
    login.get_by_label("Password").fill(DEMO_PASSWORD)
    login.get_by_role("button", name="Log in").click()
    login.wait_for_url(f"**/articles/{seed_article.id}/")
    error.get_by_text("You are logged in again").wait_for()

    # The same request, tried again, goes through.
    toolbar.get_by_role("button", name="Unsourced speculation", exact=True).click()
    mark(page, "One version").wait_for()
    _assert_nothing_was_replaced(page)
    label = Label.objects.get(span__quote=PHRASE)
    assert (label.reviewer.username, label.kind, label.note) == (
        "alice",
        "unsourced_speculation",
        NOTE,
    )


def test_a_click_on_a_highlight_after_the_session_ended_pastes_no_login_page(
    open_as, seed_article, site_debug
):
    start = seed_article.body.index(PHRASE)
    label_span(
        article=seed_article,
        reviewer=_alice(),
        start=start,
        end=start + len(PHRASE),
        quote=PHRASE,
        kind="official_claim",
    )
    page = open_as(_alice())
    page.goto(f"/articles/{seed_article.id}/")
    page.evaluate("window.notReloaded = true")
    _log_out_in_another_tab(page)
    mark(page, "One version").click()

    page.locator("#request-error").get_by_text(SESSION_ENDED).wait_for()
    _assert_nothing_was_replaced(page)
    assert page.locator("#span-panel").is_hidden()


def test_the_overview_says_why_a_sort_failed(open_as, seed_article, site_debug):
    page = open_as(_alice())
    page.goto("/reports/")
    _log_out_in_another_tab(page)
    page.locator("#report-table").get_by_role("link", name="Speculation").click()

    page.locator("#report-table-error").get_by_text(SESSION_ENDED).wait_for()
    assert page.locator("input[type=password]").count() == 0
    assert page.locator("#report-table table.overview").is_visible()


def test_the_report_says_when_show_all_could_not_load(open_as, transactional_db, site_debug):
    load_seeds(demo=True)
    # Kinds take turns: each list is then longer than the report shows at first.
    article = many_labels(3 * (INLINE_REPORT_SPANS + 5), _alice())
    page = open_as(_alice())
    page.goto(f"/articles/{article.id}/report/")
    page.route("**/report/*/", lambda route: route.abort())
    page.locator("#more-verified_fact").get_by_role("link").click()

    page.locator("#report-error").get_by_text("The server did not answer").wait_for()
    assert page.locator("#list-verified_fact li.span-item").count() > 0
