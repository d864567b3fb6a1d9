"""Limits that keep reading a hostile page cheap. Pure: no Django imports.

Extraction parses a page with lxml (libxml2) and hands the tree to
trafilatura. Three shapes of markup make that slow or lossy, and each is
checked in time linear in the page's length before the expensive work starts:

* **Attribute floods.** libxml2 compares each new attribute of a start tag with
  every earlier one, so one tag with 20,000 attributes takes over a second to
  parse and 100,000 take minutes. :func:`check_markup` tokenises tags the way
  an HTML5 tokenizer does (quoted values, comments and the raw text of
  ``<script>``/``<style>`` are skipped whole, so markup hidden there cannot
  fool the count) and refuses a tag with more than ``max_attributes``.
* **Deep nesting.** libxml2 stops building the tree at depth 256 and silently
  drops the rest of the page. :func:`check_tree` refuses a tree deeper than
  ``max_depth`` (below that cut-off), so nothing is lost without a word.
* **Sheer size.** trafilatura's cost grows with the number of elements, and its
  regular expressions run over attribute values. Pages longer than
  ``max_chars`` or with more than ``max_elements`` elements (counted after
  scripts, styles and SVG are removed) are refused; attribute values longer
  than ``max_attribute_chars`` are cut, since no class name or date is that long.

Each refusal is a :class:`PageRefused` whose message an editor can read. The
checks are plain functions over a string and a tree, so a shared guard (for
pasted HTML too) can replace them without touching the extraction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement


class PageRefused(ValueError):
    """A page Sourcemark will not read; ``str()`` is a sentence for the editor."""


@dataclass(frozen=True)
class PageLimits:
    max_chars: int = 5_000_000
    max_attributes: int = 100
    max_depth: int = 200
    max_elements: int = 40_000
    max_attribute_chars: int = 2_000


DEFAULT_LIMITS = PageLimits()

# The rest of a tag after its name, as an HTML5 tokenizer reads it, up to ">" or
# the end of the page. Possessive quantifiers and atomic groups never backtrack,
# so every token below is matched in one forward pass.
_TAG_REST = (
    r"""(?:[\s/]++|[^\s/>][^\s/>=]*+(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>]++)?+)?+)*+(?:>|\Z)"""
)
_TOKENS = re.compile(
    r"<!--(?>>|->|(?:(?!--!?>).)*+(?:--!?>)?)"  # a comment
    # an element whose content is raw text up to its end tag (or the page's end)
    r"|<(?P<raw>script|style|textarea|title|xmp|iframe|noembed|noframes)(?=[\s/>])"
    rf"(?P<raw_rest>{_TAG_REST})(?:(?!</(?P=raw)[\s/>]).)*+"
    r"|<plaintext(?=[\s/>]).*+"
    rf"|<(?P<end>/?)[A-Za-z][^\s/>]*+(?P<rest>{_TAG_REST})"
    r"|<[!?/][^>]*+>?",  # <!DOCTYPE>, <?xml?>, </ >: bogus comments
    re.IGNORECASE | re.DOTALL,
)
_ATTRIBUTE = re.compile(r"""[^\s/>][^\s/>=]*+(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>]++)?+)?+""")


def check_markup(html: str, limits: PageLimits = DEFAULT_LIMITS) -> None:
    """Refuse a page that is too long or has a start tag with too many attributes."""
    if len(html) > limits.max_chars:
        raise PageRefused(
            f"The page is too large to read ({len(html):,} characters; "
            f"the limit is {limits.max_chars:,})."
        )
    # A tag of n characters holds at most n / 2 attributes: only longer ones are counted.
    shortest = 2 * limits.max_attributes
    for token in _TOKENS.finditer(html):
        group = "raw_rest" if token.group("raw") else "rest"
        start, stop = token.span(group)
        if stop - start > shortest and not token.group("end"):
            _count_attributes(html, start, stop, limits)


def _count_attributes(html: str, start: int, stop: int, limits: PageLimits) -> None:
    for count, _ in enumerate(_ATTRIBUTE.finditer(html, start, stop), start=1):
        if count > limits.max_attributes:
            raise PageRefused(
                f"The page has an element with more than {limits.max_attributes} "
                "attributes. No article needs that many; the page may have been "
                "made to slow the server down, so it was not read."
            )


def check_tree(tree: HtmlElement, limits: PageLimits = DEFAULT_LIMITS) -> None:
    """Refuse a tree too deep or too large; cut over-long attribute values in place."""
    # An absolute path of n steps selects the elements at depth n (libxml2 walks it in C).
    if tree.xpath("/*" * (limits.max_depth + 1)):
        raise PageRefused(
            f"The page's markup is nested more than {limits.max_depth} levels deep. "
            "No article needs that; the page may have been made to slow the server "
            "down, so it was not read."
        )
    elements = int(tree.xpath("count(//*)"))
    if elements > limits.max_elements:
        raise PageRefused(
            f"The page is too complex to read: {elements:,} elements without its "
            f"scripts and styles (the limit is {limits.max_elements:,}). Save the "
            "article alone, or copy its text and paste it instead."
        )
    for value in tree.xpath(f"//@*[string-length(.) > {limits.max_attribute_chars}]"):
        value.getparent().set(value.attrname, value[: limits.max_attribute_chars])
