"""The hostile-input corpus (corpus.json) and a check that a page renders it inert.

Any test module (views, admin, report, browser) can feed ``PAYLOADS`` and
``URLS`` into the app and run ``assert_inert`` on what comes back.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

_CORPUS = json.loads((Path(__file__).parent / "corpus.json").read_text(encoding="utf-8"))


class Payload(NamedTuple):
    name: str
    text: str


class HostileUrl(NamedTuple):
    name: str
    url: str
    accepted: bool  # an http(s) URL, stored (and escaped when shown); the rest are refused


def _text(entry: dict) -> str:
    if "text" in entry:
        return entry["text"]
    if "repeat" in entry:
        return entry["repeat"] * entry["times"]
    parts = entry["text_parts"]
    return "".join(text * times for text, times in zip(parts[::2], parts[1::2], strict=True))


PAYLOADS = [Payload(entry["name"], _text(entry)) for entry in _CORPUS["payloads"]]
# HTML refused before the sanitiser runs (annotations.markup_limits): too deep or too large.
TOO_COMPLEX = frozenset(entry["name"] for entry in _CORPUS["payloads"] if entry.get("too_complex"))
# The payload that took over an admin through a reflected 400 (issue 10): every
# response must escape it, and the CSP must stop it where escaping slips.
REFLECTED = next(
    Payload(entry["name"], entry["text"]) for entry in _CORPUS["payloads"] if entry.get("reflected")
)
# Its tags as they would appear in a body that echoed it unescaped.
REFLECTED_TAGS = tuple(re.findall(r"<[a-z]+[^>]*>", REFLECTED.text))
URLS = [HostileUrl(**entry) for entry in _CORPUS["urls"]]

# Elements none of our templates use and that load or run something.
_FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "style"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"}
_DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
_SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}
# Browsers ignore whitespace and control characters inside a URL scheme.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        where = self.get_starttag_text() or tag
        values = {name: value or "" for name, value in attrs}
        if tag in _FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element: {where[:120]}")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problems.append(f"meta refresh: {where[:120]}")
        if tag == "script":
            # A data block (json_script's application/json) is never run.
            runs = values.get("type", "").lower() in _SCRIPT_TYPES
            self._in_script = runs
            src = values.get("src", "")
            # Our own files (/static/..., the admin's /admin/jsi18n/), never another host.
            if runs and not (src.startswith("/") and not src.startswith("//")):
                self.problems.append(f"script not from this site: {where[:120]}")
        for name, value in values.items():
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"event handler {name}=: {where[:120]}")
            # An inline style runs nothing (and the CSP drops it); one that loads a URL might.
            if name == "style" and re.search(r"url\s*\(|expression\s*\(|javascript:", value, re.I):
                self.problems.append(f"style loading something: {where[:120]}")
            if name in _URL_ATTRIBUTES:
                scheme = _IGNORED_IN_SCHEME.sub("", value).lower()
                if scheme.startswith(_DANGEROUS_SCHEMES):
                    self.problems.append(f"{name}={value[:60]!r} in {where[:120]}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data[:120]!r}")


def executable_parts(html: str) -> list[str]:
    """Everything in ``html`` that a browser could run or load: should be empty."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.problems


def assert_inert(html: str) -> None:
    problems = executable_parts(html)
    assert not problems, "\n".join(problems)
