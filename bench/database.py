"""The benchmark's throwaway database: PostgreSQL when DATABASE_URL is set, else SQLite.

Everything in it is dropped and rebuilt, so a PostgreSQL database must say
so in its name (``..._bench``): ``make bench`` must never wipe real work.
"""

from __future__ import annotations

import os
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent / "out"
SQLITE_PATH = OUT_DIR / "bench.sqlite3"
SETTINGS = "bench.settings"


class RefusedDatabase(RuntimeError):
    pass


def configure() -> str:
    """Point Django at the benchmark database (before ``django.setup``); returns its URL."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url.startswith("sqlite:"):
        pass  # A child process of the benchmark, handed its SQLite file.
    elif url:
        name = url.rsplit("/", 1)[-1].split("?", 1)[0]
        if not url.startswith(("postgres://", "postgresql://")):
            raise RefusedDatabase("DATABASE_URL must be a postgres:// URL (or unset for SQLite).")
        if "bench" not in name:
            raise RefusedDatabase(
                f"make bench drops everything in {name!r}: use a database whose name contains "
                "'bench', e.g. createdb -h 127.0.0.1 -U postgres sourcemark_bench"
            )
    else:
        OUT_DIR.mkdir(exist_ok=True)
        url = f"sqlite:///{SQLITE_PATH}"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    return url


def wipe_and_migrate() -> None:
    """Empty the database and create the app's tables (after ``django.setup``)."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    else:
        connection.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0, interactive=False)


def describe() -> str:
    """The database's name and version, for the results."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"
