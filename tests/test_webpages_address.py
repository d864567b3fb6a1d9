"""One spelling per web address (annotations/webpages/address.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.webpages.address import canonical_url

STORY = "https://harbourherald.example/news/ferry-48213"


@pytest.mark.parametrize(
    "spelling",
    [
        STORY,
        "http://harbourherald.example/news/ferry-48213",
        "https://www.harbourherald.example/news/ferry-48213",
        "HTTPS://HarbourHerald.Example/news/ferry-48213",
        "https://harbourherald.example:443/news/ferry-48213",
        "http://harbourherald.example:80/news/ferry-48213",
        "https://harbourherald.example/news/ferry-48213/",
        "https://harbourherald.example/news/ferry-48213#comments",
        "https://harbourherald.example/news/ferry-48213?utm_source=newsletter&utm_medium=email",
        "https://harbourherald.example/news/ferry-48213?fbclid=IwAR0x&gclid=1",
        "https://harbourherald.example/news/%66erry-48213",
        "  https://harbourherald.example/news/ferry-48213  ",
        "https://reader:secret@harbourherald.example/news/ferry-48213",
    ],
)
def test_spellings_of_one_address_are_one(spelling):
    assert canonical_url(spelling) == STORY


@pytest.mark.parametrize(
    "other",
    [
        "https://harbourherald.example/news/Ferry-48213",  # paths keep their case
        "https://harbourherald.example/news/ferry-48214",
        "https://harbourherald.example/news/ferry-48213?id=2",  # a parameter that names a page
        "https://harbourherald.example:8443/news/ferry-48213",
        "https://news.harbourherald.example/news/ferry-48213",
        "https://harbourherald.example/news%2Fferry-48213",  # an escaped slash is no slash
    ],
)
def test_other_addresses_stay_other(other):
    assert canonical_url(other) != STORY


def test_query_parameters_keep_their_order_and_values():
    url = "https://x.example/story?b=2&utm_campaign=x&a=1&a=0"
    assert canonical_url(url) == "https://x.example/story?b=2&a=1&a=0"


def test_non_ascii_addresses_are_written_in_ascii():
    assert canonical_url("https://bücher.example/über?q=straße") == (
        "https://xn--bcher-kva.example/%C3%BCber?q=stra%C3%9Fe"
    )


@pytest.mark.parametrize(
    "nothing",
    ["", "   ", "mailto:desk@x.example", "javascript:alert(1)", "https:///path", "/relative/path",
     "https://[::1", "https://x.example:99999/"],
)  # fmt: skip
def test_what_is_not_an_http_address_has_no_spelling(nothing):
    assert canonical_url(nothing) == ""


def test_an_address_too_long_to_index_has_no_spelling():
    assert canonical_url("https://x.example/" + "a" * 1990) == ""
    assert canonical_url("https://x.example/" + "ü" * 400) == ""  # 2,400 once escaped
    assert canonical_url("https://x.example/" + "a" * 1970) != ""


@given(st.text(max_size=80))
def test_the_spelling_is_ascii_short_and_its_own_spelling(text):
    for url in (text, "https://x.example/" + text, "http://www.x.example/?" + text):
        spelled = canonical_url(url)
        assert spelled.isascii()
        assert len(spelled) <= 2000
        assert canonical_url(spelled) == spelled
