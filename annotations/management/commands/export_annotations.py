from __future__ import annotations

import io
from typing import IO, Any

from django.core.management.base import CommandError, CommandParser
from django.db.models import QuerySet

from annotations import interop_export
from annotations.exports import utc_today
from annotations.management.commands import export_labels
from annotations.models import Label


class Command(export_labels.Command):
    help = (
        "Write labels as W3C Web Annotations (JSON-LD: one AnnotationCollection, the same "
        "document as the admin's action) to stdout or --output. Chooses labels as "
        "export_labels does; rows are streamed, so any number of labels fits in memory."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--base-url",
            metavar="URL",
            help="Where readers reach the app, for the annotations' ids (default: SITE_URL).",
        )

    def handle(self, *args: Any, base_url: str | None = None, **options: Any) -> None:
        try:
            self.site = interop_export.site(base_url)
        except interop_export.NoSiteUrl:
            raise CommandError(
                "The annotations' ids need the address readers reach Sourcemark at: "
                "set SITE_URL or pass --base-url https://sourcemark.example.org."
            ) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        super().handle(*args, **options)

    def _write(self, labels: QuerySet[Label], stream: IO[Any], *, whole_spans: bool) -> None:
        text = isinstance(stream, io.TextIOBase)
        for chunk in interop_export.selection_bytes(labels, self.site, today=utc_today()):
            stream.write(chunk.decode("utf-8") if text else chunk)
        stream.flush()
