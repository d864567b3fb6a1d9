"""Hardening: security headers, production settings, CSRF on writes, oversized input."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from html import unescape as html_unescape
from pathlib import Path

import pytest
from django.test import Client

from annotations.labelling import label_span
from annotations.models import Article

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**extra: str) -> dict[str, str]:
    # Not DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests set it in this process for Playwright.
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),  # 67 random characters
        ALLOWED_HOSTS="sourcemark.example.org",
        SITE_URL="https://sourcemark.example.org",
    )
    env.update(extra)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow  # a fresh Python process
def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow  # a fresh Python process
def test_check_deploy_notices_a_weak_secret_key():
    # The test above can fail: a short key is exactly what --deploy warns about.
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env=_production_env(SECRET_KEY="short")
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


@pytest.mark.slow  # a fresh Python process
def test_check_deploy_says_site_url_is_unset():
    # Web Annotation exports need it for their ids; without it they are refused.
    env = _production_env()
    del env["SITE_URL"]
    result = _manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "annotations.E001" in result.stderr and "set SITE_URL" in result.stderr


@pytest.mark.slow  # a fresh Python process
def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]
    for server in ("newsroom.wsgi", "newsroom.asgi"):
        result = subprocess.run(
            [sys.executable, "-c", f"import {server}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0, server
        assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.slow  # a fresh Python process
def test_production_refuses_to_sign_without_a_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]
    result = _manage("shell", "-c", "from django.core import signing; signing.dumps(1)", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


@pytest.mark.slow  # a fresh Python process
def test_build_steps_run_without_a_secret_key():
    # A deployment builds (collectstatic, migrations check) before secrets exist.
    env = _production_env()
    del env["SECRET_KEY"]
    result = _manage("makemigrations", "--check", "--dry-run", env=env)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow  # a fresh Python process
def test_production_cookies_are_secure_and_httponly_with_hsts():
    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    result = _manage("shell", "-v", "0", "-c", code, env=_production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 5 + ["31536000", "True", "True"]


def _assert_security_headers(response) -> str:
    """Every header of the README's "Browser protections"; returns the script-src directive."""
    csp = response["Content-Security-Policy"]
    assert "style-src 'self'" in csp
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    return next(d for d in csp.split("; ") if d.startswith("script-src"))


NONCE = re.compile(r"script-src 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'$")


@pytest.mark.parametrize("url", ["/login/", "/", "/articles/new/"])
def test_pages_send_security_headers(alice_client, url):
    response = alice_client.get(url)
    assert response.status_code == 200
    _assert_security_headers(response)


@pytest.mark.parametrize("url", ["/", "/articles/{id}/", "/reports/"])
def test_scripts_run_only_with_this_responses_nonce(alice_client, article, url):
    """'self' let an injected <script src="/static/..."> run (issue 10): only a nonce does now."""
    first = alice_client.get(url.format(id=article.id))
    nonce = NONCE.fullmatch(_assert_security_headers(first)).group(1)
    html = first.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
    second = alice_client.get(url.format(id=article.id))
    assert NONCE.fullmatch(_assert_security_headers(second)).group(1) != nonce


def test_admin_scripts_come_only_from_the_admins_own_directory(staff_client):
    response = staff_client.get("/admin/annotations/article/add/")
    assert response.status_code == 200
    script_src = _assert_security_headers(response)
    assert script_src == "script-src testserver/static/admin/ testserver/admin/jsi18n/"
    for src in re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', response.content.decode()):
        assert src.startswith(("/static/admin/", "/admin/jsi18n/")), src


def test_a_bad_host_gets_a_400_with_every_header(client, db, settings):
    for redirect in (False, True):  # SecurityMiddleware asks for the Host when it redirects
        settings.SECURE_SSL_REDIRECT = redirect
        response = Client().get("/", HTTP_HOST="evil.example")
        assert response.status_code == 400
        _assert_security_headers(response)
        assert "<script" not in response.content.decode()


def test_static_files_carry_the_headers(db, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    for path in ("/static/annotations/favicon.svg", "/static/annotations/annotate.js"):
        response = Client().get(path)
        assert response.status_code == 200, path
        _assert_security_headers(response)


@pytest.mark.parametrize(
    ("url", "status"),
    [("/no-such-page/", 404), ("/articles/new/", 403), ("/reports/?sort=x", 400)],
)
def test_error_pages_carry_the_headers_and_load_no_script(carol_client, url, status):
    response = carol_client.get(url)
    assert response.status_code == status
    _assert_security_headers(response)
    assert "<script" not in response.content.decode()


def test_htmx_swaps_no_error_answer(alice_client):
    """htmx's own default would too; the page says so, so no script may quietly change it."""
    html = alice_client.get("/").content.decode()
    config = json.loads(
        html_unescape(re.search(r'name="htmx-config" content=\'([^\']+)\'', html)[1])
    )
    handling = {rule["code"]: rule for rule in config["responseHandling"]}
    assert handling["[45].."] == {"code": "[45]..", "swap": False, "error": True}
    assert handling["..."]["swap"] is False
    assert config["allowScriptTags"] is False and config["allowEval"] is False
    assert config["selfRequestsOnly"] is True


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[a-z][^>]*\sstyle=|<style", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\s(on[a-z]+|hx-on[:a-z-]*)=", re.IGNORECASE)


