"""`snu analytics`: the dashboard's figures for scripts, and the DuckDB snapshot.

snu analytics --strategy troms-snu-2018 --by year,focus_area --filter municipality=5501 --format csv
snu analytics snapshot
snu analytics snapshot --watch        (a service of its own: keeps the snapshot fresh outside the web processes)
"""

from __future__ import annotations

import csv
import json
import os
import time

from django.core.management.base import BaseCommand, CommandError

from snu.analytics import engine, queries, snapshot
from snu.analytics.exports import plain
from snu.analytics.filters import Filters
from snu.core.cli import add_authority_argument, get_authority
from snu.strategy.models import Strategy

WATCH_NICENESS = 10


class Command(BaseCommand):
    help = "Print money and counts grouped by dimensions, with the dashboard's filters and split rule."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", nargs="?", choices=["query", "snapshot"], default="query")
        add_authority_argument(parser)
        parser.add_argument("--strategy", help="Strategy code (default: the newest)")
        parser.add_argument(
            "--by", default="year", help=f"Comma-separated dimensions: {', '.join(engine.DIMENSIONS[:8])}"
        )
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="As on the dashboard, e.g. year_from=2019, municipality=5501, status=all (repeatable)",
        )
        parser.add_argument(
            "--measures", default="amount,amount_paid,count", help="amount, amount_paid, amount_applied, count"
        )
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--backend", choices=["auto", "db", "duckdb"], default="auto")
        parser.add_argument(
            "--watch",
            action="store_true",
            help="snapshot: keep running and take a new snapshot whenever the data has moved (at most every "
            "SNU_SNAPSHOT_REFRESH_SECONDS); web processes then never refresh it themselves",
        )

    def handle(self, *args, **opts) -> None:
        if opts["action"] == "snapshot" and opts["watch"]:
            # Below the web processes: on a machine they share, a refresh (DuckDB uses every core) must not make
            # requests wait. PostgreSQL's side of the dump is not lowered by this.
            os.nice(WATCH_NICENESS)
            self.stdout.write(f"Watching the data; snapshots in {snapshot.directory()}")
            snapshot.watch(stdout=self.stdout)
            return
        if opts["action"] == "snapshot":
            info = snapshot.refresh()
            self.stdout.write(
                f"Snapshot written: {info['allocations']} allocations, {info['elements']} assigned elements "
                f"in {info['seconds']:.1f} s ({snapshot.directory()})"
            )
            started = time.perf_counter()
            panels = snapshot.warm()
            self.stdout.write(f"{panels} dashboard panels computed ahead in {time.perf_counter() - started:.1f} s")
            return
        authority = get_authority(opts["authority"])
        strategy = (
            Strategy.objects.filter(authority=authority, code=opts["strategy"]).first()
            if opts["strategy"]
            else queries.default_strategy(authority)
        )
        if opts["strategy"] and strategy is None:
            raise CommandError(f"unknown strategy {opts['strategy']!r}")
        by = [d.strip() for d in opts["by"].split(",") if d.strip()]
        measures = [m.strip() for m in opts["measures"].split(",") if m.strip()]
        bad = [d for d in by if d not in engine.DIMENSIONS] + [m for m in measures if m not in engine.MEASURES]
        if bad:
            raise CommandError(f"unknown dimension or measure: {', '.join(bad)}")
        query: dict[str, list[str]] = {}
        for item in opts["filter"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter wants KEY=VALUE, got {item!r}")
            query.setdefault(key.strip(), []).append(value.strip())
        filters = Filters.from_query(query)
        backend = None if opts["backend"] == "auto" else opts["backend"]
        rows = queries.aggregate(authority, strategy, by, filters, backend=backend)
        columns = [c for d in by for c in (d, f"{d}_label")] + measures
        if opts["format"] == "json":
            out = {
                "strategy": strategy.code if strategy else None,
                "by": by,
                "filters": filters.as_dict(),
                "rows": [{c: r.get(c) for c in columns} for r in rows],
            }
            self.stdout.write(json.dumps(plain(out), ensure_ascii=False, indent=1))
            return
        writer = csv.writer(self.stdout)
        writer.writerow(columns)
        for r in rows:
            writer.writerow([plain(r.get(c)) for c in columns])
