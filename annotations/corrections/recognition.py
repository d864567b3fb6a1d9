"""When an edited span is still its own text, and when it is "beyond recognition".

Pure: no Django imports. A span whose text changed follows it only if the new
text is recognisably the old one; otherwise it is orphaned. The rule, stated
once (the README repeats it):

* **Typography does not count.** Both texts are *folded* first: curly quotes
  and primes become straight quotes, every dash becomes ``-``, ``…`` becomes
  ``...``, and every run of white space (a paragraph break included) becomes
  one space. Texts equal after folding are recognised.
* **The characters kept decide.** *Kept* is the number of
  characters in the stretches a diff-match-patch diff of the folded texts
  keeps after its semantic cleanup (so stray letters that unrelated words
  happen to share do not count). With ``old`` and ``new`` the folded lengths:

  - the **deleted share**, ``1 - kept / old``, must be at most
    ``MAX_CHANGED_SHARE``: at least half of the old text is still there, and
  - the **added share**, ``1 - kept / new``, must be at most
    ``MAX_CHANGED_SHARE`` too: at least half of the new text is old text.

* **A figure update is recognised** even when the numbers were most of
  the text: texts equal once every number (digits with their ``,`` and
  ``.`` separators: ``300,000``, ``2.5``) is masked are recognised, however
  different the numbers -- a span of one figure, "5,937" and "6,100".
  (Re-anchoring asks more of the context around such a text.)

  Anything else is *beyond recognition*. An empty new text always is. The
  *similarity* reported with the result, ``2 * kept / (old + new)``, is for
  people; it decides nothing.

Whether the text around the span still agrees is a separate test
(``annotations.corrections.reanchoring``): recognising the text is necessary to
follow an edit, never sufficient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from annotations.corrections.diffing import EQUAL, semantic_ops

MAX_CHANGED_SHARE = 0.5

# One character for one, so folded text keeps its offsets (the context
# comparison in reanchoring relies on that); "…" is unfolded separately.
FOLD_CHARS = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′‹›`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        "\n": " ",
    }
)
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class Rule(StrEnum):
    SAME = "same"
    TYPOGRAPHY = "typography"
    FIGURES = "figures"
    SIMILAR = "similar"
    BEYOND = "beyond recognition"


@dataclass(frozen=True)
class Likeness:
    """How an old text and a new one compare, and which rule decided."""

    rule: Rule
    similarity: float
    deleted_share: float
    added_share: float

    @property
    def recognised(self) -> bool:
        return self.rule is not Rule.BEYOND


def fold(text: str) -> str:
    """``text`` with its typography folded (see the module docstring)."""
    return _SPACES.sub(" ", text.translate(FOLD_CHARS).replace("…", "..."))


def kept_characters(old: str, new: str) -> int:
    """Characters of ``old`` a semantically cleaned diff keeps in ``new``."""
    return sum(len(text) for op, text in semantic_ops(old, new) if op == EQUAL)


def likeness(old: str, new: str) -> Likeness:
    """Compare a span's old text with its candidate new text (see the module docstring)."""
    if old == new:
        return Likeness(Rule.SAME, 1.0, 0.0, 0.0)
    a, b = fold(old), fold(new)
    if not a or not b.strip():
        return Likeness(Rule.BEYOND, 0.0, 1.0, 1.0)
    if a == b:
        return Likeness(Rule.TYPOGRAPHY, 1.0, 0.0, 0.0)
    kept = kept_characters(a, b)
    figures = (
        2 * kept / (len(a) + len(b)),
        1 - kept / len(a),
        1 - kept / len(b),
    )
    if figures[1] <= MAX_CHANGED_SHARE and figures[2] <= MAX_CHANGED_SHARE:
        return Likeness(Rule.SIMILAR, *figures)
    if _NUMBER.search(a) and _NUMBER.sub("#", a) == _NUMBER.sub("#", b):
        return Likeness(Rule.FIGURES, *figures)
    return Likeness(Rule.BEYOND, *figures)
