"""Database sessions whose read also brings the session's user (``SESSION_ENGINE``).

Every request of a logged-in user read its session, then its user in a second
statement. Here the session row (``accounts.models.UserSession``) carries the
user's id, written from the session data whenever the session is saved, and
the one statement reading the session joins that user with whether they are
an editor (``access.user_columns_sql``). The store keeps that user for the
request's authentication (``accounts.authentication``), which uses it only
when its id is the one the signed session data names. Same expiry rule as
``django.contrib.sessions.backends.db``; plain SQL written once, as the ORM
spent longer composing this one-row query than the database running it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts.rows import instance_from_row


class SessionStore(db.SessionStore):
    # The user read with the session, or None; set by each read of the row.
    _user_read_with_session: Any = None

    @classmethod
    def get_model_class(cls) -> Any:
        from accounts.models import UserSession

        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        session: Any = super().create_model_instance(data)
        session.user_id = _user_id(data)
        return session

    def _get_session_from_db(self) -> Any:
        from annotations.models import EDITORS_GROUP

        self._user_read_with_session = None
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        sql, split = _session_sql(self.model)
        with connection.cursor() as cursor:
            cursor.execute(sql, [EDITORS_GROUP, self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        session = instance_from_row(self.model, row[:split])
        if session.user_id is not None:
            from annotations.access import user_from_row

            self._user_read_with_session = user_from_row(row[split:])
        return session

    def user_read_with_session(self) -> Any:
        """The user the session's row named, read with it, or None (reads the session if
        nothing has yet). Only a hint: the session data says who is logged in."""
        if self.get(SESSION_KEY) is None:  # reads the row, unless read already
            return None
        return self._user_read_with_session


def _user_id(data: dict[str, Any]) -> Any:
    """The user id of the session data, as the user column stores it (None if there is none)."""
    try:
        return get_user_model()._meta.pk.to_python(data.get(SESSION_KEY))
    except ValidationError:
        return None


@cache
def _session_sql(model: Any) -> tuple[str, int]:
    """The session row joined with its user; and where the user's columns begin."""
    from annotations.access import user_columns_sql

    quote = connection.ops.quote_name
    user = get_user_model()._meta
    fields = model._meta.concrete_fields
    columns = ", ".join(f"s.{quote(field.column)}" for field in fields)
    user_column = quote(model._meta.get_field("user").column)
    sql = (
        f"SELECT {columns}, {user_columns_sql('u')} "
        f"FROM {quote(model._meta.db_table)} s "
        f"LEFT JOIN {quote(user.db_table)} u ON u.{quote(user.pk.column)} = s.{user_column} "
        f"WHERE s.{quote('session_key')} = %s AND s.{quote('expire_date')} > %s"
    )
    return sql, len(fields)
