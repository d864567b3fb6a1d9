"""Labels in from a file: the upload on the article page, the command, the bulk write.

What a file means (readers) and where each label goes (importplan) are
tested on the pure modules; here, that the app writes what was decided, all
or nothing, once, with its audit trail, and shows every refusal.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from annotations.ingest import ArticleData, save_article
from annotations.labelling import LabelError, NewLabel, import_labels
from annotations.models import Article, Label, Span
from tests.conftest import SAMPLE_BODY
from tests.factories import label_quote
from tests.hostile import REFLECTED, REFLECTED_TAGS
from tests.interop import HERE, sample

BASE = "https://sourcemark.example.org"
EMOJI_QUOTE = "Reporters 🇺🇦 saw the 👩🏽‍⚕️ medics"
GAZETTE = (HERE / "article.txt").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = BASE


@pytest.fixture
def flood(alice) -> Article:
    """The article the Hypothesis and Label Studio samples label."""
    made, _ = save_article(ArticleData(title="Floodwaters", body=GAZETTE), created_by=alice)
    return made


def annotation(quote: str, label: str, who: str = "alice", **extra: Any) -> dict[str, Any]:
    """A Web Annotation as another tool might write one: a quote, a label, a creator."""
    body: list[dict[str, Any]] = [{"type": "TextualBody", "purpose": "classifying", "value": label}]
    if "note" in extra:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": extra.pop("note")})
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "classifying",
        "creator": {"type": "Person", "nickname": who},
        "body": body,
        "target": {"selector": {"type": "TextQuoteSelector", "exact": quote, **extra}},
    }


def as_file(*annotations: dict[str, Any]) -> bytes:
    return json.dumps(list(annotations)).encode()


def upload(client: Client, article: Article, data: bytes, **options: str) -> Any:
    return client.post(
        f"/articles/{article.id}/annotations/import/",
        {"file": SimpleUploadedFile("labels.json", data), **options},
    )


def export(client: Client, article: Article) -> bytes:
    response = client.get(f"/articles/{article.id}/annotations.jsonld")
    assert response.status_code == 200 and response.streaming
    return response.getvalue()


def stored(article: Article) -> list[tuple[Any, ...]]:
    """Every label of the article as a reader sees it: span, reviewer, label, note, source."""
    return list(
        Label.objects.filter(article=article)
        .order_by("span__start", "span__end", "reviewer__username")
        .values_list(
            "span__start",
            "span__end",
            "span__quote",
            "span__prefix",
            "span__suffix",
            "reviewer__username",
            "kind",
            "note",
            "source_url",
        )
    )


def snapshot() -> tuple[Any, ...]:
    """Everything an import could change."""
    return (
        list(Span.objects.order_by("id").values_list("id", "article_id", "start", "end")),
        list(Label.objects.order_by("id").values_list("id", "reviewer_id", "kind", "note")),
        Label.history.count(),
        list(Article.objects.order_by("id").values_list("id", "labels_revision", "body")),
    )


def the_annotations(document: bytes) -> list[dict[str, Any]]:
    """The annotations of an export, with what differs between two articles left out."""
    shown = []
    for item in json.loads(document)["first"]["items"]:
        item = dict(item)
        for key in ("id", "created", "modified"):
            del item[key]
        shown.append(item)
    return shown


# --- The round trip ------------------------------------------------------------------


def labelled(alice: User, bob: User, *, url: str = "") -> Article:
    made, _ = save_article(
        ArticleData(title="Mobilisation rumours", body=SAMPLE_BODY, url=url), created_by=alice
    )
    label_quote(
        made, alice, EMOJI_QUOTE, "verified_fact", "Seen 👩🏽‍⚕️ on video", "https://ex.org/ü"
    )
    label_quote(made, bob, EMOJI_QUOTE, "official_claim", "Ministry says so")
    label_quote(made, alice, "Officials", "unsourced_speculation")
    label_quote(made, bob, "up to two million", "unsourced_speculation", source_url="https://x.org")
    label_quote(made, alice, "café", "verified_fact", note="Called them: closed 🙁")
    return made


def test_round_trip_into_a_fresh_copy_of_the_same_text(alice_client, alice, bob):
    original = labelled(alice, bob, url="https://news.example.com/reservists")
    file = export(alice_client, original)
    before = stored(original)
    original.delete()  # one copy of a text at a time: the fingerprint is unique
    fresh, _ = save_article(
        ArticleData(title="Copy", body=SAMPLE_BODY, url="https://news.example.com/reservists"),
        created_by=alice,
    )

    response = upload(alice_client, fresh, file)

    assert response.status_code == 200, response.content.decode()[-2000:]
    assert "5 labels imported." in response.content.decode()
    assert stored(fresh) == before  # same spans, labels, notes, sources, reviewers
    assert the_annotations(export(alice_client, fresh)) == the_annotations(file)


def test_round_trip_into_a_copy_with_a_headline_on_top_finds_each_quote(alice_client, alice, bob):
    original = labelled(alice, bob)
    file = export(alice_client, original)
    headline = "Reservists: what we know\n\n"
    copy, _ = save_article(ArticleData(title="Copy", body=headline + SAMPLE_BODY), created_by=alice)

    response = upload(alice_client, copy, file)

    assert response.status_code == 200
    shifted = [(s + len(headline), e + len(headline), *rest) for s, e, *rest in stored(original)]
    # The context before the first paragraph now includes the headline.
    assert [row[:3] + row[5:] for row in stored(copy)] == [row[:3] + row[5:] for row in shifted]


def test_re_importing_the_same_file_changes_nothing(alice_client, alice, bob):
    original = labelled(alice, bob)
    file = export(alice_client, original)
    before = snapshot()
    updated = list(Label.objects.order_by("id").values_list("updated_at", flat=True))

    response = upload(alice_client, original, file)

    assert response.status_code == 200
    assert "0 labels imported, 5 already in Sourcemark." in response.content.decode()
    assert snapshot() == before  # labels, spans, history rows and revision
    assert list(Label.objects.order_by("id").values_list("updated_at", flat=True)) == updated


# --- All or nothing, and every refusal shown ------------------------------------------


def test_a_file_with_a_refused_annotation_writes_nothing_and_lists_why(alice_client, flood, bob):
    before = snapshot()
    response = upload(alice_client, flood, sample("hypothesis-search.json"))
    html = response.content.decode()
    assert response.status_code == 400
    assert snapshot() == before
    assert "Nothing was imported: 5 annotations of 10 in the file are refused" in html
    assert html.count("<li><strong>Hypothesis annotation") == 5
    assert (
        "<li><strong>Hypothesis annotation 9 (Xt2hT22NEe-4sSb4Xe8zMw)</strong>: Its reviewer "
        "(dmitri) has no Sourcemark account; name an import account to keep it.</li>"
    ) in html
    assert "It is a reply to another annotation, not a label on the text." in html


def test_asking_for_the_others_writes_them_and_still_lists_the_refused(
    alice_client, flood, alice, bob
):
    response = upload(alice_client, flood, sample("hypothesis-search.json"), skip_refused="on")
    html = response.content.decode()
    assert response.status_code == 200
    assert "5 labels imported, 5 refused." in html
    assert html.count("<li><strong>Hypothesis annotation") == 5
    assert [(quote, who, kind) for _, _, quote, _, _, who, kind, _, _ in stored(flood)] == [
        ("rose 2.4 metres overnight", "alice", "verified_fact"),
        ("Mayor Zoë Okafor said", "alice", "official_claim"),
        ("340 homes had been evacuated", "bob", "official_claim"),
        ("under water 🌊", "alice", "unsourced_speculation"),
        ("the dam upstream had “already failed”", "alice", "unsourced_speculation"),
    ]
    # One revision bump for the whole import.
    flood.refresh_from_db()
    assert flood.labels_revision == 1


def test_unknown_reviewers_go_to_the_import_account_only_when_asked_and_it_exists(
    alice_client, flood, alice, bob
):
    response = upload(
        alice_client, flood, sample("hypothesis-search.json"), use_import_account="on"
    )
    assert response.status_code == 400
    assert "There is no account named “import”" in response.content.decode()
    assert not Label.objects.exists()

    User.objects.create_user("import")
    response = upload(
        alice_client,
        flood,
        sample("hypothesis-search.json"),
        use_import_account="on",
        skip_refused="on",
    )
    assert "6 labels imported, 4 refused." in response.content.decode()
    assert Label.objects.filter(reviewer__username="import").count() == 1  # dmitri's


def test_label_studio_annotators_match_their_account_by_e_mail(alice_client, flood, alice, bob):
    alice.email, bob.email = "alice@gazette.example", "bob@gazette.example"
    alice.save()
    bob.save()
    # A second account with bob's address: his e-mail no longer names one person.
    User.objects.create_user("robert", email="bob@gazette.example")
    response = upload(alice_client, flood, sample("label-studio-export.json"), skip_refused="on")
    html = response.content.decode()
    assert "Its reviewer (bob@gazette.example) has no Sourcemark account" in html
    assert {who for *_, who, _, _, _ in stored(flood)} == {"alice"}


def test_notes_are_checked_as_the_app_checks_them(alice_client, article, alice):
    file = as_file(
        annotation("Officials", "official", note="**Bold** <b>claim</b>"),
        annotation("300,000 reservists", "verified", note="x" * 2001),
        annotation("two million", "speculation", note="Fine, 1 < 2"),
    )
    response = upload(alice_client, article, file, skip_refused="on")
    html = response.content.decode()
    assert "1 label imported, 2 refused." in html
    assert "Notes are plain text: please remove the HTML markup (text in &lt; &gt;)." in html
    assert "The note is too long (2,001 characters; the limit is 2,000)." in html
    assert [note for *_, note, _ in stored(article)] == ["Fine, 1 < 2"]


def test_an_import_never_overwrites_a_label_set_in_the_app(alice_client, article, alice):
    label_quote(article, alice, "Officials", "verified_fact")
    before = snapshot()
    response = upload(alice_client, article, as_file(annotation("Officials", "official")))
    assert response.status_code == 400
    assert "the import does not overwrite it" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json", "The file is not valid JSON"),
        (b'{"hello": "world"}', "This is not a file Sourcemark can read"),
        (b"\xff\xfe", "The file is not UTF-8 text"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_a_file_refused_whole_says_why_and_writes_nothing(alice_client, article, data, message):
    before = snapshot()
    response = upload(alice_client, article, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "Nothing was imported." in html
    assert snapshot() == before


def test_no_file_is_a_form_error(alice_client, article):
    response = alice_client.post(f"/articles/{article.id}/annotations/import/", {})
    assert response.status_code == 400
    assert "Choose a file to import." in response.content.decode()


def test_what_the_file_says_is_shown_escaped(alice_client, article):
    hostile = REFLECTED.text
    thing = annotation("Officials", "official", who=hostile)
    thing["id"] = hostile
    file = as_file(thing, annotation(hostile[:200], "official"), annotation("two million", hostile))
    response = upload(alice_client, article, file)
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("<li><strong>annotation") == 3
    for tag in REFLECTED_TAGS:
        assert tag not in html


def test_a_file_over_the_upload_limit_is_dropped_as_it_arrives(settings, alice_client, article):
    settings.FILE_UPLOAD_MAX_BYTES = 1_000_000
    before = snapshot()
    file = as_file(*[annotation("Officials", "official", note="n" * 1000)] * 1000)
    assert len(file) > 1_000_000
    response = upload(alice_client, article, file)
    assert response.status_code == 400
    assert "The file is larger than 1 MB. Split it, or import it with manage.py" in (
        response.content.decode()
    )
    assert snapshot() == before


def test_the_article_page_offers_the_upload_to_editors_only(alice_client, carol_client, article):
    form = f'action="/articles/{article.id}/annotations/import/"'
    editor = alice_client.get(f"/articles/{article.id}/").content.decode()
    assert form in editor and 'enctype="multipart/form-data"' in editor
    assert 'accept=".json,.jsonld,application/json,application/ld+json"' in editor
    assert form not in carol_client.get(f"/articles/{article.id}/").content.decode()


# --- The throttle, the audit trail, the queries ----------------------------------------


def test_an_import_counts_as_one_label_write(settings, alice_client, article, alice):
    settings.LABEL_WRITES_PER_MINUTE = 2
    file = as_file(
        annotation("Officials", "official"),
        annotation("300,000 reservists", "verified"),
        annotation("two million", "speculation"),
    )
    assert upload(alice_client, article, file).status_code == 200
    assert Label.objects.count() == 3
    # One more write is within the limit; the next is not.
    assert upload(alice_client, article, file).status_code == 200
    before = snapshot()
    assert upload(alice_client, article, file).status_code == 429
    assert snapshot() == before


def test_each_imported_label_is_in_the_audit_trail_with_who_imported_it_and_from_what(
    alice_client, article, alice, bob
):
    upload(alice_client, article, as_file(annotation("Officials", "official", who="bob")))
    (record,) = Label.history.all()
    assert record.history_user == alice  # who imported it; bob is its reviewer
    assert record.history_type == "+"
    assert record.history_change_reason == (
        "imported from a Web Annotation file (upload on the article page)"
    )
    span = Span.objects.get()
    html = alice_client.get(f"/articles/{article.id}/spans/{span.id}/").content.decode()
    assert "alice</span> imported from a Web Annotation file (upload on the article page)" in html


def test_the_import_queries_do_not_grow_with_labels(
    settings, alice_client, alice, django_assert_num_queries
):
    settings.LABEL_WRITES_PER_MINUTE = 0  # the throttle's own queries: tests/test_throttle.py
    for count in (5, 60):
        words = [f"w{n:05d}" for n in range(count)]
        made, _ = save_article(
            ArticleData(title=f"{count}", body=" ".join(words)), created_by=alice
        )
        file = as_file(*[annotation(word, "official") for word in words])
        # the session with its user and the Editors check (one statement); the article; the
        # reviewers' accounts; then the import's transaction (a savepoint inside the
        # test's): the article locked, its labels, the revision bump, its spans, the new
        # spans, the new labels, their history rows; release; then, in the same transaction,
        # the overview's figures (annotations.figures: revision and length, (span, kind)
        # counts, reviewers, finished reviews, upsert)
        with django_assert_num_queries(17):
            response = upload(alice_client, made, file)
        assert response.status_code == 200 and Label.objects.filter(article=made).count() == count


# --- The bulk write ----------------------------------------------------------------


def test_a_label_that_fails_the_write_paths_checks_writes_nothing(article, alice, bob):
    start = SAMPLE_BODY.index("Officials")
    good = NewLabel(alice.pk, start, start + 9, "Officials", "official_claim")
    stale = NewLabel(bob.pk, start, start + 9, "Different", "official_claim")
    before = snapshot()
    with pytest.raises(LabelError, match="no longer matches the article"):
        import_labels(article.pk, lambda *_: [good, stale], author=alice, reason="test")
    assert snapshot() == before
    twice = [good, good]
    with pytest.raises(LabelError, match="already labelled"):
        import_labels(article.pk, lambda *_: twice, author=alice, reason="test")
    assert snapshot() == before


def test_the_decision_sees_the_labels_stored_under_the_lock(article, alice):
    label = label_quote(article, alice, "Officials", "official_claim", note="n")
    seen: list[Any] = []

    def decide(locked: Article, existing: Any) -> list[NewLabel]:
        seen.append((locked.body == article.body, dict(existing)))
        return []

    assert import_labels(article.pk, decide, author=alice, reason="test") == 0
    span = label.span
    assert seen == [(True, {(alice.pk, span.start, span.end): ("official_claim", "n", "")})]


# --- The command -------------------------------------------------------------------


def test_the_command_imports_and_says_what_it_did(tmp_path, flood, alice, bob):
    path = tmp_path / "hypothesis.json"
    path.write_bytes(sample("hypothesis-search.json"))
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="5 of 10 annotations refused"):
        call_command(
            "import_annotations",
            str(path),
            "--article",
            str(flood.id),
            stdout=stdout,
            stderr=stderr,
        )
    assert "Nothing was imported" in stdout.getvalue()
    assert not Label.objects.exists()
    assert "Refused Hypothesis annotation 9 (Xt2hT22NEe-4sSb4Xe8zMw): Its reviewer" in (
        stderr.getvalue()
    )
    User.objects.create_user("hypo")
    args = ["--import-account", "hypo", "--skip-refused"]
    with pytest.raises(CommandError):
        call_command(
            "import_annotations", str(path), "--article", str(flood.id), *args, stdout=stdout,
            stderr=stderr,
        )  # fmt: skip
    assert "6 labels imported, 4 refused." in stdout.getvalue()
    (record,) = Label.history.filter(reviewer__username="hypo")
    assert record.history_user is None
    assert record.history_change_reason == (
        "imported from a Hypothesis file (manage.py import_annotations)"
    )


def test_the_command_dry_run_writes_nothing(tmp_path, article, alice):
    path = tmp_path / "labels.jsonld"
    path.write_bytes(as_file(annotation("Officials", "official")))
    stdout = io.StringIO()
    call_command(
        "import_annotations", str(path), "--article", str(article.id), "--dry-run", stdout=stdout
    )
    assert "Dry run, nothing written: " in stdout.getvalue()
    assert "1 label imported." in stdout.getvalue()
    assert not Label.objects.exists()


def test_the_command_reads_more_label_names_from_a_map(tmp_path, article, alice, settings):
    path = tmp_path / "labels.json"
    path.write_bytes(as_file(annotation("Officials", "checked"), annotation("two million", "meh")))
    names = tmp_path / "names.json"
    names.write_text('{"checked": "verified_fact"}')
    settings.IMPORT_LABEL_NAMES = {"meh": "unsourced_speculation"}
    call_command(
        "import_annotations", str(path), "--article", str(article.id), "--labels", str(names),
        stdout=io.StringIO(),
    )  # fmt: skip
    assert [kind for *_, kind, _, _ in stored(article)] == [
        "verified_fact",
        "unsourced_speculation",
    ]
    names.write_text('{"checked": "true"}')
    with pytest.raises(CommandError, match="not one of verified_fact"):
        call_command(
            "import_annotations", str(path), "--article", str(article.id), "--labels", str(names)
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--article", "999"], "There is no article 999."),
        (["--import-account", "nobody"], "There is no account named “nobody”"),
    ],
)
def test_the_command_refuses_clearly(tmp_path, article, args, message):
    path = tmp_path / "labels.json"
    path.write_bytes(as_file(annotation("Officials", "official")))
    args = ["--article", str(article.id), *args] if args[0] != "--article" else args
    with pytest.raises(CommandError, match=message):
        call_command("import_annotations", str(path), *args, stdout=io.StringIO())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command(
            "import_annotations", str(tmp_path / "missing.json"), "--article", str(article.id)
        )
