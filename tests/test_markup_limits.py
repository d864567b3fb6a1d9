"""The depth and size guard that runs before the sanitiser (annotations/markup_limits.py)."""

from __future__ import annotations

import time

import bleach
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.htmltext import KEPT_TAGS, html_to_text
from annotations.markup_limits import MarkupTooComplex, check_markup, simplified
from tests.hostile import PAYLOADS, TOO_COMPLEX


def _depth_bleach_builds(html: str) -> int:
    """The deepest element of the tree bleach's own parser builds from ``html``."""
    cleaner = bleach.sanitizer.Cleaner(tags=KEPT_TAGS, attributes={}, strip=True)
    root = cleaner.parser.parseFragment(html)
    deepest, todo = 0, [(root, 0)]  # the fragment itself is no element
    while todo:
        node, depth = todo.pop()
        deepest = max(deepest, depth)
        todo.extend((child, depth + 1) for child in node)
    return deepest


def _estimate(html: str) -> int:
    """The smallest max_depth check_markup accepts ``html`` with."""
    low, high = 1, 4096
    while low < high:
        middle = (low + high) // 2
        try:
            check_markup(html, max_depth=middle, kept=KEPT_TAGS)
        except MarkupTooComplex:
            low = middle + 1
        else:
            high = middle
    return low


TAGS = ["p", "div", "b", "i", "a", "span", "li", "ul", "table", "tr", "td", "th", "h1", "h2",
        "pre", "br", "hr", "svg", "title", "script", "button", "em", "dd", "dt", "center"]  # fmt: skip
pieces = st.one_of(
    st.sampled_from([f"<{t}>" for t in TAGS] + [f"</{t}>" for t in TAGS]),
    st.sampled_from(["x", " ", " < ", "&amp;", "<!-- c -->", '<a href="x>y">', "<p/>", "<!x>"]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(pieces, max_size=80))
def test_the_estimate_is_never_below_the_depth_bleach_builds(parts):
    html = "".join(parts)
    assert _estimate(html) >= _depth_bleach_builds(simplified(html, kept=KEPT_TAGS))


# Inside <svg>, <math> and <select> the HTML5 rules for what is text differ, and
# bleach's reading may differ from ours; their content is dropped either way.
ordinary = pieces.filter(lambda piece: not any(t in piece for t in ("svg", "math", "select")))


@settings(max_examples=200, deadline=None)
@given(st.lists(ordinary, max_size=60))
def test_simplifying_changes_no_text_bleach_would_extract(parts):
    html = "".join(parts)
    cleaned = bleach.clean(html, tags=KEPT_TAGS, attributes={}, strip=True, strip_comments=True)
    again = bleach.clean(
        simplified(html, kept=KEPT_TAGS),
        tags=KEPT_TAGS,
        attributes={},
        strip=True,
        strip_comments=True,
    )
    assert again == cleaned


@pytest.mark.parametrize(
    "html",
    [
        # Legacy markup that leaves its end tags out: each new item closes the last.
        "<p>para" * 20_000,
        "<ul>" + "<li>item" * 20_000 + "</ul>",
        "<table>" + "<tr><td>a<td>b" * 10_000 + "</table>",
        "<dl>" + "<dt>term<dd>meaning" * 10_000 + "</dl>",
        "<h1>a<h2>b" * 10_000,
        "<p><b>bold</p>" * 10_000,  # the <b> re-opened each time, never deeper
        "<a href=x>one<a href=y>two" * 10_000,
        "<div>" * 200 + "deep but fine" + "</div>" * 200,
    ],
    ids=["p", "li", "td", "dd", "headings", "formatting", "links", "200 divs"],
)
def test_ordinary_markup_is_accepted(html):
    check_markup(html, kept=KEPT_TAGS)


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if p.name in TOO_COMPLEX], ids=str)
def test_hostile_markup_is_refused_at_once(payload):
    # CPU time, not the wall clock: other processes on a busy machine must not fail it.
    started = time.process_time()
    with pytest.raises(MarkupTooComplex) as refused:
        html_to_text(payload.text)
    assert time.process_time() - started < 0.5
    assert refused.value.message.endswith("Paste the text without its formatting instead.")


def test_the_refusals_say_which_limit():
    with pytest.raises(MarkupTooComplex, match="nested more than 256 levels deep"):
        check_markup("<div>" * 300)
    with pytest.raises(MarkupTooComplex, match="more than 50,000 tags"):
        check_markup("<br>" * 50_001)
    check_markup("<div>" * 250)
    check_markup("<br>" * 50_000)
    with pytest.raises(MarkupTooComplex, match="more than 100 attributes") as refused:
        check_markup("<div " + " ".join(f"a{i}" for i in range(101)) + ">", max_attributes=100)
    assert (refused.value.limit, refused.value.maximum) == ("attributes", 100)


ATTRIBUTES = " ".join(f"a{i}=v" for i in range(199))  # and a title: 200


@pytest.mark.parametrize(
    "html",
    [
        f"<div title=x {ATTRIBUTES}>",
        f'<div title=">" {ATTRIBUTES}>',  # a ">" in a quoted value does not end the tag
        f"<div title=x {ATTRIBUTES}",  # nor does the end of the page: libxml2 reads it all
        f"<noscript><div title=x {ATTRIBUTES}></noscript>",  # libxml2 parses <noscript>
    ],
    ids=["tag", "quoted >", "unclosed", "noscript"],
)
def test_attributes_are_counted_only_when_a_limit_is_given(html):
    check_markup(html)  # pasted HTML: the sanitiser gets it without attributes
    with pytest.raises(MarkupTooComplex, match="more than 199 attributes"):
        check_markup(html, max_attributes=199, noscript_is_text=False)
    check_markup(html, max_attributes=200, noscript_is_text=False)


def test_attributes_in_text_comments_and_scripts_are_not_counted():
    for html in (
        f"<script>'<div {ATTRIBUTES}>'</script>",
        f"<!-- <div {ATTRIBUTES}> -->",
        f"<noscript><div {ATTRIBUTES}></noscript>",  # text, as html5lib reads it
        f"a &lt;div {ATTRIBUTES}&gt;",
    ):
        check_markup(html, max_attributes=10)


def test_text_and_entities_pass_through_and_markup_in_text_stays_text():
    assert simplified('<p class="x">Tom &amp; Jerry <3 a < b</p>') == (
        "<p>Tom &amp; Jerry &lt;3 a &lt; b</p>"
    )
    assert simplified("<script>if (a<b) {}</script><!-- gone -->x") == (
        "<script>if (a&lt;b) {}</script>x"
    )
    assert html_to_text("<p>a <b>b</b></p><script><!--<script></script><div>x</div>") == "a b\n\nx"
