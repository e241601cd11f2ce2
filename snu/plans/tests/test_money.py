from __future__ import annotations

import datetime as dt
from decimal import Decimal

from snu.plans import actions, queries
from snu.plans.models import Indicator, Measure, MeasureAllocation, PlanError
from snu.plans.tests.helpers import PlanData
from snu.test import BaseTestCase


class MoneyTestCase(PlanData, BaseTestCase):
    def setUp(self):
        self.plan = self.make_plan()
        self.revision = self.plan.draft()
        self.measure = self.add(
            self.revision,
            "T1",
            "Restråstoff",
            budget=Decimal("500000"),
            starts_on=dt.date(2022, 1, 1),
            ends_on=dt.date(2023, 12, 31),
        )
        self.a = self.make_allocation("A-1", "100000.10", paid="50000.05")
        self.b = self.make_allocation("A-2", "200000.20", paid=None)
        self.c = self.make_allocation("A-3", "300000.30", paid="300000.30", areas=("OPP",))
        self.old = self.make_allocation("A-4", "999", on=dt.date(2019, 1, 1))

    def test_a_measures_money_is_the_exact_sum_of_its_allocations(self):
        for allocation in (self.a, self.b, self.c):
            actions.link_allocation(self.advisor, self.measure, allocation)
        money = self.measure.money()
        self.assertEqual(money["committed"], Decimal("600000.60"))
        self.assertEqual(money["paid"], Decimal("350000.35"))
        plan_money = queries.revision_money(self.revision)
        self.assertEqual(plan_money["budget"], Decimal("500000.00"))
        self.assertEqual(plan_money["remaining"], Decimal("-100000.60"))
        link = MeasureAllocation.objects.get(measure=self.measure, allocation=self.a)
        self.assertEqual(link.linked_by, self.advisor)

    def test_it_suggests_aligned_allocations_within_the_period(self):
        actions.link_allocation(self.advisor, self.measure, self.a)
        suggested = queries.suggested_allocations(self.measure)
        self.assertEqual(suggested, [self.b])  # not linked, not another area, not before the measure started

    def test_links_carry_into_the_next_revision_and_follow_up_mirrors(self):
        actions.link_allocation(self.advisor, self.measure, self.a)
        self.adopt(self.revision)
        second = actions.start_revision(self.advisor, self.plan)
        copy = second.measures.get(key=self.measure.key)
        self.assertEqual(copy.money()["committed"], Decimal("100000.10"))
        # a grant linked to the measure in force while the revision is in progress shows in both
        actions.link_allocation(self.advisor, Measure.objects.get(pk=self.measure.pk), self.b)
        self.assertEqual(copy.money()["committed"], Decimal("300000.30"))

    def test_it_refuses_another_authoritys_allocation(self):
        from snu.grants.models import Allocation

        foreign = Allocation.objects.create(authority=self.other_authority, external_id="X", year=2022, amount=1)
        with self.assertRaises(PlanError):
            actions.link_allocation(self.advisor, self.measure, foreign)

    def test_computed_indicators_count_and_sum_aligned_allocations_per_year(self):
        count = actions.save_indicator(
            self.advisor, self.plan, name="Antall", unit="antall", kind="allocation_count", elements=[self.el["SIRK"]]
        )
        total = actions.save_indicator(
            self.advisor, self.plan, name="Sum", unit="kr", kind="allocation_sum", elements=[self.el["SIRK"]]
        )
        by_year = {r["year"]: r["value"] for r in queries.indicator_series(count, until=2023)}
        self.assertEqual(by_year[2022], 2)
        self.assertEqual(by_year[2021], 0)
        sums = {r["year"]: r["value"] for r in queries.indicator_series(total, until=2023)}
        self.assertEqual(sums[2022], Decimal("300000.30"))
        with self.assertRaises(PlanError):
            actions.set_indicator_value(self.advisor, count, year=2022, value=Decimal(3))

    def test_an_entered_indicator_is_off_track_behind_the_straight_path(self):
        indicator = actions.save_indicator(
            self.advisor,
            self.plan,
            name="Tonn",
            unit="tonn",
            baseline=Decimal(100),
            baseline_year=2020,
            target=Decimal(500),
            target_year=2024,
        )
        actions.set_indicator_value(self.advisor, indicator, year=2022, value=Decimal(250))
        state = queries.indicator_state(indicator)
        self.assertEqual(state["expected"], Decimal("300.00"))
        self.assertTrue(state["off_track"])
        self.assertEqual(indicator.kind, Indicator.Kind.ENTERED)
