"""Concurrent editors against PostgreSQL: no label lost, none doubled, no 500.

Each test runs real threads, each with its own database connection, released
to the pool at the end of the thread. SQLite is skipped: it takes one
database-wide write lock per transaction (transaction_mode IMMEDIATE), so the
interleavings tested here cannot happen on it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.test import Client

from annotations import labelling
from annotations.ingest import fingerprint
from annotations.labelling import label_span, remove_label
from annotations.models import EDITORS_GROUP, Article, Label, Span
from annotations.text import canonicalize

HX = {"HTTP_HX_REQUEST": "true"}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises all writers with one lock; these races need PostgreSQL.",
    ),
]


@pytest.fixture(autouse=True)
def editors_group(transactional_db) -> None:
    """The Editors group comes from a data migration, which the flush after every
    transactional test (these, the browser tests) empties; the named users need it."""
    Group.objects.get_or_create(name=EDITORS_GROUP)


# Word-aligned phrases of tests.conftest.SAMPLE_BODY, as (start, end, quote).
PHRASES = [(0, 9, "Officials"), (14, 21, "300,000"), (22, 32, "reservists")]


def _in_threads(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment, one thread each; return results or raised errors."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        try:
            barrier.wait(timeout=10)
            return call()
        except Exception as error:  # returned, so the test can show it
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _label(article, user, phrase, kind="verified_fact"):
    start, end, quote = phrase
    return lambda: label_span(
        article=article, reviewer=user, start=start, end=end, quote=quote, kind=kind
    )


def test_phrases_match_the_article(article):
    for start, end, quote in PHRASES:
        assert article.body[start:end] == quote


def test_two_editors_labelling_the_same_new_span_both_keep_their_label(article, alice, bob):
    for phrase in PHRASES:
        results = _in_threads(
            _label(article, alice, phrase, "verified_fact"),
            _label(article, bob, phrase, "official_claim"),
        )
        assert all(isinstance(result, Label) for result in results), results
        span = Span.objects.get(article=article, start=phrase[0], end=phrase[1])
        assert sorted(span.labels.values_list("reviewer__username", "kind")) == [
            ("alice", "verified_fact"),
            ("bob", "official_claim"),
        ]


def test_a_double_submission_saves_one_label_without_error(article, alice):
    for phrase in PHRASES:
        results = _in_threads(_label(article, alice, phrase), _label(article, alice, phrase))
        assert all(isinstance(result, Label) for result in results), results
        assert results[0].pk == results[1].pk
    assert Span.objects.count() == len(PHRASES)
    assert Label.objects.count() == len(PHRASES)
    # One audit entry each: the twin request changed nothing.
    assert Label.history.filter(history_type="+").count() == len(PHRASES)
    assert Label.history.filter(history_type="~").count() == 0


def test_removing_the_last_label_while_another_editor_labels_the_span_loses_nothing(
    article, alice, bob
):
    for phrase in PHRASES:
        alices = _label(article, alice, phrase)()
        results = _in_threads(partial(remove_label, alices, alice), _label(article, bob, phrase))
        assert not any(isinstance(result, Exception) for result in results), results
        # bob's label survives, on the span at exactly that range (the old one or a new one).
        span = Span.objects.get(article=article, start=phrase[0], end=phrase[1])
        assert list(span.labels.values_list("reviewer__username", flat=True)) == ["bob"]
    assert not Span.objects.filter(labels=None).exists()


def test_two_editors_removing_the_last_two_labels_leave_no_empty_span(article, alice, bob):
    for phrase in PHRASES:
        alices, bobs = _label(article, alice, phrase)(), _label(article, bob, phrase)()
        results = _in_threads(
            partial(remove_label, alices, alice), partial(remove_label, bobs, bob)
        )
        assert sorted(results) == [False, True], results  # exactly one of them took the span
    assert not Span.objects.exists()
    assert not Label.objects.exists()


def test_a_label_added_to_a_span_being_deleted_is_kept(article, alice, bob, monkeypatch):
    """Force the worst order: bob finds the span, alice removes it (and the span), bob saves.

    labelling.py lets that happen: bob's insert then fails its foreign key at
    commit and is retried onto a new span. Were writers ever ordered by a lock
    taken first (on the article, say), alice would wait for bob instead and
    keep the span; either way bob's label is kept. (The hook is the moment bob
    sets his label on the span he found, labelling._set_label.)
    """
    start, end, quote = PHRASES[0]
    alices = label_span(
        article=article, reviewer=alice, start=start, end=end, quote=quote, kind="verified_fact"
    )
    old_span_id = alices.span_id
    span_found, span_gone = threading.Event(), threading.Event()
    original = labelling._set_label

    def set_label_after_removal(*args: Any, **kwargs: Any) -> Any:
        if not span_found.is_set():  # bob's first attempt only
            span_found.set()
            span_gone.wait(timeout=3)  # not set in time if alice waits for bob's lock
        return original(*args, **kwargs)

    monkeypatch.setattr(labelling, "_set_label", set_label_after_removal)

    def bob_labels() -> Label:
        try:
            return label_span(
                article=article,
                reviewer=bob,
                start=start,
                end=end,
                quote=quote,
                kind="official_claim",
            )
        finally:
            connections.close_all()

    def alice_removes() -> bool:
        try:
            assert span_found.wait(timeout=10)
            return remove_label(alices, alice)
        finally:
            span_gone.set()
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        bobs_future = pool.submit(bob_labels)
        removed_future = pool.submit(alice_removes)
        span_went = removed_future.result()
        bobs = bobs_future.result()

    span = Span.objects.get(article=article, start=start, end=end)
    # The span went with alice's label and bob's moved to a new one, or it stayed.
    assert (span.pk != old_span_id) is span_went
    assert list(span.labels.values_list("reviewer__username", "kind")) == [
        ("bob", "official_claim")
    ]
    assert Label.objects.get().pk == bobs.pk


# --- Requests racing through the views (issue 10) ---------------------------------------

ROUNDS = 30


def _client(user) -> Client:
    client = Client(raise_request_exception=False)  # a 500 is an answer the test looks at
    client.force_login(user)
    return client


def _fresh_article(n: int, user) -> Article:
    body = f"Round {n}: officials say reservists were called up.\n\nA second paragraph, {n}."
    return Article.objects.create(
        title=f"Round {n}", body=body, fingerprint=fingerprint(body), created_by=user
    )


def _assert_every_span_matches_its_body() -> None:
    for span in Span.objects.select_related("article"):
        if span.start is None:  # an orphan: no place, its old quote kept
            assert span.anchor in ("orphaned", "dismissed"), span.id
            continue
        assert span.article.body[span.start : span.end] == span.quote, (span.id, span.quote)


def test_a_correction_racing_label_writes_never_leaves_a_span_at_stale_offsets(alice, bob):
    """Issue 14: the edit moves every span (a paragraph inserted before them) while
    labels arrive carrying the revision their page showed. Each label is either
    written first and moved by the edit, or refused (409) after it: never written at
    offsets into the old text."""
    editing, labeller = _client(alice), _client(bob)
    outcomes = Counter()
    for n in range(ROUNDS):
        article = _fresh_article(n, alice)
        start = article.body.index("reservists")
        label = {"start": start, "end": start + 10, "quote": "reservists", "revision": 1}
        edit, *labels = _in_threads(
            lambda a=article, n=n: editing.post(
                f"/articles/{a.id}/edit/",
                {"title": a.title, "body": f"Update {n}: a paragraph first.\n\n{a.body}"},
            ),
            lambda a=article, label=label: labeller.post(
                f"/articles/{a.id}/labels/", {**label, "kind": "verified_fact"}, **HX
            ),
            lambda a=article, label=label: labeller.post(
                f"/articles/{a.id}/labels/", {**label, "kind": "official_claim"}, **HX
            ),
        )
        statuses = (edit.status_code, *sorted(r.status_code for r in labels))
        outcomes[statuses] += 1
        assert statuses in {(302, 200, 200), (302, 200, 409), (302, 409, 409)}, outcomes
        refused = [r for r in labels if r.status_code == 409]
        assert all("corrected since you opened it" in r.content.decode() for r in refused)
        for span in Span.objects.filter(article=article):
            assert (span.quote, span.anchor) == ("reservists", "moved")
    _assert_every_span_matches_its_body()


def test_a_label_sent_while_a_correction_re_anchors_waits_and_is_refused(alice, bob, monkeypatch):
    """The worst order, forced: the edit holds the lock, mid-way through re-anchoring,
    when the label arrives; the label waits for it and finds a newer revision."""
    article = _fresh_article(0, alice)
    start = article.body.index("reservists")
    checked, labelled = threading.Event(), threading.Event()
    original = labelling.reanchor

    def reanchor_then_wait(*args: Any) -> Any:
        placements = original(*args)
        checked.set()
        labelled.wait(timeout=2)  # not set in time if the label waits for the edit's lock
        return placements

    monkeypatch.setattr(labelling, "reanchor", reanchor_then_wait)
    editing, labelling_client = _client(alice), _client(bob)

    def label() -> Any:
        try:
            assert checked.wait(timeout=10)
            return labelling_client.post(
                f"/articles/{article.id}/labels/",
                {
                    "start": start,
                    "end": start + 10,
                    "quote": "reservists",
                    "kind": "verified_fact",
                    "revision": 1,
                },
                **HX,
            )
        finally:
            labelled.set()
            connections.close_all()

    def edit() -> Any:
        try:
            return editing.post(
                f"/articles/{article.id}/edit/",
                {"title": article.title, "body": "Rewritten: nobody was called up after all."},
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        edited, labelled_response = pool.submit(edit), pool.submit(label)
        assert (edited.result().status_code, labelled_response.result().status_code) == (302, 409)
    _assert_every_span_matches_its_body()
    assert not Span.objects.exists()


def test_a_change_racing_its_removal_answers_404_never_500(article, alice):
    changing, removing = _client(alice), _client(alice)
    seen = Counter()
    for n in range(ROUNDS):
        start = article.body.index("reservists")
        label = label_span(
            article=article,
            reviewer=alice,
            start=start,
            end=start + 10,
            quote="reservists",
            kind="verified_fact",
            note=f"round {n}",
        )
        change, remove = _in_threads(
            lambda pk=label.pk: changing.post(
                f"/articles/{article.id}/labels/{pk}/",
                {"kind": "official_claim", "note": "changed", "source_url": ""},
                **HX,
            ),
            lambda pk=label.pk: removing.post(f"/articles/{article.id}/labels/{pk}/remove/", **HX),
        )
        seen[(change.status_code, remove.status_code)] += 1
        assert remove.status_code == 200
        assert change.status_code in {200, 404}, seen
        assert not Label.objects.exists() and not Span.objects.exists()


def test_two_editors_creating_the_same_article_at_once(alice, bob):
    """The second is told the text exists, as when they are not simultaneous."""
    first, second = _client(alice), _client(bob)
    for n in range(ROUNDS):
        body = f"Pasted by two editors at once, round {n}."
        answers = _in_threads(
            lambda b=body: first.post("/articles/new/", {"title": "From alice", "body": b}),
            lambda b=body: second.post("/articles/new/", {"title": "From bob", "body": b}),
        )
        assert sorted(a.status_code for a in answers) == [302, 400], [
            a.status_code for a in answers
        ]
        refused = next(a for a in answers if a.status_code == 400)
        title = Article.objects.get(fingerprint=fingerprint(canonicalize(body))).title
        assert f"already in Sourcemark as “{title}”" in refused.content.decode()
