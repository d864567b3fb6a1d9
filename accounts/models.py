"""The session table, with a column naming the session's user (``accounts.sessions``).

Django's "Extending database-backed session engines": the same three columns
as ``django_session`` plus ``user``, so that the read of a session can join
its user in the same statement. The column is a copy of the user id in the
signed session data, written whenever the session is saved; it is never
trusted over that data (``accounts.authentication``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class UserSession(AbstractBaseSession):
    # Deleting a user deletes their sessions; the index also serves that delete.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )

    @classmethod
    def get_session_store_class(cls) -> Any:
        from accounts.sessions import SessionStore

        return SessionStore
