"""Selections that land where people mean (issue 13, item 1), on the server.

Every write snaps the selection (whole words, no white space at the ends)
and puts a label on the span it is near-identical to (annotations.selection),
unless the editor asks to keep a separate span; the toolbar is told which
span that is before anything is written (views.annotate.span_offer).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from annotations import throttle
from annotations.ingest import ArticleData, save_article
from annotations.labelling import LabelError, NewLabel, import_labels
from annotations.models import Article, Label, Span
from tests.factories import label_quote
from tests.refusals import refusal

HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
SENTENCE = "Officials say 300,000 reservists were called up."
CLAUSE = "One version is that he could draft up to two million"


def _at(article: Article, quote: str, **extra: object) -> dict[str, object]:
    start = article.body.index(quote)
    return {"start": start, "end": start + len(quote), "quote": quote, **extra}


def _post(client, article: Article, quote: str, kind: str, **extra: object):
    data = _at(article, quote, kind=kind, **extra)
    return client.post(f"/articles/{article.id}/labels/", data, **HX)


def test_bob_stopping_before_alices_full_stop_labels_her_span(bob_client, article, alice):
    label_quote(article, alice, SENTENCE, "official_claim")
    response = _post(bob_client, article, SENTENCE[:-1], "unsourced_speculation")
    assert response.status_code == 200
    span = Span.objects.get()
    assert span.quote == SENTENCE
    assert sorted(span.labels.values_list("kind", flat=True)) == [
        "official_claim",
        "unsourced_speculation",
    ]
    html = response.content.decode()
    # The side list's item is replaced (not a second item inserted), now disputed.
    assert f'<li id="span-item-{span.id}" hx-swap-oob="true">' in html
    assert "Disputed" in html


def test_keep_separate_makes_a_second_span(bob_client, article, alice):
    label_quote(article, alice, SENTENCE, "official_claim")
    response = _post(bob_client, article, SENTENCE[:-1], "unsourced_speculation", keep_separate="1")
    assert response.status_code == 200
    assert sorted(Span.objects.values_list("quote", flat=True)) == [SENTENCE[:-1], SENTENCE]
    assert 'hx-swap-oob="beforeend:#span-items"' in response.content.decode()


def test_keep_separate_at_the_very_same_offsets_is_the_same_span(bob_client, article, alice):
    label_quote(article, alice, SENTENCE, "official_claim")
    _post(bob_client, article, SENTENCE, "verified_fact", keep_separate="1")
    assert Span.objects.count() == 1 and Label.objects.count() == 2


def test_a_clause_of_the_sentence_is_its_own_span(bob_client, article, alice):
    label_quote(article, alice, SENTENCE, "official_claim")
    _post(bob_client, article, "300,000 reservists", "verified_fact")
    assert Span.objects.count() == 2


def test_a_selection_is_snapped_to_whole_words_and_trimmed(alice_client, article):
    # A drag that starts inside "Officials", ends inside "reservists" and caught a space.
    response = _post(alice_client, article, "fficials say 300,000 reserv", "verified_fact")
    assert response.status_code == 200
    assert Span.objects.get().quote == "Officials say 300,000 reservists"
    Span.objects.all().delete()
    _post(alice_client, article, "Officials say ", "verified_fact")
    assert Span.objects.get().quote == "Officials say"


def test_non_bmp_text_snaps_by_code_points(alice_client, article):
    # "Reporters 🇺🇦 saw": a selection from inside the flag to inside "saw".
    flag = article.body.index("🇺🇦")
    response = alice_client.post(
        f"/articles/{article.id}/labels/",
        {"start": flag + 1, "end": flag + 5, "quote": "🇦 sa", "kind": "verified_fact"},
        **HX,
    )
    assert response.status_code == 200
    assert Span.objects.get().quote == "🇺🇦 saw"


def test_a_near_identical_write_costs_no_more_queries(
    alice_client, bob, bob_client, alice, django_assert_num_queries, monkeypatch
):
    words = " ".join(f"w{n:02d}" for n in range(100)) + "."
    article, _ = save_article(
        ArticleData(title="Long", body="\n\n".join([words] * 30)), created_by=alice
    )
    monkeypatch.setattr(throttle, "_now", lambda: 1_800_000_000.0)
    throttle.allow(bob.pk)  # not the minute's first write, which also deletes older minutes
    sentence = " ".join(f"w{n:02d}" for n in range(50, 60))
    for count in (10, 400):
        Span.objects.all().delete()
        spans = Span.objects.bulk_create(
            Span(article=article, start=i, end=i + 3, quote=article.body[i : i + 3])
            for i in range(0, count * 4, 4)
        )
        Label.objects.bulk_create(
            Label(span=s, reviewer=alice, kind="verified_fact") for s in spans
        )
        label_quote(article, alice, sentence + " w60", "official_claim")
        # As a new span's write (tests/test_annotate.py), less the span insert:
        # bob's label goes on the span he joins (PostgreSQL: as many, 6).
        with django_assert_num_queries(6 if connection.vendor == "postgresql" else 7):
            response = _post(bob_client, article, sentence, "verified_fact")
        assert response.status_code == 200
        assert Label.objects.filter(span__quote=sentence + " w60").count() == 2


def test_an_import_puts_near_identical_labels_on_the_span(article, alice, bob):
    label_quote(article, alice, SENTENCE, "official_claim")
    start = article.body.index(SENTENCE)
    other = article.body.index(CLAUSE)
    new = [
        NewLabel(bob.pk, start, start + len(SENTENCE) - 1, SENTENCE[:-1], "verified_fact"),
        # Two near-identical labels of one file land on one new span too.
        NewLabel(bob.pk, other, other + len(CLAUSE), CLAUSE, "verified_fact"),
        NewLabel(alice.pk, other, other + len(CLAUSE) + 2, CLAUSE + " –", "official_claim"),
    ]
    assert import_labels(article.pk, lambda *_: new, author=bob, reason="test") == 3
    assert sorted(Span.objects.values_list("quote", flat=True)) == sorted([CLAUSE, SENTENCE])
    assert Label.objects.count() == 4


def test_an_import_refuses_a_second_label_of_one_reviewer_on_a_span(article, alice):
    label_quote(article, alice, SENTENCE, "official_claim")
    start = article.body.index(SENTENCE)
    new = [NewLabel(alice.pk, start, start + len(SENTENCE) - 1, SENTENCE[:-1], "verified_fact")]
    with pytest.raises(LabelError, match="already labelled"):
        import_labels(article.pk, lambda *_: new, author=alice, reason="test")
    assert Label.objects.count() == 1


# --- The toolbar's offer ----------------------------------------------------------------


def _offer(client, article: Article, start: object, end: object):
    return client.get(f"/articles/{article.id}/spans/offer/?start={start}&end={end}", **HX)


def test_the_toolbar_offers_the_existing_span_with_who_labelled_it(bob_client, article, alice):
    label_quote(article, alice, SENTENCE, "official_claim")
    start = article.body.index(SENTENCE)
    response = _offer(bob_client, article, start, start + len(SENTENCE) - 1)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="toolbar-offer"')
    assert "site-header" not in html
    assert f"Label the existing span: “{SENTENCE}” (labelled by alice)" in html
    assert '<input type="checkbox" name="keep_separate" value="1">' in html
    assert "Keep my selection as a new span" in html


def test_the_offer_is_empty_for_a_new_span_or_the_span_itself(bob_client, article, alice):
    label_quote(article, alice, SENTENCE, "official_claim")
    start = article.body.index(SENTENCE)
    for end in (start + len("Officials say"), start + len(SENTENCE)):
        html = _offer(bob_client, article, start, end).content.decode()
        assert "Label the existing span" not in html and "keep_separate" not in html


def test_the_offer_names_every_reviewer_and_escapes_the_text(bob_client, alice, bob, carol):
    text = 'She said "no" & 5 < 6 today.'
    article, _ = save_article(ArticleData(title="Markup", body=text), created_by=alice)
    assert article.body == text
    label_quote(article, alice, text, "official_claim")
    label_quote(article, bob, text, "verified_fact")
    html = _offer(bob_client, article, 0, len(text) - 1).content.decode()
    assert "“She said &quot;no&quot; &amp; 5 &lt; 6 today.” (labelled by alice, bob)" in html


def test_a_bad_offer_request_is_a_readable_400(bob_client, article):
    response = _offer(bob_client, article, "x<b>", 3)
    assert response.status_code == 400
    assert refusal(response) == "The selection's start and end must be whole numbers."


def test_an_offer_outside_the_text_offers_nothing(bob_client, article):
    response = _offer(bob_client, article, 5, 99999)
    assert response.status_code == 200
    assert "keep_separate" not in response.content.decode()


def test_offer_queries_do_not_grow_with_spans(
    bob_client, article, alice, bob, carol, django_assert_num_queries
):
    label_quote(article, alice, SENTENCE, "official_claim")
    start = article.body.index(SENTENCE)
    # the session with its user (one statement), article, spans near the selection,
    # the span's reviewers
    with django_assert_num_queries(4):
        _offer(bob_client, article, start, start + len(SENTENCE) - 1)
    label_quote(article, bob, SENTENCE, "verified_fact")
    label_quote(article, carol, SENTENCE, "verified_fact")
    for word in ("One", "version", "Reporters", "medics"):
        label_quote(article, alice, word, "verified_fact")
    with django_assert_num_queries(4):
        html = _offer(bob_client, article, start, start + len(SENTENCE) - 1).content.decode()
    assert "(labelled by alice, bob, carol)" in html
