"""Who may do what. Every view asks these helpers; none decides on its own.

Roles: anonymous (sent to log in), reader (logged in), editor (in the
"Editors" group, or a superuser: creates articles and labels), staff (admin).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from annotations.models import EDITORS_GROUP


def is_editor(user: Any) -> bool:
    """True for members of the Editors group. Runs one query, cached on the user."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_sourcemark_is_editor"):
        user._sourcemark_is_editor = user.groups.filter(name=EDITORS_GROUP).exists()
    return user._sourcemark_is_editor


def editor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous users are sent to log in; logged-in readers get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_editor(request.user):
            raise PermissionDenied("Only editors can do this. Ask an admin to add you to Editors.")
        return view(request, *args, **kwargs)

    return wrapper
