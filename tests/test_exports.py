"""The export query: which labels, in which order, with which consensus."""

from __future__ import annotations

import datetime

from annotations import exports
from annotations.csvexport import csv_chunks
from annotations.labelling import label_span, set_finished
from annotations.models import Article, Label, Span
from bench.fixtures import FORMULA_PAYLOADS, NOTES
from tests.exporting import C, parse_csv


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
    _label(article, bob, 14, 21, "verified_fact")  # "300,000"
    rows = list(exports.export_rows(Label.objects.filter(reviewer=alice)))
    assert [(row.quote, row.span_consensus) for row in rows] == [("Officials", "Official claim")]


def test_a_span_labelled_between_the_two_queries_does_not_shift_consensus(
    article, alice, bob, monkeypatch
):
    _label(article, alice, 0, 9, "official_claim")
    _label(article, bob, 0, 9, "verified_fact")
    _label(article, alice, 14, 21, "unsourced_speculation")
    real = exports._span_kind_counts

    def with_a_newcomer(labels):
        # A span the label query never saw, ordered before every other one.
        yield (article.id, 0, 5, 10**9, 1, 0, 0)  # one verified fact
        yield from real(labels)

    monkeypatch.setattr(exports, "_span_kind_counts", with_a_newcomer)
    rows = list(exports.export_rows(Label.objects.all()))
    assert [(row.quote, row.span_consensus) for row in rows] == [
        ("Officials", "Disputed"),
        ("Officials", "Disputed"),
        ("300,000", "Unsourced speculation"),
    ]


def test_select_labels_by_article_outlet_and_date(article, alice):
    _label(article, alice, 0, 9, "official_claim")
    assert exports.select_labels(article_ids=[article.id]).count() == 1
    assert exports.select_labels(article_ids=[article.id + 1]).count() == 0
    assert exports.select_labels(outlet="Desk Daily").count() == 1
    assert exports.select_labels(outlet="Desk").count() == 0


def test_whole_spans_give_the_same_rows_in_one_query(
    article, alice, bob, django_assert_num_queries
):
    # Spans land on whole words (annotations.selection): "Officials say" with
    # "Officials" nested in it, too short to be the same span.
    _label(article, alice, 0, 13, "official_claim")
    _label(article, bob, 0, 13, "verified_fact")
    _label(article, bob, 0, 9, "verified_fact")
    _label(article, alice, 14, 21, "unsourced_speculation")
    labels = exports.select_labels(article_ids=[article.id])
    expected = list(exports.export_rows(labels))
    # the labels, with each span's consensus worked out from its own rows
    with django_assert_num_queries(1):
        rows = list(exports.export_rows(labels, whole_spans=True))
    assert rows == expected
    assert [row.span_consensus for row in rows] == [
        "Verified fact",
        "Disputed",
        "Disputed",
        "Unsourced speculation",
    ]


# The benchmark's notes, the formula payloads, and what else CSV quoting must survive.
HOSTILE_NOTES = [
    *NOTES,
    *FORMULA_PAYLOADS,
    'He said "no", then left, twice',
    "line one\nline two\r\nline three\rend",
    "café 🇺🇦 👩🏽\u200d⚕️, fine",
    "",
    "\uff1dHYPERLINK(1)",
    "\u200b=1+2",
    "\ufeff\u3000\uff20x",
    " -2",
    "\u0085\u00ad\U000e0020+x",
    "a \u200b=1+2",
]


