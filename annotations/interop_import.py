"""Labels in from another tool's file: Web Annotation, Hypothesis or Label Studio.

The upload on the article page and ``manage.py import_annotations`` both
call ``import_file``. The rules, in the order they apply:

1. **The file** is read by ``annotations.interop.readers``: one that is not
   JSON, too large, or in no format Sourcemark reads is refused whole
   (``ImportRefused``); otherwise each annotation becomes a record or a
   refusal with its reason.
2. **Reviewers** are matched by username. A handle that is an e-mail address
   (Label Studio names its annotators so) matches the one account with that
   address, when exactly one has it. Anyone else is refused, or, when the
   person importing names an import account (``import_account``), kept under
   that account.
3. **Where, and whether** each label goes is decided by
   ``annotations.interop.importplan`` under the article's lock, against the
   labels stored at that moment: placed by position or by quote and context,
   else refused; the same label already there is *unchanged*; a different
   one by the same reviewer on the same passage is refused (an import never
   overwrites). Each label's fields are then checked as the app checks
   them (``labelling.clean_label_fields``: a note with markup, a note too
   long, a link that is not http(s) are refused).
4. **All or nothing.** When any annotation is refused, nothing is written
   unless the person importing asked for the others (``skip_refused``).
   What is written is written at once (``labelling.import_labels``: one
   lock, one revision bump, an audit entry per label naming who imported
   it and from what). A file imported twice changes nothing the second time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from annotations import figures
from annotations.interop.importplan import plan
from annotations.interop.readers import MAX_FILE_BYTES, FileRefused, Refusal, read
from annotations.interop.vocabulary import DEFAULT_KINDS, KindTable
from annotations.interop_export import NoSiteUrl, site
from annotations.labelling import (
    ExistingLabels,
    LabelError,
    NewLabel,
    clean_label_fields,
    import_labels,
)
from annotations.models import Article


class ImportRefused(Exception):
    """The whole file is refused (nothing written); ``message`` says why, for an editor."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"


@dataclass
class ImportResult:
    """What an import did, and every annotation it refused with the reason."""

    format: str
    annotations: int  # in the file
    written: int = 0
    unchanged: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skip_refused: bool = False

    @property
    def blocked(self) -> bool:
        """Something was refused and the person importing did not ask for the rest: nothing written."""
        return bool(self.refusals) and not self.skip_refused

    @property
    def summary(self) -> str:
        if self.blocked:
            return (
                f"Nothing was imported: {_count(len(self.refusals), 'annotation')} of "
                f"{self.annotations:,} in the file {'is' if len(self.refusals) == 1 else 'are'} "
                "refused (listed below). Correct the file, or import the others anyway."
            )
        parts = [f"{_count(self.written, 'label')} imported"]
        if self.unchanged:
            parts.append(f"{self.unchanged:,} already in Sourcemark")
        if self.refusals:
            parts.append(f"{len(self.refusals):,} refused")
        return ", ".join(parts) + "."


def label_names(extra: dict[str, str] | None = None) -> KindTable:
    """The table of label names an import reads: the built-in one, then
    ``settings.IMPORT_LABEL_NAMES``, then ``extra`` (each wins over the one before)."""
    return DEFAULT_KINDS.extended({**settings.IMPORT_LABEL_NAMES, **(extra or {})})


def import_file(
    article: Article,
    data: bytes,
    *,
    by: Any,
    via: str,
    skip_refused: bool = False,
    import_account: str | None = None,
    kinds: KindTable | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> ImportResult:
    """Import the file ``data`` into ``article`` (module docstring); ``by`` imports it, ``via`` how.

    ``kinds`` reads label names (default: ``label_names()``).
    Raises ``ImportRefused`` for a file refused whole, and ``LabelError``
    should a label fail the write path's own checks (nothing is written then).
    Queries: the reviewers' accounts (one), then ``labelling.import_labels``.
    """
    try:
        parsed = read(data, kinds=kinds or label_names(), body=article.body, max_bytes=max_bytes)
    except FileRefused as error:
        raise ImportRefused(str(error)) from None
    accounts, fallback = _accounts({record.reviewer for record in parsed.records}, import_account)
    result = ImportResult(
        format=parsed.format,
        annotations=len(parsed.records) + len(parsed.refusals),
        warnings=parsed.warnings,
        skip_refused=skip_refused,
    )

    def decide(locked: Article, existing: ExistingLabels) -> Sequence[NewLabel]:
        placed = plan(
            locked.body,
            parsed.records,
            article_urls=_urls(locked),
            accounts=accounts,
            import_account=fallback,
            existing=existing,
        )
        refusals = parsed.refusals + placed.refusals
        writes = []
        for write in placed.writes:
            record = write.record
            try:
                kind, note, source_url = clean_label_fields(
                    record.kind, record.note, record.source_url
                )
            except LabelError as error:
                refusals.append(Refusal(record.origin, error.message))
                continue
            writes.append(
                NewLabel(write.account, write.start, write.end, write.quote, kind, note, source_url)
            )
        order = {origin: n for n, origin in enumerate(parsed.origins)}
        result.refusals = sorted(refusals, key=lambda refusal: order.get(refusal.origin, 0))
        result.unchanged = len(placed.unchanged)
        return [] if result.blocked else writes

    reason = f"imported from a {parsed.format} file ({via})"
    # One transaction (no savepoint of its own) for the labels and their figures:
    # the overview shows them at once, computing nothing.
    with transaction.atomic(savepoint=False):
        result.written = import_labels(article.pk, decide, author=by, reason=reason)
        if result.written:
            figures.update([article.pk])
    return result


def _urls(article: Article) -> list[str]:
    """The addresses a file may name the article by: its own, and its page and export here."""
    urls = [article.url] if article.url else []
    try:
        here = site()
    except NoSiteUrl:
        return urls
    return [*urls, here.article(article.pk), here.export(article.pk)]


def _accounts(
    handles: Collection[str], import_account: str | None
) -> tuple[dict[str, int], int | None]:
    """(handle -> account id, the import account's id): one query (rule 2)."""
    handles = {handle for handle in handles if handle}
    emails = {handle for handle in handles if "@" in handle}
    usernames = handles | ({import_account} if import_account else set())
    users = get_user_model().objects.filter(Q(username__in=usernames) | Q(email__in=emails))
    by_username: dict[str, int] = {}
    by_email: dict[str, list[int]] = defaultdict(list)
    for pk, username, email in users.values_list("pk", "username", "email"):
        by_username[username] = pk
        by_email[email].append(pk)
    accounts = {handle: by_username[handle] for handle in handles if handle in by_username}
    for handle in emails - accounts.keys():
        if len(by_email.get(handle, ())) == 1:
            accounts[handle] = by_email[handle][0]
    if import_account is None:
        return accounts, None
    if import_account not in by_username:
        raise ImportRefused(
            f"There is no account named “{import_account}” to keep the labels of reviewers "
            "without an account here. An admin can create it, or import without that option."
        )
    return accounts, by_username[import_account]
