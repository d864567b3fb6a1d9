"""Who has finished reviewing an article: read here, written by ``annotations.labelling``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotations.access import is_editor
from annotations.models import FinishedReview


@dataclass(frozen=True)
class FinishedState:
    """What the "I have finished this article" part of a page shows."""

    article_id: int
    names: list[str]  # usernames of the reviewers who finished it, sorted
    mine: bool  # the user looking has finished it
    can_finish: bool  # the user may finish or reopen (an editor)


def finished_state(article_id: int, user: Any, names: list[str] | None = None) -> FinishedState:
    """Who finished the article, and what ``user`` may do. One query, none when the
    sorted ``names`` were read already (``article_state.finished_names``)."""
    if names is None:
        names = sorted(
            FinishedReview.objects.filter(article_id=article_id)
            .order_by()
            .values_list("reviewer__username", flat=True)
        )
    return FinishedState(article_id, names, user.username in names, is_editor(user))
