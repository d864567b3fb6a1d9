"""Canonical article text and offsets into it. Pure: no Django imports.

An article body is stored as canonical plain text, and every span offset is a
Unicode code point index into it (Python's own ``str`` indexing). The rules:

* Line endings become ``\\n``; the Unicode line and paragraph separators too.
* Every other white-space character -- tab, NO-BREAK SPACE, the EN/EM/THIN
  spaces and the rest of Unicode's "space separators" -- becomes an ordinary
  space. Browsers copy a selection across a NO-BREAK SPACE as a plain space,
  so keeping NBSP would make a correct quote fail to match. Each is a single
  code point either way, so no offset moves.
* Runs of spaces collapse to one; lines are stripped at both ends.
* Paragraphs are separated by exactly one blank line; a single line break
  inside a paragraph is kept (standfirst bullets, verse, addresses).
* Control characters other than line breaks are dropped: they are invisible,
  and PostgreSQL cannot store NUL.
* The result is in Unicode NFC, so "é" typed and "é" pasted are one text.

``canonicalize(canonicalize(x)) == canonicalize(x)`` for every string.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PARAGRAPH_BREAK = "\n\n"
CONTEXT_CHARS = 32

# Characters Python treats as line boundaries (str.splitlines), except that
# U+2029 PARAGRAPH SEPARATOR starts a new paragraph.
_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028"
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{2,}")


def _is_dropped(ch: str) -> bool:
    category = unicodedata.category(ch)
    # Cc: control characters; Cs: lone surrogates, which no database stores.
    return (category == "Cc" and not ch.isspace()) or category == "Cs"


def canonicalize(raw: str) -> str:
    """Return the canonical form of ``raw`` (see the module docstring)."""
    text = raw.replace("\r\n", "\n").replace("\u2029", PARAGRAPH_BREAK)
    text = "".join("\n" if ch in _LINE_BREAKS else ch for ch in text if not _is_dropped(ch))
    text = _SPACES.sub(" ", text)
    lines = [line.strip(" ") for line in text.split("\n")]
    text = "\n".join(lines)
    paragraphs = [p.strip("\n") for p in _BLANK_LINES.split(text)]
    text = PARAGRAPH_BREAK.join(p for p in paragraphs if p)
    return unicodedata.normalize("NFC", text)


def paragraph_ranges(body: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` code point range of each paragraph of a canonical body."""
    ranges = []
    start = 0
    for paragraph in body.split(PARAGRAPH_BREAK):
        end = start + len(paragraph)
        ranges.append((start, end))
        start = end + len(PARAGRAPH_BREAK)
    return ranges


def context(body: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str]:
    """The text just before and just after ``body[start:end]``, to re-find a quote."""
    return body[max(0, start - width) : start], body[end : end + width]


@dataclass(frozen=True)
class Anchor:
    """A span's position in a body, with the text that proves it."""

    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


class OffsetError(ValueError):
    """Offsets that cannot address a span of this body."""


class QuoteMismatch(ValueError):
    """The quote is not the text at those offsets: the body changed, or the client is wrong."""


def anchor(body: str, start: int, end: int, quote: str) -> Anchor:
    """Check that ``quote`` is exactly ``body[start:end]`` and return its anchor.

    A quote that differs only by white space the canonical form would remove is
    accepted, since browsers report selections across NO-BREAK SPACEs and line
    breaks inconsistently; the stored quote is always the body's own text.
    """
    if not 0 <= start < end <= len(body):
        raise OffsetError(
            f"The selection {start}–{end} is outside this article's text "
            f"(0–{len(body)} characters)."
        )
    found = body[start:end]
    if found != quote and _loose(found) != _loose(quote):
        raise QuoteMismatch(
            "The selected text no longer matches the article. Reload the page and select it again."
        )
    if found != found.strip():
        raise OffsetError("A selection cannot start or end with white space.")
    prefix, suffix = context(body, start, end)
    return Anchor(start=start, end=end, quote=found, prefix=prefix, suffix=suffix)


def _loose(text: str) -> str:
    return " ".join(canonicalize(text).split())
