"""Reading Web Annotation, Hypothesis and Label Studio files into records, and refusing
what cannot be read: per annotation when one is wrong, the whole file when it is no such file."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.interop.readers import (
    HYPOTHESIS,
    LABEL_STUDIO,
    MAX_QUOTE_CHARS,
    WEB_ANNOTATION,
    FileRefused,
    read,
)
from annotations.interop.vocabulary import DEFAULT_KINDS, KindTable, Site
from annotations.text import canonicalize
from tests.interop import HERE, sample

BODY = canonicalize((HERE / "article.txt").read_text(encoding="utf-8"))
ARTICLE_URL = "https://www.riverton-gazette.example/news/2026/11/27/floodwaters-record"


def dump(document: Any) -> bytes:
    return json.dumps(document).encode()


def web_annotation(**values: Any) -> dict[str, Any]:
    anno = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://other.example/anno/1",
        "type": "Annotation",
        "motivation": "classifying",
        "creator": {"type": "Person", "name": "Alice Moreau", "nickname": "alice"},
        "body": [{"type": "TextualBody", "purpose": "classifying", "value": "Verified fact"}],
        "target": {
            "source": ARTICLE_URL,
            "selector": [
                {"type": "TextQuoteSelector", "exact": "rose 2.4 metres overnight"},
                {"type": "TextPositionSelector", "start": 24, "end": 49},
            ],
        },
    }
    anno.update(values)
    return anno


def refusal_of(document: Any, **kwargs: Any) -> str:
    parsed = read(dump(document), **kwargs)
    assert not parsed.records
    (refusal,) = parsed.refusals
    return refusal.reason


# The kind table


def test_label_names_are_compared_loosely_and_iris_of_any_sourcemark_map():
    kind_of = DEFAULT_KINDS.kind_of
    assert (
        kind_of("Verified fact")
        == kind_of("#verified_fact")
        == kind_of("VERIFIED")
        == ("verified_fact")
    )
    assert kind_of("official-claim") == kind_of(" Official ") == "official_claim"
    assert kind_of("speculation") == kind_of("Unsourced speculation") == "unsourced_speculation"
    assert kind_of(Site("https://desk.example").concept("official_claim")) == "official_claim"
    assert kind_of("https://desk.example/vocab/labels#made_up") is None
    assert kind_of("election") is None
    assert kind_of("x" * 10_000) is None


def test_the_table_is_configurable_and_refuses_unknown_kinds():
    table = DEFAULT_KINDS.extended(
        {"Claim by official": "official_claim", "fact": "official_claim"}
    )
    assert table.kind_of("claim-by-official") == "official_claim"
    assert table.kind_of("fact") == "official_claim"  # the new name wins
    assert table.kind_of("Verified fact") == "verified_fact"  # the kind's own name stays
    with pytest.raises(ValueError, match="not one of"):
        KindTable({"true": "true_fact"})


# Web Annotation


def test_our_own_export_shape_reads_into_records():
    anno = web_annotation(
        body=[
            {
                "id": "https://sourcemark.example.org/vocab/labels#official_claim",
                "type": "TextualBody",
                "purpose": "classifying",
                "value": "Official claim",
            },
            {"type": "TextualBody", "purpose": "commenting", "value": "The mayor said so."},
            {"type": "SpecificResource", "purpose": "linking", "source": "https://x.example/a"},
        ]
    )
    parsed = read(dump({"type": "AnnotationPage", "items": [anno]}))
    assert parsed.format == WEB_ANNOTATION
    (record,) = parsed.records
    assert (record.kind, record.note, record.source_url) == (
        "official_claim",
        "The mayor said so.",
        "https://x.example/a",
    )
    assert (record.reviewer, record.reviewer_name) == ("alice", "Alice Moreau")
    assert (record.quote, record.start, record.end, record.target) == (
        "rose 2.4 metres overnight",
        24,
        49,
        ARTICLE_URL,
    )
    assert record.origin == "annotation 1 (https://other.example/anno/1)"


@pytest.mark.parametrize(
    "wrap",
    [
        lambda a: a,
        lambda a: [a, a],
        lambda a: {"type": "AnnotationPage", "items": [a]},
        lambda a: [{"type": "AnnotationPage", "items": [a]}],
        lambda a: {"type": "AnnotationCollection", "total": 1, "first": {"items": [a]}},
        lambda a: {
            "type": "AnnotationCollection",
            "first": {"items": [a], "next": {"type": "AnnotationPage", "items": [a]}},
        },
    ],
    ids=["one", "list", "page", "list of pages", "collection", "embedded next page"],
)
def test_a_page_a_collection_or_a_list(wrap):
    parsed = read(dump(wrap(web_annotation())))
    assert parsed.format == WEB_ANNOTATION and parsed.records and not parsed.refusals
    assert {r.kind for r in parsed.records} == {"verified_fact"}


def test_pages_only_linked_are_not_fetched_and_the_file_says_so():
    collection = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationCollection",
        "total": 40,
        "first": {"type": "AnnotationPage", "items": [web_annotation()], "next": "https://x/p2"},
    }
    parsed = read(dump(collection))
    assert len(parsed.records) == 1
    assert "holds 40 annotations and this file only 1" in parsed.warnings[0]


def test_tags_and_motivation_without_purpose_name_the_label():
    tagged = web_annotation(
        motivation="tagging", body={"type": "TextualBody", "value": "speculation"}
    )
    (record,) = read(dump(tagged)).records
    assert record.kind == "unsourced_speculation"
    iri_tag = web_annotation(
        body={
            "type": "SpecificResource",
            "purpose": "classifying",
            "source": "https://s.example/vocab/labels#verified_fact",
        }
    )
    assert read(dump(iri_tag)).records[0].kind == "verified_fact"


def test_body_value_is_a_textual_body_with_the_annotations_motivation():
    tag = web_annotation(motivation="tagging", bodyValue="official")
    del tag["body"]
    assert read(dump(tag)).records[0].kind == "official_claim"
    # Motivated by commenting, it is a note; the label has a purpose of its own.
    comment = web_annotation(bodyValue="A note.", motivation="commenting")
    comment["body"][0]["purpose"] = "classifying"
    (record,) = read(dump(comment)).records
    assert (record.kind, record.note) == ("verified_fact", "A note.")


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"body": []}, "None of its classifying or tagging bodies names a Sourcemark label"),
        (
            {"body": [{"type": "TextualBody", "purpose": "classifying", "value": "Opinion"}]},
            "(found: Opinion)",
        ),
        (
            {
                "body": [
                    {"type": "TextualBody", "purpose": "classifying", "value": "Verified fact"},
                    {"type": "TextualBody", "purpose": "tagging", "value": "speculation"},
                ]
            },
            "name more than one label",
        ),
        (
            {
                "body": [
                    {"type": "TextualBody", "purpose": "classifying", "value": "fact"},
                    {
                        "type": "SpecificResource",
                        "purpose": "linking",
                        "source": "https://a.example",
                    },
                    {
                        "type": "SpecificResource",
                        "purpose": "linking",
                        "source": "https://b.example",
                    },
                ]
            },
            "2 evidence links",
        ),
        ({"target": "https://example.org/page"}, "annotates a whole document"),
        (
            {
                "target": [{"source": "a", "selector": {"type": "TextQuoteSelector", "exact": "x"}}]
                * 2
            },
            "marks 2 passages",
        ),
        (
            {
                "target": {
                    "source": "a",
                    "selector": {"type": "TextPositionSelector", "start": 1, "end": 4},
                }
            },
            "no quote to check it against",
        ),
        (
            {"target": {"source": "a", "selector": {"type": "CssSelector", "value": "p"}}},
            "no text quote or position selector",
        ),
        (
            {"target": {"source": "a", "selector": {"type": "TextQuoteSelector", "exact": "   "}}},
            "quote is empty",
        ),
        (
            {
                "target": {
                    "source": "a",
                    "selector": {"type": "TextQuoteSelector", "exact": "x" * (MAX_QUOTE_CHARS + 1)},
                }
            },
            "longer than",
        ),
        (
            {
                "target": {
                    "source": "a",
                    "selector": [
                        {"type": "TextQuoteSelector", "exact": "x"},
                        {"type": "TextPositionSelector", "start": 5, "end": 2},
                    ],
                }
            },
            "ends (2) before it starts (5)",
        ),
        (
            {
                "target": {
                    "source": "a",
                    "selector": [
                        {"type": "TextQuoteSelector", "exact": "x"},
                        {"type": "TextPositionSelector", "start": True, "end": 2},
                    ],
                }
            },
            "start is not a whole number",
        ),
        (
            {"target": {"source": "a", "selector": {"type": "TextQuoteSelector", "exact": 42}}},
            "quoted text is not text",
        ),
        (
            {
                "target": {
                    "source": "a",
                    "selector": {"type": "TextQuoteSelector", "exact": "a\ud800"},
                }
            },
            "lone UTF-16 surrogate",
        ),
        ({"creator": {"name": ["a", "b"]}}, "creator's name is not text"),
        ({"target": {"selector": "nonsense"}, "body": "https://x"}, "None of its"),
    ],
)
def test_each_unreadable_annotation_is_refused_with_its_reason(values, reason):
    assert reason in refusal_of(web_annotation(**values))


def test_one_bad_annotation_costs_only_itself():
    parsed = read(
        dump([web_annotation(), web_annotation(target="x"), "not an object", web_annotation()])
    )
    assert len(parsed.records) == 2
    assert [r.origin for r in parsed.refusals] == [
        "annotation 2 (https://other.example/anno/1)",
        "annotation 3",
    ]


# Hypothesis


def test_the_hypothesis_sample_reads_tags_text_and_users():
    parsed = read(sample("hypothesis-search.json"))
    assert parsed.format == HYPOTHESIS
    got = [(r.reviewer, r.reviewer_name, r.kind, r.quote) for r in parsed.records]
    assert got[:3] == [
        ("alice", "Alice Moreau", "verified_fact", "rose 2.4 metres overnight"),
        ("bob", "Bob Lindqvist", "official_claim", "340 homes had been evacuated"),
        ("alice", "Alice Moreau", "official_claim", "Mayor Zoë\u00a0Okafor said"),
    ]
    first = parsed.records[0]
    assert first.note == "Matches the authority's gauge readings (station RVT-03, 04:10 peak)."
    assert first.target == ARTICLE_URL and first.origin.endswith("(Xq1fVG2NEe-4sBvT0nL3mA)")
    assert first.prefix == "Floodwaters in Riverton "
    reasons = {r.origin.split(" (")[0]: r.reason for r in parsed.refusals}
    assert reasons == {
        "Hypothesis annotation 5": "None of its tags names a Sourcemark label (found: flood, to-check).",
        "Hypothesis annotation 6": (
            "Its tags name more than one label (verified, speculation); a label is one of them."
        ),
        "Hypothesis annotation 7": "It is a reply to another annotation, not a label on the text.",
        "Hypothesis annotation 8": "It is a page note: it marks no passage of the text.",
    }


def test_hypothesis_rows_alone_are_read_too():
    rows = json.loads(sample("hypothesis-search.json"))["rows"]
    parsed = read(dump(rows))
    assert parsed.format == HYPOTHESIS and len(parsed.records) == 6


# Label Studio


def test_the_label_studio_sample_reads_regions_notes_and_annotators():
    parsed = read(sample("label-studio-export.json"), body=BODY)
    assert parsed.format == LABEL_STUDIO
    got = [(r.reviewer, r.kind, r.quote, r.note) for r in parsed.records]
    assert got == [
        (
            "alice@gazette.example",
            "verified_fact",
            "rose 2.4 metres overnight",
            "Gauge RVT-03 readings, 04:10 peak.",
        ),
        (
            "alice@gazette.example",
            "unsourced_speculation",
            "the dam upstream had “already failed”",
            "",
        ),
        ("alice@gazette.example", "unsourced_speculation", "under water 🌊", ""),
        ("bob@gazette.example", "official_claim", "340 homes had been evacuated", ""),
        (
            "bob@gazette.example",
            "official_claim",
            "the structure was intact",
            "Northbank statement, 27 Nov, 07:55.",
        ),
    ]
    assert all(BODY[r.start : r.end] == r.quote for r in parsed.records)
    assert parsed.records[0].reviewer_name == "Alice Moreau"
    assert [r.reason for r in parsed.refusals] == [
        "None of its labels names a Sourcemark label (found: Quote).",
        "Its labels name more than one label (Verified fact, Official claim); a label is one of them.",
        "It was skipped (cancelled) in Label Studio.",
    ]
    assert parsed.warnings == [
        "1 of the file's 2 Label Studio tasks label other texts than this article's and were skipped.",
        "Skipped 1 Label Studio prediction or draft: a model's guess or an unsubmitted draft "
        "is no reviewer's label.",
    ]


def test_without_the_article_every_task_is_read():
    parsed = read(sample("label-studio-export.json"))
    assert [r.quote for r in parsed.records][
        -1
    ] == "Council tax in Riverton will rise 4.9% from April"


def test_label_studio_offsets_are_code_points_after_an_emoji():
    (region,) = [r for r in read(sample("label-studio-export.json")).records if "🌊" in r.quote]
    assert (region.start, region.end) == (
        BODY.index("under water 🌊"),
        BODY.index("under water 🌊") + 13,
    )


def test_pre_1_4_label_studio_utf16_offsets_are_converted_to_code_points():
    document = json.loads(sample("label-studio-utf16.json"))
    text = document[0]["data"]["text"]
    raw = [r["value"] for r in document[0]["annotations"][0]["result"]]
    assert text[raw[0]["start"] : raw[0]["end"]] != raw[0]["text"]  # read as code points, wrong
    records = read(sample("label-studio-utf16.json")).records
    assert [r.quote for r in records] == [v["text"] for v in raw]
    assert all(text[r.start : r.end] == r.quote for r in records)
    assert records[0].reviewer == "label-studio-user-1"


def _task(text: str, *results: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": 1,
        "data": {"text": text},
        "annotations": [{"id": 9, "completed_by": 2, "result": list(results)}],
    }


def _labels(
    start: Any, end: Any, text: Any = None, labels: Any = ("Verified fact",)
) -> dict[str, Any]:
    value = {"start": start, "end": end, "labels": list(labels)}
    if text is not None:
        value["text"] = text
    return {"id": "r1", "type": "labels", "value": value}


def test_a_utf16_offset_inside_a_surrogate_pair_is_not_a_position():
    text = "a 🌊 b 🌊 c"
    # 3 is the second half of the first 🌊 in UTF-16: neither reading gives the quote.
    (record,) = read(dump([_task(text, _labels(3, 7, text="🌊 b"))])).records
    assert (record.quote, record.start, record.end) == ("🌊 b", None, None)


def test_label_studio_regions_outside_the_text():
    assert "outside the task's text" in refusal_of([_task("short", _labels(10**6, 10**6 + 4))])
    (record,) = read(dump([_task("short", _labels(10**6, 10**6 + 4, text="short"))])).records
    assert (record.quote, record.start) == ("short", None)


def test_a_label_studio_task_without_text_is_refused():
    assert "no text in data.text" in refusal_of(
        [{"id": 3, "data": {"image": "x.png"}, "annotations": []}]
    )
    parsed = read(dump([_task("abc", _labels(0, 3))]), text_key="body")
    assert parsed.refusals[0].reason == "It has no text in data.body."


# Whole files refused


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe{", "not UTF-8"),
        (b"{'single': 'quotes'}", "not valid JSON"),
        (b'{"start": NaN}', "not valid JSON"),
        (b'[{"target": {}, "x": ' + b"9" * 5000 + b"}]", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"[]", "holds no annotations"),
        (b'{"hello": "world"}', "not a file Sourcemark can read"),
        (
            b'{"@graph": [], "http://www.w3.org/ns/oa#hasTarget": 1}',
            "not a file Sourcemark can read",
        ),
        (b'"just a string"', "not a file Sourcemark can read"),
    ],
)
def test_files_that_are_no_annotation_export_are_refused_whole(data, message):
    with pytest.raises(FileRefused, match=message):
        read(data)


def test_a_file_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(FileRefused, match="the limit is 1,000"):
        read(b" " * 1001, max_bytes=1000)


def test_a_file_with_too_many_annotations_is_refused():
    with pytest.raises(FileRefused, match="more than 3 annotations"):
        read(dump([web_annotation()] * 4), max_annotations=3)


def test_a_byte_order_mark_is_accepted():
    assert read(b"\xef\xbb\xbf" + dump(web_annotation())).records


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["type", "items", "first", "next", "target", "selector", "body", "exact", "start",
             "end", "value", "purpose", "rows", "tags", "data", "text", "annotations", "result",
             "labels", "creator", "source", "completed_by", "references", "id", "motivation"]
        ),
        children,
        max_size=6,
    ),
    max_leaves=30,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(document=json_values)
def test_any_json_is_read_or_refused_never_a_crash(document):
    try:
        parsed = read(dump(document))
    except FileRefused:
        return
    for record in parsed.records:
        assert record.quote.strip() and record.kind in (
            "verified_fact",
            "official_claim",
            "unsourced_speculation",
        )
