"""Web Annotations out of the app: the article's download, the vocabulary, the admin, the command.

The document's rules are tested on the pure writer (test_interop_export);
here, that the app serves it: from the database, with absolute ids from
SITE_URL, streamed, in a constant number of queries, and linked from the pages.
"""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models.sql import compiler
from django.http import StreamingHttpResponse
from django.urls import reverse

from annotations import interop_export
from annotations.interop import vocabulary
from annotations.interop.webannotation import MEDIA_TYPE, LabelRow
from annotations.models import Article, Label
from tests.conftest import SAMPLE_BODY
from tests.exporting import many_labels
from tests.factories import label_quote
from tests.hostile import PAYLOADS
from tests.interop import expand
from tests.test_interop_export import assert_collection_conforms

BASE = "https://sourcemark.example.org"
EMOJI_QUOTE = "Reporters 🇺🇦 saw the 👩🏽‍⚕️ medics"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = BASE


def download(client, article_id: int) -> dict[str, Any]:
    response = client.get(f"/articles/{article_id}/annotations.jsonld")
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def items(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["first"]["items"] if document["total"] else []


def test_the_paths_are_the_ones_ids_are_made_of():
    assert reverse("article_detail", args=[12]) == vocabulary.ARTICLE_PATH.format(article=12)
    assert reverse("article_annotations", args=[12]) == vocabulary.EXPORT_PATH.format(article=12)
    assert reverse("label_scheme") == vocabulary.SCHEME_PATH


def test_it_requires_login(client, article):
    response = client.get(f"/articles/{article.id}/annotations.jsonld")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/articles/{article.id}/annotations.jsonld"


def test_a_missing_article_is_404(carol_client, db):
    assert carol_client.get("/articles/999/annotations.jsonld").status_code == 404


def test_a_reader_downloads_a_streamed_json_ld_file_named_by_article_and_date(
    carol_client, article, alice
):
    label_quote(article, alice, "Officials", "official_claim")
    response = carol_client.get(f"/articles/{article.id}/annotations.jsonld")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == MEDIA_TYPE
    assert MEDIA_TYPE == 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="sourcemark-article-{article.id}-annotations-{today}.jsonld"'
    )
    assert response["Cache-Control"] == "private, no-store"
    document = json.loads(response.getvalue())
    assert document["id"] == f"{BASE}/articles/{article.id}/annotations.jsonld"
    assert document["total"] == 1


def test_the_export_is_the_database_label_by_label_and_meets_the_model(
    carol_client, article, alice, bob
):
    alice.first_name, alice.last_name = "Alice", "Moreau"
    alice.email = "alice@desk.example"
    alice.save()
    first = label_quote(
        article, alice, EMOJI_QUOTE, "verified_fact", "Seen 👩🏽‍⚕️ on video", "https://ex.org/ü"
    )
    label_quote(article, bob, EMOJI_QUOTE, "official_claim")
    label_quote(article, alice, "Officials", "unsourced_speculation")
    other = Article.objects.create(title="Other", body="Other text", fingerprint="o" * 64)
    label_quote(other, alice, "Other", "verified_fact")

    document = download(carol_client, article.id)

    assert_collection_conforms(document, SAMPLE_BODY)
    expand(document)  # the vendored context reads every term
    annotations = items(document)
    # Reading order: "Officials" first; the two labels of the emoji span by label id.
    assert [a["target"]["selector"][0]["exact"] for a in annotations] == [
        "Officials",
        EMOJI_QUOTE,
        EMOJI_QUOTE,
    ]
    mine = annotations[1]
    assert mine["id"] == f"{BASE}/articles/{article.id}/annotations.jsonld#label-{first.id}"
    assert mine["creator"] == {"type": "Person", "name": "Alice Moreau", "nickname": "alice"}
    assert "alice@desk.example" not in json.dumps(document)
    assert mine["body"][0]["id"] == f"{BASE}/vocab/labels#verified_fact"
    assert [body.get("value", body.get("source")) for body in mine["body"]] == [
        "Verified fact",
        "Seen 👩🏽‍⚕️ on video",
        "https://ex.org/ü",
    ]
    start = SAMPLE_BODY.index(EMOJI_QUOTE)
    assert mine["target"]["selector"][1] == {
        "type": "TextPositionSelector",
        "start": start,
        "end": start + len(EMOJI_QUOTE),  # code points, not UTF-16 units
    }
    # No canonical URL: the article's page here is the source.
    assert mine["target"]["source"] == f"{BASE}/articles/{article.id}/"
    first.refresh_from_db()
    assert mine["created"] == first.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_source_is_the_articles_canonical_url_when_it_has_one(carol_client, article, alice):
    article.url = "https://news.example.com/reservists"
    article.save()
    label_quote(article, alice, "Officials", "official_claim")
    (annotation,) = items(download(carol_client, article.id))
    assert annotation["target"]["source"] == "https://news.example.com/reservists"


