"""Annotating: the highlighted article page, labelling a selection, the span panel."""

from __future__ import annotations

import re
from html import escape
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from annotations import throttle
from annotations.ingest import ArticleData, save_article
from annotations.models import Article, Label, Span
from annotations.views.annotate import _BODY_MARK, _ITEMS_MARK
from tests.factories import label_quote
from tests.refusals import refusal

HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def _at(article: Article, quote: str) -> dict[str, object]:
    """The POST fields a browser sends for the first copy of ``quote``."""
    start = article.body.index(quote)
    return {"start": start, "end": start + len(quote), "quote": quote}


def _many_spans(article: Article, reviewer, count: int) -> None:
    """``count`` labelled spans on ``article``, written in bulk (not a test of labelling)."""
    spans = Span.objects.bulk_create(
        Span(article=article, start=i, end=i + 3, quote=article.body[i : i + 3])
        for i in range(0, count * 4, 4)
    )
    Label.objects.bulk_create(Label(span=s, reviewer=reviewer, kind="verified_fact") for s in spans)


@pytest.fixture
def long_article(alice) -> Article:
    words = " ".join(f"w{n:02d}" for n in range(100))
    made, _ = save_article(
        ArticleData(title="Long", body="\n\n".join([words] * 30)), created_by=alice
    )
    return made


# --- The page --------------------------------------------------------------------------


def test_page_shows_highlights_as_marks_with_paragraph_offsets(alice_client, article, alice):
    label_quote(article, alice, "Officials say", "official_claim")
    html = alice_client.get(f"/articles/{article.id}/").content.decode()
    span = Span.objects.get()
    assert '<p id="p-0" data-start="0" data-end="48">' in html
    assert (
        f'<mark class="hl hl-official_claim s e" data-spans="{span.id}" title="Official claim">'
        "Officials say</mark> 300,000" in html
    )
    assert f'<li id="span-item-{span.id}">' in html
    assert 'id="label-toolbar"' in html
    # Each button shows its key (issue 12), hidden from its accessible name.
    for key, name in enumerate(("Verified fact", "Official claim", "Unsourced speculation"), 1):
        assert f'<kbd aria-hidden="true">{key}</kbd> {name}</button>' in html


def test_a_disagreement_is_shown_as_disputed(alice_client, article, alice, bob):
    label_quote(article, alice, "Officials say", "official_claim")
    label_quote(article, bob, "Officials say", "verified_fact")
    html = alice_client.get(f"/articles/{article.id}/").content.decode()
    assert 'class="hl hl-disputed s e" data-spans="' in html
    assert 'title="Disputed">Officials say</mark>' in html


def test_nested_spans_list_every_covering_span_innermost_last(alice_client, article, alice):
    label_quote(article, alice, "Officials say 300,000 reservists", "official_claim")
    label_quote(article, alice, "300,000", "verified_fact")
    outer = Span.objects.get(quote__startswith="Officials")
    inner = Span.objects.get(quote="300,000")
    html = alice_client.get(f"/articles/{article.id}/").content.decode()
    assert f'data-spans="{outer.id}" title="Official claim">Officials say </mark>' in html
    assert (
        # Where the inner span starts and ends (s, e), and the outer's label (o-claim).
        f'<mark class="hl hl-verified_fact s e hl-nested o-claim" '
        f'data-spans="{outer.id} {inner.id}" '
        'title="Verified fact">300,000</mark>' in html
    )
    assert f'data-spans="{outer.id}" title="Official claim"> reservists</mark>' in html


def test_article_text_inside_highlights_is_escaped(alice_client, alice):
    # Stored directly: the importer would turn this markup into text.
    article = Article.objects.create(
        title="T", body='Say <b>bold</b> & "quoted" things.', fingerprint="e" * 64
    )
    label_quote(article, alice, '<b>bold</b> & "quoted"', "verified_fact")
    html = alice_client.get(f"/articles/{article.id}/").content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;</mark>" in html
    assert "<b>bold</b>" not in html


