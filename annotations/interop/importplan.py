"""What an import will write, decided before anything is written. Pure: no Django imports.

``plan(body, records, …)`` takes an article's canonical body and the records
read from a file (``readers.read``) and sorts each record into exactly one of:

- **write**: a label to set (``annotations.labelling.import_labels``), on a
  span snapped to whole words and grapheme clusters as every span is, or on
  the span already there (or earlier in the file) it is near-identical to
  (``annotations.selection``), as the write will place it;
- **unchanged**: the reviewer already has this very label there (same kind,
  note and source), so writing it would change nothing. This is what makes a
  re-import of the same file a no-op;
- **refused**, with the reason, when:

  * the file annotates several documents and this one is not the article
    (a file about one document is taken to be about the article it is
    imported into, so a fresh copy of the same text, at another URL, takes
    it back);
  * its reviewer has no account and no import account was named;
  * its text cannot be found (``locate``);
  * the file labels the same passage twice for the same reviewer;
  * the reviewer already labelled that passage otherwise in Sourcemark: an
    import never overwrites what someone set in the app.

Reviewers are matched by the caller (``accounts``: the file's reviewer
handle -> an account key); ``import_account`` takes every reviewer without
an account, when the person importing asked for that by name.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import urlsplit, urlunsplit

from annotations.interop.locate import Locator, NotFound
from annotations.interop.readers import Record, Refusal
from annotations.selection import SpanIndex, snap

Account = TypeVar("Account", bound=Hashable)

# A label's values as they are compared: (kind, note, source link), stripped.
LabelValues = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Write(Generic[Account]):
    record: Record
    account: Account
    start: int
    end: int
    quote: str  # the body's own text at start:end
    by: str  # how it was found: "position" or "quote"


@dataclass
class Plan(Generic[Account]):
    writes: list[Write[Account]] = field(default_factory=list)
    unchanged: list[Write[Account]] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


def same_document(a: str, b: str) -> bool:
    """Whether two URLs name the same page: scheme and host case, a trailing
    slash, the fragment, and http versus https are ignored."""
    return _document_key(a) == _document_key(b)


def _document_key(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = "https" if parts.scheme.lower() in ("http", "https") else parts.scheme.lower()
    return urlunsplit((scheme, parts.netloc.lower(), parts.path.rstrip("/"), parts.query, ""))


def plan(
    body: str,
    records: Iterable[Record],
    *,
    article_urls: Collection[str],
    accounts: Mapping[str, Account],
    import_account: Account | None = None,
    existing: Mapping[tuple[Account, int, int], LabelValues] | None = None,
    locator: Locator | None = None,
) -> Plan[Account]:
    """Sort ``records`` into writes, unchanged labels and refusals (module docstring).

    ``article_urls``: the article's canonical URL and its app URL.
    ``existing``: the article's labels, by (account, start, end).
    """
    records = list(records)
    existing = existing or {}
    locator = locator or Locator(body)
    result: Plan[Account] = Plan()
    documents = {_document_key(r.target) for r in records if r.target}
    ours = {_document_key(url) for url in article_urls if url}
    seen: dict[tuple[Account, int, int], Write[Account]] = {}
    spans = SpanIndex(body, [(at, *at) for at in {key[1:] for key in existing}])
    for record in records:
        if len(documents) > 1 and record.target and _document_key(record.target) not in ours:
            result.refusals.append(
                Refusal(record.origin, f"It annotates another document ({record.target}).")
            )
            continue
        account = accounts.get(record.reviewer, import_account)
        if account is None:
            who = record.reviewer or "nobody named"
            result.refusals.append(
                Refusal(
                    record.origin,
                    f"Its reviewer ({who}) has no Sourcemark account; "
                    "name an import account to keep it.",
                )
            )
            continue
        where = locator.locate(record.quote, record.prefix, record.suffix, record.start, record.end)
        if isinstance(where, NotFound):
            result.refusals.append(Refusal(record.origin, where.reason))
            continue
        # Snapped, and on the span it nearly matches, as the write will store it
        # (annotations.selection): a Label Studio region that splits an emoji becomes
        # the whole emoji, here, so that the plan compares and writes what the app stores.
        start, end = snap(body, where.start, where.end)
        place = spans.best(start, end)
        if place is None:
            spans.add((start, end), start, end)
        else:
            start, end = place
        write = Write(record, account, start, end, body[start:end], where.by)
        key = (account, start, end)
        values = (record.kind, record.note.strip(), record.source_url.strip())
        if key in seen:
            earlier = seen[key]
            result.refusals.append(
                Refusal(
                    record.origin,
                    f"{earlier.record.origin} already labels this passage for the same reviewer.",
                )
            )
            continue
        seen[key] = write
        stored = existing.get(key)
        if stored is None:
            result.writes.append(write)
        elif stored == values:
            result.unchanged.append(write)
        else:
            result.refusals.append(
                Refusal(
                    record.origin,
                    "The reviewer already labelled this passage otherwise in Sourcemark; "
                    "the import does not overwrite it.",
                )
            )
    return result
