"""Writes that lose a race to another request: a clear 4xx, never a 500, never a corrupt span.

Each test forces the losing order in one thread (the other request's write is
done in between, as if it had committed a moment earlier), so they run on
SQLite and PostgreSQL alike. tests/test_concurrency.py races real threads on
PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.test import Client

from annotations import forms as article_forms
from annotations.ingest import fingerprint
from annotations.labelling import LabelError, change_label, remove_label
from annotations.models import Article, Label, Span
from tests.factories import label_quote
from tests.refusals import refusal

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def raising_client(alice) -> Client:
    """alice, with a 500 returned as a response, as a browser would see it."""
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    return client


def test_changing_a_label_removed_meanwhile_says_so(article, alice):
    label = label_quote(article, alice, "Officials say", "official_claim")
    stale = Label.objects.get(pk=label.pk)  # what the change request read
    remove_label(label, alice)  # the removal request, a moment earlier
    with pytest.raises(LabelError) as refused:
        change_label(stale, alice, kind="verified_fact", note="", source_url="")
    assert refused.value.status == 404
    assert refused.value.message == "This label has been removed meanwhile. Reload the page."
    assert not Label.objects.exists() and not Span.objects.exists()


def test_removing_a_label_twice_says_it_is_gone(article, alice, bob):
    label = label_quote(article, alice, "Officials say", "official_claim")
    label_quote(article, bob, "Officials say", "verified_fact")  # the span stays
    stale = Label.objects.get(pk=label.pk)
    assert remove_label(label, alice) is False
    with pytest.raises(LabelError) as refused:
        remove_label(stale, alice)  # a double click: the second request
    assert refused.value.status == 404
    assert "removed" in refused.value.message
    assert list(Span.objects.get().labels.values_list("reviewer__username", flat=True)) == ["bob"]


def test_removing_the_last_label_twice_says_it_is_gone(article, alice):
    label = label_quote(article, alice, "Officials say", "official_claim")
    stale = Label.objects.get(pk=label.pk)
    assert remove_label(label, alice) is True
    with pytest.raises(LabelError) as refused:
        remove_label(stale, alice)
    assert refused.value.status == 404


def test_a_change_racing_its_removal_answers_404_through_the_view(
    raising_client, article, alice, monkeypatch
):
    label = label_quote(article, alice, "Officials say", "official_claim")
    from annotations.views import annotate

    found = annotate.get_label

    def found_then_removed(article: Article, label_id: int) -> Label:
        read = found(article, label_id)
        remove_label(Label.objects.get(pk=label_id), alice)  # the other tab's click
        return read

    monkeypatch.setattr(annotate, "get_label", found_then_removed)
    response = raising_client.post(
        f"/articles/{article.id}/labels/{label.id}/",
        {"kind": "verified_fact", "note": "", "source_url": ""},
        **HX,
    )
    assert response.status_code == 404
    assert refusal(response) == "This label has been removed meanwhile. Reload the page."


def test_the_second_of_two_identical_new_articles_is_told_it_exists(
    raising_client, alice, monkeypatch
):
    """Both passed the duplicate check; the other request saved first."""
    body = "The same text, pasted by two editors at once."
    checked = article_forms.ArticleForm.clean_body

    def checked_then_saved_elsewhere(form: article_forms.ArticleForm) -> str:
        cleaned = checked(form)
        Article.objects.create(
            title="First one", body=cleaned, fingerprint=fingerprint(cleaned), created_by=alice
        )
        return cleaned

    monkeypatch.setattr(article_forms.ArticleForm, "clean_body", checked_then_saved_elsewhere)
    response = raising_client.post("/articles/new/", {"title": "Second one", "body": body})
    assert response.status_code == 400
    assert "already in Sourcemark as “First one”" in response.content.decode()
    assert list(Article.objects.values_list("title", flat=True)) == ["First one"]


def test_an_edit_to_a_text_saved_meanwhile_is_told_it_exists(raising_client, article, monkeypatch):
    body = "A new text for this article."
    checked = article_forms.ArticleForm.clean_body

    def checked_then_saved_elsewhere(form: article_forms.ArticleForm) -> str:
        cleaned = checked(form)
        Article.objects.create(title="Elsewhere", body=cleaned, fingerprint=fingerprint(cleaned))
        return cleaned

    monkeypatch.setattr(article_forms.ArticleForm, "clean_body", checked_then_saved_elsewhere)
    response = raising_client.post(
        f"/articles/{article.id}/edit/", {"title": article.title, "body": body}
    )
    assert response.status_code == 400
    assert "already in Sourcemark as “Elsewhere”" in response.content.decode()
    article.refresh_from_db()
    assert article.body.startswith("Officials say")


def test_a_label_checked_against_a_body_edited_meanwhile_is_refused(article, alice, monkeypatch):
    """The label request read the old body; the edit saved a new one before it wrote."""
    from annotations import labelling

    start = article.body.index("reservists")
    read_before_edit = Article.objects.get(pk=article.pk)
    Article.objects.filter(pk=article.pk).update(
        body="A different text entirely, longer than the first one was at all."
    )
    with pytest.raises(labelling.StaleQuote):
        labelling.label_span(
            article=read_before_edit,
            reviewer=alice,
            start=start,
            end=start + len("reservists"),
            quote="reservists",
            kind="verified_fact",
        )
    assert not Span.objects.exists()


def test_the_admin_saving_a_text_stored_meanwhile_says_so(staff, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    body = "The same text, pasted in the admin and the app at once."
    checked = article_forms.ArticleForm.clean_body

    def checked_then_saved_elsewhere(form: article_forms.ArticleForm) -> str:
        cleaned = checked(form)
        Article.objects.create(title="From the app", body=cleaned, fingerprint=fingerprint(cleaned))
        return cleaned

    monkeypatch.setattr(article_forms.ArticleForm, "clean_body", checked_then_saved_elsewhere)
    data = {"title": "From the admin", "body": body, "spans-TOTAL_FORMS": "0"}
    response = client.post("/admin/annotations/article/add/", {**data, "spans-INITIAL_FORMS": "0"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "already in Sourcemark as “From the app”" in page
    # (The stand-in for the other request ran inside the admin's transaction, so
    # it was rolled back with it; a real one would have committed.)
    assert not Article.objects.filter(title="From the admin").exists()
