"""Server time of each page and htmx request, in-process through the whole Django stack.

``django.test.Client`` runs every middleware (sessions, auth, CSRF, CSP,
htmx, history), the URL resolver, the view and the template, and renders the
full response body; only the socket and the WSGI server are left out, and
those do not depend on the number of spans. The client skips the CSRF check
(its default), which costs microseconds.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import Resolver404, resolve

from annotations.models import Article, ArticleFigures, Label, LabelKind, Span
from bench import textgen
from bench.dataset import Dataset, fill_figures
from bench.measure import Figure, QueryCount, count_queries, time_runs

# Targets in milliseconds: issue 17's where it set one, else issue 7's.
ARTICLE_PAGE_MS = 150  # the 5,000-span article (issue 7)
MEDIUM_PAGE_MS = 15  # the 2,000-span article, whole HTML (issue 17)
LABEL_MS = 10
LABEL_QUERIES = 8
REPORT_MS = 60
OVERVIEW_MS = 150
LIVE_MS = 2  # the live colleagues' "changed since revision N?" when nothing changed
# Its own query, the article's revision columns, after the session read that every
# logged-in request runs (the session with its user: accounts/sessions.py).
LIVE_QUERIES = 2

_Response = TypeVar("_Response", bound=HttpResponseBase)
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def htmx_post(client: Client, url: str, form: dict[str, Any]) -> Any:
    """POST ``form`` as htmx sends a form: URL-encoded (the test client's default,
    multipart, cost the server a quarter of a millisecond more to parse)."""
    return client.post(
        url, urlencode(form), content_type="application/x-www-form-urlencoded", **HTMX
    )


@dataclass
class Unavailable:
    """A measurement whose view is not there (yet): reported, not silently dropped."""

    id: str
    title: str
    reason: str


def _exists(url: str) -> bool:
    try:
        resolve(url.split("?", 1)[0])
    except Resolver404:
        return False
    return True


def _ok(response: _Response, url: str) -> _Response:
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}, not 200")
    return response


def logged_in_client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def small_article_id(data: Dataset) -> int:
    """An ordinary article (about 100 spans): the "few spans" side of the query-count check."""
    return (
        Article.objects.exclude(pk=data.long_article_id).order_by("id").values_list("id", flat=True)
    )[0]


def _get_figure(
    client: Client, id: str, title: str, url: str, small_url: str, target: float, runs: int
) -> tuple[Figure | Unavailable, QueryCount | None]:
    if not _exists(url):
        return Unavailable(id, title, f"{url} is not routed"), None

    def get(url: str = url) -> None:
        # .content forces the whole body to be rendered, as a server would send it.
        _ok(client.get(url), url).content  # noqa: B018

    figure = Figure(id, title, "ms", time_runs(lambda n: get(), runs), target=target)
    figure.extra["url"] = url
    figure.extra["bytes"] = len(client.get(url).content)
    get(small_url)  # warm, as the full-size request is: caches must not count
    queries, _ = count_queries(get)
    small, _ = count_queries(lambda: get(small_url))
    return figure, QueryCount(title, url, queries, small_url, small)


class FreshRanges:
    """Word ranges of an article that no span uses yet: each labelling run makes a new span."""

    def __init__(self, article: Article, seed: int = 3) -> None:
        self.article = article
        taken = set(Span.objects.filter(article=article).values_list("start", "end"))
        words = textgen.word_bounds(article.body)
        rng = random.Random(seed)
        candidates = []
        for _ in range(20 * len(words)):
            a = rng.randrange(len(words))
            b = min(len(words) - 1, a + rng.randrange(1, 6))
            pair = (words[a][0], words[b][1])
            if pair not in taken:
                taken.add(pair)
                candidates.append(pair)
        self._left = candidates
        self.used: list[tuple[int, int]] = []

    def next(self) -> tuple[int, int, str]:
        start, end = self._left.pop()
        self.used.append((start, end))
        return start, end, self.article.body[start:end]

    def clean_up(self) -> None:
        """Take the benchmark's own labels out again, so a re-run measures the same data."""
        spans = Span.objects.filter(article=self.article)
        for start, end in self.used:
            Label.objects.filter(span__in=spans.filter(start=start, end=end)).delete()
            spans.filter(start=start, end=end).delete()


def _label_figure(
    client: Client, data: Dataset, small_id: int, runs: int
) -> tuple[Figure | Unavailable, QueryCount | None]:
    title = "Label a span (htmx POST) on the 5,000-span article"
    url = f"/articles/{data.long_article_id}/labels/"
    small_url = f"/articles/{small_id}/labels/"
    if not _exists(url):
        return Unavailable("label_span", title, f"{url} is not routed"), None
    long_ranges = FreshRanges(Article.objects.get(pk=data.long_article_id))
    small_ranges = FreshRanges(Article.objects.get(pk=small_id))
    kinds = LabelKind.values

    def post(url: str, ranges: FreshRanges, n: int) -> Callable[[], None]:
        def action() -> None:
            start, end, quote = ranges.next()
            form = {"start": start, "end": end, "quote": quote, "kind": kinds[n % len(kinds)]}
            _ok(htmx_post(client, url, form), url).content  # noqa: B018

        return action

    try:
        timings = time_runs(lambda n: post(url, long_ranges, n)(), runs)
        queries, _ = count_queries(post(url, long_ranges, 0))
        small, _ = count_queries(post(small_url, small_ranges, 0))
    finally:
        long_ranges.clean_up()
        small_ranges.clean_up()
    figure = Figure("label_span", title, "ms", timings, target=LABEL_MS)
    figure.extra["url"] = url
    return figure, QueryCount(title, url, queries, small_url, small, target=LABEL_QUERIES)


