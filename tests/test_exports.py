"""The export query: which labels, in which order, with which consensus."""

from __future__ import annotations

from annotations import exports
from annotations.labelling import label_span
from annotations.models import Label


def _label(article, reviewer, start, end, kind):
    return label_span(
        article=article,
        reviewer=reviewer,
        start=start,
        end=end,
        quote=article.body[start:end],
        kind=kind,
    )


def test_consensus_counts_the_whole_span_even_when_one_label_is_selected(article, alice, bob):
    _label(article, alice, 0, 9, "official_claim")
    _label(article, bob, 0, 9, "official_claim")
    _label(article, bob, 14, 17, "verified_fact")  # "300"
    rows = list(exports.export_rows(Label.objects.filter(reviewer=alice)))
    assert [(row[7], row[10]) for row in rows] == [("Officials", "Official claim")]


def test_a_span_labelled_between_the_two_queries_does_not_shift_consensus(
    article, alice, bob, monkeypatch
):
    _label(article, alice, 0, 9, "official_claim")
    _label(article, bob, 0, 9, "verified_fact")
    _label(article, alice, 14, 17, "unsourced_speculation")
    real = exports._span_kind_counts

    def with_a_newcomer(labels):
        # A span the label query never saw, ordered before every other one.
        yield (article.id, 0, 5, 10**9, "verified_fact", 1)
        yield from real(labels)

    monkeypatch.setattr(exports, "_span_kind_counts", with_a_newcomer)
    rows = list(exports.export_rows(Label.objects.all()))
    assert [(row[7], row[10]) for row in rows] == [
        ("Officials", "Disputed"),
        ("Officials", "Disputed"),
        ("300", "Unsourced speculation"),
    ]


def test_select_labels_by_article_outlet_and_date(article, alice):
    _label(article, alice, 0, 9, "official_claim")
    assert exports.select_labels(article_ids=[article.id]).count() == 1
    assert exports.select_labels(article_ids=[article.id + 1]).count() == 0
    assert exports.select_labels(outlet="Desk Daily").count() == 1
    assert exports.select_labels(outlet="Desk").count() == 0
