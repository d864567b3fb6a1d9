"""Fetching a web address without letting it reach the server's own network (SSRF). Pure:
no Django imports; the allow-list arrives as an argument.

An editor's web address is fetched only when every rule holds, and each
refusal is a :class:`FetchRefused` whose message says why in words an editor
can act on (without revealing which private address a name points to):

* only ``http`` and ``https``, with a host and without ``user:password@``;
* the host is resolved here, and refused if **any** of its addresses is not a
  public one: loopback, private (RFC 1918, unique-local), shared (CGNAT),
  link-local (169.254.169.254, the cloud metadata service, included),
  multicast, reserved, documentation, benchmarking and unspecified (0.0.0.0,
  ``::``) ranges, IPv4 and IPv6 alike; an IPv4-mapped IPv6 address
  (``::ffff:127.0.0.1``) counts as the IPv4 address it carries, and the
  translation prefixes that reach IPv4 hosts (NAT64, 6to4, Teredo) are refused. IP
  literals in any spelling the C resolver accepts (``2130706433``,
  ``0x7f.1``, ``0177.0.0.1``, ``127.1``) resolve to what they mean and meet
  the same rule;
* the connection goes to the address that was checked, never through a
  second lookup that DNS rebinding could answer differently; HTTPS still
  verifies the certificate against the host name (SNI included), with no
  insecure fallback;
* redirects are followed by hand, at most ``max_redirects``, each hop checked
  like the first;
* the whole fetch, every hop and read included, ends after ``timeout``
  seconds (a watchdog closes a connection that trickles);
* at most ``max_bytes`` of the decoded body are read (a compressed bomb stops
  there), and only ``text/html`` or ``application/xhtml+xml`` responses with
  status 200 are accepted.

:class:`FetchPolicy` carries the allow-list for an intranet CMS: host names
(``cms.intranet``, or ``.intranet`` for every name under it) whose addresses
are not checked, and networks (``10.20.0.0/16``) whose addresses are allowed.
Environment proxies are never used: through a proxy, the checked address
would be the proxy's.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.response import BaseHTTPResponse

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]
Reason = Literal[
    "address", "content_type", "network", "redirect", "size", "status", "timeout", "url"
]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# IANA special-purpose ranges, checked besides ``is_global`` (whose table
# differs between Python releases).
_BLOCKED = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64",
        "2001::/23", "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10", "fec0::/10",
        "ff00::/8",
    )
)  # fmt: skip


class FetchRefused(ValueError):
    """A web address Sourcemark will not fetch; ``str()`` is a sentence for the editor."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class FetchPolicy:
    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[IPNetwork, ...] = ()
    max_bytes: int = 5_000_000
    timeout: float = 10.0
    max_redirects: int = 5
    user_agent: str = "Sourcemark/1.0 (article import)"
    ca_certs: str = field(default_factory=certifi.where)

    @classmethod
    def allowing(
        cls, hosts: Iterable[str] = (), networks: Iterable[str] = (), **limits: object
    ) -> FetchPolicy:
        """A policy from setting-like strings: host names and CIDR networks."""
        return cls(
            allowed_hosts=frozenset(h.strip().lower() for h in hosts if h.strip()),
            allowed_networks=tuple(
                ipaddress.ip_network(n.strip(), strict=False) for n in networks if n.strip()
            ),
            **limits,  # type: ignore[arg-type]
        )

    def allows_host(self, host: str) -> bool:
        return any(
            host == allowed or (allowed.startswith(".") and host.endswith(allowed))
            for allowed in self.allowed_hosts
        )

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.allowed_networks)


DEFAULT_POLICY = FetchPolicy()


