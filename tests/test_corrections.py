"""Issue 14 in the app: a labelled article's body is corrected, every span follows its text.

The placement rules are tested on their own (test_reanchor*.py); here, what an
editor sees: the edit form saves a revision, spans move, an orphan is listed
under "need attention" and can be re-attached or dismissed, label writes
against an older revision are refused, and every consumer of offsets (page,
report, CSV, Web Annotations) copes with a span that has none.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.ingest import ArticleData, save_article
from annotations.models import AnchorChange, Article, ArticleRevision, Label, Span
from tests.corrections.texts import DENIAL, NEW, OLD
from tests.exporting import C, parse_csv
from tests.factories import label_quote

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def labelled(alice, bob) -> Article:
    article, _ = save_article(ArticleData(title="Call-up", body=OLD), created_by=alice)
    label_quote(article, alice, "Officials say", "official_claim")
    label_quote(article, alice, "300,000 reservist were called up", "unsourced_speculation")
    label_quote(article, bob, DENIAL, "verified_fact", note="Checked the call log")
    return article


def _edit(client, article: Article, body: str = NEW, reason: str = "correction"):
    return client.post(
        f"/articles/{article.id}/edit/", {"title": article.title, "body": body, "reason": reason}
    )


def _spans(article: Article) -> dict[str, Span]:
    return {span.quote: span for span in Span.objects.filter(article=article)}


def test_editing_a_labelled_body_saves_a_revision_and_every_span_follows(
    alice_client, labelled, alice
):
    response = _edit(alice_client, labelled)
    assert response.status_code == 302
    labelled.refresh_from_db()
    assert (labelled.body, labelled.body_revision) == (NEW, 2)
    revision = ArticleRevision.objects.get(article=labelled)
    assert (revision.number, revision.old_body, revision.editor, revision.reason) == (
        2,
        OLD,
        alice,
        "correction",
    )
    spans = _spans(labelled)
    officials = spans["Officials say"]
    assert (officials.start, officials.end, officials.anchor) == (28, 41, "moved")
    edited = spans["300,000 reservists were called up"]
    assert NEW[edited.start : edited.end] == edited.quote and edited.anchor == "edited"
    orphan = spans[DENIAL]
    assert (orphan.start, orphan.end, orphan.anchor) == (None, None, "orphaned")
    # Labels, notes and the old text are kept.
    assert orphan.labels.get().note == "Checked the call log"
    assert edited.labels.get().kind == "unsourced_speculation"
    history = AnchorChange.objects.get(span=edited)
    assert (history.old_quote, history.old_start, history.revision) == (
        "300,000 reservist were called up",
        14,
        revision,
    )
    assert AnchorChange.objects.get(span=orphan).reason == "Its text was deleted."


def test_the_edit_form_offers_the_body_and_a_reason(alice_client, labelled):
    html = alice_client.get(f"/articles/{labelled.id}/edit/").content.decode()
    assert 'name="body"' in html and 'name="reason"' in html
    assert "cannot be changed" not in html


def test_a_body_another_article_has_changes_nothing(alice_client, labelled, alice):
    other, _ = save_article(ArticleData(title="Other", body=NEW), created_by=alice)
    response = _edit(alice_client, labelled)
    assert response.status_code == 400
    assert "already in Sourcemark" in response.content.decode()
    labelled.refresh_from_db()
    assert (labelled.body, labelled.body_revision) == (OLD, 1)
    assert not ArticleRevision.objects.exists() and not AnchorChange.objects.exists()
    assert _spans(labelled)[DENIAL].start == OLD.index(DENIAL)


def test_the_page_says_its_revision_and_which_labels_need_attention(alice_client, labelled):
    before = alice_client.get(f"/articles/{labelled.id}/").content.decode()
    assert "Revision 1" in before and "need attention" not in before
    _edit(alice_client, labelled)
    html = alice_client.get(f"/articles/{labelled.id}/").content.decode()
    assert "Revision 2" in html
    assert "1 label needs attention" in html
    assert "Its text was deleted." in html and "Checked the call log" in html
    attention = html[html.index('id="needs-attention"') : html.index('id="article-body"')]
    assert DENIAL in attention
    body = html[html.index('id="article-body"') : html.index('class="side"')]
    assert body.count("data-spans=") == 2  # the two placed spans; the orphan has no highlight
    assert 'id="span-count" class="count">(2)' in html
    # The toolbar sends the revision the page shows, and offers the orphan to re-attach.
    assert 'name="revision" value="2"' in html
    assert 'name="orphan"' in html


def test_the_revision_list_shows_each_change_as_words_added_and_removed(
    carol_client, alice_client, labelled
):
    _edit(alice_client, labelled)
    html = carol_client.get(f"/articles/{labelled.id}/revisions/").content.decode()
    assert "Revision 2" in html and "correction" in html and "alice" in html
    assert "<ins>reservists</ins>" in html or "<ins>reservists" in html
    assert "<del>" in html and "ministry" in html[html.index("<del>") :]
    assert "<ins>Update:" in html


def test_a_label_sent_from_an_older_revision_is_refused(alice_client, labelled):
    _edit(alice_client, labelled)
    start = NEW.index("medics")
    fields = {"start": start, "end": start + 6, "quote": "medics", "kind": "verified_fact"}
    stale = alice_client.post(f"/articles/{labelled.id}/labels/", {**fields, "revision": "1"}, **HX)
    assert stale.status_code == 409
    assert stale.content.decode() == (
        "This article was corrected since you opened it; reload to see where your selection now is."
    )
    assert not Span.objects.filter(quote="medics").exists()
    fresh = alice_client.post(f"/articles/{labelled.id}/labels/", {**fields, "revision": "2"}, **HX)
    assert fresh.status_code == 200
    assert Span.objects.filter(quote="medics", start=start).exists()


def test_reattaching_an_orphan_moves_its_labels_to_the_selected_text(alice_client, bob, labelled):
    _edit(alice_client, labelled)
    orphan = _spans(labelled)[DENIAL]
    start = NEW.index("Reporters saw the medics")
    response = alice_client.post(
        f"/articles/{labelled.id}/orphans/reattach/",
        {
            "orphan": orphan.id,
            "start": start,
            "end": start + 24,
            "quote": "Reporters saw the medics",
            "revision": "2",
        },
        **HX,
    )
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    orphan.refresh_from_db()
    assert (orphan.start, orphan.end, orphan.quote, orphan.anchor) == (
        start,
        start + 24,
        "Reporters saw the medics",
        "reattached",
    )
    label = orphan.labels.get()
    assert (label.reviewer, label.note) == (bob, "Checked the call log")
    assert AnchorChange.objects.filter(span=orphan, anchor="reattached", old_quote=DENIAL).exists()
    html = alice_client.get(f"/articles/{labelled.id}/").content.decode()
    assert "need attention" not in html
    body = html[html.index('id="article-body"') : html.index('class="side"')]
    assert body.count("data-spans=") == 3


def test_reattaching_where_a_span_already_is_is_refused(alice_client, labelled):
    _edit(alice_client, labelled)
    orphan = _spans(labelled)[DENIAL]
    start = NEW.index("Officials say")
    response = alice_client.post(
        f"/articles/{labelled.id}/orphans/reattach/",
        {"orphan": orphan.id, "start": start, "end": start + 13, "quote": "Officials say"},
        **HX,
    )
    assert response.status_code == 400
    assert "already covers exactly this text" in response.content.decode()
    orphan.refresh_from_db()
    assert (orphan.start, orphan.anchor) == (None, "orphaned")


def test_reattaching_from_an_older_revision_is_refused(alice_client, labelled):
    _edit(alice_client, labelled)
    orphan = _spans(labelled)[DENIAL]
    response = alice_client.post(
        f"/articles/{labelled.id}/orphans/reattach/",
        {"orphan": orphan.id, "start": 0, "end": 6, "quote": "Update", "revision": "1"},
        **HX,
    )
    assert response.status_code == 409
    assert "corrected since you opened it" in response.content.decode()


def test_a_dismissed_orphan_leaves_the_list_but_stays_in_the_csv(
    alice_client, carol_client, labelled
):
    _edit(alice_client, labelled)
    orphan = _spans(labelled)[DENIAL]
    response = alice_client.post(f"/articles/{labelled.id}/orphans/{orphan.id}/dismiss/", **HX)
    assert response.status_code == 200
    orphan.refresh_from_db()
    assert (orphan.start, orphan.anchor) == (None, "dismissed")
    assert "need attention" not in alice_client.get(f"/articles/{labelled.id}/").content.decode()
    again = alice_client.post(f"/articles/{labelled.id}/orphans/{orphan.id}/dismiss/", **HX)
    assert again.status_code == 404
    rows = parse_csv(carol_client.get(f"/articles/{labelled.id}/labels.csv").getvalue())
    assert [row[C["anchor"]] for row in rows[1:] if row[C["quote"]] == DENIAL] == ["dismissed"]


def test_the_csv_lists_orphans_with_empty_offsets_and_every_span_s_anchor(
    alice_client, carol_client, labelled
):
    _edit(alice_client, labelled)
    rows = parse_csv(carol_client.get(f"/articles/{labelled.id}/labels.csv").getvalue())
    assert rows[0][C["end"] + 1] == "anchor"
    by_quote = {row[C["quote"]]: row for row in rows[1:]}
    orphan = by_quote[DENIAL]
    assert (orphan[C["start"]], orphan[C["end"]], orphan[C["anchor"]]) == ("", "", "orphaned")
    assert by_quote["Officials say"][C["anchor"]] == "moved"
    assert by_quote["300,000 reservists were called up"][C["anchor"]] == "edited"
    assert rows[-1][C["quote"]] == DENIAL  # orphans after the placed spans


def test_the_report_leaves_orphans_out_of_its_figures_and_lists_them_apart(
    alice_client, carol_client, labelled
):
    _edit(alice_client, labelled)
    html = carol_client.get(f"/articles/{labelled.id}/report/").content.decode()
    assert "Revision 2" in html
    assert "1 label needs attention" in html and DENIAL in html
    assert "Dismiss" not in html  # the report only shows them
    footer = html[html.index("<tfoot>") : html.index("</tfoot>")]
    assert '<td class="num">2</td>' in footer  # two spans counted, not three


def test_an_orphan_exports_as_a_web_annotation_with_only_its_quote(
    alice_client, carol_client, labelled
):
    _edit(alice_client, labelled)
    response = carol_client.get(f"/articles/{labelled.id}/annotations.jsonld")
    document = json.loads(b"".join(response.streaming_content))
    items = document["first"]["items"]
    selectors = {
        item["target"]["selector"][0]["exact"]: item["target"]["selector"] for item in items
    }
    assert [s["type"] for s in selectors[DENIAL]] == ["TextQuoteSelector"]
    assert [s["type"] for s in selectors["Officials say"]] == [
        "TextQuoteSelector",
        "TextPositionSelector",
    ]


def _article_with_spans(alice, count: int) -> Article:
    words = " ".join(f"w{n:03d}" for n in range(count))
    article, _ = save_article(ArticleData(title=f"Spans {count}", body=words), created_by=alice)
    spans = Span.objects.bulk_create(
        Span(
            article=article,
            start=i * 5,
            end=i * 5 + 4,
            quote=f"w{i:03d}",
            prefix=words[max(0, i * 5 - 32) : i * 5],
            suffix=words[i * 5 + 4 : i * 5 + 36],
        )
        for i in range(count)
    )
    Label.objects.bulk_create(Label(span=s, reviewer=alice, kind="verified_fact") for s in spans)
    return article


def test_an_edit_s_queries_do_not_grow_with_the_spans_it_moves(alice_client, alice):
    """The moved spans are stored by one statement (PostgreSQL) or one executemany (SQLite)."""
    counts = []
    for size in (10, 300):
        article = _article_with_spans(alice, size)
        with CaptureQueriesContext(connection) as queries:
            response = _edit(alice_client, article, "A new first paragraph.\n\n" + article.body)
        assert response.status_code == 302
        assert set(Span.objects.filter(article=article).values_list("anchor", flat=True)) == {
            "moved"
        }
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
