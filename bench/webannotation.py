"""W3C Web Annotation export: the 5,000-span article's rate, against issue 16's target.

The rate is annotations per second of ``annotations.interop_export.article_bytes``
consumed to the end (the query, every annotation's JSON, UTF-8: everything
the article's ``annotations.jsonld`` download does but the socket), for the
long article (two reviewers' labels on 5,000 spans). Its peak memory, and
that it stays flat, is measured with the CSV's in a fresh process
(``bench/export.py``'s ``peak_memory``, ``fmt="jsonld"``).
"""

from __future__ import annotations

from annotations.models import Article, Label
from bench.measure import Figure, QueryCount, count_queries, time_runs

MIN_RATE = 20_000  # annotations/s
BASE_URL = "https://sourcemark.example.org"


def consume_article(article_id: int) -> int:
    """The article's whole document, read to the end; returns its bytes."""
    from annotations.interop_export import article_bytes, site

    article = Article.objects.only("id", "title").get(pk=article_id)
    return sum(len(chunk) for chunk in article_bytes(article, site(BASE_URL)))


def consume_all() -> int:
    """Every label as one collection, as ``manage.py export_annotations`` writes it."""
    from annotations.exports import select_labels, utc_today
    from annotations.interop_export import selection_bytes, site

    chunks = selection_bytes(select_labels(), site(BASE_URL), today=utc_today())
    return sum(len(chunk) for chunk in chunks)


def figures(data, runs: int) -> tuple[list[Figure], list[QueryCount]]:
    article_id = data.long_article_id
    annotations = Label.objects.filter(article_id=article_id).count()
    sizes: dict[str, int] = {}

    def export(n: int) -> None:
        sizes["bytes"] = consume_article(article_id)

    ms = time_runs(export, runs)
    rate = Figure(
        "webannotation_rate",
        f"Web Annotation export of the 5,000-span article ({annotations:,} annotations)",
        "annotations/s",
        [annotations / (t / 1000) for t in ms],
        target=MIN_RATE,
        higher_is_better=True,
        note="Consumes annotations.interop_export.article_bytes to the end, as the "
        "article's annotations.jsonld download does.",
        extra={"annotations": annotations, "bytes": sizes["bytes"], "ms": ms},
    )
    small = (
        Article.objects.exclude(pk=article_id)
        .filter(labels__isnull=False)
        .values_list("pk", flat=True)
        .first()
    )
    queries, _ = count_queries(lambda: consume_article(article_id))
    small_queries, _ = count_queries(lambda: consume_article(small)) if small else (queries, [])
    counts = [
        QueryCount(
            "Web Annotation export (5,000-span article)",
            f"article_bytes(article {article_id})",
            queries,
            f"article {small}",
            small_queries,
        )
    ]
    return [rate], counts
