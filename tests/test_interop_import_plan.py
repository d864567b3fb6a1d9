"""From records to what an import writes: round trips through our own export, the sample
files of Hypothesis and Label Studio, reviewers, other documents, repeats and re-imports."""

from __future__ import annotations

import json
from typing import Any

from annotations.interop.importplan import plan, same_document
from annotations.interop.readers import Record, read
from annotations.interop.vocabulary import Site
from annotations.interop.webannotation import article_chunks
from annotations.kinds import KINDS
from annotations.text import canonicalize, context
from tests.interop import HERE, label_row, sample

SITE = Site("https://sourcemark.example.org")
BODY = canonicalize((HERE / "article.txt").read_text(encoding="utf-8"))
GAZETTE = "https://www.riverton-gazette.example/news/2026/11/27/floodwaters-record"
USERS = {"alice": 1, "bob": 2}
SPANS = [
    (
        "rose 2.4 metres overnight",
        "verified_fact",
        "alice",
        "Gauge RVT-03.",
        "https://water.example/rvt-03",
    ),
    ("rose 2.4 metres overnight", "official_claim", "bob", "", ""),
    ("340 homes had been evacuated", "official_claim", "alice", "Mayor, 27 Nov.", ""),
    ("bridge 🌉 under water 🌊", "verified_fact", "bob", "Video geolocated.\nTwo angles.", ""),
    ("the dam upstream had “already failed”", "unsourced_speculation", "alice", "", ""),
    (
        "hundreds of millions of euros",
        "unsourced_speculation",
        "bob",
        "",
        "https://x.example/?q=1&r=2",
    ),
    ("Insurers have not yet commented.", "official_claim", "alice", "", ""),
]


def stored_rows(
    body: str, spans: list[tuple[str, str, str, str, str]], article_id: int = 7, url: str = ""
) -> list[Any]:
    """The labels as the export query would read them from the database."""
    rows = []
    for label_id, (quote, kind, reviewer, note, source) in enumerate(spans, start=1):
        start = body.index(quote)
        prefix, suffix = context(body, start, start + len(quote))
        rows.append(
            label_row(
                article_id=article_id,
                label_id=label_id,
                kind=kind,
                start=start,
                end=start + len(quote),
                quote=quote,
                prefix=prefix,
                suffix=suffix,
                note=note,
                source_url=source,
                reviewer=reviewer,
                article_url=url,
            )
        )
    return rows


def exported(rows: list[Any], article_id: int = 7) -> bytes:
    return b"".join(article_chunks(rows, site=SITE, article_id=article_id, title="Floods"))


def labels(rows: list[Any]) -> list[tuple[Any, ...]]:
    return [(r.start, r.end, r.quote, r.kind, r.note, r.source_url, r.reviewer) for r in rows]


def import_into(
    body: str, data: bytes, article_urls: list[str], existing: Any = None, **kwargs: Any
) -> Any:
    parsed = read(data, body=body)
    return parsed, plan(
        body, parsed.records, article_urls=article_urls, accounts=USERS, existing=existing, **kwargs
    )


def as_rows(the_plan: Any, article_id: int) -> list[Any]:
    """What the database would hold after the writes, read back as export rows."""
    names = {v: k for k, v in USERS.items()}
    rows = []
    for label_id, write in enumerate(the_plan.writes, start=1):
        prefix, suffix = context(BODY, write.start, write.end)
        rows.append(
            label_row(
                article_id=article_id,
                label_id=label_id,
                kind=write.record.kind,
                start=write.start,
                end=write.end,
                quote=write.quote,
                prefix=prefix,
                suffix=suffix,
                note=write.record.note,
                source_url=write.record.source_url,
                reviewer=names[write.account],
            )
        )
    return rows


def test_round_trip_into_a_fresh_copy_of_the_same_text():
    original = stored_rows(BODY, SPANS)
    # The fresh copy is another article (id 8): its URLs are not those of the file.
    parsed, the_plan = import_into(BODY, exported(original), [SITE.article(8), SITE.export(8)])
    assert not parsed.refusals and not the_plan.refusals and not parsed.warnings
    assert {w.by for w in the_plan.writes} == {"position"}
    copy = as_rows(the_plan, article_id=8)
    assert labels(copy) == labels(original)

    again = json.loads(exported(copy, article_id=8))
    first = json.loads(exported(original))
    strip = lambda a: {k: v for k, v in a.items() if k not in ("id", "target")}  # noqa: E731
    assert [strip(a) for a in again["first"]["items"]] == [
        strip(a) for a in first["first"]["items"]
    ]
    assert [a["target"]["selector"] for a in again["first"]["items"]] == [
        a["target"]["selector"] for a in first["first"]["items"]
    ]


