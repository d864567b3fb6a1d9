"""Saved web pages become clean articles: the story's paragraphs and the page's metadata.

Each page in ``tests/webpages/`` was written for these tests, with the
paragraphs an editor expects and the boilerplate that must not survive
(``bench/extraction.py`` measures the same set). The corpus itself is checked
first, so an expectation can fail: every expected paragraph and every
boilerplate line really is on its page.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import socket
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.text import canonicalize
from annotations.webpages.decoding import decode_page
from annotations.webpages.extract import ExtractedPage, PageRefused, extract_page
from annotations.webpages.guard import PageLimits, check_markup
from bench.extraction import (
    Case,
    boilerplate_kept,
    expected_metadata,
    hostile_pages,
    load_cases,
    match_paragraphs,
    metadata_values,
    realistic_megabyte_page,
)

CASES = load_cases()
IDS = [case.name for case in CASES]


def extract(case: Case) -> ExtractedPage:
    return extract_page(case.html, content_type=case.content_type)


def page_text(case: Case) -> str:
    """Everything a reader of the page's source could see: text, and JSON-LD strings."""
    decoded = decode_page(case.html, case.content_type).text
    visible = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", decoded)).split())
    for block in re.findall(r"ld\+json\">(.*?)</script>", decoded, re.DOTALL):
        visible += " " + " ".join(json.dumps(json.loads(block), ensure_ascii=False).split())
        visible += " " + " ".join(str(json.loads(block).get("articleBody", "")).split())
    return visible


# --- the corpus is what it claims ------------------------------------------------


def test_there_are_at_least_twelve_saved_pages():
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_expectation_is_really_on_its_page(case):
    text = page_text(case)
    for paragraph in case.expected["paragraphs"]:
        for line in paragraph.split("\n"):
            for cell in line.split(" | "):
                assert " ".join(canonicalize(cell).split()) in text, cell
    for line in case.expected["boilerplate"]:
        assert " ".join(line.split()) in text, line
        for paragraph in case.expected["paragraphs"]:
            assert line not in paragraph, f"boilerplate {line!r} is part of the story"


def test_the_scoring_tells_a_changed_paragraph_from_the_expected_one():
    expected = ["The council voted 6–3 on Tuesday to approve the bike lanes on Mill Street."]
    assert match_paragraphs(expected, [expected[0].replace("6–3", "6-3")]) == [(0, 0)]
    assert match_paragraphs(expected, ["The council voted on Tuesday."]) == []
    assert match_paragraphs(expected, [expected[0], expected[0]]) == [(0, 0)]


# --- each page --------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_story_is_kept_paragraph_by_paragraph(case):
    page = extract(case)
    expected = case.expected["paragraphs"]
    pairs = match_paragraphs(expected, list(page.paragraphs))
    missing = [p for i, p in enumerate(expected) if i not in {i for i, _ in pairs}]
    extra = [p for j, p in enumerate(page.paragraphs) if j not in {j for _, j in pairs}]
    assert missing == []
    assert extra == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_no_boilerplate_is_kept(case):
    assert boilerplate_kept(case.expected, extract(case)) == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_metadata_is_read(case):
    assert metadata_values(extract(case)) == expected_metadata(case.expected)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_body_is_canonical_text(case):
    page = extract(case)
    assert canonicalize(page.body) == page.body
    assert page.body.split("\n\n") == list(page.paragraphs)
    assert page.words == len(page.body.split())


def test_list_items_are_lines_and_a_table_is_rows_of_cells():
    ghost = extract(next(c for c in CASES if c.name == "ghost-investigation-list"))
    assert ghost.paragraphs[4].count("\n") == 2
    drupal = extract(next(c for c in CASES if c.name == "drupal-election-table"))
    assert "Rosa Delgado | Independent | 4,812 | 46.1%" in drupal.paragraphs[3].split("\n")


def test_what_was_removed_is_listed_for_the_preview():
    tabloid = extract(next(c for c in CASES if c.name == "tabloid-scratchcard-bullets"))
    removed = "\n".join(tabloid.removed)
    for gone in (
        "Credit: Supplied",
        "READ MORE: Lottery winner",
        "MOST READ NEWS",
        "Comments (127)",
    ):
        assert gone in removed
    for paragraph in tabloid.paragraphs:
        assert paragraph not in tabloid.removed


