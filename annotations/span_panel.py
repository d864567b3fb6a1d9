"""What the span panel shows: every reviewer's label on one span, and its audit trail.

The panel opens when a highlight is clicked (``views.annotate.span_panel``)
and after a write from it; after "Remove my label" it offers to undo it (``Undo``). Two queries, however many labels and history
entries the span has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from annotations.access import is_editor
from annotations.balance import consensus
from annotations.kinds import NAMES
from annotations.models import Label, Span

# What the trail names, for each audited field of a label.
_AUDITED_FIELDS = (("kind", "label"), ("note", "note"), ("source_url", "source"))
_ACTIONS = {"+": "labelled", "~": "changed", "-": "removed"}


@dataclass
class AuditEntry:
    who: str
    when: datetime
    action: str
    changes: list[str] = field(default_factory=list)


@dataclass
class PanelLabel:
    id: int
    reviewer: str
    kind: str
    kind_name: str
    note: str
    source_url: str
    when: datetime
    mine: bool
    trail: list[AuditEntry]


@dataclass
class SpanPanel:
    span: Span
    consensus: str
    consensus_name: str
    labels: list[PanelLabel]
    removed: list[AuditEntry]
    can_label: bool
    my_label: PanelLabel | None


@dataclass(frozen=True)
class Undo:
    """A label just removed, as "Undo" sends it to ``label_create``: the same span,
    label, note and source, through the normal write path (so the audit trail keeps
    the removal and shows the label made again)."""

    start: int
    end: int
    quote: str
    kind: str
    kind_name: str
    note: str
    source_url: str


def undo_of(label: Label) -> Undo | None:
    """What undoes the removal of ``label``. Call before removing it; no query when
    its span is loaded (``access.get_label`` loads it). None for an orphan's label:
    its span has no place to label again (issue 14)."""
    span = label.span
    if span.start is None or span.end is None:
        return None
    return Undo(
        start=span.start,
        end=span.end,
        quote=span.quote,
        kind=label.kind,
        kind_name=NAMES[label.kind],
        note=label.note,
        source_url=label.source_url,
    )


def span_panel_for(span: Span, user: Any) -> SpanPanel:
    """Every reviewer's label on ``span`` with its audit trail, as ``user`` sees it. Two queries."""
    labels = list(span.labels.select_related("reviewer").order_by("created_at", "id"))
    trails = audit_trails(span)
    shown = [
        PanelLabel(
            id=label.id,
            reviewer=label.reviewer.get_username(),
            kind=label.kind,
            kind_name=NAMES[label.kind],
            note=label.note,
            source_url=label.source_url,
            when=label.updated_at,
            mine=label.reviewer_id == user.pk,
            trail=trails.pop(label.id, []),
        )
        for label in labels
    ]
    agreed = consensus([label.kind for label in shown]) or ""
    return SpanPanel(
        span=span,
        consensus=agreed,
        consensus_name=NAMES.get(agreed, ""),
        labels=shown,
        removed=[entry for trail in trails.values() for entry in trail],
        can_label=is_editor(user),
        my_label=next((label for label in shown if label.mine), None),
    )


def audit_trails(span: Span) -> dict[int, list[AuditEntry]]:
    """Each label's history on ``span`` (removed labels too) by label id, oldest first. One query."""
    records = (
        Label.history.filter(span_id=span.id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    trails: dict[int, list[AuditEntry]] = {}
    previous: dict[int, Any] = {}
    for record in records:
        who = record.history_user.get_username() if record.history_user else "(system)"
        # An import says so, and from what ("imported from a Hypothesis file (…)").
        action = record.history_change_reason or _ACTIONS[record.history_type]
        entry = AuditEntry(who=who, when=record.history_date, action=action)
        entry.changes = _changes(previous.get(record.id), record)
        trails.setdefault(record.id, []).append(entry)
        previous[record.id] = record
    return trails


def _changes(before: Any, record: Any) -> list[str]:
    """What a history record changed: each field's new value, or its old and new value."""
    changes = []
    for attribute, name in _AUDITED_FIELDS:
        value = getattr(record, attribute)
        if before is None:
            if value and record.history_type == "+":
                changes.append(f"{name}: {_shown(attribute, value)}")
        elif getattr(before, attribute) != value:
            old = _shown(attribute, getattr(before, attribute)) or "(none)"
            changes.append(f"{name}: {old} → {_shown(attribute, value) or '(none)'}")
    return changes


def _shown(attribute: str, value: str) -> str:
    return NAMES.get(value, value) if attribute == "kind" else value