@dataclass(frozen=True)
class FetchedPage:
    """A fetched HTML page: its bytes, the header that names their charset, where it ended."""

    url: str
    content: bytes
    content_type: str
    redirects: tuple[str, ...]


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IP literals in any spelling included)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public(address: IPAddress) -> bool:
    """True for an address on the public internet (see the module docstring)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return (
        address.is_global
        and not (address.is_private or address.is_loopback or address.is_link_local)
        and not (address.is_multicast or address.is_reserved or address.is_unspecified)
        and not any(address in n for n in _BLOCKED if n.version == address.version)
    )


def fetch_page(
    url: str, policy: FetchPolicy = DEFAULT_POLICY, *, resolver: Resolver = resolve
) -> FetchedPage:
    """Fetch ``url`` by the rules in the module docstring, or raise :class:`FetchRefused`."""
    deadline = time.monotonic() + policy.timeout
    redirects: list[str] = []
    current = url.strip()
    while True:
        target = _Target.parse(current)
        address = _checked_address(target, policy, resolver)
        response, connection, watchdog = _request(target, address, policy, deadline)
        try:
            location = response.headers.get("Location")
            if response.status in REDIRECT_STATUSES and location:
                if len(redirects) >= policy.max_redirects:
                    raise FetchRefused(
                        "redirect",
                        f"The address redirected more than {policy.max_redirects} times; "
                        "open it in a browser and use the address it ends at.",
                    )
                current = urljoin(current, location)
                redirects.append(current)
                continue
            return _read_page(current, response, policy, deadline, tuple(redirects))
        finally:
            watchdog.cancel()
            response.release_conn()
            connection.close()


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str
    host_header: str

    @classmethod
    def parse(cls, url: str) -> _Target:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise FetchRefused("url", "That is not a valid web address.") from error
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchRefused(
                "url", "Only web addresses starting with http:// or https:// can be fetched."
            )
        if parts.username is not None or parts.password is not None:
            raise FetchRefused(
                "url", "Web addresses with a user name or password in them are not fetched."
            )
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise FetchRefused("url", "The web address has no host name.")
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError as error:
            raise FetchRefused("url", "The web address's host name is not valid.") from error
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        default_port = 443 if scheme == "https" else 80
        port = port or default_port
        netloc_host = f"[{host}]" if ":" in host else host
        host_header = netloc_host if port == default_port else f"{netloc_host}:{port}"
        return cls(scheme, host, port, path, host_header)


def _checked_address(target: _Target, policy: FetchPolicy, resolver: Resolver) -> str:
    try:
        found = resolver(target.host, target.port)
    except (OSError, UnicodeError) as error:
        raise FetchRefused(
            "network", f"The host {target.host} could not be found. Check the address."
        ) from error
    addresses: list[IPAddress] = []
    for text in found:
        try:
            addresses.append(ipaddress.ip_address(text.split("%", 1)[0]))
        except ValueError:
            continue
    if not addresses:
        raise FetchRefused(
            "network", f"The host {target.host} could not be found. Check the address."
        )
    if not policy.allows_host(target.host):
        for address in addresses:
            if not is_public(address) and not policy.allows_address(address):
                raise FetchRefused(
                    "address",
                    f"{target.host} points to a local or private network address. "
                    "Sourcemark only fetches pages from the public internet; an "
                    "administrator can allow an intranet site in the settings.",
                )
    return str(addresses[0])


def _request(
    target: _Target, address: str, policy: FetchPolicy, deadline: float
) -> tuple[BaseHTTPResponse, HTTPConnection, threading.Timer]:
    remaining = _remaining(deadline, policy)
    connection: HTTPConnection
    if target.scheme == "https":
        connection = HTTPSConnection(
            address,
            target.port,
            timeout=remaining,
            cert_reqs="CERT_REQUIRED",
            ca_certs=policy.ca_certs,
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    else:
        connection = HTTPConnection(address, target.port, timeout=remaining)
    watchdog = threading.Timer(remaining, _cut, [connection])
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(
            "GET",
            target.path,
            headers={
                "Host": target.host_header,
                "User-Agent": policy.user_agent,
                "Accept": "text/html,application/xhtml+xml;q=0.9",
                "Accept-Encoding": "gzip, deflate",
            },
            preload_content=False,
        )
        response = connection.getresponse()
        # The watchdog may have cut the headers short: what arrived is not the answer.
        _remaining(deadline, policy)
    except Exception as error:
        watchdog.cancel()
        connection.close()
        if isinstance(error, FetchRefused):
            raise
        raise _network_refusal(error, target, deadline, policy) from error
    return response, connection, watchdog


def _read_page(
    url: str,
    response: BaseHTTPResponse,
    policy: FetchPolicy,
    deadline: float,
    redirects: tuple[str, ...],
) -> FetchedPage:
    if response.status != 200:
        reason = getattr(response, "reason", "") or ""
        raise FetchRefused(
            "status",
            f"The address answered {response.status} {reason}".rstrip()
            + " instead of a page. Check the address in a browser.",
        )
    content_type = response.headers.get("Content-Type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in HTML_TYPES:
        raise FetchRefused(
            "content_type",
            f"The address is not a web page (it sent {media_type or 'no content type'}). "
            "Only HTML pages can be imported.",
        )
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > policy.max_bytes:
        raise FetchRefused("size", _too_large(policy))
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.stream(65_536, decode_content=True):
            size += len(chunk)
            if size > policy.max_bytes:
                raise FetchRefused("size", _too_large(policy))
            chunks.append(chunk)
            _remaining(deadline, policy)
    except FetchRefused:
        raise
    except Exception as error:
        raise _network_refusal(error, None, deadline, policy) from error
    _remaining(deadline, policy)
    return FetchedPage(url, b"".join(chunks), content_type, redirects)


def _remaining(deadline: float, policy: FetchPolicy) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchRefused("timeout", _too_slow(policy))
    return left


def _cut(connection: HTTPConnection) -> None:
    """The watchdog: end a connection that outlived the deadline, even mid-read."""
    sock = connection.sock
    if sock is not None:
        # The plain socket's shutdown, so a TLS object another thread reads is left alone.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _network_refusal(
    error: Exception, target: _Target | None, deadline: float, policy: FetchPolicy
) -> FetchRefused:
    timeouts = (TimeoutError, socket.timeout, urllib3.exceptions.TimeoutError)
    if time.monotonic() >= deadline or isinstance(error, timeouts):
        return FetchRefused("timeout", _too_slow(policy))
    certificate_errors = (
        ssl.SSLError,
        urllib3.exceptions.SSLError,
        urllib3.util.ssl_match_hostname.CertificateError,
    )
    if isinstance(error, certificate_errors):
        return FetchRefused(
            "network",
            "The site's security certificate could not be verified, so the page was not fetched.",
        )
    where = f" to {target.host}" if target is not None else ""
    return FetchRefused(
        "network", f"The connection{where} failed before the page arrived. Try again later."
    )


def _too_large(policy: FetchPolicy) -> str:
    return (
        f"The page is larger than {policy.max_bytes / 1_000_000:g} MB, the most Sourcemark fetches."
    )


def _too_slow(policy: FetchPolicy) -> str:
    return f"The site took longer than {policy.timeout:g} seconds to send the page."
