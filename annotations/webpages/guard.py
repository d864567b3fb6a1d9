"""Limits that keep reading a hostile page cheap and lossless. Pure: no Django imports.

Extraction parses a page with lxml (libxml2) and hands the tree to
trafilatura. The markup is read once before that, by the same guard pasted
HTML goes through (``annotations.markup_limits``), set for libxml2: a page
longer than ``max_chars``, with more than ``max_tags`` tags, nested deeper
than ``max_depth`` by the HTML5 rules, or with a tag holding more than
``max_attributes`` attributes (libxml2 compares each new attribute with
every earlier one: 20,000 on one tag take over a second) is refused before
it is parsed.

Two limits can only be checked on the tree, and :func:`check_tree` does so:

* **libxml2's own depth.** libxml2 does not build the HTML5 tree: some tag
  soup that HTML5 keeps shallow nests in libxml2 (a repeated
  ``<p><q><label>`` reaches any depth), and libxml2 stops building the tree
  at depth 256 and silently drops the rest of the page. A tree deeper than
  ``max_depth`` is refused, so nothing is lost without a word.
* **What trafilatura walks.** Its cost grows with the number of elements
  left once scripts, styles and SVG are removed (which the markup cannot
  tell), and its regular expressions run over attribute values: more than
  ``max_elements`` elements are refused; attribute values longer than
  ``max_attribute_chars`` are cut, since no class name or date is that long.

Each refusal is a :class:`PageRefused` whose message an editor can read.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml.html import HtmlElement

from annotations.markup_limits import MarkupTooComplex
from annotations.markup_limits import check_markup as check_html


class PageRefused(ValueError):
    """A page Sourcemark will not read; ``str()`` is a sentence for the editor."""


@dataclass(frozen=True)
class PageLimits:
    max_chars: int = 5_000_000
    max_tags: int = 200_000
    max_attributes: int = 100
    max_depth: int = 200
    max_elements: int = 40_000
    max_attribute_chars: int = 2_000


DEFAULT_LIMITS = PageLimits()

_MADE_TO_SLOW = "No article needs that; the page may have been made to slow the server down"
_REFUSALS = {
    "depth": "The page's markup is nested more than {maximum} levels deep. {made}, so it "
    "was not read.",
    "attributes": "The page has an element with more than {maximum} attributes. {made}, so "
    "it was not read.",
    "tags": "The page is too complex to read: more than {maximum:,} tags. Save the article "
    "alone, or copy its text and paste it instead.",
}


def check_markup(html: str, limits: PageLimits = DEFAULT_LIMITS) -> None:
    """Refuse a page too long, too deep, with too many tags, or a tag with too many attributes."""
    if len(html) > limits.max_chars:
        raise PageRefused(
            f"The page is too large to read ({len(html):,} characters; "
            f"the limit is {limits.max_chars:,})."
        )
    try:
        check_html(
            html,
            max_depth=limits.max_depth,
            max_tags=limits.max_tags,
            max_attributes=limits.max_attributes,
            noscript_is_text=False,
        )
    except MarkupTooComplex as error:
        message = _REFUSALS[error.limit].format(maximum=error.maximum, made=_MADE_TO_SLOW)
        raise PageRefused(message) from None


def check_tree(tree: HtmlElement, limits: PageLimits = DEFAULT_LIMITS) -> None:
    """Refuse a tree too deep or too large; cut over-long attribute values in place."""
    # An absolute path of n steps selects the elements at depth n (libxml2 walks it in C).
    if tree.xpath("/*" * (limits.max_depth + 1)):
        raise PageRefused(_REFUSALS["depth"].format(maximum=limits.max_depth, made=_MADE_TO_SLOW))
    elements = int(tree.xpath("count(//*)"))
    if elements > limits.max_elements:
        raise PageRefused(
            f"The page is too complex to read: {elements:,} elements without its "
            f"scripts and styles (the limit is {limits.max_elements:,}). Save the "
            "article alone, or copy its text and paste it instead."
        )
    for value in tree.xpath(f"//@*[string-length(.) > {limits.max_attribute_chars}]"):
        value.getparent().set(value.attrname, value[: limits.max_attribute_chars])
