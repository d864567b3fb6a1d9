"""The scenario's pure parts: its options, and the phrases an editor selects.

The options are defined here once: the runner offers them on its command line
and hands them to Locust, whose parser (the locustfile's) defines them from
the same function.

Phrases are runs of whole words inside one paragraph. Offsets are code points
into the canonical text (Python ``str`` offsets), the unit annotate.js sends
after converting the browser's UTF-16 selection.

No Django and no Locust: the runner (which must not import gevent) and the
locustfile both import this.
"""

from __future__ import annotations

import argparse
import random
import re
from typing import Any

WORD = re.compile(r"\S+")

Phrase = tuple[int, int, int]
"""Article id, start, end."""


def add_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("the scenario")
    group.add_argument(
        "--duration", type=float, default=60.0, help="seconds measured, once all have logged in"
    )
    group.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(0.5, 1.5),
        metavar=("MIN", "MAX"),
        help="seconds an editor pauses between actions (uniform)",
    )
    group.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="actions per second of all editors together, replacing --think "
        "(Locust's constant_throughput)",
    )
    group.add_argument(
        "--writes-per-minute",
        type=float,
        default=30.0,
        help="each editor's label writes (create, change, remove) at most; ten seconds' "
        "worth may come in a burst",
    )
    group.add_argument(
        "--max-actions",
        "--max-requests",  # its name before Locust
        type=int,
        default=2000,
        help="per editor: bounded in count too",
    )
    group.add_argument(
        "--viewers-per-article",
        type=int,
        default=1,
        help="people with each article open, its page asking every two seconds whether it "
        "changed (issue 12, live colleagues); on top of the editors",
    )
    group.add_argument("--seed", type=int, default=6)


OPTIONS = (
    "duration",
    "think",
    "rate",
    "writes_per_minute",
    "max_actions",
    "viewers_per_article",
    "seed",
)


def defaults(**changes: Any) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    add_options(parser)
    return {**vars(parser.parse_args([])), **changes}


def as_arguments(values: dict[str, Any]) -> list[str]:
    """The scenario's options back as command-line arguments."""
    arguments = []
    for name in OPTIONS:
        value = values[name]
        arguments.append("--" + name.replace("_", "-"))
        arguments += [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
    return arguments


def words_by_paragraph(body: str) -> list[list[tuple[int, int]]]:
    """Each paragraph's words as (start, end); empty paragraphs are left out."""
    result, offset = [], 0
    for paragraph in body.split("\n\n"):
        words = [(offset + m.start(), offset + m.end()) for m in WORD.finditer(paragraph)]
        if words:
            result.append(words)
        offset += len(paragraph) + 2
    return result


def pick(article_id: int, words: list[list[tuple[int, int]]], rng: random.Random) -> Phrase:
    """One to eight consecutive words of a paragraph."""
    paragraph = rng.choice(words)
    i = rng.randrange(len(paragraph))
    j = min(len(paragraph) - 1, i + rng.randint(0, 7))
    return article_id, paragraph[i][0], paragraph[j][1]


def hot_phrases(articles: list[dict[str, Any]], rng: random.Random) -> list[Phrase]:
    """Four phrases in each of five articles that every editor labels now and then, so
    that editors race on the same spans."""
    hot = []
    for article in rng.sample(articles, k=min(5, len(articles))):
        words = words_by_paragraph(article["body"])
        for _ in range(4):
            paragraph = rng.choice(words)
            i = rng.randrange(len(paragraph))
            end = paragraph[min(len(paragraph) - 1, i + 3)][1]
            hot.append((article["id"], paragraph[i][0], end))
    return hot
