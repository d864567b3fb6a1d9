"""Articles, spans and labels in the admin, and the two CSV export actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotations.models import Article, ArticleFigures, Label, Span
from tests.exporting import HEADER, C, many_labels, parse_csv
from tests.factories import label_quote


def _staff_with(*codenames: str) -> Client:
    """A staff member (not superuser) holding only these annotations permissions."""
    user = User.objects.create_user("dora", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="annotations", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    ["/admin/annotations/article/", "/admin/annotations/span/", "/admin/annotations/label/"],
)
def test_changelist_queries_do_not_grow_with_rows(staff_client, alice, url):
    many_labels(3, alice, title="Three")
    few = _queries(staff_client, url)
    many_labels(37, alice, title="Thirty-seven")
    for n in range(37):
        Article.objects.create(title=f"Extra {n}", body=f"x{n}", fingerprint=f"{n:064d}")
    assert _queries(staff_client, url) == few


def test_changelists_search_titles_quotes_and_notes(staff_client, article, alice):
    label_quote(article, alice, "Officials", "official_claim", note="checked with the ministry")
    assert (
        "Mobilisation rumours"
        in staff_client.get("/admin/annotations/article/?q=rumours").content.decode()
    )
    assert "Officials" in staff_client.get("/admin/annotations/span/?q=Officials").content.decode()
    found = staff_client.get("/admin/annotations/label/?q=ministry").content.decode()
    assert "checked with the ministry" in found
    missing = staff_client.get("/admin/annotations/label/?q=nowhere").content.decode()
    assert "checked with the ministry" not in missing


def test_label_changelist_filters_by_kind(staff_client, article, alice, bob):
    label_quote(article, alice, "Officials", "official_claim", note="alice's note")
    label_quote(article, bob, "Officials", "verified_fact", note="bob's note")
    html = staff_client.get("/admin/annotations/label/?kind__exact=verified_fact").content.decode()
    assert "bob&#x27;s note" in html
    assert "alice&#x27;s note" not in html


def test_user_text_is_escaped_in_the_admin(staff_client, alice):
    hostile = "<script>alert(1)</script>"
    article = Article.objects.create(
        title=hostile, outlet=hostile, body=hostile + " text", fingerprint="h" * 64
    )
    span = Span.objects.create(article=article, start=0, end=len(hostile), quote=hostile)
    label = Label.objects.create(span=span, reviewer=alice, kind="verified_fact", note=hostile)
    for url in [
        "/admin/annotations/article/",
        f"/admin/annotations/article/{article.id}/change/",
        "/admin/annotations/span/",
        f"/admin/annotations/span/{span.id}/change/",
        "/admin/annotations/label/",
        f"/admin/annotations/label/{label.id}/change/",
    ]:
        html = staff_client.get(url).content.decode()
        assert hostile not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_article_page_lists_its_spans_with_links_and_span_page_its_labels(
    staff_client, article, alice, bob
):
    label = label_quote(article, alice, "Officials", "official_claim", note="alice's note")
    label_quote(article, bob, "Officials", "verified_fact", note="bob's note")
    span = label.span
    html = staff_client.get(f"/admin/annotations/article/{article.id}/change/").content.decode()
    assert f'href="/admin/annotations/span/{span.id}/change/"' in html
    assert "Officials" in html
    span_html = staff_client.get(f"/admin/annotations/span/{span.id}/change/").content.decode()
    assert "alice&#x27;s note" in span_html and "bob&#x27;s note" in span_html
    # Offsets and quote are shown, never editable: only labelling checks them against the body.
    assert 'name="quote"' not in span_html and 'name="start"' not in span_html


def test_spans_and_labels_cannot_be_added_in_the_admin(staff_client, db):
    assert staff_client.get("/admin/annotations/span/add/").status_code == 403
    assert staff_client.get("/admin/annotations/label/add/").status_code == 403


# --- Labels are read-only here: only their reviewer changes them, in the app ----------


def _figures_fresh(article: Article) -> bool:
    """The overview's cached figures of ``article`` match its labels (annotations.figures)."""
    article.refresh_from_db()
    stored = ArticleFigures.objects.filter(article=article).first()
    return stored is None or stored.revision == article.labels_revision


@pytest.fixture
def labelled(article, alice, bob, staff_client) -> dict[str, Any]:
    """alice's label and bob's on one span, the overview's figures cached for it."""
    mine = label_quote(article, alice, "Officials", "official_claim", note="first note")
    label_quote(article, alice, "Officials", "official_claim", note="second note")
    label_quote(article, bob, "Officials", "verified_fact")
    assert staff_client.get("/reports/?sort=-speculation").status_code == 200  # fills the cache
    assert ArticleFigures.objects.filter(article=article).exists()
    history = Label.history.filter(id=mine.id).order_by("history_date").first()
    return {"label": mine, "span": mine.span, "history": history.history_id}


