from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from annotations import interop_import
from annotations.interop.readers import MAX_FILE_BYTES
from annotations.interop.vocabulary import KindTable
from annotations.labelling import LabelError
from annotations.models import Article


class Command(BaseCommand):
    help = (
        "Import labels into one article from a file of W3C Web Annotations (as Sourcemark "
        "exports them), a Hypothesis API search result or a Label Studio JSON export. "
        "Every refused annotation is listed with its reason; with any refused, nothing is "
        "written unless --skip-refused. Re-importing the same file changes nothing. "
        "The exit status is 1 when any annotation (or the file) was refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument("--article", type=int, required=True, metavar="ID")
        parser.add_argument(
            "--import-account",
            metavar="USERNAME",
            help="Keep labels whose reviewers have no account here under this (existing) account.",
        )
        parser.add_argument(
            "--skip-refused",
            action="store_true",
            help="Write the acceptable labels even when others are refused.",
        )
        parser.add_argument(
            "--labels",
            type=Path,
            metavar="MAP.json",
            help='More label names: a JSON object such as {"checked": "verified_fact"}.',
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing."
        )

    def handle(
        self,
        *args: Any,
        file: Path,
        article: int,
        import_account: str | None,
        skip_refused: bool,
        labels: Path | None,
        dry_run: bool,
        **options: Any,
    ) -> None:
        target = Article.objects.filter(pk=article).first()
        if target is None:
            raise CommandError(f"There is no article {article}.")
        kinds = _kinds(labels) if labels else interop_import.label_names()
        data = _read(file)
        try:
            with transaction.atomic():
                result = interop_import.import_file(
                    target,
                    data,
                    by=None,
                    via="manage.py import_annotations",
                    skip_refused=skip_refused,
                    import_account=import_account,
                    kinds=kinds,
                )
                transaction.set_rollback(dry_run)
        except (interop_import.ImportRefused, LabelError) as error:
            raise CommandError(f"{file}: {error.message} Nothing was imported.") from None
        for warning in result.warnings:
            self.stderr.write(f"Warning: {warning}")
        for refusal in result.refusals:
            self.stderr.write(f"Refused {refusal.origin}: {refusal.reason}")
        summary = f"{file} ({result.format}): {result.summary}"
        self.stdout.write(("Dry run, nothing written: " if dry_run else "") + summary)
        if result.refusals:
            raise CommandError(
                f"{len(result.refusals):,} of {result.annotations:,} annotations refused "
                "(listed above)."
            )


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CommandError(
                f"{path} is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}. Split it."
            )
        return path.read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}") from None


def _kinds(path: Path) -> KindTable:
    try:
        names = json.loads(_read(path))
    except ValueError:
        raise CommandError(f"{path} is not JSON: it must map label names to kinds.") from None
    if not isinstance(names, dict) or not all(
        isinstance(name, str) and isinstance(kind, str) for name, kind in names.items()
    ):
        raise CommandError(f'{path} must be a JSON object such as {{"checked": "verified_fact"}}.')
    try:
        return interop_import.label_names(names)
    except ValueError as error:
        raise CommandError(f"{path}: {error}") from None
