"""The side list of a long article: the first spans inline, the rest on demand."""

from __future__ import annotations

import re

import pytest

from annotations.highlights import INLINE_SPAN_ITEMS
from annotations.ingest import ArticleData, save_article
from annotations.models import Article, Label, Span


def _items_named_in_full(html: str) -> int:
    """Items showing their quote and who labelled it (every item of these articles)."""
    return len(re.findall(r'<span class="quote">[^<]+</span> .{0,80}by alice</span>', html))


@pytest.fixture
def crowded(alice) -> Article:
    """An article with INLINE_SPAN_ITEMS + 5 labelled spans (3 characters, 4 apart)."""
    words = " ".join(f"w{n:02d}" for n in range(100))
    article, _ = save_article(ArticleData(title="Crowded", body="\n\n".join([words] * 30)))
    spans = Span.objects.bulk_create(
        Span(article=article, start=i, end=i + 3, quote=article.body[i : i + 3])
        for i in range(0, (INLINE_SPAN_ITEMS + 5) * 4, 4)
    )
    Label.objects.bulk_create(Label(span=s, reviewer=alice, kind="official_claim") for s in spans)
    return article


def test_a_long_list_shows_its_first_spans_and_a_link_to_the_rest(carol_client, crowded):
    html = carol_client.get(f"/articles/{crowded.id}/").content.decode()
    assert html.count('<li id="span-item-') == INLINE_SPAN_ITEMS
    assert _items_named_in_full(html) == INLINE_SPAN_ITEMS
    marks = re.compile('<mark class="hl hl-official_claim[^"]*" data-spans="([0-9]+)"')
    assert len(set(marks.findall(html))) == INLINE_SPAN_ITEMS + 5
    assert (
        f'<a href="/articles/{crowded.id}/spans/" hx-get="/articles/{crowded.id}/spans/" '
        'hx-target="#span-items" hx-swap="innerHTML">'
        f"Show all {INLINE_SPAN_ITEMS + 5} highlights (5 more)</a>" in html
    )


def test_show_all_answers_htmx_with_every_item_only(
    carol_client, crowded, django_assert_num_queries
):
    # the session with its user (one statement), article, spans with their label counts
    with django_assert_num_queries(3):
        response = carol_client.get(f"/articles/{crowded.id}/spans/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.startswith('<li id="span-item-')
    assert html.count('<li id="span-item-') == INLINE_SPAN_ITEMS + 5
    assert _items_named_in_full(html) == INLINE_SPAN_ITEMS + 5
    assert "<html" not in html and "Show all" not in html


def test_without_javascript_show_all_is_the_page_with_every_item(carol_client, crowded):
    html = carol_client.get(f"/articles/{crowded.id}/spans/").content.decode()
    assert "<html" in html
    assert html.count('<li id="span-item-') == INLINE_SPAN_ITEMS + 5
    assert _items_named_in_full(html) == INLINE_SPAN_ITEMS + 5
    assert "Show all" not in html


def test_a_short_list_is_whole(carol_client, crowded):
    Span.objects.filter(article=crowded, start__gte=INLINE_SPAN_ITEMS * 4).delete()
    html = carol_client.get(f"/articles/{crowded.id}/").content.decode()
    assert html.count('<li id="span-item-') == INLINE_SPAN_ITEMS
    assert "Show all" not in html


def test_the_list_needs_a_login(client, crowded):
    response = client.get(f"/articles/{crowded.id}/spans/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    # htmx is told the session ended, instead of following the redirect to the login form.
    response = client.get(f"/articles/{crowded.id}/spans/", HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert "Your session ended" in response.content.decode()
