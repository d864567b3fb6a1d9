"""Django's authentication, handed the user that the session's read brought along.

``accounts.sessions`` reads the session row joined with its user. Django's
``auth.get_user`` then asks the session's backend for the user by the id in
the session data, and verifies the session (backend path, the password's
session hash with ``SECRET_KEY_FALLBACKS``, flushing when it fails); the
backend refuses inactive users. All of that stays Django's: this middleware
only lets ``EditorAwareBackend.get_user`` find the user already read,
through a context variable set for the one ``auth.get_user`` call of this
request and reset after it. Nothing outlives the request, so every app
process behind the load balancer reads the same database and nothing else.

The user column is a copy, never the authority: the user read with the
session is used only when its id is the one the signed session data names;
otherwise (a stale or tampered column, a session saved before this column
existed) the backend reads the user the ordinary way.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib import auth
from django.contrib.auth import middleware
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

_read_with_session: ContextVar[Any] = ContextVar("user_read_with_session", default=None)


class AuthenticationMiddleware(middleware.AuthenticationMiddleware):
    """Django's, with ``request.user`` loaded through ``get_user`` below."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))  # type: ignore[assignment]


def get_user(request: HttpRequest) -> Any:
    """``auth.get_user`` (cached on the request as Django's middleware does), with the user
    read with the session on hand for the backend."""
    if not hasattr(request, "_cached_user"):
        read = getattr(request.session, "user_read_with_session", None)
        token = _read_with_session.set(read() if read else None)
        try:
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
        finally:
            _read_with_session.reset(token)
    return request._cached_user  # type: ignore[attr-defined]


def user_read_with_session(user_id: Any) -> Any:
    """The user read with this request's session if it is the one ``user_id`` (from the
    session data) names; else None."""
    user = _read_with_session.get()
    if user is None or user.pk != user_id:
        return None
    return user
