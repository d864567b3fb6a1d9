"""Label writes per editor are limited to a human rate (LABEL_WRITES_PER_MINUTE).

One editor sent 3,000 label writes in 83 s (issue 10). The count lives in the
database, so every app process (and machine) shares it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from annotations import throttle
from annotations.models import Label
from tests.factories import label_quote
from tests.refusals import refusal

HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
MESSAGE = "Too many label changes in one minute (the limit is 5). Wait a moment, then try again."


@pytest.fixture
def limit(settings, monkeypatch):
    settings.LABEL_WRITES_PER_MINUTE = 5
    clock = {"now": 1_800_000_000.0}
    monkeypatch.setattr(throttle, "_now", lambda: clock["now"])
    return clock


def _label(client: Client, article, kind: str = "verified_fact"):
    start = article.body.index("Officials")
    return client.post(
        f"/articles/{article.id}/labels/",
        {"start": start, "end": start + 9, "quote": "Officials", "kind": kind},
        **HX,
    )


def test_writes_past_the_limit_get_429_with_a_message_the_toolbar_shows(
    limit, alice_client, bob_client, article
):
    kinds = ["verified_fact", "official_claim"]
    for n in range(5):
        assert _label(alice_client, article, kinds[n % 2]).status_code == 200
    refused = _label(alice_client, article, "unsourced_speculation")
    assert refused.status_code == 429
    assert refusal(refused) == MESSAGE
    assert Label.objects.get().kind == "verified_fact"  # the refused write changed nothing
    assert _label(bob_client, article).status_code == 200  # another editor is unaffected
    limit["now"] += 60
    assert _label(alice_client, article, "unsourced_speculation").status_code == 200


def test_changes_and_removals_count_too(limit, alice_client, alice, article):
    label = label_quote(article, alice, "Officials", "official_claim")
    for n in range(5):
        response = alice_client.post(
            f"/articles/{article.id}/labels/{label.id}/",
            {"kind": ["verified_fact", "official_claim"][n % 2], "note": "", "source_url": ""},
            **HX,
        )
        assert response.status_code == 200
    removal = alice_client.post(f"/articles/{article.id}/labels/{label.id}/remove/", **HX)
    assert removal.status_code == 429
    assert Label.objects.filter(pk=label.pk).exists()


def test_without_htmx_the_refusal_is_a_page(limit, alice_client, article):
    for _ in range(5):
        _label(alice_client, article)
    start = article.body.index("Officials")
    page = alice_client.post(
        f"/articles/{article.id}/labels/",
        {"start": start, "end": start + 9, "quote": "Officials", "kind": "verified_fact"},
    )
    assert page.status_code == 429
    assert MESSAGE in page.content.decode() and "<html" in page.content.decode()


def test_a_human_burst_at_the_default_limit_is_untouched(settings, alice_client, article):
    assert settings.LABEL_WRITES_PER_MINUTE == 60
    kinds = ["verified_fact", "official_claim", "unsourced_speculation"]
    for n in range(30):  # thirty keystrokes in a few seconds: far faster than anyone reads
        assert _label(alice_client, article, kinds[n % 3]).status_code == 200


def test_zero_turns_the_limit_off(settings, alice_client, article):
    settings.LABEL_WRITES_PER_MINUTE = 0
    for _ in range(70):
        assert _label(alice_client, article).status_code == 200


def test_old_minutes_are_forgotten(limit, alice, db):
    for _ in range(10):
        limit["now"] += 60
        assert throttle.allow(alice.pk)
    assert throttle.WriteCount.objects.filter(user=alice).count() == 1
