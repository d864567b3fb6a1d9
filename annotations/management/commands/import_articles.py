from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.ingest import read_article_file, save_article


class Command(BaseCommand):
    help = (
        "Import articles from .txt (first line is the title), .html or .json files. "
        "An article whose text is already stored is skipped, so re-running is safe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="Files to import.")

    def handle(self, *args: Any, paths: list[Path], **options: Any) -> None:
        created = skipped = 0
        failures = []
        for path in paths:
            try:
                article, new = save_article(read_article_file(path))
            except (OSError, ValueError, ValidationError) as error:
                messages = getattr(error, "messages", [str(error)])
                failures.append(f"{path}: {'; '.join(messages)}")
                continue
            if new:
                created += 1
                self.stdout.write(f"Imported {path} as article {article.pk}: {article.title}")
            else:
                skipped += 1
                self.stdout.write(f"Skipped {path}: already stored as article {article.pk}")
        self.stdout.write(f"{created} imported, {skipped} already present, {len(failures)} failed.")
        if failures:
            raise CommandError("\n".join(failures))
