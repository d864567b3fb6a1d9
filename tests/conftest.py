"""Shared fixtures: named users for every role, and articles to work on.

alice and bob are editors (bob is the second reviewer), carol is a reader
(logged in, not an editor), and staff is an admin. Anonymous requests use the
plain ``client`` fixture.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from annotations.ingest import ArticleData, save_article
from annotations.models import EDITORS_GROUP, Article
from tests.local_web import LocalWeb, local_web

SAMPLE_BODY = (
    "Officials say 300,000 reservists were called up.\n\n"
    "One version is that he could draft up to two million \N{EN DASH} including 300,000 women.\n\n"
    "Reporters 🇺🇦 saw the 👩🏽‍⚕️ medics; the café was closed."
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The named users get real passwords; PBKDF2 costs ~0.5 s each on a busy 2-core
    machine. MD5 is fine for throwaway test users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_name_lookups(monkeypatch):
    """Nothing in the tests reaches the internet: no host name but ``localhost`` is looked
    up. IP literals, in any spelling, are still read (locally, by the C resolver)."""
    real = socket.getaddrinfo

    def local_only(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in (None, "localhost"):
            return real(host, port, *args, **kwargs)
        flags = kwargs.pop("flags", args[3] if len(args) > 3 else 0)
        args = args[:3]
        try:
            return real(host, port, *args, flags=flags | socket.AI_NUMERICHOST, **kwargs)
        except socket.gaierror:
            raise socket.gaierror(socket.EAI_NONAME, "tests look up no host names") from None

    monkeypatch.setattr(socket, "getaddrinfo", local_only)


@pytest.fixture
def local_site() -> Iterator[LocalWeb]:
    """The saved pages served on 127.0.0.1 (tests/local_web.py)."""
    with local_web() as server:
        yield server


def _user(username: str, *, editor: bool = False, **extra: Any) -> User:
    user = User.objects.create_user(username, password="pw-" + username, **extra)
    if editor:
        user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user


@pytest.fixture
def alice(db) -> User:
    return _user("alice", editor=True)


@pytest.fixture
def bob(db) -> User:
    return _user("bob", editor=True)


@pytest.fixture
def carol(db) -> User:
    return _user("carol")


@pytest.fixture
def staff(db) -> User:
    return _user("staff", is_staff=True, is_superuser=True)


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice) -> Client:
    return _client_for(alice)


@pytest.fixture
def bob_client(bob) -> Client:
    return _client_for(bob)


@pytest.fixture
def carol_client(carol) -> Client:
    return _client_for(carol)


@pytest.fixture
def staff_client(staff) -> Client:
    return _client_for(staff)


@pytest.fixture
def article(alice) -> Article:
    made, _ = save_article(
        ArticleData(title="Mobilisation rumours", body=SAMPLE_BODY, outlet="Desk Daily"),
        created_by=alice,
    )
    return made