def test_an_article_without_labels_is_an_empty_collection(carol_client, article):
    document = download(carol_client, article.id)
    assert document["total"] == 0 and "first" not in document


# What the database can hold: PostgreSQL stores no NUL (the app refuses it before it gets there).
STORABLE = [p for p in PAYLOADS if "\x00" not in p.text]


@pytest.mark.parametrize("payload", STORABLE, ids=[p.name for p in STORABLE])
def test_hostile_notes_and_names_come_back_as_they_were_typed(
    carol_client, article, alice, payload
):
    alice.first_name = payload.text[:150]
    alice.save()
    label = label_quote(article, alice, "Officials", "official_claim")
    # Stored as older versions stored notes, before markup was refused in them.
    Label.objects.filter(pk=label.pk).update(note=payload.text)
    response = carol_client.get(f"/articles/{article.id}/annotations.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")  # never sniffed as HTML
    (annotation,) = items(json.loads(response.getvalue()))
    assert annotation["creator"]["name"] == payload.text[:150].strip()
    assert annotation["body"][1]["value"] == payload.text


def test_queries_do_not_grow_with_labels(carol_client, alice, django_assert_num_queries):
    small = many_labels(5, alice, title="Small")
    large = many_labels(200, alice, title="Large")
    for article, count in [(small, 5), (large, 200)]:
        # the session with its user (one statement), article (id and title); on PostgreSQL
        # the export's SET LOCAL; the labels with their spans, reviewers and article (one
        # streamed query, however many rows)
        with django_assert_num_queries(3 + (connection.vendor == "postgresql")):
            response = carol_client.get(f"/articles/{article.id}/annotations.jsonld")
            content = b"".join(response.streaming_content)
        assert json.loads(content)["total"] == count


def test_the_download_reads_its_labels_a_chunk_at_a_time_and_stays_valid(
    carol_client, alice, monkeypatch
):
    article = many_labels(25, alice)
    other = many_labels(3, alice, title="Other")  # not in the download
    monkeypatch.setattr(interop_export, "CHUNK_SIZE", 4)
    fetched: list[int] = []
    read = compiler.cursor_iter

    def counted(*args: Any) -> Any:
        for rows in read(*args):
            if rows and len(rows[0]) == len(LabelRow._fields):  # the export's, not the session's
                fetched.append(len(rows))
            yield rows

    monkeypatch.setattr(compiler, "cursor_iter", counted)
    document = download(carol_client, article.id)
    # Memory stays flat: the rows come from the database 4 at a time, never all at once.
    assert sum(fetched) == 25
    assert max(fetched) == 4
    assert_collection_conforms(document, article.body)
    expand(document)
    assert [a["target"]["selector"][0]["exact"] for a in items(document)] == [
        f"w{n:05d}" for n in range(25)
    ]
    assert all(f"/articles/{other.id}/" not in a["id"] for a in items(document))


def test_without_site_url_the_export_is_refused_with_the_setting_named(
    settings, carol_client, article
):
    settings.SITE_URL = ""
    response = carol_client.get(f"/articles/{article.id}/annotations.jsonld")
    assert response.status_code == 503
    assert "set SITE_URL" in response.content.decode()


def test_the_article_and_report_pages_link_to_the_download_beside_the_csv(carol_client, article):
    link = (
        f'<a href="/articles/{article.id}/annotations.jsonld" download '
        'type="application/ld+json">Web Annotations (JSON-LD)</a>'
    )
    csv = f'<a href="/articles/{article.id}/labels.csv" download>Download CSV</a>'
    for page in (f"/articles/{article.id}/", f"/articles/{article.id}/report/"):
        html = carol_client.get(page).content.decode()
        assert csv + "\n" in html and link in html
        assert html.index(link) - html.index(csv) < 200, page


# --- The vocabulary ----------------------------------------------------------------


