from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from annotations.seeding import DEMO_PASSWORD, load_seeds


class Command(BaseCommand):
    help = (
        "Load the seed articles from seeds/. With DEBUG on (or --demo), also the demo "
        "accounts alice, bob and admin and their labels. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            default=None,
            help="Load demo accounts and labels even with DEBUG off (never in production).",
        )

    def handle(self, *args: Any, demo: bool | None, **options: Any) -> None:
        report = load_seeds(demo=demo)
        self.stdout.write(f"Seed articles: {report.articles_created} new.")
        if report.demo:
            self.stdout.write(
                f"Demo accounts: {report.accounts_created} new; labels: {report.labels_loaded} "
                f"in place. Log in as alice, bob (editors) or admin, password {DEMO_PASSWORD}."
            )
        else:
            self.stdout.write("Demo accounts and labels skipped: DEBUG is off.")
