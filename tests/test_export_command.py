"""python manage.py export_labels: the same file as the admin, for exports of any size."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from annotations.labelling import label_span
from annotations.models import Article, Label
from tests.exporting import HEADER, C, many_labels, parse_csv


@pytest.fixture
def labelled(article, alice, bob):
    """The sample article labelled by alice and bob, and a second outlet's article."""
    for reviewer, kind, note in [
        (alice, "official_claim", 'Said "so", twice,\nin print'),
        (bob, "verified_fact", "=cmd|' /C calc'!A0"),
    ]:
        label_span(
            article=article,
            reviewer=reviewer,
            start=0,
            end=9,
            quote="Officials",
            kind=kind,
            note=note,
        )
    other = many_labels(3, alice, title="Wire piece")
    Article.objects.filter(pk=other.pk).update(outlet="Wire")
    return article, other


def _admin_bytes(client, url: str, ids: list[int]) -> bytes:
    response = client.post(url, {"action": "export_labels_csv", "_selected_action": ids})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_it_writes_the_same_bytes_as_the_admin_action(staff_client, labelled, tmp_path):
    output = tmp_path / "all.csv"
    call_command("export_labels", "--output", str(output))
    every_label = list(Label.objects.values_list("id", flat=True))
    assert output.read_bytes() == _admin_bytes(
        staff_client, "/admin/annotations/label/", every_label
    )
    assert len(parse_csv(output.read_bytes())) == 1 + 5


def test_article_selection_matches_the_article_action(staff_client, labelled, tmp_path):
    article, other = labelled
    output = tmp_path / "one.csv"
    call_command("export_labels", "--output", str(output), "--article", str(article.id))
    assert output.read_bytes() == _admin_bytes(
        staff_client, "/admin/annotations/article/", [article.id]
    )
    rows = parse_csv(output.read_bytes())
    assert rows[0] == HEADER
    assert [row[C["note"]] for row in rows[1:]] == [
        'Said "so", twice,\nin print',
        "'=cmd|' /C calc'!A0",
    ]


def test_it_writes_to_stdout_by_default(labelled):
    out = io.StringIO()
    call_command("export_labels", "--article", str(labelled[0].id), stdout=out)
    rows = parse_csv(out.getvalue().encode("utf-8"))
    assert len(rows) == 3


def test_several_articles_and_an_outlet(labelled, tmp_path):
    article, other = labelled
    output = tmp_path / "x.csv"
    call_command(
        "export_labels", "-o", str(output), "--article", str(article.id), "--article", str(other.id)
    )
    assert len(parse_csv(output.read_bytes())) == 1 + 5
    call_command("export_labels", "-o", str(output), "--outlet", "Wire")
    rows = parse_csv(output.read_bytes())
    assert {row[C["outlet"]] for row in rows[1:]} == {"Wire"} and len(rows) == 1 + 3


def test_since_keeps_labels_changed_on_or_after_the_date(labelled, tmp_path):
    article, other = labelled
    old = datetime.datetime(2026, 11, 1, 23, 59, 59, tzinfo=datetime.UTC)
    Label.objects.filter(span__article=other).update(updated_at=old, created_at=old)
    output = tmp_path / "since.csv"
    call_command("export_labels", "-o", str(output), "--since", "2026-11-02")
    rows = parse_csv(output.read_bytes())
    assert {row[C["article id"]] for row in rows[1:]} == {str(article.id)}
    call_command("export_labels", "-o", str(output), "--since", "2026-11-01")
    assert len(parse_csv(output.read_bytes())) == 1 + 5


def test_a_bad_date_is_a_readable_error(db):
    with pytest.raises(CommandError, match="--since takes a date like 2026-11-28"):
        call_command("export_labels", "--since", "yesterday")


def test_an_unwritable_output_is_a_readable_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_labels", "-o", str(tmp_path / "missing" / "x.csv"))
