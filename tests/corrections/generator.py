"""Realistic corrections with tracked edits, so every span's true fate is known.

A correction is built as a list of *pieces*: text copied from the old body
(each character knows the old offset it came from) or new text that replaces
a known old range (an insertion replaces an empty range). Moving a paragraph
moves its copied piece, so the truth follows moved text too. From the pieces,
``truth`` works out for each span what a correct re-anchoring may do:

* ``survives``: its text is untouched (it may have moved). It must be placed
  exactly where its characters went.
* ``edited``: edits lie wholly inside it (a typo fixed, a word inserted, a
  figure changed). It must be placed exactly on its edited text, or orphaned
  (the recognition rule decides which; ``expected_follow`` says what it
  should decide).
* ``straddled``: an edit crosses one of its edges (a rewritten sentence it
  reaches into). Orphaned, or placed with its untouched edges exact and the
  other edges anywhere in the edit as written (widened to whole words).
* ``split``: its text survives in pieces that are no longer together or
  in order (a paragraph it reached into was moved). Orphaned, or placed
  exactly on one surviving piece, or on the whole stretch from its first
  piece to its last: a paragraph moved out of a span is also one moved
  into it, read the other way.
* ``gone``: all its text was deleted or replaced. It must be orphaned.

*Silently misplaced* means placed where none of that allows: a span of text
that survives placed anywhere but at its characters, an edited span placed
anywhere but on its edited text, a gone span placed at all. A placement on
text identical to the span's quote *and* both stored contexts is counted
apart (``identical_copy``): nothing stored with the span tells it from the
original.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from annotations.corrections.reanchoring import Placement, SpanText
from annotations.corrections.recognition import likeness
from annotations.text import PARAGRAPH_BREAK, canonicalize, context, paragraph_ranges
from bench import textgen

ARTICLES_DIR = Path(__file__).parent / "articles"
SEED_ARTICLE = Path(__file__).parents[2] / "seeds" / "articles" / "putin-mothers-share-pain.txt"
# The seed article as it was scraped: with the site's trailing link block.
SEED_TRAILER = "\n\nnews source\n\nRelated Articles"

KINDS = (
    "typo outside spans",
    "typo inside a span",
    "word inserted in a span",
    "paragraph inserted",
    "paragraph deleted",
    "paragraph moved",
    "paragraphs reordered",
    "sentence rewritten",
    "figure changed",
    "quotes and ellipses made typographic",
    "white space and paragraph breaks changed",
    "emoji inserted before spans",
    "repeated phrase deleted once",
    "trailing block removed",
    "several at once",
)

_WORD = re.compile(r"[A-Za-z]{4,}")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?”\"’])\s(?=[A-Z0-9“‘\"'])")
_INSERTED_WORDS = ("reportedly ", "about ", "at least ", "some ", "also ", "now ", "nearly ")
_EMOJI = ("🇺🇦 ", "📈 ", "👩🏽\u200d⚕️ ", "🚒 ", "⚡ ", "🔥 ")
_NEW_PARAGRAPHS = (
    "Update: the figures in this article were revised after publication.",
    "Correction: an earlier version of this article misspelled a name.",
    "The ministry did not respond to a request for comment on Tuesday evening.",
    "Additional reporting by Ana Silva and Tomás Ferreira. 🗞️",
    "Officials said more details would be published “in the coming days”.",
)
_REWRITES = (
    "Officials declined to confirm the account when asked on Tuesday.",
    "That version of events has since been disputed by several people who were present.",
    "A spokesperson later described the remarks as having been taken out of context.",
    "None of this could be independently verified.",
    "The statement was withdrawn an hour after it was issued.",
)
_REWRITES_WITH_FIGURE = (
    "The figure of {n} was later disputed by independent observers.",
    "Officials now put the number at {n}, a figure that could not be verified.",
)


# --- Pieces ------------------------------------------------------------------


@dataclass
class Piece:
    """``text`` copied from ``old[origin:]``, or new text replacing ``old[replaces]``."""

    text: str
    origin: int | None = None
    replaces: tuple[int, int] | None = None
    # Characters the edit as written also covered before and after this
    # piece, identical in old and new, so kept as copied text.
    trimmed: tuple[int, int] = (0, 0)

    @property
    def old_range(self) -> tuple[int, int]:
        if self.origin is not None:
            return self.origin, self.origin + len(self.text)
        assert self.replaces is not None
        return self.replaces


class Conflict(Exception):
    """The edit touches text an earlier edit of the same correction touched."""


class Builder:
    """Apply tracked edits to ``old``, in old offsets, refusing overlapping ones."""

    def __init__(self, old: str) -> None:
        self.old = old
        self.pieces = [Piece(old, origin=0)]
        self.touched: list[tuple[int, int]] = []

    def _claim(self, a: int, b: int) -> None:
        # One character of margin: two edits side by side would merge into one hunk.
        for lo, hi in self.touched:
            if a <= hi and b >= lo:
                raise Conflict
        self.touched.append((a - 1, b + 1))

    def _split(self, x: int) -> int:
        """Index of the piece that begins at old offset ``x`` (splitting a copy there)."""
        for i, p in enumerate(self.pieces):
            if p.origin is None:
                continue
            lo, hi = p.old_range
            if lo == x:
                return i
            if lo < x < hi:
                cut = x - lo
                self.pieces[i : i + 1] = [
                    Piece(p.text[:cut], origin=lo),
                    Piece(p.text[cut:], origin=x),
                ]
                return i + 1
        if x == len(self.old):
            last = max(
                range(len(self.pieces)),
                key=lambda i: (self.pieces[i].old_range[1], i),
            )
            return last + 1
        raise Conflict  # x is inside replaced text

    def replace(self, a: int, b: int, text: str) -> None:
        """Replace ``old[a:b]`` by ``text``; the common ends stay copied text."""
        old_text = self.old[a:b]
        lead = trail = 0
        while old_text and text and old_text[0] == text[0]:
            a, old_text, text, lead = a + 1, old_text[1:], text[1:], lead + 1
        while old_text and text and old_text[-1] == text[-1]:
            b, old_text, text, trail = b - 1, old_text[:-1], text[:-1], trail + 1
        if not old_text and not text:
            return
        self._claim(a, b)
        i = self._split(a)
        j = self._split(b) if b > a else i
        if any(p.origin is None for p in self.pieces[i:j]):
            raise Conflict
        self.pieces[i:j] = [Piece(text, replaces=(a, b), trimmed=(lead, trail))]

    def move(self, a: int, b: int, before: int, *, claim: bool = True) -> None:
        """Move ``old[a:b]`` to just before old offset ``before``."""
        if a < before < b:
            raise Conflict
        if claim:
            self._claim(a, b)
            self._claim(before, before)
        i = self._split(a)
        j = self._split(b)
        block = self.pieces[i:j]
        del self.pieces[i:j]
        k = self._split(before)
        self.pieces[k:k] = block

    def new_text(self) -> str:
        return "".join(p.text for p in self.pieces)


# --- Spans -----------------------------------------------------------------


SHAPES = ("random", "nested", "overlapping", "cross-paragraph", "single number", "repeated phrase")


@dataclass
class TrackedSpan:
    span: SpanText
    shapes: set[str]  # some of SHAPES


def _span(body: str, span_id: int, start: int, end: int) -> SpanText:
    prefix, suffix = context(body, start, end)
    return SpanText(span_id, start, end, body[start:end], prefix, suffix)


def make_spans(rng: random.Random, body: str, count: int) -> list[TrackedSpan]:
    """Word-aligned spans of every shape the issue names, on ``body``."""
    ranges: set[tuple[int, int]] = set()
    shapes: dict[tuple[int, int], set[str]] = {}

    def add(start: int, end: int, shape: str) -> None:
        end = min(end, len(body))
        while start < end and body[start].isspace():
            start += 1
        while end > start and body[end - 1].isspace():
            end -= 1
        if start < end:
            ranges.add((start, end))
            shapes.setdefault((start, end), set()).add(shape)

    for start, end in textgen.span_ranges(rng, body, count, max_words=14, nested_share=0.25):
        add(start, end, "random")
    for m in _NUMBER.finditer(body):
        add(m.start(), m.end(), "single number")
    paragraphs = paragraph_ranges(body)
    for (_, end1), (start2, _) in itertools.pairwise(paragraphs):
        if rng.random() < 0.5:
            add(max(0, end1 - rng.randint(10, 40)), start2 + rng.randint(5, 30), "cross-paragraph")
    for phrase in repeated_phrases(body)[:6]:
        for m in _phrase(phrase).finditer(body):
            add(m.start(), m.end(), "repeated phrase")
    # Whole words only, as people select (the cross-paragraph ones were cut anywhere).
    snapped: dict[tuple[int, int], set[str]] = {}
    for start, end in ranges:
        snapped.setdefault(_to_words(body, start, end), set()).update(shapes[(start, end)])
    spans = [
        TrackedSpan(_span(body, n, start, end), snapped[(start, end)])
        for n, (start, end) in enumerate(sorted(snapped, key=lambda r: (r[0], -r[1])), start=1)
    ]
    _tag_overlaps(spans)
    return spans


def _to_words(body: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and not body[start - 1].isspace():
        start -= 1
    while end < len(body) and not body[end].isspace():
        end += 1
    return start, end


def _tag_overlaps(spans: list[TrackedSpan]) -> None:
    for i, a in enumerate(spans):
        for b in spans[i + 1 : i + 40]:
            sa, sb = a.span, b.span
            if sb.start >= sa.end:
                break
            shape = "nested" if sb.end <= sa.end else "overlapping"
            a.shapes.add(shape)
            b.shapes.add(shape)


def _phrase(phrase: str) -> re.Pattern[str]:
    """``phrase`` as whole words ("budget for" is not in "budget forgets")."""
    return re.compile(rf"(?<![\w’'-]){re.escape(phrase)}(?![\w’'-])")


def repeated_phrases(body: str, *, words: tuple[int, ...] = (4, 3, 2)) -> list[str]:
    """Phrases of a few words that occur more than once, longest first."""
    tokens = [m.group() for m in re.finditer(r"[\w’'-]+", body)]
    found: list[str] = []
    for n in words:
        counts: dict[str, int] = {}
        for i in range(len(tokens) - n + 1):
            phrase = " ".join(tokens[i : i + n])
            counts[phrase] = counts.get(phrase, 0) + 1
        for phrase, c in counts.items():
            repeated = c > 1 and len(phrase) >= 8 and len(_phrase(phrase).findall(body)) > 1
            if repeated and not any(phrase in longer for longer in found):
                found.append(phrase)
    return found


# --- Edits -----------------------------------------------------------------

Edit = Callable[[random.Random, Builder, list[TrackedSpan]], None]


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    choice = rng.randrange(3)
    if choice == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if choice == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def _words(body: str, inside: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(body) if inside(*m.span())]


def typo_outside(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    covered = [(t.span.start, t.span.end) for t in spans]
    words = _words(b.old, lambda s, e: all(e <= lo or s >= hi for lo, hi in covered))
    words = words or _words(b.old, lambda s, e: True)
    a, z = rng.choice(words)
    b.replace(a, z, _typo(b.old[a:z], rng))


def typo_inside(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    span = rng.choice([t.span for t in spans if _WORD.search(t.span.quote)])
    a, z = rng.choice(_words(b.old, lambda s, e: span.start <= s and e <= span.end))
    b.replace(a, z, _typo(b.old[a:z], rng))


def word_inserted(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    span = rng.choice([t.span for t in spans if " " in t.span.quote])
    gaps = [span.start + m.end() for m in re.finditer(r" (?=\w)", span.quote)]
    at = rng.choice(gaps)
    b.replace(at, at, rng.choice(_INSERTED_WORDS))


def _paragraph_starts(body: str) -> list[tuple[int, int]]:
    return paragraph_ranges(body)


def paragraph_inserted(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    text = rng.choice(_NEW_PARAGRAPHS) if rng.random() < 0.6 else textgen.paragraph(rng)
    paragraphs = paragraph_ranges(b.old)
    k = rng.randrange(len(paragraphs) + 1)
    if k == len(paragraphs):
        b.replace(len(b.old), len(b.old), PARAGRAPH_BREAK + text)
    else:
        at = paragraphs[k][0]
        b.replace(at, at, text + PARAGRAPH_BREAK)


def paragraph_deleted(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    paragraphs = paragraph_ranges(b.old)
    k = rng.randrange(1, len(paragraphs) - 1)
    b.replace(paragraphs[k][0], paragraphs[k + 1][0], "")


def paragraph_moved(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    paragraphs = paragraph_ranges(b.old)
    k, m = rng.sample(range(len(paragraphs) - 1), 2)
    if m == k + 1:
        m = min(len(paragraphs) - 1, m + 1)
    b.move(paragraphs[k][0], paragraphs[k + 1][0], paragraphs[m][0])


def paragraphs_reordered(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    paragraphs = paragraph_ranges(b.old)
    size = min(rng.randint(3, 4), len(paragraphs) - 1)
    first = rng.randrange(0, len(paragraphs) - size)
    order = list(range(first, first + size))
    while order == sorted(order):
        rng.shuffle(order)
    # Move each paragraph, in its new order, to just before the paragraph that
    # followed the group: they end up in that order.
    stop = paragraphs[first + size][0]
    b._claim(paragraphs[first][0], stop)
    for k in order:
        b.move(paragraphs[k][0], paragraphs[k + 1][0], stop, claim=False)


def _sentences(body: str) -> list[tuple[int, int]]:
    found = []
    for start, end in paragraph_ranges(body):
        cut = start
        for m in _SENTENCE_END.finditer(body, start, end):
            found.append((cut, m.start()))
            cut = m.end()
        found.append((cut, end))
    return [(s, e) for s, e in found if e - s > 20]


def sentence_rewritten(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    a, z = rng.choice(_sentences(b.old))
    number = _NUMBER.search(b.old, a, z)
    if number and rng.random() < 0.5:
        # Keep the figure: the span on it must not follow into another sentence.
        text = rng.choice(_REWRITES_WITH_FIGURE).format(n=number.group())
    else:
        text = rng.choice(_REWRITES)
    b.replace(a, z, text)


def figure_changed(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    figures = [m.span() for m in _NUMBER.finditer(b.old)]
    if not figures:  # a text without a figure (the benchmark's smallest data) has none to change
        return
    a, z = rng.choice(figures)
    old = b.old[a:z]
    new = old
    while new == old:
        digits = [
            c if not c.isdigit() or rng.random() < 0.5 else str(rng.randrange(10)) for c in old
        ]
        new = "".join(digits)
        if new[0] == "0" and len(new) > 1:
            new = "1" + new[1:]
    b.replace(a, z, new)


def typographic(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    edits = 0
    for m in re.finditer(r"\.\.\.|[\"']", b.old):
        a, z = m.span()
        if m.group() == "...":
            text = "…"
        else:
            opening = a == 0 or b.old[a - 1].isspace() or b.old[a - 1] in "(["
            curly = {"'": "‘’", '"': "“”"}[m.group()]
            text = curly[0] if opening else curly[1]
        try:
            b.replace(a, z, text)
            edits += 1
        except Conflict:
            pass
    if not edits:
        raise Conflict


def white_space(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    choices = []
    for (_, end1), (start2, _) in itertools.pairwise(paragraph_ranges(b.old)):
        choices.append((end1, start2, " "))  # two paragraphs merged
    for s, _ in _sentences(b.old)[1:]:
        if b.old[s - 1] == " ":
            choices.append((s - 1, s, PARAGRAPH_BREAK))  # a paragraph split
            choices.append((s - 1, s, "\n"))  # a line break inside a paragraph
    for a, z, text in rng.sample(choices, min(len(choices), rng.randint(1, 3))):
        with contextlib.suppress(Conflict):
            b.replace(a, z, text)


def emoji_before(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    starts = sorted(
        {t.span.start for t in spans if t.span.start == 0 or b.old[t.span.start - 1].isspace()}
    )
    for at in rng.sample(starts, min(len(starts), rng.randint(1, 4))):
        with contextlib.suppress(Conflict):
            b.replace(at, at, rng.choice(_EMOJI))


def repeated_phrase_deleted(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    phrases = repeated_phrases(b.old)
    if not phrases:
        raise Conflict
    phrase = rng.choice(phrases[:6])
    occurrences = [m.span() for m in _phrase(phrase).finditer(b.old)]
    a, z = rng.choice(occurrences)
    # Take a neighbouring space with it, so the text stays canonical.
    if z < len(b.old) and b.old[z] == " ":
        z += 1
    elif a > 0 and b.old[a - 1] == " ":
        a -= 1
    b.replace(a, z, "")


def trailing_block_removed(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    paragraphs = paragraph_ranges(b.old)
    k = rng.randint(1, min(3, len(paragraphs) - 2))
    b.replace(paragraphs[-k - 1][1], len(b.old), "")


EDITS: dict[str, Edit] = {
    "typo outside spans": typo_outside,
    "typo inside a span": typo_inside,
    "word inserted in a span": word_inserted,
    "paragraph inserted": paragraph_inserted,
    "paragraph deleted": paragraph_deleted,
    "paragraph moved": paragraph_moved,
    "paragraphs reordered": paragraphs_reordered,
    "sentence rewritten": sentence_rewritten,
    "figure changed": figure_changed,
    "quotes and ellipses made typographic": typographic,
    "white space and paragraph breaks changed": white_space,
    "emoji inserted before spans": emoji_before,
    "repeated phrase deleted once": repeated_phrase_deleted,
    "trailing block removed": trailing_block_removed,
}
# Moves first: later edits then land inside moved text as well.
_MOVES = ("paragraph moved", "paragraphs reordered")


def several(rng: random.Random, b: Builder, spans: list[TrackedSpan]) -> None:
    kinds = rng.sample(
        [k for k in KINDS if k in EDITS and k != "several at once"], rng.randint(3, 5)
    )
    kinds.sort(key=lambda k: k not in _MOVES)
    applied = 0
    for kind in kinds:
        try:
            EDITS[kind](rng, b, spans)
            applied += 1
        except Conflict:
            pass
    if applied < 2:
        raise Conflict


EDITS["several at once"] = several


# --- Cases -------------------------------------------------------------------


@dataclass
class Case:
    kind: str
    article: str
    old: str
    new: str
    spans: list[TrackedSpan]
    pieces: list[Piece] = field(repr=False)

    def span_texts(self) -> list[SpanText]:
        return [t.span for t in self.spans]


def articles() -> dict[str, str]:
    """The base texts: the seed article (as scraped), our own articles, a generated one."""
    texts = {"seed": canonicalize(SEED_ARTICLE.read_text(encoding="utf-8") + SEED_TRAILER)}
    for path in sorted(ARTICLES_DIR.glob("*.txt")):
        # The first line is the headline, as in import_articles.
        texts[path.stem] = canonicalize(path.read_text(encoding="utf-8").split("\n", 1)[1])
    texts["generated"] = textgen.body(random.Random(3), 6000)
    return texts


def make_case(kind: str, article: str, body: str, seed: int) -> Case | None:
    """One correction of ``kind`` to ``body``, or None when ``kind`` does not apply."""
    rng = random.Random(f"{kind}/{article}/{seed}")
    spans = make_spans(rng, body, count=max(20, len(body) // 60))
    builder = Builder(body)
    for _ in range(10):
        try:
            EDITS[kind](rng, builder, spans)
            break
        except (Conflict, IndexError, ValueError):
            builder = Builder(body)
    else:
        return None
    new = builder.new_text()
    if new == body or canonicalize(new) != new:
        return None
    return Case(kind, article, body, new, spans, builder.pieces)


def cases(seeds: int = 4) -> Iterator[Case]:
    """Every edit kind on every base article, ``seeds`` times each."""
    for (article, body), kind, seed in itertools.product(articles().items(), KINDS, range(seeds)):
        case = make_case(kind, article, body, seed)
        if case is not None:
            yield case


# --- Truth -------------------------------------------------------------------


@dataclass(frozen=True)
class Truth:
    """What a correct re-anchoring may do with one span (see the module docstring)."""

    fate: str  # survives, edited, straddled, split, gone
    exact: tuple[int, int] | None = None  # survives, edited
    start_range: tuple[int, int] | None = None  # straddled: where each edge may land
    end_range: tuple[int, int] | None = None
    pieces: tuple[tuple[int, int], ...] = ()  # split: the surviving pieces
    expected_follow: bool = False  # edited: does the recognition rule keep it?

    def allows(self, start: int | None, end: int | None) -> bool:
        """True when placing the span at ``start:end`` (None: orphaning it) is correct."""
        if start is None or end is None:
            return True  # orphaning is never *silently* wrong; misses are counted apart
        if self.fate in ("survives", "edited"):
            return (start, end) == self.exact
        if self.fate == "straddled":
            assert self.start_range is not None and self.end_range is not None
            return (
                self.start_range[0] <= start <= self.start_range[1]
                and self.end_range[0] <= end <= self.end_range[1]
            )
        if self.fate == "split":
            return (start, end) in self.pieces
        return False


def truth(case: Case, span: SpanText) -> Truth:
    s, e = span.start, span.end
    new = case.new
    offset = 0
    located = []  # (piece index, new start, new end, role)
    for i, piece in enumerate(case.pieces):
        lo, hi = piece.old_range
        n0, n1 = offset, offset + len(piece.text)
        offset = n1
        if piece.origin is not None:
            a, z = max(lo, s), min(hi, e)
            if a < z:
                located.append((i, n0 + a - lo, n0 + z - lo, "kept"))
        elif lo < hi:
            if lo <= s and hi >= e and not (lo == s and hi == e):
                return Truth("gone")
            if s <= lo and hi <= e:
                located.append((i, n0, n1, "inside"))
            elif lo < e and hi > s:
                located.append((i, n0, n1, "straddles"))
        elif s < lo < e:
            located.append((i, n0, n1, "inside"))
    kept = [x for x in located if x[3] == "kept" and new[x[1] : x[2]].strip()]
    if not kept and not any(x[3] == "inside" and x[2] > x[1] for x in located):
        return Truth("gone")
    runs = [_trim(new, run[0][1], run[-1][2]) for run in _runs(case, located)]
    runs_ = tuple(r for r in runs if r)
    # Together: the span's own pieces in their old order.
    old_order = [case.pieces[x[0]].old_range for x in located]
    if old_order != sorted(old_order):
        # Its pieces were reordered: each piece, or the stretch now holding
        # them all (edited in place, read the other way), is correct.
        hull = _trim(new, min(x[1] for x in located), max(x[2] for x in located))
        return Truth("split", pieces=runs_ + ((hull,) if hull else ()))
    first, last = located[0], located[-1]
    start, end = first[1], last[2]
    span_pieces = range(first[0], last[0] + 1)
    own = {x[0] for x in located}
    if any(case.pieces[i].text.strip() for i in span_pieces if i not in own):
        # Old text from elsewhere now sits inside the span: a paragraph moved
        # in, or (the same edit, read the other way) the span's middle moved
        # out. Either reading is correct: one piece, or the whole range.
        whole = _trim(new, start, end)
        return Truth("split", pieces=runs_ + ((whole,) if whole else ()))
    if first[3] == "straddles" or last[3] == "straddles":
        start_range = (
            _widen(new, case.pieces[first[0]], first[1], first[2])
            if first[3] == "straddles"
            else (start, start)
        )
        end_range = (
            _widen(new, case.pieces[last[0]], last[1], last[2])
            if last[3] == "straddles"
            else (end, end)
        )
        return Truth("straddled", start_range=start_range, end_range=end_range)
    if len(located) == 1 and first[3] == "kept" and new[start:end] == span.quote:
        return Truth("survives", exact=(start, end))
    trimmed = _trim(new, start, end)
    if trimmed is None:
        return Truth("gone")
    return Truth(
        "edited",
        exact=trimmed,
        expected_follow=likeness(span.quote, new[trimmed[0] : trimmed[1]]).recognised,
    )


def _runs(
    case: Case, located: list[tuple[int, int, int, str]]
) -> list[list[tuple[int, int, int, str]]]:
    """The span's pieces grouped into runs: adjacent pieces, in their old order."""
    runs = [[located[0]]]
    for prev, x in itertools.pairwise(located):
        if x[0] == prev[0] + 1 and case.pieces[x[0]].old_range >= case.pieces[prev[0]].old_range:
            runs[-1].append(x)
        else:
            runs.append([x])
    return runs


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _widen(text: str, piece: Piece, start: int, end: int) -> tuple[int, int]:
    """Where an edge cut by a replacement may land: anywhere in the edit as written,
    widened to whole words and the white space around them (placements are trimmed)."""
    start, end = start - piece.trimmed[0], end + piece.trimmed[1]
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while start > 0 and text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    while end < len(text) and text[end].isspace():
        end += 1
    return start, end


