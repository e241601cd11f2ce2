"""Demo: align every demo allocation to both Troms strategies (after the import demo has loaded them)."""

from __future__ import annotations

from snu.classify import actions
from snu.core.cli import CLI_ACTOR
from snu.core.models import Authority
from snu.strategy.models import Strategy

DEMO_STRATEGIES = ("troms-snu-2018", "troms-2023")


def load(authority: Authority, stdout) -> None:
    for code in DEMO_STRATEGIES:
        strategy = Strategy.objects.filter(authority=authority, code=code).first()
        if strategy is None:
            continue
        counts = actions.align_allocations(CLI_ACTOR, strategy)
        stdout.write(
            f"Aligned {counts.aligned} allocations to {code} in {counts.seconds:.1f} s ({counts.per_second:,.0f}/s)"
        )
