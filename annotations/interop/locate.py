"""Where a quoted passage is in an article's canonical body. Pure: no Django imports.

``Locator(body).locate(quote, prefix, suffix, start, end)`` returns ``Found``
or ``NotFound`` with a reason an editor can read. The rules, in order:

1. **By position.** When ``start``/``end`` lie inside the body and the body's
   text there is the quote, that is the span. "Is the quote" compares
   canonical forms (``annotations.text.canonicalize``) with white space and
   typography folded as re-anchoring folds them
   (``annotations.corrections.recognition.FOLD_CHARS``: curly quotes,
   primes and dashes): a quote copied from a web page has other spaces, line
   breaks and quote marks than the stored text, and each such character is
   one code point either way.
2. **By quote and context.** Otherwise every occurrence of the quote in the
   body (white space ignored in the same way) is a candidate, scored by how
   many characters of ``prefix`` end right before it plus how many of
   ``suffix`` begin right after it. The best candidate is the span when no
   other scores as well and, if the record has any context, at least
   ``AGREEING_CHARS`` of one side of it agree (so a common phrase in an
   unrelated article is not taken for the quoted one). A quote without
   context must occur exactly once.
3. Otherwise **not found**: absent, ambiguous, or its context disagrees.
   Never a guess.

The span found starts and ends on a non-space character, and its quote is
the body's own text, so ``annotations.text.anchor`` accepts it as it is.

Bounded cost: building a locator reads the body once; a position check reads
the quote's length; a search scans the body with ``str.find`` (linear) and
scores at most ``MAX_CANDIDATES`` occurrences. Searches are charged
against a budget of body characters, so a hostile file of thousands of
absent quotes on a 2 MB article ends in refusals, not minutes of work.

Why not issue 14's search (``annotations.corrections.reanchoring``): it
places a span of one revision of an article in the next, searching only the
text the diff of the two bodies marks as changed and confirming candidates
against the old body's paragraphs. An import has no old body, only a quote
and a little context, so there is no diff to search; what the two share is
what counts as the same text, ``FOLD_CHARS``, used here.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from annotations.corrections.recognition import FOLD_CHARS
from annotations.text import canonicalize

MAX_CANDIDATES = 10_000
AGREEING_CHARS = 8
DEFAULT_SEARCH_BUDGET = 1_000_000_000

_WHITE_RUN = re.compile(r"\s+")
_LONG_WHITE_RUN = re.compile(r"\s{2,}")


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    quote: str  # body[start:end]
    by: str  # "position" or "quote"


@dataclass(frozen=True, slots=True)
class NotFound:
    reason: str


def loose(text: str) -> str:
    """``text`` canonical and folded, with every run of white space one space, stripped."""
    return " ".join(canonicalize(text).translate(FOLD_CHARS).split())


class Locator:
    """Finds quotes in one body; build it once per import."""

    def __init__(self, body: str, *, search_budget: int = DEFAULT_SEARCH_BUDGET) -> None:
        self.body = body
        self.budget = search_budget
        # FOLD_CHARS maps one character to one: offsets into it are the body's.
        self._loose = _WHITE_RUN.sub(" ", body.translate(FOLD_CHARS))
        # Each run of 2+ white-space characters became one space: where that
        # space is in the loose text, and how many characters were dropped up to it.
        self._runs: list[int] = []
        self._dropped: list[int] = []
        dropped = 0
        for run in _LONG_WHITE_RUN.finditer(body):
            self._runs.append(run.start() - dropped)
            dropped += run.end() - run.start() - 1
            self._dropped.append(dropped)

    def locate(
        self,
        quote: str,
        prefix: str = "",
        suffix: str = "",
        start: int | None = None,
        end: int | None = None,
    ) -> Found | NotFound:
        """Where ``quote`` is in the body (module docstring)."""
        wanted = loose(quote)
        if not wanted:
            return NotFound("Its quote is empty.")
        if start is not None and end is not None and 0 <= start < end <= len(self.body):
            there = self.body[start:end]
            if there == quote or loose(there) == wanted:
                return self._found(start, end, "position")
        return self._search(wanted, loose(prefix), loose(suffix))

    def _search(self, wanted: str, prefix: str, suffix: str) -> Found | NotFound:
        if self.budget < len(self._loose):
            return NotFound(
                "The file asks for too many searches of this article; import it in smaller parts."
            )
        self.budget -= len(self._loose)
        text = self._loose
        candidates: list[int] = []
        at = text.find(wanted)
        while at != -1:
            if len(candidates) == MAX_CANDIDATES:
                return NotFound(
                    f"Its quote occurs more than {MAX_CANDIDATES:,} times in the article."
                )
            candidates.append(at)
            at = text.find(wanted, at + 1)
        if not candidates:
            return NotFound("Its quote is not in the article's text.")
        if not prefix and not suffix:
            if len(candidates) > 1:
                return NotFound(
                    f"Its quote occurs {len(candidates)} times in the article, "
                    "and it has no context to tell which."
                )
            return self._found_loose(candidates[0], len(wanted))
        scored = sorted(
            ((self._score(at, len(wanted), prefix, suffix), at) for at in candidates),
            reverse=True,
        )
        (best, agrees), at = scored[0]
        if len(scored) > 1 and scored[1][0][0] == best:
            return NotFound(
                f"Its quote occurs {len(candidates)} times in the article, "
                "and its context does not tell which."
            )
        if not agrees:
            return NotFound("Its quote is in the article, but not with the text around it.")
        return self._found_loose(at, len(wanted))

    def _score(self, at: int, length: int, prefix: str, suffix: str) -> tuple[int, bool]:
        """(characters of context that agree, whether enough of one side does)."""
        before = self._loose[max(0, at - len(prefix) - 1) : at].rstrip()
        after = self._loose[at + length : at + length + len(suffix) + 1].lstrip()
        left = _common_suffix(prefix, before)
        right = _common_prefix(suffix, after)
        agrees = left >= min(AGREEING_CHARS, len(prefix)) > 0 or (
            right >= min(AGREEING_CHARS, len(suffix)) > 0
        )
        return left + right, agrees

    def _body_index(self, loose_index: int) -> int:
        runs_before = bisect.bisect_left(self._runs, loose_index)
        return loose_index + (self._dropped[runs_before - 1] if runs_before else 0)

    def _found_loose(self, at: int, length: int) -> Found:
        return self._found(self._body_index(at), self._body_index(at + length), "quote")

    def _found(self, start: int, end: int, by: str) -> Found:
        # The quote may have brought white space at its edges: the span starts
        # and ends on text, as every span does.
        while start < end and self.body[start].isspace():
            start += 1
        while end > start and self.body[end - 1].isspace():
            end -= 1
        return Found(start, end, self.body[start:end], by)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n
