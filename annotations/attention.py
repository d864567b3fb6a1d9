"""What a correction left for people to do: orphaned spans, and the revisions of a body.

Reads only; the writes (``revise_body``, ``reattach``, ``dismiss``) are
``annotations.labelling``'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from annotations.article_state import has_orphans
from annotations.corrections import RevisionDiff, revision_diff
from annotations.models import AnchorChange, AnchorState, Article, ArticleRevision, Label, Span


@dataclass(frozen=True)
class Orphan:
    span: Span
    labels: list[Label]
    reason: str


def needs_attention(article: Article) -> list[Orphan]:
    """The article's orphaned spans, oldest first, each with its labels and why it
    was orphaned. Three queries (spans, their labels, their latest anchor change)
    however many there are; none when there are none, or when the article was read
    knowing it has none (``article_state.get_article_with_state``)."""
    if not has_orphans(article):
        return []
    spans = list(
        # start IS NULL: an orphan's (a constraint), and what the index finds them by.
        Span.objects.filter(article_id=article.pk, start__isnull=True, anchor=AnchorState.ORPHANED)
        .order_by("id")
        .prefetch_related(
            Prefetch(
                "labels",
                queryset=Label.objects.select_related("reviewer").order_by("reviewer__username"),
            )
        )
    )
    if not spans:
        return []
    reasons: dict[int, str] = {}
    changes = (
        AnchorChange.objects.filter(span__in=spans, anchor=AnchorState.ORPHANED)
        .order_by("span_id", "-id")
        .values_list("span_id", "reason")
    )
    for span_id, reason in changes:
        reasons.setdefault(span_id, reason)
    return [Orphan(span, list(span.labels.all()), reasons.get(span.pk, "")) for span in spans]


@dataclass(frozen=True)
class RevisionShown:
    number: int
    revision: ArticleRevision
    diff: RevisionDiff


def revisions(article: Article) -> list[RevisionShown]:
    """Every correction of ``article``, newest first, each as a word diff from the body
    before it to the body after it. One query."""
    stored = list(
        ArticleRevision.objects.filter(article_id=article.pk)
        .select_related("editor")
        .order_by("-number")
    )
    shown, after = [], article.body
    for revision in stored:
        shown.append(
            RevisionShown(revision.number, revision, revision_diff(revision.old_body, after))
        )
        after = revision.old_body
    return shown
