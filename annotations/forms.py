from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.safestring import SafeString

from annotations import ingest, labelling, page_import
from annotations.models import BODY_MAX_CHARS, URL_MAX_LENGTH, Article
from annotations.page_import import Preview, StoredAt
from annotations.webpages.extract import ExtractedPage


def _page_max_megabytes() -> int:
    return int(settings.FILE_UPLOAD_MAX_BYTES // (1000 * 1000))


class ArticleDetailsForm(forms.ModelForm[Article]):
    """An article's title and details, as every article form asks for them."""

    class Meta:
        model = Article
        fields = ["title", "outlet", "byline", "published", "url"]
        labels = {
            "title": "Title",
            "outlet": "Outlet",
            "byline": "Author(s)",
            "published": "Published",
        }
        help_texts = {"byline": "Several names are separated by commas."}
        # A date input shows and sends only ISO dates; the locale's "20/03/2026" it drops.
        widgets = {"published": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise ValidationError("The article needs a title.")
        return title


class ArticleForm(ArticleDetailsForm):
    """New article, or edit one. Body takes plain text or pasted HTML."""

    body = forms.CharField(
        label="Body",
        widget=forms.Textarea(attrs={"rows": 18}),
        # Pasted HTML is larger than its text; the canonical text is checked again.
        max_length=BODY_MAX_CHARS * 3,
        help_text="Plain text or pasted HTML. Paragraphs are separated by a blank line.",
    )

    class Meta(ArticleDetailsForm.Meta):
        fields = ["title", "body", "outlet", "url", "byline", "published"]

    def is_multipart(self) -> bool:
        """Always, here and in the admin: as multipart, a character costs its UTF-8 bytes
        (at most 4); URL-encoded, up to 12, and a long article in a non-Latin script
        went over the request limit well before its 2,000,000 characters (issue 10)."""
        return True

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
        return body


class ArticleEditForm(ArticleForm):
    """Edit an article: its details, and its body at any time (a correction).

    A changed body is saved as a new revision (``labelling.revise_body``): the
    old body is kept and every highlight follows its text. Bind it to the
    article locked (``labelling.lock_article``) in the transaction that saves.
    """

    reason = forms.CharField(
        label="Reason for changing the text",
        required=False,
        max_length=200,
        help_text="Kept with the revision when the text changed: “correction”, “update”, "
        "or a few words.",
    )

    class Meta(ArticleForm.Meta):
        fields = ["title", "body", "reason", "outlet", "url", "byline", "published"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored_body = self.instance.body

    def save_edit(self, editor: Any) -> bool:
        """Save a valid form: a new revision when the text changed, and the details.

        All or nothing; False, with the reason on the form, when another article
        has this text (stored meanwhile).
        """
        new_body = self.instance.body
        self.instance.body = self.stored_body  # as stored: revise_body compares with it
        try:
            with transaction.atomic():
                labelling.revise_body(
                    self.instance, new_body, editor=editor, reason=self.cleaned_data["reason"]
                )
                ingest.store(self.instance)
        except ValidationError as error:
            self.instance.body = new_body
            self.add_error("body", error)
            return False
        return True


class PageSourceForm(forms.Form):
    """A web page to start a new article from: a saved file, or an address to fetch.

    The page's two forms share these fields; the button pressed sends ``source``
    ("page" or "address"), which says which of the two to read.
    """

    # A plain file input: nothing stored to "clear", so no clear checkbox to read.
    page = forms.FileField(label="Web page (.html file)", required=False, widget=forms.FileInput)
    address = forms.URLField(
        label="Web address",
        required=False,
        max_length=URL_MAX_LENGTH,
        assume_scheme="https",
        help_text="The address of the article, as the browser shows it.",
    )

    def __init__(self, *args: Any, too_large: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.fields[
            "page"
        ].help_text = (
            f"A page saved from a browser (“Save page as…”), at most {_page_max_megabytes()} MB."
        )

    def clean_page(self) -> UploadedFile | None:
        page: UploadedFile | None = self.cleaned_data.get("page") or None
        if page is not None and (page.size or 0) > settings.FILE_UPLOAD_MAX_BYTES:
            self.too_large = True
            return None
        return page

    @property
    def source(self) -> str:
        source = self.data.get("source")
        return source if source in ("page", "address") else ""

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.source == "page" and not self.cleaned_data.get("page"):
            self.add_error(
                "page",
                f"The file is larger than {_page_max_megabytes()} MB, more than a saved article "
                "needs. Save the page without its images, or paste its text instead."
                if self.too_large
                else "Choose a saved web page (an .html file).",
            )
        elif self.source == "address" and not self.cleaned_data.get("address"):
            if "address" not in self.errors:
                self.add_error("address", "Type the web address of the article.")
        elif not self.source:
            raise ValidationError("Choose a saved web page or type a web address.")
        return cleaned

    def extract(self) -> tuple[ExtractedPage, str]:
        """The page and where it came from; raises ``PageRefused`` or ``FetchRefused``.
        Call on a valid form. Fetching an address takes up to ten seconds."""
        if self.source == "page":
            upload: UploadedFile = self.cleaned_data["page"]
            return page_import.read_upload(upload.read()), f"the file {upload.name}"
        address: str = self.cleaned_data["address"]
        return page_import.fetch(address), address


class ArticleFromPageForm(ArticleDetailsForm):
    """The preview's details. The text is the preview's (a signed token), never a field."""

    token = forms.CharField(widget=forms.HiddenInput)
    save_anyway = forms.BooleanField(
        required=False, label="Save it anyway: it is another article, or a later version"
    )

    def __init__(
        self, *args: Any, preview: Preview, same_address: StoredAt | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.preview = preview
        self.same_address = same_address

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        body = ingest.canonical_body(self.preview.body)  # already canonical: the rule holds
        twin = Article.objects.filter(fingerprint=ingest.fingerprint(body)).first()
        if twin is not None:
            raise ingest.duplicate(twin)
        self.instance.body = body
        self.instance.fingerprint = ingest.fingerprint(body)
        self.same_address = page_import.stored_at(self.cleaned_data.get("url") or "")
        if self.same_address is not None and not self.cleaned_data.get("save_anyway"):
            self.add_error(
                "save_anyway",
                "An article from this address is already stored (above). Tick this box "
                "to save this one as well.",
            )
        return cleaned


class ImportForm(forms.Form):
    """A file of labels from another tool, and the two choices an import asks for explicitly."""

    # Not required here: a file over the limit arrives as none, and clean_file says which.
    file = forms.FileField(
        label="File",
        required=False,
        widget=forms.FileInput(
            attrs={"accept": ".json,.jsonld,application/json,application/ld+json", "required": True}
        ),
    )
    use_import_account = forms.BooleanField(required=False)  # labelled with the account's name
    skip_refused = forms.BooleanField(
        required=False, label="Import the acceptable labels even if others are refused"
    )

    def __init__(self, *args: Any, too_large: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.too_large = too_large  # newsroom.uploads skipped the file as it arrived
        self.fields["file"].help_text = (
            "Web Annotations (JSON-LD), a Hypothesis API search result, or a Label Studio "
            f"JSON export, at most {_page_max_megabytes()} MB."
        )
        self.fields["use_import_account"].label = (
            "Keep labels by people without an account here, "
            f"under the “{settings.IMPORT_ACCOUNT}” account"
        )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile | None = self.cleaned_data.get("file") or None
        if self.too_large or (
            upload is not None and (upload.size or 0) > settings.FILE_UPLOAD_MAX_BYTES
        ):
            raise ValidationError(
                f"The file is larger than {_page_max_megabytes()} MB. Split it, or import it "
                "with manage.py import_annotations."
            )
        if upload is None:
            raise ValidationError("Choose a file to import.")
        return upload


@dataclass(frozen=True)
class BlankImportForm:
    """An empty ``ImportForm`` as the article page's template includes it (``form.as_div``)."""

    as_div: SafeString


def blank_import_form() -> BlankImportForm:
    """The empty import form, rendered once per settings it shows (account, size limit).

    Every editor's article page carries it; through the form renderer's templates it
    was a fifth of a short article page's time (issue 17's note), for markup that
    holds nothing of the request (the page's own template adds the CSRF token).
    """
    return BlankImportForm(
        _blank_import_form_html(settings.IMPORT_ACCOUNT, settings.FILE_UPLOAD_MAX_BYTES)
    )


@lru_cache(maxsize=8)
def _blank_import_form_html(account: str, max_bytes: int) -> SafeString:
    # The arguments are the settings the form's text shows: a test that overrides
    # one gets a form rendered with it.
    return ImportForm().as_div()
