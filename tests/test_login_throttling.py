"""Login throttling: django-axes locks out an account from one address after 5 wrong passwords."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.db.models import F

from newsroom.client_ip import address_from_meta

ATTACKER = "203.0.113.7"


def _login(client, username, password, address=ATTACKER):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail(client, username, times, address=ATTACKER):
    return [_login(client, username, "wrong", address).status_code for _ in range(times)]


def test_four_wrong_passwords_only_show_the_form_error(client, alice):
    assert _fail(client, "alice", 4) == [200, 200, 200, 200]
    response = _login(client, "alice", "pw-alice")
    assert response.status_code == 302  # the fifth try, right this time, gets in


def test_the_fifth_wrong_password_locks_the_account_out(client, alice):
    assert _fail(client, "alice", 5) == [200, 200, 200, 200, 429]
    response = _login(client, "alice", "wrong")
    html = response.content.decode()
    assert response.status_code == 429
    assert "Too many attempts" in html
    assert "After 5 wrong passwords" in html and "paused for 15 minutes" in html
    assert 'href="/login/"' in html


def test_the_right_password_is_refused_during_the_lockout(client, alice):
    _fail(client, "alice", 5)
    response = _login(client, "alice", "pw-alice")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still sent to log in


def test_other_users_and_other_addresses_are_not_locked_out(client, alice, bob):
    _fail(client, "alice", 5)
    assert _login(client, "bob", "pw-bob").status_code == 302
    # Locking per account *and* address: someone else guessing alice's password
    # from elsewhere cannot lock alice out of her own desk.
    assert _login(client, "alice", "pw-alice", address="198.51.100.20").status_code == 302


def test_the_lockout_lifts_after_15_minutes(client, alice):
    _fail(client, "alice", 5)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=16))
    assert _login(client, "alice", "pw-alice").status_code == 302


def test_a_successful_login_resets_the_count(client, alice):
    _fail(client, "alice", 4)
    assert _login(client, "alice", "pw-alice").status_code == 302
    client.post("/logout/")
    assert _fail(client, "alice", 4) == [200, 200, 200, 200]


@pytest.mark.parametrize(
    ("meta", "proxies", "expected"),
    [
        ({"REMOTE_ADDR": "10.0.0.2"}, 0, "10.0.0.2"),
        # Without proxies configured, a client-sent header is ignored.
        ({"REMOTE_ADDR": "198.51.100.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, 0, "198.51.100.1"),
        # One load balancer appends the address it saw; spoofed entries to its left are ignored.
        (
            {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"},
            1,
            "203.0.113.9",
        ),
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, 1, "203.0.113.9"),
        # CDN then load balancer: the client is the second entry from the right.
        (
            {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9, 192.0.2.4"},
            2,
            "203.0.113.9",
        ),
        # Missing or garbled header: fall back to the peer address.
        ({"REMOTE_ADDR": "10.0.0.2"}, 1, "10.0.0.2"),
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "<script>"}, 1, "10.0.0.2"),
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "2001:db8::1"}, 1, "2001:db8::1"),
    ],
)
def test_client_address_behind_proxies(meta, proxies, expected):
    assert address_from_meta(meta, "X-Forwarded-For", proxies) == expected


def test_lockout_uses_the_forwarded_address_behind_a_proxy(client, alice, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        client.post(
            "/login/",
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    # Another client behind the same balancer is not locked out.
    other = client.post(
        "/login/",
        {"username": "alice", "password": "pw-alice"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert other.status_code == 302
