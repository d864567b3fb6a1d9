"""What an htmx request is told when the app refuses it."""

from __future__ import annotations

from typing import Any


def refusal(response: Any) -> str:
    """The message of a refused htmx write: plain text, never markup htmx could swap.

    The page's script shows it in the toolbar or panel as text (issue 10).
    """
    assert 400 <= response.status_code < 500, response.status_code
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "HX-Retarget" not in response and "HX-Reswap" not in response
    return response.content.decode()
