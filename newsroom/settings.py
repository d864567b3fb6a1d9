"""Settings for Sourcemark, read from the environment.

Every variable is documented in README.md. The helpers below fail loudly on a
value they cannot read: a typo in production must not silently become a default.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from csp.constants import NONCE, NONE, SELF, STRICT_DYNAMIC
from django.core.exceptions import ImproperlyConfigured

# Lets generic Django classes take type parameters at runtime (models.URLField[str, str]),
# as django-stubs has them when mypy checks the code.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_site_url(name: str, default: str) -> str:
    """An http(s) origin (scheme, host, optional port), without a trailing slash; "" if unset."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().rstrip("/")
    if not value:
        return ""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  # raises ValueError on a port that is not a number
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise ImproperlyConfigured(
            f"{name} must be the address readers reach the app at, like "
            f"https://sourcemark.example.org (no path), not {raw!r}"
        )
    return value


def env_label_names(name: str) -> dict[str, str]:
    """A JSON object mapping other tools' label names to Sourcemark's kinds; {} if unset."""
    from annotations.kinds import KINDS  # pure: no Django, safe while settings load

    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        names = json.loads(raw)
    except ValueError:
        names = None
    if not isinstance(names, dict) or not all(
        isinstance(key, str) and key.strip() and value in KINDS for key, value in names.items()
    ):
        raise ImproperlyConfigured(
            f"{name} must be a JSON object mapping label names to one of {', '.join(KINDS)}, "
            f'like {{"checked": "verified_fact"}}, not {raw!r}'
        )
    return names


_HOST_NAME = re.compile(
    r"\.?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
)


def env_host_names(name: str) -> list[str]:
    """Comma-separated host names, each ``cms.intranet`` or ``.intranet`` (every name under it)."""
    hosts = [host.lower() for host in env_list(name, [])]
    for host in hosts:
        if not _HOST_NAME.fullmatch(host):
            raise ImproperlyConfigured(
                f"{name} holds {host!r}, which is not a host name: write cms.intranet, "
                "or .intranet for every name under it (no http://, port or path)"
            )
    return hosts


def env_networks(name: str) -> list[str]:
    """Comma-separated IP networks (``10.20.0.0/16``) or addresses, IPv4 or IPv6."""
    networks = env_list(name, [])
    for network in networks:
        try:
            ipaddress.ip_network(network)  # strict: "10.20.1.0/16" is a typo, not a network
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} holds {network!r}, which is not a network: write 10.20.0.0/16 "
                "or a single address such as 10.20.0.7"
            ) from None
    return networks


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    # Development only: a fixed key so sessions survive a restart of `make run`.
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"
# With DEBUG off there is no fallback. Build steps that sign nothing (migrate,
# collectstatic, makemigrations) still run without the secret; anything that
# signs gets Django's own ImproperlyConfigured, and the WSGI and ASGI entry
# points call require_secret_key() so that no server starts without one.


def require_secret_key() -> None:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (make run and make test set DEBUG=true)."
        )


ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "annotations",
    "accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simple_history",
    "csp",
    "axes",
]

MIDDLEWARE = [
    # The header-adding middleware comes first, so that every response passes back
    # out through it: static files, a bad Host's 400, a CSRF failure. The outermost
    # one covers a 400 raised inside SecurityMiddleware itself (newsroom/middleware.py).
    "newsroom.middleware.HeadersOnEveryResponse",
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the request: a NUL never reaches a query (newsroom/middleware.py).
    "newsroom.middleware.RefuseUnstorableText",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, handed the user that the session's read joined (accounts/authentication.py).
    "accounts.authentication.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After auth and htmx: a logged-out htmx request gets 401 and a sentence, not the login page.
    "annotations.access.HtmxLoginRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # {{ csp_nonce }}, which {% htmx_script %} reads too.
                "newsroom.context_processors.csp_nonce",
            ],
        },
    },
]

# SQLite next to the code unless DATABASE_URL says otherwise. PostgreSQL goes
# through psycopg 3 with its connection pool (which needs CONN_MAX_AGE = 0).
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
_database = dj_database_url.parse(DATABASE_URL)
if _database["ENGINE"] == "django.db.backends.postgresql":
    _database["CONN_MAX_AGE"] = 0
    _database.setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN", 2),
        "max_size": env_int("DATABASE_POOL_MAX", 10),
    }
