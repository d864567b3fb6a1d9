"""Span edges snap to grapheme clusters in the browser, before the offsets are sent.

A selection that splits a cluster (set here through the DOM, as a script or
an odd caret movement can make it) is widened by annotate.js with
Intl.Segmenter, the rule of annotations/graphemes.py: the toolbar holds, and
the request sends, the whole emoji, flag or accented letter.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from django.contrib.auth.models import User

from annotations.ingest import ArticleData, save_article
from annotations.models import Span
from annotations.seeding import create_demo_accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THUMB = "👍🏽"
FAMILY = "👨\u200d👩\u200d👧"
FLAGS = "🇺🇦🇵🇱"
ACCENT = "x\u0301"
TEXT = f"Good {THUMB} news, a {FAMILY} and {FLAGS} flags; {ACCENT} marks."

_SELECT = """([from, to]) => {
  const text = document.querySelector("#article-body p").firstChild;
  const range = document.createRange();
  range.setStart(text, from);
  range.setEnd(text, to);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  document.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
}"""


def _utf16(code_points: int) -> int:
    """A code point offset into TEXT as the DOM counts it."""
    return len(TEXT[:code_points].encode("utf-16-le")) // 2


@pytest.fixture
def page_on_emoji(open_as, transactional_db):
    create_demo_accounts()
    article, _ = save_article(ArticleData(title="Emoji", body=TEXT))
    page = open_as(User.objects.get(username="alice"))
    page.goto(f"/articles/{article.id}/")
    page.locator("#article-body p").wait_for()
    return page


@pytest.mark.parametrize(
    ("piece", "cut"),
    [(THUMB, (0, 1)), (THUMB, (1, 2)), (FAMILY, (2, 3)), (FLAGS, (1, 3)), (ACCENT, (1, 2))],
    ids=["emoji without skin tone", "skin tone alone", "one of a family", "half flags", "mark"],
)
def test_a_split_selection_is_sent_as_whole_clusters(page_on_emoji, piece, cut):
    page = page_on_emoji
    at = TEXT.index(piece)
    page.evaluate(_SELECT, [_utf16(at + cut[0]), _utf16(at + cut[1])])
    toolbar = page.locator("#label-toolbar")
    toolbar.wait_for(state="visible")
    with page.expect_request("**/labels/") as sent:
        page.keyboard.press("1")
    form = {key: values[0] for key, values in parse_qs(sent.value.post_data).items()}
    assert (int(form["start"]), int(form["end"]), form["quote"]) == (at, at + len(piece), piece)
    page.locator("#article-body mark", has_text=piece).wait_for()
    span = Span.objects.get()
    assert (span.start, span.end, span.quote) == (at, at + len(piece), piece)
    assert page.errors == []
