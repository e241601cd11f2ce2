"""`snu strategy load FILE…`, `snu strategy dump CODE`, `snu strategy list`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from snu.core.cli import CLI_ACTOR, add_authority_argument, get_authority
from snu.strategy import actions, yamlio
from snu.strategy.models import Strategy, StrategyMapping

SHIPPED = Path(__file__).resolve().parents[2] / "data"
SHIPPED_FILES = ["troms-snu-2018.yaml", "troms-2023.yaml", "troms-2018-to-2023.yaml"]


class Command(BaseCommand):
    help = "Load, dump and list strategies (YAML files)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        load = sub.add_parser("load", help="Create or update strategies or mappings from YAML files, all or nothing")
        load.add_argument("files", nargs="*", help="YAML files (strategy or mapping)")
        load.add_argument("--shipped", action="store_true", help="Load the strategies that ship with SNU")
        add_authority_argument(load)
        dump = sub.add_parser("dump", help="Print a strategy as YAML")
        dump.add_argument("code")
        dump.add_argument("--output", "-o")
        add_authority_argument(dump)
        listing = sub.add_parser("list", help="List loaded strategies")
        add_authority_argument(listing)

    def handle(self, *args, **opts) -> None:
        authority = get_authority(opts["authority"])
        getattr(self, f"handle_{opts['verb']}")(authority, opts)

    def handle_load(self, authority, opts) -> None:
        files = [Path(f) for f in opts["files"]]
        if opts["shipped"]:
            files += [SHIPPED / name for name in SHIPPED_FILES]
        if not files:
            raise CommandError("give one or more files, or --shipped")
        for path in files:
            if not path.exists():
                raise CommandError(f"{path}: no such file")
            try:
                result = actions.load_file(CLI_ACTOR, authority, path)
            except yamlio.StrategyFileError as exc:
                lines = "\n".join(f"  {path}:{p.line}: {p.message}" for p in exc.problems)
                raise CommandError(f"{path}: not loaded, nothing was changed:\n{lines}") from exc
            except UnicodeDecodeError as exc:
                raise CommandError(f"{path}: not a UTF-8 text file ({exc.reason}); nothing was changed") from exc
            if isinstance(result, StrategyMapping):
                self.stdout.write(f"{path}: mapping {result} with {result.links.count()} links")
            else:
                self.stdout.write(f"{path}: strategy {result.code} with {result.elements.count()} elements")

    def handle_dump(self, authority, opts) -> None:
        strategy = Strategy.objects.filter(authority=authority, code=opts["code"]).first()
        if strategy is None:
            raise CommandError(f"unknown strategy {opts['code']!r}")
        text = yamlio.dump_strategy(strategy)
        if opts.get("output"):
            Path(opts["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def handle_list(self, authority, opts) -> None:
        for s in Strategy.objects.filter(authority=authority).order_by("period_from"):
            self.stdout.write(
                f"{s.code}\t{s.period_from}-{s.period_to}\t{s.status}\t{s.elements.count()} elements\t{s.label}"
            )
