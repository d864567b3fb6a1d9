from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.ingest import read_article_file, save_article


class Command(BaseCommand):
    help = (
        "Import articles from .txt (first line is the title), .html or .json files. "
        "An article whose text is already stored is skipped, so re-running is safe. "
        "A file that holds no acceptable article is reported with the reason and "
        "skipped; the others are imported; the exit status is 1 when any was refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="Files to import.")

    def handle(self, *args: Any, paths: list[Path], **options: Any) -> None:
        created = skipped = refused = 0
        for path in paths:
            try:
                article, new = save_article(read_article_file(path))
            except OSError as error:
                problem = error.strerror or str(error)
            except ValidationError as error:
                problem = _reasons(error)
            except ValueError as error:
                problem = str(error)
            else:
                if new:
                    created += 1
                    self.stdout.write(f"Imported {path} as article {article.pk}: {article.title}")
                else:
                    skipped += 1
                    self.stdout.write(f"Skipped {path}: already stored as article {article.pk}")
                continue
            refused += 1
            self.stderr.write(f"Refused {path}: {problem}")
        self.stdout.write(f"{created} imported, {skipped} already present, {refused} refused.")
        if refused:
            raise CommandError(f"{refused} of {len(paths)} files refused (listed above).")


def _reasons(error: ValidationError) -> str:
    """Each message, after the field it is about when there is one."""
    if not hasattr(error, "error_dict"):
        return "; ".join(error.messages)
    return "; ".join(
        f"{field}: {message}"
        for field, messages in error.message_dict.items()
        for message in messages
    )