def test_the_whole_span_file_is_byte_for_byte_the_row_by_row_file(article, alice, bob, carol):
    # The whole-span export's lines are written by the database: COPY on
    # PostgreSQL (annotations.csvsql, restating csvexport's cell rules, the kind
    # names, balance.consensus_of_counts and csvexport.iso_utc in SQL), one
    # SELECT on SQLite (annotations.csvsqlite). Each must equal what the Python
    # path writes from the rows.
    article.title = '=Title, with "quotes"'
    article.outlet = "@Outlet"
    article.byline = '-Ana "Ruiz", Tom\nBrandt'
    article.published = datetime.date(2026, 3, 20)
    article.save()
    # An article without authors or a date: empty cells, in their places.
    undated = Article.objects.create(title="Undated", body="Undated text.", fingerprint="u" * 64)
    Label.objects.create(
        span=Span.objects.create(article=undated, start=0, end=7, quote="Undated"),
        reviewer=alice,
        kind="verified_fact",
    )
    for n, note in enumerate(HOSTILE_NOTES):
        start, end = 3 * n, 3 * n + 2
        span = Span.objects.create(
            article=article, start=start, end=end, quote=article.body[start:end]
        )
        Label.objects.create(
            span=span,
            reviewer=alice if n % 2 else bob,
            kind="official_claim",
            note=note,
            source_url="https://example.org/a,b" if n % 3 == 0 else "",
        )
    first = Span.objects.get(article=article, start=0)
    Label.objects.create(span=first, reviewer=alice, kind="verified_fact")  # a tie: disputed
    # Three reviewers: a majority, and a three-way tie.
    for start, kinds in [
        (120, ["official_claim", "unsourced_speculation", "official_claim"]),
        (130, ["verified_fact", "official_claim", "unsourced_speculation"]),
    ]:
        span = Span.objects.create(
            article=article, start=start, end=start + 3, quote=article.body[start : start + 3]
        )
        for reviewer, kind in zip([alice, bob, carol], kinds, strict=True):
            Label.objects.create(span=span, reviewer=reviewer, kind=kind)
    # Two spans a correction orphaned (issue 14): no offsets, listed last, in id order;
    # one with two reviewers who disagree (its own consensus), a formula in its quote.
    for quote, kinds in [
        ("=gone", ["verified_fact", "official_claim"]),
        ("gone", ["verified_fact"]),
    ]:
        orphan = Span.objects.create(article=article, quote=quote, anchor="orphaned")
        for reviewer, kind in zip([alice, bob], kinds, strict=False):
            Label.objects.create(span=orphan, reviewer=reviewer, kind=kind)
    set_finished(article.id, bob, finished=True)  # a finished reviewer, and one who is not
    labels = exports.select_labels(article_ids=[article.id, undated.id])
    whole = b"".join(exports.export_bytes(labels, whole_spans=True))  # brings figures up to date
    by_rows = b"".join(chunk.encode("utf-8") for chunk in csv_chunks(exports.export_rows(labels)))
    assert whole == by_rows
    assert b"".join(exports.export_bytes(labels)) == by_rows
    # Every label (export_labels without options): on PostgreSQL, a query with no selection.
    assert b"".join(exports.export_bytes(exports.select_labels(), whole_spans=True)) == by_rows
    orphans = [row for row in parse_csv(by_rows)[1:] if row[C["anchor"]] == "orphaned"]
    assert [(r[C["quote"]], r[C["start"]], r[C["end"]]) for r in orphans] == [
        ("'=gone", "", ""),
        ("'=gone", "", ""),
        ("gone", "", ""),
    ]
    in_article = [row for row in parse_csv(by_rows)[1:] if row[C["article id"]] == str(article.id)]
    assert in_article[-3:] == orphans  # after the placed spans
    rows = parse_csv(by_rows)[1:]
    # "Undated" is 7 of the 13 characters of its article: 0.53846...
    assert {
        row[C["article coverage"]] for row in rows if row[C["article id"]] == str(undated.id)
    } == {"0.5385"}
    assert {row[C["reviewer"]] for row in rows if row[C["reviewer finished"]]} == {"bob"}
    by_article = {row[C["article id"]]: row for row in rows}
    assert by_article[str(article.id)][C["authors"] : C["published"] + 1] == [
        '\'-Ana "Ruiz", Tom\nBrandt',
        "2026-03-20",
    ]
    assert by_article[str(undated.id)][C["authors"] : C["published"] + 1] == ["", ""]
    consensus = {
        row[C["start"]]: row[C["span consensus"]]
        for row in rows
        if row[C["article id"]] == str(article.id)
    }
    assert (consensus["0"], consensus["120"], consensus["130"]) == (
        "Disputed",
        "Official claim",
        "Disputed",
    )
