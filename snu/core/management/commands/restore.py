"""`snu restore FILE`: load a backup made by `snu backup` into an empty database, all or nothing."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from snu.core.backup import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = "Restore a backup into this database. Refuses a database that has data unless --force is given."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--database", default="default", help="Database alias (default: %(default)s)")
        parser.add_argument("--force", action="store_true", help="Replace the data already in the database")
        parser.add_argument("--no-migrate", action="store_true", help="Do not run migrations first")

    def handle(self, *args, **opts) -> None:
        try:
            manifest = read_manifest(opts["file"])
            if not opts["no_migrate"]:
                call_command("migrate", database=opts["database"], interactive=False, verbosity=0)
            counts = restore_backup(opts["file"], using=opts["database"], force=opts["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"restored {sum(counts.values())} rows into {len(counts)} tables "
                f"(backup of {manifest['created_at']} from {manifest['source']})"
            )
        )