def test_text_that_looks_like_the_pages_own_markers_stays_text(alice_client, alice):
    # The page splices its body and side list in where its template left a mark:
    # a title or body holding the marks is shown as typed, never used as one.
    marks = _BODY_MARK + _ITEMS_MARK
    article = Article.objects.create(
        title=marks, body=f"Before {marks} after.", fingerprint="m" * 64
    )
    label_quote(article, alice, "after", "verified_fact")
    html = alice_client.get(f"/articles/{article.id}/").content.decode()
    assert _BODY_MARK not in html
    assert _ITEMS_MARK not in html
    assert f"<h1>{escape(marks)}</h1>" in html
    assert f'data-end="{len(article.body)}">Before {escape(marks)} <mark ' in html
    assert html.count('<li id="span-item-') == 1


def test_readers_see_highlights_but_no_toolbar(carol_client, article, alice):
    label_quote(article, alice, "Officials say", "official_claim")
    html = carol_client.get(f"/articles/{article.id}/").content.decode()
    assert "Officials say</mark>" in html
    assert 'id="label-toolbar"' not in html


def test_page_queries_do_not_grow_with_spans(
    alice_client, long_article, alice, django_assert_num_queries
):
    _many_spans(long_article, alice, 10)
    # the session with its user and whether she is an editor (one statement:
    # accounts/sessions.py), article with who finished it and whether any span is
    # orphaned (none: orphans are not read; article_state), labels joined with their spans
    with django_assert_num_queries(3):
        small = alice_client.get(f"/articles/{long_article.id}/")
    Span.objects.all().delete()
    _many_spans(long_article, alice, 500)
    with django_assert_num_queries(3):
        large = alice_client.get(f"/articles/{long_article.id}/")
    # Every span highlighted, however its paragraphs cut it.
    marks = re.compile('<mark class="hl hl-verified_fact[^"]*" data-spans="([0-9]+)"')
    assert len(set(marks.findall(small.content.decode()))) == 10
    assert len(set(marks.findall(large.content.decode()))) == 500


# --- Labelling a selection -------------------------------------------------------------


def test_editor_labels_a_selection_and_gets_only_the_changed_parts(alice_client, article, alice):
    response = alice_client.post(
        f"/articles/{article.id}/labels/",
        {**_at(article, "could draft up to two million"), "kind": "unsourced_speculation"},
        **HX,
    )
    span = Span.objects.get()
    label = Label.objects.get()
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "site-header" not in html
    assert '<p id="p-1" data-start="50" data-end="129" hx-swap-oob="true">' in html
    assert 'id="p-0"' not in html and 'id="p-2"' not in html
    assert "could draft up to two million</mark>" in html
    # The side list gets the new item appended (it is the only span), and the count.
    assert f'<ol hx-swap-oob="beforeend:#span-items"><li id="span-item-{span.id}">' in html
    assert '<span id="span-count" class="count" hx-swap-oob="true">(1)</span>' in html
    assert (span.start, span.end, span.quote) == (73, 102, "could draft up to two million")
    assert (label.reviewer, label.kind) == (alice, "unsourced_speculation")


def test_a_new_span_is_inserted_before_the_next_one_in_reading_order(alice_client, article, alice):
    label_quote(article, alice, "the café was closed", "verified_fact")
    later = Span.objects.get()
    html = alice_client.post(
        f"/articles/{article.id}/labels/",
        {**_at(article, "Officials say"), "kind": "official_claim"},
        **HX,
    ).content.decode()
    assert f'<ol hx-swap-oob="beforebegin:#span-item-{later.id}">' in html


def test_offsets_count_code_points_past_emoji(alice_client, article, alice):
    quote = "medics; the café"
    fields = _at(article, quote)
    response = alice_client.post(
        f"/articles/{article.id}/labels/", {**fields, "kind": "verified_fact"}, **HX
    )
    assert response.status_code == 200
    span = Span.objects.get()
    # The flag is 2 code points (4 UTF-16 units), the medic 5 (7 units): a
    # browser's count would be 158 + 4 = 162.
    assert span.start == fields["start"] == 158
    assert article.body[span.start : span.end] == span.quote == quote


def test_a_second_reviewer_reuses_the_span_and_it_becomes_disputed(bob_client, article, alice):
    label_quote(article, alice, "Officials say", "official_claim")
    span = Span.objects.get()
    html = bob_client.post(
        f"/articles/{article.id}/labels/",
        {**_at(article, "Officials say"), "kind": "verified_fact"},
        **HX,
    ).content.decode()
    assert Span.objects.count() == 1
    assert Label.objects.filter(span=span).count() == 2
    assert f'<li id="span-item-{span.id}" hx-swap-oob="true">' in html
    assert 'title="Disputed">Officials say</mark>' in html


