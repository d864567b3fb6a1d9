"""The Content-Security-Policy in a real Chromium: markup that escaping let through runs nothing.

Issue 10's takeover: a 400 echoed ``<script src="/static/django_htmx/htmx-2.min.js">``
and htmx attributes; 'self' let the script load, and htmx sent the requests.
Here that exact payload is forced into a page (a URL of ``tests.echo_urls``
echoes it as the old answer did) and the page is opened with the app's own
headers: no request leaves the page and no script of the payload runs. The
same page with the CSP bypassed shows that the check would see both.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User

from annotations.seeding import create_demo_accounts
from tests.browser.conftest import logged_in_context
from tests.hostile import REFLECTED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def echoing(settings, transactional_db) -> str:
    settings.ROOT_URLCONF = "tests.echo_urls"
    create_demo_accounts()
    return "/echo/?" + urlencode({"sort": REFLECTED.text})


def _open(browser, live_server, path: str, *, bypass_csp: bool) -> dict[str, object]:
    """Open ``path`` as the admin; what the page requested, logged and ran."""
    admin = User.objects.get(username="admin")
    context = logged_in_context(browser, live_server, admin, bypass_csp=bypass_csp)
    try:
        page = context.new_page()
        sent: list[str] = []  # requests that reached the server (a refused one gets no response)
        console: list[str] = []
        page.on("response", lambda r: sent.append(f"{r.request.method} {r.url}"))
        page.on("console", lambda message: console.append(message.text))
        response = page.goto(path)
        assert response is not None and response.status == 400
        assert REFLECTED.text in response.text()  # the markup really is in the page
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)  # hx-trigger="load" would have fired by now
        base = live_server.url
        return {
            "requests": [r.replace(base, "") for r in sent],
            "console": console,
            "htmx": page.evaluate("typeof window.htmx"),
        }
    finally:
        context.close()


def test_the_takeover_payload_runs_nothing_under_the_csp(browser, live_server, echoing):
    seen = _open(browser, live_server, echoing, bypass_csp=False)
    assert seen["requests"] == [f"GET {echoing}"]  # not the script, not /, not the admin
    assert seen["htmx"] == "undefined"  # the injected script never ran
    assert any("Content Security Policy" in line for line in seen["console"]), seen["console"]


def test_without_the_csp_the_same_payload_would_act(browser, live_server, echoing):
    """The check can fail: with the policy bypassed, htmx loads and sends both requests."""
    seen = _open(browser, live_server, echoing, bypass_csp=True)
    assert seen["htmx"] == "object"
    assert "GET /static/django_htmx/htmx-2.min.js" in seen["requests"]
    assert "GET /" in seen["requests"]
    assert "POST /admin/auth/user/add/" in seen["requests"]
    assert not User.objects.filter(username="mallory").exists()  # no token: refused anyway


def test_the_apps_own_scripts_run_under_the_policy(browser, live_server, transactional_db):
    """Every page of ours, the admin's included, runs its scripts with nothing refused."""
    create_demo_accounts()
    from annotations.ingest import ArticleData, save_article

    article, _ = save_article(ArticleData(title="Policy", body="Text to read."))
    admin = User.objects.get(username="admin")
    context = logged_in_context(browser, live_server, admin)
    try:
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        for path, script in (
            (f"/articles/{article.id}/", "typeof window.htmx"),
            ("/reports/", "typeof window.htmx"),
            ("/admin/annotations/article/add/", "typeof window.django"),
            (f"/admin/annotations/article/{article.id}/change/", "typeof window.django"),
        ):
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("load")
            assert page.evaluate(script) == "object", path
        assert not [line for line in console if "Content Security Policy" in line], console
    finally:
        context.close()
