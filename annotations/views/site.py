"""Site-wide odds and ends that are not pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links to. The URL is looked up
    per request: in production it is a hashed name that exists only after collectstatic,
    and looking it up at import would break every command run before that."""
    return HttpResponseRedirect(static("annotations/favicon.svg"))
