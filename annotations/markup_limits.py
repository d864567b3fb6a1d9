"""How deep and how large HTML may be before a parser is asked to build it. Pure: no Django.

An HTML5 tree builder (html5lib, inside bleach) checks "is there a <p> in
scope?" at nearly every start tag by walking the stack of open elements, so
its cost grows with the square of the nesting depth: 30,000 nested ``<div>``
(330 kB) held a worker for its whole timeout (issue 10). Below a few hundred
levels the cost grows with the number of tags.

``check_markup`` reads the HTML once, in time linear in its length (and
stops at the first limit passed), and refuses it when the tree would be
deeper than ``max_depth`` (256: libxml2's default limit too, far above any
article's 10–40) or hold more than ``max_tags`` tags (50,000: several times a
long article's markup; pasting the text instead always works).
``simplified`` returns the same reading of the HTML as a string for the
sanitiser: each tag rebuilt without its attributes, comments and doctypes
left out, and every ``<`` in text escaped. So the sanitiser can only ever
see the tags that were counted here, whatever its own tokenizer would have
made of broken markup, and the depth bound holds for what it builds.

Whole web pages (``annotations.webpages``) are parsed by libxml2 (lxml), and
the same reading serves them with two more settings: ``max_attributes``
refuses a start tag with more attributes than that (libxml2 compares each
new attribute with every earlier one: 20,000 on one tag take seconds, a
tag of n characters holds at most n / 2, so only long tags are counted,
and a tag left open at the end of the page is counted too); and
``noscript_is_text=False``, because libxml2 reads the content of
``<noscript>`` as markup where html5lib, as bleach runs it, reads text.

The depth is an upper bound of the tree the HTML5 algorithm builds from
those tags: it follows the stack of open elements through the rules that
shrink it (end tags in scope, a ``<p>`` closed by a block, ``<li>``, ``<td>``
and ``<tr>`` closing their predecessors) and adds what the algorithm adds
(``<html>``, implied ``<tbody>``/``<tr>``, and formatting elements it
re-opens, at most three per name). Where a rule is not modelled the
estimate is higher than the real depth, never lower: refusing an odd page
is fine, building an unbounded tree is not. tests/test_markup_limits.py
checks both promises against bleach's own parser on random tag soup: the
estimate is never below the depth it builds, and outside ``<svg>``,
``<math>`` and ``<select>`` (whose content the text leaves out anyway) the
text bleach extracts from ``simplified`` HTML is the text it extracted from
the original.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

MAX_DEPTH = 256
MAX_TAGS = 50_000


Limit = Literal["depth", "tags", "attributes"]


class MarkupTooComplex(ValueError):
    """HTML that would cost too much to parse; ``message`` says why, for an editor
    who pasted it; ``limit`` and ``maximum`` say which limit it passed, for a caller
    that words it for another source (a saved page)."""

    def __init__(self, message: str, *, limit: Limit, maximum: int) -> None:
        super().__init__(message)
        self.message = message
        self.limit: Limit = limit
        self.maximum = maximum


def check_markup(
    html: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_tags: int = MAX_TAGS,
    kept: frozenset[str] | None = None,
    max_attributes: int | None = None,
    noscript_is_text: bool = True,
) -> None:
    """Raise ``MarkupTooComplex`` when ``html`` is too deep or has too many tags
    (or, when ``max_attributes`` is given, a tag with too many attributes).

    ``kept``: the tags the parser builds elements for (bleach turns any other
    tag into text before its tree builder sees it); ``None`` means every tag.
    ``noscript_is_text``: False for libxml2, which parses ``<noscript>``'s content.
    """
    reading = _Reading(max_depth, max_tags, kept, max_attributes, noscript_is_text)
    for _ in _tokens(html, reading):
        pass


def simplified(
    html: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_tags: int = MAX_TAGS,
    kept: frozenset[str] | None = None,
) -> str:
    """``html`` as ``check_markup`` read it: tags without attributes, no comments, text
    with ``<`` escaped. Raises ``MarkupTooComplex`` as ``check_markup`` does."""
    return "".join(_tokens(html, _Reading(max_depth, max_tags, kept, None, True)))


@dataclass(frozen=True)
class _Reading:
    max_depth: int
    max_tags: int
    kept: frozenset[str] | None
    max_attributes: int | None
    noscript_is_text: bool


# --- Reading the HTML -------------------------------------------------------------------

# The elements whose content is text until their end tag (script data, RAWTEXT,
# RCDATA), outside <svg> and <math>: no tag inside them counts. Escaping that
# text as well keeps a parser from finding tags in it that were not counted.
_RAW_TEXT = frozenset(
    {"script", "style", "iframe", "noscript", "noembed", "noframes", "xmp", "textarea", "title"}
)
_SPACE = "\t\n\f\r "
_RAW_TEXT_END = {name: re.compile(rf"</{name}[{_SPACE}/>]", re.IGNORECASE) for name in _RAW_TEXT}
# One attribute: a name, then maybe "=" and a value (a quoted value may hold ">").
_ATTRIBUTE_PATTERN = (
    rf"[^{_SPACE}/>][^{_SPACE}/>=]*+"
    rf"(?>[{_SPACE}]*+=[{_SPACE}]*+(?>\"[^\"]*+\"|'[^']*+'|[^{_SPACE}>]*+))?+"
)
_ATTRIBUTE = re.compile(_ATTRIBUTE_PATTERN)
# A start or end tag: its name, then attributes, possessive throughout so that
# a tag that never closes costs one scan.
_TAG_NAME = rf"<(/?)([A-Za-z][^{_SPACE}/>]*+)"
_TAG = re.compile(rf"{_TAG_NAME}(?>[{_SPACE}/]++|{_ATTRIBUTE_PATTERN})*+>")
_UNCLOSED_TAG = re.compile(_TAG_NAME)
_COMMENT_END = re.compile(r"--!?>")
_MARKUP_START = re.compile(r"<[A-Za-z/!?]")


def _tokens(html: str, reading: _Reading) -> Iterator[str]:
    tree = _Tree(reading.max_depth)
    kept = reading.kept
    tags = 0
    position = 0
    length = len(html)
    while position < length:
        found = _MARKUP_START.search(html, position)
        if found is None:
            yield _text(html[position:])
            return
        start = found.start()
        if start > position:
            yield _text(html[position:start])
        tag = _TAG.match(html, start)
        if tag is None:
            skipped = _skip_declaration(html, start)
            if skipped is None:  # a tag still open at the end: bleach keeps it as text
                opened = _UNCLOSED_TAG.match(html, start)
                if opened is not None:
                    _count_attributes(html, opened.end(), length, reading.max_attributes)
                yield _text(html[start:])
                return
            if html.startswith("</", start) and skipped > start + 3:
                yield _text(html[start:skipped])  # "</ 3>": bleach keeps it as text too
            position = skipped
            continue
        tags += 1
        if tags > reading.max_tags:
            raise MarkupTooComplex(
                f"The pasted HTML has more than {reading.max_tags:,} tags, more than an "
                "article needs. Paste the text without its formatting instead.",
                limit="tags",
                maximum=reading.max_tags,
            )
        closing, name = tag.group(1) == "/", tag.group(2).lower()
        position = tag.end()
        _count_attributes(html, tag.end(2), position, reading.max_attributes)
        if kept is not None and name not in kept:
            yield f"<{'/' if closing else ''}{name}>"  # the parser turns it into text
            continue
        if closing:
            tree.end(name)
            yield f"</{name}>"
            continue
        raw = (
            name in _RAW_TEXT
            and (reading.noscript_is_text or name != "noscript")
            and not tree.in_foreign_content()
        )
        tree.start(name)
        yield f"<{name}>"
        if raw:
            end = _RAW_TEXT_END[name].search(html, position)
            stop = end.start() if end else length
            yield _text(html[position:stop])
            position = stop


def _count_attributes(html: str, start: int, stop: int, maximum: int | None) -> None:
    """Refuse more than ``maximum`` attributes in ``html[start:stop]`` (one tag's)."""
    # Each attribute takes at least two characters: a shorter tag cannot pass.
    if maximum is None or stop - start <= 2 * maximum:
        return
    for count, _ in enumerate(_ATTRIBUTE.finditer(html, start, stop), start=1):
        if count > maximum:
            raise MarkupTooComplex(
                f"The pasted HTML has a tag with more than {maximum:,} attributes, more "
                "than an article needs. Paste the text without its formatting instead.",
                limit="attributes",
                maximum=maximum,
            )


def _text(text: str) -> str:
    return text.replace("<", "&lt;")


def _skip_declaration(html: str, start: int) -> int | None:
    """Past a comment, doctype, processing instruction or broken tag at ``start``, as an
    HTML5 tokenizer skips it: it becomes no element. None: a tag that never closes."""
    if html.startswith("<!--", start):
        comment_end = _COMMENT_END.search(html, start + 2)  # "<!-->" and "<!--->" end at once
        return comment_end.end() if comment_end else len(html)
    if html[start + 1] in "!?/" and not (
        html[start + 1] == "/" and start + 2 < len(html) and html[start + 2].isalpha()
    ):
        end = html.find(">", start)
        return end + 1 if end != -1 else len(html)
    return None


# --- The tree the HTML5 algorithm would build ------------------------------------------

_VOID = frozenset(
    {
        "area", "base", "basefont", "bgsound", "br", "col", "command", "embed", "frame",
        "hr", "image", "img", "input", "keygen", "link", "meta", "param", "source",
        "track", "wbr",
    }
)  # fmt: skip
_FORMATTING = frozenset(
    {"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong",
     "tt", "u"}
)  # fmt: skip
# The HTML standard's "special" elements: an end tag never closes one implicitly.
_SPECIAL = frozenset(
    {
        "address", "applet", "area", "article", "aside", "base", "basefont", "bgsound",
        "blockquote", "body", "br", "button", "caption", "center", "col", "colgroup", "dd",
        "details", "dialog", "dir", "div", "dl", "dt", "embed", "fieldset", "figcaption",
        "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6",
        "head", "header", "hgroup", "hr", "html", "iframe", "img", "input", "keygen", "li",
        "link", "listing", "main", "marquee", "menu", "meta", "nav", "noembed", "noframes",
        "noscript", "object", "ol", "p", "param", "plaintext", "pre", "script", "search",
        "section", "select", "source", "style", "summary", "table", "tbody", "td",
        "template", "textarea", "tfoot", "th", "thead", "title", "tr", "track", "ul", "wbr",
        "xmp", "svg", "math", "foreignobject", "desc", "mi", "mo", "mn", "ms", "mtext",
        "annotation-xml",
    }
)  # fmt: skip
# Start tags that close an open <p> first (the standard's list, less <table>,
# which does not in quirks mode).
_CLOSES_P = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir",
        "div", "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup",
        "main", "menu", "nav", "ol", "p", "search", "section", "summary", "ul", "h1", "h2",
        "h3", "h4", "h5", "h6", "pre", "listing", "li", "dd", "dt",
    }
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TABLE_PARTS = frozenset({"table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption"})
# "In scope" stops at these (the standard's lists; "default" holds for other tags).
_SCOPE_BOUNDARIES = {
    "default": frozenset(
        {"applet", "caption", "html", "table", "td", "th", "marquee", "object", "template",
         "mi", "mo", "mn", "ms", "mtext", "annotation-xml", "foreignobject", "desc", "title"}
    ),
    "table": frozenset({"html", "table", "template"}),
}  # fmt: skip
_SCOPE_BOUNDARIES["button"] = _SCOPE_BOUNDARIES["default"] | {"button"}
_SCOPE_BOUNDARIES["list"] = _SCOPE_BOUNDARIES["default"] | {"ol", "ul"}
# The tree always has <html> and a fragment's container above the first element.
_ROOT_DEPTH = 2
# Formatting elements closed implicitly are re-opened by the algorithm: at most
# three of one name at a time (its "Noah's Ark" rule; attributes are gone here).
_REOPENED_PER_NAME = 3


