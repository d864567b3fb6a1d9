from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

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
