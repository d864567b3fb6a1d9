"""A stand-in for the web on 127.0.0.1: the saved pages of ``tests/webpages/`` at ``/NAME``.

The app's tests fetch from it with ``WEB_FETCH_ALLOWED_NETWORKS`` set to this
address (as an intranet CMS would be allowed) and show the refusals without
it. ``/pdf`` answers with a PDF, ``/to-metadata`` redirects to the cloud
metadata address, and every other path is a 404.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bench.extraction import load_cases

PAGES = {case.name: case for case in load_cases()}
ALLOW_LOCAL = ["127.0.0.1/32"]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        name = self.path.strip("/")
        if name in PAGES:
            case = PAGES[name]
            self._send(200, case.html, case.content_type or "text/html")
        elif name == "pdf":
            self._send(200, b"%PDF-1.7", "application/pdf")
        elif name == "to-metadata":
            self._send(302, b"", "text/html", Location="http://169.254.169.254/latest/meta-data/")
        else:
            self._send(404, b"<h1>Not found</h1>", "text/html")


class LocalWeb(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}/{path.lstrip('/')}"


@contextmanager
def local_web() -> Iterator[LocalWeb]:
    server = LocalWeb()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
