"""How well web pages become articles: ``python -m bench.extraction [--runs 5] [--write]``.

Reads the saved pages in ``tests/webpages/`` (each ``NAME.html`` with its
expectations in ``NAME.json``), extracts each, and prints:

* paragraph precision and recall over all pages (micro-averaged), and F1. An
  extracted paragraph matches an expected one when their similarity
  (``difflib.SequenceMatcher.ratio``) is at least 0.9; each pairs at most once;
* boilerplate lines kept: expected-absent strings (captions, related links,
  share, cookie and comment text, ads) found anywhere in an extracted body;
* metadata accuracy per field (title, outlet, url, published, authors), exact
  match after the canonical text rules; authors compare as a list in order;
* the time to extract a realistic 1 MB page (median of ``--runs``) and what
  happens to hostile pages.

Targets (issue 15): F1 >= 0.95, no boilerplate line kept, >= 90 % of the
metadata fields exact, a 1 MB page in under 1 s. ``--write`` puts the figures
in their own section of bench/RESULTS.md (between its ``extraction``
markers), leaving the rest of the file as it is.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from annotations.text import canonicalize
from annotations.webpages.extract import ExtractedPage, PageRefused, extract_page
from bench.report import splice

PAGES_DIR = Path(__file__).resolve().parent.parent / "tests" / "webpages"
MATCH_RATIO = 0.9
METADATA_FIELDS = ("title", "outlet", "url", "published", "authors")


@dataclass(frozen=True)
class Case:
    name: str
    html: bytes
    expected: dict[str, Any]

    @property
    def content_type(self) -> str:
        return str(self.expected.get("content_type", ""))


def load_cases(directory: Path = PAGES_DIR) -> list[Case]:
    cases = []
    for spec in sorted(directory.glob("*.json")):
        expected = json.loads(spec.read_text(encoding="utf-8"))
        html = spec.with_suffix(".html").read_bytes()
        cases.append(Case(spec.stem, html, expected))
    return cases


def similarity(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < MATCH_RATIO or matcher.quick_ratio() < MATCH_RATIO:
        return 0.0
    return matcher.ratio()


def match_paragraphs(expected: list[str], extracted: list[str]) -> list[tuple[int, int]]:
    """Pairs ``(expected index, extracted index)``, best similarity first, each used once."""
    candidates = []
    for i, want in enumerate(expected):
        for j, got in enumerate(extracted):
            ratio = similarity(canonicalize(want), got)
            if ratio >= MATCH_RATIO:
                candidates.append((ratio, i, j))
    pairs: list[tuple[int, int]] = []
    used_expected: set[int] = set()
    used_extracted: set[int] = set()
    for _, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i not in used_expected and j not in used_extracted:
            pairs.append((i, j))
            used_expected.add(i)
            used_extracted.add(j)
    return sorted(pairs)


def boilerplate_kept(expected: dict[str, Any], page: ExtractedPage) -> list[str]:
    body = " ".join(page.body.split())
    return [line for line in expected["boilerplate"] if " ".join(line.split()) in body]


def metadata_values(page: ExtractedPage) -> dict[str, Any]:
    return {
        "title": page.title,
        "outlet": page.outlet,
        "url": page.url or None,
        "published": page.published.isoformat() if page.published else None,
        "authors": list(page.authors),
    }


def expected_metadata(expected: dict[str, Any]) -> dict[str, Any]:
    values = {name: expected[name] for name in METADATA_FIELDS}
    for name in ("title", "outlet"):
        values[name] = canonicalize(values[name])
    values["authors"] = [canonicalize(a) for a in values["authors"]]
    return values


@dataclass
class CaseResult:
    name: str
    expected_paragraphs: int
    extracted_paragraphs: int
    matched: int
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    boilerplate: list[str] = field(default_factory=list)
    metadata: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    seconds: float = 0.0

    def metadata_exact(self, name: str) -> bool:
        want, got = self.metadata[name]
        return bool(want == got)


def evaluate(case: Case) -> CaseResult:
    started = time.perf_counter()
    page = extract_page(case.html, content_type=case.content_type)
    seconds = time.perf_counter() - started
    expected = case.expected["paragraphs"]
    pairs = match_paragraphs(expected, list(page.paragraphs))
    matched_expected = {i for i, _ in pairs}
    matched_extracted = {j for _, j in pairs}
    want = expected_metadata(case.expected)
    got = metadata_values(page)
    return CaseResult(
        name=case.name,
        expected_paragraphs=len(expected),
        extracted_paragraphs=len(page.paragraphs),
        matched=len(pairs),
        missing=[p for i, p in enumerate(expected) if i not in matched_expected],
        extra=[p for j, p in enumerate(page.paragraphs) if j not in matched_extracted],
        boilerplate=boilerplate_kept(case.expected, page),
        metadata={name: (want[name], got[name]) for name in METADATA_FIELDS},
        seconds=seconds,
    )


@dataclass
class Summary:
    results: list[CaseResult]

    @property
    def precision(self) -> float:
        extracted = sum(r.extracted_paragraphs for r in self.results)
        return sum(r.matched for r in self.results) / extracted if extracted else 0.0

    @property
    def recall(self) -> float:
        expected = sum(r.expected_paragraphs for r in self.results)
        return sum(r.matched for r in self.results) / expected if expected else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def boilerplate_kept(self) -> int:
        return sum(len(r.boilerplate) for r in self.results)

    @property
    def boilerplate_total(self) -> int:
        return sum(len(c.expected["boilerplate"]) for c in load_cases())

    def field_accuracy(self, name: str) -> float:
        return sum(r.metadata_exact(name) for r in self.results) / len(self.results)

    @property
    def metadata_accuracy(self) -> float:
        exact = sum(r.metadata_exact(n) for r in self.results for n in METADATA_FIELDS)
        return exact / (len(self.results) * len(METADATA_FIELDS))


def summarise(cases: list[Case] | None = None) -> Summary:
    return Summary([evaluate(case) for case in (cases if cases is not None else load_cases())])


# --- cost ---------------------------------------------------------------------


MEGABYTE = 1_048_576


def realistic_megabyte_page(size: int = MEGABYTE) -> bytes:
    """A saved page of ``size`` bytes (1 MiB) shaped like a busy news site's.

    The WordPress case from the corpus, plus what makes real pages heavy: an
    inline state script and stylesheet, an SVG icon sprite, a mega-menu and a
    long comment thread.
    """
    base = (PAGES_DIR / "wordpress-council-bike-lanes.html").read_text(encoding="utf-8")
    state = json.dumps(
        {
            "posts": [
                {"id": i, "title": f"Story number {i}", "excerpt": "x" * 120} for i in range(1400)
            ]
        }
    )
    style = "".join(f".c{i}{{margin:{i % 9}px;color:#{i % 4096:03x}}}\n" for i in range(5000))
    sprite = "".join(
        f'<symbol id="i{i}" viewBox="0 0 24 24"><path d="M{i % 24} 0L24 {i % 24}Z"/></symbol>'
        for i in range(900)
    )
    menu = "".join(
        f'<li class="menu-item"><a href="/section/{i}/">Section {i}</a>'
        f'<ul class="sub-menu"><li><a href="/section/{i}/a/">Topic {i}a</a></li>'
        f'<li><a href="/section/{i}/b/">Topic {i}b</a></li></ul></li>'
        for i in range(700)
    )
    comment = (
        '<div id="comment-{i}" class="comment depth-1"><article class="comment-body">'
        '<footer class="comment-meta"><div class="comment-author vcard">'
        '<img class="avatar" src="/avatar/{i}.png" alt="" width="40"><b class="fn">Reader {i}</b>'
        '</div><div class="comment-metadata"><a href="#comment-{i}"><time datetime="2026-03-05">'
        "March 5, 2026 at 9:{m:02d} am</time></a></div></footer>"
        '<div class="comment-content"><p>I have lived on Mill Street for {i} years and I think '
        "the council should have asked the people who use the street every day before deciding."
        '</p></div><div class="reply"><a class="comment-reply-link" href="#respond">Reply</a>'
        "</div></article></div>"
    )
    page = base.replace(
        "</head>", f"<script>window.__STATE__={state}</script><style>{style}</style></head>"
    )
    page = page.replace(
        '<header id="site-header"',
        f'<svg style="display:none">{sprite}</svg><nav class="mega-menu"><ul>{menu}</ul></nav>'
        '<header id="site-header"',
    )
    thread: list[str] = []
    room = size - len(page.encode("utf-8"))
    while room > 0:
        thread.append(comment.format(i=len(thread), m=len(thread) % 60))
        room -= len(thread[-1])
    page = page.replace('<div id="respond"', "".join(thread) + '<div id="respond"')
    return page.encode("utf-8")


def hostile_pages() -> dict[str, bytes]:
    story = "<p>Ordinary story text, long enough to look like a paragraph of an article.</p>" * 10
    flood = " ".join(f"a{i}" for i in range(100_000))
    return {
        "30,000 nested <div>s": ("<html><body>" + "<div>" * 30_000 + story).encode(),
        "100,000 attributes on one tag": f"<html><body><div {flood}>{story}</div>".encode(),
        "a 2 MB attribute value": (
            f"<html><body><div class='{'x ' * 1_000_000}'>{story}</div></body></html>"
        ).encode(),
        "200,000 empty elements": ("<html><body>" + "<i></i>" * 200_000 + story).encode(),
        "6 MB of text": b"<html><body><p>" + b"word " * 1_200_000 + b"</p></body></html>",
    }


def timed(function: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


@dataclass
class Cost:
    """The 1 MB page's times and each hostile page's outcome."""

    megabyte_bytes: int
    megabyte_times: list[float]
    hostile: list[tuple[str, float, str]]


def measure_cost(runs: int) -> Cost:
    page = realistic_megabyte_page()
    times = timed(lambda: extract_page(page), runs)
    hostile = []
    for name, content in hostile_pages().items():
        started = time.perf_counter()
        try:
            extract_page(content)
            outcome = "extracted"
        except PageRefused as refusal:
            outcome = f"refused: {refusal}"
        hostile.append((name, time.perf_counter() - started, outcome))
    return Cost(len(page), times, hostile)


def text_report(summary: Summary, cost: Cost, *, verbose: bool) -> str:
    lines = [
        f"Saved pages: {len(summary.results)}, expected paragraphs: "
        f"{sum(r.expected_paragraphs for r in summary.results)}",
        f"Paragraphs: precision {summary.precision:.3f}, recall {summary.recall:.3f}, "
        f"F1 {summary.f1:.3f} (target >= 0.95)",
        f"Boilerplate lines kept: {summary.boilerplate_kept} of "
        f"{summary.boilerplate_total} (target 0)",
        f"Metadata exact: {summary.metadata_accuracy:.1%} (target >= 90%): "
        + ", ".join(f"{n} {summary.field_accuracy(n):.0%}" for n in METADATA_FIELDS),
        "",
        f"{'page':42} {'exp':>4} {'got':>4} {'match':>5} {'bp':>3}  metadata misses",
    ]
    for r in summary.results:
        misses = [n for n in METADATA_FIELDS if not r.metadata_exact(n)]
        lines.append(
            f"{r.name:42} {r.expected_paragraphs:4} {r.extracted_paragraphs:4} "
            f"{r.matched:5} {len(r.boilerplate):3}  {', '.join(misses) or '-'}"
        )
        if verbose:
            lines += [f"    missing: {p[:100]!r}" for p in r.missing]
            lines += [f"    extra:   {p[:100]!r}" for p in r.extra]
            lines += [f"    boilerplate kept: {line!r}" for line in r.boilerplate]
            lines += [
                f"    {n}: expected {r.metadata[n][0]!r}, got {r.metadata[n][1]!r}" for n in misses
            ]
    times = cost.megabyte_times
    lines += [
        "",
        f"1 MB page ({cost.megabyte_bytes:,} bytes): median {statistics.median(times):.3f} s, "
        f"min {min(times):.3f}, max {max(times):.3f} over {len(times)} runs (target < 1 s)",
    ]
    lines += [
        f"Hostile, {name}: {seconds:.3f} s, {outcome}" for name, seconds, outcome in cost.hostile
    ]
    return "\n".join(lines)


START = "<!-- extraction:start -->"
END = "<!-- extraction:end -->"


def markdown(summary: Summary, cost: Cost) -> str:
    """The section of RESULTS.md, from one run."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    median = statistics.median(cost.megabyte_times)
    expected = sum(r.expected_paragraphs for r in summary.results)

    def verdict(passed: bool) -> str:
        return "**PASS**" if passed else "**FAIL**"

    lines = [
        "## Extraction of saved web pages",
        "",
        "Written by `python -m bench.extraction --write` (bench/extraction.py, whose docstring "
        "says how each figure is counted): the saved pages of `tests/webpages/`, each with "
        "the paragraphs and metadata an editor expects and the boilerplate that must not "
        f"survive. {when}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load:.2f} at the start.",
        "",
        "| Figure | Value | Target | Result |",
        "| --- | ---: | --- | --- |",
        f"| Paragraph precision / recall | {summary.precision:.3f} / {summary.recall:.3f} "
        f"({len(summary.results)} pages, {expected} paragraphs; a match is ≥ 0.9 similar) | | |",
        f"| Paragraph F1 | {summary.f1:.3f} | ≥ 0.95 | {verdict(summary.f1 >= 0.95)} |",
        f"| Boilerplate lines kept | {summary.boilerplate_kept} of {summary.boilerplate_total} "
        f"| 0 | {verdict(summary.boilerplate_kept == 0)} |",
        f"| Metadata fields exact | {summary.metadata_accuracy:.1%} ("
        + ", ".join(f"{n} {summary.field_accuracy(n):.0%}" for n in METADATA_FIELDS)
        + f") | ≥ 90 % | {verdict(summary.metadata_accuracy >= 0.9)} |",
        f"| 1 MB page ({cost.megabyte_bytes:,} bytes) | median {median:.3f} s "
        f"(min {min(cost.megabyte_times):.3f}, max {max(cost.megabyte_times):.3f}; "
        f"{len(cost.megabyte_times)} runs) | < 1 s | {verdict(median < 1)} |",
        "",
        "| Hostile page | Time | Outcome |",
        "| --- | ---: | --- |",
    ]
    lines += [
        f"| {_cell(name)} | {seconds:.3f} s | {_cell(outcome)} |"
        for name, seconds, outcome in cost.hostile
    ]
    lines += [
        "",
        "| Page | Expected | Extracted | Matched | Boilerplate kept | Metadata misses |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in summary.results:
        misses = [n for n in METADATA_FIELDS if not r.metadata_exact(n)]
        lines.append(
            f"| {r.name} | {r.expected_paragraphs} | {r.extracted_paragraphs} | {r.matched} "
            f"| {len(r.boilerplate)} | {', '.join(misses) or '–'} |"
        )
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text as a Markdown table cell shows it: no tag read as HTML, no column break."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("|", "\\|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    parser.add_argument(
        "--write", action="store_true", help="also write the figures into bench/RESULTS.md"
    )
    args = parser.parse_args(argv)

    summary = summarise(load_cases())
    cost = measure_cost(args.runs)
    print(text_report(summary, cost, verbose=args.verbose))
    if args.write:
        results = Path(__file__).resolve().parent / "RESULTS.md"
        existing = results.read_text(encoding="utf-8") if results.exists() else ""
        results.write_text(
            splice(existing, markdown(summary, cost), start=START, end=END, first=False),
            encoding="utf-8",
        )
        print(f"Written to {results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
