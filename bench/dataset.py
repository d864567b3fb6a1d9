"""The benchmark's data: many ordinary articles, and one long, densely labelled one.

Rows are written in bulk (``bulk_create`` in batches; labels through COPY on
PostgreSQL), bypassing ``annotations.labelling`` on purpose: that module checks
one span at a time, which is right for editors and far too slow for 200,000
labels. The generator keeps the same invariants instead -- every quote is
exactly ``body[start:end]`` with no surrounding white space, prefix and suffix
come from ``annotations.text.context``, one label per reviewer and span -- and
the smoke test checks them.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from annotations.ingest import fingerprint
from annotations.models import EDITORS_GROUP, Article, Label, LabelKind, Span
from annotations.text import context
from bench import textgen
from bench.fixtures import NOTES

REVIEWERS = ("ines", "kwame", "marta")
LONG_REVIEWERS = REVIEWERS[:2]
EXTRA_REVIEWER_PREFIX = "extra-reviewer-"
BENCH_PASSWORD = "bench-password"  # throwaway database only
LONG_TITLE = "Benchmark: the long article"
BATCH = 2000

# Most labelled text in a newsroom is attributed; speculation is the minority.
_KIND_WEIGHTS = {
    LabelKind.VERIFIED_FACT: 0.45,
    LabelKind.OFFICIAL_CLAIM: 0.35,
    LabelKind.UNSOURCED_SPECULATION: 0.20,
}


@dataclass(frozen=True)
class Sizes:
    articles: int = 1000
    labels: int = 200_000  # on the ordinary articles, by the three reviewers
    long_bytes: int = 60_000
    long_spans: int = 5000

    @classmethod
    def tiny(cls) -> Sizes:
        return cls(articles=3, labels=50, long_bytes=4000, long_spans=200)


@dataclass(frozen=True)
class Dataset:
    sizes: Sizes
    long_article_id: int
    reviewer: str  # the editor the benchmark logs in as
    articles: int
    spans: int
    labels: int
    long_spans: int
    long_labels: int

    def as_dict(self) -> dict:
        return asdict(self)


def build(sizes: Sizes, *, seed: int = 7) -> Dataset:
    """Write the whole dataset into the current (empty) database."""
    rng = random.Random(seed)
    reviewers = _reviewers(REVIEWERS)
    with transaction.atomic():
        articles = _articles(rng, sizes)
        long_article = articles.pop()
        spans = _spans_for(rng, articles, sizes.labels)
        long_reviewers = [r for r in reviewers if r.username in LONG_REVIEWERS]
        long_spans = [
            (_span(long_article, start, end), len(long_reviewers))
            for start, end in textgen.span_ranges(
                rng, long_article.body, sizes.long_spans, max_words=24, nested_share=0.3
            )
        ]
        Span.objects.bulk_create([span for span, _ in spans + long_spans], batch_size=BATCH)
        labels = list(_labels(rng, spans, reviewers))
        long_labels = list(_labels(rng, long_spans, long_reviewers))
        insert_labels(labels + long_labels)
    analyze()
    return Dataset(
        sizes=sizes,
        long_article_id=long_article.id,
        reviewer=REVIEWERS[0],
        articles=len(articles) + 1,
        spans=len(spans) + len(long_spans),
        labels=len(labels) + len(long_labels),
        long_spans=len(long_spans),
        long_labels=len(long_labels),
    )


def analyze() -> None:
    """What autovacuum does soon after a bulk load: statistics, visibility map, hint bits."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.get_autocommit():
            cursor.execute("VACUUM ANALYZE")
        else:  # SQLite, or inside a test's transaction (VACUUM cannot run there)
            cursor.execute("ANALYZE")


def find(sizes: Sizes) -> Dataset | None:
    """The dataset already in this database, if it has exactly these sizes."""
    long_article = Article.objects.filter(title=LONG_TITLE).only("id").first()
    if long_article is None:
        return None
    long_spans = Span.objects.filter(article=long_article).count()
    long_labels = Label.objects.filter(span__article=long_article).count()
    found = Dataset(
        sizes=sizes,
        long_article_id=long_article.id,
        reviewer=REVIEWERS[0],
        articles=Article.objects.count(),
        spans=Span.objects.count(),
        labels=Label.objects.count(),
        long_spans=long_spans,
        long_labels=long_labels,
    )
    expected_labels = sizes.labels + long_spans * len(LONG_REVIEWERS)
    if found.articles != sizes.articles + 1 or found.labels != expected_labels:
        return None
    if long_spans < sizes.long_spans:
        return None
    return found


