"""Labels out as W3C Web Annotations, the label vocabulary, and labels in from a file.

The export and its ids are ``annotations.interop_export``'s; the import is
``annotations.interop_import``'s.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from annotations import interop_export, interop_import
from annotations.access import editor_required, get_article
from annotations.exports import utc_today
from annotations.forms import ImportForm
from annotations.interop.vocabulary import concept_scheme
from annotations.labelling import LabelError
from annotations.throttle import throttle_label_writes
from annotations.views import HtmxHttpRequest
from annotations.views.site import refusal
from newsroom.uploads import was_too_large

IMPORT_TEMPLATE = "annotations/import_annotations.html"


@require_GET
@login_required
def article_annotations(request: HtmxHttpRequest, article_id: int) -> HttpResponseBase:
    """Every label on one article as Web Annotations. Every logged-in user reads them, as the CSV."""
    article = get_article(article_id, only=("id", "title"))
    try:
        site = interop_export.site()
    except interop_export.NoSiteUrl as error:
        return refusal(request, str(error), status=503)
    return interop_export.jsonld_response(
        interop_export.article_bytes(article, site),
        interop_export.export_filename(utc_today(), article.id),
    )


@require_GET
@login_not_required
def label_scheme(request: HttpRequest) -> HttpResponse:
    """The SKOS concept scheme of the three labels, at the IRI every export names them by.

    Public: it describes the labels and holds no one's data, and whoever reads
    an export may look its terms up.
    """
    try:
        site = interop_export.site()
    except interop_export.NoSiteUrl as error:
        return refusal(request, str(error), status=503)
    response = JsonResponse(
        concept_scheme(site), content_type="application/ld+json", json_dumps_params={"indent": 1}
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_POST
@editor_required
@throttle_label_writes  # one write however many labels: a person's one deliberate act
def annotations_import(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    """Import a file of labels into the article (its form is on the article page)."""
    article = get_article(article_id)
    form = ImportForm(request.POST, request.FILES, too_large=was_too_large(request, "file"))
    context: dict[str, object] = {"article": article, "form": form}
    if not form.is_valid():
        return render(request, IMPORT_TEMPLATE, context, status=400)
    options = form.cleaned_data
    try:
        result = interop_import.import_file(
            article,
            options["file"].read(),
            by=request.user,
            via="upload on the article page",
            skip_refused=options["skip_refused"],
            import_account=settings.IMPORT_ACCOUNT if options["use_import_account"] else None,
        )
    except (interop_import.ImportRefused, LabelError) as error:
        context["error"] = error.message
        return render(request, IMPORT_TEMPLATE, context, status=getattr(error, "status", 400))
    # The file must be chosen again; the two choices stay as they were.
    choices = {name: options[name] for name in ("use_import_account", "skip_refused")}
    context.update(result=result, form=ImportForm(initial=choices))
    return render(request, IMPORT_TEMPLATE, context, status=400 if result.blocked else 200)
