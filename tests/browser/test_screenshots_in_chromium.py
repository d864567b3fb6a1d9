"""The README's screenshots script (docs/screenshots.py) still runs against the app and its seed data."""

from __future__ import annotations

import pytest

from annotations.seeding import load_seeds
from docs.screenshots import take

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_screenshots_script_writes_every_picture(browser, live_server, tmp_path):
    load_seeds(demo=True)
    written = take(browser, live_server.url, tmp_path, user="alice", password="demo-password")
    names = sorted(path.name for path in written)
    assert names == ["article-390.png", "article.png", "overview.png", "report.png"]
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 10_000
