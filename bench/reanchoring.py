"""Re-anchoring after a correction: accuracy per edit kind, and time on the long article.

    .venv/bin/python -m bench.reanchoring [--seeds 10] [--runs 7]

Accuracy is measured on the generated corrections of ``tests/corrections``
(every edit kind on every base article, ``--seeds`` times), against the
tracked truth: see that module for what each figure means. Time is measured
on an article like the benchmark's long one (``bench.textgen``: 60 kB, 5,000
overlapping and nested spans), after corrections of several sizes; each
figure is the median of ``--runs`` runs, with min and max. Pure Python: no
database, no Django.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial

from annotations.corrections import SpanText, reanchor
from annotations.corrections.diffing import diff_ops
from annotations.text import context
from bench import textgen
from tests.corrections.generator import EDITS, KINDS, SHAPES, Builder, Tally, TrackedSpan, cases

TARGET_SECONDS = 1.0
WHOLESALE = "rewritten entirely (another article)"
LONG_BYTES = 60_000
LONG_SPANS = 5000


def accuracy(seeds: int) -> tuple[dict[str, Tally], dict[str, Tally], int]:
    """Tallies per edit kind and per span shape (both with "all"), and the number of cases."""
    by_kind: dict[str, Tally] = defaultdict(Tally)
    by_shape: dict[str, Tally] = defaultdict(Tally)
    count = 0
    for case in cases(seeds):
        count += 1
        spans = case.span_texts()
        for tracked, placed in zip(case.spans, reanchor(case.old, case.new, spans), strict=True):
            for key in (case.kind, "all"):
                by_kind[key].add(case, tracked.span, placed)
            for shape in tracked.shapes:
                by_shape[shape].add(case, tracked.span, placed)
    return by_kind, by_shape, count


def long_article() -> tuple[str, list[SpanText]]:
    """An article like ``make bench``'s long one: the same generator, sizes and span shapes."""
    rng = random.Random(7)
    body = textgen.body(rng, LONG_BYTES)
    ranges = textgen.span_ranges(rng, body, LONG_SPANS, max_words=24, nested_share=0.3)
    spans = [SpanText(n, s, e, body[s:e], *context(body, s, e)) for n, (s, e) in enumerate(ranges)]
    return body, spans


def corrections(body: str, spans: list[SpanText]) -> dict[str, str]:
    """New bodies: a typical correction, the larger kinds, and the worst cases.

    The last, another article pasted over this one, is the bounded worst case
    (every span searched), not a correction: the target does not apply to it.
    """
    tracked = [TrackedSpan(span, set()) for span in spans]

    def edited(*kinds: str, seed: int = 1) -> str:
        rng = random.Random(seed)
        builder = Builder(body)
        for kind in kinds:
            EDITS[kind](rng, builder, tracked)
        return builder.new_text()

    paragraphs = body.split("\n\n")
    every_paragraph = "\n\n".join(p.replace(" the ", " teh ", 1) for p in paragraphs)
    return {
        TYPICAL: edited(
            "typo outside spans",
            "figure changed",
            "word inserted in a span",
            "emoji inserted before spans",
            "paragraph inserted",
        ),
        "a paragraph moved": edited("paragraph moved"),
        "paragraphs reordered": edited("paragraphs reordered"),
        "a sentence rewritten": edited("sentence rewritten"),
        "an edit in every paragraph": every_paragraph,
        WHOLESALE: textgen.body(random.Random(8), LONG_BYTES),
    }


TYPICAL = "a typical correction (typo, figure, word, emoji, new paragraph)"


def figure(runs: int) -> dict:
    """``make bench``'s row: the long article re-anchored after a typical correction (issue 17).

    A ``bench.measure.Figure`` as a dict; the harness's other figures are measured
    beside it, this one needs no database."""
    from bench.measure import Figure

    body, spans = long_article()
    new = corrections(body, spans)[TYPICAL]
    times = timed(partial(reanchor, body, new, spans), runs)
    return Figure(
        "reanchoring",
        f"Re-anchoring the {len(spans):,}-span article after a correction",
        "ms",
        [1000 * t for t in times],
        target=1000 * TARGET_SECONDS,
        note=f"annotations.corrections.reanchor after {TYPICAL}, diff included; every "
        "correction kind: python -m bench.reanchoring.",
    ).as_dict()


def timed(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm up
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return times


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f} %" if whole else "–"


def _table(title: str, rows: list[str], tallies: dict[str, Tally]) -> list[str]:
    lines = [
        f"| {title} | spans | survives: placed exactly | edited: followed exactly "
        "(of those the rule keeps) | gone: orphaned | cut or split: placed | silently misplaced |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        t = tallies[row]
        lines.append(
            f"| {row} | {t.spans:,} | {t.survives_exact:,} / {t.survives:,} "
            f"({_percent(t.survives_exact, t.survives)}) | {t.edited_followed:,} / "
            f"{t.edited_should_follow:,} (of {t.edited:,}) | {t.gone_orphaned:,} / {t.gone:,} | "
            f"{t.other_placed:,} / {t.other:,} | {t.misplaced + t.identical_copy} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="corrections per kind and article")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per figure")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    by_kind, by_shape, count = accuracy(args.seeds)
    total = by_kind["all"]
    print(
        f"Accuracy: {count} corrections, {total.spans:,} spans ({time.perf_counter() - began:.0f} s)\n"
    )
    print("\n".join(_table("edit kind", [*KINDS, "all"], by_kind)))
    print()
    print("\n".join(_table("span shape", [s for s in SHAPES if s in by_shape], by_shape)))
    if total.identical_copy:
        print(f"\n{total.identical_copy} placed on an identical copy (quote and context).")
    for example in total.examples:
        print("MISPLACED:", example)

    body, spans = long_article()
    print(f"\nTime to re-anchor {len(spans):,} spans on a {len(body.encode()):,}-byte article")
    print(f"(median of {args.runs} runs, min–max; target {TARGET_SECONDS:.0f} s):\n")
    print("| correction | diff | re-anchoring, diff included | placed | orphaned |")
    print("| --- | ---: | ---: | ---: | ---: |")
    slowest = 0.0
    for name, new in corrections(body, spans).items():
        diff_times = timed(partial(diff_ops, body, new), args.runs)
        times = timed(partial(reanchor, body, new, spans), args.runs)
        placements = reanchor(body, new, spans)
        orphans = sum(p.start is None for p in placements)
        if name != WHOLESALE:
            slowest = max(slowest, statistics.median(times))
        print(
            f"| {name} | {_ms(diff_times)} | {_ms(times)} | "
            f"{len(placements) - orphans:,} | {orphans:,} |"
        )
    passed = total.misplaced == 0 and total.gone_orphaned == total.gone
    passed = passed and total.survives_exact >= 0.99 * total.survives
    passed = passed and slowest < TARGET_SECONDS
    print(f"\nTargets {'met' if passed else 'MISSED'}.")
    return 0 if passed else 1


def _ms(times: list[float]) -> str:
    return (
        f"{1000 * statistics.median(times):,.0f} ms "
        f"({1000 * min(times):,.0f}–{1000 * max(times):,.0f})"
    )


if __name__ == "__main__":
    sys.exit(main())
