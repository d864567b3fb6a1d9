"""The site's own pages: the favicon, the 400 page, and the login lockout page."""

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


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 from Django itself: say what was wrong when we know (a request over the size
    limit), plainly otherwise."""
    too_big = isinstance(exception, RequestDataTooBig)
    return render(
        request,
        "400.html",
        {
            "too_big": too_big,
            "max_megabytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024),
            "body_max_chars": BODY_MAX_CHARS,
        },
        status=400,
    )


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
