"""Who may do what: every view and htmx endpoint against every role.

Roles: anonymous (sent to log in; told the session ended, 401, on htmx),
reader carol (logged in, not an editor), editor alice (owns the label under
test), other editor bob (someone else's label), staff (superuser: admin and
export). Each row of ``MATRIX`` gives the
status every role gets; ``test_allows_*`` and ``test_denies_*`` are generated
from it, and a refused write must change nothing. A URL pattern that the
matrix does not cover fails ``test_every_url_pattern_is_in_the_matrix``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import UserSession
from annotations.access import SESSION_ENDED
from annotations.labelling import label_span
from annotations.models import EDITORS_GROUP, Article, Label, Span
from annotations.page_import import Preview
from annotations.urls import urlpatterns

ROLES = ("anonymous", "reader", "editor", "other_editor", "staff")
CLIENTS = {
    "reader": "carol_client",
    "editor": "alice_client",
    "other_editor": "bob_client",
    "staff": "staff_client",
}
HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
LOGIN = "/login/?next="
ADMIN_LOGIN = "/admin/login/?next="


@dataclass(frozen=True)
class Endpoint:
    name: str  # the URL pattern's name (admin ones prefixed "admin:")
    method: str
    url: str  # {article}, {span} and {label} (alice's label) are filled in
    status: tuple[int, int, int, int, int]  # anonymous, reader, editor, other editor, staff
    data: dict[str, Any] = field(default_factory=dict)
    htmx: bool = False
    label: str = ""  # tells apart two rows of one pattern
    files: dict[str, bytes] = field(
        default_factory=dict
    )  # uploaded as NAME.html (any name does for a file of labels)

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}{' ' + self.label if self.label else ''}"

    def expected(self, role: str) -> int:
        return self.status[ROLES.index(role)]


PAGE = (
    b"<html><head><title>Ferry cancelled | Harbour Herald</title></head><body><article>"
    b"<h1>Ferry cancelled</h1><p>The island ferry is cancelled for a third week, the "
    b"operator said on Monday.</p><p>Repairs to its engine have taken longer than "
    b"planned.</p></article></body></html>"
)
LABEL_FIELDS = {"start": "0", "end": "9", "quote": "Officials", "kind": "verified_fact"}
# alice's label of the world, as a Web Annotation: importing it changes nothing.
IMPORT_FILE = json.dumps(
    {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "classifying",
        "creator": {"type": "Person", "nickname": "alice"},
        "body": {"type": "TextualBody", "purpose": "classifying", "value": "Official claim"},
        "target": {"selector": {"type": "TextQuoteSelector", "exact": "Officials"}},
    }
).encode()
CHANGE_FIELDS = {"kind": "unsourced_speculation", "note": "", "source_url": ""}

MATRIX = [
    Endpoint("article_list", "GET", "/", (302, 200, 200, 200, 200)),
    Endpoint("article_detail", "GET", "/articles/{article}/", (302, 200, 200, 200, 200)),
    Endpoint("article_create", "GET", "/articles/new/", (302, 403, 200, 200, 200)),
    Endpoint(
        "article_create",
        "POST",
        "/articles/new/",
        (302, 403, 302, 302, 302),
        data={"title": "Fresh", "body": "A fresh article."},
    ),
    # A new article from a web page: only editors create articles.
    Endpoint(
        "article_preview",
        "POST",
        "/articles/new/preview/",
        (302, 403, 200, 200, 200),
        data={"source": "page"},
        files={"page": PAGE},
    ),
    Endpoint(
        "article_create_from_page",
        "POST",
        "/articles/new/from-page/",
        (302, 403, 302, 302, 302),
        data={"title": "Ferry cancelled", "token": "{token}"},
    ),
    Endpoint("article_edit", "GET", "/articles/{article}/edit/", (302, 403, 200, 200, 200)),
    Endpoint(
        "article_edit",
        "POST",
        "/articles/{article}/edit/",
        (302, 403, 302, 302, 302),
        data={"title": "Renamed", "body": "{body}", "outlet": "Other desk"},
    ),
    # Corrections: anyone may read the revisions; editors re-attach or dismiss orphans
    # (any editor: an orphan is the article's work, not one reviewer's label).
    Endpoint("revision_list", "GET", "/articles/{article}/revisions/", (302, 200, 200, 200, 200)),
    Endpoint(
        "orphan_reattach",
        "POST",
        "/articles/{article}/orphans/reattach/",
        (401, 403, 200, 200, 200),
        data={"orphan": "{orphan}", "start": "10", "end": "13", "quote": "say", "revision": "1"},
        htmx=True,
    ),
    Endpoint(
        "orphan_dismiss",
        "POST",
        "/articles/{article}/orphans/{orphan}/dismiss/",
        (401, 403, 200, 200, 200),
        htmx=True,
    ),
    Endpoint(
        "label_create",
        "POST",
        "/articles/{article}/labels/",
        (401, 403, 200, 200, 200),
        data=LABEL_FIELDS,
        htmx=True,
    ),
    Endpoint(
        "label_create",
        "POST",
        "/articles/{article}/labels/",
        (302, 403, 302, 302, 302),
        data=LABEL_FIELDS,
        label="without htmx",
    ),
    # Only the label's reviewer may change or remove it: not another editor, not staff.
    Endpoint(
        "label_change",
        "POST",
        "/articles/{article}/labels/{label}/",
        (401, 403, 200, 403, 403),
        data=CHANGE_FIELDS,
        htmx=True,
    ),
    Endpoint(
        "label_remove",
        "POST",
        "/articles/{article}/labels/{label}/remove/",
        (401, 403, 200, 403, 403),
        htmx=True,
    ),
    Endpoint(
        "span_panel",
        "GET",
        "/articles/{article}/spans/{span}/",
        (401, 200, 200, 200, 200),
        htmx=True,
    ),
    Endpoint(
        "span_panel",
        "GET",
        "/articles/{article}/spans/{span}/",
        (302, 200, 200, 200, 200),
        label="without htmx",
    ),
    # "I have finished this article": every editor marks their own review, readers may not.
    Endpoint(
        "review_finished",
        "POST",
        "/articles/{article}/finished/",
        (401, 403, 200, 200, 200),
        data={"action": "finish"},
        htmx=True,
    ),
    Endpoint(
        "review_finished",
        "POST",
        "/articles/{article}/finished/",
        (302, 403, 302, 302, 302),
        data={"action": "reopen"},
        label="without htmx",
    ),
    # The toolbar's offer of the span a selection nearly matches: it shows what readers read.
    Endpoint(
        "span_offer",
        "GET",
        "/articles/{article}/spans/offer/?start=0&end=8",
        (401, 200, 200, 200, 200),
        htmx=True,
    ),
    Endpoint(
        "span_offer",
        "GET",
        "/articles/{article}/spans/offer/?start=0&end=8",
        (302, 200, 200, 200, 200),
        label="without htmx",
    ),
    Endpoint("article_report", "GET", "/articles/{article}/report/", (302, 200, 200, 200, 200)),
    # "Show all" of a long side list or report list: every logged-in user reads them.
    Endpoint(
        "span_items", "GET", "/articles/{article}/spans/", (401, 200, 200, 200, 200), htmx=True
    ),
    Endpoint(
        "span_items",
        "GET",
        "/articles/{article}/spans/",
        (302, 200, 200, 200, 200),
        label="without htmx",
    ),
    # Live colleagues: whoever reads the article follows its changes ("since=0": alice's label).
    Endpoint(
        "article_changes",
        "GET",
        "/articles/{article}/changes/?since=0",
        (401, 200, 200, 200, 200),
        htmx=True,
    ),
    Endpoint(
        "article_changes",
        "GET",
        "/articles/{article}/changes/?since=0",
        (302, 200, 200, 200, 200),
        label="without htmx",
    ),
    Endpoint(
        "report_list",
        "GET",
        "/articles/{article}/report/disputed/",
        (401, 200, 200, 200, 200),
        htmx=True,
    ),
    Endpoint(
        "report_list",
        "GET",
        "/articles/{article}/report/disputed/",
        (302, 200, 200, 200, 200),
        label="without htmx",
    ),
    Endpoint("report_overview", "GET", "/reports/", (302, 200, 200, 200, 200)),
    Endpoint(
        "article_labels_csv", "GET", "/articles/{article}/labels.csv", (302, 200, 200, 200, 200)
    ),
    # Web Annotations: every logged-in user reads them, as the CSV; editors import them.
    Endpoint(
        "article_annotations",
        "GET",
        "/articles/{article}/annotations.jsonld",
        (302, 200, 200, 200, 200),
    ),
    Endpoint(
        "annotations_import",
        "POST",
        "/articles/{article}/annotations/import/",
        (302, 403, 200, 200, 200),
        files={"file": IMPORT_FILE},
    ),
    # The label vocabulary names the labels, holds no one's data: public.
    Endpoint("label_scheme", "GET", "/vocab/labels", (200, 200, 200, 200, 200)),
    Endpoint("admin:index", "GET", "/admin/", (302, 302, 302, 302, 200)),
    Endpoint(
        "admin:annotations_article_changelist",
        "GET",
        "/admin/annotations/article/",
        (302, 302, 302, 302, 200),
    ),
    Endpoint(
        "admin:annotations_span_changelist",
        "GET",
        "/admin/annotations/span/",
        (302, 302, 302, 302, 200),
    ),
    Endpoint(
        "admin:annotations_label_history",
        "GET",
        "/admin/annotations/label/{label}/history/",
        (302, 302, 302, 302, 200),
    ),
    # The CSV admin actions: staff only.
    Endpoint(
        "admin:annotations_label_changelist",
        "POST",
        "/admin/annotations/label/",
        (302, 302, 302, 302, 200),
        data={"action": "export_labels_csv", "_selected_action": "{label}"},
        label="CSV action",
    ),
    Endpoint(
        "admin:annotations_article_changelist",
        "POST",
        "/admin/annotations/article/",
        (302, 302, 302, 302, 200),
        data={"action": "export_labels_csv", "_selected_action": "{article}"},
        label="CSV action",
    ),
    Endpoint(
        "admin:annotations_article_changelist",
        "POST",
        "/admin/annotations/article/",
        (302, 302, 302, 302, 200),
        data={"action": "export_labels_jsonld", "_selected_action": "{article}"},
        label="Web Annotation action",
    ),
    Endpoint(
        "admin:annotations_label_changelist",
        "GET",
        "/admin/annotations/label/",
        (302, 302, 302, 302, 200),
    ),
]

WRITES = [e for e in MATRIX if e.method == "POST"]


@pytest.fixture
def world(article, alice):
    """The article and alice's label on "Officials" (its span), as URL parts."""
    label = label_span(
        article=article, reviewer=alice, start=0, end=9, quote="Officials", kind="official_claim"
    )
    token = Preview(("A preview's text, signed by the server.",), (), "the file x.html").token()
    # A label a correction left without a place.
    orphan = Span.objects.create(article=article, quote="gone text", anchor="orphaned")
    Label.objects.create(span=orphan, reviewer=alice, kind="verified_fact")
    return {
        "orphan": orphan.id,
        "article": article.id,
        "span": label.span_id,
        "label": label.id,
        "body": article.body,
        "token": token,
    }


