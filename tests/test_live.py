"""Live colleagues: "has this article changed since revision N?" (views/live.py).

The page asks every two seconds, so the unchanged answer must cost next to
nothing: 204, no body, no session write, one query of its own.
"""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import label_quote

HX = {"HTTP_HX_REQUEST": "true"}


def _revision(client, article) -> str:
    html = client.get(f"/articles/{article.id}/").content.decode()
    match = re.search(r'data-live-revision="([^"]*)"', html)
    assert match, "the page names the revision it shows"
    return match.group(1)


def test_nothing_changed_is_a_204_with_no_body_in_one_query_of_its_own(alice_client, article):
    since = _revision(alice_client, article)
    with CaptureQueriesContext(connection) as queries:
        response = alice_client.get(f"/articles/{article.id}/changes/?since={since}", **HX)
    assert response.status_code == 204
    assert response.content == b""
    # The session with its user (login_required; one statement, accounts/sessions.py),
    # the article's revision: nothing else, and no write (the session is not saved, no
    # cookie is set).
    assert len(queries) == 2, [q["sql"] for q in queries]
    assert [q["sql"].split()[0] for q in queries] == ["SELECT"] * 2
    assert "labels_revision" in queries[1]["sql"]
    assert '."body"' not in queries[1]["sql"]  # its revision columns, not the text
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]


def test_the_cost_does_not_grow_with_the_spans(alice_client, bob, article):
    for quote in ("Officials say", "300,000", "reservists", "One version", "two million"):
        label_quote(article, bob, quote, "official_claim")
    since = _revision(alice_client, article)
    with CaptureQueriesContext(connection) as queries:
        response = alice_client.get(f"/articles/{article.id}/changes/?since={since}", **HX)
    assert response.status_code == 204
    assert len(queries) == 2


def test_a_colleagues_label_is_sent_with_the_new_revision(alice_client, bob, article):
    since = _revision(alice_client, article)
    label_quote(article, bob, "Officials say", "unsourced_speculation")
    response = alice_client.get(f"/articles/{article.id}/changes/?since={since}", **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    fresh = re.search(r'data-live-revision="([^"]*)"', html).group(1)
    assert fresh != since
    assert 'title="Unsourced speculation">Officials say</mark>' in html
    assert '<span id="span-count" class="count">(1)</span>' in html
    assert "by bob" in html  # the side list names who labelled it
    # Asked again with the new revision: nothing more.
    again = alice_client.get(f"/articles/{article.id}/changes/?since={fresh}", **HX)
    assert again.status_code == 204


def test_a_reader_follows_along_too(carol_client, alice, article):
    since = _revision(carol_client, article)
    label_quote(article, alice, "Officials say", "verified_fact")
    response = carol_client.get(f"/articles/{article.id}/changes/?since={since}")
    assert response.status_code == 200


def test_a_missing_article_or_a_logged_out_poll_says_so(alice_client, client, article):
    assert alice_client.get("/articles/999999/changes/?since=0", **HX).status_code == 404
    # Logged out: live.js does not follow the redirect to the login page; it stops asking.
    response = client.get(f"/articles/{article.id}/changes/?since=0")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_correction_is_sent_with_the_new_body_revision(alice_client, bob, article):
    from django.db import transaction

    from annotations.labelling import lock_article, revise_body

    label_quote(article, bob, "Officials say", "official_claim")
    since = _revision(alice_client, article)
    with transaction.atomic():
        locked = lock_article(article.pk)
        revise_body(locked, "Corrected: " + locked.body, editor=bob, reason="correction")
    response = alice_client.get(f"/articles/{article.id}/changes/?since={since}", **HX)
    assert response.status_code == 200
    html = response.content.decode()
    # The toolbar's offsets now point into the new text: the page is told its revision.
    assert 'data-body-revision="2"' in html
    assert "Corrected: " in html
