"""Fetching a web address safely: a local server on 127.0.0.1 stands in for the web.

Without an allow-list every address of this machine is refused; with
127.0.0.1 allowed (as an intranet CMS would be) the same server is fetched.
Host names are resolved by a fake resolver, so no test looks anything up in
DNS, and a guard refuses any connection that is not to the loopback address.
"""

from __future__ import annotations

import gzip
import http.server
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator

import pytest
import trustme

from annotations.webpages.extract import extract_page
from annotations.webpages.fetch import (
    FetchPolicy,
    FetchRefused,
    fetch_page,
    is_public,
    resolve,
)

LOCAL = FetchPolicy.allowing(networks=["127.0.0.1/32"])
ARTICLE = (
    "<html><head><title>Fähre fällt aus | Inselbote</title>"
    '<meta property="og:site_name" content="Inselbote"></head><body><article>'
    "<h1>Fähre fällt aus</h1>"
    + "".join(
        f"<p>Absatz {i}: Die Fähre nach Süderoog fährt auch diese Woche nicht, "
        "sagte der Betreiber am Montag.</p>"
        for i in range(6)
    )
    + "</article></body></html>"
).encode("iso-8859-1")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def send(
        self, status: int, body: bytes, content_type: str = "text/html", **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.seen.append((self.path, self.headers.get("Host")))  # type: ignore[attr-defined]
        path = self.path
        if path == "/article":
            self.send(200, ARTICLE, "text/html; charset=ISO-8859-1")
        elif path.startswith("/hop/"):
            left = int(path.rsplit("/", 1)[1])
            target = "/article" if left == 0 else f"/hop/{left - 1}"
            self.send(302, b"", Location=target)
        elif path == "/to-metadata":
            self.send(302, b"", Location="http://169.254.169.254/latest/meta-data/")
        elif path == "/to-private":
            self.send(301, b"", Location="http://10.1.2.3/admin")
        elif path == "/to-ftp":
            self.send(302, b"", Location="ftp://127.0.0.1/file")
        elif path == "/pdf":
            self.send(200, b"%PDF-1.7", "application/pdf")
        elif path == "/missing":
            self.send(404, b"<h1>Not found</h1>")
        elif path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "50000000")
            self.end_headers()
        elif path == "/huge-streamed":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"<p>" + b"x" * 99_993 + b"</p>\n")
            except OSError:
                pass
        elif path == "/gzip-bomb":
            self.send(
                200,
                gzip.compress(b"<p>" + b"a" * 50_000_000),
                "text/html",
                Content_Encoding="gzip",
            )
        elif path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
        elif path == "/trickle-headers":
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for i in range(200):
                    self.wfile.write(f"X-Slow-{i}: y\r\n".encode())
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
        else:
            self.send(404, b"")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[tuple[str, str | None]] = []


def _serve(server: Server) -> Iterator[Server]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    yield from _serve(Server())


@pytest.fixture
def base(server: Server) -> str:
    return f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection that is not to this machine's loopback address fails the test."""
    connect = socket.socket.connect

    def guarded(sock: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else ""
        assert ipaddress.ip_address(host).is_loopback, f"test tried to reach {address}"
        connect(sock, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


def fake_dns(table: dict[str, list[str]]):
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    resolver.calls = calls  # type: ignore[attr-defined]
    return resolver


# --- the server is fetched when allowed --------------------------------------


def test_an_allowed_local_server_is_fetched_and_its_page_extracted(base, server):
    page = fetch_page(f"{base}/article", LOCAL)

    assert page.content == ARTICLE
    assert page.content_type == "text/html; charset=ISO-8859-1"
    article = extract_page(page.content, content_type=page.content_type, url=page.url)
    assert article.title == "Fähre fällt aus"
    assert article.outlet == "Inselbote"
    assert article.paragraphs[0].startswith("Absatz 0: Die Fähre nach Süderoog fährt")


def test_an_allowed_host_name_skips_the_address_check(base):
    policy = FetchPolicy.allowing(hosts=["127.0.0.1"])
    assert fetch_page(f"{base}/article", policy).content == ARTICLE


def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_connected(server):
    # A rebinding DNS server answers the second lookup with another address;
    # there is no second lookup.
    answers = iter([["127.0.0.1"], ["10.9.9.9"]])
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    page = fetch_page(f"http://news.test:{server.server_port}/article", LOCAL, resolver=rebinding)

    assert page.content == ARTICLE
    assert calls == ["news.test"]
    assert server.seen == [("/article", f"news.test:{server.server_port}")]


def test_redirects_are_followed_up_to_five(base):
    page = fetch_page(f"{base}/hop/4", LOCAL)
    assert page.content == ARTICLE
    assert page.redirects == tuple(f"{base}/hop/{n}" for n in (3, 2, 1, 0)) + (f"{base}/article",)


def test_a_sixth_redirect_is_refused(base):
    with pytest.raises(FetchRefused, match="redirected more than 5 times") as refused:
        fetch_page(f"{base}/hop/5", LOCAL)
    assert refused.value.reason == "redirect"


# --- refusals without the allow-list ------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "2130706433",  # 127.0.0.1 as one decimal number
        "0x7f.0.0.1",  # hexadecimal
        "0177.0.0.1",  # octal
        "127.1",  # shortened
        "0.0.0.0",
        "[::1]",
        "[::ffff:127.0.0.1]",  # IPv4-mapped IPv6
        "169.254.169.254",  # the cloud metadata service
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "100.64.0.1",
        "[fd12:3456::1]",
        "[fe80::1]",
        "224.0.0.1",
        "[ff02::1]",
        "240.0.0.1",
    ],
)
def test_local_and_private_addresses_are_refused_without_connecting(host, server):
    url = f"http://{host}:{server.server_port}/article"
    with pytest.raises(FetchRefused, match="local or private network address") as refused:
        fetch_page(url)
    assert refused.value.reason == "address"
    assert server.seen == []