def test_round_trip_keeps_the_canonical_url_as_the_document():
    original = stored_rows(BODY, SPANS, url=GAZETTE)
    parsed, the_plan = import_into(BODY, exported(original), [GAZETTE, SITE.article(8)])
    assert len(the_plan.writes) == len(SPANS) and not the_plan.refusals


def test_re_importing_the_same_file_changes_nothing():
    original = stored_rows(BODY, SPANS)
    existing = {
        (USERS[r.reviewer], r.start, r.end): (r.kind, r.note, r.source_url) for r in original
    }
    _, the_plan = import_into(BODY, exported(original), [SITE.article(7)], existing=existing)
    assert not the_plan.writes and not the_plan.refusals
    assert len(the_plan.unchanged) == len(SPANS)


def test_an_import_never_overwrites_a_label_set_in_the_app():
    original = stored_rows(BODY, SPANS[:1])
    row = original[0]
    existing = {(1, row.start, row.end): ("official_claim", "I changed my mind.", "")}
    _, the_plan = import_into(BODY, exported(original), [SITE.article(7)], existing=existing)
    assert not the_plan.writes
    assert "already labelled this passage otherwise" in the_plan.refusals[0].reason


def test_the_same_passage_twice_for_one_reviewer_is_refused_the_second_time():
    rows = stored_rows(BODY, [SPANS[0], SPANS[0][:1] + ("official_claim", "alice", "", "")])
    _, the_plan = import_into(BODY, exported(rows), [SITE.article(7)])
    assert len(the_plan.writes) == 1
    (refusal,) = the_plan.refusals
    assert refusal.reason == (
        "annotation 1 (https://sourcemark.example.org/articles/7/annotations.jsonld#label-1) "
        "already labels this passage for the same reviewer."
    )


def test_unknown_reviewers_are_refused_unless_an_import_account_is_named():
    rows = stored_rows(BODY, [SPANS[0][:2] + ("zoe",) + SPANS[0][3:]])
    _, refused = import_into(BODY, exported(rows), [SITE.article(7)])
    assert refused.refusals[0].reason == (
        "Its reviewer (zoe) has no Sourcemark account; name an import account to keep it."
    )
    _, kept = import_into(BODY, exported(rows), [SITE.article(7)], import_account=99)
    assert [w.account for w in kept.writes] == [99]


def test_a_file_about_several_documents_keeps_only_this_articles():
    rows = stored_rows(BODY, SPANS[:2], article_id=7) + stored_rows(BODY, SPANS[2:3], article_id=9)
    _, the_plan = import_into(BODY, exported(rows), [SITE.article(9)])
    assert [w.quote for w in the_plan.writes] == ["340 homes had been evacuated"]
    assert [r.reason for r in the_plan.refusals] == [
        f"It annotates another document ({SITE.article(7)})."
    ] * 2


def test_urls_of_one_document_compare_equal():
    assert same_document("https://News.example.com/a/", "http://news.example.com/a#top")
    assert not same_document("https://news.example.com/a?id=1", "https://news.example.com/a?id=2")


def test_the_hypothesis_sample_lands_on_the_article_by_quote():
    parsed, the_plan = import_into(BODY, sample("hypothesis-search.json"), [GAZETTE])
    got = [(w.record.reviewer, w.quote, w.record.kind, w.by) for w in the_plan.writes]
    assert got == [
        ("alice", "rose 2.4 metres overnight", "verified_fact", "quote"),
        ("bob", "340 homes had been evacuated", "official_claim", "quote"),
        ("alice", "Mayor Zoë Okafor said", "official_claim", "quote"),  # NBSP in the quote
        ("alice", "the dam upstream had “already failed”", "unsourced_speculation", "quote"),
        ("alice", "under water 🌊", "unsourced_speculation", "quote"),
    ]
    assert all(BODY[w.start : w.end] == w.quote for w in the_plan.writes)
    assert [r.reason for r in the_plan.refusals] == [
        "Its reviewer (dmitri) has no Sourcemark account; name an import account to keep it."
    ]
    assert len(parsed.refusals) == 4


