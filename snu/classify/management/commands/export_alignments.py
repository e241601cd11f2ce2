"""`snu export_alignments --strategy CODE [--output FILE]` (also reachable as `snu export alignments`
once the export command routes to `snu.classify.exports.write_alignments_csv`)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from snu.classify.exports import write_alignments_csv
from snu.core.cli import add_authority_argument, get_authority
from snu.strategy.models import Strategy


class Command(BaseCommand):
    help = "Alignments as CSV: external_id,kind,code,score,assigned,primary,weight,origin."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--strategy", required=True)
        parser.add_argument("--output", default="", help="File to write (default: standard output)")
        add_authority_argument(parser)

    def handle(self, *args, **opts) -> None:
        authority = get_authority(opts["authority"])
        strategy = Strategy.objects.filter(authority=authority, code=opts["strategy"]).first()
        if strategy is None:
            raise CommandError(f"unknown strategy {opts['strategy']!r}")
        if opts["output"]:
            with open(opts["output"], "w", encoding="utf-8", newline="") as f:
                n = write_alignments_csv(strategy, f)
            self.stdout.write(f"{n} rows written to {opts['output']}")
        else:
            write_alignments_csv(strategy, sys.stdout)
