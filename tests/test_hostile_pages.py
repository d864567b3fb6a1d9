"""The hostile corpus through the label endpoints, the span panel, the reports, the admin and
the CSV: refused with a readable 4xx, or shown inert (and exported without formulas)."""

from __future__ import annotations

import csv
import io
import unicodedata
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils.html import escape

from annotations.ingest import fingerprint
from annotations.labelling import LabelError, clean_label_fields, label_span
from annotations.models import EDITORS_GROUP, Article, Label
from annotations.text import canonicalize
from tests.hostile import PAYLOADS, URLS, assert_inert

HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
HOSTILE_NAME = "<svg onload=alert(1)>"
SHOWN = [p for p in PAYLOADS if "\x00" not in p.text and len(p.text) <= 2000]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _note_or_empty(text: str) -> str:
    try:
        return clean_label_fields("verified_fact", text, "")[1]
    except LabelError:
        return ""


@pytest.fixture
def hostile(alice) -> dict[str, int]:
    """An article made of the corpus, labelled by alice and by an editor named with markup."""
    villain = User.objects.create_user(HOSTILE_NAME, password="x")
    villain.groups.add(Group.objects.get(name=EDITORS_GROUP))
    body = canonicalize("\n\n".join(f"{p.name}: {p.text}" for p in SHOWN))
    article = Article.objects.create(
        title=SHOWN[0].text,
        outlet=SHOWN[2].text,
        byline=SHOWN[4].text,
        body=body,
        fingerprint=fingerprint(body),
        url="https://example.com/?q=<script>alert(1)</script>",
    )
    good_urls = [u.url for u in URLS if u.accepted]
    for n, payload in enumerate(SHOWN):
        start = body.index(payload.name + ": ")
        paragraph_end = body.find("\n\n", start) % (len(body) + 1)
        end = min(paragraph_end, start + len(payload.name) + 42)  # some of the payload too
        while body[end - 1].isspace():
            end -= 1
        for reviewer, kind in ((alice, "verified_fact"), (villain, "unsourced_speculation")):
            label_span(
                article=article,
                reviewer=reviewer,
                start=start,
                end=end,
                quote=body[start:end],
                kind=kind,
                note=_note_or_empty(payload.text),
                source_url=good_urls[n % len(good_urls)],
            )
    return {"article": article.id, "span": article.spans.earliest("pk").id, "villain": villain.id}


# --- The label endpoints -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"note": "<script>alert(1)</script>"},
            "Notes are plain text: please remove the HTML markup",
        ),
        ({"note": "n" * 100_000}, "The note is too long (100,000 characters; the limit is 2,000)."),
        (
            {"source_url": "javascript:alert(1)"},
            "The source must be a web address starting with http",
        ),
        (
            {"source_url": "data:text/html,<script>alert(1)</script>"},
            "The source must be a web address",
        ),
        ({"kind": "<script>"}, "Sourcemark has no such label"),
        ({"quote": "<script>alert(1)</script>"}, ""),  # not the text at those offsets: 409
    ],
)
def test_hostile_label_fields_are_refused_readably(alice_client, article, fields, message):
    data = {"start": "0", "end": "9", "quote": "Officials", "kind": "verified_fact", **fields}
    response = alice_client.post(f"/articles/{article.id}/labels/", data, **HX)
    html = response.content.decode()
    assert response.status_code == (409 if "quote" in fields else 400)
    assert message in html
    assert "<html" not in html  # the toolbar's message, not a page
    assert_inert(html)
    assert not Label.objects.exists()


def test_a_hostile_change_is_refused_and_changes_nothing(alice_client, article, alice):
    label = label_span(
        article=article, reviewer=alice, start=0, end=9, quote="Officials", kind="verified_fact"
    )
    response = alice_client.post(
        f"/articles/{article.id}/labels/{label.id}/",
        {"kind": "official_claim", "note": '<img src=x onerror="alert(1)">', "source_url": ""},
        **HX,
    )
    assert response.status_code == 400
    label.refresh_from_db()
    assert (label.kind, label.note) == ("verified_fact", "")


