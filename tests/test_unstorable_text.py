"""A NUL character, which PostgreSQL cannot store, gets a clear 400 wherever it arrives.

On PostgreSQL it used to reach the database and end in a 500 (a source link,
the overview's outlet filter, the admin's list filters); SQLite stored it. Both
databases now give the same answer, before any view or query sees the text.
"""

from __future__ import annotations

import pytest
from django.test import Client

from annotations.models import Article, Label
from tests.refusals import refusal

HX = {"HTTP_HX_REQUEST": "true"}
MESSAGE = "The request contains a NUL character, which Sourcemark cannot store."


@pytest.fixture
def clients(alice, staff) -> dict[str, Client]:
    made = {}
    for name, user in (("alice", alice), ("staff", staff)):
        made[name] = Client(raise_request_exception=False)
        made[name].force_login(user)
    return made


def _label(article: Article, **fields: str) -> dict[str, str]:
    start = article.body.index("Officials")
    return {"start": str(start), "end": str(start + 9), "quote": "Officials", **fields}


@pytest.mark.parametrize(
    ("who", "method", "url", "data"),
    [
        ("alice", "GET", "/reports/?outlet=Desk%00Daily", None),
        ("alice", "GET", "/reports/?outlet=x&sort=-date%00", None),
        ("alice", "GET", "/?page=1%00", None),
        ("alice", "GET", "/articles/{article}/%00/", None),
        ("staff", "GET", "/admin/annotations/article/?outlet=Desk%00Daily", None),
        ("staff", "GET", "/admin/annotations/label/?span__article__outlet=%00", None),
        ("staff", "GET", "/admin/annotations/label/?q=%00", None),
        ("staff", "GET", "/admin/auth/user/?username%00=x", None),
        ("alice", "POST", "/articles/new/", {"title": "T\x00", "body": "Body"}),
        ("alice", "POST", "/articles/new/", {"title": "T", "body": "B", "url": "https://a.b/\x00"}),
        ("alice", "POST", "/articles/{article}/edit/", {"title": "T", "byline": "\x00"}),
    ],
)
def test_a_nul_anywhere_is_a_readable_400(clients, article, who, method, url, data):
    url = url.format(article=article.id)
    client = clients[who]
    response = client.get(url) if method == "GET" else client.post(url, data)
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert Article.objects.count() == 1
    article.refresh_from_db()
    assert "\x00" not in article.byline + article.title + article.url


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "verified_fact", "source_url": "https://example.com/\x00"},
        {"kind": "verified_fact", "note": "before\x00after"},
        {"kind": "verified\x00_fact"},
        {"kind": "verified_fact", "quote": "Offi\x00cials"},
    ],
)
def test_a_nul_in_a_label_is_refused_in_the_toolbar(clients, article, fields):
    response = clients["alice"].post(
        f"/articles/{article.id}/labels/", _label(article, **fields), **HX
    )
    assert response.status_code == 400
    assert refusal(response).startswith(MESSAGE)
    assert not Label.objects.exists()
