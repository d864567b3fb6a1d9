"""A short article and its correction, shared by the corrections tests (server and Chromium):
a paragraph added first, a typo fixed inside a span, and a paragraph deleted."""

from __future__ import annotations

OLD = (
    "Officials say 300,000 reservist were called up.\n\n"
    "The ministry denied the report on Monday.\n\n"
    "Reporters saw the medics; the café was closed."
)
NEW = (
    "Update: a paragraph first.\n\n"
    "Officials say 300,000 reservists were called up.\n\n"
    "Reporters saw the medics; the café was closed."
)
DENIAL = "The ministry denied the report on Monday."
