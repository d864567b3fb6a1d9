"""Django's database sessions, read with a query written once (``SESSION_ENGINE``).

Every request of a logged-in user reads its session; the ORM spent longer
composing that one-row query than the database running it. Same table, same
rows, same expiry rule as ``django.contrib.sessions.backends.db``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        found = list(self.model.objects.raw(_session_sql(self.model), [self.session_key, now]))
        if found:
            return found[0]
        self._session_key = None
        return None


@cache
def _session_sql(model: Any) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    return (
        f"SELECT * FROM {table} WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
    )
