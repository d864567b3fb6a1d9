"""The views, one module per area: articles, annotating, reports, and the site's own pages.

Each view parses the request, calls the module that shapes the data
(``highlights``, ``span_panel``, ``report``, ``labelling``) and renders.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request as every view here sees it: through django-htmx's middleware
    (``request.htmx``), and from a logged-in user, since each view is
    ``login_required``. The name and the first half are django-htmx's advice."""

    htmx: HtmxDetails
    user: User
