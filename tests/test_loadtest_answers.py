"""The load test reads where a label landed from the server's htmx answer
(bench/loadtest/answers.py), so its ledger checks the label where it is stored.

CI once failed because of this: an editor's selection nearly identical to a
span already labelled was (rightly) stored on that span, and the ledger, which
kept the requested range, counted it as lost.
"""

from __future__ import annotations

from typing import Any

from annotations.models import Span
from bench.loadtest import ledger
from bench.loadtest.answers import stored_range
from bench.loadtest.ledger import Ledger, Stored
from tests.factories import label_quote

HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
SENTENCE = "Officials say 300,000 reservists were called up."
EMOJI = "Reporters 🇺🇦 saw the 👩🏽‍⚕️ medics"


def _label(client, article, start: int, end: int, kind: str = "official_claim") -> str:
    data = {"start": start, "end": end, "quote": article.body[start:end], "kind": kind}
    response = client.post(f"/articles/{article.id}/labels/", data, **HX)
    assert response.status_code == 200
    return response.content.decode()


def test_a_near_identical_selection_is_read_back_at_the_stored_span(bob_client, article, alice):
    label_quote(article, alice, SENTENCE, "verified_fact")
    start = article.body.index(SENTENCE)
    answer = _label(bob_client, article, start, start + len(SENTENCE) - 1)
    span = Span.objects.get()
    assert stored_range(answer, span.id) == (start, start + len(SENTENCE))


def test_offsets_are_code_points_past_emoji_and_nested_spans(alice_client, article, bob):
    label_quote(article, bob, "medics", "verified_fact")  # inside the one labelled next
    start = article.body.index(EMOJI)
    answer = _label(alice_client, article, start, start + len(EMOJI))
    outer = Span.objects.get(quote=EMOJI)
    inner = Span.objects.get(quote="medics")
    assert stored_range(answer, outer.id) == (outer.start, outer.end)
    assert stored_range(answer, inner.id) == (inner.start, inner.end)
    assert stored_range(answer, 10**9) is None


def test_the_ledger_checks_a_label_where_it_landed():
    sent, landed = (1, 0, 47, "loadtest-00"), (1, 0, 48, "loadtest-00")
    book = Ledger()
    book.sending(sent)
    book.labelled(landed, ("verified_fact", "", ""), sent=sent)
    figures = ledger.check(
        book, Stored(labels={landed: "verified_fact"}, audit_rows=1, spans_without_labels=0)
    )
    assert ledger.passed(figures), figures
    assert not book.in_flight