def test_the_label_studio_samples_land_on_the_article_by_position():
    users = {"alice@gazette.example": 1, "bob@gazette.example": 2, "label-studio-user-1": 1}
    for name, count in (("label-studio-export.json", 5), ("label-studio-utf16.json", 4)):
        parsed = read(sample(name), body=BODY)
        the_plan = plan(BODY, parsed.records, article_urls=[SITE.article(7)], accounts=users)
        assert len(the_plan.writes) == count and not the_plan.refusals
        assert {w.by for w in the_plan.writes} == {"position"}
        assert all(BODY[w.start : w.end] == w.record.quote for w in the_plan.writes)


def test_a_label_studio_text_with_a_headline_on_top_lands_by_quote():
    """Offsets into another text than the body: the quote and its context find the span."""
    task = json.loads(sample("label-studio-export.json"))[0]
    headline = "Floodwaters reach record level in Riverton\n\n"
    task["data"]["text"] = headline + BODY
    for annotation in task["annotations"]:
        for result in annotation["result"]:
            if "start" in result["value"]:
                result["value"]["start"] += len(headline)
                result["value"]["end"] += len(headline)
    parsed = read(json.dumps([task]).encode())
    users = {"alice@gazette.example": 1, "bob@gazette.example": 2}
    the_plan = plan(BODY, parsed.records, article_urls=[], accounts=users)
    assert len(the_plan.writes) == 5 and {w.by for w in the_plan.writes} == {"quote"}
    assert all(BODY[w.start : w.end] == w.record.quote for w in the_plan.writes)


def test_a_record_whose_text_is_elsewhere_is_refused_not_misplaced():
    record = Record(
        origin="annotation 1",
        reviewer="alice",
        reviewer_name="",
        kind=KINDS[0],
        quote="the figure was final",
        prefix="The minister said ",
    )
    the_plan = plan(BODY, [record], article_urls=[], accounts=USERS)
    assert not the_plan.writes
    assert the_plan.refusals[0].reason == "Its quote is not in the article's text."


def test_a_passage_that_splits_an_emoji_becomes_the_whole_emoji_as_every_span_does():
    """A tool that counted UTF-16 units, or a careless selection, can cut a grapheme
    cluster; the plan widens the span as the app widens a selection (annotations.graphemes)."""
    body = "Reporters 🇺🇦 saw the 👩🏽‍⚕️ medics."
    flag = body.index("🇺🇦")
    record = Record(
        origin="region 1",
        reviewer="alice",
        reviewer_name="",
        kind="verified_fact",
        quote="Reporters 🇺",  # half the flag
        start=0,
        end=flag + 1,
    )
    the_plan = plan(body, [record], article_urls=[], accounts=USERS)
    (write,) = the_plan.writes
    assert (write.start, write.end, write.quote) == (0, flag + 2, "Reporters 🇺🇦")
    # What the database then holds is what a second import of the file finds.
    existing = {(1, 0, flag + 2): ("verified_fact", "", "")}
    again = plan(body, [record], article_urls=[], accounts=USERS, existing=existing)
    assert not again.writes and len(again.unchanged) == 1


def test_a_passage_near_identical_to_a_stored_span_is_planned_on_that_span():
    # Issue 13: alice's "Insurers have not yet commented." is stored; a file whose
    # regions stop before the full stop means her span, as a selection in the app does.
    body = "Insurers have not yet commented. Nobody else did."
    stored = {(1, 0, 32): ("official_claim", "", "")}

    def record(origin: str, reviewer: str, kind: str) -> Record:
        quote = "Insurers have not yet commented"
        return Record(origin, reviewer, "", kind, quote, start=0, end=len(quote))

    records = [record("a", "alice", "official_claim"), record("b", "bob", "verified_fact")]
    the_plan = plan(body, records, article_urls=[], accounts=USERS, existing=stored)
    # alice's own label is already there (a re-import changes nothing); bob's goes on her span.
    assert [(w.account, w.start, w.end) for w in the_plan.unchanged] == [(1, 0, 32)]
    assert [(w.account, w.start, w.end) for w in the_plan.writes] == [(2, 0, 32)]
    assert the_plan.writes[0].quote == "Insurers have not yet commented."
