"""Consensus, balance and agreement figures. Pure: no Django imports.

Fed plain data (kinds as strings, spans as tuples), so the report, the CSV
export and the benchmark all compute the same figures the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

DISPUTED = "disputed"


def consensus(kinds: Iterable[str]) -> str | None:
    """The label most reviewers chose; ``DISPUTED`` when the top is a tie.

    ``None`` when nobody labelled the span. One reviewer's label is the consensus.
    """
    ranked = Counter(kinds).most_common()
    if not ranked:
        return None
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return DISPUTED
    return ranked[0][0]
