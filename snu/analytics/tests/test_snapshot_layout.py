"""The snapshot's query layout (masks, `focus`, no joins) gives exactly the database's numbers."""

from __future__ import annotations

import tempfile
from decimal import Decimal

from django.test import override_settings

from snu.analytics import engine, queries, snapshot
from snu.analytics.filters import NONE, Filters
from snu.analytics.tests import factories as f
from snu.analytics.tests.base import PortfolioTestCase
from snu.grants.models import Allocation
from snu.test import BaseTestCase

FILTERS = [
    Filters(),
    Filters(status=()),
    Filters(year_from=2020, year_to=2020),
    Filters(municipality=("5503", NONE)),
    Filters(focus_area=("SIRK",)),
    Filters(focus_area=("OPP", "SIRK"), status=()),
    Filters(focus_area=(NONE, "NIM")),
    Filters(focus_area=("XYZ",)),
    Filters(driver=("TEK",), advantage=(NONE,)),
    Filters(driver=(NONE, "FOUI")),
    Filters(all_drivers=("TEK", "SAM")),
    Filters(source_type="state", year_from=2019),
    Filters(funding_source=("TFK",), scheme=("KMF", "RUP")),
    Filters(recipient_type=("ENK", "SA", "nope")),
    Filters(industry=("03", "01.1")),
    Filters(industry=("9",)),
    Filters(recipient="910000001"),
    Filters(recipient="Arktisk Fisk AS", focus_area=("OPP",)),
    Filters(status=("rejected", "applied"), focus_area=("OPP", NONE)),
]
SHAPES = [
    [],
    ["year"],
    ["year", "focus_area"],
    ["year", "driver"],
    ["year", "advantage"],
    ["focus_area"],
    ["focus_area", "status"],
    ["municipality", "status"],
    ["driver", "driver_b"],
    ["driver", "focus_area"],
    ["year", "source_type"],
    ["scheme"],
    ["funding_source"],
    ["recipient_type"],
    ["industry"],
    ["recipient"],
    ["id"],
]


def _key(row: dict) -> str:
    return repr(sorted((k, str(v)) for k, v in row.items()))


class SnapshotLayoutTestCase(PortfolioTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # No recipient, municipality, source, scheme or industry; a driver but no focus area.
        bare = Allocation.objects.create(
            authority=cls.authority, external_id="T-bare", title="Uten mottaker", year=2020, amount=Decimal("1234.56")
        )
        f.align(bare, cls.strategy, {}, drivers=("BAER",))
        Allocation.objects.create(
            authority=cls.authority, external_id="T-bare-2", title="Uten alt", year=2021, amount=Decimal("0.01")
        )

    def setUp(self):
        super().setUp()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        settings = override_settings(SNU_ANALYTICS_DIR=folder.name)
        settings.enable()
        self.addCleanup(settings.disable)
        self.meta = snapshot.refresh()

    def test_it_answers_every_shape_from_the_layout(self):
        lookups = queries.lookups(self.authority, self.strategy)
        for by in SHAPES:
            for filters in FILTERS:
                query = engine.Query(by=tuple(by), filters=filters)
                sql, _params = engine.duck_sql(query, lookups, self.meta)
                self.assertNotIn("JOIN elem", sql, (by, filters))

    def test_it_gives_the_databases_rows_for_every_shape_and_filter(self):
        for by in SHAPES:
            for filters in FILTERS:
                for limit in (None, 2) if by in (["recipient"], ["id"]) else (None,):
                    kw = {"order_by_amount": limit is not None, "limit": limit}
                    db = queries.aggregate(self.authority, self.strategy, by, filters, backend="db", **kw)
                    duck = queries.aggregate(self.authority, self.strategy, by, filters, backend="duckdb", **kw)
                    if limit is None:  # the order of equal keys is the database's: '' and NULL sort apart
                        db, duck = sorted(db, key=_key), sorted(duck, key=_key)
                    self.assertEqual(db, duck, (by, filters, limit))

    def test_every_panel_is_the_same_on_both(self):
        for name in queries.PANELS:
            for filters in FILTERS:
                db = queries.panel(name, self.authority, self.strategy, filters, backend="db")
                duck = queries.panel(name, self.authority, self.strategy, filters, backend="duckdb")
                self.assertEqual(db, duck, (name, filters))

    def test_other_authorities_stay_out(self):
        total = queries.totals(self.other_authority, self.other_strategy, backend="duckdb")
        self.assertEqual(total["amount"], Decimal("999999.00"))

    def test_it_keeps_allocations_without_a_recipient(self):
        total = queries.totals(self.authority, self.strategy, Filters(status=()), backend="duckdb")
        self.assertEqual(total["count"], 7)
        rows = queries.aggregate(
            self.authority, self.strategy, ["recipient"], Filters(year_from=2021), backend="duckdb"
        )
        self.assertEqual([(r["recipient"], r["amount"]) for r in rows], [(NONE, Decimal("0.01"))])


class TooManyElementsTestCase(PortfolioTestCase):
    """An authority with more elements of a kind than a mask holds is answered by the join path, alike."""

    def test_it_falls_back_to_joins_with_the_same_numbers(self):
        with tempfile.TemporaryDirectory() as folder, override_settings(SNU_ANALYTICS_DIR=folder):
            old_bits = snapshot.MASK_BITS
            snapshot.MASK_BITS = 2
            try:
                meta = snapshot.refresh()
            finally:
                snapshot.MASK_BITS = old_bits
            self.assertIn(self.authority.pk, meta["overflow"])
            lookups = queries.lookups(self.authority, self.strategy)
            sql, _params = engine.duck_sql(engine.Query(by=("year", "focus_area"), filters=Filters()), lookups, meta)
            self.assertIn("JOIN (SELECT allocation_id", sql)
            for name in queries.PANELS:
                for filters in FILTERS[:6]:
                    db = queries.panel(name, self.authority, self.strategy, filters, backend="db")
                    duck = queries.panel(name, self.authority, self.strategy, filters, backend="duckdb")
                    self.assertEqual(db, duck, (name, filters))


class EmptySnapshotTestCase(BaseTestCase):
    def test_it_answers_with_nothing_to_count(self):
        strategy = f.load_strategy(self.authority)
        with tempfile.TemporaryDirectory() as folder, override_settings(SNU_ANALYTICS_DIR=folder):
            meta = snapshot.refresh()
            self.assertEqual(meta["allocations"], 0)
            for name in queries.PANELS:
                db = queries.panel(name, self.authority, strategy, Filters(), backend="db")
                duck = queries.panel(name, self.authority, strategy, Filters(), backend="duckdb")
                self.assertEqual(db, duck, name)
