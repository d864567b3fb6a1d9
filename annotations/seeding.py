"""The seed articles and, in development, demo accounts and their labels.

Safe to run again: articles are found by their text, accounts by username and
labels by (span, reviewer), so a second run changes nothing.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from annotations.ingest import read_article_file, save_article
from annotations.labelling import label_span
from annotations.models import EDITORS_GROUP, Article

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
DEMO_PASSWORD = "demo-password"
DEMO_EDITORS = ("alice", "bob")
DEMO_ADMIN = "admin"


@dataclass
class SeedReport:
    articles_created: int = 0
    labels_loaded: int = 0
    accounts_created: int = 0
    demo: bool = False


def find_quote(body: str, quote: str, occurrence: int = 1) -> int:
    """Offset of the ``occurrence``-th copy of ``quote`` in ``body``."""
    start = -1
    for _ in range(occurrence):
        start = body.find(quote, start + 1)
        if start == -1:
            raise ValueError(f"quote not in the seed article: {quote!r}")
    return start


def create_demo_accounts() -> int:
    """alice and bob (editors) and admin (superuser); development only."""
    User = get_user_model()
    editors, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    created = 0
    for username in DEMO_EDITORS:
        user, made = User.objects.get_or_create(username=username)
        if made:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created += 1
        user.groups.add(editors)
    if not User.objects.filter(username=DEMO_ADMIN).exists():
        User.objects.create_superuser(DEMO_ADMIN, "admin@example.com", DEMO_PASSWORD)
        created += 1
    return created


@transaction.atomic
def load_seeds(seeds_dir: Path = SEEDS_DIR, *, demo: bool | None = None) -> SeedReport:
    """Load every seed article; with ``demo`` (default: DEBUG) also accounts and labels."""
    demo = settings.DEBUG if demo is None else demo
    report = SeedReport(demo=demo)
    manifest = json.loads((seeds_dir / "demo_annotations.json").read_text(encoding="utf-8"))
    if demo:
        report.accounts_created = create_demo_accounts()
    for entry in manifest["articles"]:
        data = read_article_file(seeds_dir / entry["file"])
        data.outlet = entry.get("outlet", "")
        if entry.get("published"):
            data.published = datetime.date.fromisoformat(entry["published"])
        article, created = save_article(data)
        report.articles_created += created
        if demo:
            report.labels_loaded += _load_labels(article, entry["labels"])
    return report


def _load_labels(article: Article, labels: list[dict[str, Any]]) -> int:
    users = get_user_model().objects.filter(username__in=DEMO_EDITORS)
    reviewers = {user.get_username(): user for user in users}
    count = 0
    for item in labels:
        quote = item["quote"]
        start = find_quote(article.body, quote, item.get("occurrence", 1))
        for username, kind in item["by"].items():
            label_span(
                article=article,
                reviewer=reviewers[username],
                start=start,
                end=start + len(quote),
                quote=quote,
                kind=kind,
                note=item.get("notes", {}).get(username, ""),
            )
            count += 1
    return count
