"""`snu export allocations --format csv|xlsx|360giving [--output FILE]`; `snu export alignments --strategy CODE`."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from snu.core.cli import add_authority_argument, get_authority
from snu.imports import exporters


class Command(BaseCommand):
    help = "Export allocations as CSV (SNU's canonical headers), XLSX or a 360Giving JSON package."

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["allocations", "alignments"])
        parser.add_argument("--strategy", default="", help="Strategy code (alignments only)")
        parser.add_argument("--format", default="csv", choices=["csv", "xlsx", "360giving"])
        parser.add_argument("--output", default="", help="File to write (default: standard output; required for xlsx)")
        add_authority_argument(parser)

    def handle(self, *args, **opts) -> None:
        authority = get_authority(opts["authority"])
        if opts["what"] == "alignments":
            return self._alignments(authority, opts)
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

    def _alignments(self, authority, opts) -> None:
        from snu.classify.exports import write_alignments_csv
        from snu.strategy.models import Strategy

        strategy = Strategy.objects.filter(authority=authority, code=opts["strategy"]).first()
        if strategy is None:
            known = ", ".join(Strategy.objects.filter(authority=authority).values_list("code", flat=True))
            raise CommandError(f"give --strategy CODE (known: {known})")
        if opts["output"]:
            with open(opts["output"], "w", encoding="utf-8", newline="") as f:
                n = write_alignments_csv(strategy, f)
            self.stdout.write(f"{n} alignment rows written to {opts['output']}")
        else:
            write_alignments_csv(strategy, sys.stdout)

    def _write(self, fmt, queryset, authority, out) -> int:
        if fmt == "360giving":
            return exporters.write_360giving(queryset, authority, out)
        return exporters.write_csv(queryset, out)
