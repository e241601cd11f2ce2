"""`snu report --year 2018 --format pdf [--output FILE] [--strategy CODE] [--language nb|en] [--authority troms]`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from snu.core.cli import add_authority_argument, get_authority
from snu.reports.builder import build_report, pick_strategy
from snu.reports.render import FORMATS, render


class Command(BaseCommand):
    help = "Write the annual report for a year as PDF, HTML, DOCX or XLSX (the tables)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=list(FORMATS), default="pdf")
        parser.add_argument("--output", help="File to write (default: a name from region, year and language)")
        parser.add_argument("--strategy", help="Strategy code (default: the one whose period holds the year)")
        parser.add_argument("--language", choices=["nb", "en"], default="nb")
        add_authority_argument(parser)

    def handle(self, *args, **opts) -> None:
        authority = get_authority(opts["authority"])
        strategy = pick_strategy(authority, opts["year"], opts["strategy"])
        if opts["strategy"] and strategy is None:
            raise CommandError(f"unknown strategy {opts['strategy']!r}")
        report = build_report(authority, opts["year"], strategy, opts["language"])
        body, _type, name = render(report, opts["format"])
        path = Path(opts["output"] or name)
        path.write_bytes(body)
        self.stdout.write(f"{path}: {report['title']} ({opts['format'].upper()}, {len(body):,} bytes)")
