"""The session and its user, read in one statement (accounts/sessions.py, authentication.py).

A request of a logged-in user reads its session row joined with the user and
whether they are an editor. The row's user column is only a hint: the signed
session data decides who is logged in, and Django's own checks (the password
hash, the backend path, inactive users, expiry, logout) still decide whether
they stay logged in.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import UserSession
from accounts.sessions import SessionStore

HX = {"HTTP_HX_REQUEST": "true"}


def _who(client: Client) -> str | None:
    """The user a request is served as: the name in the page header, None when sent to log in."""
    response = client.get("/")
    if response.status_code == 302:
        assert response["Location"].startswith("/login/")
        return None
    html = response.content.decode()
    start = html.index('<span class="who">') + len('<span class="who">')
    return html[start : html.index("</span>", start)]


def _row(client: Client) -> UserSession:
    return UserSession.objects.get(session_key=client.cookies["sessionid"].value)


def test_an_editors_request_reads_the_session_and_the_user_in_one_statement(alice_client, article):
    html = alice_client.get(f"/articles/{article.id}/").content.decode()
    since = re.search(r'data-live-revision="([^"]*)"', html).group(1)
    with CaptureQueriesContext(connection) as queries:
        response = alice_client.get(f"/articles/{article.id}/changes/?since={since}", **HX)
    assert response.status_code == 204
    # The session row joined with its user and their Editors membership; the
    # article's revision. Nothing else.
    statements = [q["sql"] for q in queries]
    assert len(statements) == 2, statements
    assert "usersession" in statements[0]
    assert "auth_user" in statements[0]
    assert "auth_group" in statements[0]


def test_logging_in_fills_the_user_column_and_logging_out_deletes_the_row(client, alice):
    client.get("/login/")
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    response = client.post("/login/", {"username": "alice", "password": "pw-alice"})
    assert response.status_code == 302
    row = _row(client)
    assert row.session_key != before  # the key is cycled at login
    assert row.user_id == alice.pk
    assert _who(client) == "alice"
    client.post("/logout/")
    assert not UserSession.objects.filter(session_key=row.session_key).exists()
    assert _who(client) is None


def test_a_tampered_user_column_does_not_log_in_someone_else(carol_client, alice, carol):
    # carol is a reader; her row now names alice, an editor. The session data,
    # signed, still says carol: she is served as carol, and may not write.
    UserSession.objects.filter(pk=_row(carol_client).pk).update(user=alice)
    assert _who(carol_client) == "carol"
    assert carol_client.get("/articles/new/").status_code == 403
    # The same with the user column emptied: carol, read the ordinary way.
    UserSession.objects.filter(pk=_row(carol_client).pk).update(user=None)
    assert _who(carol_client) == "carol"


def test_a_password_change_logs_out_the_other_sessions(alice, alice_client):
    other = Client()
    other.force_login(alice)
    assert _who(other) == "alice"
    alice.set_password("a-new-password")
    alice.save()
    assert _who(alice_client) is None
    assert _who(other) is None
    # Logged out means flushed: the rows are gone.
    assert not UserSession.objects.filter(user=alice).exists()


def test_a_session_signed_with_a_retired_secret_key_is_kept_and_its_key_cycled(alice, settings):
    client = Client()
    client.force_login(alice)
    old_key = client.cookies["sessionid"].value
    settings.SECRET_KEY_FALLBACKS = [django_settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 50
    assert _who(client) == "alice"
    assert client.cookies["sessionid"].value != old_key
    assert _row(client).user_id == alice.pk


def test_an_inactive_user_is_logged_out(alice, alice_client):
    alice.is_active = False
    alice.save()
    assert _who(alice_client) is None


def test_a_session_from_a_backend_no_longer_configured_is_logged_out(alice_client):
    store = SessionStore(alice_client.cookies["sessionid"].value)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store.save()
    assert _who(alice_client) is None


def test_an_expired_session_is_logged_out(alice_client):
    assert _who(alice_client) == "alice"
    UserSession.objects.update(expire_date=timezone.now())
    assert _who(alice_client) is None


def test_a_session_not_yet_expired_is_kept(alice_client):
    UserSession.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    assert _who(alice_client) == "alice"


@pytest.mark.parametrize("user_id", ["", "not-a-number", None])
def test_session_data_without_a_usable_user_id_stores_no_user(user_id, db):
    store = SessionStore()
    store[SESSION_KEY] = user_id
    store[HASH_SESSION_KEY] = "whatever"
    store.save()
    assert UserSession.objects.get(session_key=store.session_key).user_id is None


def test_the_user_read_with_the_session_is_the_one_the_orm_reads(alice_client, alice, carol):
    # Its values go through the ORM's converters: aware datetimes, booleans.
    User.objects.filter(pk=alice.pk).update(last_login=timezone.now())
    read = SessionStore(alice_client.cookies["sessionid"].value).user_read_with_session()
    fresh = User.objects.get(pk=alice.pk)
    for field in User._meta.concrete_fields:
        value, expected = getattr(read, field.attname), getattr(fresh, field.attname)
        assert (value, type(value)) == (expected, type(expected)), field.name
    assert read._sourcemark_is_editor is True
    assert not read._state.adding


def test_a_session_without_a_user_reads_no_user(db):
    store = SessionStore()
    store["something"] = "kept"
    store.save()
    again = SessionStore(store.session_key)
    assert again["something"] == "kept"
    assert again.user_read_with_session() is None


def test_clearsessions_removes_expired_sessions_only(alice_client, carol_client):
    UserSession.objects.filter(pk=_row(carol_client).pk).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    call_command("clearsessions")
    assert list(UserSession.objects.values_list("user__username", flat=True)) == ["alice"]
