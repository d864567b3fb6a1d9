"""A human rate for label writes: at most ``LABEL_WRITES_PER_MINUTE`` per editor.

One editor sent 3,000 label writes in 83 s (issue 10); a person reading an
article labels a few spans a minute, and a burst of keystrokes a few dozen.
Each write (create, change, remove) counts against its editor's current
minute; past the limit the answer is 429 with a message the toolbar shows,
and nothing is written. 0 turns the limit off.

The count is one row per editor and minute in the database, raised by a
single atomic upsert (INSERT ... ON CONFLICT ... RETURNING, on SQLite and
PostgreSQL alike), so every process and machine shares it and parallel
requests cannot under-count. Not django-ratelimit: it counts in a cache,
and the only cache all our processes share is Django's database cache,
whose increment is a read followed by a write (parallel requests of one
editor, the flood itself, lose counts) and costs about ten queries a write.
A fixed minute allows a burst of twice the limit across a minute's edge,
which a person never reaches.

Label writes (create, change, remove) count inside their own transaction
(``annotations.labelling``, ``throttled=True``): one commit per write instead
of two, and a refused or failed write leaves no count behind. The decorator
counts the other writes (an import, finishing a review) before their view runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpResponse

from annotations.models import WriteCount
from annotations.views import HtmxHttpRequest
from annotations.views.site import refusal

__all__ = ["WriteCount", "allow", "count", "counted", "message", "throttle_label_writes"]


def _now() -> float:
    return time.time()


def allow(user_id: int) -> bool:
    """Count one label write by ``user_id``; False when it goes over this minute's limit."""
    counting = count(user_id)
    if counting is None:
        return True
    sql, params = counting
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (writes,) = cursor.fetchone()
    return counted(params, writes)


def count(user_id: int) -> tuple[str, list[int]] | None:
    """The statement that counts one write of ``user_id`` and returns the minute's
    writes so far (``counted`` decides), or None when there is no limit. A label write
    on PostgreSQL runs it inside its first statement (``labelling.lock_article``)."""
    if settings.LABEL_WRITES_PER_MINUTE <= 0:
        return None
    table = connection.ops.quote_name(WriteCount._meta.db_table)
    sql = (
        f"INSERT INTO {table} (user_id, minute, writes) VALUES (%s, %s, 1) "
        f"ON CONFLICT (user_id, minute) DO UPDATE SET writes = {table}.writes + 1 "
        "RETURNING writes"
    )
    return sql, [user_id, int(_now() // 60)]


def counted(params: list[int], writes: int) -> bool:
    """Whether the write ``count`` counted (its ``params``), the minute's ``writes``-th,
    is within the limit."""
    user_id, minute = params
    if writes == 1:  # a new minute: the user's earlier ones are of no more use
        WriteCount.objects.filter(user_id=user_id, minute__lt=minute).delete()
    return int(writes) <= settings.LABEL_WRITES_PER_MINUTE


def message() -> str:
    """What a refused write says (status 429), for the toolbar or the page."""
    limit = settings.LABEL_WRITES_PER_MINUTE
    return (
        f"Too many label changes in one minute (the limit is {limit}). "
        "Wait a moment, then try again."
    )


def throttle_label_writes(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse a write over the user's limit with 429 before the view runs (after the
    role check: only editors' writes count)."""

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not allow(request.user.pk):
            return refusal(request, message(), status=429)
        return view(request, *args, **kwargs)

    return wrapper
