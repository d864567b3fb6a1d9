"""What changed between two revisions of a body, word by word, for people to read.

Pure: no Django imports, and no HTML: a template renders the pieces (and
escapes them, as it escapes everything). The rules:

* **Words, not characters.** Both bodies are cut into words (runs of
  non-space characters) and the space between them, and diff-match-patch
  compares those tokens, with its semantic cleanup: a changed word is shown
  removed and added whole, and neighbouring changes are shown together
  rather than interleaved word by word.
* **In context.** Each change comes with up to ``context_words`` unchanged
  words before and after it; longer unchanged stretches are cut, and the
  excerpt says so. Changes fewer than ``2 * context_words`` words apart
  share one excerpt.
* **Counted.** ``words_added`` and ``words_removed`` count the words in
  added and removed pieces.
* White space is kept as it is, paragraph breaks included, so a template
  can show a new paragraph (``linebreaksbr``, or a pilcrow).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import cast

from annotations.corrections.diffing import DELETE, EQUAL, INSERT, differ

CONTEXT_WORDS = 8

_TOKEN = re.compile(r"\S+|\s+")
# Tokens are encoded as one character each for the diff; surrogates are skipped.
_FIRST_CODE = 0x100
_SURROGATES = range(0xD800, 0xE000)


class Change(StrEnum):
    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class Piece:
    change: Change
    text: str


@dataclass(frozen=True)
class Excerpt:
    """One change (or a few close together) with the unchanged words around it."""

    pieces: tuple[Piece, ...]
    cut_before: bool  # unchanged text before the excerpt was left out
    cut_after: bool


@dataclass(frozen=True)
class RevisionDiff:
    excerpts: tuple[Excerpt, ...]
    words_added: int
    words_removed: int

    @property
    def changed(self) -> bool:
        return bool(self.excerpts)


def revision_diff(old: str, new: str, context_words: int = CONTEXT_WORDS) -> RevisionDiff:
    """The changes from ``old`` to ``new`` (see the module docstring)."""
    pieces = _word_diff(old, new)
    added = sum(_words(p.text) for p in pieces if p.change is Change.ADDED)
    removed = sum(_words(p.text) for p in pieces if p.change is Change.REMOVED)
    return RevisionDiff(tuple(_excerpts(pieces, context_words)), added, removed)


def _word_diff(old: str, new: str) -> list[Piece]:
    codes: dict[str, str] = {}
    tokens: list[str] = []

    def encode(text: str) -> str:
        out = []
        for token in _TOKEN.findall(text):
            if token not in codes:
                code = _FIRST_CODE + len(codes)
                code += len(_SURROGATES) if code >= _SURROGATES.start else 0
                codes[token] = chr(code)  # at most ~700,000 tokens in 2,000,000 characters
                tokens.append(token)
            out.append(codes[token])
        return "".join(out)

    engine = differ()
    ops = engine.diff_main(encode(old), encode(new), False)
    engine.diff_cleanupSemantic(ops)
    kinds = {EQUAL: Change.SAME, INSERT: Change.ADDED, DELETE: Change.REMOVED}
    decoded = [
        (kinds[op], [tokens[_index(c)] for c in text])
        for op, text in cast(list[tuple[int, str]], ops)
    ]
    _to_natural_boundaries(decoded)
    return [Piece(change, "".join(words)) for change, words in decoded if words]


def _to_natural_boundaries(ops: list[tuple[Change, list[str]]]) -> None:
    """Slide each lone addition or removal to where it reads best.

    Deleting "The regional … aid." before "The weather service" can be
    shown as "The [-regional … aid. The -]weather": the same diff. Of the
    places a change can slide to, take the one that starts after a
    paragraph break (or a line break, a sentence, a word), the leftmost on a tie.
    """
    for i in range(1, len(ops) - 1):
        (before, left), (change, middle), (after, right) = ops[i - 1], ops[i], ops[i + 1]
        if change is Change.SAME or before is not Change.SAME or after is not Change.SAME:
            continue
        # Every slide keeps the same tokens: shift left while they repeat.
        while left and middle and left[-1] == middle[-1]:
            left, middle, right = left[:-1], [left[-1], *middle[:-1]], [middle[-1], *right]
        best = (left, middle, right)
        best_score = _score(left)
        while middle and right and middle[0] == right[0]:
            left, middle, right = [*left, middle[0]], [*middle[1:], right[0]], right[1:]
            if _score(left) > best_score:
                best, best_score = (left, middle, right), _score(left)
        ops[i - 1], ops[i], ops[i + 1] = (before, best[0]), (change, best[1]), (after, best[2])


def _score(before: list[str]) -> int:
    """How natural a place the end of ``before`` is for a change to start."""
    if not before or "\n\n" in before[-1]:
        return 4
    if "\n" in before[-1]:
        return 3
    if not before[-1].isspace():
        return 0
    return 2 if len(before) > 1 and before[-2][-1:] in '.!?"”’' else 1


def _index(char: str) -> int:
    code = ord(char)
    if code >= _SURROGATES.stop:
        code -= len(_SURROGATES)
    return code - _FIRST_CODE


def _words(text: str) -> int:
    return len(text.split())


def _excerpts(pieces: list[Piece], context_words: int) -> list[Excerpt]:
    excerpts: list[Excerpt] = []
    current: list[Piece] = []
    cut_before = False
    for i, piece in enumerate(pieces):
        if piece.change is not Change.SAME:
            current.append(piece)
            continue
        first, last = i == 0, i == len(pieces) - 1
        words = _TOKEN.findall(piece.text)
        if first and last:
            break  # nothing changed
        if first:
            tail, cut = _last_words(words, context_words)
            current, cut_before = [Piece(Change.SAME, tail)], cut
        elif last:
            head, cut = _first_words(words, context_words)
            current.append(Piece(Change.SAME, head))
            excerpts.append(Excerpt(tuple(current), cut_before, cut))
            current = []
        elif _words(piece.text) > 2 * context_words:
            head, _ = _first_words(words, context_words)
            tail, _ = _last_words(words, context_words)
            current.append(Piece(Change.SAME, head))
            excerpts.append(Excerpt(tuple(current), cut_before, True))
            current, cut_before = [Piece(Change.SAME, tail)], True
        else:
            current.append(piece)
    if any(p.change is not Change.SAME for p in current):
        excerpts.append(Excerpt(tuple(current), cut_before, False))
    return [
        Excerpt(tuple(p for p in e.pieces if p.text), e.cut_before, e.cut_after) for e in excerpts
    ]


def _first_words(tokens: list[str], count: int) -> tuple[str, bool]:
    """The leading tokens holding ``count`` words, and whether any were left out."""
    taken = 0
    for i, token in enumerate(tokens):
        if not token.isspace():
            taken += 1
            if taken == count:
                return "".join(tokens[: i + 1]), i + 1 < len(tokens)
    return "".join(tokens), False


def _last_words(tokens: list[str], count: int) -> tuple[str, bool]:
    """The trailing tokens holding ``count`` words, and whether any were left out."""
    head, cut = _first_words(tokens[::-1], count)
    kept = len(_TOKEN.findall(head)) if head else 0
    return "".join(tokens[len(tokens) - kept :]), cut
