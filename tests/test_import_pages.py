"""``import_articles`` reads saved web pages (and directories of them) with the same
extraction as the New article page, and says per file what it kept or why it refused."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.models import Article
from bench.extraction import PAGES_DIR
from tests.local_web import PAGES

FERRY = PAGES["regional-ferry-captions-related"]
FRENCH = PAGES["french-legacy-windows-1252"]


def run(*args: str) -> tuple[str, str, CommandError | None]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    """A folder as an editor's downloads look: pages, a browser's NAME_files folder, junk."""
    pages = tmp_path / "pages"
    (pages / "march").mkdir(parents=True)
    shutil.copy(PAGES_DIR / f"{FERRY.name}.html", pages / "march" / "ferry.html")
    shutil.copy(PAGES_DIR / f"{FRENCH.name}.html", pages / "french.htm")
    (pages / "ferry_files").mkdir()
    (pages / "ferry_files" / "ad-frame.html").write_text("<p>Win a car today!</p>" * 5)
    (pages / "ferry_files" / "app.js").write_text("alert(1)")
    (pages / "notes.odt").write_bytes(b"PK")
    return pages


def test_a_directory_is_imported_page_by_page_with_what_was_kept(db, saved):
    out, err, refused = run(str(saved))
    assert refused is None and err == ""
    lines = out.splitlines()
    assert len(lines) == 3  # two pages and the summary: nothing from ferry_files, no .odt
    ferry = Article.objects.get(outlet="The Harbour Herald")
    assert lines[1] == (
        f"Imported {saved / 'march' / 'ferry.html'} as article {ferry.id}: "
        f"“{FERRY.expected['title']}” — The Harbour Herald, 2026-03-20, "
        f"by Sarah Lindqvist, Tomás Ferreira; {len(ferry.body.split()):,} words "
        f"({len(ferry.body):,} characters) in {len(FERRY.expected['paragraphs'])} paragraphs"
    )
    assert lines[0].startswith(f"Imported {saved / 'french.htm'} as article ")
    assert lines[2] == "2 imported, 0 already present, 0 refused."
    assert ferry.body == "\n\n".join(FERRY.expected["paragraphs"])
    assert ferry.byline == "Sarah Lindqvist, Tomás Ferreira"


def test_a_legacy_charset_file_reads_as_its_page_declares(db, saved):
    run(str(saved / "french.htm"))
    article = Article.objects.get()
    assert article.title == FRENCH.expected["title"]
    assert article.body == "\n\n".join(FRENCH.expected["paragraphs"])
    assert "\ufffd" not in article.body


def test_running_it_again_skips_each_page_by_its_text(db, saved):
    run(str(saved))
    out, _, refused = run(str(saved))
    assert refused is None
    assert "(same text)" in out
    assert "0 imported, 2 already present, 0 refused." in out
    assert Article.objects.count() == 2


def test_a_page_from_an_address_already_stored_is_skipped_unless_asked(db, saved, article):
    article.url = "http://www.harbourherald.example/news/island-ferry-cancelled-third-week-repairs-overrun-48213?utm_medium=email"
    article.save()
    path = str(saved / "march" / "ferry.html")
    out, _, refused = run(path)
    assert refused is None
    assert f"an article from the same address is stored as article {article.id}" in out
    assert Article.objects.count() == 1
    out, _, _ = run(path, "--same-address-too")
    assert "1 imported" in out
    assert Article.objects.count() == 2


def test_a_page_that_cannot_be_read_is_refused_and_the_rest_imported(db, saved):
    (saved / "deep.html").write_text("<html><body>" + "<div>" * 300 + "<p>x</p></body></html>")
    (saved / "nav-only.html").write_text(
        "<html><body><nav><a href='/'>Home</a></nav></body></html>"
    )
    (saved / "empty-folder").mkdir()
    out, err, refused = run(str(saved), str(saved / "empty-folder"))
    assert f"Refused {saved / 'deep.html'}: The page's markup is nested more than 200" in err
    assert f"Refused {saved / 'nav-only.html'}: No article text was found" in err
    assert (
        f"Refused {saved / 'empty-folder'}: holds no file to import (.txt, .html, .htm, .json)"
        in err
    )
    assert "2 imported, 0 already present, 3 refused." in out
    assert str(refused) == "3 of 5 files refused (listed above)."
