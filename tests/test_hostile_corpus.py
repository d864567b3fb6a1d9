"""The inertness check itself: it must catch what it is meant to catch."""

from __future__ import annotations

import pytest

from tests.hostile import PAYLOADS, URLS, executable_parts


@pytest.mark.parametrize(
    "html",
    [
        "<p><script>alert(1)</script></p>",
        '<script type="module">alert(1)</script>',
        '<script src="https://evil.example/x.js"></script>',
        "<img src=x onerror=alert(1)>",
        '<a href=" JaVa&#x09;Script:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        "<svg><a xlink:href='javascript:alert(1)'>x</a></svg>",
        "<iframe src=/></iframe>",
        '<div hx-on:click="alert(1)"></div>',
        '<p style="background: URL(javascript:alert(1))">x</p>',
        '<meta http-equiv="Refresh" content="0;url=/">',
    ],
)
def test_the_check_finds_executable_html(html):
    assert executable_parts(html)


def test_the_check_passes_the_apps_own_kind_of_page():
    html = (
        '<html><head><script src="/static/django-htmx/htmx.min.js" defer></script></head>'
        '<body hx-headers=\'{"X-CSRFToken": "t"}\'><a href="/articles/1/">&lt;script&gt;</a>'
        '<svg><rect width="38%"></rect></svg><p title="x onerror=alert(1)" style="border: 0">ok</p>'
        '<script id="data" type="application/json">{"a": "\\u003Cscript"}</script></body></html>'
    )
    assert executable_parts(html) == []


def test_the_corpus_covers_each_kind_of_attack():
    names = " ".join(payload.name for payload in PAYLOADS)
    for kind in (
        "script",
        "onerror",
        "javascript",
        "data URL",
        "svg",
        "broken HTML",
        "long",
        "RTL",
        "NUL",
        "emoji",
    ):
        assert kind in names
    assert {url.accepted for url in URLS} == {True, False}
