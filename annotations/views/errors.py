"""Error pages Django shows itself; a request too large for a view lands here as a 400."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from annotations.models import BODY_MAX_CHARS


def bad_request(
    request: HttpRequest, exception: Exception | None = None, *, message: str = ""
) -> HttpResponse:
    """400: say what was wrong when we know (a request over the size limit, or ``message``),
    plainly otherwise. The message is escaped like everything else a template shows:
    it may quote what the request sent."""
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
    """``message`` with ``status``: plain text for htmx, which the page's script shows in
    its toolbar or panel (htmx swaps no error answer); a page otherwise."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response = bad_request(request, message=message)
    response.status_code = status
    return response
