from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from annotations import ingest
from annotations.models import BODY_MAX_CHARS, Article


class ArticleForm(forms.ModelForm[Article]):
    """New article, or edit one. Body takes plain text or pasted HTML."""

    body = forms.CharField(
        label="Body",
        widget=forms.Textarea(attrs={"rows": 18}),
        # Pasted HTML is larger than its text; the canonical text is checked again.
        max_length=BODY_MAX_CHARS * 3,
        help_text="Plain text or pasted HTML. Paragraphs are separated by a blank line.",
    )

    class Meta:
        model = Article
        fields = ["title", "body", "outlet", "url", "byline", "published"]
        labels = {
            "title": "Title",
            "outlet": "Outlet",
            "byline": "Byline",
            "published": "Published",
        }
        widgets = {"published": forms.DateInput(attrs={"type": "date"})}

    def is_multipart(self) -> bool:
        """Always, here and in the admin: as multipart, a character costs its UTF-8 bytes
        (at most 4); URL-encoded, up to 12, and a long article in a non-Latin script
        went over the request limit well before its 2,000,000 characters (issue 10)."""
        return True

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise ValidationError("The article needs a title.")
        return title

    def clean_body(self) -> str:
        body = ingest.canonical_body(self.cleaned_data["body"])
        twin = (
            Article.objects.filter(fingerprint=ingest.fingerprint(body))
            .exclude(pk=self.instance.pk)
            .first()
        )
        if twin is not None:
            raise ingest.duplicate(twin)
        if self.instance._state.adding:
            # Not a form field: the new article's fingerprint goes on it directly.
            self.instance.fingerprint = ingest.fingerprint(body)
        else:
            try:
                ingest.set_body(self.instance, body)
            except ingest.ArticleLocked as error:
                raise ValidationError(error.messages, code="locked") from None
        return body


class ImportForm(forms.Form):
    """A file of labels from another tool, and the two choices an import asks for explicitly."""

    file = forms.FileField(
        label="File",
        help_text=(
            "Web Annotations (JSON-LD), a Hypothesis API search result, "
            "or a Label Studio JSON export."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".json,.jsonld,application/json,application/ld+json"}
        ),
    )
    use_import_account = forms.BooleanField(required=False)  # labelled with the account's name
    skip_refused = forms.BooleanField(
        required=False, label="Import the acceptable labels even if others are refused"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["use_import_account"].label = (
            "Keep labels by people without an account here, "
            f"under the “{settings.IMPORT_ACCOUNT}” account"
        )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        # The request limit already bounds it (newsroom/uploads.py); this says so per file.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if upload.size is not None and upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size:,} bytes; the limit is {limit:,}. "
                "Split it, or use manage.py import_annotations."
            )
        return upload