def test_labelling_without_htmx_redirects_back_to_the_article(alice_client, article):
    response = alice_client.post(
        f"/articles/{article.id}/labels/",
        {**_at(article, "Officials say"), "kind": "official_claim"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{article.id}/"
    assert Label.objects.count() == 1


BAD_SELECTIONS = [
    ({"start": 5, "end": 5, "quote": "x"}, 400, "is outside this article"),
    ({"start": 0, "end": 9999, "quote": "x"}, 400, "is outside this article"),
    ({"start": "1.5", "end": 9, "quote": "fficials"}, 400, "must be whole numbers"),
    ({"start": "-1", "end": 9, "quote": "Officials"}, 400, "must be whole numbers"),
    ({"start": "٠", "end": 9, "quote": "Officials"}, 400, "must be whole numbers"),
    ({"end": 9, "quote": "Officials"}, 400, "missing: start"),
    ({"start": 0, "end": 9}, 400, "missing: quote"),
    ({"start": 0, "end": 9, "quote": "Officiary"}, 409, "no longer matches the article"),
    # White space at the ends is trimmed (tests/test_near_identical.py); only white space is refused.
    ({"start": 9, "end": 10, "quote": " "}, 400, "Only white space is selected"),
]
BAD_FIELDS = [
    ({"kind": "rumour"}, "Sourcemark has no such label. Choose one of: Verified fact,"),
    ({"kind": ""}, "Sourcemark has no such label."),
    ({"note": "x" * 2001}, "The note is too long"),
    ({"note": "<script>alert(1)</script>"}, "Notes are plain text"),
    ({"source_url": "javascript:alert(1)"}, "must be a web address starting with http"),
]


@pytest.mark.parametrize(("fields", "status", "message"), BAD_SELECTIONS)
def test_bad_selections_are_refused_in_the_toolbar(alice_client, article, fields, status, message):
    response = alice_client.post(
        f"/articles/{article.id}/labels/", {**fields, "kind": "verified_fact"}, **HX
    )
    assert response.status_code == status
    assert message in refusal(response)
    assert not Span.objects.exists()


@pytest.mark.parametrize(("fields", "message"), BAD_FIELDS)
def test_bad_label_fields_are_refused_without_a_write(alice_client, article, fields, message):
    data = {**_at(article, "Officials say"), "kind": "verified_fact", **fields}
    response = alice_client.post(f"/articles/{article.id}/labels/", data, **HX)
    assert response.status_code == 400
    assert message in refusal(response)
    assert not Span.objects.exists() and not Label.objects.exists()


def test_a_refusal_without_htmx_renders_the_page_with_the_message(alice_client, article):
    response = alice_client.post(
        f"/articles/{article.id}/labels/",
        {"start": 0, "end": 9, "quote": "Officiary", "kind": "verified_fact"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'class="message error page-error" role="alert">The selected text no longer' in html
    assert 'id="article-body"' in html


def test_readers_cannot_label(carol_client, article):
    data = {**_at(article, "Officials say"), "kind": "verified_fact"}
    assert carol_client.post(f"/articles/{article.id}/labels/", data, **HX).status_code == 403
    assert not Label.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client, article):
    data = {**_at(article, "Officials say"), "kind": "verified_fact"}
    response = client.post(f"/articles/{article.id}/labels/", data)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not Label.objects.exists()


def test_a_label_without_a_csrf_token_is_refused(alice, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    data = {**_at(article, "Officials say"), "kind": "verified_fact"}
    assert client.post(f"/articles/{article.id}/labels/", data, **HX).status_code == 403
    assert not Label.objects.exists()


def test_labelling_a_missing_article_is_404(alice_client, db):
    data = {"start": 0, "end": 1, "quote": "O", "kind": "verified_fact"}
    assert alice_client.post("/articles/999/labels/", data, **HX).status_code == 404


def test_label_queries_do_not_grow_with_spans(
    alice_client, long_article, alice, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(throttle, "_now", lambda: 1_800_000_000.0)
    throttle.allow(alice.pk)  # not the minute's first write, which also deletes older minutes

    def post(quote: str):
        fields = _at(long_article, quote)
        return alice_client.post(
            f"/articles/{long_article.id}/labels/", {**fields, "kind": "official_claim"}, **HX
        )

    _many_spans(long_article, alice, 10)
    # the session with its user and whether she is an editor, in one statement
    # (accounts/sessions.py; the editor_required check runs no query); in one transaction
    # (savepoint here, BEGIN in a request): lock the article, bump its labels revision and
    # read its body in one UPDATE ... RETURNING (labelling.lock_article), count the write
    # (annotations.throttle) and read the spans of the touched paragraphs with their labels
    # counted, each row with the span count and the next span in reading order, in one
    # statement (matching.nearby: the near-identical candidates, and the answer's data),
    # span insert, label insert, its history row (labelling._insert); release. The answer
    # needs no query. PostgreSQL counts the write in the UPDATE's WITH clause, and inserts
    # the span, the label and its history row in one statement: 6. (In a request, SQLite's
    # BEGIN is a statement and its COMMIT not: 8.)
    queries = 6 if connection.vendor == "postgresql" else 8
    with django_assert_num_queries(queries):
        assert post("w50 w51").status_code == 200
    Span.objects.all().delete()
    _many_spans(long_article, alice, 500)
    with django_assert_num_queries(queries):
        assert post("w52 w53").status_code == 200
    # A paragraph without spans: the article's first span still brings the span count.
    last = long_article.body.rindex("w98 w99")
    with django_assert_num_queries(queries):
        response = alice_client.post(
            f"/articles/{long_article.id}/labels/",
            {"start": last, "end": last + 7, "quote": "w98 w99", "kind": "official_claim"},
            **HX,
        )
    assert '<span id="span-count" class="count" hx-swap-oob="true">(502)</span>' in (
        response.content.decode()
    )
    # Selecting her own span again with another kind changes her label: the nearby read
    # names it, it is read, then updated with its history row (one statement on
    # PostgreSQL, labelling._update; two on SQLite) instead of the inserts: 7 and 8.
    with django_assert_num_queries(queries + (connection.vendor == "postgresql")):
        response = alice_client.post(
            f"/articles/{long_article.id}/labels/",
            {"start": last, "end": last + 7, "quote": "w98 w99", "kind": "verified_fact"},
            **HX,
        )
    assert response.status_code == 200
    assert Label.objects.get(span__start=last).kind == "verified_fact"
    assert list(Label.history.filter(span__start=last).values_list("history_type", "kind")) == [
        ("~", "verified_fact"),
        ("+", "official_claim"),
    ]


@pytest.mark.parametrize("count", [10, 500])
def test_change_and_remove_queries_do_not_grow_with_spans(
    alice_client, long_article, alice, django_assert_num_queries, monkeypatch, count
):
    monkeypatch.setattr(throttle, "_now", lambda: 1_800_000_000.0)
    throttle.allow(alice.pk)  # not the minute's first write, which also deletes older minutes
    _many_spans(long_article, alice, count)
    label = label_quote(long_article, alice, "w50 w51", "official_claim")
    url = f"/articles/{long_article.id}/labels/{label.id}/"
    # the session with its user and the editor check (one statement), article, label with
    # its span (access.get_label);
    # in one transaction: count the write, lock the article and bump its labels revision
    # in one UPDATE ... RETURNING, the label still there, label update, its history row;
    # release; the panel's labels and audit trail (span_panel), the answer's paragraph
    # (highlights.changed: the spans there, each row with the span count). PostgreSQL
    # counts the write in the UPDATE's WITH clause, and updates the label and writes its
    # history row in one statement (labelling._update): two fewer.
    postgresql = connection.vendor == "postgresql"
    with django_assert_num_queries(13 - 2 * postgresql):
        fields = {"kind": "verified_fact", "note": "", "source_url": ""}
        assert alice_client.post(url, fields, **HX).status_code == 200
    # The same, with label delete and its history row, then the span's history of places
    # and the span deleted if no label is left (it was the last; labelling.remove_label),
    # and no panel's queries: the span is gone.
    with django_assert_num_queries(13 - postgresql):
        assert alice_client.post(url + "remove/", **HX).status_code == 200
    assert not Span.objects.filter(quote="w50 w51").exists()


# --- The span panel, changing and removing ---------------------------------------------


def test_panel_lists_every_reviewers_label_with_its_audit_trail(alice_client, article, alice, bob):
    label_quote(article, alice, "Officials say", "official_claim", note="Ministry Q&A")
    label_quote(
        article, bob, "Officials say", "verified_fact", source_url="https://example.com/a?b=1&c"
    )
    span = Span.objects.get()
    response = alice_client.get(f"/articles/{article.id}/spans/{span.id}/", **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<aside id="span-panel"')
    assert "site-header" not in html
    assert '<strong class="reviewer">alice</strong>' in html
    assert '<strong class="reviewer">bob</strong>' in html
    assert "Ministry Q&amp;A" in html
    assert '<a href="https://example.com/a?b=1&amp;c" rel="noopener noreferrer nofollow"' in html
    assert 'title="Disputed">Disputed</span>' in html
    assert "labelled" in html and "label: Official claim" in html
    # alice may change her own label only: one change form, one remove button.
    assert html.count('aria-label="Change your label"') == 1
    assert html.count("Remove my label") == 1


def test_panel_queries_do_not_grow_with_reviewers_or_changes(
    alice_client, article, alice, bob, carol, django_assert_num_queries
):
    label = label_quote(article, alice, "Officials say", "official_claim")
    span = label.span
    # the session with its user and the editor check (one statement), article, span,
    # labels with reviewers, history with users
    with django_assert_num_queries(5):
        alice_client.get(f"/articles/{article.id}/spans/{span.id}/", **HX)
    label_quote(article, bob, "Officials say", "verified_fact", note="One")
    label_quote(article, bob, "Officials say", "verified_fact", note="Two")
    with django_assert_num_queries(5):
        html = alice_client.get(f"/articles/{article.id}/spans/{span.id}/", **HX).content.decode()
    assert "note: One → Two" in html


def test_panel_without_htmx_is_the_page_with_the_panel_open(carol_client, article, alice):
    label_quote(article, alice, "Officials say", "official_claim")
    span = Span.objects.get()
    html = carol_client.get(f"/articles/{article.id}/spans/{span.id}/").content.decode()
    assert 'id="article-body"' in html
    assert '<strong class="reviewer">alice</strong>' in html
    assert "Remove my label" not in html and "Your label:" not in html


def test_panel_offers_another_editor_their_own_label(bob_client, article, alice):
    label_quote(article, alice, "Officials say", "official_claim")
    span = Span.objects.get()
    html = bob_client.get(f"/articles/{article.id}/spans/{span.id}/", **HX).content.decode()
    assert 'aria-label="Add your label"' in html
    response = bob_client.post(
        f"/articles/{article.id}/labels/",
        {**_at(article, "Officials say"), "kind": "verified_fact", "from": "panel"},
        **HX,
    )
    assert response.status_code == 200
    assert (
        '<aside id="span-panel" class="span-panel" aria-labelledby="span-panel-title" '
        'data-error-region="#panel-error" hx-swap-oob="true">' in response.content.decode()
    )
    assert Label.objects.filter(span=span).count() == 2


@pytest.mark.parametrize("path", ["/articles/{a}/spans/999/", "/articles/999/spans/{s}/"])
def test_panel_for_a_missing_span_is_404(alice_client, article, alice, path):
    label_quote(article, alice, "Officials say", "official_claim")
    span = Span.objects.get()
    url = path.format(a=article.id, s=span.id)
    assert alice_client.get(url, **HX).status_code == 404


def test_panel_requires_login(client, article, alice):
    label_quote(article, alice, "Officials say", "official_claim")
    span = Span.objects.get()
    response = client.get(f"/articles/{article.id}/spans/{span.id}/")
    assert response["Location"].startswith("/login/")


def test_editor_changes_their_label_and_the_trail_records_it(alice_client, article, alice):
    label = label_quote(article, alice, "Officials say", "official_claim")
    response = alice_client.post(
        f"/articles/{article.id}/labels/{label.id}/",
        {"kind": "verified_fact", "note": "Checked", "source_url": "https://example.org/x"},
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'title="Verified fact">Officials say</mark>' in html
    assert 'id="span-panel"' in html and "hx-swap-oob" in html
    assert "alice</span> changed" in html
    assert "label: Official claim → Verified fact" in html
    label.refresh_from_db()
    assert (label.kind, label.note, label.source_url) == (
        "verified_fact",
        "Checked",
        "https://example.org/x",
    )


def test_changing_without_htmx_redirects_to_the_panel_page(alice_client, article, alice):
    label = label_quote(article, alice, "Officials say", "official_claim")
    response = alice_client.post(
        f"/articles/{article.id}/labels/{label.id}/", {"kind": "verified_fact"}
    )
    assert response["Location"] == f"/articles/{article.id}/spans/{label.span_id}/"


def test_a_bad_change_is_refused_in_the_panel(alice_client, article, alice):
    label = label_quote(article, alice, "Officials say", "official_claim")
    response = alice_client.post(
        f"/articles/{article.id}/labels/{label.id}/",
        {"kind": "verified_fact", "source_url": "javascript:alert(1)"},
        **HX,
    )
    assert response.status_code == 400
    assert "must be a web address" in refusal(response)
    label.refresh_from_db()
    assert label.kind == "official_claim"


@pytest.mark.parametrize("action", ["", "remove/"])
def test_nobody_changes_or_removes_another_reviewers_label(bob_client, article, alice, action):
    label = label_quote(article, alice, "Officials say", "official_claim")
    response = bob_client.post(
        f"/articles/{article.id}/labels/{label.id}/{action}", {"kind": "verified_fact"}, **HX
    )
    assert response.status_code == 403
    assert "another reviewer" in refusal(response)
    label.refresh_from_db()
    assert label.kind == "official_claim"


@pytest.mark.parametrize("action", ["", "remove/"])
def test_readers_cannot_change_or_remove(carol_client, article, alice, action):
    label = label_quote(article, alice, "Officials say", "official_claim")
    response = carol_client.post(
        f"/articles/{article.id}/labels/{label.id}/{action}", {"kind": "verified_fact"}, **HX
    )
    assert response.status_code == 403
    assert Label.objects.filter(pk=label.pk, kind="official_claim").exists()


@pytest.mark.parametrize("action", ["", "remove/"])
def test_a_label_of_another_article_is_404_here(alice_client, article, alice, action):
    label = label_quote(article, alice, "Officials say", "official_claim")
    other, _ = save_article(ArticleData(title="Other", body="Other text."), created_by=alice)
    response = alice_client.post(
        f"/articles/{other.id}/labels/{label.id}/{action}", {"kind": "verified_fact"}, **HX
    )
    assert response.status_code == 404
    assert alice_client.post(f"/articles/{article.id}/labels/999/{action}", **HX).status_code == 404


def test_removing_the_last_label_removes_the_highlight(alice_client, article, alice):
    label = label_quote(article, alice, "Officials say", "official_claim")
    span_id = label.span_id
    response = alice_client.post(f"/articles/{article.id}/labels/{label.id}/remove/", **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<li id="span-item-{span_id}" hx-swap-oob="delete"></li>' in html
    assert '<p id="p-0" data-start="0" data-end="48" hx-swap-oob="true">Officials say' in html
    # The panel stays, to offer the label back (issue 12).
    assert "hidden hx-swap-oob" not in html
    assert "Your label “Official claim” was removed, and the highlight with it." in html
    assert 'name="kind" value="official_claim"' in html
    assert not Span.objects.exists()


def test_removing_one_of_two_labels_keeps_the_span(alice_client, article, alice, bob):
    label = label_quote(article, alice, "Officials say", "official_claim")
    label_quote(article, bob, "Officials say", "verified_fact")
    html = alice_client.post(
        f"/articles/{article.id}/labels/{label.id}/remove/", **HX
    ).content.decode()
    assert 'title="Verified fact">Officials say</mark>' in html
    assert "alice</span> removed" in html  # in the panel's removed-labels trail
    assert Span.objects.count() == 1


def test_removing_without_htmx_redirects_to_the_article(alice_client, article, alice):
    label = label_quote(article, alice, "Officials say", "official_claim")
    response = alice_client.post(f"/articles/{article.id}/labels/{label.id}/remove/")
    assert response["Location"] == f"/articles/{article.id}/"
    assert not Label.objects.exists()
