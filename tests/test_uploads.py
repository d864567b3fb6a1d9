"""Uploaded files count against the request limit (newsroom/uploads.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import RequestDataTooBig

from newsroom.uploads import RequestSizeLimit


def test_a_request_declared_too_large_is_refused_before_it_is_read(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    handler = RequestSizeLimit()
    handler.handle_raw_input(None, {}, 1000, b"boundary")
    with pytest.raises(RequestDataTooBig):
        handler.handle_raw_input(None, {}, 1001, b"boundary")


def test_files_larger_than_declared_are_stopped_as_they_arrive(settings):
    # Content-Length can be absent or understated (chunked requests on ASGI).
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    handler = RequestSizeLimit()
    assert handler.receive_data_chunk(b"x" * 600, 0) == b"x" * 600  # passed on
    with pytest.raises(RequestDataTooBig):
        handler.receive_data_chunk(b"x" * 600, 600)


def test_an_article_form_under_the_limit_still_goes_through(settings, alice_client):
    response = alice_client.post("/articles/new/", {"title": "Fresh", "body": "A fresh article."})
    assert response.status_code == 302
