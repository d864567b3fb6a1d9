"""What a label write's htmx answer says the server stored.

The server may not store a label where the request put it: the selection is
snapped to whole words, and one nearly identical to a stored span labels that
span (issue 13's rule, ``annotations.selection``). The load test must check the
label where it landed, so it reads the span's range back from the answer's
paragraphs, as a browser shows them: each ``<p data-start>`` holds the
paragraph's text, and each ``<mark data-spans>`` the spans covering a piece.

Pure: no Django, no Locust.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _Paragraphs(HTMLParser):
    def __init__(self, span_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.span_id = span_id
        self.at: int | None = None  # in the article's text, None outside a paragraph
        self.inside = False  # in a <mark> that the span covers (marks are never nested)
        self.start: int | None = None
        self.end: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "p" and (values.get("data-start") or "").isdigit():
            self.at = int(values["data-start"] or 0)
        elif tag == "mark" and self.at is not None:
            self.inside = self.span_id in (values.get("data-spans") or "").split()

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.at = None
        elif tag == "mark":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.at is None:
            return
        if self.inside:
            self.start = self.at if self.start is None else min(self.start, self.at)
            self.end = max(self.end or 0, self.at + len(data))
        self.at += len(data)  # code points, as the server counts


def stored_range(answer: str, span_id: int) -> tuple[int, int] | None:
    """The range of span ``span_id`` as the answer's paragraphs show it, or None
    when no paragraph in the answer shows it."""
    parser = _Paragraphs(str(span_id))
    parser.feed(answer)
    parser.close()
    if parser.start is None or parser.end is None:
        return None
    return parser.start, parser.end
