"""The report's long lists: the first spans inline, the rest behind "Show all"."""

from __future__ import annotations

import pytest

from annotations.models import Article, Label, Span
from annotations.report import INLINE_REPORT_SPANS

TOTAL = INLINE_REPORT_SPANS + 7


@pytest.fixture
def long_report(alice, bob) -> Article:
    """TOTAL spans alice and bob call differently (all disputed), with notes."""
    article = Article.objects.create(title="Long", body="word " * 400, fingerprint="L" * 64)
    spans = Span.objects.bulk_create(
        Span(article=article, start=i * 5, end=i * 5 + 4, quote="word") for i in range(TOTAL)
    )
    Label.objects.bulk_create(
        Label(span=s, reviewer=r, kind=k, note=f"{r.username} on {s.start} <b>")
        for s in spans
        for r, k in ((alice, "verified_fact"), (bob, "official_claim"))
    )
    return article


def test_long_lists_show_their_first_spans_and_a_link_to_the_rest(carol_client, long_report):
    html = carol_client.get(f"/articles/{long_report.id}/report/").content.decode()
    url = f"/articles/{long_report.id}/report/disputed/"
    assert f'<a href="{url}" hx-get="{url}" hx-target="#list-disputed"' in html
    assert f"Show all {TOTAL} (7 more)" in html
    assert "bob on 0 &lt;b&gt;" in html  # notes of the listed spans, escaped
    assert f"bob on {(TOTAL - 1) * 5} " not in html
    # The figures count every span, listed or not.
    assert f'<span class="count">({TOTAL})</span>' in html


def test_show_all_answers_htmx_with_the_whole_list_only(carol_client, long_report):
    response = carol_client.get(
        f"/articles/{long_report.id}/report/disagreements/", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.startswith('<li class="span-item">')
    assert html.count('<li class="span-item">') == TOTAL
    assert "bob chose" in html and "<html" not in html


def test_without_javascript_show_all_is_the_whole_report(carol_client, long_report):
    html = carol_client.get(f"/articles/{long_report.id}/report/disputed/").content.decode()
    assert "<html" in html and "Show all" not in html
    assert f"bob on {(TOTAL - 1) * 5} &lt;b&gt;" in html


def test_an_unknown_list_is_404_and_anonymous_users_log_in(carol_client, client, long_report):
    assert carol_client.get(f"/articles/{long_report.id}/report/nothing/").status_code == 404
    response = client.get(f"/articles/{long_report.id}/report/disputed/")
    assert response["Location"].startswith("/login/?next=")
