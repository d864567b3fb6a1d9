from __future__ import annotations

import datetime
import io
import sys
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet

from annotations.exports import export_bytes, select_labels
from annotations.models import Label


def _date(raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--since takes a date like 2026-11-28, not {raw!r}.") from None


class Command(BaseCommand):
    help = (
        "Write labels as CSV (UTF-8 with BOM, the same file as the admin's export action) "
        "to stdout or --output. Rows are streamed, so any number of labels fits in memory."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", type=Path, help="Write to this file, not stdout.")
        parser.add_argument(
            "--article",
            type=int,
            action="append",
            dest="articles",
            metavar="ID",
            help="Only this article's labels (repeat for several).",
        )
        parser.add_argument("--outlet", help="Only labels on articles from this outlet (exact).")
        parser.add_argument(
            "--since",
            type=str,
            metavar="DATE",
            help="Only labels created or last changed on or after this UTC date (YYYY-MM-DD).",
        )

    def handle(
        self,
        *args: Any,
        output: Path | None,
        articles: list[int] | None,
        outlet: str | None,
        since: str | None,
        **options: Any,
    ) -> None:
        labels = select_labels(
            article_ids=articles, outlet=outlet, since=_date(since) if since else None
        )
        if output is None:
            self._write(labels, self._stdout_bytes(), whole_spans=since is None)
            return
        try:
            with output.open("wb") as stream:
                self._write(labels, stream, whole_spans=since is None)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}") from None

    def _stdout_bytes(self) -> IO[Any]:
        # The CSV is bytes (BOM, CRLF): write them untranslated to stdout's
        # buffer. A text stream without one (a test's StringIO) gets text.
        out = getattr(self.stdout, "_out", sys.stdout)
        return getattr(out, "buffer", out)

    def _write(self, labels: QuerySet[Label], stream: IO[Any], *, whole_spans: bool) -> None:
        text = isinstance(stream, io.TextIOBase)
        # Filters by article or outlet keep spans whole; --since may split one.
        for chunk in export_bytes(labels, whole_spans=whole_spans):
            stream.write(chunk.decode("utf-8") if text else chunk)
        stream.flush()
