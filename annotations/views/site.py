"""The site's own answers: the favicon, the 400 page, a refusal, and the login lockout page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from annotations.models import BODY_MAX_CHARS


@require_GET
@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links to. The URL is looked up
    per request: in production it is a hashed name that exists only after collectstatic,
    and looking it up at import would break every command run before that."""
    return HttpResponseRedirect(static("annotations/favicon.svg"))


def bad_request(
    request: HttpRequest, exception: Exception | None = None, *, message: str = ""
) -> HttpResponse:
    """400: say what was wrong when we know (a request over the size limit, or ``message``),
    plainly otherwise. The message is escaped like everything else a template shows:
    it may quote what the request sent. Django's own 400s land here too (handler400)."""
    too_big = isinstance(exception, RequestDataTooBig)
    return render(
        request,
        "400.html",
        {
            "too_big": too_big,
            "message": message,
            "max_megabytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1000 * 1000),
            "body_max_chars": BODY_MAX_CHARS,
        },
        status=400,
    )


def refusal(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    """``message`` with ``status``: for htmx the message alone, as plain text, which the
    page's script (``static/annotations/errors.js``) shows in the error region of the
    element that sent the request (htmx swaps no error answer); a page otherwise."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response = bad_request(request, message=message)
    response.status_code = status
    return response


def lockout(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What django-axes shows instead of logging in once an account is locked out: 429 with
    a page that says how long to wait (axes' own context gives a raw timedelta)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/lockout.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
