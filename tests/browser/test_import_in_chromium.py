"""Labels in from a file and out as Web Annotations, in a real Chromium, as an editor does it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from annotations.ingest import ArticleData, save_article
from annotations.models import EDITORS_GROUP, Article
from tests.interop import HERE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HYPOTHESIS = HERE / "hypothesis-search.json"


@pytest.fixture(autouse=True)
def editors_group(transactional_db) -> None:
    """The group a migration makes; a transactional test before this one flushed it."""
    Group.objects.get_or_create(name=EDITORS_GROUP)


@pytest.fixture
def flood(alice, bob) -> Article:
    """The article the Hypothesis sample labels; alice and bob have accounts, dmitri none."""
    body = (HERE / "article.txt").read_text(encoding="utf-8")
    made, _ = save_article(ArticleData(title="Floodwaters", body=body), created_by=alice)
    return made


def _upload(page, *, skip_refused: bool) -> None:
    page.get_by_text("Import labels from a file").click()
    page.get_by_label("File").set_input_files(HYPOTHESIS)
    if skip_refused:
        page.get_by_label("Import the acceptable labels even if others are refused").check()
    page.get_by_role("button", name="Import").click()


def test_an_editor_imports_a_hypothesis_file_and_reads_every_refusal(open_as, alice, flood):
    page = open_as(alice)
    page.goto(f"/articles/{flood.id}/")
    _upload(page, skip_refused=False)
    summary = page.locator("#import-summary")
    assert summary.inner_text().startswith("Nothing was imported: 5 annotations of 10")
    assert page.locator("#import-refusals li").count() == 5
    # The page of a refused import comes with its status, 400: the one console line.
    assert page.errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    page.errors.clear()

    # Asked again, with the others written: the same five refusals, five labels.
    page.goto(f"/articles/{flood.id}/")
    _upload(page, skip_refused=True)
    assert summary.inner_text() == "5 labels imported, 5 refused."
    refusals = page.locator("#import-refusals li").all_inner_texts()
    assert refusals[-1] == (
        "Hypothesis annotation 9 (Xt2hT22NEe-4sSb4Xe8zMw): Its reviewer (dmitri) has no "
        "Sourcemark account; name an import account to keep it."
    )
    page.get_by_role("link", name="See the labels on the article").click()
    page.locator("#article-body mark").first.wait_for()
    assert page.locator("#span-count").inner_text() == "(5)"
    assert page.get_by_text("under water 🌊").count() >= 1
    assert page.errors == []


def test_a_reader_downloads_the_web_annotations_from_the_article_page(open_as, carol, flood):
    page = open_as(carol)
    page.goto(f"/articles/{flood.id}/")
    assert page.get_by_text("Import labels from a file").count() == 0  # editors only
    with page.expect_download() as download:
        page.get_by_role("link", name="Web Annotations (JSON-LD)").click()
    assert download.value.suggested_filename.startswith(f"sourcemark-article-{flood.id}-")
    document = json.loads(Path(download.value.path()).read_bytes())
    assert document["type"] == "AnnotationCollection" and document["total"] == 0
    assert page.errors == []
