from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations import page_import
from annotations.ingest import SUFFIXES, read_article_file, save_article
from annotations.models import Article


class Command(BaseCommand):
    help = (
        "Import articles from .txt (first line is the title), .html/.htm (a saved web "
        "page: its story and its details, without menus, captions, comments or ads) or "
        ".json files, or directories of them (read recursively, in name order; the "
        "NAME_files folders a browser saves beside a page are left out). Each file's "
        "line says what was kept: title, outlet, date, authors, words. An article "
        "whose text is already stored is skipped, so re-running is safe; so is one "
        "from an address already stored, unless --same-address-too. A file that holds "
        "no acceptable article is reported with the reason and skipped; the others "
        "are imported; the exit status is 1 when any was refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="Files or directories.")
        parser.add_argument(
            "--same-address-too",
            action="store_true",
            help="Import a page even when an article from its address is stored "
            "(a later version of a story); the same text is still skipped.",
        )

    def handle(self, *args: Any, paths: list[Path], same_address_too: bool, **options: Any) -> None:
        created = skipped = refused = files = 0
        for path in _files(paths):
            files += 1
            try:
                if path.is_dir():
                    raise ValueError(f"holds no file to import ({', '.join(SUFFIXES)})")
                data = read_article_file(path)
                earlier = None if same_address_too else page_import.stored_at(data.url)
                if earlier is None:
                    article, new = save_article(data)
            except OSError as error:
                problem = error.strerror or str(error)
            except ValidationError as error:
                problem = _reasons(error)
            except ValueError as error:
                problem = str(error)
            else:
                if earlier is not None:
                    skipped += 1
                    self.stdout.write(
                        f"Skipped {path}: an article from the same address is stored as "
                        f"article {earlier.id} ({data.url}); --same-address-too imports it"
                    )
                elif new:
                    created += 1
                    self.stdout.write(f"Imported {path} as article {article.pk}: {_kept(article)}")
                else:
                    skipped += 1
                    self.stdout.write(
                        f"Skipped {path}: already stored as article {article.pk} (same text)"
                    )
                continue
            refused += 1
            self.stderr.write(f"Refused {path}: {problem}")
        self.stdout.write(f"{created} imported, {skipped} already present, {refused} refused.")
        if refused:
            raise CommandError(f"{refused} of {files} files refused (listed above).")


def _files(paths: list[Path]) -> Iterator[Path]:
    """Each path; for a directory, the files in it that can be imported, in name order.

    A directory with none is yielded itself, so that it is refused with a reason.
    """
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        found = False
        for root, directories, names in os.walk(path):  # symbolic links to folders not followed
            # A browser's "save page, complete" puts the page's scripts and frames there.
            directories[:] = sorted(d for d in directories if not d.endswith("_files"))
            for name in sorted(names):
                if Path(name).suffix.lower() in SUFFIXES:
                    found = True
                    yield Path(root) / name
        if not found:
            yield path


def _kept(article: Article) -> str:
    """What the stored article holds, as the import line shows it. Words are counted
    between spaces, which Chinese and Japanese do not use: characters are shown too."""
    body = article.body
    words = len(body.split())
    paragraphs = body.count("\n\n") + 1
    details = [
        article.outlet or "no outlet",
        article.published.isoformat() if article.published else "no date",
        f"by {article.byline}" if article.byline else "no author",
    ]
    title = " ".join(article.title.split())
    return (
        f"“{title}” — {', '.join(details)}; {words:,} words "
        f"({len(body):,} characters) in {paragraphs} paragraph{'s' if paragraphs > 1 else ''}"
    )


def _reasons(error: ValidationError) -> str:
    """Each message, after the field it is about when there is one."""
    if not hasattr(error, "error_dict"):
        return "; ".join(error.messages)
    return "; ".join(
        f"{field}: {message}"
        for field, messages in error.message_dict.items()
        for message in messages
    )
