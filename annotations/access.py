"""Who may do what. Every view asks these helpers; none decides on its own.

Roles: anonymous (sent to log in), reader (logged in), editor (in the
"Editors" group, or a superuser: creates articles and labels), staff (admin).
Every lookup of an article or label by id goes through here, scoped to what
the user may see.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, wraps
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.deprecation import MiddlewareMixin

from accounts.authentication import user_read_with_session
from accounts.rows import instance_from_row
from annotations.models import EDITORS_GROUP, Article, Label
from annotations.views.site import refusal

View = Callable[..., HttpResponse]

SESSION_ENDED = "Your session ended; log in again — your selection is kept."


def is_editor(user: Any) -> bool:
    """True for members of the Editors group. The request's user knows it already
    (``EditorAwareBackend``); any other user runs one query, cached on the user."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_sourcemark_is_editor"):
        user._sourcemark_is_editor = user.groups.filter(name=EDITORS_GROUP).exists()
    return bool(user._sourcemark_is_editor)


class EditorAwareBackend(ModelBackend):
    """Django's ModelBackend, whose session user arrives knowing whether it is an editor.

    Every editor's request (each label write) asked ``is_editor`` in a query of
    its own after the one loading the user; here the membership is an EXISTS in
    that same query, read fresh on every request as before, so removing someone
    from Editors still takes effect at their next request. Plain SQL, built once:
    the ORM took three times as long composing the user's query as running it.

    Usually there is no query of its own at all: the session's read joined the
    user and the same EXISTS (``accounts.sessions``), and hands that user over
    for this request when its id is the one the session data names
    (``accounts.authentication``).
    """

    def get_user(self, user_id: Any) -> Any:
        user = user_read_with_session(user_id)
        if user is None:
            users = get_user_model()._default_manager
            found = list(users.raw(_user_sql(), [EDITORS_GROUP, user_id]))
            if not found:
                return None
            user = found[0]
        return user if self.user_can_authenticate(user) else None


def user_columns_sql(alias: str) -> str:
    """The user's columns under ``alias`` and whether they are in Editors, for a SELECT.

    The EXISTS takes one parameter, ``EDITORS_GROUP``. ``user_from_row`` reads
    the values back in this order.
    """
    quote = connection.ops.quote_name
    user = get_user_model()._meta
    membership = user.get_field("groups").remote_field.through._meta  # type: ignore[union-attr]
    group = Group._meta
    columns = ", ".join(f"{alias}.{quote(field.column)}" for field in user.concrete_fields)
    return (
        f"{columns}, EXISTS (SELECT 1 FROM {quote(membership.db_table)} m "
        f"JOIN {quote(group.db_table)} g ON g.{quote(group.pk.column)} = m.group_id "
        f"WHERE m.user_id = {alias}.{quote(user.pk.column)} AND g.name = %s) "
        "AS _sourcemark_is_editor"
    )


def user_from_row(values: Sequence[Any]) -> Any:
    """The user (knowing whether they are an editor) from the values ``user_columns_sql`` read."""
    user = instance_from_row(get_user_model(), values[:-1])
    user._sourcemark_is_editor = bool(values[-1])
    return user


@cache
def _user_sql() -> str:
    quote = connection.ops.quote_name
    user = get_user_model()._meta
    return (
        f"SELECT {user_columns_sql('u')} FROM {quote(user.db_table)} u "
        f"WHERE u.{quote(user.pk.column)} = %s"
    )


def can_export_labels(user: Any) -> bool:
    """Staff who may see labels in the admin (view, or change which implies it)."""
    return bool(
        user.is_active
        and user.is_staff
        and (user.has_perm("annotations.view_label") or user.has_perm("annotations.change_label"))
    )


def editor_required(view: View) -> View:
    """Anonymous users are sent to log in; logged-in readers get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_editor(request.user):
            raise PermissionDenied("Only editors can do this. Ask an admin to add you to Editors.")
        return view(request, *args, **kwargs)

    return wrapper


def get_article(article_id: int, *, only: tuple[str, ...] = ()) -> Article:
    """An article by id (404 if there is none). Every logged-in user may see every article.

    ``only`` limits the columns read (``QuerySet.only``), for views that do
    not need the body.
    """
    articles = Article.objects.only(*only) if only else Article.objects.all()
    return get_object_or_404(articles, pk=article_id)


def get_label(article: Article, label_id: int) -> Label:
    """A label of this article only, with its span: an id from another article is a 404."""
    return get_object_or_404(Label.objects.select_related("span"), pk=label_id, article=article)


class HtmxLoginRequiredMiddleware(MiddlewareMixin):
    """An htmx request from a logged-out user gets 401 and ``SESSION_ENDED``, not the login page.

    ``login_required`` answers with a redirect to the login page. The browser
    follows it inside the htmx request, and htmx would swap the login form
    into the toolbar or the span panel as if it were the answer. Here every
    view but those marked ``login_not_required`` (the mark Django's
    ``LoginRequiredMiddleware`` reads) answers htmx with a status the page's
    script (``static/annotations/errors.js``) understands: it shows the
    sentence in the request's error region with a link to log in in a new
    tab, and keeps what the editor selected and typed. Requests without htmx
    are left to the views' own ``login_required``, which redirect as before.
    """

    def process_view(
        self, request: HttpRequest, view_func: View, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(request, "htmx", False) or request.user.is_authenticated:
            return None
        if not getattr(view_func, "login_required", True):
            return None
        response = refusal(request, SESSION_ENDED, status=401)
        # The answer depends on the session: no cache may keep it for someone else.
        response["Cache-Control"] = "private, no-store"
        return response
