"""Kept totals at a million rows must never be stale: the data version, the caches and the snapshot.

These tests commit for real (TransactionTestCase), because the version moves only when a change commits.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from decimal import Decimal
from unittest import mock

from django.core.cache import cache
from django.db import transaction
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from snu.analytics import queries, snapshot
from snu.analytics.filters import Filters
from snu.analytics.tests import factories
from snu.core import dataversion
from snu.core.actions import add_member, create_authority
from snu.core.models import Role
from snu.grants.models import Allocation


class DataVersionTests(TransactionTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.authority = create_authority(None, code="troms", name="Troms fylkeskommune", region_name="Troms")
        add_member(None, self.authority, username="reader", password="x" * 20, role=Role.READER, full_name="R")
        self.strategy = factories.load_strategy(self.authority)
        self.ref = factories.reference(self.authority)
        self.a1 = factories.allocation(
            self.authority, self.strategy, year=2019, amount="1000.00", municipality=self.ref["tromso"],
            focus={"OPP": "1"},
        )  # fmt: skip

    def test_a_commit_moves_the_version_once_and_a_rollback_not_at_all(self):
        before = dataversion.current()
        with transaction.atomic():
            for amount in ("1.00", "2.00", "3.00"):
                self.a1.amount = Decimal(amount)
                self.a1.save()
            self.assertEqual(dataversion.current(), before, "moved before the commit")
        self.assertEqual(dataversion.current(), before + 1)

        with self.assertRaises(RuntimeError), transaction.atomic():
            self.a1.amount = Decimal("9.00")
            self.a1.save()
            raise RuntimeError
        self.assertEqual(dataversion.current(), before + 1)

    def test_cached_values_last_until_the_data_changes(self):
        calls = []

        def compute():
            calls.append(1)
            return Allocation.objects.count()

        self.assertEqual(dataversion.cached("t", "n", compute), 1)
        self.assertEqual(dataversion.cached("t", "n", compute), 1)
        self.assertEqual(len(calls), 1, "the second call should come from the cache")
        factories.allocation(self.authority, None, year=2020, amount="5.00")
        self.assertEqual(dataversion.cached("t", "n", compute), 2)
        self.assertEqual(len(calls), 2)
        with transaction.atomic():  # inside a transaction: always computed (our own changes may be pending)
            dataversion.cached("t", "n", compute)
        self.assertEqual(len(calls), 3)

    def test_the_allocation_list_and_dashboard_show_a_change_at_once(self):
        self.client.force_login(self.authority_user())
        page = self.client.get(reverse("grants:allocation_list"))
        self.assertEqual(page.context["totals"]["amount"], Decimal("1000.00"))
        self.assertEqual(self.dashboard_total(), Decimal("1000.00"))

        self.a1.amount = Decimal("250.50")
        self.a1.save()
        factories.allocation(self.authority, self.strategy, year=2019, amount="0.25", focus={"OPP": "1"})

        page = self.client.get(reverse("grants:allocation_list"))
        self.assertEqual(page.context["totals"]["amount"], Decimal("250.75"))
        self.assertEqual(page.context["totals"]["count"], 2)
        self.assertEqual(self.dashboard_total(), Decimal("250.75"))

    def test_kept_lists_are_read_without_queries_and_show_a_change_at_once(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.force_login(self.authority_user())
        for url in (reverse("grants:allocation_list"), reverse("public:allocations", args=["troms"])):
            with CaptureQueriesContext(connection) as first:
                self.assertContains(self.client.get(url), self.a1.title)
            with CaptureQueriesContext(connection) as second:
                self.assertContains(self.client.get(url), self.a1.title)
            self.assertLess(len(second), len(first), f"{url}: the kept list should save its queries")
            new = factories.allocation(self.authority, None, year=2021, amount="77.00")
            self.assertContains(self.client.get(url), new.title)
            new.title = "Nytt navn på prosjektet"
            new.save()
            self.assertContains(self.client.get(url), "Nytt navn på prosjektet")

    def test_a_kept_list_is_never_shown_to_a_lower_role(self):
        from django.contrib.auth import get_user_model

        add_member(None, self.authority, username="advisor", password="x" * 20, role=Role.ADVISOR, full_name="A")
        url = reverse("grants:allocation_list")
        import_link = reverse("imports:index")
        self.client.force_login(get_user_model().objects.get(username="advisor"))
        self.assertContains(self.client.get(url), import_link)
        self.client.force_login(self.authority_user())
        self.assertNotContains(self.client.get(url), import_link)

    def test_a_bulk_write_that_bypasses_signals_moves_the_version_through_mark_stale(self):
        before = dataversion.current()
        with transaction.atomic():
            Allocation.objects.filter(pk=self.a1.pk).update(amount=Decimal("7.00"))
            snapshot.mark_stale()
        self.assertEqual(dataversion.current(), before + 1)

    def test_an_import_moves_the_version_and_the_list_shows_it(self):
        from snu.imports import actions as import_actions

        self.client.force_login(self.authority_user())
        before = dataversion.current()
        self.assertEqual(self.client.get(reverse("grants:allocation_list")).context["totals"]["count"], 1)
        with tempfile.TemporaryDirectory() as folder:
            path = f"{folder}/tildelinger.csv"
            with open(path, "w", encoding="utf-8") as fh:
                fh.write("external_id,title,recipient,municipality,amount,year\n")
                fh.write("X-1,Kaianlegg,Havn AS,5501,1 000 000,2021\n")
                fh.write("X-2,Reiseliv,Nordlys AS,5503,250 000,2022\n")
            result = import_actions.import_allocations("test", self.authority, path)
        self.assertEqual(result.created, 2, result)
        self.assertGreater(dataversion.current(), before)
        totals = self.client.get(reverse("grants:allocation_list")).context["totals"]
        self.assertEqual((totals["count"], totals["amount"]), (3, Decimal("1251000.00")))

    def test_an_edit_outside_the_counted_rows_keeps_the_version(self):
        from snu.core.models import Authority

        before = dataversion.current()
        Authority.objects.filter(pk=self.authority.pk).update(region_name="Troms og omegn")
        authority = Authority.objects.get(pk=self.authority.pk)
        authority.save()
        self.assertEqual(dataversion.current(), before)

    def test_a_stale_snapshot_answers_with_its_time_while_a_new_one_is_made(self):
        with tempfile.TemporaryDirectory() as folder, override_settings(SNU_ANALYTICS_DIR=folder):
            first = snapshot.refresh()
            self.assertTrue(snapshot.is_fresh())
            self.assertIsNone(queries.snapshot_as_of(self.authority))
            self.a1.amount = Decimal("2000.00")
            self.a1.save()
            self.assertFalse(snapshot.is_fresh())
            with override_settings(SNU_ANALYTICS_BACKEND="auto"):
                old_threshold = queries.DUCKDB_THRESHOLD
                queries.DUCKDB_THRESHOLD = 1  # this small snapshot counts as large
                try:
                    # A snapshot younger than SNU_SNAPSHOT_REFRESH_SECONDS is not replaced yet (a review session
                    # would otherwise keep a refresh running): the old figures are served, with their time.
                    with override_settings(SNU_SNAPSHOT_REFRESH_SECONDS=3600):
                        self.assertEqual(queries.snapshot_as_of(self.authority), snapshot.taken_at(first))
                        self.assertFalse(snapshot.refresh_in_background())
                        self.assertEqual(
                            snapshot.next_refresh(snapshot.info()), snapshot.taken_at(first) + dt.timedelta(hours=1)
                        )
                        time.sleep(0.5)
                        self.assertFalse(snapshot.is_fresh(), "a refresh started although the snapshot is young")
                    with override_settings(SNU_SNAPSHOT_REFRESH_SECONDS=0):
                        as_of = queries.snapshot_as_of(self.authority)  # stale: starts a refresh, says how old
                    self.assertIsNotNone(as_of)
                    self.assertEqual(as_of, snapshot.taken_at(first))
                    deadline = time.monotonic() + 30
                    while not snapshot.is_fresh() and time.monotonic() < deadline:
                        time.sleep(0.1)
                    self.assertTrue(snapshot.is_fresh(), "the background refresh did not finish")
                    # It goes on computing the dashboard ahead; let it end before the test's tables are emptied.
                    self.assertTrue(snapshot.wait_for_refresh(), "the background warm-up did not end")
                    self.assertIsNone(queries.snapshot_as_of(self.authority))
                    total = queries.totals(self.authority, self.strategy, Filters(), backend="duckdb")["amount"]
                    self.assertEqual(total, Decimal("2000.00"))
                finally:
                    queries.DUCKDB_THRESHOLD = old_threshold
            # Only the newest snapshot and the one it replaced are kept.
            self.assertLessEqual(len([p for p in snapshot.directory().glob("v*-*") if p.is_dir()]), 2)

    def test_a_watcher_keeps_the_snapshot_fresh_and_web_processes_leave_refreshing_to_it(self):
        with (
            tempfile.TemporaryDirectory() as folder,
            override_settings(SNU_ANALYTICS_DIR=folder, SNU_SNAPSHOT_REFRESH_SECONDS=0),
        ):
            self.assertFalse(snapshot.watcher_alive())
            self.assertEqual(snapshot.watch(poll=0, rounds=1), 1, "no snapshot yet: the watcher takes one")
            self.assertTrue(snapshot.is_fresh())
            self.assertTrue(snapshot.watcher_alive())
            self.assertEqual(snapshot.watch(poll=0, rounds=1), 0, "nothing moved: no new snapshot")

            self.a1.amount = Decimal("2000.00")
            self.a1.save()
            self.assertFalse(snapshot.is_fresh())
            self.assertFalse(snapshot.refresh_in_background(), "a web process must leave the refresh to the watcher")
            self.assertEqual(snapshot.watch(poll=0, rounds=1), 1)
            self.assertTrue(snapshot.is_fresh())
            total = queries.totals(self.authority, self.strategy, Filters(), backend="duckdb")["amount"]
            self.assertEqual(total, Decimal("2000.00"))

            # The watcher computed the element pages' figures ahead: a web process reads them kept.
            element = self.strategy.elements.get(code="OPP")
            with mock.patch.object(snapshot, "execute", side_effect=AssertionError("not computed ahead")):
                self.assertTrue(queries.element_over_time(self.authority, element, backend="duckdb"))

    def test_the_snapshot_command_computes_the_dashboard_ahead(self):
        import io

        from django.core.management import call_command

        from snu.analytics import engine

        with tempfile.TemporaryDirectory() as folder, override_settings(SNU_ANALYTICS_DIR=folder):
            out = io.StringIO()
            call_command("analytics", "snapshot", stdout=out)
            self.assertIn("dashboard panels computed ahead", out.getvalue())
            meta = snapshot.info()
            lookups = queries.lookups(self.authority, self.strategy)
            sql, params = engine.duck_sql(engine.Query(by=("year", "focus_area"), filters=Filters()), lookups, meta)

            def not_kept():
                raise AssertionError("the panel's aggregate was not computed ahead")

            rows = dataversion.cached("duckdb", (meta["folder"], sql, params), not_kept, versioned=False)
            self.assertEqual(sum(r[2] for r in rows), 100_000)  # 1 000,00 kr in øre

    # helpers

    def test_from_a_snapshot_the_dashboard_is_not_computed_again_after_a_review_decision(self):
        from unittest import mock

        from snu.classify.models import Alignment, AlignmentElement

        url = reverse("analytics:dashboard") + f"?strategy={self.strategy.code}"
        self.client.force_login(self.authority_user())
        with (
            tempfile.TemporaryDirectory() as folder,
            override_settings(
                SNU_ANALYTICS_DIR=folder, SNU_ANALYTICS_BACKEND="auto", SNU_SNAPSHOT_REFRESH_SECONDS=3600
            ),
            mock.patch.object(queries, "DUCKDB_THRESHOLD", 1),  # this small snapshot counts as large
        ):
            snapshot.refresh()
            self.assertContains(self.client.get(url), "1\xa0000")  # computed from the snapshot and kept

            alignment = Alignment.objects.get(allocation=self.a1)
            alignment.confidence = 0.5  # a person accepting a suggestion: the data version moves, not the figures
            alignment.save()
            self.assertTrue(snapshot.is_fresh(), "the snapshot holds no origin or confidence: it is still true")
            with mock.patch.object(queries, "panel", side_effect=AssertionError("computed again")):
                page = self.client.get(url)
            self.assertContains(page, "1\xa0000")
            self.assertNotContains(page, "Tallene er fra")

            # A person changing the elements rewrites the element rows: the snapshot is stale, and the page serves
            # its figures, kept, saying how old they are.
            AlignmentElement.objects.filter(alignment=alignment).delete()
            self.assertFalse(snapshot.is_fresh())
            with mock.patch.object(queries, "panel", side_effect=AssertionError("computed again")):
                page = self.client.get(url)
            self.assertEqual(page.status_code, 200)
            self.assertContains(page, "1\xa0000")
            self.assertContains(page, "Tallene er fra")  # says how old the figures are

            self.a1.amount = Decimal("3000.00")
            self.a1.save()
            snapshot.refresh()  # the next snapshot has the new figures, and the page shows them
            page = self.client.get(url)
            self.assertContains(page, "3\xa0000")
            self.assertNotContains(page, "Tallene er fra")

    def authority_user(self):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(username="reader")

    def dashboard_total(self) -> Decimal:
        response = self.client.get(reverse("analytics:dashboard_json") + f"?strategy={self.strategy.code}")
        return Decimal(response.json()["totals"]["amount"])
