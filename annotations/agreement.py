"""Agreement between reviewers on the same spans. Pure: no Django imports.

Each *unit* is one span, given as ``{reviewer: kind}``. Only units labelled
by at least two reviewers say anything about agreement; the others are left
out of every figure here.

* **Percent agreement**: the share of those spans on which every reviewer
  chose the same label.
* **Cohen's kappa** (two reviewers only): ``(po - pe) / (1 - pe)``, chance
  agreement ``pe`` from each reviewer's own label frequencies.
* **Krippendorff's alpha**, nominal, for any number of reviewers and missing
  labels: ``1 - Do / De`` from the coincidence matrix (Krippendorff 2011,
  "Computing Krippendorff's Alpha-Reliability").

A figure that cannot be computed is ``None`` with a sentence saying why,
rather than a meaningless number.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import permutations
from typing import TypeVar

# Whoever labelled a unit: a username, a coder's letter.
Reviewer = TypeVar("Reviewer", bound=Hashable)

MIN_UNITS = 2


@dataclass(frozen=True)
class Agreement:
    units: int  # spans labelled by at least two reviewers
    reviewers: int  # distinct reviewers on those spans
    agreed: int  # of those spans, how many every reviewer labelled alike
    percent: float | None  # agreed / units, 0..1
    kappa: float | None  # only with exactly two reviewers
    alpha: float | None
    note: str  # why a figure is missing, or "" when all that apply are there


def cohen_kappa(pairs: Iterable[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa for two raters; ``None`` when chance agreement is certain."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == b for a, b in pairs) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in first) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def krippendorff_alpha_nominal(units: Iterable[Iterable[Hashable]]) -> float | None:
    """Krippendorff's alpha for nominal values; ``None`` when it is undefined.

    ``units`` holds the values each unit received (missing values simply
    absent). Units with fewer than two values are not pairable and are
    dropped. Undefined with no pairable values, or when every value is the
    same category (expected disagreement 0).
    """
    # Coincidence matrix: each ordered pair of values within a unit adds
    # 1 / (m_u - 1), so each pairable value contributes exactly 1 in total.
    return alpha_of_counts([(list(unit), 1) for unit in units])


def agreement(units: Iterable[Mapping[Reviewer, Hashable]]) -> Agreement:
    """Every agreement figure over the spans at least two reviewers labelled."""
    return agreement_of_counts(Counter(frozenset(unit.items()) for unit in units if len(unit) >= 2))


def agreement_of_counts(
    counts: Mapping[Collection[tuple[Reviewer, Hashable]], int],
) -> Agreement:
    """``agreement`` from each distinct unit, as its ``(reviewer, label)`` pairs, and how many
    spans have it: an article has thousands of spans but a handful of distinct units.

    Units with fewer than two reviewers are left out, as ``agreement`` leaves them.
    """
    shared = [(dict(unit), times) for unit, times in counts.items() if len(unit) >= 2 and times]
    units = sum(times for _, times in shared)
    reviewers = {reviewer for unit, _ in shared for reviewer in unit}
    agreed = sum(times for unit, times in shared if len(set(unit.values())) == 1)
    if units < MIN_UNITS:
        return Agreement(
            units=units,
            reviewers=len(reviewers),
            agreed=agreed,
            percent=None,
            kappa=None,
            alpha=None,
            note=(
                f"Not enough overlap: {_spans(units)} labelled by two or more "
                f"reviewers; agreement needs at least {MIN_UNITS}."
            ),
        )
    kappa = None
    notes = []
    if len(reviewers) == 2:
        first, second = sorted(reviewers, key=str)
        kappa = _kappa_of_counts(
            [((u[first], u[second]), times) for u, times in shared if first in u and second in u]
        )
    alpha = alpha_of_counts([(list(u.values()), times) for u, times in shared])
    if alpha is None:
        notes.append(
            "Kappa and alpha are undefined here: every reviewer used the same single "
            "label on these spans, so agreement by chance is certain."
        )
    elif len(reviewers) != 2:
        notes.append(f"Cohen's kappa compares exactly two reviewers; there are {len(reviewers)}.")
    return Agreement(
        units=units,
        reviewers=len(reviewers),
        agreed=agreed,
        percent=agreed / units,
        kappa=kappa,
        alpha=alpha,
        note=" ".join(notes),
    )


def _kappa_of_counts(pairs: list[tuple[tuple[Hashable, Hashable], int]]) -> float | None:
    """``cohen_kappa`` of each distinct pair given with how many times it occurs."""
    n = sum(times for _, times in pairs)
    if n == 0:
        return None
    observed = sum(times for (a, b), times in pairs if a == b) / n
    first: Counter[Hashable] = Counter()
    second: Counter[Hashable] = Counter()
    for (a, b), times in pairs:
        first[a] += times
        second[b] += times
    expected = sum(first[c] * second[c] for c in first) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def alpha_of_counts(units: Iterable[tuple[Sequence[Hashable], int]]) -> float | None:
    """``krippendorff_alpha_nominal`` of each distinct unit given with how many times it
    occurs: an article has thousands of units but a handful of distinct ones. The one
    implementation of the coefficient (``text_agreement`` calls it too)."""
    coincidences: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for values, times in units:
        m = len(values)
        if m < 2:
            continue
        for a, b in permutations(values, 2):
            coincidences[(a, b)] += times / (m - 1)
    totals: defaultdict[Hashable, float] = defaultdict(float)
    for (a, _), weight in coincidences.items():
        totals[a] += weight
    n = sum(totals.values())
    expected_pairs = n * n - sum(t * t for t in totals.values())
    if n <= 1 or expected_pairs <= 1e-12:
        return None
    observed_off = sum(w for (a, b), w in coincidences.items() if a != b)
    return 1 - (n - 1) * observed_off / expected_pairs


def _spans(n: int) -> str:
    return f"{'no' if n == 0 else n} span{'' if n == 1 else 's'} {'is' if n == 1 else 'are'}"
