"""The app's URLs plus one that echoes its input as the old /reports/?sort= 400 did.

Only for tests that must prove their check catches an echo (test_no_echo) or
that the browser's defences stop the payload when escaping slips (Chromium).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import path

from newsroom.urls import urlpatterns as app_urlpatterns


def echo(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort") or request.POST.get("sort")
    return HttpResponseBadRequest(f"Unknown sort {sort!r}: use one of date, speculation.")


urlpatterns = [path("echo/", echo), *app_urlpatterns]
