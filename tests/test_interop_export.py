"""Web Annotation export: the model's JSON-LD context and its MUSTs, code points, streaming.

The vendored context (tests/interop/anno.jsonld) is the only document pyld
may load; every term we write must be one it defines, since JSON-LD
expansion silently drops a key it does not know.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld

from annotations.interop.vocabulary import Site, concept_scheme
from annotations.interop.webannotation import (
    MEDIA_TYPE,
    _AnnotationJson,
    annotation,
    article_chunks,
    collection_chunks,
)
from annotations.kinds import KINDS
from annotations.text import CONTEXT_CHARS, canonicalize, context
from tests.conftest import SAMPLE_BODY
from tests.hostile import PAYLOADS
from tests.interop import ANNO_CONTEXT_URL, CONTEXT_TERMS, expand, label_row

SITE = Site("https://sourcemark.example.org")
OA = "http://www.w3.org/ns/oa#"
AS = "http://www.w3.org/ns/activitystreams#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"
# The Motivation instances of the model (3.3.5) that the context names.
MOTIVATIONS = {
    "bookmarking", "classifying", "commenting", "describing", "editing", "highlighting",
    "identifying", "linking", "moderating", "questioning", "replying", "tagging",
}  # fmt: skip
UTC_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def spans_of(body: str, *quotes: str) -> list[tuple[int, int, str, str, str]]:
    """(start, end, quote, prefix, suffix) of each quote's first occurrence in ``body``."""
    found = []
    for quote in quotes:
        start = body.index(quote)
        prefix, suffix = context(body, start, start + len(quote))
        found.append((start, start + len(quote), quote, prefix, suffix))
    return found


def rows_for(body: str, *quotes: str, **values: Any) -> list[Any]:
    rows = []
    for number, (start, end, quote, prefix, suffix) in enumerate(spans_of(body, *quotes)):
        rows.append(
            label_row(
                label_id=100 + number,
                kind=KINDS[number % 3],
                start=start,
                end=end,
                quote=quote,
                prefix=prefix,
                suffix=suffix,
                **values,
            )
        )
    return rows


def export(rows: list[Any], **kwargs: Any) -> dict[str, Any]:
    chunks = list(article_chunks(rows, site=SITE, article_id=7, title="Reservists", **kwargs))
    assert all(isinstance(chunk, bytes) for chunk in chunks)
    return json.loads(b"".join(chunks))