@pytest.mark.parametrize(
    "addresses",
    [
        ["169.254.169.254"],
        ["127.0.0.1"],
        ["::1"],
        ["::ffff:10.0.0.1"],
        ["64:ff9b::7f00:1"],  # NAT64 form of 127.0.0.1
        ["2002:7f00:1::1"],  # 6to4 form of 127.0.0.1
        ["93.184.215.14", "127.0.0.1"],  # one bad address among good ones
    ],
)
def test_names_that_resolve_to_local_addresses_are_refused(addresses):
    resolver = fake_dns({"innocent.test": addresses})
    with pytest.raises(FetchRefused, match="innocent.test points to a local or private"):
        fetch_page("http://innocent.test/story", resolver=resolver)


def test_the_refusal_does_not_say_which_private_address_a_name_has():
    resolver = fake_dns({"intranet.test": ["10.20.30.40"]})
    with pytest.raises(FetchRefused) as refused:
        fetch_page("http://intranet.test/", resolver=resolver)
    assert "10.20.30.40" not in str(refused.value)


def test_a_redirect_to_the_metadata_service_is_refused(base, server):
    with pytest.raises(FetchRefused, match="169.254.169.254 points to a local or private"):
        fetch_page(f"{base}/to-metadata", LOCAL)
    assert [path for path, _ in server.seen] == ["/to-metadata"]


def test_a_redirect_to_a_private_network_is_refused_though_the_first_host_was_allowed(base):
    policy = FetchPolicy.allowing(hosts=["127.0.0.1"])
    with pytest.raises(FetchRefused, match="10.1.2.3 points to a local or private"):
        fetch_page(f"{base}/to-private", policy)


def test_a_redirect_to_another_scheme_is_refused(base):
    with pytest.raises(FetchRefused, match="http:// or https://"):
        fetch_page(f"{base}/to-ftp", LOCAL)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/file", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("gopher://127.0.0.1:6379/_INFO", "http:// or https://"),
        ("http://user:secret@example.org/", "user name or password"),
        ("http:///nohost", "no host name"),
        ("http://example.org:99999/", "not a valid web address"),
    ],
)
def test_addresses_that_are_not_plain_web_addresses_are_refused(url, message):
    with pytest.raises(FetchRefused, match=message) as refused:
        fetch_page(url, resolver=fake_dns({}))
    assert refused.value.reason == "url"


def test_an_unknown_host_gets_a_message():
    with pytest.raises(FetchRefused, match="could not be found") as refused:
        fetch_page("http://no-such-host.test/", resolver=fake_dns({}))
    assert refused.value.reason == "network"


def test_the_real_resolver_reads_every_spelling_of_an_ip_literal():
    for spelling in ("2130706433", "0x7f.1", "0177.0.0.1", "127.1"):
        assert resolve(spelling, 80) == ["127.0.0.1"]


def test_public_addresses_are_public():
    for address in ("93.184.215.14", "2606:4700:4700::1111", "::ffff:8.8.8.8"):
        assert is_public(ipaddress.ip_address(address))


# --- what comes back ------------------------------------------------------------


def test_only_html_is_accepted(base):
    with pytest.raises(
        FetchRefused, match=r"not a web page \(it sent application/pdf\)"
    ) as refused:
        fetch_page(f"{base}/pdf", LOCAL)
    assert refused.value.reason == "content_type"


def test_an_error_status_is_refused_with_it(base):
    with pytest.raises(FetchRefused, match="answered 404 Not Found") as refused:
        fetch_page(f"{base}/missing", LOCAL)
    assert refused.value.reason == "status"


@pytest.mark.parametrize("path", ["/huge-declared", "/huge-streamed", "/gzip-bomb"])
def test_pages_over_five_megabytes_are_refused(base, path):
    started = time.monotonic()
    with pytest.raises(FetchRefused, match="larger than 5 MB") as refused:
        fetch_page(f"{base}{path}", LOCAL)
    assert refused.value.reason == "size"
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers"])
def test_a_page_that_trickles_in_is_cut_off_at_the_time_limit(base, path):
    policy = FetchPolicy.allowing(networks=["127.0.0.1/32"], timeout=1.0)
    started = time.monotonic()
    with pytest.raises(FetchRefused, match="took longer than 1 seconds") as refused:
        fetch_page(f"{base}{path}", policy)
    assert refused.value.reason == "timeout"
    assert time.monotonic() - started < 3


# --- HTTPS: connected by address, verified by name -------------------------------


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def _tls_server(authority: trustme.CA, name: str) -> Server:
    server = Server()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(name).configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    return server


@pytest.fixture
def tls_policy(authority: trustme.CA, tmp_path) -> FetchPolicy:
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    return FetchPolicy.allowing(networks=["127.0.0.1/32"], ca_certs=str(ca_file))


def test_https_connects_to_the_checked_address_and_verifies_the_host_name(authority, tls_policy):
    for server in _serve(_tls_server(authority, "news.test")):
        resolver = fake_dns({"news.test": ["127.0.0.1"]})
        page = fetch_page(
            f"https://news.test:{server.server_port}/article", tls_policy, resolver=resolver
        )
        assert page.content == ARTICLE


def test_https_with_a_certificate_for_another_name_is_refused(authority, tls_policy):
    for server in _serve(_tls_server(authority, "other.test")):
        resolver = fake_dns({"news.test": ["127.0.0.1"]})
        with pytest.raises(FetchRefused, match="certificate could not be verified"):
            fetch_page(
                f"https://news.test:{server.server_port}/article", tls_policy, resolver=resolver
            )
