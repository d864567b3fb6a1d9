"""Integrity enforced by the database itself, not only by Python."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from annotations.labelling import label_span
from annotations.models import Label, Span


def _span(article, start, end):
    return Span(article=article, start=start, end=end, quote=article.body[start:end])


@pytest.mark.parametrize(("start", "end"), [(5, 5), (9, 4)])
def test_database_refuses_a_span_that_does_not_start_before_it_ends(article, start, end):
    with pytest.raises(IntegrityError), transaction.atomic():
        Span.objects.bulk_create([_span(article, start, end)])


def test_database_refuses_two_spans_with_the_same_range(article):
    Span.objects.bulk_create([_span(article, 0, 9)])
    with pytest.raises(IntegrityError), transaction.atomic():
        Span.objects.bulk_create([_span(article, 0, 9)])


def test_database_refuses_a_second_label_by_the_same_reviewer(article, alice):
    span = Span.objects.create(article=article, start=0, end=9, quote=article.body[:9])
    Label.objects.create(span=span, reviewer=alice, kind="verified_fact")
    with pytest.raises(IntegrityError), transaction.atomic():
        Label.objects.create(span=span, reviewer=alice, kind="official_claim")


def test_database_refuses_an_unknown_label_kind(article, alice):
    span = Span.objects.create(article=article, start=0, end=9, quote=article.body[:9])
    with pytest.raises(IntegrityError), transaction.atomic():
        Label.objects.bulk_create([Label(span=span, reviewer=alice, kind="rumour")])


def test_str_says_what_the_object_is(article, alice):
    span = Span.objects.create(article=article, start=0, end=9, quote=article.body[:9])
    label = Label.objects.create(span=span, reviewer=alice, kind="official_claim")
    assert str(article) == "Mobilisation rumours"
    assert str(span) == "Officials (0–9)"
    assert str(label) == "Official claim by alice"


def test_a_label_always_belongs_to_its_spans_article(article, alice, bob, carol):
    through_domain = label_span(
        article=article, reviewer=alice, start=0, end=9, quote="Officials", kind="official_claim"
    )
    span = through_domain.span
    created = Label.objects.create(span=span, reviewer=bob, kind="verified_fact")
    (bulk,) = Label.objects.bulk_create([Label(span=span, reviewer=carol, kind="verified_fact")])
    assert {label.article_id for label in (through_domain, created, bulk)} == {article.id}
    assert set(Label.objects.values_list("article_id", flat=True)) == {article.id}
