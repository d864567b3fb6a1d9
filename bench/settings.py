"""Production settings for the benchmark, minus TLS: it serves plain HTTP on 127.0.0.1.

DEBUG is off because it changes what is measured (query logging, template
debug info); the key is throwaway because so is the database.
"""

from __future__ import annotations

import os

os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "bench-only-key-for-a-throwaway-database")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ["SECURE_SSL_REDIRECT"] = "false"
os.environ["SECURE_HSTS_SECONDS"] = "0"

from newsroom.settings import *  # noqa: E402, F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Serve static files straight from the source folders: no collectstatic step.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # type: ignore[assignment]  # nothing collected; whitenoise would warn about the missing folder
