"""Pasted or imported HTML reduced to canonical plain text. Pure: no Django imports.

bleach does the sanitising: it parses whatever arrives (broken markup
included) the way a browser would, keeps only the elements listed here, drops
every attribute and comment, and serialises well-formed HTML. A small walker
then reads the text back out: block elements become paragraphs, ``<br>`` a
line break, and the contents of scripts, styles and other non-text elements
are dropped. The result is plain text; nothing is ever stored as HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import bleach

from annotations.markup_limits import simplified
from annotations.text import canonicalize

BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
INLINE_TAGS = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "del", "dfn", "em",
        "i", "ins", "kbd", "mark", "q", "s", "samp", "small", "span",
        "strong", "sub", "sup", "time", "u", "var", "br",
    }
)  # fmt: skip
# Kept through bleach only so that the walker can skip everything inside them.
DROPPED_TAGS = frozenset(
    {
        "script", "style", "template", "noscript", "iframe", "object",
        "embed", "svg", "math", "head", "title", "select", "textarea",
        "button", "canvas", "audio", "video",
    }
)  # fmt: skip

_HTML_HINT = re.compile(
    r"</?(?:p|div|br|h[1-6]|ul|ol|li|article|section|span|a|b|i|em|strong|"
    r"blockquote|script|style|html|body|head|table|tr|td|figure|img|svg|iframe)\b[^<>]*>",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    """True when ``text`` contains HTML elements rather than, say, "a < b"."""
    return bool(_HTML_HINT.search(text))


# Every tag bleach parses into an element; it turns the rest into text.
KEPT_TAGS = BLOCK_TAGS | INLINE_TAGS | DROPPED_TAGS


def html_to_text(html: str) -> str:
    """Sanitise ``html`` with bleach and return its canonical plain text.

    Raises ``MarkupTooComplex`` (``annotations.markup_limits``) for HTML nested
    too deeply or holding too many tags, before bleach spends any time on it;
    bleach then parses the tags that check counted and nothing else.
    """
    cleaned = bleach.clean(
        simplified(html, kept=KEPT_TAGS),
        tags=BLOCK_TAGS | INLINE_TAGS | DROPPED_TAGS,
        attributes={},
        protocols=[],
        strip=True,
        strip_comments=True,
    )
    walker = _TextWalker()
    walker.feed(cleaned)
    walker.close()
    return canonicalize("".join(walker.parts))


def to_canonical_text(body: str) -> str:
    """Canonical text of a body that may be plain text or pasted HTML."""
    return html_to_text(body) if looks_like_html(body) else canonicalize(body)


class _TextWalker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_TAGS:
            self._skipping += 1
        elif self._skipping:
            return
        elif tag == "br":
            self.parts.append("\n")
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n")
            if tag == "pre":
                self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not self._skipping:
            self.parts.append("\n")
        elif tag == "hr" and not self._skipping:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif not self._skipping and tag in BLOCK_TAGS:
            self.parts.append("\n\n")
            if tag == "pre":
                self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        # Outside <pre>, a line break in the source is just white space.
        self.parts.append(data if self._pre else re.sub(r"\s+", " ", data))