@pytest.mark.parametrize(
    "url",
    [
        "/login/",
        "/",
        "/articles/new/",
        "/articles/{id}/",
        "/articles/{id}/edit/",
        "/articles/{id}/report/",
        "/reports/",
    ],
)
def test_pages_have_nothing_the_csp_would_block(alice_client, article, alice, bob, url):
    for reviewer, kind in ((alice, "verified_fact"), (bob, "official_claim")):
        label_span(article=article, reviewer=reviewer, start=0, end=9, quote="Officials", kind=kind)
    html = alice_client.get(url.format(id=article.id)).content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)
    assert not EVENT_HANDLER.search(html)


def test_the_label_history_page_has_nothing_the_csp_would_block(staff_client, article, alice):
    label = label_span(
        article=article, reviewer=alice, start=0, end=9, quote="Officials", kind="verified_fact"
    )
    version = label.history.first().history_id
    for url in (
        f"/admin/annotations/label/{label.id}/history/",
        f"/admin/annotations/label/{label.id}/history/{version}/",
    ):
        response = staff_client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_STYLE.search(html), url
        assert not EVENT_HANDLER.search(html), url


def test_a_write_without_csrf_token_is_refused_and_saves_nothing(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/articles/new/", {"title": "Forged", "body": "Forged text."})
    assert response.status_code == 403
    assert "Please reload the page" in response.content.decode()
    assert not Article.objects.exists()


def test_a_write_with_the_pages_csrf_token_is_accepted(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    html = client.get("/articles/new/").content.decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found is not None
    token = found.group(1)
    response = client.post(
        "/articles/new/", {"title": "Real", "body": "Real text.", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Article.objects.get().title == "Real"


def test_htmx_header_token_is_the_one_on_the_body(alice):
    # htmx sends X-CSRFToken from hx-headers on <body>: that token must be accepted.
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    html = client.get("/").content.decode()
    found = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', html)
    assert found is not None
    token = found.group(1)
    response = client.post(
        "/articles/new/",
        {"title": "Via header", "body": "Header text."},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 302


def test_a_5_mb_body_gets_a_readable_error(alice_client, db):
    response = alice_client.post("/articles/new/", {"title": "Huge", "body": "word " * 1_000_000})
    assert response.status_code == 400
    assert (
        "The article is too long (4,999,999 characters; the limit is 2,000,000)."
        in (response.context["form"].errors["body"])
    )
    assert not Article.objects.exists()


def test_a_request_over_the_upload_limit_gets_a_readable_400(alice_client, db):
    response = alice_client.post("/articles/new/", {"title": "Huger", "body": "x" * 10_000_001})
    html = response.content.decode()
    assert response.status_code == 400
    assert "That was too large to accept" in html
    assert "requests of up to 10 MB" in html and "2,000,000 characters" in html
    assert not Article.objects.exists()


def test_the_favicon_redirects_to_the_static_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/annotations/favicon.svg"


@pytest.mark.slow  # a fresh Python process
def test_app_processes_freeze_what_they_load_and_collect_less_often():
    # newsroom/collector.py: the report ran the cyclic collector about 40 times a request.
    probe = "import gc, {server}; print(gc.get_threshold()[0], gc.get_freeze_count())"
    for server in ("newsroom.wsgi", "newsroom.asgi"):
        result = subprocess.run(
            [sys.executable, "-c", probe.format(server=server)],
            cwd=ROOT,
            env=_production_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        threshold, frozen = map(int, result.stdout.split())
        assert threshold == 50_000, server
        assert frozen > 10_000, server  # Django and the app, loaded before any request


@pytest.mark.slow  # a fresh Python process
def test_an_app_process_on_sqlite_does_not_load_the_postgresql_driver():
    # Issue 17: a module-level import of psycopg (for one type) put 10 MB into every
    # SQLite process, the export's peak memory included.
    env = _production_env()
    env.pop("DATABASE_URL", None)
    probe = (
        "import sys, newsroom.wsgi, annotations.exports, annotations.csvsql; "
        "print(sorted(m for m in sys.modules if m.startswith('psycopg')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
