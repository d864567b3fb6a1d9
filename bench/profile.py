"""cProfile of the requests issue 17 sets targets on, on ``make bench``'s data.

    DATABASE_URL=postgres://…/…bench… .venv/bin/python -m bench.profile [--runs 20] [--top 25]

Profiles, in-process through the whole Django stack as bench/pages.py times
them: a label write (htmx POST) on the 5,000-span article, the report of that
article, and the page of the 2,000-span article. For each: the time per
request with and without the profiler, the SQL statements one request runs
(with their text), and the functions with the most time of their own and in
all. Needs the dataset of an earlier ``make bench`` (``--keep-data`` sizes);
it changes nothing but the labels it adds, which it removes again.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Callable

import django

from bench import database


def _profile(name: str, action: Callable[[], object], runs: int, top: int) -> None:
    from bench.measure import count_queries, time_runs

    plain = sorted(time_runs(lambda n: action(), runs))
    queries, statements = count_queries(action)
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for _ in range(runs):
        action()
    profiler.disable()
    profiled = (time.perf_counter() - began) * 1000 / runs
    print(f"\n## {name}\n")
    print(
        f"{plain[len(plain) // 2]:.1f} ms median without the profiler (min {plain[0]:.1f}); "
        f"{profiled:.1f} ms with it; {queries} SQL statements:\n"
    )
    for sql in statements:
        print(f"    {sql[:160]}")
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.strip_dirs().sort_stats(order).print_stats(top)
        body = text.getvalue()
        print(f"\nBy {order} (all {runs} runs):\n")
        print(body[body.find("   ncalls") :].rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args(argv)
    database.configure()
    django.setup()
    from annotations.models import Article, LabelKind
    from bench import dataset
    from bench.pages import FreshRanges, htmx_post, logged_in_client
    from newsroom import collector

    collector.tune()  # as in the app's processes (wsgi.py)

    data = dataset.find(dataset.Sizes.scaled(args.scale))
    if data is None:
        print("No benchmark dataset here: run make bench first.", file=sys.stderr)
        return 2
    client = logged_in_client(data.reviewer)
    ranges = FreshRanges(Article.objects.get(pk=data.long_article_id))
    url = f"/articles/{data.long_article_id}/labels/"
    counter = iter(range(10**6))

    def label() -> None:
        start, end, quote = ranges.next()
        kind = LabelKind.values[next(counter) % len(LabelKind.values)]
        form = {"start": start, "end": end, "quote": quote, "kind": kind}
        response = htmx_post(client, url, form)
        assert response.status_code == 200, response.status_code

    def get(path: str) -> Callable[[], None]:
        def action() -> None:
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            response.content  # noqa: B018

        return action

    try:
        _profile("Label a span (htmx POST), 5,000-span article", label, args.runs, args.top)
    finally:
        ranges.clean_up()
    _profile(
        "Report of the 5,000-span article",
        get(f"/articles/{data.long_article_id}/report/"),
        args.runs,
        args.top,
    )
    _profile(
        "Article page with 2,000 spans",
        get(f"/articles/{data.medium_article_id}/"),
        args.runs,
        args.top,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
