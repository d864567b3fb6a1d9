"""The documented limit is 2,000,000 characters in any script, not a number of bytes.

A form-encoded request spends 9 bytes on a Chinese character (3 bytes of
UTF-8, each written %XX) and 12 on one of 4 bytes, so 1,000,000 CJK
characters, half the limit, were refused as too large (issue 10). The
article form is sent as multipart, where a character costs its UTF-8 bytes,
and the request limit is sized from the character limit.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.conf import settings

from annotations.models import BODY_MAX_CHARS, Article

SCRIPTS = {
    "Chinese (3 bytes a character)": "新闻",
    "Old Italic (4 bytes a character)": "\U00010300\U00010301",
    "Cyrillic (2 bytes a character)": "ия",
}


def _submit_like_a_browser(client, url: str, data: dict[str, str]):
    """POST ``data`` encoded as the page's form says (its enctype), as a browser does."""
    page = client.get(url).content.decode()
    found = re.search(r"<form method=\"post\"[^>]*>", page)
    assert found is not None
    form = found.group(0)
    if 'enctype="multipart/form-data"' in form:
        return client.post(url, data)  # the test client's default: multipart
    return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")


def _body(chars: str, length: int) -> str:
    return (chars * (length // len(chars) + 1))[:length]


@pytest.mark.parametrize("chars", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_a_body_of_the_documented_length_is_saved_in_any_script(alice_client, db, chars):
    body = _body(chars, BODY_MAX_CHARS)
    response = _submit_like_a_browser(
        alice_client, "/articles/new/", {"title": "Long", "body": body}
    )
    assert response.status_code == 302, response.content.decode()[:300]
    assert len(Article.objects.get().body) == BODY_MAX_CHARS


def test_one_character_more_is_refused_for_its_length_not_its_bytes(alice_client, db):
    body = _body(SCRIPTS["Old Italic (4 bytes a character)"], BODY_MAX_CHARS + 1)
    response = _submit_like_a_browser(
        alice_client, "/articles/new/", {"title": "Long", "body": body}
    )
    assert response.status_code == 400
    assert "The article is too long (2,000,001 characters; the limit is 2,000,000)." in (
        response.content.decode()
    )


def test_the_edit_form_and_the_admins_are_multipart_too(alice_client, staff_client, article):
    for client, url in (
        (alice_client, f"/articles/{article.id}/edit/"),
        (staff_client, "/admin/annotations/article/add/"),
        (staff_client, f"/admin/annotations/article/{article.id}/change/"),
    ):
        assert 'enctype="multipart/form-data"' in client.get(url).content.decode(), url


def test_the_request_limit_fits_the_character_limit_in_the_widest_script():
    # UTF-8 takes at most 4 bytes a character; the rest of the form needs far less than 1 MB.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= BODY_MAX_CHARS * 4 + 1024 * 1024
