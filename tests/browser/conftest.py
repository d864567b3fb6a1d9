"""Fixtures for the browser tests: Debian's Chromium driven by Playwright.

Chromium is launched once per session through ``executable_path`` (no
``playwright install``: the machine is offline). Without it the tests skip
locally but fail under ``CI=true``, where ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from bench.fixtures import CHROMIUM, CHROMIUM_ARGS


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here starts Chromium, another process: ``pytest -m "not slow"`` leaves it out."""
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own
    # ORM calls are still plain synchronous code, so Django may allow them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def logged_in_context(browser, live_server, user: User, **options: object):
    """A browser context already logged in as ``user`` (its session cookie set)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(5000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


@pytest.fixture
def open_as(browser, live_server) -> Iterator[Callable[[User], object]]:
    """A logged-in page for a user (session cookie copied from a test client).

    Every console error (CSP violations included) is collected on
    ``page.errors`` so each test can assert the page stayed clean.
    """
    contexts = []

    def _open(user: User):
        context = logged_in_context(
            browser, live_server, user, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def site_debug(request, settings) -> bool:
    """The live server with DEBUG off (production) and on (``make run``), one run each.

    The live server runs in this process, so it reads the same settings:
    DEBUG changes what the browser gets (django-htmx adds its error handler
    to every page, and server errors become Django's debug page).
    """
    settings.DEBUG = request.param
    return bool(request.param)
