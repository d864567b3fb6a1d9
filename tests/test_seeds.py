from __future__ import annotations

from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import override_settings

from annotations.access import is_editor
from annotations.models import Article, Label, Span


def _load(**kwargs) -> str:
    out = StringIO()
    call_command("load_seeds", stdout=out, **kwargs)
    return out.getvalue()


@override_settings(DEBUG=True)
def test_seeds_load_twice_without_duplicates(db):
    _load()
    counts = (Article.objects.count(), Span.objects.count(), Label.objects.count())
    _load()
    assert (Article.objects.count(), Span.objects.count(), Label.objects.count()) == counts
    assert counts[0] == 1
    assert counts[1] >= 12


@override_settings(DEBUG=True)
def test_seed_article_is_the_shared_source_without_the_scraped_trailer(db):
    _load()
    article = Article.objects.get()
    assert (
        article.title == "Putin tells mothers of soldiers killed in Ukraine he ‘shares this pain’"
    )
    assert article.body.endswith("introducing martial law.’")
    assert "news source" not in article.body
    assert "Related Articles" not in article.body
    # The NO-BREAK SPACEs of the source are plain spaces in the canonical text.
    assert "\u00a0" not in article.body
    assert "Putin said that he shared their pain" in article.body


@override_settings(DEBUG=True)
def test_demo_labels_cover_every_kind_and_include_disagreements(db):
    _load()
    assert set(Label.objects.values_list("kind", flat=True)) == {
        "verified_fact",
        "official_claim",
        "unsourced_speculation",
    }
    disputed = [
        span
        for span in Span.objects.prefetch_related("labels")
        if len({label.kind for label in span.labels.all()}) > 1
    ]
    assert len(disputed) >= 2
    for span in Span.objects.all():
        assert span.article.body[span.start : span.end] == span.quote


@override_settings(DEBUG=True)
def test_demo_accounts_exist_in_development(db):
    output = _load()
    alice = User.objects.get(username="alice")
    assert alice.check_password("demo-password")
    assert is_editor(alice)
    assert is_editor(User.objects.get(username="bob"))
    assert User.objects.get(username="admin").is_superuser
    assert "demo-password" in output


@override_settings(DEBUG=False)
def test_no_demo_accounts_without_debug(db):
    output = _load()
    assert Article.objects.count() == 1
    assert not User.objects.exists()
    assert Label.objects.count() == 0
    assert "skipped" in output
