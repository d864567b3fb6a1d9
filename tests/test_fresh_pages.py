"""Pages that change under htmx are never kept by the browser: Back fetches them again (issue 12).

The browser test (tests/browser/test_editing_in_chromium.py) shows the stale page
this prevents; these check every such page and fragment says so.
"""

from __future__ import annotations

import pytest

from annotations.labelling import label_span

pytestmark = pytest.mark.django_db


@pytest.fixture
def span_id(article, alice) -> int:
    label = label_span(
        article=article,
        reviewer=alice,
        start=0,
        end=5,
        quote=article.body[:5],
        kind="verified_fact",
    )
    return label.span_id


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_every_page_that_labels_change_is_never_cached(carol_client, article, span_id, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    for url in (
        "/",
        f"/articles/{article.id}/",
        f"/articles/{article.id}/spans/",
        f"/articles/{article.id}/spans/{span_id}/",
        f"/articles/{article.id}/report/",
        f"/articles/{article.id}/report/verified_fact/",
        "/reports/",
    ):
        response = carol_client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
