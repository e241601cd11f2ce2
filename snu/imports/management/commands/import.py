"""`snu import FILE`: validate a grant file whole, then save every row or nothing, printing a summary."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from snu.core.cli import CLI_ACTOR, add_authority_argument, get_authority
from snu.imports.actions import MappingNeeded, import_allocations
from snu.imports.readers import FORMATS, ReadError
from snu.lib.formatting import format_money

ERRORS_PRINTED = 200


class Command(BaseCommand):
    help = "Import allocations from a CSV, XLSX or 360Giving file. Nothing is saved if any row is bad."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--format", default="auto", choices=FORMATS)
        parser.add_argument("--sheet", default="", help="XLSX sheet name (default: the first)")
        parser.add_argument("--mapping", default="", help="Name of a saved header mapping")
        parser.add_argument("--strategy", default="", help="Strategy code for the labels column")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Save the good rows, write the bad ones to a file"
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report, save nothing")
        add_authority_argument(parser)

    def handle(self, *args, **opts) -> None:
        authority = get_authority(opts["authority"])
        path = Path(opts["file"])
        progress = _Progress(self.stderr if sys.stderr.isatty() else None)
        try:
            result = import_allocations(
                CLI_ACTOR,
                authority,
                path,
                file_format=opts["format"],
                sheet=opts["sheet"],
                mapping_name=opts["mapping"],
                strategy_code=opts["strategy"],
                skip_invalid=opts["skip_invalid"],
                dry_run=opts["dry_run"],
                progress=progress,
            )
        except MappingNeeded as exc:
            lines = [f"  {h!r} -> {f or '(ignore)'}" for h, f in exc.suggestion.items()]
            raise CommandError(
                f"{exc}\nSuggested mapping (save one on the import page and use --mapping NAME):\n" + "\n".join(lines)
            ) from exc
        except (ReadError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        progress.done()
        for e in result.errors[:ERRORS_PRINTED]:
            self.stderr.write(f"row {e.row}, column {e.column!r}, value {e.value!r}: {e.reason}")
        if len(result.errors) > ERRORS_PRINTED:
            self.stderr.write(f"… and {len(result.errors) - ERRORS_PRINTED} more problems")
        self.stdout.write(self._summary(result))
        if result.skipped_path:
            self.stdout.write(f"Skipped rows written to {result.skipped_path}: fix them and import that file again.")
        if result.refused:
            raise CommandError(f"{len(result.errors)} problems in {result.invalid} rows: nothing was saved.")

    def _summary(self, r) -> str:
        rate = r.rows_read / r.seconds if r.seconds else 0
        outcome = "dry run: nothing saved" if r.batch.dry_run else ("saved" if r.saved else "nothing saved")
        return (
            f"rows read: {r.rows_read}\n"
            f"created: {r.created}\nupdated: {r.updated}\nunchanged: {r.unchanged}\ninvalid: {r.invalid}\n"
            f"total amount: {format_money(r.total_amount)}\n"
            f"{outcome} in {r.seconds:.1f} s ({rate:,.0f} rows/s)"
        )


class _Progress:
    """A one-line progress bar on a terminal; quiet when output goes to a file."""

    def __init__(self, stream) -> None:
        self.stream, self.last = stream, -1

    def __call__(self, phase: str, fraction: float) -> None:
        if self.stream is None:
            return
        pct = int(fraction * 100)
        if pct == self.last:
            return
        self.last = pct
        bar = "#" * (pct // 4)
        self.stream.write(f"\r{phase:8} [{bar:25}] {pct:3d} %", ending="")
        self.stream.flush()

    def done(self) -> None:
        if self.stream is not None:
            self.stream.write("")