def _live_figure(
    client: Client, long_id: int, small_id: int, runs: int
) -> tuple[Figure, QueryCount]:
    """The page's poll (static/annotations/live.js) when nothing changed: a 204, no body."""
    from annotations.views.live import REVISION_FIELDS, revision_token

    def url(article_id: int) -> str:
        row = Article.objects.filter(pk=article_id).values_list(*REVISION_FIELDS).get()
        return f"/articles/{article_id}/changes/?since={revision_token(row)}"

    def get(path: str) -> Callable[[], None]:
        def action() -> None:
            response = client.get(path)
            if response.status_code != 204 or response.content:
                raise AssertionError(f"{path}: {response.status_code}, not an empty 204")

        return action

    title = "Live-update check, nothing changed (5,000-span article)"
    full, small = url(long_id), url(small_id)
    figure = Figure(
        "live_unchanged",
        title,
        "ms",
        time_runs(lambda n: get(full)(), runs),
        target=LIVE_MS,
        note="GET /articles/<id>/changes/?since=<its revision>, as live.js asks every two seconds.",
    )
    figure.extra["url"] = full
    queries, _ = count_queries(get(full))
    small_queries, _ = count_queries(get(small))
    return figure, QueryCount(title, full, queries, small, small_queries, target=LIVE_QUERIES)


def _after_import_figure(client: Client, url: str, runs: int) -> Figure:
    """The overview's first view after a bulk import that filled the figures, as it must."""
    fills, views = [], []
    for _ in range(runs):
        ArticleFigures.objects.all().delete()
        began = time.perf_counter()
        fill_figures()  # what the bulk load does last (bench.dataset.build)
        fills.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        _ok(client.get(url), url).content  # noqa: B018
        views.append((time.perf_counter() - began) * 1000)
    return Figure(
        "overview_after_import",
        "/reports/ sorted by speculation share, first view after a bulk import",
        "ms",
        views,
        target=OVERVIEW_MS,
        note="Each run empties the figures cache, fills it as the bulk load does "
        "(bench.dataset.fill_figures, extra.fill_ms), then times the first page view: it "
        "must read the figures, never compute them.",
        extra={"fill_ms": fills},
    )


def server_figures(data: Dataset, runs: int) -> tuple[list[Figure | Unavailable], list[QueryCount]]:
    client = logged_in_client(data.reviewer)
    small_id = small_article_id(data)
    long_id = data.long_article_id
    outlet = Article.objects.get(pk=long_id).outlet
    probes = [
        (
            "article_page",
            "Article page with 5,000 spans (server)",
            f"/articles/{long_id}/",
            f"/articles/{small_id}/",
            ARTICLE_PAGE_MS,
        ),
        (
            "article_page_2000",
            "Article page with 2,000 spans (server, whole HTML)",
            f"/articles/{data.medium_article_id}/",
            f"/articles/{small_id}/",
            MEDIUM_PAGE_MS,
        ),
        (
            "report",
            "Report of the 5,000-span article",
            f"/articles/{long_id}/report/",
            f"/articles/{small_id}/report/",
            REPORT_MS,
        ),
        (
            "overview",
            "/reports/ over all articles, first page",
            "/reports/",
            f"/reports/?outlet={outlet.replace(' ', '+')}",
            OVERVIEW_MS,
        ),
        (
            "overview_by_speculation",
            "/reports/ sorted by speculation share",
            "/reports/?sort=-speculation",
            f"/reports/?sort=-speculation&outlet={outlet.replace(' ', '+')}",
            OVERVIEW_MS,
        ),
    ]
    figures: list[Figure | Unavailable] = []
    counts: list[QueryCount] = []
    for id, title, url, small_url, target in probes:
        figure, count = _get_figure(client, id, title, url, small_url, target, runs)
        figures.append(figure)
        if count:
            counts.append(count)
        if id == "overview_by_speculation" and isinstance(figure, Figure):
            figures.append(_after_import_figure(client, url, min(runs, 3)))
        if id == "article_page":
            # The labelling request comes second, as in the list.
            figure, count = _label_figure(client, data, small_id, runs)
            figures.append(figure)
            if count:
                counts.append(count)
    live, live_count = _live_figure(client, long_id, small_id, runs)
    figures.append(live)
    counts.append(live_count)
    return figures, counts
