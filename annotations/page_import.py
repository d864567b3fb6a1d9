"""A new article from a web page: the page read or fetched, previewed, and saved as previewed.

The editor uploads a saved page or gives a web address; the page is reduced
to its story and metadata (``annotations.webpages``) and shown. The
metadata are the editor's to correct; the text is saved exactly as shown.
It travels to the Save request inside the preview form as a token signed
with ``SECRET_KEY`` (``django.core.signing``, compressed), so the server
takes back only text it extracted itself, unchanged and at most
``MAX_AGE`` seconds old: a text typed into a forged request is refused,
and a fetched article holds what was fetched. The text is not extracted
again on Save, because a web address may answer differently a minute
later (live pages, rotating boxes) and the editor approved what was shown;
nor kept on the server, which would need a table and a clean-up for
previews never saved.

An article is the same text when its body's fingerprint matches (the hard
rule, a unique constraint: ``ingest``), and maybe the same story when its
address does once both are spelt one way (``canonical_url``): the preview
says so and Save asks for a confirmation; ``import_articles`` skips it
unless told otherwise.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError

from annotations.ingest import fingerprint
from annotations.models import URL_MAX_LENGTH, Article
from annotations.text import PARAGRAPH_BREAK
from annotations.webpages.address import canonical_url
from annotations.webpages.extract import ExtractedPage, extract_page
from annotations.webpages.fetch import FetchPolicy, fetch_page

SALT = "annotations.page_import.preview"
MAX_AGE = 60 * 60  # seconds between the preview and its Save


def fetch_policy() -> FetchPolicy:
    """The fetch rules with this site's allow-list (``WEB_FETCH_ALLOWED_*`` settings)."""
    return FetchPolicy.allowing(
        hosts=settings.WEB_FETCH_ALLOWED_HOSTS, networks=settings.WEB_FETCH_ALLOWED_NETWORKS
    )


def read_upload(content: bytes) -> ExtractedPage:
    """A saved page's story and metadata; raises ``PageRefused`` with the reason.

    Bytes, not text: the page's own charset declaration decides how they read.
    """
    return extract_page(content)


def fetch(address: str) -> ExtractedPage:
    """A web address's story and metadata; raises ``FetchRefused`` or ``PageRefused``."""
    fetched = fetch_page(address, fetch_policy())
    return extract_page(fetched.content, content_type=fetched.content_type, url=fetched.url)


class PreviewExpired(ValidationError):
    """A token that was changed, signed with another key, or is older than ``MAX_AGE``."""

    def __init__(self) -> None:
        super().__init__(
            "This preview has expired or was changed, so its text cannot be saved. "
            "Upload the page or fetch the address again.",
            code="preview_expired",
        )


@dataclass(frozen=True)
class Preview:
    """What a preview showed: the text to be saved, what was left out, where it came from."""

    paragraphs: tuple[str, ...]
    removed: tuple[str, ...]
    origin: str  # "the file ferry.html" or the address fetched

    @property
    def body(self) -> str:
        return PARAGRAPH_BREAK.join(self.paragraphs)

    @property
    def words(self) -> int:
        return len(self.body.split())

    def token(self) -> str:
        payload = {"p": list(self.paragraphs), "r": list(self.removed), "o": self.origin}
        return signing.dumps(payload, salt=SALT, compress=True)

    @classmethod
    def from_token(cls, token: str) -> Preview:
        """The preview a token was made from; raises ``PreviewExpired``."""
        try:
            payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        except signing.BadSignature:  # SignatureExpired is one too
            raise PreviewExpired() from None
        return cls(tuple(payload["p"]), tuple(payload["r"]), payload["o"])

    @classmethod
    def of(cls, page: ExtractedPage, origin: str) -> Preview:
        return cls(page.paragraphs, page.removed, origin)


def initial_details(page: ExtractedPage) -> dict[str, Any]:
    """The preview form's fields as the page gives them."""
    return {
        "title": page.title,
        "outlet": page.outlet,
        "byline": page.byline,
        "published": page.published,
        "url": page.url,
    }


@dataclass(frozen=True)
class StoredAt:
    """An article already stored from the same address: enough to name and link it."""

    id: int
    title: str
    created_at: datetime.datetime


def stored_at(url: str) -> StoredAt | None:
    """The oldest article whose address is ``url`` spelt one way, if any. One query
    (none for an empty address), on the ``canonical_url`` index."""
    key = canonical_url(url, max_length=URL_MAX_LENGTH)
    if not key:
        return None
    found = (
        Article.objects.filter(canonical_url=key)
        .order_by("created_at", "id")
        .values_list("id", "title", "created_at")
        .first()
    )
    return StoredAt(*found) if found else None


def same_text(body: str) -> StoredAt | None:
    """The article that already holds exactly this canonical ``body``, if any. One query."""
    found = (
        Article.objects.filter(fingerprint=fingerprint(body))
        .values_list("id", "title", "created_at")
        .first()
    )
    return StoredAt(*found) if found else None
