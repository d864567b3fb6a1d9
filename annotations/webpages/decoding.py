"""The bytes of a saved or fetched page decoded to text. Pure: no Django imports.

The encoding is chosen as a browser chooses it (WHATWG "encoding sniffing"),
first match wins:

1. a byte-order mark (UTF-8, UTF-16 LE/BE);
2. the ``charset`` of the HTTP ``Content-Type`` header, when the page was fetched;
3. a ``<meta charset>`` or ``<meta http-equiv="Content-Type" content="...charset=...">``
   in the first 4,096 bytes;
4. UTF-8, when the bytes are valid UTF-8;
5. windows-1252, the web's legacy default.

Labels are resolved with the WHATWG table (``webencodings``), so
``ISO-8859-1``, ``latin1`` and ``us-ascii`` all mean windows-1252 as they do in
every browser: pages that declare Latin-1 routinely use its curly quotes, € and
…, which real ISO-8859-1 lacks. A ``<meta>`` that names UTF-16 means UTF-8 (the
meta tag could not have been read if the page were UTF-16). Bytes the chosen
encoding cannot map become U+FFFD rather than an error: an editor sees the
damage in the preview instead of losing the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import webencodings

# The WHATWG prescan reads 1,024 bytes; pages with long inline scripts in
# <head> often declare their charset later, and browsers re-decode on finding it.
PRESCAN_BYTES = 4096

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16le"),
    (b"\xfe\xff", "utf-16be"),
)
_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_CHARSET_ATTR = re.compile(rb"""\bcharset\s*=\s*["']?\s*([^\s"'/>;]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([^\s"';]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class DecodedPage:
    """A page's text and where its encoding came from (shown in the preview)."""

    text: str
    encoding: str
    source: str  # "bom", "http-header", "meta", "utf-8" or "default"


def charset_from_content_type(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type header value, if any."""
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def _lookup(label: bytes | str) -> webencodings.Encoding | None:
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    return webencodings.lookup(label)


def _meta_encoding(head: bytes) -> webencodings.Encoding | None:
    for tag in _META.finditer(head):
        match = _CHARSET_ATTR.search(tag.group(0))
        if match is None:
            continue
        encoding = _lookup(match.group(1))
        if encoding is None:
            continue
        if encoding.name in ("utf-16le", "utf-16be"):
            return webencodings.lookup("utf-8")
        if encoding.name == "x-user-defined":
            return webencodings.lookup("windows-1252")
        return encoding
    return None


def decode_page(raw: bytes, content_type: str = "") -> DecodedPage:
    """Decode ``raw`` by the rules in the module docstring."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return DecodedPage(raw[len(bom) :].decode(name, "replace"), name, "bom")
    declared = charset_from_content_type(content_type) if content_type else None
    encoding = _lookup(declared) if declared else None
    if encoding is not None:
        return DecodedPage(_decode(raw, encoding), encoding.name, "http-header")
    encoding = _meta_encoding(raw[:PRESCAN_BYTES])
    if encoding is not None:
        return DecodedPage(_decode(raw, encoding), encoding.name, "meta")
    try:
        return DecodedPage(raw.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError:
        return DecodedPage(raw.decode("cp1252", "replace"), "windows-1252", "default")


def _decode(raw: bytes, encoding: webencodings.Encoding) -> str:
    return raw.decode(encoding.codec_info.name, "replace")
