"""The README's screenshots, taken again: ``python -m docs.screenshots``.

Start the app with its seed data first (``make run``, or ``PORT=9000 make run``
and ``--base-url http://127.0.0.1:9000``); this logs in as a demo editor in
Debian's Chromium (through Playwright, as the browser tests do) and writes
docs/article.png, docs/article-390.png, docs/report.png and docs/overview.png.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from bench.fixtures import CHROMIUM, CHROMIUM_ARGS

DOCS = Path(__file__).resolve().parent
DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 390, "height": 844}


def _logged_in(
    browser: Browser, base_url: str, user: str, password: str, viewport: ViewportSize
) -> Page:
    page = browser.new_page(base_url=base_url, viewport=viewport)
    page.goto("/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    return page


def take(browser: Browser, base_url: str, out: Path, *, user: str, password: str) -> list[Path]:
    """Every screenshot, written under ``out``; returns their paths."""
    page = _logged_in(browser, base_url, user, password, DESKTOP)
    # The newest article (the seed article after make run).
    page.goto("/")
    page.locator("table.articles tbody tr a").first.click()
    page.locator("#article-body mark").first.wait_for()
    article_url = page.url
    # A disputed highlight's panel open: every reviewer's label and its audit trail.
    disputed = page.locator("#article-body mark.hl-disputed").first
    if disputed.count():
        disputed.click()
        page.locator("#span-panel .panel-label").first.wait_for()
    written = [_shot(page, out / "article.png")]
    page.goto(article_url + "report/")
    written.append(_shot(page, out / "report.png"))
    page.goto("/reports/")
    written.append(_shot(page, out / "overview.png"))

    phone = _logged_in(browser, base_url, user, password, PHONE)
    phone.goto(article_url)
    phone.locator("#article-body mark").first.wait_for()
    written.append(_shot(phone, out / "article-390.png"))
    page.close()
    phone.close()
    return written


def _shot(page: Page, path: Path) -> Path:
    page.mouse.move(0, 0)  # no hover outline in the picture
    page.evaluate("document.activeElement && document.activeElement.blur()")  # no focus ring
    page.screenshot(path=str(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="alice")
    parser.add_argument("--password", default="demo-password")
    parser.add_argument("--out", type=Path, default=DOCS)
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for path in take(browser, args.base_url, args.out, user=args.user, password=args.password):
            print(path)
        browser.close()


if __name__ == "__main__":
    main()
