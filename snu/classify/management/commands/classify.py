"""`snu classify [--strategy CODE] [--all|--new] [--retrain]`: align allocations and print counts and time."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from snu.classify import actions
from snu.core.cli import CLI_ACTOR, add_authority_argument, get_authority
from snu.strategy.models import Strategy


class Command(BaseCommand):
    help = "Align allocations to a strategy (default: every loaded strategy). Person decisions are never changed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--strategy", default="", help="Strategy code (default: all loaded strategies)")
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--all", action="store_true", help="Re-align every allocation (the default)")
        which.add_argument("--new", action="store_true", help="Only allocations without an alignment yet")
        parser.add_argument("--retrain", action="store_true", help="Retrain on confirmed labels first")
        add_authority_argument(parser)

    def handle(self, *args, **opts) -> None:
        authority = get_authority(opts["authority"])
        strategies = Strategy.objects.filter(authority=authority)
        if opts["strategy"]:
            strategies = strategies.filter(code=opts["strategy"])
            if not strategies.exists():
                raise CommandError(f"unknown strategy {opts['strategy']!r}")
        for strategy in strategies.order_by("period_from"):
            if opts["retrain"]:
                version = actions.retrain_model(CLI_ACTOR, strategy, realign=False)
                self.stdout.write(
                    f"{strategy.code}: retrained, now {version.label} (macro-F1 {version.score})"
                    if version
                    else f"{strategy.code}: kept the current model"
                )
            counts = actions.align_allocations(CLI_ACTOR, strategy, only_new=opts["new"])
            self.stdout.write(
                f"{strategy.code}: {counts.created} created, {counts.updated} updated, "
                f"{counts.kept_person} kept (decided by a person), {counts.skipped} skipped "
                f"in {counts.seconds:.1f} s ({counts.per_second:,.0f}/s)"
            )