def _closes_its_like(name: str, top: str) -> bool:
    """A heading closes a heading, an item an item, an option an option."""
    return any(name in kin and top in kin for kin in _LIKE)


_LIKE = (_HEADINGS, frozenset({"li"}), frozenset({"dd", "dt"}), frozenset({"option"}))


class _Tree:
    """The stack of open elements, with an index per name and per scope, so that every
    step costs time proportional to the elements it pops: linear overall."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.stack: list[str] = []
        self.open: dict[str, list[int]] = {}
        self.boundaries: dict[str, list[int]] = {kind: [] for kind in _SCOPE_BOUNDARIES}
        self.special: list[int] = []
        self.unclosed = Counter[str]()  # formatting start tags not yet ended, per name
        self.reopenable = 0

    def start(self, name: str) -> None:
        if name in _VOID:
            return
        top = self.stack[-1] if self.stack else ""
        if name in _CLOSES_P and self._in_scope("p", "button"):
            self._pop_to("p")
            top = self.stack[-1] if self.stack else ""
        if _closes_its_like(name, top):
            self._pop()
        elif name == "button" and self._in_scope("button", "default"):
            self._pop_to("button")
        elif name in {"td", "th", "tr"}:
            self._open_table_row(name)
        if name in {"a", "nobr"} and self.unclosed[name]:
            self.end(name)  # an <a> inside an <a> closes the first one
        if name in _FORMATTING:
            self.unclosed[name] += 1
            if self.unclosed[name] <= _REOPENED_PER_NAME:
                self.reopenable += 1
        self._push(name)

    def in_foreign_content(self) -> bool:
        """Inside <svg> or <math>, where <title>, <style> and <script> hold markup, not text."""
        return bool(self.open.get("svg") or self.open.get("math"))

    def end(self, name: str) -> None:
        if name in _FORMATTING and self.unclosed[name]:
            if self.unclosed[name] <= _REOPENED_PER_NAME:
                self.reopenable -= 1
            self.unclosed[name] -= 1
        if name in _VOID or not self.open.get(name):
            return
        if name in _SPECIAL:
            kind = "list" if name == "li" else "button" if name == "p" else "default"
            if name in _TABLE_PARTS:
                kind = "table"
            if self._in_scope(name, kind):
                self._pop_to(name)
        elif not self.special or self.special[-1] < self.open[name][-1]:
            # An ordinary element closes only when no special element was opened after it.
            self._pop_to(name)

    def _open_table_row(self, name: str) -> None:
        """<td>/<th> close an open cell; <tr> a cell and a row; both imply the parts between."""
        top = self.stack[-1] if self.stack else ""
        if top in {"td", "th"}:
            self._pop()
            top = self.stack[-1] if self.stack else ""
        if name == "tr" and top == "tr":
            self._pop()
            top = self.stack[-1] if self.stack else ""
        if top == "table":
            self._push("tbody")
            top = "tbody"
        if name != "tr" and top in {"tbody", "thead", "tfoot"}:
            self._push("tr")

    def _in_scope(self, name: str, kind: str) -> bool:
        where = self.open.get(name)
        if not where:
            return False
        bounds = self.boundaries[kind]
        return not bounds or bounds[-1] <= where[-1]

    def _push(self, name: str) -> None:
        position = len(self.stack)
        self.stack.append(name)
        self.open.setdefault(name, []).append(position)
        for kind, names in _SCOPE_BOUNDARIES.items():
            if name in names:
                self.boundaries[kind].append(position)
        if name in _SPECIAL:
            self.special.append(position)
        depth = _ROOT_DEPTH + len(self.stack) + self.reopenable
        if depth > self.max_depth:
            raise MarkupTooComplex(
                f"The pasted HTML is nested more than {self.max_depth:,} levels deep, "
                "more than an article needs. Paste the text without its formatting instead.",
                limit="depth",
                maximum=self.max_depth,
            )

    def _pop(self) -> str:
        name = self.stack.pop()
        position = len(self.stack)
        self.open[name].pop()
        for kind, names in _SCOPE_BOUNDARIES.items():
            if name in names:
                self.boundaries[kind].pop()
        if self.special and self.special[-1] == position:
            self.special.pop()
        return name

    def _pop_to(self, name: str) -> None:
        while self._pop() != name:
            pass
