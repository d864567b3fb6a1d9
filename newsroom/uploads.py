"""A bound on uploaded files: no file larger than ``FILE_UPLOAD_MAX_BYTES`` is kept.

Django limits a request's form fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but
not its files, which it streams to a temporary file of any size. This
handler, first in ``FILE_UPLOAD_HANDLERS``, counts each file's bytes as they
arrive and skips the file once it passes the limit: the rest of it is read
and dropped, the other fields still arrive, and the view learns from
:func:`was_too_large` why the file is missing, so it can tell the editor.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

_TOO_LARGE = "_sourcemark_uploads_too_large"


class BoundedUpload(FileUploadHandler):
    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > settings.FILE_UPLOAD_MAX_BYTES:
            if self.request is not None:
                too_large: set[str] = getattr(self.request, _TOO_LARGE, set())
                too_large.add(self.field_name)
                setattr(self.request, _TOO_LARGE, too_large)
            raise SkipFile()
        return raw_data  # on to the next handler, which keeps it

    def file_complete(self, file_size: int) -> Any:
        return None  # the next handler makes the file


def was_too_large(request: HttpRequest, field_name: str) -> bool:
    """True when the file sent as ``field_name`` was skipped for its size."""
    return field_name in getattr(request, _TOO_LARGE, ())
