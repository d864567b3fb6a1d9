"""The report's long lists, built in Python rather than in a template loop.

An article with 5,000 spans has 5,000 list items, and a template loop costs
far more per item than joining escaped strings (bench/RESULTS.md). Every
value that came from a user goes through ``escape`` (the standard library's,
which escapes ``& < > " '`` as Django's does, without its lazy-string
wrapper); nothing else is interpolated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe

from annotations.kinds import DISPUTED, IN_SENTENCE, NAMES

if TYPE_CHECKING:
    from annotations.report import Overlap, ReportSpan


@cache
def _kind(kind: str, name: str) -> str:
    # A handful of kinds: each tag is built once.
    return f'<span class="kind kind-{escape(kind)}">{escape(name)}</span>'


def spans_by_label(spans: Iterable[ReportSpan]) -> SafeString:
    """One ``<li>`` per span: the quote, then each reviewer's label, note and source."""
    parts = []
    for span in spans:
        labels = []
        for label in span.labels or ():
            line = f'<li><span class="reviewer">{escape(label.reviewer)}</span>: {_kind(label.kind, NAMES[label.kind])}'
            if label.note:
                line += f' — <span class="note">{escape(label.note)}</span>'
            if label.source_url:
                line += (
                    f' — <a href="{escape(label.source_url)}" '
                    'rel="noopener noreferrer nofollow">source</a>'
                )
            labels.append(line + "</li>")
        parts.append(
            f'<li class="span-item"><blockquote class="quote">{escape(span.quote)}</blockquote>'
            f'<ul class="labels">{"".join(labels)}</ul></li>'
        )
    return mark_safe("\n".join(parts))


def disagreements(items: Iterable[ReportSpan | Overlap]) -> SafeString:
    """One ``<li>`` per disagreement: a span's quote, how it counts, and who chose what;
    or two overlapping spans, each quote with who chose what on it."""
    parts = []
    for item in items:
        if hasattr(item, "first"):
            parts.append(_overlap(item))  # type: ignore[arg-type]
            continue
        span: ReportSpan = item
        if span.consensus == DISPUTED:
            counted = f"<strong>{NAMES[DISPUTED]}</strong>"
        else:
            counted = f"Counted as <strong>{IN_SENTENCE[span.consensus]}</strong> (majority)"
        parts.append(
            f'<li class="span-item"><blockquote class="quote">{escape(span.quote)}</blockquote>'
            f'<p class="verdict-line">{counted}: {_choices(span)}.</p></li>'
        )
    return mark_safe("\n".join(parts))


def _choices(span: ReportSpan) -> str:
    return ", ".join(
        f"{escape(label.reviewer)} chose {_kind(label.kind, IN_SENTENCE[label.kind])}"
        for label in span.labels or ()
    )


def _overlap(overlap: Overlap) -> str:
    quotes = "".join(
        f'<blockquote class="quote">{escape(span.quote)}</blockquote>'
        f'<p class="verdict-line">{_choices(span)}.</p>'
        for span in (overlap.first, overlap.second)
    )
    return (
        '<li class="span-item overlap"><p class="verdict-line"><strong>Overlapping '
        f"selections</strong>, labelled differently:</p>{quotes}</li>"
    )


@dataclass(frozen=True)
class BarSegment:
    """One part of a stacked balance bar; ``x`` and ``width`` are percentages."""

    category: str
    name: str
    x: str
    width: str
    share: str
    chars: int
    spans: int | None


def balance_bar(segments: Iterable[BarSegment], *, mini: bool = False) -> SafeString:
    """One stacked bar as inline SVG; widths are attributes, as the CSP forbids styles.

    The fills are the patterns of ``_report_bar_defs.html``, once per page.
    """
    segments = list(segments)
    described = ", ".join(f"{s.name} {s.share}" for s in segments)
    rects = "".join(
        f'<rect class="seg seg-{escape(s.category)}" x="{escape(s.x)}" y="0" '
        f'width="{escape(s.width)}" height="100%" fill="url(#fill-{escape(s.category)})">'
        f"<title>{escape(s.name)}: {escape(s.share)}</title></rect>"
        for s in segments
        if s.chars
    )
    css = "bar bar-mini" if mini else "bar"
    return mark_safe(
        f'<svg class="{css}" role="img" aria-label="{escape(described)}" '
        f'preserveAspectRatio="none">{rects}'
        '<rect class="bar-frame" x="0" y="0" width="100%" height="100%" fill="none"/></svg>'
    )
