"""The correction generator's tracked truth, checked by hand: the accuracy figures rest on it."""

from __future__ import annotations

import pytest

from annotations.text import canonicalize
from tests.corrections.generator import (
    KINDS,
    Builder,
    Case,
    Conflict,
    TrackedSpan,
    _span,
    articles,
    make_case,
    truth,
)

OLD = "Alpha beta gamma.\n\nDelta epsilon 300,000 zeta.\n\nEta theta iota."


def case_of(builder: Builder, *quotes: str) -> tuple[Case, list]:
    spans = [
        TrackedSpan(
            _span(builder.old, n, builder.old.index(q), builder.old.index(q) + len(q)), set()
        )
        for n, q in enumerate(quotes)
    ]
    case = Case("test", "test", builder.old, builder.new_text(), spans, builder.pieces)
    return case, [truth(case, t.span) for t in spans]


def test_a_replacement_keeps_the_ends_it_shares_as_copied_text():
    b = Builder(OLD)
    b.replace(OLD.index("300,000"), OLD.index("300,000") + 7, "350,000")
    assert [p.text for p in b.pieces if p.origin is None] == ["5"]
    assert b.new_text() == OLD.replace("300,000", "350,000")


def test_edits_may_not_overlap():
    b = Builder(OLD)
    b.replace(0, 5, "Omega")
    with pytest.raises(Conflict):
        b.replace(3, 8, "x")


def test_untouched_and_shifted_text_survives_at_its_new_place():
    b = Builder(OLD)
    b.replace(0, 0, "🇺🇦 ")
    case, [t] = case_of(b, "epsilon 300,000")
    assert t.fate == "survives"
    assert case.new[t.exact[0] : t.exact[1]] == "epsilon 300,000"


def test_an_edit_inside_a_span_makes_it_edited_with_the_new_text_as_truth():
    b = Builder(OLD)
    b.replace(OLD.index("300,000"), OLD.index("300,000") + 7, "310,500")
    case, [t] = case_of(b, "epsilon 300,000 zeta")
    assert t.fate == "edited" and case.new[t.exact[0] : t.exact[1]] == "epsilon 310,500 zeta"
    assert t.expected_follow


def test_an_edit_across_an_edge_straddles_and_allows_the_edge_anywhere_in_it():
    b = Builder(OLD)
    b.replace(OLD.index("Delta"), OLD.index("300,000"), "Omicron pi ")
    case, [t] = case_of(b, "epsilon 300,000")
    assert t.fate == "straddled"
    assert t.allows(
        case.new.index("300,000"), case.new.index(" zeta")
    )  # the replaced word left out
    assert not t.allows(0, 5)


def test_deleted_text_is_gone_and_only_orphaning_it_is_allowed():
    b = Builder(OLD)
    b.replace(OLD.index("Delta"), OLD.index("Eta"), "")
    case, [t] = case_of(b, "300,000")
    assert t.fate == "gone"
    assert t.allows(None, None) and not t.allows(0, 5)


def test_a_moved_paragraph_carries_its_spans():
    b = Builder(OLD)
    b.move(OLD.index("Delta"), OLD.index("Eta"), 0)
    case, [t] = case_of(b, "300,000")
    assert canonicalize(case.new) == case.new
    assert t.fate == "survives" and case.new.startswith("Delta epsilon 300,000")


def test_a_span_whose_paragraphs_were_separated_is_split():
    b = Builder(OLD)
    b.move(OLD.index("Delta"), OLD.index("Eta"), 0)
    case, [t] = case_of(b, "gamma.\n\nDelta")
    assert t.fate == "split"
    assert t.allows(*t.pieces[0]) and not t.allows(0, len(case.new))


@pytest.mark.parametrize("kind", KINDS)
def test_every_generated_body_is_canonical(kind):
    for name, body in articles().items():
        case = make_case(kind, name, body, 1)
        if case is not None:
            assert canonicalize(case.new) == case.new
            assert case.new != case.old
