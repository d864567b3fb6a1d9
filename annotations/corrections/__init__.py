"""Corrections: spans follow their text when an article's body is edited.

Pure: no Django imports. The app gives ``reanchor`` the old and new
canonical body and every span; it answers where each span now is and how
it stands (``unchanged``, ``moved``, ``edited``) or why it was orphaned.

* ``reanchoring``: the placement rules (the diff first, then confirmation by
  quote and context, a search only where the diff cannot decide).
* ``recognition``: when edited text is still a span's own, and when it is
  "beyond recognition".
* ``diffing``: the diff of two bodies and how offsets map through it.
* ``revision_diff``: what changed, word by word, for the revision list.
"""

from __future__ import annotations

from annotations.corrections.reanchoring import Placement, SpanText, Status, Why, reanchor
from annotations.corrections.recognition import Likeness, likeness
from annotations.corrections.revision_diff import RevisionDiff, revision_diff

__all__ = [
    "Likeness",
    "Placement",
    "RevisionDiff",
    "SpanText",
    "Status",
    "Why",
    "likeness",
    "reanchor",
    "revision_diff",
]
