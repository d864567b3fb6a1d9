"""The load test's ledger: what the server acknowledged, and whether the database agrees.

The rules, stated once:

* A label write (create, change, removal) counts only when the server
  acknowledged it (answered 200). The ledger then holds each acknowledged
  label's latest kind; an acknowledged removal takes the label out.
* A write that got no acknowledgement (an error status, no answer, or a
  simulated editor stopped mid-request) makes its label *uncertain*: the server
  may or may not have stored it, so neither outcome is counted against it.
* After the run the database must hold exactly the acknowledged labels: one
  missing, or holding an older kind, is **lost**; one never acknowledged is a
  **phantom**. No span may be left without labels.
* A label is checked where the server says it stored it, which may differ
  from the request's range (selections snap to words, and a selection nearly
  identical to a stored span labels that span).
* Every acknowledged write that changed something adds one audit row: a new
  label, a change of kind, note or source, a removal. Writing identical values
  again adds none.

Pure: no Django, no Locust. The locustfile records into a ``Ledger``; the
runner reads the database into ``Stored`` and calls ``check``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Key = tuple[int, int, int, str]
"""A label's identity: article id, start, end (code points), reviewer's username."""

Values = tuple[str, str, str]
"""What one label holds: kind, note, source URL."""


@dataclass
class Ledger:
    labels: dict[Key, str] = field(default_factory=dict)  # latest acknowledged kind
    removed: set[Key] = field(default_factory=set)
    uncertain: set[Key] = field(default_factory=set)
    in_flight: set[Key] = field(default_factory=set)
    audited_writes: int = 0
    held: dict[Key, Values] = field(default_factory=dict)  # what the server holds, per label

    def sending(self, key: Key) -> None:
        """Before a write goes out: until answered, its outcome is unknown."""
        self.in_flight.add(key)

    def unanswered(self, key: Key) -> None:
        self.in_flight.discard(key)
        self.uncertain.add(key)

    def labelled(self, key: Key, values: Values, *, sent: Key | None = None) -> None:
        """An acknowledged create or change (the server stores the values given).

        ``sent`` is the key the request asked for when the server stored the
        label elsewhere (a selection snapped, or nearly identical to a stored
        span, labels that span): the label is checked where it landed.
        """
        self.in_flight.discard(sent or key)
        if self.held.get(key) != values:
            self.audited_writes += 1
        self.held[key] = values
        self.labels[key] = values[0]
        self.removed.discard(key)

    def removed_label(self, key: Key) -> None:
        self.in_flight.discard(key)
        self.audited_writes += 1
        self.labels.pop(key, None)
        self.held.pop(key, None)
        self.removed.add(key)

    def to_json(self) -> dict[str, Any]:
        return {
            "labels": [[*key, kind] for key, kind in self.labels.items()],
            "removed": [list(key) for key in self.removed],
            "uncertain": [list(key) for key in self.uncertain | self.in_flight],
            "audited_writes": self.audited_writes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ledger:
        return cls(
            labels={_key(row[:4]): str(row[4]) for row in data["labels"]},
            removed={_key(row) for row in data["removed"]},
            uncertain={_key(row) for row in data["uncertain"]},
            audited_writes=int(data["audited_writes"]),
        )


def _key(row: list[Any]) -> Key:
    return int(row[0]), int(row[1]), int(row[2]), str(row[3])


def merge(ledgers: Iterable[Ledger]) -> Ledger:
    """One ledger from several (one per Locust process); their editors never overlap."""
    total = Ledger()
    for ledger in ledgers:
        total.labels.update(ledger.labels)
        total.removed |= ledger.removed
        total.uncertain |= ledger.uncertain | ledger.in_flight
        total.audited_writes += ledger.audited_writes
    return total


def save(ledger: Ledger, path: Path) -> None:
    path.write_text(json.dumps(ledger.to_json()), encoding="utf-8")


def load_all(directory: Path) -> Ledger:
    """Every ``ledger-*.json`` a Locust process wrote into ``directory``, merged."""
    return merge(
        Ledger.from_json(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(directory.glob("ledger-*.json"))
    )


@dataclass(frozen=True)
class Stored:
    """What the database holds for the load test's accounts after the run."""

    labels: dict[Key, str]
    audit_rows: int
    spans_without_labels: int


def check(ledger: Ledger, stored: Stored) -> dict[str, Any]:
    """The figures of the ledger rules above, with a few examples of each failure."""
    unsure = ledger.uncertain | ledger.in_flight
    certain = {key: kind for key, kind in ledger.labels.items() if key not in unsure}
    lost = [key for key, kind in certain.items() if stored.labels.get(key) != kind]
    phantom = [key for key in stored.labels if key not in ledger.labels and key not in unsure]
    return {
        "acknowledged_labels": len(ledger.labels),
        "acknowledged_removals": len(ledger.removed - ledger.labels.keys()),
        "labels_in_database": len(stored.labels),
        "lost": len(lost),
        "lost_examples": [list(key) for key in lost[:5]],
        "phantom": len(phantom),
        "phantom_examples": [list(key) for key in phantom[:5]],
        "uncertain": len(unsure),
        "spans_without_labels": stored.spans_without_labels,
        "audit_rows": stored.audit_rows,
        "audit_rows_expected": ledger.audited_writes,
    }


def passed(figures: dict[str, Any]) -> bool:
    return bool(
        figures["lost"] == 0
        and figures["phantom"] == 0
        and figures["spans_without_labels"] == 0
        and figures["audit_rows"] == figures["audit_rows_expected"]
    )
