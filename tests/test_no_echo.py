"""No response echoes what the request sent unescaped: every URL pattern, every parameter.

The list of URLs comes from the resolver, so a new URL is swept without anyone
adding it here; a path argument this module has no value for fails the test.
For each URL a probe request records which query (or form) parameters the view
reads; then each of those, and one the view does not read, carries the
markup payload in turn. It runs with DEBUG off and on, as anonymous and as
staff, with and without htmx, GET and POST (each write rolled back), and fails
if the payload comes back unescaped in any body, whatever the status.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.views import main as changelist_vars
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from annotations.models import Article, Label, Span
from tests.factories import label_quote
from tests.hostile import REFLECTED, REFLECTED_TAGS

UNREAD = "zz-not-a-parameter"
HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@dataclass(frozen=True)
class Route:
    pattern: str
    url: str
    admin: Any = None  # the ModelAdmin of an admin view

    @property
    def ours(self) -> bool:
        return not self.url.startswith("/admin/")


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def _fill(pattern: str, values: dict[str, str]) -> str:
    """The pattern with each argument replaced: ``<int:article_id>``, ``(?P<x>...)``, ``(...)``."""
    positional = iter(values.get("*", []))

    def named(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in values:
            raise AssertionError(f"No value for <{name}> in {pattern!r}: add one to test_no_echo.")
        return values[name]

    url = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", named, pattern)
    url = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", named, url)
    url = re.sub(r"\([^)]*\)", lambda _: next(positional), url)
    return "/" + url.replace("^", "").replace("$", "")


def _routes(objects: dict[str, Any]) -> list[Route]:
    payload_path = quote(REFLECTED.text, safe="")
    routes = []
    for pattern, entry in _patterns(get_resolver()):
        admin = getattr(entry.callback, "model_admin", None)
        values: dict[str, Any] = {
            "article_id": str(objects["article"].pk),
            "label_id": str(objects["label"].pk),
            "span_id": str(objects["span"].pk),
            "name": "disagreements",
            "app_label": "annotations",
            "content_type_id": str(ContentType.objects.get_for_model(Article).pk),
            "id": str(objects["user"].pk),
            "url": payload_path,
            "*": [str(objects["label"].pk), str(objects["history"])],
        }
        if admin is not None:
            values["object_id"] = str(admin.model._default_manager.order_by("pk").first().pk)
        else:
            values["object_id"] = str(objects["article"].pk)
        routes.append(Route(pattern, _fill(pattern, values), admin))
        if "object_id" in pattern:  # an id that is itself the payload
            routes.append(Route(pattern, _fill(pattern, {**values, "object_id": payload_path})))
    routes.append(Route("(no pattern)", "/" + payload_path + "/"))
    return routes


@pytest.fixture
def world(alice, bob, staff, article) -> dict[str, Any]:
    label = label_quote(article, alice, "Officials", "verified_fact", note="A note")
    label_quote(article, bob, "Officials", "official_claim")
    AccessAttempt.objects.create(username="x", ip_address="127.0.0.1", failures_since_start=1)
    AccessLog.objects.create(username="x", ip_address="127.0.0.1", attempt_time=timezone.now())
    AccessFailureLog.objects.create(
        username="x", ip_address="127.0.0.1", attempt_time=timezone.now()
    )
    assert Group.objects.exists()
    return {
        "article": article,
        "label": label,
        "span": Span.objects.get(),
        "user": User.objects.get(username="bob"),
        "history": Label.history.filter(id=label.id).first().history_id,
        "staff": staff,
    }


class _Reads:
    """Records the parameter names any QueryDict is asked for during a request."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: set[str] = set()
        for method in ("__getitem__", "get", "getlist", "__contains__", "pop"):
            original = getattr(QueryDict, method)

            def spy(qd: QueryDict, key: Any, *args: Any, _original: Any = original) -> Any:
                if isinstance(key, str):
                    self.names.add(key)
                return _original(qd, key, *args)

            monkeypatch.setattr(QueryDict, method, spy)


