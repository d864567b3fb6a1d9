"""The request limit holds for uploaded files too.

``DATA_UPLOAD_MAX_MEMORY_SIZE`` bounds a request's form fields, but Django
counts no uploaded file against it: a multipart request of any size was
written to a temporary file before a view could look at it (every POST is
parsed by ``RefuseUnstorableText``, before any view). This handler, first in
``FILE_UPLOAD_HANDLERS``, refuses a multipart request whose declared length
is over the limit before reading it, and stops one whose files turn out
larger than declared: both are the same 400 as any request over the limit
("That was too large to accept").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

_TOO_BIG = "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."


class RequestSizeLimit(FileUploadHandler):
    """Passes every chunk on to the next handler, counting them against the limit."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and content_length > limit:
            raise RequestDataTooBig(_TOO_BIG)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and self.received > limit:
            raise RequestDataTooBig(_TOO_BIG)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file