def _client(request, role: str) -> Client:
    return Client() if role == "anonymous" else request.getfixturevalue(CLIENTS[role])


def _call(client: Client, endpoint: Endpoint, world: dict[str, Any]):
    url = endpoint.url.format(**world)
    data: dict[str, Any] = {key: str(value).format(**world) for key, value in endpoint.data.items()}
    for name, content in endpoint.files.items():
        data[name] = SimpleUploadedFile(f"{name}.html", content, "text/html")
    headers = HX if endpoint.htmx else {}
    if endpoint.method == "GET":
        return client.get(url, **headers)
    return client.post(url, data, **headers)


def _snapshot() -> tuple[Any, ...]:
    """Everything a write could change."""
    return (
        list(Article.objects.order_by("id").values_list("id", "title", "outlet", "body")),
        list(Span.objects.order_by("id").values_list("id", "start", "end", "anchor")),
        list(Label.objects.order_by("id").values_list("id", "reviewer_id", "kind", "note")),
    )


def _cases(allowed: bool) -> list[Any]:
    return [
        pytest.param(role, endpoint, id=f"{role}: {endpoint.id}")
        for endpoint in MATRIX
        for role in ROLES
        if (endpoint.expected(role) in (200, 302) and not _is_login_redirect(endpoint, role))
        == allowed
    ]


