"""Annotation files from other tools, read into one neutral ``Record`` each. Pure: no Django imports.

``read(data)`` takes the file's bytes and tells its format from the JSON's shape:

- **Web Annotation** (compacted with ``http://www.w3.org/ns/anno.jsonld``,
  as Sourcemark exports it): an ``AnnotationCollection`` with embedded
  pages, an ``AnnotationPage``, one ``Annotation``, or a list of either.
- **Hypothesis**: an API search response (``{"total", "rows"}``) or its list of rows.
- **Label Studio**: a JSON export, a list of tasks (or one task) with
  ``data.text`` and ``annotations[].result[]``.

Each annotation becomes a ``Record`` or a ``Refusal`` saying why not, so
one bad annotation never costs the others; a file that cannot be read at
all raises ``FileRefused``. The rules:

- **Label.** Names go through a ``vocabulary.KindTable``: Web Annotation
  bodies whose purpose (or, without one, the annotation's motivation) is
  ``classifying`` or ``tagging`` (their value, and their IRI), Hypothesis
  tags, Label Studio's ``value.labels``. Exactly one kind must come out;
  none or two is a refusal. Names the table does not know are ignored, so a
  Hypothesis annotation tagged ``election`` and ``verified`` is a verified fact.
- **Note.** Web Annotation bodies for ``commenting`` or ``describing``
  (or without any purpose), joined by a blank line; Hypothesis ``text``;
  Label Studio ``textarea`` results of the same region. **Source**: a
  ``linking`` body (one at most; Sourcemark keeps one link per label).
- **Reviewer.** Web Annotation ``creator.nickname``, else its ``name``;
  Hypothesis ``user`` without ``acct:`` and authority; Label Studio
  ``completed_by.email``, else ``label-studio-user-<id>``. Matching them to
  accounts is the caller's business.
- **Text.** A quote is required: a position alone cannot be checked, and a
  label is never put on text nobody quoted. Label Studio offsets count code
  points since Label Studio 1.4 (its "Should calculate offsets by code points
  in text" test); earlier versions counted UTF-16 units (its issue #1347).
  The quote decides: the code point slice of ``data.text`` is tried first,
  then the UTF-16 one; when neither is the quote, only the quote is kept.
  Hypothesis positions count UTF-16 units of the whole web page, not of the
  article: they are kept but will rarely match, and the quote finds the text.
- **Bounded cost.** At most ``MAX_FILE_BYTES`` bytes and ``MAX_ANNOTATIONS``
  annotations (else the file is refused); nesting as deep as Python's JSON
  parser allows (deeper is refused, never a crash); integers longer than
  Python reads, ``NaN`` and ``Infinity`` refused; quotes up to
  ``MAX_QUOTE_CHARS``; prefix and suffix cut to ``CONTEXT_CHARS``.
  Predictions and drafts in a Label Studio file are skipped with a warning: a
  model's guess is no reviewer's label.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from annotations.interop.vocabulary import DEFAULT_KINDS, KindTable

WEB_ANNOTATION = "Web Annotation"
HYPOTHESIS = "Hypothesis"
LABEL_STUDIO = "Label Studio"

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_ANNOTATIONS = 20_000
MAX_QUOTE_CHARS = 20_000
CONTEXT_CHARS = 64
LABEL_STUDIO_TEXT_KEY = "text"

_LABEL_STUDIO_KEYS = {"annotations", "completions", "predictions"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class FileRefused(ValueError):
    """The whole file cannot be read; the message says why, for an editor."""


@dataclass(frozen=True, slots=True)
class Record:
    """One annotation from another tool, in Sourcemark's terms.

    ``start``/``end`` are code points into the text the tool showed (for
    Label Studio ``data.text``; for the others the annotated document), which
    may or may not be the article's body: ``locate`` checks them against the quote.
    """

    origin: str  # which annotation of the file this is, for the report
    reviewer: str
    reviewer_name: str
    kind: str
    quote: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    note: str = ""
    source_url: str = ""
    target: str = ""  # the document it annotates, as the file names it ("" unknown)


@dataclass(frozen=True, slots=True)
class Refusal:
    origin: str
    reason: str


@dataclass
class Parsed:
    format: str
    records: list[Record] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)  # every annotation's, in the file's order


class _Refuse(Exception):
    """One annotation cannot be read (becomes a ``Refusal``)."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def load_json(data: bytes, *, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """The file's JSON, or ``FileRefused`` with a sentence an editor can read."""
    if len(data) > max_bytes:
        raise FileRefused(
            f"The file is {len(data):,} bytes; the limit is {max_bytes:,}. Split it into smaller files."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("The file is not UTF-8 text; export it again as JSON.") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise FileRefused("The file is nested too deeply to be an annotation export.") from None
    except ValueError as error:  # JSONDecodeError, over-long integers, NaN
        raise FileRefused(f"The file is not valid JSON ({_short(str(error))}).") from None


def detect(doc: Any) -> str:
    """Which format ``doc`` is in; ``FileRefused`` when it is none of them."""
    if isinstance(doc, dict):
        if "rows" in doc:
            return HYPOTHESIS
        if "data" in doc and _LABEL_STUDIO_KEYS & doc.keys():
            return LABEL_STUDIO
        if "@context" in doc or _types(doc) & {
            "Annotation",
            "AnnotationPage",
            "AnnotationCollection",
        }:
            return WEB_ANNOTATION
    elif isinstance(doc, list):
        if not doc:
            raise FileRefused("The file is an empty list: it holds no annotations.")
        first = doc[0]
        if isinstance(first, dict):
            if "data" in first and _LABEL_STUDIO_KEYS & first.keys():
                return LABEL_STUDIO
            if "target" in first and "user" in first and ("uri" in first or "links" in first):
                return HYPOTHESIS
            if "target" in first or _types(first) & {"Annotation", "AnnotationPage"}:
                return WEB_ANNOTATION
    raise FileRefused(
        "This is not a file Sourcemark can read: it takes Web Annotations (JSON-LD in the "
        "W3C anno.jsonld form), a Hypothesis API search result, or a Label Studio JSON export."
    )


def read(
    data: bytes,
    *,
    kinds: KindTable = DEFAULT_KINDS,
    max_bytes: int = MAX_FILE_BYTES,
    max_annotations: int = MAX_ANNOTATIONS,
    text_key: str = LABEL_STUDIO_TEXT_KEY,
    body: str | None = None,
) -> Parsed:
    """Every annotation of the file as a ``Record`` or a ``Refusal`` (module docstring).

    ``body``, the article's text, picks out the tasks of a Label Studio file
    that hold several: those whose text is the body, white space aside.
    """
    doc = load_json(data, max_bytes=max_bytes)
    fmt = detect(doc)
    parsed = Parsed(format=fmt)
    items: Iterator[tuple[str, Callable[[], Record]]]
    if fmt == WEB_ANNOTATION:
        items = _web_annotation_items(doc, kinds, parsed.warnings)
    elif fmt == HYPOTHESIS:
        items = _hypothesis_items(doc, kinds)
    else:
        items = _label_studio_items(doc, kinds, text_key, body, parsed.warnings)
    for origin, build in items:
        if len(parsed.records) + len(parsed.refusals) >= max_annotations:
            raise FileRefused(
                f"The file holds more than {max_annotations:,} annotations; split it into smaller files."
            )
        parsed.origins.append(origin)
        try:
            parsed.records.append(replace(build(), origin=origin))
        except _Refuse as refusal:
            parsed.refusals.append(Refusal(origin, str(refusal)))
        except (TypeError, ValueError, AttributeError, KeyError, IndexError):
            parsed.refusals.append(Refusal(origin, "It is not in the shape this format has."))
    return parsed


# Small readers of JSON values: each refuses the annotation when a value has the wrong type.


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _types(obj: Any) -> set[str]:
    value = obj.get("type", obj.get("@type")) if isinstance(obj, dict) else None
    return {v for v in _many(value) if isinstance(v, str)}


def _many(value: Any) -> list[Any]:
    """A JSON-LD value that may be one thing or a list, as a list (None: empty)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any, what: str, *, default: str | None = None) -> str:
    if value is None and default is not None:
        return default
    if not isinstance(value, str):
        raise _Refuse(f"Its {what} is not text.")
    if _SURROGATE.search(value):
        raise _Refuse(f"Its {what} holds an invalid character (a lone UTF-16 surrogate).")
    return value


def _offset(value: Any, what: str) -> int:
    # bool is an int in Python, never an offset in JSON.
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _Refuse(f"Its {what} is not a whole number of 0 or more.")
    return value


def _quote(value: str) -> str:
    if len(value) > MAX_QUOTE_CHARS:
        raise _Refuse(f"Its quote is longer than {MAX_QUOTE_CHARS:,} characters.")
    if not value.strip():
        raise _Refuse("Its quote is empty.")
    return value


def _one_kind(kinds: KindTable, names: list[str], where: str) -> str:
    found = kinds.kinds_of(names)
    if len(found) == 1:
        return found.pop()
    shown = ", ".join(_short(name, 40) for name in names[:10]) or "none"
    if not found:
        raise _Refuse(f"None of its {where} names a Sourcemark label (found: {shown}).")
    raise _Refuse(f"Its {where} name more than one label ({shown}); a label is one of them.")


# Web Annotation


def _web_annotation_items(
    doc: Any, kinds: KindTable, warnings: list[str]
) -> Iterator[tuple[str, Callable[[], Record]]]:
    for number, item in enumerate(_annotations_in(doc, warnings), start=1):
        ident = item.get("id") if isinstance(item, dict) else None
        origin = f"annotation {number}" + (f" ({_short(ident)})" if isinstance(ident, str) else "")
        yield origin, partial(_web_annotation, item, kinds)


def _annotations_in(doc: Any, warnings: list[str]) -> Iterator[Any]:
    for obj in _many(doc):
        types = _types(obj)
        if "AnnotationCollection" in types:
            total = obj.get("total")
            found = 0
            page = obj.get("first")
            while isinstance(page, dict):
                for item in _many(page.get("items")):
                    found += 1
                    yield item
                page = page.get("next")
            if isinstance(page, str) or (isinstance(total, int) and total > found):
                warnings.append(
                    f"The collection holds {total if isinstance(total, int) else 'more'} "
                    f"annotations and this file only {found}: Sourcemark reads the pages in "
                    "the file and fetches no others. Export every page into the file."
                )
        elif "AnnotationPage" in types:
            yield from _many(obj.get("items"))
            if isinstance(obj.get("next"), str):
                warnings.append(
                    "This page links to a next page, which Sourcemark does not fetch: "
                    "export every page into the file."
                )
        else:
            yield obj


_LABEL_PURPOSES = {"classifying", "tagging"}
_NOTE_PURPOSES = {"commenting", "describing"}


def _web_annotation(item: Any, kinds: KindTable) -> Record:
    if not isinstance(item, dict):
        raise _Refuse("It is not an annotation (a JSON object).")
    motivations = {m for m in _many(item.get("motivation")) if isinstance(m, str)}
    names: list[str] = []
    notes: list[str] = []
    links: list[str] = []
    bodies = _many(item.get("body"))
    if "bodyValue" in item:
        bodies.append({"type": "TextualBody", "value": item["bodyValue"]})
    for body in bodies:
        if not isinstance(body, dict):
            continue  # a body given by IRI only says nothing Sourcemark keeps
        purposes = {p for p in _many(body.get("purpose")) if isinstance(p, str)} or motivations
        types = _types(body)
        if "SpecificResource" in types:
            source = body.get("source")
            source = source.get("id") if isinstance(source, dict) else source
            if "linking" in purposes:
                links.append(_text(source, "evidence link"))
            elif purposes & _LABEL_PURPOSES and isinstance(source, str):
                names.append(source)
        elif "value" in body:
            value = _text(body["value"], "body")
            if purposes & _LABEL_PURPOSES:
                names.append(value)
                if isinstance(body.get("id"), str):
                    names.append(body["id"])
            elif not purposes or purposes & _NOTE_PURPOSES:
                notes.append(value)
    kind = _one_kind(kinds, names, "classifying or tagging bodies")
    if len(set(links)) > 1:
        raise _Refuse(
            f"It has {len(set(links))} evidence links; a Sourcemark label keeps one. "
            "Keep one and put the others in its note."
        )
    reviewer, reviewer_name = _creator(item.get("creator"))
    targets = [t for t in _many(item.get("target")) if isinstance(t, dict) and "selector" in t]
    if not targets:
        raise _Refuse("It annotates a whole document, not a passage of its text.")
    if len(targets) > 1:
        raise _Refuse(f"It marks {len(targets)} passages; a Sourcemark label marks one.")
    target = targets[0]
    source = target.get("source")
    source = source.get("id") if isinstance(source, dict) else source
    quote, prefix, suffix, start, end = _selectors(target.get("selector"))
    return Record(
        origin="",
        reviewer=reviewer,
        reviewer_name=reviewer_name,
        kind=kind,
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        start=start,
        end=end,
        note="\n\n".join(note.strip() for note in notes if note.strip()),
        source_url=links[0] if links else "",
        target=source if isinstance(source, str) else "",
    )


def _creator(value: Any) -> tuple[str, str]:
    for agent in _many(value):
        if isinstance(agent, dict):
            name = _text(agent.get("name"), "creator's name", default="")
            nickname = _text(agent.get("nickname"), "creator's nickname", default="")
            return nickname or name, name or nickname
        if isinstance(agent, str):
            return _text(agent, "creator"), ""
    return "", ""


def _selectors(value: Any) -> tuple[str, str, str, int | None, int | None]:
    """(exact, prefix, suffix, start, end) from TextQuote and TextPosition selectors."""
    quote: str | None = None
    prefix = suffix = ""
    start: int | None = None
    end: int | None = None
    for selector in _many(value):
        types = _types(selector)
        if "TextQuoteSelector" in types and quote is None:
            quote = _text(selector.get("exact"), "quoted text")
            prefix = _text(selector.get("prefix"), "prefix", default="")[-CONTEXT_CHARS:]
            suffix = _text(selector.get("suffix"), "suffix", default="")[:CONTEXT_CHARS]
        elif "TextPositionSelector" in types and start is None:
            start = _offset(selector.get("start"), "start")
            end = _offset(selector.get("end"), "end")
            if end <= start:
                raise _Refuse(f"Its position ends ({end}) before it starts ({start}).")
    if quote is None:
        if start is not None:
            raise _Refuse("It gives a position but no quote to check it against.")
        raise _Refuse("It has no text quote or position selector.")
    return _quote(quote), prefix, suffix, start, end


# Hypothesis


def _hypothesis_items(doc: Any, kinds: KindTable) -> Iterator[tuple[str, Callable[[], Record]]]:
    rows = doc.get("rows") if isinstance(doc, dict) else doc
    for number, row in enumerate(_many(rows), start=1):
        ident = row.get("id") if isinstance(row, dict) else None
        origin = f"Hypothesis annotation {number}" + (
            f" ({_short(ident)})" if isinstance(ident, str) else ""
        )
        yield origin, partial(_hypothesis, row, kinds)


def _hypothesis(row: Any, kinds: KindTable) -> Record:
    if not isinstance(row, dict):
        raise _Refuse("It is not an annotation (a JSON object).")
    if row.get("references"):
        raise _Refuse("It is a reply to another annotation, not a label on the text.")
    targets = [t for t in _many(row.get("target")) if isinstance(t, dict) and t.get("selector")]
    if not targets:
        raise _Refuse("It is a page note: it marks no passage of the text.")
    tags = [_text(tag, "tag") for tag in _many(row.get("tags"))]
    kind = _one_kind(kinds, tags, "tags")
    user = _text(row.get("user"), "user", default="")
    # "acct:alice@hypothes.is" -> "alice"
    reviewer = user.removeprefix("acct:").rsplit("@", 1)[0] if user.startswith("acct:") else user
    info = row.get("user_info")
    display = info.get("display_name") if isinstance(info, dict) else None
    source = targets[0].get("source", row.get("uri"))
    quote, prefix, suffix, start, end = _selectors(targets[0]["selector"])
    return Record(
        origin="",
        reviewer=reviewer,
        reviewer_name=_text(display, "display name", default="") or reviewer,
        kind=kind,
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        start=start,
        end=end,
        note=_text(row.get("text"), "text", default="").strip(),
        target=source if isinstance(source, str) else "",
    )


# Label Studio


def _task_text(task: Any, text_key: str) -> str | None:
    data = task.get("data") if isinstance(task, dict) else None
    text = data.get(text_key) if isinstance(data, dict) else None
    return text if isinstance(text, str) else None


def _label_studio_items(
    doc: Any, kinds: KindTable, text_key: str, body: str | None, warnings: list[str]
) -> Iterator[tuple[str, Callable[[], Record]]]:
    tasks = _many(doc)
    if body is not None and len(tasks) > 1:
        wanted = " ".join(body.split())
        mine = [t for t in tasks if " ".join((_task_text(t, text_key) or "").split()) == wanted]
        if mine:
            if len(tasks) > len(mine):
                warnings.append(
                    f"{len(tasks) - len(mine)} of the file's {len(tasks)} Label Studio tasks "
                    "label other texts than this article's and were skipped."
                )
            tasks = mine
    predictions = 0
    for number, task in enumerate(tasks, start=1):
        if not isinstance(task, dict):
            yield f"Label Studio task {number}", _refusing("It is not a task (a JSON object).")
            continue
        task_name = f"Label Studio task {task.get('id', number)}"
        predictions += len(_many(task.get("predictions"))) + len(_many(task.get("drafts")))
        text = _task_text(task, text_key)
        if text is None:
            yield task_name, _refusing(f"It has no text in data.{text_key}.")
            continue
        offsets = _Utf16(text)
        # "completions" is what Label Studio before 1.0 called annotations.
        for annotation in _many(task.get("annotations", task.get("completions"))):
            if not isinstance(annotation, dict):
                yield task_name, _refusing("One of its annotations is not a JSON object.")
                continue
            name = f"{task_name}, annotation {annotation.get('id', '?')}"
            if annotation.get("was_cancelled"):
                yield name, _refusing("It was skipped (cancelled) in Label Studio.")
                continue
            reviewer, reviewer_name = _completed_by(annotation.get("completed_by"))
            results = [r for r in _many(annotation.get("result")) if isinstance(r, dict)]
            notes: dict[Any, list[str]] = {}
            for result in results:
                if result.get("type") == "textarea" and isinstance(result.get("value"), dict):
                    notes.setdefault(result.get("id"), []).extend(
                        t for t in _many(result["value"].get("text")) if isinstance(t, str)
                    )
            for index, result in enumerate(results, start=1):
                if result.get("type") != "labels":
                    continue
                region = f"{name}, region {result.get('id', index)}"

                build = partial(
                    _label_studio_region,
                    result,
                    text,
                    offsets,
                    kinds,
                    reviewer,
                    reviewer_name,
                    "\n\n".join(n.strip() for n in notes.get(result.get("id"), []) if n.strip()),
                )
                yield region, build
    if predictions:
        warnings.append(
            f"Skipped {predictions} Label Studio "
            f"{'prediction or draft' if predictions == 1 else 'predictions and drafts'}: "
            "a model's guess or an unsubmitted draft is no reviewer's label."
        )


def _refusing(reason: str) -> Callable[[], Record]:
    def refuse() -> Record:
        raise _Refuse(reason)

    return refuse


def _completed_by(value: Any) -> tuple[str, str]:
    if isinstance(value, dict):
        email = _text(value.get("email"), "annotator's e-mail", default="")
        first = _text(value.get("first_name"), "annotator's name", default="")
        last = _text(value.get("last_name"), "annotator's name", default="")
        name = f"{first} {last}".strip()
        if email:
            return email, name or email
        value = value.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"label-studio-user-{value}", ""
    return "", ""


class _Utf16:
    """UTF-16 offsets of one text back to code points (only astral characters differ)."""

    def __init__(self, text: str) -> None:
        # The k-th astral character starts at UTF-16 unit (its code point index + k).
        self.starts = [m.start() + k for k, m in enumerate(_ASTRAL.finditer(text))]

    def code_point(self, unit: int) -> int | None:
        before = bisect.bisect_left(self.starts, unit)
        if before and unit == self.starts[before - 1] + 1:
            return None  # between the two halves of a surrogate pair
        return unit - before


def _label_studio_region(
    result: dict[str, Any],
    text: str,
    offsets: _Utf16,
    kinds: KindTable,
    reviewer: str,
    reviewer_name: str,
    note: str,
) -> Record:
    value = result.get("value")
    if not isinstance(value, dict):
        raise _Refuse("It has no value.")
    labels = [_text(label, "label") for label in _many(value.get("labels"))]
    kind = _one_kind(kinds, labels, "labels")
    start = _offset(value.get("start"), "start")
    end = _offset(value.get("end"), "end")
    given = _text(value["text"], "text") if value.get("text") is not None else None
    span = _label_studio_span(text, offsets, start, end, given)
    if span is None:
        if given is None:
            raise _Refuse(
                f"Its offsets {start}–{end} are outside the task's text "
                f"({len(text):,} characters) and it quotes no text."
            )
        # The quote is all that can be trusted: let the search find it.
        return Record(
            origin="",
            reviewer=reviewer,
            reviewer_name=reviewer_name,
            kind=kind,
            quote=_quote(given),
            note=note,
        )
    start, end = span
    return Record(
        origin="",
        reviewer=reviewer,
        reviewer_name=reviewer_name,
        kind=kind,
        quote=_quote(text[start:end]),
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
        start=start,
        end=end,
        note=note,
    )


def _label_studio_span(
    text: str, offsets: _Utf16, start: int, end: int, given: str | None
) -> tuple[int, int] | None:
    """Code point offsets of the region in ``text``, read as code points or as UTF-16."""
    if 0 <= start < end <= len(text) and (given is None or text[start:end] == given):
        return start, end
    if given is None or not offsets.starts:
        return None
    cp_start, cp_end = offsets.code_point(start), offsets.code_point(end)
    if cp_start is None or cp_end is None or not 0 <= cp_start < cp_end <= len(text):
        return None
    return (cp_start, cp_end) if text[cp_start:cp_end] == given else None
