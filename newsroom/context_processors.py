"""Template context for every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def csp_nonce(request: HttpRequest) -> dict[str, Any]:
    """This response's script nonce as ``csp_nonce``, the name ``{% htmx_script %}`` reads.

    Lazy: a page that writes no ``<script>`` never asks for it, and its policy then
    allows no script at all.
    """
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
