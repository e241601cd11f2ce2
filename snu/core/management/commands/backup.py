"""`snu backup FILE`: every table of SNU, with users, roles and the audit log, in one zip file."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from snu.core.backup import BackupError, write_backup


class Command(BaseCommand):
    help = "Write a backup of the whole database to FILE (a zip; restore it with `snu restore FILE`)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--database", default="default", help="Database alias (default: %(default)s)")

    def handle(self, *args, **opts) -> None:
        try:
            manifest = write_backup(opts["file"], using=opts["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["models"].values())
        tables = len(manifest["models"])
        self.stdout.write(self.style.SUCCESS(f"{opts['file']}: {rows} rows from {tables} tables"))
