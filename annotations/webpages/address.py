"""One spelling per web address, to find an article saved from the same page. Pure: no Django.

Two addresses of one story differ in ways a reader never notices: ``http``
or ``https``, ``www.`` or not, capitals in the host name, a default port, a
trailing slash, a ``#fragment``, the tracking parameters a newsletter or a
social network adds (``utm_*``, ``fbclid``...), the escaping of the same
character. :func:`canonical_url` removes exactly these differences and
nothing else: the path keeps its case, and the other query parameters keep
their values and their order (``?id=7`` names another story than ``?id=8``).

The result is an ``https://`` address in ASCII (the host in IDNA, the rest
percent-encoded), or ``""`` when there is nothing to compare: no address,
one that is not ``http(s)`` or has no host, or one longer than
``max_length`` once written out (an index entry must stay small).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlencode, urlsplit, urlunsplit

# Parameters that say who sent the reader, never which page they read.
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ocid", "cmpid"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters a URL may carry as they are; everything else is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = ":@!$'()*,;/?-._~"
_ESCAPED_SLASH = re.compile("%2f", re.IGNORECASE)


def canonical_url(url: str, *, max_length: int = 2000) -> str:
    """The address's one spelling (module docstring), or ``""`` when it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a malformed IPv6 host or port
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return ""
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        host = quote(host.lower(), safe="")
    host = host.removeprefix("www.")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    # Escapes read and written one way (``%7e``, ``%7E`` and ``~`` are one character),
    # except an escaped slash, which separates nothing and so makes another path.
    path = "%2F".join(
        quote(unquote_to_bytes(piece), safe=_PATH_SAFE)
        for piece in _ESCAPED_SLASH.split(parts.path)
    )
    path = path.rstrip("/") or "/"
    query = urlencode(
        [
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if not _is_tracking(name)
        ],
        quote_via=quote,
        safe=_QUERY_SAFE,
    )
    canonical = urlunsplit(("https", host, path, query, ""))
    return canonical if len(canonical) <= max_length else ""


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name.startswith("utm_") or name in TRACKING_PARAMETERS
