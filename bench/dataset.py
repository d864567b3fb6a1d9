"""The benchmark's data: many ordinary articles, and one long, densely labelled one.

Rows are written in bulk (``bulk_create`` in batches; spans and labels through COPY on
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
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from annotations import figures
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
MEDIUM_TITLE = "Benchmark: the 2,000-span article"
BATCH = 2000
CHUNK = 500  # ordinary articles whose spans and labels are generated and written together

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
    # The article page's target is set on 2,000 spans (issue 17), labelled as the long one.
    medium_bytes: int = 24_000
    medium_spans: int = 2000

    @classmethod
    def scaled(cls, scale: int) -> Sizes:
        """``scale`` times the articles and labels; the long article stays as it is."""
        return cls(articles=1000 * scale, labels=200_000 * scale)

    @classmethod
    def tiny(cls) -> Sizes:
        return cls(
            articles=3,
            labels=50,
            long_bytes=4000,
            long_spans=200,
            medium_bytes=2000,
            medium_spans=80,
        )


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
    medium_article_id: int
    medium_spans: int

    def as_dict(self) -> dict:
        return asdict(self)


def build(sizes: Sizes, *, seed: int = 7) -> Dataset:
    """Write the whole dataset into the current (empty) database, its figures included.

    Spans and labels are generated and written a chunk of articles at a time
    (COPY on PostgreSQL), so ``--scale 10`` (two million labels) holds no more
    than a chunk in memory. Span ids are given here, not by the database, so a
    label can name its span without reading it back.
    """
    rng = random.Random(seed)
    reviewers = _reviewers(REVIEWERS)
    long_reviewers = [r for r in reviewers if r.username in LONG_REVIEWERS]
    spans = labels = 0
    with transaction.atomic():
        articles = _articles(rng, sizes)
        long_article = articles.pop()
        medium_article = articles.pop()
        ids = _SpanIds()
        shares = _shares(sizes.labels, len(articles))
        for first in range(0, len(articles), CHUNK):
            chunk = articles[first : first + CHUNK]
            chunk_spans = _spans_for(rng, chunk, shares[first : first + CHUNK])
            ids.assign(chunk_spans)
            insert_spans(span for span, _ in chunk_spans)
            spans += len(chunk_spans)
            labels += insert_labels(_labels(rng, chunk_spans, reviewers))
        long_spans, long_labels = _dense(rng, long_article, sizes.long_spans, ids, long_reviewers)
        medium_spans, medium_labels = _dense(
            rng, medium_article, sizes.medium_spans, ids, long_reviewers
        )
        ids.reset_sequence()
    analyze()
    fill_figures()
    return Dataset(
        sizes=sizes,
        long_article_id=long_article.id,
        reviewer=REVIEWERS[0],
        articles=len(articles) + 2,
        spans=spans + long_spans + medium_spans,
        labels=labels + long_labels + medium_labels,
        long_spans=long_spans,
        long_labels=long_labels,
        medium_article_id=medium_article.id,
        medium_spans=medium_spans,
    )


def _dense(
    rng: random.Random, article: Article, count: int, ids: _SpanIds, reviewers: list
) -> tuple[int, int]:
    """``count`` overlapping and nested spans on ``article``, each labelled by every one of
    ``reviewers``; returns the spans and labels written."""
    spans = [
        (_span(article, start, end), len(reviewers))
        for start, end in textgen.span_ranges(
            rng, article.body, count, max_words=24, nested_share=0.3
        )
    ]
    ids.assign(spans)
    insert_spans(span for span, _ in spans)
    return len(spans), insert_labels(_labels(rng, spans, reviewers))


def fill_figures(batch: int = 1000) -> int:
    """Every article's overview figures (``ArticleFigures``), as a bulk import must leave them.

    A bulk load bypasses ``annotations.labelling``; without this the first
    /reports/ views after the load would compute them (bench/RESULTS.md,
    "figures not cached yet"). The figures module's own ``fill`` (the same
    computation and revision check as a label write), a batch of articles at a
    time. Returns the articles filled.
    """
    return figures.fill(batch=batch)


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
    medium_article = Article.objects.filter(title=MEDIUM_TITLE).only("id").first()
    if long_article is None or medium_article is None:
        return None
    medium_spans = Span.objects.filter(article=medium_article).count()
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
        medium_article_id=medium_article.id,
        medium_spans=medium_spans,
    )
    expected_labels = sizes.labels + (long_spans + medium_spans) * len(LONG_REVIEWERS)
    if found.articles != sizes.articles + 2 or found.labels != expected_labels:
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


def insert_labels(labels: Iterable[Label]) -> int:
    """Bulk insert; COPY on PostgreSQL, which is several times faster than INSERT.

    Returns how many were inserted."""
    count = 0
    if connection.vendor != "postgresql":
        batch: list[Label] = []
        for label in labels:
            batch.append(label)
            if len(batch) == BATCH * 5:
                Label.objects.bulk_create(batch, batch_size=BATCH)
                count += len(batch)
                batch = []
        Label.objects.bulk_create(batch, batch_size=BATCH)
        return count + len(batch)
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
            count += 1
    return count


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
    """``sizes.articles`` ordinary articles, then the 2,000-span one, then the long one
    (last in the list)."""
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
    medium_body = textgen.body(rng, sizes.medium_bytes)
    articles.append(
        Article(
            title=MEDIUM_TITLE,
            outlet="Desk Daily",
            published=day,
            body=medium_body,
            fingerprint=fingerprint(medium_body),
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


class _SpanIds:
    """Consecutive span ids after the largest stored one; the sequence is moved past them."""

    def __init__(self) -> None:
        self.next = (Span.objects.aggregate(largest=Max("id"))["largest"] or 0) + 1

    def assign(self, spans: list[tuple[Span, int]]) -> None:
        for span, _ in spans:
            span.id = self.next
            self.next += 1

    def reset_sequence(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), [Span])
        with connection.cursor() as cursor:
            for statement in statements:  # none on SQLite, whose rowid follows by itself
                cursor.execute(statement)


def insert_spans(spans: Iterable[Span]) -> None:
    """Spans with their ids given; COPY on PostgreSQL."""
    if connection.vendor != "postgresql":
        Span.objects.bulk_create(list(spans), batch_size=BATCH)
        return
    now = timezone.now()
    columns = 'id, article_id, start, "end", quote, anchor, prefix, suffix, created_at, updated_at'
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY annotations_span ({columns}) FROM STDIN") as copy,
    ):
        for span in spans:
            copy.write_row(
                (span.id, span.article_id, span.start, span.end, span.quote, span.anchor)
                + (span.prefix, span.suffix, now, now)
            )


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


def _shares(labels: int, articles: int) -> list[int]:
    """How many labels each ordinary article gets: ``labels`` spread evenly."""
    return [labels // articles + (1 if n < labels % articles else 0) for n in range(articles)]


def _spans_for(
    rng: random.Random, articles: list[Article], shares: list[int]
) -> list[tuple[Span, int]]:
    """Spans for the ordinary articles, each with how many reviewers label it."""
    spans: list[tuple[Span, int]] = []
    for article, share in zip(articles, shares, strict=True):
        counts = _reviewer_counts(rng, share, len(REVIEWERS))
        ranges = textgen.span_ranges(rng, article.body, len(counts), nested_share=0.1)
        if len(ranges) < len(counts):
            raise ValueError(f"article {article.id} is too short for {len(counts)} spans")
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
