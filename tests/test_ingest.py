"""Articles in: pasted HTML, files, duplicates, locked bodies."""

from __future__ import annotations

import json
import time
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from annotations.htmltext import html_to_text, looks_like_html
from annotations.ingest import ArticleData, save_article
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


def test_import_command_reads_txt_html_and_json_and_is_idempotent(db, tmp_path):
    (tmp_path / "a.txt").write_text("Title A\n\nBody of A.\n\nSecond paragraph.", encoding="utf-8")
    (tmp_path / "b.html").write_text(
        "<html><head><title>Title B | The Site</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<article><h1>Title B</h1><p>Body &amp; B: the council met on Monday night.</p>"
        "<p>It voted to keep the library open on Sundays for another year.</p>"
        "</article><script>evil()</script></body></html>",
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
    assert articles["Title B"].body == (
        "Body & B: the council met on Monday night.\n\n"
        "It voted to keep the library open on Sundays for another year."
    )
    assert articles["Title B"].outlet == "The Site"
    assert articles["Title C"].outlet == "Wire"
    assert str(articles["Title C"].published) == "2022-11-25"


def test_import_command_reports_a_bad_file_and_imports_the_rest(db, tmp_path):
    (tmp_path / "good.txt").write_text("Good\n\nText.", encoding="utf-8")
    (tmp_path / "bad.json").write_text(json.dumps({"title": "No body"}), encoding="utf-8")
    with pytest.raises(CommandError, match="1 of 2 files refused"):
        call_command(
            "import_articles",
            str(tmp_path / "bad.json"),
            str(tmp_path / "good.txt"),
            stdout=StringIO(),
        )
    assert list(Article.objects.values_list("title", flat=True)) == ["Good"]


# --- Refusing junk, one file at a time (issue 10) ---------------------------------------


def _import(tmp_path, files: dict[str, object]) -> tuple[str, str, CommandError | None]:
    """Write ``files`` (JSON for objects, text for str) and import them all; stdout,
    stderr and the CommandError that makes the exit status non-zero, if any."""
    paths = []
    for name, content in files.items():
        path = tmp_path / name
        text = content if isinstance(content, str) else json.dumps(content)
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", *paths, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


BAD_RECORDS = {
    "published-number.json": (
        {"title": "T1", "body": "B1", "published": 20260101},
        "published must be a date written YYYY-MM-DD, not the number 20260101",
    ),
    "published-list.json": (
        {"title": "T2", "body": "B2", "published": ["2026-01-01"]},
        "published must be a date written YYYY-MM-DD, not a list",
    ),
    "published-nonsense.json": (
        {"title": "T3", "body": "B3", "published": "yesterday"},
        "published must be a date written YYYY-MM-DD, not 'yesterday'",
    ),
    "title-null.json": ({"title": None, "body": "B4"}, "title must be text, not null"),
    "title-object.json": ({"title": {"a": 1}, "body": "B5"}, "title must be text, not an object"),
    "title-empty.json": ({"title": "  ", "body": "B6"}, "title is empty"),
    "body-number.json": ({"title": "T7", "body": 7}, "body must be text, not the number 7"),
    "body-missing.json": ({"title": "T8"}, "body is missing"),
    "outlet-list.json": ({"title": "T9", "body": "B9", "outlet": ["x"]}, "outlet must be text"),
    "outlet-nul.json": (
        {"title": "T10", "body": "B10", "outlet": "Wire\x00"},
        "outlet contains a NUL character",
    ),
    "byline-nul.json": (
        {"title": "T11", "body": "B11", "byline": "\x00"},
        "byline contains a NUL character",
    ),
    "unknown-field.json": (
        {"title": "T12", "body": "B12", "author": "Someone"},
        "unknown field 'author' (known: title, body, outlet, url, byline, published)",
    ),
    "not-an-object.json": (["title", "body"], "a JSON article must be an object"),
    "not-json.json": ("{'title': 'T14'", "is not valid JSON"),
    "bad-url.json": (
        {"title": "T15", "body": "B15", "url": "javascript:x"},
        "url: Enter a valid URL.",
    ),
}


def test_import_refuses_each_bad_record_with_its_reason_and_imports_the_rest(db, tmp_path):
    files = {name: record for name, (record, _) in BAD_RECORDS.items()}
    files["good.json"] = {"title": "Good", "body": "Good text.", "outlet": None}
    out, err, refused = _import(tmp_path, files)
    assert list(Article.objects.values_list("title", "outlet")) == [("Good", "")]
    for name, (_, reason) in BAD_RECORDS.items():
        assert f"{name}: {reason}" in err, name
    assert refused is not None  # exit status 1
    assert str(refused) == f"{len(BAD_RECORDS)} of {len(files)} files refused (listed above)."
    assert f"1 imported, 0 already present, {len(BAD_RECORDS)} refused." in out


def test_import_refuses_deeply_nested_files_at_once(db, tmp_path):
    deep_html = "<div>" * 100_000 + "</div>" * 100_000
    files = {
        "deep-body.json": {"title": "Deep", "body": deep_html},  # 1.1 MB
        "deep-json.json": '{"title": "T", "body": "B", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "deep.html": "<title>Deep</title>" + "<div>" * 30_000 + "x" + "</div>" * 30_000,
        "good.txt": "Good\n\nText.",
    }
    started = time.perf_counter()
    out, err, refused = _import(tmp_path, files)
    assert time.perf_counter() - started < 3
    assert "deep-body.json: The pasted HTML is nested more than 256 levels deep" in err
    assert "deep-json.json: the JSON is nested too deeply" in err
    assert "deep.html: The page's markup is nested more than 200 levels deep" in err
    assert refused is not None
    assert list(Article.objects.values_list("title", flat=True)) == ["Good"]


def test_a_deeply_nested_paste_is_refused_at_once(alice_client, db):
    body = "<div>" * 30_000 + "x" + "</div>" * 30_000  # 330 kB
    started = time.perf_counter()
    response = alice_client.post("/articles/new/", {"title": "Deep", "body": body})
    assert time.perf_counter() - started < 1
    assert response.status_code == 400
    assert "nested more than 256 levels deep" in response.content.decode()
    assert not Article.objects.exists()
