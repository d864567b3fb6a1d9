""" "I have finished this article" (/articles/<id>/finished/), and what it changes on the report."""

from __future__ import annotations

from annotations.labelling import set_finished
from annotations.models import Article, FinishedReview
from tests.factories import label_quote

SENTENCE = "Officials say 300,000 reservists were called up."


def _finish(client, article, action="finish", **headers):
    return client.post(f"/articles/{article.id}/finished/", {"action": action}, **headers)


def test_an_editor_finishes_and_reopens_their_review(alice_client, article, alice):
    response = _finish(alice_client, article, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    # The fragment, not the page: the part that htmx swaps.
    assert html.lstrip().startswith('<section id="finished-reviews"')
    assert "Finished by alice." in html
    assert "Reopen my review" in html
    assert FinishedReview.objects.filter(article=article, reviewer=alice).exists()

    html = _finish(alice_client, article, "reopen", HTTP_HX_REQUEST="true").content.decode()
    assert "No reviewer has finished this article yet." in html
    assert "I have finished this article" in html
    assert not FinishedReview.objects.exists()


def test_without_htmx_it_goes_back_to_the_article_page(alice_client, article):
    response = _finish(alice_client, article)
    assert response.status_code == 302 and response["Location"] == f"/articles/{article.id}/"
    page = alice_client.get(f"/articles/{article.id}/").content.decode()
    assert "Finished by alice." in page and "Reopen my review" in page


def test_finishing_twice_is_harmless(alice_client, article):
    _finish(alice_client, article)
    _finish(alice_client, article)
    assert FinishedReview.objects.count() == 1


def test_an_unknown_action_is_refused_in_words(alice_client, article):
    response = _finish(alice_client, article, "<b>done</b>", HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert response.content.decode() == "Send action=finish or action=reopen."


def test_a_reader_sees_who_finished_but_no_button(carol_client, article, bob):
    set_finished(article.id, bob, finished=True)
    page = carol_client.get(f"/articles/{article.id}/").content.decode()
    assert "Finished by bob." in page
    assert "I have finished this article" not in page


def test_finishing_marks_the_cached_figures_stale(article, alice):
    before = Article.objects.get(pk=article.pk).labels_revision
    set_finished(article.id, alice, finished=True)
    assert Article.objects.get(pk=article.pk).labels_revision == before + 1
    set_finished(article.id, alice, finished=True)  # no change: no bump
    assert Article.objects.get(pk=article.pk).labels_revision == before + 1


def test_the_report_counts_only_a_finished_reviewer_s_silence(carol_client, article, alice, bob):
    # alice labels a sentence and two words, bob labels nothing.
    label_quote(article, alice, SENTENCE, "official_claim")
    label_quote(article, alice, "One version", "unsourced_speculation")
    html = carol_client.get(f"/articles/{article.id}/report/").content.decode()
    assert "agreement on the text needs at least 2 words" in html
    assert "0 of 1 reviewers finished" in html
    # bob finishes: every word alice labelled now meets his "not labelled".
    set_finished(article.id, bob, finished=True)
    html = carol_client.get(f"/articles/{article.id}/report/").content.decode()
    # "Officials say 300,000 reservists were called up" is 8 words ("300,000" is two),
    # "One version" 2: 10 words, none labelled alike.
    assert "(0 of 10 words labelled alike)" in html
    assert "0 of 2 reviewers finished" not in html and "1 of 2 reviewers finished" in html
    assert "Finished by bob." in html
