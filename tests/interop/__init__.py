"""Files and helpers for the interop tests: the vendored W3C context, the
sample exports of other tools (README.md says where each comes from), and a
JSON-LD expansion that can read nothing but the vendored context."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pyld import jsonld

HERE = Path(__file__).parent
ANNO_CONTEXT_URL = "http://www.w3.org/ns/anno.jsonld"
ANNO_CONTEXT = json.loads((HERE / "anno.jsonld").read_text(encoding="utf-8"))
# Every term the context defines: an export may use no other key or value term.
CONTEXT_TERMS = frozenset(ANNO_CONTEXT["@context"])


def sample(name: str) -> bytes:
    return (HERE / name).read_bytes()


def _vendored_only(url: str, options: Any = None) -> dict[str, Any]:
    if url.rstrip("/") in (ANNO_CONTEXT_URL, "https://www.w3.org/ns/anno.jsonld"):
        return {"contextUrl": None, "documentUrl": ANNO_CONTEXT_URL, "document": ANNO_CONTEXT}
    raise AssertionError(f"The test tried to load {url}: only the vendored context may be read.")


def expand(document: Any) -> list[dict[str, Any]]:
    """``document`` expanded by pyld, contexts read from this folder only."""
    return jsonld.expand(document, {"documentLoader": _vendored_only})


def label_row(**values: Any) -> Any:
    """A ``LabelRow`` with plausible values; keyword arguments replace any of them."""
    from annotations.interop.webannotation import LabelRow

    row: dict[str, Any] = {
        "article_id": 7,
        "label_id": 11,
        "kind": "official_claim",
        "start": 0,
        "end": 9,
        "quote": "Officials",
        "prefix": "",
        "suffix": " say 300,000 reservists were ca",
        "note": "",
        "source_url": "",
        "reviewer": "alice",
        "reviewer_name": "",
        "created": "2026-11-28T08:55:03Z",
        "updated": "2026-11-28T09:01:44Z",
        "article_url": "",
    }
    row.update(values)
    return LabelRow(**row)
