"""Phrases an editor selects: runs of whole words inside one paragraph.

Offsets are code points into the canonical text (Python ``str`` offsets), the
unit annotate.js sends after converting the browser's UTF-16 selection.
Pure: the runner (Django) and the locustfile (gevent) both import it.
"""

from __future__ import annotations

import random
import re
from typing import Any

WORD = re.compile(r"\S+")

Phrase = tuple[int, int, int]
"""Article id, start, end."""


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
            hot.append(
                (article["id"], paragraph[i][0], paragraph[min(len(paragraph) - 1, i + 3)][1])
            )
    return hot
