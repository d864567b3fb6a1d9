"""The benchmark at tiny sizes, so it cannot rot: data generator, harness and results file.

No timing is asserted here (speed is measured by ``make bench``, not in
tests); only that every measurement runs against the real views and yields
its figures, and that the generated data obeys the app's own rules.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection

from annotations import figures
from annotations.models import Article, ArticleFigures, Label, Span
from annotations.text import context
from bench import dataset, report
from bench.run import measure

LOAD_TEST_SECTION = "## Load test\n\n50 editors, p95 180 ms.\n"


@pytest.fixture
def tiny(db) -> dataset.Dataset:
    return dataset.build(dataset.Sizes.tiny())


def test_generated_spans_are_what_the_app_would_store(tiny):
    spans = list(Span.objects.select_related("article"))
    assert len(spans) == tiny.spans
    for span in spans:
        body = span.article.body
        assert span.quote == body[span.start : span.end]
        assert span.quote == span.quote.strip()
        assert (span.prefix, span.suffix) == context(body, span.start, span.end)


def test_sizes_add_up_with_three_and_two_reviewers(tiny):
    assert Article.objects.count() == 5  # three ordinary articles, the 2,000-span and long ones
    dense = [tiny.long_article_id, tiny.medium_article_id]
    assert Label.objects.exclude(span__article_id__in=dense).count() == 50
    assert Span.objects.filter(article_id=tiny.medium_article_id).count() == 80 == tiny.medium_spans
    assert Label.objects.filter(article_id=tiny.medium_article_id).count() == 160
    assert Span.objects.filter(article_id=tiny.long_article_id).count() == 200
    long_labels = Label.objects.filter(span__article_id=tiny.long_article_id)
    assert long_labels.count() == 400
    assert set(long_labels.values_list("reviewer__username", flat=True)) == {"ines", "kwame"}
    assert set(Label.objects.values_list("reviewer__username", flat=True)) == {
        "ines",
        "kwame",
        "marta",
    }


def test_long_article_has_nested_and_overlapping_spans(tiny):
    ranges = list(
        Span.objects.filter(article_id=tiny.long_article_id)
        .order_by("start", "-end")
        .values_list("start", "end")
    )
    nested = overlapping = 0
    for (_, a_end), (b_start, b_end) in zip(ranges, ranges[1:], strict=False):
        if b_end <= a_end:
            nested += 1
        elif b_start < a_end:
            overlapping += 1
    assert nested > 10 and overlapping > 10


def test_body_has_text_outside_the_bmp(tiny):
    body = Article.objects.get(pk=tiny.long_article_id).body
    assert any(ord(ch) > 0xFFFF for ch in body)


def test_extra_labels_for_the_memory_run_come_out_again(tiny):
    before = Label.objects.count()
    extra = dataset.add_extra_labels(before + 500)
    assert Label.objects.count() == before + 500
    dataset.remove_extra_labels(extra)
    assert Label.objects.count() == before


def test_harness_measures_every_view(tiny):
    results = measure(tiny, runs=1, browser=False, memory=False)

    figures = {figure["id"]: figure for figure in results["figures"]}
    expected = {"article_page", "label_span", "report", "overview", "overview_by_speculation"}
    expected |= {"article_page_2000", "overview_after_import", "reanchoring", "live_unchanged"}
    expected.add("export_rate")
    expected.add("webannotation_rate")
    expected.add("correction")  # issue 14: the long article corrected, rolled back
    if connection.vendor == "postgresql":
        expected |= {"copy_rate", "copy_ratio"}
    assert set(figures) == expected
    for figure in figures.values():
        assert "reason" not in figure, figure  # every view is wired, none "not measured"
        assert len(figure["runs"]) == 1 and figure["median"] > 0
    assert figures["export_rate"]["extra"]["rows"] == Label.objects.count()
    # Rates are better higher: a faster export must not be flagged as a regression.
    rates = [f for f in figures.values() if f["unit"] in ("rows/s", "annotations/s", "ratio")]
    assert rates and all(f.get("higher_is_better") for f in rates)
    # The labelling runs clean up after themselves: the dataset is unchanged.
    assert Label.objects.count() == tiny.labels
    assert not Span.objects.filter(start__isnull=True).exists()  # corrections rolled back
    assert "of the 200 spans move" in figures["correction"]["note"]
    assert {count["view"] for count in results["queries"]} >= {
        "Article page with 5,000 spans (server)",
        "CSV export (all labels)",
        "Web Annotation export (5,000-span article)",
    }
    assert figures["webannotation_rate"]["extra"]["annotations"] == 400  # the tiny long article
    counts = {count["view"]: count for count in results["queries"]}
    assert counts["Web Annotation export (5,000-span article)"]["constant"]
    live = counts["Live-update check, nothing changed (5,000-span article)"]
    assert live["queries"] == live["small_queries"] == 2


def test_harness_writes_results_beside_the_load_test(tiny, tmp_path):
    results = measure(tiny, runs=1, browser=False, memory=False)
    (tmp_path / "RESULTS.md").write_text("# Results\n\n" + LOAD_TEST_SECTION)
    results.update(
        date="2026-11-28 10:00 UTC",
        machine=report.machine(),
        database="test database",
        database_vendor=connection.vendor,
        django="5.2",
        dataset=tiny.as_dict(),
        generation_s=0.1,
        runs=1,
    )
    report.save(results, tmp_path)
    text = (tmp_path / "RESULTS.md").read_text()
    assert LOAD_TEST_SECTION in text
    assert "| Article page with 5,000 spans (server) |" in text
    assert json.loads((tmp_path / "results.json").read_text())[connection.vendor]["runs"] == 1


def test_bulk_load_leaves_every_articles_figures_current(tiny):
    revisions = dict(Article.objects.values_list("id", "labels_revision"))
    stored = {figure.article_id: figure for figure in ArticleFigures.objects.all()}
    assert set(stored) == set(revisions)
    assert all(stored[i].revision == revision for i, revision in revisions.items())
    totals = {article.id: len(article.body) for article in Article.objects.all()}
    for article_id, figure in figures._compute(totals).items():
        shown, row = figure.balance, stored[article_id]
        assert (row.total, row.chars, row.spans) == (shown.total, shown.chars, shown.spans)


def test_each_figure_is_compared_with_the_previous_run():
    def run(label_ms: float, rate: float, queries: int) -> dict:
        return {
            "figures": [
                {"id": "label_span", "title": "Label", "unit": "ms", "median": label_ms},
                {
                    "id": "export_rate",
                    "title": "CSV",
                    "unit": "rows/s",
                    "median": rate,
                    "higher_is_better": True,
                },
                {"id": "new", "title": "New", "unit": "ms", "median": 1.0},
            ],
            "queries": [{"view": "Label", "queries": queries}],
            "date": "then",
        }

    now = run(label_ms=12.5, rate=79_000, queries=9)
    before = run(label_ms=10.0, rate=100_000, queries=8)
    before["figures"].pop()  # a figure the previous run did not have
    report.compare(now, before)
    label, rate, new = now["figures"]
    assert label["previous"] == 10.0 and label["regression"]  # 25 % slower
    assert rate["regression"]  # 21 % fewer rows a second
    assert "previous" not in new
    assert now["queries"][0]["regression"]
    better = run(label_ms=11.9, rate=81_000, queries=8)
    report.compare(better, run(label_ms=10.0, rate=100_000, queries=8))
    assert not any(f.get("regression") for f in better["figures"])
    assert not better["queries"][0]["regression"]
    assert "REGRESSION" in "\n".join(report.console(now))


def test_rewriting_results_keeps_other_sections_and_the_other_database():
    first = report.splice("# Results\n\n" + LOAD_TEST_SECTION, "old figures")
    second = report.splice(first, "new figures")
    assert "new figures" in second and "old figures" not in second
    assert second.endswith(LOAD_TEST_SECTION)
    assert second.count(report.START) == 1
