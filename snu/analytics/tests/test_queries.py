from __future__ import annotations

from decimal import Decimal

from snu.analytics import queries
from snu.analytics.filters import NONE, Filters
from snu.analytics.tests.base import PortfolioTestCase
from snu.classify.models import AlignmentElement
from snu.grants.models import Allocation

D = Decimal


class AggregateTestCase(PortfolioTestCase):
    def effort(self):
        return Allocation.objects.filter(authority=self.authority, status__in=["granted", "paid"])

    def agg(self, by, filters=None, **kw):
        return queries.aggregate(self.authority, self.strategy, by, filters or Filters(), backend="db", **kw)

    def test_it_totals_per_year_to_the_ore(self):
        rows = {r["year"]: r["amount"] for r in self.agg(["year"])}
        self.assertEqual(rows, {2019: D("350000.51"), 2020: D("113333.33")})
        for year, amount in rows.items():
            expected = sum(a.amount for a in self.effort().filter(year=year))
            self.assertEqual(amount, expected)

    def test_it_splits_focus_areas_by_weight_and_adds_up(self):
        rows = self.agg(["year", "focus_area"])
        per_year: dict[str, Decimal] = {}
        for r in rows:
            per_year[r["year"]] = per_year.get(r["year"], D(0)) + r["amount"]
        self.assertEqual(per_year, {2019: D("350000.51"), 2020: D("113333.33")})
        cells = {(r["year"], r["focus_area"]): r["amount"] for r in rows}
        # 100 000,01 split in three: 33 330,00 + 33 330,00 + 33 340,01 (largest remainder), as stored
        stored = {
            e.element.code: e.amount
            for e in AlignmentElement.objects.filter(
                alignment__allocation=self.a1, assigned=True, element__kind="focus_area"
            )
        }
        self.assertEqual(sum(stored.values()), D("100000.01"))
        self.assertEqual(cells[(2019, "NIM")], stored["NIM"] + D("250000.50"))
        self.assertEqual(cells[(2020, NONE)], D("80000.00"))
        self.assertEqual(cells[(2020, "SVS")] + cells[(2020, "SIRK")], D("33333.33"))

    def test_it_counts_drivers_in_each_they_touch(self):
        rows = {r["driver"]: r for r in self.agg(["driver"])}
        self.assertEqual(rows["TEK"]["amount"], D("100000.01") + D("250000.50") + D("33333.33"))
        self.assertEqual(rows["TEK"]["count"], 3)
        self.assertEqual(rows["FOUI"]["amount"], D("100000.01"))
        self.assertEqual(rows[NONE]["amount"], D("80000.00"))
        self.assertNotIn("BAER", rows)

    def test_it_never_counts_unassigned_scores(self):
        rows = {r["focus_area"]: r["amount"] for r in self.agg(["focus_area"])}
        self.assertNotIn("SVS", {k for k, v in rows.items() if v == D("100000.01")})
        self.assertEqual(rows["SVS"], D("23333.33"))

    def test_it_places_historical_numbers_in_todays_municipality(self):
        rows = {r["municipality"]: r["amount"] for r in self.agg(["municipality"])}
        self.assertEqual(rows["5501"], D("100000.01"))
        self.assertNotIn("1902", rows)

    def test_it_filters_every_way(self):
        def total(**kw):
            return queries.totals(self.authority, self.strategy, Filters(**kw), backend="db")["amount"]

        self.assertEqual(total(year_from=2020), D("113333.33"))
        self.assertEqual(total(municipality=("5503",)), D("283333.83"))
        self.assertEqual(total(funding_source=("TFK",)), D("250000.50"))
        self.assertEqual(total(source_type="state"), D("213333.34"))
        self.assertEqual(total(source_type="county"), D("250000.50"))
        self.assertEqual(total(scheme=("KMF",)), D("250000.50"))
        self.assertEqual(total(status=("paid",)), D("33333.33"))
        self.assertEqual(total(recipient_type=("ENK",)), D("33333.33"))
        self.assertEqual(total(industry=("03",)), D("100000.01"))
        self.assertEqual(total(recipient="910000001"), D("100000.01"))
        self.assertEqual(total(driver=("FOUI",)), D("100000.01"))
        self.assertEqual(total(driver=(NONE,)), D("80000.00"))
        self.assertEqual(total(advantage=("NAT",)), D("100000.01"))
        self.assertEqual(total(all_drivers=("TEK", "SAM")), D("33333.33"))
        # A focus-area filter counts that area's split share only.
        self.assertEqual(total(focus_area=("SVS",)), D("23333.33"))
        self.assertEqual(total(focus_area=(NONE,)), D("80000.00"))

    def test_it_counts_an_allocation_once_under_a_focus_filter_of_two_areas(self):
        rows = self.agg(["year"], Filters(focus_area=("OPP", "SIRK")))
        self.assertEqual(rows[0]["count"], 1)  # a1, in both

    def test_it_keeps_other_authorities_out(self):
        self.assertEqual(queries.totals(self.authority, self.strategy, backend="db")["amount"], D("463333.84"))
        other = queries.totals(self.other_authority, self.other_strategy, backend="db")
        self.assertEqual(other["amount"], D("999999.00"))

    def test_it_drills_down_to_the_allocations_behind_a_cell(self):
        cell = next(r for r in self.agg(["year", "focus_area"]) if r["year"] == 2020 and r["focus_area"] == "SIRK")
        drill = queries.drilldown(
            self.authority, self.strategy, Filters().narrowed(year=2020, focus_area="SIRK"), backend="db"
        )
        self.assertEqual(drill["total"], cell["amount"])
        self.assertEqual([i["allocation"] for i in drill["items"]], [self.a5])

    def test_drill_down_pages_cover_every_allocation_once_largest_first(self):
        filters = Filters()
        everything = queries.drilldown(self.authority, self.strategy, filters, per_page=1000, backend="db")
        seen, amounts = [], []
        for page in range(1, everything["pages"] * 2 + 1):
            drill = queries.drilldown(self.authority, self.strategy, filters, page=page, per_page=2, backend="db")
            if page > drill["pages"]:
                break
            self.assertEqual(drill["count"], everything["count"])
            seen += [i["allocation"].pk for i in drill["items"]]
            amounts += [i["amount"] for i in drill["items"]]
        self.assertEqual(len(seen), everything["count"])
        self.assertEqual(len(set(seen)), len(seen), "an allocation appeared on two pages")
        self.assertEqual(amounts, sorted(amounts, reverse=True))
        self.assertEqual(sum(amounts), everything["total"])

    def test_it_compares_planned_and_actual(self):
        data = queries.panel("planned", self.authority, self.strategy, backend="db")
        rows = {r["focus_area"]: r for r in data["rows"]}
        self.assertEqual(rows[NONE]["amount"], D("80000.00"))
        self.assertEqual(rows["OPP"]["target_share"], D("0.2"))
        self.assertEqual(sum(r["amount"] for r in data["rows"]), D("463333.84"))

    def test_it_builds_every_panel(self):
        for name in queries.PANELS:
            data = queries.panel(name, self.authority, self.strategy, backend="db")
            self.assertTrue(data["title"] and data["summary"], name)

    def test_it_shows_demand_with_rejections(self):
        data = queries.panel("demand", self.authority, self.strategy, backend="db")
        self.assertTrue(data["available"])
        opp = next(r for r in data["rows"] if r["group"] == "focus_area" and r["key"] == "OPP")
        self.assertEqual(opp["rejected"], D("40000.00"))
        self.assertEqual(opp["rejected_count"], 1)

    def test_it_states_state_money_in_one_sentence(self):
        data = queries.panel("funding_source", self.authority, self.strategy, backend="db")
        self.assertEqual(data["state_total"], D("213333.34"))
        self.assertIn("0,2\u00a0mill.\u00a0kr", data["summary"])