def add_extra_labels(total: int, *, seed: int = 11) -> list[int]:
    """Raise the label count to ``total`` with extra reviewers on existing spans.

    For the memory run only; returns the extra reviewers' ids so
    ``remove_extra_labels`` can take them out again.
    """
    rng = random.Random(seed)
    missing = total - Label.objects.count()
    if missing <= 0:
        return []
    span_ids = list(Span.objects.order_by("id").values_list("id", "article_id"))
    needed_reviewers = -(-missing // len(span_ids))
    reviewers = _reviewers(f"{EXTRA_REVIEWER_PREFIX}{n}" for n in range(needed_reviewers))
    kinds = list(_KIND_WEIGHTS)
    weights = list(_KIND_WEIGHTS.values())

    def rows() -> Iterator[Label]:
        left = missing
        for reviewer in reviewers:
            for span_id, article_id in span_ids:
                if left == 0:
                    return
                left -= 1
                kind = rng.choices(kinds, weights)[0]
                yield Label(
                    span_id=span_id, article_id=article_id, reviewer_id=reviewer.id, kind=kind
                )

    with transaction.atomic():
        insert_labels(rows())
    analyze()
    return [r.id for r in reviewers]


def remove_extra_labels(reviewer_ids: list[int]) -> None:
    """Delete the memory run's labels in SQL (no per-row history: they were never edited)."""
    if not reviewer_ids:
        return
    marks = ", ".join(["%s"] * len(reviewer_ids))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM annotations_label WHERE reviewer_id IN ({marks})", reviewer_ids
        )
        cursor.execute(f"DELETE FROM auth_user_groups WHERE user_id IN ({marks})", reviewer_ids)
        cursor.execute(f"DELETE FROM auth_user WHERE id IN ({marks})", reviewer_ids)


def insert_labels(labels: Iterable[Label]) -> None:
    """Bulk insert; COPY on PostgreSQL, which is several times faster than INSERT."""
    if connection.vendor != "postgresql":
        batch: list[Label] = []
        for label in labels:
            batch.append(label)
            if len(batch) == BATCH * 5:
                Label.objects.bulk_create(batch, batch_size=BATCH)
                batch = []
        Label.objects.bulk_create(batch, batch_size=BATCH)
        return
    now = timezone.now()
    columns = "span_id, article_id, reviewer_id, kind, note, source_url, created_at, updated_at"
    statement = f"COPY annotations_label ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for label in labels:
            copy.write_row(
                (
                    label.span_id,
                    label.article_id,
                    label.reviewer_id,
                    label.kind,
                    label.note,
                    label.source_url,
                )
                + (now, now)
            )


def _reviewers(usernames: Iterable[str]) -> list:
    User = get_user_model()
    editors, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    users = []
    for username in usernames:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(BENCH_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.add(editors)
        users.append(user)
    return users


def _articles(rng: random.Random, sizes: Sizes) -> list[Article]:
    """``sizes.articles`` ordinary articles, then the long one (last in the list)."""
    articles = []
    day = datetime.date(2026, 1, 1)
    for n in range(sizes.articles):
        text = textgen.body(rng, rng.randint(3000, 8000))
        articles.append(
            Article(
                title=f"{textgen.title(rng)} ({n + 1})",
                outlet=textgen.outlet(rng),
                url=f"https://news.example.org/{n + 1}",
                published=day + datetime.timedelta(days=rng.randrange(320)),
                body=text,
                fingerprint=fingerprint(text),
            )
        )
    long_body = textgen.body(rng, sizes.long_bytes)
    articles.append(
        Article(
            title=LONG_TITLE,
            outlet="Desk Daily",
            published=day,
            body=long_body,
            fingerprint=fingerprint(long_body),
        )
    )
    # Oldest first, so the long article is the newest: first on the list pages.
    return Article.objects.bulk_create(articles, batch_size=200)


def _span(article: Article, start: int, end: int) -> Span:
    prefix, suffix = context(article.body, start, end)
    return Span(
        article_id=article.id,
        start=start,
        end=end,
        quote=article.body[start:end],
        prefix=prefix,
        suffix=suffix,
    )


def _reviewer_counts(rng: random.Random, labels: int, reviewers: int) -> list[int]:
    """How many reviewers label each span so that they add up to exactly ``labels``."""
    counts = []
    left = labels
    while left > 0:
        n = min(left, rng.randint(1, reviewers))
        counts.append(n)
        left -= n
    return counts


def _spans_for(rng: random.Random, articles: list[Article], labels: int) -> list[tuple[Span, int]]:
    """Spans for the ordinary articles, each with how many reviewers label it."""
    spans: list[tuple[Span, int]] = []
    for index, article in enumerate(articles):
        share = labels // len(articles) + (1 if index < labels % len(articles) else 0)
        counts = _reviewer_counts(rng, share, len(REVIEWERS))
        ranges = textgen.span_ranges(rng, article.body, len(counts), nested_share=0.1)
        if len(ranges) < len(counts):
            raise ValueError(f"article {index} is too short for {len(counts)} spans")
        for (start, end), n in zip(ranges, counts, strict=True):
            spans.append((_span(article, start, end), n))
    return spans


def _labels(rng: random.Random, spans: list[tuple[Span, int]], reviewers: list) -> Iterator[Label]:
    """Labels on each span by that many of ``reviewers``."""
    kinds = list(_KIND_WEIGHTS)
    weights = list(_KIND_WEIGHTS.values())
    for span, n in spans:
        agreed = rng.choices(kinds, weights)[0]
        for reviewer in rng.sample(reviewers, n):
            # Reviewers mostly agree; about one label in six differs (disputes, majorities).
            kind = agreed if rng.random() < 0.83 else rng.choice(kinds)
            note = rng.choice(NOTES) if rng.random() < 0.15 else ""
            source = f"https://sources.example.org/{span.pk}" if rng.random() < 0.1 else ""
            yield Label(
                span_id=span.pk,
                article_id=span.article_id,
                reviewer_id=reviewer.id,
                kind=kind,
                note=note,
                source_url=source,
            )
