"""The dashboard's and `snu analytics`' totals equal sums computed independently from the exports."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections import defaultdict
from decimal import Decimal

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from snu.analytics import queries, snapshot
from snu.analytics.filters import NONE, Filters
from snu.analytics.tests.base import PortfolioTestCase
from snu.lib.money import split_by_weights


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


class ReconcileTestCase(PortfolioTestCase):
    def independent_sums(self):
        with tempfile.TemporaryDirectory() as folder:
            call_command(
                "export", "allocations", "--authority", "troms", "--output", f"{folder}/a.csv", stdout=io.StringIO()
            )
            call_command(
                "export",
                "alignments",
                "--strategy",
                self.strategy.code,
                "--authority",
                "troms",
                "--output",
                f"{folder}/b.csv",
                stdout=io.StringIO(),
            )
            with open(f"{folder}/a.csv", encoding="utf-8-sig") as fh:
                allocations = [r for r in _csv(fh.read()) if r["status"] in ("granted", "paid")]
            with open(f"{folder}/b.csv", encoding="utf-8-sig") as fh:
                alignment_rows = _csv(fh.read())
        weights = defaultdict(list)
        for r in alignment_rows:
            if r["kind"] == "focus_area" and r["assigned"] in ("1", "True", "true"):
                weights[r["external_id"]].append((r["code"], Decimal(r["weight"])))
        per_year, per_cell = defaultdict(Decimal), defaultdict(Decimal)
        for a in allocations:
            amount, year = Decimal(a["amount"]), int(a["year"])
            per_year[year] += amount
            parts = weights.get(a["external_id"])
            if not parts:
                per_cell[(year, NONE)] += amount
                continue
            for (code, _w), share in zip(parts, split_by_weights(amount, [w for _c, w in parts]), strict=True):
                per_cell[(year, code)] += share
        return dict(per_year), dict(per_cell)

    def test_it_matches_the_exports_on_the_dashboard_and_the_cli(self):
        per_year, per_cell = self.independent_sums()
        self.login(self.reader)
        data = json.loads(self.client.get(reverse("analytics:panel", args=["focus_area_year", "json"])).content)
        dashboard = {(r["year"], r["focus_area"]): Decimal(r["amount"]) for r in data["rows"]}
        self.assertEqual(dashboard, per_cell)
        out = io.StringIO()
        call_command("analytics", "--strategy", self.strategy.code, "--by", "year", "--format", "json", stdout=out)
        cli = {r["year"]: Decimal(r["amount"]) for r in json.loads(out.getvalue())["rows"]}
        self.assertEqual(cli, per_year)
        out = io.StringIO()
        call_command("analytics", "--strategy", self.strategy.code, "--by", "year,focus_area", stdout=out)
        cli_cells = {(int(r["year"]), r["focus_area"]): Decimal(r["amount"]) for r in _csv(out.getvalue())}
        self.assertEqual(cli_cells, per_cell)

    def test_it_answers_the_same_from_the_duckdb_snapshot(self):
        with tempfile.TemporaryDirectory() as folder, override_settings(SNU_ANALYTICS_DIR=folder):
            snapshot.refresh()
            self.assertTrue(snapshot.is_fresh())
            cases = [
                (["year", "focus_area"], Filters()),
                (["driver", "driver_b"], Filters()),
                (["municipality", "source_type"], Filters(year_from=2019)),
                (["recipient_type", "status"], Filters(status=())),
                (["year"], Filters(focus_area=("SIRK", NONE), driver=("TEK",))),
                (["scheme"], Filters(all_drivers=("TEK", "SAM"), industry=("01",))),
            ]
            for by, filters in cases:
                db = queries.aggregate(self.authority, self.strategy, by, filters, backend="db")
                duck = queries.aggregate(self.authority, self.strategy, by, filters, backend="duckdb")
                key = lambda r, by=by: tuple(str(r[d]) for d in by)  # noqa: E731
                self.assertEqual(sorted(db, key=key), sorted(duck, key=key), by)

    def test_it_notices_a_stale_snapshot(self):
        with tempfile.TemporaryDirectory() as folder, override_settings(SNU_ANALYTICS_DIR=folder):
            snapshot.refresh()
            self.a3.amount = Decimal("1.00")
            with self.captureOnCommitCallbacks(execute=True):  # the data version moves when the save commits
                self.a3.save()
            self.assertFalse(snapshot.is_fresh())

    def test_it_rejects_unknown_dimensions_on_the_command_line(self):
        from django.core.management.base import CommandError

        with self.assertRaises(CommandError):
            call_command("analytics", "--by", "colour", stdout=io.StringIO())