def _is_login_redirect(endpoint: Endpoint, role: str) -> bool:
    """A 302 that is a refusal: anonymous users everywhere, non-staff in the admin."""
    if endpoint.expected(role) != 302:
        return False
    return role == "anonymous" or endpoint.name.startswith("admin:")


@pytest.mark.parametrize(("role", "endpoint"), _cases(allowed=True))
def test_allows(request, world, role, endpoint):
    response = _call(_client(request, role), endpoint, world)
    assert response.status_code == endpoint.expected(role), response.content[:300]
    if response.status_code == 302:
        assert not response["Location"].startswith((LOGIN, ADMIN_LOGIN))
    if endpoint.htmx and response.status_code == 200:
        assert b"<html" not in response.content  # the fragment, not the page


@pytest.mark.parametrize(("role", "endpoint"), _cases(allowed=False))
def test_denies(request, world, role, endpoint):
    before = _snapshot()
    response = _call(_client(request, role), endpoint, world)
    assert response.status_code == endpoint.expected(role)
    if response.status_code == 302:
        login = ADMIN_LOGIN if endpoint.name.startswith("admin:") else LOGIN
        assert response["Location"].startswith(login)
    assert _snapshot() == before


@pytest.mark.parametrize("endpoint", WRITES, ids=[e.id for e in WRITES])
def test_denies_writes_without_a_csrf_token(world, alice, staff, endpoint):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff if endpoint.name.startswith("admin:") else alice)
    before = _snapshot()
    response = _call(client, endpoint, world)
    assert response.status_code == 403
    assert _snapshot() == before


