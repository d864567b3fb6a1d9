"""The load test's ledger rules (bench/loadtest/ledger.py), without a server."""

from __future__ import annotations

from pathlib import Path

from bench.loadtest import ledger
from bench.loadtest.ledger import Ledger, Stored

ONE = (1, 0, 9, "loadtest-00")
TWO = (1, 14, 21, "loadtest-01")


def stored(labels: dict, audit_rows: int, spans_without_labels: int = 0) -> Stored:
    return Stored(labels=labels, audit_rows=audit_rows, spans_without_labels=spans_without_labels)


def test_writing_identical_values_again_adds_no_audit_row():
    book = Ledger()
    book.labelled(ONE, ("verified_fact", "", ""))
    book.labelled(ONE, ("verified_fact", "", ""))
    book.labelled(ONE, ("verified_fact", "A note.", ""))
    book.removed_label(ONE)
    assert book.audited_writes == 3
    figures = ledger.check(book, stored({}, audit_rows=3))
    assert ledger.passed(figures)
    assert figures["acknowledged_removals"] == 1


def test_an_older_kind_counts_as_lost():
    book = Ledger()
    book.labelled(ONE, ("verified_fact", "", ""))
    book.labelled(ONE, ("official_claim", "", ""))
    figures = ledger.check(book, stored({ONE: "verified_fact"}, audit_rows=2))
    assert figures["lost"] == 1
    assert not ledger.passed(figures)


def test_a_removed_label_still_stored_is_a_phantom():
    book = Ledger()
    book.labelled(ONE, ("verified_fact", "", ""))
    book.removed_label(ONE)
    figures = ledger.check(book, stored({ONE: "verified_fact"}, audit_rows=2))
    assert (figures["lost"], figures["phantom"]) == (0, 1)


def test_an_unanswered_write_counts_neither_way():
    book = Ledger()
    book.sending(ONE)
    book.unanswered(ONE)
    book.sending(TWO)  # still in flight when the editor was stopped
    assert ledger.passed(ledger.check(book, stored({ONE: "verified_fact"}, audit_rows=0)))
    assert ledger.passed(ledger.check(book, stored({TWO: "verified_fact"}, audit_rows=0)))
    assert ledger.check(book, stored({}, audit_rows=0))["uncertain"] == 2


def test_a_span_left_without_labels_or_a_missing_audit_row_fails():
    book = Ledger()
    book.labelled(ONE, ("verified_fact", "", ""))
    assert not ledger.passed(ledger.check(book, stored({ONE: "verified_fact"}, 1, 1)))
    assert not ledger.passed(ledger.check(book, stored({ONE: "verified_fact"}, 0)))


def test_ledgers_of_several_processes_merge(tmp_path: Path):
    first, second = Ledger(), Ledger()
    first.labelled(ONE, ("verified_fact", "", ""))
    second.labelled(TWO, ("official_claim", "", ""))
    second.sending(ONE)
    ledger.save(first, tmp_path / "ledger-1.json")
    ledger.save(second, tmp_path / "ledger-2.json")
    merged = ledger.load_all(tmp_path)
    assert merged.labels == {ONE: "verified_fact", TWO: "official_claim"}
    assert merged.uncertain == {ONE}
    assert merged.audited_writes == 2