def items(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["first"]["items"] if "first" in document else []


def full_row(**values: Any) -> Any:
    """A label on "300,000 reservists" with a note, a source and a full name."""
    (start, end, quote, prefix, suffix) = spans_of(SAMPLE_BODY, "300,000 reservists")[0]
    given = {
        "start": start,
        "end": end,
        "quote": quote,
        "prefix": prefix,
        "suffix": suffix,
        "note": "Ministry figure; the decree says 'up to'.",
        "source_url": "https://gov.example.org/decree-41",
        "reviewer_name": "Alice Moreau",
    }
    return label_row(**{**given, **values})


# The model's MUSTs (sections 3-5) for everything we emit. Each assert names its rule.


def _iri(value: Any) -> bool:
    return isinstance(value, str) and re.match(r"^[a-z][a-z0-9+.-]*:\S+$", value) is not None


def _exactly_one(obj: dict[str, Any], key: str, rule: str) -> Any:
    value = obj.get(key)
    assert value is not None and not isinstance(value, list), f"{rule}: exactly 1 {key}"
    return value


def _types(obj: dict[str, Any]) -> list[Any]:
    value = obj.get("type")
    return value if isinstance(value, list) else [value]


def assert_annotation_conforms(anno: dict[str, Any], body: str, *, embedded: bool) -> None:
    # 3.1 @context: 1 or more, anno.jsonld among them, a string when only one.
    if not embedded or "@context" in anno:
        assert anno["@context"] == ANNO_CONTEXT_URL, "3.1 @context"
    # 3.1 id: exactly 1 IRI.
    assert _iri(_exactly_one(anno, "id", "3.1 id")), "3.1 id"
    # 3.1 type: 1 or more, Annotation one of them.
    assert "Annotation" in _types(anno), "3.1 type"
    # 3.1 target: 1 or more.
    targets = anno["target"] if isinstance(anno["target"], list) else [anno["target"]]
    assert targets, "3.1 target"
    # 3.2.5 bodyValue and body MUST NOT both be present (we never write bodyValue).
    assert "bodyValue" not in anno, "3.2.5 bodyValue"
    # 3.3.1 created / modified: at most 1, xsd:dateTime in UTC with Z; generated unused.
    for key in ("created", "modified"):
        assert isinstance(anno[key], str) and UTC_DATETIME.match(anno[key]), f"3.3.1 {key}"
    assert "generated" not in anno
    # 3.3.2 agent: at most 1 IRI; a Person with a name; no e-mail in any form.
    creator = anno["creator"]
    assert not isinstance(creator.get("id"), list), "3.3.2 agent IRI"
    assert _types(creator) == ["Person"] and isinstance(creator["name"], str)
    assert not {"email", "email_sha1"} & creator.keys()
    # 3.3.5 motivation: drawn from the model's Motivations (exactly one: SHOULD).
    assert anno["motivation"] in MOTIVATIONS, "3.3.5 motivation"
    for item in anno["body"]:
        assert item["purpose"] in MOTIVATIONS, "3.3.5 purpose"
        if "TextualBody" in _types(item):
            # 3.2.4: exactly 1 value.
            assert isinstance(_exactly_one(item, "value", "3.2.4 value"), str), "3.2.4 value"
        else:
            # 4: a SpecificResource has exactly 1 source; 3.2.1: an external resource is an IRI.
            assert _types(item) == ["SpecificResource"]
            assert _iri(_exactly_one(item, "source", "4 source")), "4 source"
    for target in targets:
        assert _types(target) == ["SpecificResource"]
        assert _iri(_exactly_one(target, "source", "4 source")), "4 source"
        selectors = target["selector"]
        by_type = {_exactly_one(s, "type", "4.2 selector type"): s for s in selectors}
        assert len(by_type) == len(selectors)
        quote = by_type["TextQuoteSelector"]
        position = by_type["TextPositionSelector"]
        # 4.2.4: exactly 1 exact; at most 1 prefix and suffix.
        exact = _exactly_one(quote, "exact", "4.2.4 exact")
        for key in ("prefix", "suffix"):
            assert isinstance(quote.get(key, ""), str), f"4.2.4 {key}"
        # 4.2.5: exactly 1 start and 1 end, non-negative integers.
        start = _exactly_one(position, "start", "4.2.5 start")
        end = _exactly_one(position, "end", "4.2.5 end")
        for value in (start, end):
            assert type(value) is int and value >= 0, "4.2.5 non-negative integer"
        # 4.2.4/4.2.5: both count code points of the same normalised text, so the
        # position selects exactly the quote, and the context is the text around it.
        assert body[start:end] == exact, "4.2.5 position selects the quote"
        assert body[:start].endswith(quote["prefix"]) and body[end:].startswith(quote["suffix"])
        # 4.2.4: normalised before recording: no HTML tags in the quote.
        assert canonicalize(exact) == exact and "<p>" not in exact


def assert_collection_conforms(document: dict[str, Any], body: str) -> None:
    # 5.1: @context, exactly 1 IRI, AnnotationCollection, label a string, total, first.
    assert document["@context"] == ANNO_CONTEXT_URL, "5.1 @context"
    assert _iri(_exactly_one(document, "id", "5.1 id")), "5.1 id"
    assert "AnnotationCollection" in _types(document), "5.1 type"
    assert isinstance(document["label"], str), "5.1 label"
    total = document["total"]
    assert type(total) is int and total >= 0, "5.1 total"
    if total == 0:
        assert "first" not in document
        return
    page = document["first"]
    assert isinstance(page, dict), "5.1 first: exactly 1"
    # 5.2: embedded, so no @context (SHOULD NOT); exactly 1 IRI; AnnotationPage;
    # 1 or more items; at most 1 startIndex, a non-negative integer; the last
    # page has no next.
    assert "@context" not in page
    assert _iri(_exactly_one(page, "id", "5.2 id")) and page["id"] != document["id"], "5.2 id"
    assert "AnnotationPage" in _types(page), "5.2 type"
    assert isinstance(page["items"], list) and len(page["items"]) == total, "5.2 items"
    assert page["startIndex"] == 0 and "next" not in page, "5.2 startIndex, next"
    assert page["partOf"] == document["id"] and document["last"] == page["id"]
    for anno in page["items"]:
        assert_annotation_conforms(anno, body, embedded=True)


def _keys_and_terms(value: Any) -> Iterator[str]:
    """Every key of the document, and every value of a key the context types as @vocab."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            if key in ("type", "motivation", "purpose"):
                yield from (item if isinstance(item, list) else [item])
            yield from _keys_and_terms(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys_and_terms(item)


def test_it_is_served_as_json_ld_with_the_model_profile():
    assert MEDIA_TYPE == 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def test_every_key_and_class_is_a_term_of_the_w3c_context():
    document = export([full_row(), full_row(label_id=12, note="", source_url="")])
    unknown = set(_keys_and_terms(document)) - CONTEXT_TERMS - {"@context"}
    assert not unknown


def test_it_expands_to_the_model_iris_with_the_vendored_context_only():
    (expanded,) = expand(export([full_row()]))

    assert expanded["@type"] == [AS + "OrderedCollection"]
    assert expanded[AS + "totalItems"][0] == {"@value": 1, "@type": XSD + "nonNegativeInteger"}
    (page,) = expanded[AS + "first"]
    assert page["@type"] == [AS + "OrderedCollectionPage"]
    (anno,) = page[AS + "items"][0]["@list"]
    assert anno["@id"] == "https://sourcemark.example.org/articles/7/annotations.jsonld#label-11"
    assert anno["@type"] == [OA + "Annotation"]
    assert anno[OA + "motivatedBy"] == [{"@id": OA + "classifying"}]
    assert anno[DCTERMS + "created"] == [
        {"@value": "2026-11-28T08:55:03Z", "@type": XSD + "dateTime"}
    ]
    assert anno[DCTERMS + "modified"][0]["@type"] == XSD + "dateTime"
    (creator,) = anno[DCTERMS + "creator"]
    assert creator["@type"] == [FOAF + "Person"]
    assert creator[FOAF + "name"] == [{"@value": "Alice Moreau"}]
    assert creator[FOAF + "nick"] == [{"@value": "alice"}]

    label, note, link = anno[OA + "hasBody"]
    assert label["@id"] == "https://sourcemark.example.org/vocab/labels#official_claim"
    assert label["@type"] == [OA + "TextualBody"]
    assert label[OA + "hasPurpose"] == [{"@id": OA + "classifying"}]
    assert label[RDF_VALUE] == [{"@value": "Official claim"}]
    assert note[OA + "hasPurpose"] == [{"@id": OA + "commenting"}]
    assert note[RDF_VALUE] == [{"@value": "Ministry figure; the decree says 'up to'."}]
    assert link["@type"] == [OA + "SpecificResource"]
    assert link[OA + "hasPurpose"] == [{"@id": OA + "linking"}]
    assert link[OA + "hasSource"] == [{"@id": "https://gov.example.org/decree-41"}]

    (target,) = anno[OA + "hasTarget"]
    assert target["@type"] == [OA + "SpecificResource"]
    assert target[OA + "hasSource"] == [{"@id": "https://sourcemark.example.org/articles/7/"}]
    quote, position = target[OA + "hasSelector"]
    assert quote["@type"] == [OA + "TextQuoteSelector"]
    assert quote[OA + "exact"] == [{"@value": "300,000 reservists"}]
    assert quote[OA + "prefix"] == [{"@value": "Officials say "}]
    assert position["@type"] == [OA + "TextPositionSelector"]
    assert position[OA + "start"] == [{"@value": 14, "@type": XSD + "nonNegativeInteger"}]
    assert position[OA + "end"] == [{"@value": 32, "@type": XSD + "nonNegativeInteger"}]


def test_the_expansion_loads_nothing_but_the_vendored_context():
    with pytest.raises(jsonld.JsonLdError):
        expand({"@context": "https://example.org/other.jsonld", "name": "x"})


def test_an_export_meets_every_must_of_the_model_that_applies():
    rows = rows_for(
        SAMPLE_BODY,
        "Officials say 300,000 reservists",
        "he could draft up to two million",
        "300,000 women",
        "the café was closed",
    )
    rows[1] = rows[1]._replace(note="Only one source.", source_url="https://x.example/a?b=1#c")
    rows[2] = rows[2]._replace(article_url="https://news.example.com/reservists")
    assert_collection_conforms(export(rows), SAMPLE_BODY)


def test_each_annotation_alone_is_a_complete_web_annotation():
    anno = annotation(full_row(), SITE)
    assert_annotation_conforms(anno, SAMPLE_BODY, embedded=False)
    (expanded,) = expand(anno)
    assert expanded["@type"] == [OA + "Annotation"]


@pytest.mark.parametrize(
    ("damage", "rule"),
    [
        (lambda a: a.update({"@context": [ANNO_CONTEXT_URL]}), "3.1 @context"),
        (lambda a: a.update({"id": "label-11"}), "3.1 id"),
        (lambda a: a.update({"type": "Note"}), "3.1 type"),
        (lambda a: a.update({"created": "2026-11-28T08:55:03+01:00"}), "3.3.1 created"),
        (lambda a: a.update({"motivation": "labelling"}), "3.3.5 motivation"),
        (lambda a: a["body"][0].pop("value"), "3.2.4 value"),
        (
            lambda a: a["target"].update({"source": ["https://a.example", "https://b.example"]}),
            "4 source",
        ),
        (lambda a: a["target"]["selector"][1].update({"start": -1}), "4.2.5 non-negative integer"),
        (
            lambda a: a["target"]["selector"][1].update({"end": 33}),
            "4.2.5 position selects the quote",
        ),
    ],
)
def test_the_conformance_check_can_fail(damage, rule):
    anno = copy.deepcopy(annotation(full_row(), SITE))
    damage(anno)
    with pytest.raises(AssertionError, match=re.escape(rule)):
        assert_annotation_conforms(anno, SAMPLE_BODY, embedded=False)


def test_a_note_is_a_commenting_body_and_the_motivation_stays_single():
    without = annotation(full_row(note="", source_url=""), SITE)
    with_note = annotation(full_row(source_url=""), SITE)
    assert without["motivation"] == with_note["motivation"] == "classifying"
    assert [body["purpose"] for body in without["body"]] == ["classifying"]
    assert [body["purpose"] for body in with_note["body"]] == ["classifying", "commenting"]


def test_each_kind_has_one_stable_concept_iri_from_the_scheme():
    scheme = concept_scheme(SITE)
    concepts = {concept["notation"]: concept["id"] for concept in scheme["hasTopConcept"]}
    assert set(concepts) == set(KINDS)
    for kind in KINDS:
        first = annotation(full_row(kind=kind), SITE)["body"][0]
        again = annotation(full_row(kind=kind, label_id=99, reviewer="bob"), SITE)["body"][0]
        assert first["id"] == again["id"] == concepts[kind]


def test_the_concept_scheme_is_skos():
    (expanded,) = jsonld.expand(concept_scheme(SITE))
    skos = "http://www.w3.org/2004/02/skos/core#"
    assert expanded["@type"] == [skos + "ConceptScheme"]
    concepts = expanded[skos + "hasTopConcept"]
    assert [c["@id"] for c in concepts] == [SITE.concept(kind) for kind in KINDS]
    verified = concepts[0]
    assert verified["@type"] == [skos + "Concept"]
    assert verified[skos + "prefLabel"] == [{"@value": "Verified fact", "@language": "en"}]
    assert verified[skos + "inScheme"] == [{"@id": SITE.scheme}]
    assert verified[skos + "definition"][0]["@value"]


def test_the_target_is_the_canonical_url_else_the_app_url():
    assert annotation(full_row(), SITE)["target"]["source"] == SITE.article(7)
    canonical = full_row(article_url="https://news.example.com/a?id=3")
    assert annotation(canonical, SITE)["target"]["source"] == "https://news.example.com/a?id=3"


def test_the_creator_has_no_email_and_falls_back_to_the_username():
    creator = annotation(full_row(reviewer_name=""), SITE)["creator"]
    assert creator == {"type": "Person", "name": "alice", "nickname": "alice"}


def test_datetimes_are_written_in_utc_with_z():
    paris = datetime.timezone(datetime.timedelta(hours=1))
    row = full_row(created=datetime.datetime(2026, 11, 28, 9, 55, 3, 999, tzinfo=paris))
    assert annotation(row, SITE)["created"] == "2026-11-28T08:55:03Z"


def test_emoji_combining_marks_and_no_break_spaces_count_code_points_and_quote_exactly():
    raw = (
        "Le\u00a0ministre a parlé 👩🏽\u200d⚕️ de 300\u00a0000 réservistes 🇺🇦.\n\n"
        "Son adjoint, Ngô Thi\u0323\u0302 (combining marks) a ajouté : « q\u0303 🤷🏻\u200d♀️ »."
    )
    body = canonicalize(raw)
    assert "\u00a0" not in body and "q\u0303" in body  # NBSP became a space; q̃ has no composed form
    # NFC composes i + dot below into ị, and leaves the circumflex after it combining.
    assert "Ngô Thị\u0302" in body
    rows = rows_for(body, "300 000 réservistes 🇺🇦", "Ngô Thị\u0302", "« q\u0303 🤷🏻\u200d♀️ »")
    document = export(rows)
    assert_collection_conforms(document, body)
    for row, anno in zip(rows, items(document), strict=True):
        quote_selector, position = anno["target"]["selector"]
        assert quote_selector["exact"] == row.quote == body[position["start"] : position["end"]]
        # Code points, not the UTF-16 units a browser would count.
        utf16_start = len(body[: position["start"]].encode("utf-16-le")) // 2
        assert utf16_start > position["start"]
    # Written as the characters themselves, not escapes.
    raw_bytes = b"".join(article_chunks(rows, site=SITE, article_id=7, title="T"))
    assert "🇺🇦".encode() in raw_bytes and b"\\ud83c" not in raw_bytes


def test_an_article_without_labels_is_an_empty_collection_without_a_page():
    document = export([])
    assert document["total"] == 0 and "first" not in document
    assert_collection_conforms(document, SAMPLE_BODY)
    (expanded,) = expand(document)
    assert AS + "first" not in expanded


@settings(max_examples=60, deadline=None)
@given(count=st.integers(0, 40), per_chunk=st.integers(1, 7))
def test_any_number_of_labels_in_any_chunk_size_is_one_valid_document(count, per_chunk):
    rows = [full_row(label_id=n) for n in range(count)]
    chunks = list(
        collection_chunks(
            rows, site=SITE, collection_id=SITE.export(7), label="x", items_per_chunk=per_chunk
        )
    )
    document = json.loads(b"".join(chunks))
    assert document["total"] == count
    assert [a["id"] for a in items(document)] == [SITE.annotation(7, n) for n in range(count)]


def test_rows_are_read_lazily_so_memory_stays_flat():
    pulled = 0

    def rows():
        nonlocal pulled
        for n in range(2000):
            pulled += 1
            yield full_row(label_id=n)

    chunks = collection_chunks(
        rows(), site=SITE, collection_id=SITE.export(7), label="x", items_per_chunk=100
    )
    for number, _chunk in enumerate(chunks, start=1):
        # Each chunk needs its own 100 rows and, at most, one read ahead.
        assert pulled <= number * 100 + 1
    assert pulled == 2000


def test_a_selection_of_articles_is_one_collection_with_each_articles_source():
    rows = [full_row(article_id=1, label_id=1), full_row(article_id=2, label_id=2)]
    chunks = collection_chunks(
        rows, site=SITE, collection_id="urn:uuid:0f6c1b7e-5c3f-4e1b-9d8a-2f6c1b7e0a11", label="x"
    )
    document = json.loads(b"".join(chunks))
    assert [a["target"]["source"] for a in items(document)] == [SITE.article(1), SITE.article(2)]
    assert [a["id"] for a in items(document)] == [SITE.annotation(1, 1), SITE.annotation(2, 2)]
    with pytest.raises(ValueError, match="fragment"):
        list(collection_chunks(rows, site=SITE, collection_id=SITE.export(1) + "#x", label="x"))


@pytest.mark.parametrize("payload", PAYLOADS, ids=[p.name for p in PAYLOADS])
def test_hostile_text_comes_back_unchanged_and_the_document_stays_json(payload):
    row = full_row(note=payload.text, reviewer_name=payload.text, reviewer=payload.text[:150])
    document = export(
        [row],
    )
    (anno,) = items(document)
    assert anno["body"][1]["value"] == payload.text
    assert anno["creator"]["name"] == payload.text


def test_a_lone_surrogate_is_written_as_a_json_escape_not_an_encoding_error():
    document = export([full_row(note="half a pair: \ud83c!")])
    assert items(document)[0]["body"][1]["value"] == "half a pair: \ud83c!"


def test_prefix_and_suffix_are_the_stored_context():
    (start, end, quote, prefix, suffix) = spans_of(SAMPLE_BODY, "two million")[0]
    assert len(prefix) == len(suffix) == CONTEXT_CHARS
    anno = annotation(
        full_row(start=start, end=end, quote=quote, prefix=prefix, suffix=suffix), SITE
    )
    assert anno["target"]["selector"][0] == {
        "type": "TextQuoteSelector",
        "exact": "two million",
        "prefix": prefix,
        "suffix": suffix,
    }


texts = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
label_rows = st.builds(
    label_row,
    article_id=st.integers(1, 10**9),
    label_id=st.integers(1, 10**12),
    kind=st.sampled_from(KINDS),
    start=st.integers(0, 10**6),
    end=st.integers(0, 10**6),
    quote=texts,
    prefix=texts,
    suffix=texts,
    note=texts,
    source_url=st.sampled_from(["", 'https://x.example/a?b=1&c="d"', "http://é.example/😀"]),
    reviewer=texts,
    reviewer_name=texts,
    created=st.sampled_from(
        ["2026-11-28T08:55:03Z", datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)]
    ),
    updated=texts,
    article_url=st.sampled_from(
        ["", "https://news.example.com/a?id=3", "https://n.example/\u2028"]
    ),
)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(label_rows, min_size=1, max_size=4))
def test_the_fast_writer_writes_exactly_what_the_reference_annotation_encodes(rows):
    """collection_chunks builds each annotation's JSON from pre-encoded pieces (for speed);
    it must be the very text of the reference ``annotation()`` encoded."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    fast = _AnnotationJson(SITE)
    for row in rows:
        assert fast(row) == encode(annotation(row, SITE))
