"""Articles, the spans highlighted in them, and reviewers' labels on those spans.

Integrity lives in the database (named constraints below) and in
``annotations.labelling``, the one module every span and label write goes
through; it checks that a span's quote is exactly its slice of the body.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from annotations import kinds
from annotations.webpages.address import canonical_url

EDITORS_GROUP = "Editors"
NOTE_MAX_LENGTH = 2000
URL_MAX_LENGTH = 2000
TITLE_MAX_LENGTH = 300
BODY_MAX_CHARS = 2_000_000

# Evidence links and article URLs are followed by people: http(s) only, so a
# `javascript:` or `data:` URL can never become a clickable link.
http_url_validator = URLValidator(schemes=["http", "https"])


class HttpURLField(models.URLField[str, str]):
    """A URL that must be http(s); a typed "example.com" means https://example.com."""

    default_validators = [http_url_validator]

    def formfield(self, **kwargs: Any) -> forms.Field | None:  # type: ignore[override]
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)


class LabelKind(models.TextChoices):
    """The kinds of ``annotations.kinds``, their codes and names, as model choices."""

    VERIFIED_FACT = kinds.VERIFIED_FACT, kinds.NAMES[kinds.VERIFIED_FACT]
    OFFICIAL_CLAIM = kinds.OFFICIAL_CLAIM, kinds.NAMES[kinds.OFFICIAL_CLAIM]
    UNSOURCED_SPECULATION = kinds.UNSOURCED_SPECULATION, kinds.NAMES[kinds.UNSOURCED_SPECULATION]