# --- Scoring -----------------------------------------------------------------


def identical_copy(new: str, span: SpanText, placement: Placement) -> bool:
    """True when the placement is on the span's quote with both stored contexts unchanged.

    Nothing stored with the span tells such a copy from the original (the
    seed article repeats a sentence, cut short, in the next paragraph; swap
    the two and the diff cannot know which copy went where), so placing a
    span there is not *silently* wrong; the figures count it apart.
    """
    if placement.start is None or placement.end is None:
        return False
    s, e = placement.start, placement.end
    return (
        new[s:e] == span.quote
        and new[max(0, s - len(span.prefix)) : s] == span.prefix
        and new[e : e + len(span.suffix)] == span.suffix
    )


@dataclass
class Tally:
    """Outcomes for a group of spans (one edit kind, or all)."""

    survives: int = 0
    survives_exact: int = 0
    edited: int = 0
    edited_followed: int = 0
    edited_should_follow: int = 0
    gone: int = 0
    gone_orphaned: int = 0
    other: int = 0  # straddled or split
    other_placed: int = 0
    misplaced: int = 0
    identical_copy: int = 0  # placed against the truth on text identical in quote and context
    examples: list[str] = field(default_factory=list)

    @property
    def spans(self) -> int:
        return self.survives + self.edited + self.gone + self.other

    def add(self, case: Case, span: SpanText, placement: Placement) -> None:
        t = truth(case, span)
        placed = placement.start is not None
        if not t.allows(placement.start, placement.end):
            if identical_copy(case.new, span, placement):
                self.identical_copy += 1
                return
            self.misplaced += 1
            if len(self.examples) < 5:
                self.examples.append(
                    f"{case.kind} / {case.article}: span {span.id} {span.quote!r} "
                    f"({t.fate}) placed at {placement.start}-{placement.end} "
                    f"{placement.quote!r}, truth {t}"
                )
        if t.fate == "survives":
            self.survives += 1
            self.survives_exact += placed and (placement.start, placement.end) == t.exact
        elif t.fate == "edited":
            self.edited += 1
            self.edited_should_follow += t.expected_follow
            self.edited_followed += placed and (placement.start, placement.end) == t.exact
        elif t.fate == "gone":
            self.gone += 1
            self.gone_orphaned += not placed
        else:
            self.other += 1
            self.other_placed += placed
