"""Security headers on every response the app serves, whatever answered it.

Django's own middleware adds the headers; this module closes two gaps (issue 10):

* ``HeadersOnEveryResponse``, outermost. SecurityMiddleware asks for the Host
  when it redirects plain HTTP to HTTPS; a bad Host raises right there, and
  the 400 page went out without a single security header, since it never
  passed back through the middleware that adds them. This hands every
  response to those middlewares once more on its way out; each leaves alone a
  header that is already there, so for every other response nothing changes.
* ``ContentSecurityPolicyMiddleware`` sends the nonce policy of the settings
  (``script-src 'nonce-…' 'strict-dynamic'``: a ``<script src>`` injected into
  a page does not run, even one from our own origin). The admin's templates
  cannot carry a nonce, so its pages get ``script-src`` limited to the admin's
  own script directory and its translation catalogue, by path: an injected
  ``<script src="/static/django_htmx/…">`` is refused there too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import reverse

from annotations.views.site import refusal


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith("/admin/") and not report_only:
            admin_scripts = _admin_script_sources(request)
            if admin_scripts:
                parts.replace = {**(parts.replace or {}), "script-src": admin_scripts}
        return parts


class HeadersOnEveryResponse:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header_middleware: list[
            SecurityMiddleware | ContentSecurityPolicyMiddleware | XFrameOptionsMiddleware
        ] = [
            SecurityMiddleware(get_response),
            ContentSecurityPolicyMiddleware(get_response),
            XFrameOptionsMiddleware(get_response),
        ]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for middleware in self.header_middleware:
            # Each adds headers to the response it is given and returns it.
            response = cast(HttpResponse, middleware.process_response(request, response))
        return response


def _admin_script_sources(request: HttpRequest) -> list[str]:
    """The admin's script directory and jsi18n on this host (a source with a path
    needs a host: 'self' cannot carry one). Empty for a host we do not serve."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return []
    if host.startswith("["):
        return []  # CSP has no syntax for an IPv6 address: the default policy applies
    return [f"{host}{settings.STATIC_URL}admin/", f"{host}{reverse('admin:jsi18n')}"]


class RefuseUnstorableText:
    """A 400 for a request carrying a NUL character anywhere a view could read text.

    PostgreSQL cannot store NUL in text: one in a source link, in the
    overview's outlet filter or in an admin list filter reached a query and
    ended in a 500, while SQLite stored it (issue 10). Checked here, once, for
    the path, every query parameter and every form field (names and values;
    not uploaded files), so both databases answer alike, whatever view the
    text was meant for. Decoding a request never yields the other text
    PostgreSQL refuses (lone surrogates): invalid UTF-8 becomes U+FFFD.
    """

    MESSAGE = (
        "The request contains a NUL character, which Sourcemark cannot store. "
        "Remove it (it is invisible: retyping the text does) and try again."
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            return refusal(request, self.MESSAGE)
        return self.get_response(request)


def _carries_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info:
        return True
    fields = [request.GET]
    if request.method == "POST":
        fields.append(request.POST)
    return any(
        "\x00" in name or any("\x00" in value for value in values)
        for query in fields
        for name, values in query.lists()
    )