def test_the_label_scheme_is_served_to_anyone_at_the_iri_exports_use(client, db):
    response = client.get("/vocab/labels")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    scheme = json.loads(response.content)
    assert scheme["id"] == f"{BASE}/vocab/labels"
    concepts = {c["id"]: c["prefLabel"] for c in scheme["hasTopConcept"]}
    assert concepts == {
        f"{BASE}/vocab/labels#verified_fact": "Verified fact",
        f"{BASE}/vocab/labels#official_claim": "Official claim",
        f"{BASE}/vocab/labels#unsourced_speculation": "Unsourced speculation",
    }


def test_the_label_scheme_needs_no_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/vocab/labels").status_code == 200


# --- The admin action and the command ---------------------------------------------


def test_the_admin_exports_the_selected_articles_as_one_collection(staff_client, article, alice):
    label_quote(article, alice, "Officials", "official_claim")
    other = Article.objects.create(title="Other", body="Other text", fingerprint="o" * 64)
    label_quote(other, alice, "Other", "verified_fact")
    response = staff_client.post(
        "/admin/annotations/article/",
        {"action": "export_labels_jsonld", "_selected_action": [article.id, other.id]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA_TYPE
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="sourcemark-labels-{today}.jsonld"'
    )
    document = json.loads(b"".join(response.streaming_content))
    assert document["id"].startswith("urn:uuid:") and document["total"] == 2
    # Each annotation keeps its stable id, the one its article's download gives it.
    ids = {a["id"].split("#")[0] for a in items(document)}
    assert ids == {f"{BASE}/articles/{a}/annotations.jsonld" for a in (article.id, other.id)}


def test_the_admin_offers_the_action_beside_the_csv_one(staff_client, article):
    html = staff_client.get("/admin/annotations/article/").content.decode()
    csv = html.index("Export labels of selected articles as CSV")
    assert html.index("Export labels of selected articles as Web Annotations") > csv


def test_staff_without_label_permission_cannot_export(client, article):
    staff = User.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(staff)
    response = client.post(
        "/admin/annotations/article/",
        {"action": "export_labels_jsonld", "_selected_action": [article.id]},
    )
    assert response.status_code in (302, 403)
    assert response.get("Content-Type") != MEDIA_TYPE


def test_the_admin_action_queries_do_not_grow_with_labels(
    staff_client, alice, django_assert_num_queries
):
    small = many_labels(5, alice, title="Small")
    large = many_labels(200, alice, title="Large")
    for article in (small, large):
        # the session with its user (one statement); the admin builds the changelist
        # the action acts on: the creator filter's users, the filtered and total counts, the creator
        # filter's users again (the action's queryset builds the filters anew);
        # the selected articles' ids; on PostgreSQL the export's SET LOCAL; then
        # one streamed query for the labels
        with django_assert_num_queries(7 + (connection.vendor == "postgresql")):
            response = staff_client.post(
                "/admin/annotations/article/",
                {"action": "export_labels_jsonld", "_selected_action": [article.id]},
            )
            b"".join(response.streaming_content)


def test_the_command_writes_the_same_annotations_as_the_admin(tmp_path, article, alice, bob):
    label_quote(article, alice, "Officials", "official_claim", note="n")
    label_quote(article, bob, EMOJI_QUOTE, "verified_fact")
    output = tmp_path / "labels.jsonld"
    call_command("export_annotations", "--output", str(output), "--article", str(article.id))
    document = json.loads(output.read_bytes())
    assert_collection_conforms(document, SAMPLE_BODY)
    assert [a["creator"]["nickname"] for a in items(document)] == ["alice", "bob"]
    stdout = io.StringIO()
    call_command("export_annotations", "--outlet", "Desk Daily", stdout=stdout)
    assert items(json.loads(stdout.getvalue())) == items(document)


def test_the_command_takes_a_base_url_and_refuses_without_one(settings, article, alice):
    label_quote(article, alice, "Officials", "official_claim")
    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="set SITE_URL or pass --base-url"):
        call_command("export_annotations", stdout=io.StringIO())
    with pytest.raises(CommandError, match="must be http"):
        call_command("export_annotations", "--base-url", "ftp://x", stdout=io.StringIO())
    stdout = io.StringIO()
    call_command("export_annotations", "--base-url", "https://desk.example/", stdout=stdout)
    (annotation,) = items(json.loads(stdout.getvalue()))
    assert annotation["id"].startswith(f"https://desk.example/articles/{article.id}/")