elif _database["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait for the lock instead of failing at once.
    _database.setdefault("OPTIONS", {})["timeout"] = 20
    _database["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out login before the password is even checked.
# Then ModelBackend, whose session user also brings its Editors membership
# (annotations.access). Sessions started under the plain ModelBackend's name
# log in again once.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "annotations.access.EditorAwareBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "article_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Request bodies, sized from the article limit (models.BODY_MAX_CHARS, 2,000,000
# characters): at most 4 bytes a character in UTF-8, which the article form sends
# as multipart (not URL-encoded, where one character takes up to 12 bytes), plus
# 2 MB for pasted markup and the other fields. Anything larger is refused with a
# 400 before a view sees it. tests/test_long_articles.py checks the sum.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1000 * 1000)

# Scripts run only from a <script> tag our templates wrote: each carries this
# response's nonce, and 'strict-dynamic' ignores every other source, our own
# origin included. An injected <script src="/static/..."> therefore does not
# run, where 'self' let it (issue 10). The admin, whose templates carry no
# nonce, gets its own script directory by path (newsroom/middleware.py).
# Styles, images and connections: the app's own only. No inline script or style, no eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [NONCE, STRICT_DYNAMIC],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Database sessions whose row names their user, read with that user in one
# statement of plain SQL (accounts/sessions.py). Django's own django_session
# table is no longer read: sessions from before it log in once more.
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
# htmx reads the token from the page (hx-headers), never from the cookie.
CSRF_COOKIE_HTTPONLY = True

# Behind TLS in production; DEBUG keeps plain HTTP usable on 127.0.0.1.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# The "preload" directive only states consent; a domain joins browsers' preload
# lists when someone submits it. On by default so `check --deploy` is clean.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Login throttling (django-axes): 5 wrong passwords for one account from one
# address lock that pair out for 15 minutes. Locking by account alone would let
# anyone lock a colleague out; by address alone, one typo-prone person would lock
# out a whole newsroom behind one NAT address. Failures are kept in the database,
# so every app process sees them.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "annotations.views.site.lockout"
AXES_HTTP_RESPONSE_CODE = 429
# Behind a load balancer REMOTE_ADDR is the balancer. TRUSTED_PROXY_COUNT says
# how many proxies of ours append to CLIENT_IP_HEADER; the client is that many
# entries from the right (entries further left are whatever the client sent).
AXES_CLIENT_IP_CALLABLE = "newsroom.client_ip.client_ip"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "X-Forwarded-For")

# Label writes (create, change, remove) per editor per minute; 0: no limit
# (annotations/throttle.py). A person labels a few a minute; the load test's
# editors about 35; a flood thousands.
LABEL_WRITES_PER_MINUTE = env_int("LABEL_WRITES_PER_MINUTE", 60)

# Where readers reach the app: every id in a Web Annotation export starts here
# (annotations/interop_export.py). A setting, not each request's Host: a label
# must keep one id whichever name or proxy a reader came through, and
# manage.py export_annotations has no request. Development serves on
# 127.0.0.1; production must say (manage.py check --deploy reports it unset).
SITE_URL = env_site_url("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")
# The account that keeps imported labels whose reviewers have no account here,
# when the person importing asks for that (annotations/interop_import.py).
IMPORT_ACCOUNT = os.environ.get("IMPORT_ACCOUNT", "import").strip()
# Label names of other tools an import understands, beyond the built-in table
# (annotations/interop/vocabulary.py, DEFAULT_NAMES).
IMPORT_LABEL_NAMES = env_label_names("IMPORT_LABEL_NAMES")

# Fetching a web address for a new article (annotations/webpages/fetch.py) reaches
# only public addresses. An intranet CMS is let through by name (its addresses are
# then not checked) or by network. Empty by default: nothing private is fetched.
WEB_FETCH_ALLOWED_HOSTS = env_host_names("WEB_FETCH_ALLOWED_HOSTS")
WEB_FETCH_ALLOWED_NETWORKS = env_networks("WEB_FETCH_ALLOWED_NETWORKS")

# Uploaded files (a saved web page, a file of labels) are read no further than
# this: a larger one is skipped as it arrives, never kept in memory or on disk
# (newsroom/uploads.py).
FILE_UPLOAD_MAX_BYTES = 5 * 1000 * 1000
FILE_UPLOAD_HANDLERS = [
    "newsroom.uploads.BoundedUpload",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