# --- Pages -------------------------------------------------------------------------------


def test_the_article_page_and_every_span_panel_are_inert(alice_client, hostile):
    article = Article.objects.get(pk=hostile["article"])
    assert_inert(alice_client.get(f"/articles/{article.id}/").content.decode())
    for span in article.spans.all():
        fragment = alice_client.get(
            f"/articles/{article.id}/spans/{span.id}/", **HX
        ).content.decode()
        assert_inert(fragment)
        assert escape(HOSTILE_NAME) in fragment
    page = alice_client.get(f"/articles/{article.id}/spans/{hostile['span']}/").content.decode()
    assert_inert(page)


def test_the_report_and_the_overview_are_inert(carol_client, hostile):
    report = carol_client.get(f"/articles/{hostile['article']}/report/")
    assert report.status_code == 200
    assert_inert(report.content.decode())
    assert escape(SHOWN[0].text) in report.content.decode()
    overview = carol_client.get("/reports/")
    assert overview.status_code == 200
    assert_inert(overview.content.decode())
    assert escape(SHOWN[0].text) in overview.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/annotations/article/",
        "/admin/annotations/article/{article}/change/",
        "/admin/annotations/span/",
        "/admin/annotations/span/{span}/change/",
        "/admin/annotations/label/",
        "/admin/annotations/label/?q=script",
        "/admin/auth/user/",
        "/admin/auth/user/{villain}/change/",
    ],
)
def test_the_admin_is_inert(staff_client, hostile, url):
    response = staff_client.get(url.format(**hostile))
    assert response.status_code == 200
    assert_inert(response.content.decode())


def test_the_label_admin_and_its_history_are_inert(staff_client, hostile):
    label = Label.objects.filter(reviewer_id=hostile["villain"]).earliest("pk")
    for url in (
        f"/admin/annotations/label/{label.id}/change/",
        f"/admin/annotations/label/{label.id}/history/",
    ):
        response = staff_client.get(url)
        assert response.status_code == 200
        assert_inert(response.content.decode())


# --- The CSV -----------------------------------------------------------------------------


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            visible = cell.lstrip("".join(ch for ch in set(cell) if _invisible(ch)))
            starts = unicodedata.normalize("NFKC", visible[:1])
            assert not cell.startswith(FORMULA_STARTS), f"a spreadsheet would run {cell[:40]!r}"
            assert starts not in FORMULA_STARTS, f"a spreadsheet may run {cell[:40]!r}"


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


def test_the_article_csv_keeps_every_payload_as_text_without_formulas(carol_client, hostile):
    response = carol_client.get(f"/articles/{hostile['article']}/labels.csv")
    assert response.status_code == 200
    rows = _rows(response)
    assert len(rows) == 1 + Label.objects.count()
    _assert_no_formula(rows)
    cells = {cell for row in rows for cell in row}
    assert HOSTILE_NAME in cells
    notes = {n for n in Label.objects.values_list("note", flat=True) if n}
    # Every note is exported exactly, or with the apostrophe that disarms a formula.
    assert notes <= cells | {cell[1:] for cell in cells if cell.startswith("'")}


@pytest.mark.parametrize(("changelist", "selected"), [("label", "label"), ("article", "article")])
def test_the_admin_csv_actions_export_without_formulas(staff_client, hostile, changelist, selected):
    ids = (
        [str(hostile["article"])]
        if selected == "article"
        else [str(pk) for pk in Label.objects.values_list("id", flat=True)]
    )
    response = staff_client.post(
        f"/admin/annotations/{changelist}/",
        {"action": "export_labels_csv", "_selected_action": ids},
    )
    assert response.status_code == 200
    rows = _rows(response)
    assert len(rows) == 1 + Label.objects.count()
    _assert_no_formula(rows)


def test_a_hostile_reviewer_sees_their_own_name_escaped(hostile):
    client = Client()
    client.force_login(User.objects.get(pk=hostile["villain"]))
    html = client.get(f"/articles/{hostile['article']}/").content.decode()
    assert f'<span class="who">{escape(HOSTILE_NAME)}</span>' in html
    assert_inert(html)