def _changelist_parameters(route: Route, request_user: User) -> set[str]:
    """What an admin changelist reads from its whole query string (not through QueryDict.get)."""
    if route.admin is None or not route.url.endswith(f"/{route.admin.opts.model_name}/"):
        return set()
    from django.test import RequestFactory

    request = RequestFactory().get(route.url)
    request.user = request_user
    changelist = route.admin.get_changelist_instance(request)
    names = {
        changelist_vars.ALL_VAR,
        changelist_vars.ORDER_VAR,
        changelist_vars.PAGE_VAR,
        changelist_vars.SEARCH_VAR,
        changelist_vars.ERROR_FLAG,
        changelist_vars.IS_FACETS_VAR,  # type: ignore[attr-defined]  # not in django-stubs 5.2
    }
    for spec in changelist.filter_specs:
        names.update(spec.expected_parameters())
    if changelist.date_hierarchy:
        names.update(f"{changelist.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    return names


def _request(client: Client, method: str, url: str, params: dict[str, str], htmx: bool) -> Any:
    """One request, its writes rolled back; the response with its whole body read."""
    from django.db import transaction

    extra = HX if htmx else {}
    with transaction.atomic():
        if method == "GET":
            response = client.get(url + ("?" + urlencode(params) if params else ""), **extra)
        else:
            response = client.post(url, params, **extra)
        body = (response.getvalue() if response.streaming else response.content).decode(
            "utf-8", "replace"
        )
        transaction.set_rollback(True)
    return response, body


def sweep(routes: list[Route], world: dict[str, Any], reads: _Reads) -> tuple[int, list[str]]:
    """Every route, role, method and parameter: (requests made, what went wrong)."""
    failures = []
    checked = 0
    for route in routes:
        changelist_parameters = _changelist_parameters(route, world["staff"])
        for role in ("anonymous", "staff"):
            for method in ("GET", "POST"):
                for htmx in (False, True) if route.ours else (False,):
                    client = Client(raise_request_exception=False)
                    if role == "staff":
                        client.force_login(world["staff"])
                    reads.names.clear()
                    _request(client, method, route.url, {}, htmx)
                    names = reads.names | changelist_parameters
                    for name in sorted(names - {"csrfmiddlewaretoken"}) + [UNREAD]:
                        if role == "staff" and "logout" in route.url:
                            client.force_login(
                                world["staff"]
                            )  # the write was rolled back, not the cookie
                        response, body = _request(
                            client, method, route.url, {name: REFLECTED.text}, htmx
                        )
                        checked += 1
                        where = f"{method} {route.url} {name}= as {role}{' (htmx)' if htmx else ''}"
                        if any(tag in body for tag in REFLECTED_TAGS):
                            failures.append(f"{where}: {response.status_code} echoes the payload")
                        if response.status_code >= 500:
                            failures.append(f"{where}: {response.status_code}")
    return checked, failures


@pytest.mark.parametrize("debug", [False, True], ids=["DEBUG off", "DEBUG on"])
def test_no_response_echoes_request_input_unescaped(world, settings, monkeypatch, debug):
    settings.DEBUG = debug
    checked, failures = sweep(_routes(world), world, _Reads(monkeypatch))
    assert checked > 500
    assert not failures, "\n".join(failures)


def test_the_sweep_finds_an_echo(world, settings, monkeypatch):
    """The check can fail: the old /reports/ answer to an unknown sort, on a URL of its own."""
    settings.ROOT_URLCONF = "tests.echo_urls"
    routes = [route for route in _routes(world) if route.url == "/echo/"]
    assert routes, "the sweep did not find the URL added to the URLconf"
    checked, failures = sweep(routes, world, _Reads(monkeypatch))
    assert failures and all("echoes the payload" in failure for failure in failures)
    assert any("sort=" in failure for failure in failures)