def test_legacy_charsets_are_decoded_from_a_meta_tag_or_the_http_header():
    french = extract(next(c for c in CASES if c.name == "french-legacy-windows-1252"))
    assert french.encoding == "windows-1252"
    assert "180 € à 210 €" in french.body and "bœuf" in french.body and "direct…" in french.body
    spanish = next(c for c in CASES if c.name == "spanish-latin1-http-header")
    assert "¿Llegarán a tiempo?" in extract(spanish).body
    # Saved without its header, the page is not UTF-8, so the legacy default applies.
    assert "¿Llegarán a tiempo?" in extract_page(spanish.html).body


def test_a_page_with_its_story_only_in_json_ld_uses_the_article_body():
    page = extract(next(c for c in CASES if c.name == "jsonld-only-drought"))
    assert page.text_source == "json-ld"
    assert len(page.paragraphs) == 6


def test_extraction_never_touches_the_network(monkeypatch):
    def refuse(*args: object) -> None:
        raise AssertionError("extraction opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for case in CASES:
        extract_page(case.html, content_type=case.content_type, url="https://example.org/a")


def test_the_address_it_came_from_is_the_url_when_the_page_names_none():
    french = next(c for c in CASES if c.name == "french-legacy-windows-1252")
    page = extract_page(french.html, url="https://echo-du-vallon.example/marche.html")
    assert page.url == "https://echo-du-vallon.example/marche.html"


# --- decoding ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "content_type", "text", "source"),
    [
        (b'<meta charset="windows-1252"><p>\x93caf\xe9\x94 \x80</p>', "", "“café” €", "meta"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>\x93\xe9</p>',
            "",
            "“é",
            "meta",
        ),
        (b"<p>\xe9t\xe9</p>", "text/html; charset=latin1", "été", "http-header"),
        (
            b'<meta charset="utf-8"><p>\xe9</p>',
            "text/html; charset=windows-1252",
            "é",
            "http-header",
        ),
        ("<p>é</p>".encode("utf-16"), "text/html; charset=windows-1252", "é", "bom"),
        (b"\xef\xbb\xbf<p>\xc3\xa9</p>", "", "é", "bom"),
        (b"<p>\xc3\xa9t\xc3\xa9</p>", "", "été", "utf-8"),
        (b"<p>\xe9t\xe9</p>", "", "été", "default"),
        (b'<meta charset="utf-16"><p>\xc3\xa9</p>', "", "é", "meta"),
    ],
)
def test_the_encoding_is_chosen_as_a_browser_chooses_it(raw, content_type, text, source):
    decoded = decode_page(raw, content_type)
    assert text in decoded.text
    assert decoded.source == source


# --- limits -----------------------------------------------------------------------

STORY = "".join(
    f"<p>Paragraph {i} of an ordinary story, long enough to be read as the article's text.</p>"
    for i in range(8)
)


def flood(count: int) -> str:
    return " ".join(f"a{i}" for i in range(count))


@pytest.mark.parametrize(
    "markup",
    [
        f"<div {flood(5000)}>",
        # Hidden from a naive scan: a quoted ">" inside the tag.
        f'<div title=">" {flood(5000)}>',
        # Markup in a script's text is not markup: the flood after it is.
        f"<script>x = '<a b=\"';</script><div {flood(5000)}>",
        # A comment closed the HTML5 way ("--!>") does not hide what follows.
        f"<!-- note --!><div {flood(5000)}>",
        # A tag that never closes swallows the rest of the page.
        f"<div {flood(5000)}",
        # html5lib reads <noscript> as text, but libxml2 parses what is inside.
        f"<noscript><div {flood(5000)}></noscript>",
    ],
)
def test_an_attribute_flood_is_refused_before_parsing(markup):
    # The bounds in this module are CPU time, so a busy machine does not fail them.
    page = f"<html><body>{STORY}{markup}</body></html>"
    started = time.process_time()
    with pytest.raises(PageRefused, match="more than 100 attributes"):
        extract_page(page)
    assert time.process_time() - started < 1


