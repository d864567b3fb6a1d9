"""Audit trail: every label created, changed or removed leaves a history row (who, when, what)."""

from __future__ import annotations

from typing import Any

import pytest

from annotations.labelling import LabelError, change_label, label_span, remove_label
from annotations.models import Label


def _officials(article, user, kind="official_claim", **fields):
    return label_span(
        article=article, reviewer=user, start=0, end=9, quote="Officials", kind=kind, **fields
    )


def test_create_change_remove_each_leave_a_row_with_the_values(article, alice):
    label = _officials(article, alice, note="As stated")
    change_label(
        label, alice, kind="verified_fact", note="Checked", source_url="https://gov.example/a"
    )
    label_id = label.pk
    remove_label(label, alice)

    rows = list(Label.history.filter(id=label_id).order_by("history_date", "history_id"))
    assert [row.history_type for row in rows] == ["+", "~", "-"]
    assert [(row.kind, row.note, row.source_url) for row in rows] == [
        ("official_claim", "As stated", ""),
        ("verified_fact", "Checked", "https://gov.example/a"),
        ("verified_fact", "Checked", "https://gov.example/a"),  # what was removed
    ]
    assert all(row.reviewer_id == alice.pk for row in rows)
    assert rows[0].history_date <= rows[1].history_date <= rows[2].history_date
    # Who changed and who removed it, even outside a request; a label made outside one
    # names nobody, as django-simple-history leaves it (the panel says "(system)").
    assert [row.history_user for row in rows] == [None, alice, alice]
    assert rows[0].created_at == rows[1].created_at == rows[2].created_at


def test_a_change_shows_before_and_after(article, alice):
    label = _officials(article, alice)
    label_span(
        article=article,
        reviewer=alice,
        start=0,
        end=9,
        quote="Officials",
        kind="unsourced_speculation",
    )
    before, after = Label.history.filter(id=label.pk).order_by("history_date", "history_id")
    delta = after.diff_against(before)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("kind", "official_claim", "unsourced_speculation")
    ]


def test_relabelling_with_the_same_values_records_nothing(article, alice):
    label = _officials(article, alice, note="n")
    _officials(article, alice, note="n")
    change_label(label, alice, kind="official_claim", note="  n  ", source_url="")
    assert Label.history.filter(id=label.pk).count() == 1


def test_a_refused_change_records_nothing(article, alice, bob):
    label = _officials(article, alice)
    with pytest.raises(LabelError):
        change_label(label, bob, kind="verified_fact", note="", source_url="")
    with pytest.raises(LabelError):
        change_label(label, alice, kind="verified_fact", note="<b>x</b>", source_url="")
    with pytest.raises(LabelError):
        remove_label(label, bob)
    assert Label.history.filter(id=label.pk).count() == 1
    label.refresh_from_db()
    assert label.kind == "official_claim"


def test_each_reviewer_has_their_own_trail(article, alice, bob):
    mine = _officials(article, alice)
    theirs = _officials(article, bob, kind="verified_fact")
    mine_id = mine.pk
    remove_label(mine, alice)
    assert list(Label.history.filter(id=theirs.pk).values_list("history_type", flat=True)) == ["+"]
    assert sorted(Label.history.filter(id=mine_id).values_list("history_type", flat=True)) == [
        "+",
        "-",
    ]


HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def test_writes_through_the_app_record_the_logged_in_editor(alice_client, article, alice):
    fields = {"start": "0", "end": "9", "quote": "Officials", "kind": "official_claim"}
    assert alice_client.post(f"/articles/{article.id}/labels/", fields, **HX).status_code == 200
    label = Label.objects.get()
    change = {"kind": "verified_fact", "note": "Ministry release", "source_url": ""}
    url = f"/articles/{article.id}/labels/{label.id}/"
    assert alice_client.post(url, change, **HX).status_code == 200
    assert alice_client.post(url + "remove/", {}, **HX).status_code == 200
    rows = Label.history.filter(id=label.id).order_by("history_date", "history_id")
    assert [(r.history_type, r.kind, r.history_user) for r in rows] == [
        ("+", "official_claim", alice),
        ("~", "verified_fact", alice),
        ("-", "verified_fact", alice),
    ]


def test_the_trail_is_shown_in_the_span_panel_and_the_admin(
    alice_client, staff_client, article, alice
):
    label = _officials(article, alice)
    change_label(label, alice, kind="verified_fact", note="Ministry release", source_url="")
    panel = alice_client.get(f"/articles/{article.id}/spans/{label.span_id}/", **HX)
    assert "Official claim → Verified fact" in panel.content.decode()
    history = staff_client.get(f"/admin/annotations/label/{label.id}/history/")
    html = history.content.decode()
    assert history.status_code == 200
    assert "alice" in html and "Ministry release" in html
