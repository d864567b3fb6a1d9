"""Articles in: pasted HTML, files, duplicates, locked bodies."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from annotations.htmltext import html_to_text, looks_like_html
from annotations.ingest import ArticleData, ArticleLocked, save_article, set_body
from annotations.labelling import label_span
from annotations.models import Article


def test_html_keeps_paragraphs_and_line_breaks():
    html = "<h1>Head</h1><p>First <b>bold</b> para.</p><p>Second<br>line</p><ul><li>a</li><li>b</li></ul>"
    assert html_to_text(html) == "Head\n\nFirst bold para.\n\nSecond\nline\n\na\n\nb"


def test_html_script_and_style_contents_are_gone():
    html = "<p>Safe</p><script>alert('x')</script><style>p{color:red}</style><p>text</p>"
    assert html_to_text(html) == "Safe\n\ntext"


def test_html_entities_are_decoded_once():
    assert (
        html_to_text("<p>Tom &amp; Jerry &lt;3 &nbsp;&#8212; &amp;lt;</p>")
        == "Tom & Jerry <3 — &lt;"
    )


def test_html_event_handlers_and_svg_leave_no_trace():
    html = '<p onclick="alert(1)">Hi<img src=x onerror=alert(2)></p><svg onload=alert(3)><text>boo</text></svg>'
    assert html_to_text(html) == "Hi"


def test_broken_html_still_gives_its_text():
    assert html_to_text("<p>open <b>bold <i>both</p><div>next") == "open bold both\n\nnext"


def test_source_line_breaks_inside_a_paragraph_are_spaces():
    assert html_to_text("<p>one\ntwo</p>") == "one two"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a < b and c > d", False), ("I <3 it", False), ("<p>para</p>", True), ("x<br>y", True)],
)
def test_looks_like_html(text, expected):
    assert looks_like_html(text) is expected


def test_saving_the_same_text_twice_returns_the_first_article(db):
    first, created = save_article(ArticleData(title="One", body="Same text."))
    again, created_again = save_article(ArticleData(title="Other title", body="Same   text.\n"))
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Article.objects.count() == 1


def test_a_javascript_url_is_refused(db):
    with pytest.raises(ValidationError) as error:
        save_article(ArticleData(title="T", body="Body.", url="javascript:alert(1)"))
    assert "url" in error.value.message_dict


def test_body_cannot_change_once_it_has_spans(article, alice):
    label_span(
        article=article, reviewer=alice, start=0, end=9, quote="Officials", kind="official_claim"
    )
    with pytest.raises(ArticleLocked):
        set_body(article, "Entirely new text.")


def test_import_command_reads_txt_html_and_json_and_is_idempotent(db, tmp_path):
    (tmp_path / "a.txt").write_text("Title A\n\nBody of A.\n\nSecond paragraph.", encoding="utf-8")
    (tmp_path / "b.html").write_text(
        "<html><head><title>Title B</title></head><body><p>Body &amp; B</p>"
        "<script>evil()</script></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "c.json").write_text(
        json.dumps(
            {"title": "Title C", "body": "Body C", "outlet": "Wire", "published": "2022-11-25"}
        ),
        encoding="utf-8",
    )
    paths = [str(tmp_path / name) for name in ("a.txt", "b.html", "c.json")]
    call_command("import_articles", *paths, stdout=StringIO())
    call_command("import_articles", *paths, stdout=StringIO())

    articles = {a.title: a for a in Article.objects.all()}
    assert sorted(articles) == ["Title A", "Title B", "Title C"]
    assert articles["Title A"].body == "Body of A.\n\nSecond paragraph."
    assert articles["Title B"].body == "Body & B"
    assert articles["Title C"].outlet == "Wire"
    assert str(articles["Title C"].published) == "2022-11-25"


def test_import_command_reports_a_bad_file_and_imports_the_rest(db, tmp_path):
    (tmp_path / "good.txt").write_text("Good\n\nText.", encoding="utf-8")
    (tmp_path / "bad.json").write_text(json.dumps({"title": "No body"}), encoding="utf-8")
    with pytest.raises(CommandError, match="bad.json"):
        call_command(
            "import_articles",
            str(tmp_path / "bad.json"),
            str(tmp_path / "good.txt"),
            stdout=StringIO(),
        )
    assert list(Article.objects.values_list("title", flat=True)) == ["Good"]
