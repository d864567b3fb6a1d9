"""Fixtures that keep security tests fast; import them into a test module to use them."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The named users are made with real passwords; PBKDF2 costs ~0.5 s each on a busy
    2-core machine. MD5 is fine for throwaway test users (set before they are made)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