def test_markup_inside_a_script_or_comment_is_not_counted():
    hidden = f"<div {flood(5000)}>"
    check_markup(f"<html><body><script>var s = '{hidden}';</script><!-- {hidden} --></body></html>")


def test_deep_nesting_is_refused_instead_of_silently_cut():
    page = "<html><body>" + "<div>" * 300 + STORY + "</div>" * 300 + "</body></html>"
    with pytest.raises(PageRefused, match="nested more than 200 levels deep"):
        extract_page(page)
    shallow = "<html><body>" + "<div>" * 150 + STORY + "</div>" * 150 + "</body></html>"
    assert "Paragraph 7" in extract_page(shallow).body


def test_nesting_only_libxml2_builds_is_refused_too():
    # Shallow by the HTML5 rules (each <p> closes the last), so the markup guard lets
    # it through; libxml2 nests it, and would cut the page at depth 256.
    page = "<html><body>" + "<p><q><label>" * 300 + STORY + "</body></html>"
    check_markup(page)
    with pytest.raises(PageRefused, match="nested more than 200 levels deep"):
        extract_page(page)


def test_huge_attribute_values_are_cut_not_read():
    page = f"<html><body><div class='{'x ' * 1_000_000}'>{STORY}</div></body></html>"
    started = time.process_time()
    assert "Paragraph 7" in extract_page(page).body
    assert time.process_time() - started < 2


def test_too_many_elements_and_too_many_characters_are_refused():
    with pytest.raises(PageRefused, match="too complex"):
        extract_page("<html><body>" + "<i></i>" * 50_000 + STORY + "</body></html>")
    with pytest.raises(PageRefused, match="too large"):
        extract_page(STORY, limits=PageLimits(max_chars=100))


@pytest.mark.parametrize("name", list(hostile_pages()))
def test_every_hostile_page_of_the_benchmark_ends_quickly(name):
    started = time.process_time()
    with contextlib.suppress(PageRefused):
        extract_page(hostile_pages()[name])
    # Generous: the benchmark measures; this only catches a return to quadratic cost.
    assert time.process_time() - started < 5


def test_a_realistic_megabyte_page_is_extracted_without_its_boilerplate():
    page = realistic_megabyte_page()
    assert len(page) >= 1_000_000
    started = time.process_time()
    extracted = extract_page(page)
    assert time.process_time() - started < 5  # the benchmark's target is 1 s
    assert "Reader 12" not in extracted.body
    assert len(extracted.paragraphs) == 8


def test_a_page_without_a_story_is_refused_with_a_message():
    with pytest.raises(PageRefused, match="No article text was found"):
        extract_page(b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    with pytest.raises(PageRefused, match="does not contain a web page"):
        extract_page(b"   ")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<div>",
                "</div>",
                "<br>",
                "<li>",
                "<table><tr><td>",
                "<blockquote>",
                "&amp;",
                "<!--",
                "-->",
                "<script>",
                "</script>",
                "word ",
                "Wörter ",
                "\u00a0",
                "\x00",
                "🇺🇦 ",
            ]
        ),
        max_size=200,
    )
)
def test_any_markup_gives_canonical_text_or_a_refusal(parts):
    try:
        page = extract_page("<html><body>" + "".join(parts) + "</body></html>")
    except PageRefused:
        return
    assert canonicalize(page.body) == page.body
    assert all(page.paragraphs)


def test_the_benchmark_writes_its_section_and_leaves_the_rest(monkeypatch):
    from bench import extraction
    from bench.report import splice

    cost = extraction.Cost(1_048_576, [0.2, 0.3], [("30,000 nested <div>s", 0.001, "refused: x")])
    summary = extraction.summarise(CASES[:2])
    section = extraction.markdown(summary, cost)
    assert "| Paragraph F1 | 1.000 | ≥ 0.95 | **PASS** |" in section
    assert "30,000 nested &lt;div>s" in section
    existing = "<!-- bench:start -->\nbench\n<!-- bench:end -->\n\n## Load test\n"
    once = splice(existing, section, start=extraction.START, end=extraction.END, first=False)
    assert once.startswith(existing.rstrip()) and once.rstrip().endswith(extraction.END)
    again = splice(once, "## new", start=extraction.START, end=extraction.END, first=False)
    assert "## new" in again and "Paragraph F1" not in again and "## Load test" in again
