"""`snu export allocations --format csv|xlsx|360giving [--output FILE]`."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from snu.core.cli import add_authority_argument, get_authority
from snu.imports import exporters


class Command(BaseCommand):
    help = "Export allocations as CSV (SNU's canonical headers), XLSX or a 360Giving JSON package."

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["allocations"])
        parser.add_argument("--format", default="csv", choices=["csv", "xlsx", "360giving"])
        parser.add_argument("--output", default="", help="File to write (default: standard output; required for xlsx)")
        add_authority_argument(parser)

    def handle(self, *args, **opts) -> None:
        authority = get_authority(opts["authority"])
        queryset = exporters.allocations_for_export(authority)
        fmt, output = opts["format"], opts["output"]
        if fmt == "xlsx":
            if not output:
                raise CommandError("XLSX needs --output FILE")
            n = exporters.write_xlsx(queryset, Path(output))
        elif output:
            with open(output, "w", encoding="utf-8", newline="") as f:
                n = self._write(fmt, queryset, authority, f)
        else:
            n = self._write(fmt, queryset, authority, sys.stdout)
        if output:
            self.stdout.write(f"{n} allocations written to {output}")

    def _write(self, fmt, queryset, authority, out) -> int:
        if fmt == "360giving":
            return exporters.write_360giving(queryset, authority, out)
        return exporters.write_csv(queryset, out)