def _unchanged(labelled: dict[str, Any], article: Article) -> None:
    label = Label.objects.get(pk=labelled["label"].pk)
    assert (label.kind, label.note) == ("official_claim", "second note")
    assert Label.objects.filter(span=labelled["span"]).count() == 2
    assert Label.history.filter(id=label.id).count() == 2  # created, changed: nothing since
    assert _figures_fresh(article)


def test_staff_see_a_label_but_cannot_change_it(staff_client, article, labelled):
    url = f"/admin/annotations/label/{labelled['label'].id}/change/"
    page = staff_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "second note" in html and 'name="note"' not in html and 'name="kind"' not in html
    response = staff_client.post(url, {"kind": "verified_fact", "note": "staff", "source_url": ""})
    assert response.status_code == 403
    _unchanged(labelled, article)


def test_staff_cannot_delete_a_label_or_a_span(staff_client, article, labelled):
    label, span = labelled["label"], labelled["span"]
    for url in (
        f"/admin/annotations/label/{label.id}/delete/",
        f"/admin/annotations/span/{span.id}/delete/",
    ):
        assert staff_client.get(url).status_code == 403, url
        assert staff_client.post(url, {"post": "yes"}).status_code == 403, url
    for changelist, ids in (("label", [label.id]), ("span", [span.id])):
        page = staff_client.get(f"/admin/annotations/{changelist}/").content.decode()
        assert 'value="delete_selected"' not in page
        staff_client.post(
            f"/admin/annotations/{changelist}/",
            {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
        )
    _unchanged(labelled, article)


def test_the_span_page_lists_labels_without_a_way_to_change_them(staff_client, article, labelled):
    span, label = labelled["span"], labelled["label"]
    url = f"/admin/annotations/span/{span.id}/change/"
    html = staff_client.get(url).content.decode()
    assert "second note" in html and 'name="labels-0-note"' not in html
    assert 'name="labels-0-DELETE"' not in html
    staff_client.post(
        url,
        {
            "labels-TOTAL_FORMS": "2",
            "labels-INITIAL_FORMS": "2",
            "labels-0-id": str(label.id),
            "labels-0-span": str(span.id),
            "labels-0-kind": "unsourced_speculation",
            "labels-0-note": "changed by staff",
            "labels-0-DELETE": "on",
        },
    )
    _unchanged(labelled, article)


def test_staff_cannot_revert_a_label_from_its_history(staff_client, article, labelled):
    label = labelled["label"]
    url = f"/admin/annotations/label/{label.id}/history/{labelled['history']}/"
    response = staff_client.post(
        url, {"kind": "official_claim", "note": "first note", "source_url": ""}
    )
    assert response.status_code == 403
    _unchanged(labelled, article)
    history = staff_client.get(f"/admin/annotations/label/{label.id}/history/")
    assert history.status_code == 200
    assert "first note" in history.content.decode()  # the trail is still there to read


def test_a_label_history_page_for_a_malformed_id_is_404(staff_client, labelled):
    assert staff_client.get("/admin/annotations/label/%3Cx%3E/history/").status_code == 404
    label = labelled["label"]
    assert staff_client.get(f"/admin/annotations/label/{label.id}/history/x/").status_code == 404


def _export(client: Client, url: str, **data) -> Any:
    return client.post(url, {"action": "export_labels_csv", **data})


def test_label_action_exports_the_selected_labels(staff_client, article, alice, bob):
    chosen = label_quote(article, alice, "Officials", "official_claim", note="chosen")
    label_quote(article, bob, "Officials", "verified_fact", note="left out")
    response = _export(staff_client, "/admin/annotations/label/", _selected_action=[chosen.id])
    assert response.streaming is True
    assert response["Content-Disposition"].startswith('attachment; filename="sourcemark-labels-20')
    rows = parse_csv(b"".join(response.streaming_content))
    assert rows[0] == HEADER
    assert [row[C["note"]] for row in rows[1:]] == ["chosen"]
    # The consensus is the whole span's, not just the exported labels'.
    assert rows[1][C["span consensus"]] == "Disputed"


def test_label_action_honours_filters_with_select_all(staff_client, alice, bob):
    article = many_labels(150, alice, title="Big")  # more than one changelist page
    response = _export(
        staff_client,
        "/admin/annotations/label/?kind__exact=verified_fact",
        select_across="1",
        _selected_action=[Label.objects.earliest("pk").id],
    )
    rows = parse_csv(b"".join(response.streaming_content))
    assert len(rows) - 1 == Label.objects.filter(kind="verified_fact").count() == 50
    assert {row[C["label code"]] for row in rows[1:]} == {"verified_fact"}
    assert {row[C["article id"]] for row in rows[1:]} == {str(article.id)}


def test_label_action_queries_do_not_grow_with_rows(staff_client, alice, django_assert_num_queries):
    for count in [5, 200]:
        Label.objects.all().delete()
        many_labels(count, alice, title=f"Run {count}")
        first = Label.objects.earliest("pk").id
        # the session with its user (one statement: accounts/sessions.py); the admin builds
        # the changelist the action acts on: the reviewer filter's users, its filtered and
        # total counts; on PostgreSQL the export's SET LOCAL; the exported articles' cached
        # figures, then (stale here) their labels, reviewers and finished reviews and the
        # upsert, for the coverage column; then the labels, and their spans' label counts
        # (two streamed queries, however many rows)
        with django_assert_num_queries(12 + (connection.vendor == "postgresql")):
            response = _export(
                staff_client,
                "/admin/annotations/label/",
                select_across="1",
                _selected_action=[first],
            )
            content = b"".join(response.streaming_content)
        assert len(parse_csv(content)) == count + 1


def test_article_action_exports_labels_of_selected_articles(staff_client, article, alice):
    label_quote(article, alice, "Officials", "official_claim", note="in")
    other = many_labels(3, alice, title="Other")
    response = _export(staff_client, "/admin/annotations/article/", _selected_action=[article.id])
    rows = parse_csv(b"".join(response.streaming_content))
    assert [(row[C["article id"]], row[C["note"]]) for row in rows[1:]] == [(str(article.id), "in")]
    both = _export(
        staff_client, "/admin/annotations/article/", _selected_action=[article.id, other.id]
    )
    assert len(parse_csv(b"".join(both.streaming_content))) == 1 + 1 + 3


def test_staff_without_label_permission_get_403(article, alice):
    label_quote(article, alice, "Officials", "official_claim")
    client = _staff_with("view_article", "change_article")
    response = _export(client, "/admin/annotations/article/", _selected_action=[article.id])
    assert response.status_code == 403
    assert not response.streaming
    assert (
        _export(client, "/admin/annotations/label/", select_across="1", _selected_action=[1])
    ).status_code == 403


def test_staff_with_view_permission_may_export(article, alice):
    label = label_quote(article, alice, "Officials", "official_claim")
    client = _staff_with("view_label", "view_article")
    response = _export(client, "/admin/annotations/label/", _selected_action=[label.id])
    assert response.status_code == 200
    assert len(parse_csv(b"".join(response.streaming_content))) == 2
    response = _export(client, "/admin/annotations/article/", _selected_action=[article.id])
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/admin/annotations/label/", "/admin/annotations/article/"])
def test_non_staff_never_get_the_csv(alice_client, carol_client, article, alice, url):
    label = label_quote(article, alice, "Officials", "official_claim")
    for client in [alice_client, carol_client]:
        response = _export(client, url, _selected_action=[label.id, article.id])
        # The admin sends anyone who is not staff to its login page.
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_admin_adds_articles_through_the_apps_form(staff_client, staff):
    response = staff_client.post(
        "/admin/annotations/article/add/",
        {
            "title": "Pasted in the admin",
            "body": "<p>First&nbsp;para</p><script>x()</script><p>Second</p>",
            "outlet": "Wire",
            "url": "",
            "byline": "",
            "published": "",
            "spans-TOTAL_FORMS": "0",
            "spans-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.body == "First para\n\nSecond"
    assert article.created_by == staff
    assert len(article.fingerprint) == 64


def test_admin_body_change_is_a_revision_and_highlights_follow(staff_client, article, alice):
    label_quote(article, alice, "Officials", "official_claim")
    response = staff_client.post(
        f"/admin/annotations/article/{article.id}/change/",
        {
            "title": article.title,
            "body": "Update: " + article.body,
            "outlet": article.outlet,
            "url": "",
            "byline": "",
            "published": "",
            "spans-TOTAL_FORMS": "1",
            "spans-INITIAL_FORMS": "1",
            "spans-0-id": str(article.spans.get().id),
            "spans-0-article": str(article.id),
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    span = article.spans.get()
    assert (article.body_revision, span.start, span.end, span.anchor) == (2, 8, 17, "moved")
    assert article.revisions.get().reason == "edited in the admin"