class Article(models.Model):
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    outlet = models.CharField("outlet", max_length=200, blank=True)
    url = HttpURLField("URL", max_length=URL_MAX_LENGTH, blank=True)
    # The one place for authors, as the page or the editor wrote them: "A, B and C".
    byline = models.CharField("author(s)", max_length=300, blank=True)
    published = models.DateField(null=True, blank=True)
    body = models.TextField(help_text="Canonical plain text; paragraphs separated by a blank line.")
    # SHA-256 of the canonical body: importing the same text twice finds the first copy.
    fingerprint = models.CharField(max_length=64, unique=True, editable=False)
    # ``url`` spelt one way (annotations.webpages.address), kept in step by save():
    # the same story under another spelling of its address is found. Not unique: a
    # story updated after it was saved is a legitimate second article.
    canonical_url = models.CharField(max_length=URL_MAX_LENGTH, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles_created",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped by every label write (annotations.labelling): cached figures
    # (ArticleFigures) computed at an older revision are stale.
    labels_revision = models.PositiveIntegerField(default=0, editable=False)
    # The body's revision: 1 as created, bumped by every correction
    # (labelling.revise_body; ArticleRevision keeps each older body). A label
    # write says which revision its offsets are into, and one into an older
    # body is refused rather than written at stale offsets.
    body_revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The article list and the overview sort newest first.
            models.Index(fields=["-created_at", "-id"], name="annotations_article_newest"),
            # The overview filters by outlet.
            models.Index(fields=["outlet"], name="annotations_article_outlet"),
            # A new article from a web page: "is this address already stored?"
            models.Index(fields=["canonical_url"], name="annotations_article_address"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.canonical_url = canonical_url(self.url, max_length=URL_MAX_LENGTH)
        # Saving details (the edit form, the admin) must not write back a
        # labels_revision read before a concurrent label write bumped it.
        if self.pk is not None and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "labels_revision"
            ]
        super().save(*args, **kwargs)


class ArticleFigures(models.Model):
    """An article's balance (annotations.balance), cached for the /reports/ overview.

    Sorting every article by its speculation share needs every article's
    balance, and computing them all from every label is slow (bench/RESULTS.md,
    "figures not cached yet"), so each is kept here with the article's ``labels_revision`` it was computed
    at, and recomputed when a label write has moved the revision on.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="figures"
    )
    revision = models.PositiveIntegerField()
    # {category: characters} and {category: spans}, as annotations.balance.Balance holds them.
    chars = models.JSONField()
    spans = models.JSONField()
    # Usernames of who labelled the article and of who finished it (FinishedReview),
    # for the overview's verdict and "who is done". None in rows cached before
    # these were kept: such a row is stale. A renamed user keeps the old name
    # here until the article's next label write or finish.
    reviewers = models.JSONField(null=True)
    finished = models.JSONField(null=True)
    # The article's coverage as the CSV export writes it (csvexport.coverage_cell):
    # both of the export's writers read it from here, so they write the same bytes.
    coverage = models.CharField(max_length=8, null=True)
    # What the overview sorts by (annotations.figures), so /reports/ sorts and pages in
    # SQL and reads no body: the body's length in characters, the coverage (0..1), the
    # speculation and verified shares of the labelled text (None when nothing is
    # labelled). None in rows cached before they were kept: such a row is stale.
    total = models.PositiveIntegerField(null=True)
    covered = models.FloatField(null=True)
    speculation = models.FloatField(null=True)
    verified = models.FloatField(null=True)

    def __str__(self) -> str:
        return f"Figures of article {self.article_id} at revision {self.revision}"


class ArticleRevision(models.Model):
    """One correction of an article's body: the body as it was before, who changed it and why.

    Revision ``number`` is the body that replaced ``old_body`` (the article's
    ``body_revision`` once saved); revision 1, the body as created, has no row.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    old_body = models.TextField()
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            # Also the index for "this article's revisions, newest first".
            models.UniqueConstraint(
                fields=["article", "number"], name="%(app_label)s_%(class)s_one_per_number"
            ),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of article {self.article_id}"


class AnchorState(models.TextChoices):
    """How a span stands after the article's latest correction (annotations.corrections)."""

    UNCHANGED = "unchanged", "unchanged"
    MOVED = "moved", "moved"
    EDITED = "edited", "edited"
    ORPHANED = "orphaned", "needs attention"
    REATTACHED = "reattached", "re-attached"
    DISMISSED = "dismissed", "dismissed"


# Spans with a place in the body: an orphan (orphaned or dismissed) has none.
PLACED = Q(start__isnull=False)


class FinishedReview(models.Model):
    """A reviewer has finished reading and labelling an article (and may reopen it).

    Written through ``annotations.labelling`` (``finish_review``,
    ``reopen_review``), which bumps the article's ``labels_revision``: text
    agreement counts a finished reviewer's "not labelled", so the figures change.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="finished_reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="finished_reviews"
    )
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "finished_at"]
        constraints = [
            # Also the index for "who finished this article" (report, page, exports).
            models.UniqueConstraint(
                fields=["article", "reviewer"], name="%(app_label)s_%(class)s_once_per_reviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} finished article {self.article_id}"


class Span(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="spans")
    # Both None for an orphan: a correction removed its text (``anchor`` says so).
    start = models.PositiveIntegerField(
        null=True, blank=True, help_text="Code point offset into the body (inclusive)."
    )
    end = models.PositiveIntegerField(
        null=True, blank=True, help_text="Code point offset into the body (exclusive)."
    )
    quote = models.TextField(help_text="Exactly body[start:end]; an orphan's last text.")
    anchor = models.CharField(
        max_length=16, choices=AnchorState.choices, default=AnchorState.UNCHANGED
    )
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="spans_created",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article", "start", "-end"]
        indexes = [
            # Reading order (start, longest first, id): "the first span after this one",
            # where a new span's item goes in the side list, is one index step instead of
            # sorting the article's spans (bench/RESULTS.md, "Query plans", issue 17).
            models.Index(
                fields=["article", "start", "-end", "id"], name="annotations_span_reading_order"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start__gte=0) & Q(start__lt=F("end")))
                | (Q(start__isnull=True) & Q(end__isnull=True)),
                name="%(app_label)s_%(class)s_start_before_end",
            ),
            # An orphan has no place, and a placed span is never called one.
            models.CheckConstraint(
                condition=Q(start__isnull=True, anchor__in=["orphaned", "dismissed"])
                | (Q(start__isnull=False) & ~Q(anchor__in=["orphaned", "dismissed"])),
                name="%(app_label)s_%(class)s_orphan_unplaced",
            ),
            # Also the index for "this article's spans in reading order".
            models.UniqueConstraint(
                fields=["article", "start", "end"], name="%(app_label)s_%(class)s_unique_range"
            ),
        ]

    def __str__(self) -> str:
        if self.start is None:
            return f"{self.quote[:60]} ({self.get_anchor_display()})"
        return f"{self.quote[:60]} ({self.start}–{self.end})"


class AnchorChange(models.Model):
    """A span's history of places: each correction that moved, edited or orphaned it,
    and each re-attachment or dismissal by hand, with the text it had before."""

    span = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="anchor_changes")
    # The correction that did it; None for a re-attachment or dismissal by hand.
    revision = models.ForeignKey(
        ArticleRevision, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    anchor = models.CharField(max_length=16, choices=AnchorState.choices)
    old_start = models.PositiveIntegerField(null=True, blank=True)
    old_end = models.PositiveIntegerField(null=True, blank=True)
    old_quote = models.TextField()
    # Why an orphan has no place, in a sentence (corrections.Placement.reason).
    reason = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["span", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"Span {self.span_id} {self.anchor}"


class LabelQuerySet(models.QuerySet["Label"]):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Label]:
        """As ``QuerySet.bulk_create``, filling each label's article from its span.

        Reads ``label.span`` (a query per label) unless the span instance is already attached.
        """
        objs = list(objs)
        for label in objs:
            if label.article_id is None:
                label.article_id = label.span.article_id
        return super().bulk_create(objs, *args, **kwargs)


class Label(models.Model):
    span = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="labels")
    # Always the span's article. Stored so that "this article's labels" is one
    # index range: through the span it was a scan of every label in the
    # database (the report of a 5,000-span article, bench/RESULTS.md).
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="labels",
        editable=False,
        db_index=False,  # the (article, span) index below serves every lookup by article
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="labels"
    )
    kind = models.CharField(max_length=32, choices=LabelKind.choices)
    note = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True)
    source_url = HttpURLField("source", max_length=URL_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Audit trail: who changed which label when, before and after.
    history = HistoricalRecords()

    objects = LabelQuerySet.as_manager()

    class Meta:
        ordering = ["span", "reviewer"]
        indexes = [
            # An article's labels in span order: the report, the article page, exports.
            models.Index(fields=["article", "span"], name="annotations_label_article"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["span", "reviewer"], name="%(app_label)s_%(class)s_one_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=LabelKind.values), name="%(app_label)s_%(class)s_known_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.reviewer}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.article_id:  # always the span's article: filled in from it
            self.article_id = self.span.article_id
        super().save(*args, **kwargs)


class WriteCount(models.Model):
    """Label writes one user made in one minute (annotations.throttle).

    In the database, so that every app process and machine counts the same
    writes; a row per user and minute, the older ones deleted as a new minute starts.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    minute = models.PositiveBigIntegerField(help_text="Minutes since 1970-01-01 UTC.")
    writes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index for "this user's count this minute", the one query a write adds.
            models.UniqueConstraint(
                fields=["user", "minute"], name="%(app_label)s_%(class)s_one_per_minute"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.writes} writes by user {self.user_id} in minute {self.minute}"