# The app's views that need a login (the label vocabulary is public).
LOGGED_IN_VIEWS = [
    e for e in MATRIX if not e.name.startswith("admin:") and e.expected("anonymous") != 200
]


@pytest.mark.parametrize("endpoint", LOGGED_IN_VIEWS, ids=[e.id for e in LOGGED_IN_VIEWS])
def test_every_view_tells_htmx_that_the_session_ended(client, world, endpoint):
    # Never the login page swapped into the page: a status and a sentence its script shows.
    response = _call(client, replace(endpoint, htmx=True), world)
    assert response.status_code == 401
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == SESSION_ENDED


def test_every_url_pattern_is_in_the_matrix():
    covered = {endpoint.name for endpoint in MATRIX}
    named = {pattern.name for pattern in urlpatterns}
    assert named <= covered, f"not in the permission matrix: {sorted(map(str, named - covered))}"
    # And every write pattern is checked for CSRF too.
    assert {e.name for e in WRITES} >= {
        "article_create",
        "article_edit",
        "label_create",
        "annotations_import",
        "article_preview",
        "article_create_from_page",
        "review_finished",
    }


def test_a_reader_is_told_why_a_write_is_refused(carol_client, world):
    response = carol_client.get("/articles/new/")
    assert response.status_code == 403
    assert (
        "Only editors can do this. Ask an admin to add you to Editors." in response.content.decode()
    )


def test_a_missing_article_gets_a_page_in_the_apps_style(alice_client, db):
    response = alice_client.get("/articles/999999/")
    assert response.status_code == 404
    assert "There is nothing at this address" in response.content.decode()


def test_leaving_editors_takes_effect_at_the_next_request(alice_client, alice, carol_client, carol):
    # The session's user brings its Editors membership in the query that loads it
    # (access.EditorAwareBackend), read again at every request: never kept in the session.
    editors = Group.objects.get(name=EDITORS_GROUP)
    assert alice_client.get("/articles/new/").status_code == 200
    editors.user_set.remove(alice)
    assert alice_client.get("/articles/new/").status_code == 403
    assert carol_client.get("/articles/new/").status_code == 403
    editors.user_set.add(carol)
    assert carol_client.get("/articles/new/").status_code == 200


def test_an_expired_or_unknown_session_is_logged_out(alice_client):
    # Sessions are read in plain SQL (accounts/sessions.py), with the expiry rule of Django's.
    assert alice_client.get("/articles/new/").status_code == 200
    UserSession.objects.update(expire_date=timezone.now())
    assert alice_client.get("/articles/new/")["Location"].startswith("/login/")
    alice_client.cookies["sessionid"] = "no-such-session"
    assert alice_client.get("/articles/new/")["Location"].startswith("/login/")
