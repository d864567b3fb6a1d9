"""Every label write snaps its span to grapheme-cluster boundaries, on the server.

A span that split a cluster (a skin tone cut from its emoji, a lone combining
mark) used to be stored as sent (issue 10). The browser snaps before sending;
the server snaps again, so the result never depends on the client.
"""

from __future__ import annotations

import pytest

from annotations.ingest import ArticleData, save_article
from annotations.labelling import StaleQuote, label_span
from tests.refusals import refusal

THUMB = "👍🏽"  # thumbs up + skin-tone modifier: 2 code points
FAMILY = "👨\u200d👩\u200d👧"  # man ZWJ woman ZWJ girl: 5 code points
ACCENT = "x\u0301"  # x + combining acute: NFC keeps 2 code points
TEXT = f"Good {THUMB} news, a {FAMILY} and {ACCENT} marks."
HX = {"HTTP_HX_REQUEST": "true"}


def _at(piece: str) -> int:
    return TEXT.index(piece)


@pytest.fixture
def emoji_article(alice):
    made, _ = save_article(ArticleData(title="Emoji", body=TEXT), created_by=alice)
    return made


def test_the_server_snaps_a_write_that_splits_a_cluster(alice, emoji_article):
    start = _at(THUMB)
    label = label_span(
        article=emoji_article,
        reviewer=alice,
        start=start,
        end=start + 1,
        quote="👍",  # what the client's offsets hold: the check passes, then the edge snaps
        kind="verified_fact",
    )
    assert (label.span.start, label.span.end, label.span.quote) == (start, start + 2, THUMB)


def test_the_quote_is_checked_at_the_clients_offsets_before_snapping(alice, emoji_article):
    start = _at(THUMB)
    with pytest.raises(StaleQuote):
        label_span(
            article=emoji_article,
            reviewer=alice,
            start=start,
            end=start + 1,
            quote=THUMB,  # the snapped text, but not what those offsets hold
            kind="verified_fact",
        )


def test_the_answer_shows_the_snapped_highlight(alice_client, emoji_article):
    start = _at(FAMILY) + 2
    response = alice_client.post(
        f"/articles/{emoji_article.id}/labels/",
        {"start": start, "end": start + 1, "quote": "👩", "kind": "official_claim"},
        **HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f">{FAMILY}</mark>" in html  # the whole family highlighted
    assert 'hx-swap-oob="beforeend:#span-items"' in html  # a new item in the side list
    again = alice_client.post(
        f"/articles/{emoji_article.id}/labels/",
        {"start": start - 2, "end": start + 3, "quote": FAMILY, "kind": "verified_fact"},
        **HX,
    )
    assert 'hx-swap-oob="beforeend:#span-items"' not in again.content.decode()  # the same span


@pytest.mark.parametrize(
    ("piece", "cut"),
    [(THUMB, (0, 1)), (THUMB, (1, 2)), (FAMILY, (2, 3)), (ACCENT, (1, 2)), (ACCENT, (0, 1))],
    ids=[
        "emoji without skin tone",
        "skin tone alone",
        "one of a family",
        "mark alone",
        "letter alone",
    ],
)
def test_no_stored_span_splits_a_cluster(alice, emoji_article, piece, cut):
    at = _at(piece)
    label = label_span(
        article=emoji_article,
        reviewer=alice,
        start=at + cut[0],
        end=at + cut[1],
        quote=piece[cut[0] : cut[1]],
        kind="verified_fact",
    )
    assert label.span.quote == piece


def test_a_refused_split_range_says_why(alice_client, emoji_article):
    response = alice_client.post(
        f"/articles/{emoji_article.id}/labels/",
        {"start": 0, "end": len(TEXT) + 5, "quote": TEXT, "kind": "official_claim"},
        **HX,
    )
    assert response.status_code == 400
    assert "outside this article's text" in refusal(response)
