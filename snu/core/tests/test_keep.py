"""Kept pages (`{% keep %}`) and kept API lists: fast at a million allocations, never stale, never someone else's.

These tests commit for real (TransactionTestCase): outside a transaction is the only place parts are kept.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from unittest import mock

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from snu.analytics.tests import factories
from snu.classify.models import Alignment, Origin
from snu.core import dataversion
from snu.core.models import Role
from snu.core.tests.committed import CommittedTestCase
from snu.partners import actions as partner_actions
from snu.partners.models import Partner

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class KeptPageTests(CommittedTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.advisor = self.member("ada", Role.ADVISOR)
        self.other = self.member("ole", Role.ADVISOR)
        self.reader = self.member("rut", Role.READER)
        self.queue = reverse("classify:review") + f"?strategy={self.strategy.code}"

    def client_for(self, user) -> Client:
        client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="nb")
        client.force_login(user)
        return client

    def get(self, client: Client, url: str):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return response, len(queries)

    def test_a_kept_page_costs_fewer_queries_and_each_reader_posts_with_their_own_token(self):
        first, fresh = self.get(self.client_for(self.advisor), self.queue)
        second_client = self.client_for(self.other)
        second, kept = self.get(second_client, self.queue)
        self.assertLess(kept, fresh, "the second advisor's queue should be read back, not built again")
        self.assertIn("Prosjekt", second.content.decode())
        self.assertNotIn(dataversion.__name__, second.content.decode())
        tokens = TOKEN.findall(second.content.decode())
        self.assertTrue(tokens, "the kept queue should still hold decision forms")
        self.assertNotIn("placeholder", " ".join(tokens))

        # The kept form works for the second advisor: their own CSRF token is in it, so the decision is saved.
        alignment = Alignment.objects.get(allocation=self.allocation, strategy=self.strategy)
        decide = reverse("classify:decide", args=[alignment.pk])
        html = second.content.decode()
        form = html[html.index(f'action="{decide}"') :]  # the token inside the kept decision form itself
        token = TOKEN.search(form).group(1)  # type: ignore[union-attr]
        prefix = f"a{alignment.pk}"
        response = second_client.post(
            decide, {"csrfmiddlewaretoken": token, f"{prefix}-version": alignment.version, f"{prefix}-primary": "OPP"}
        )
        self.assertEqual(response.status_code, 302, "a kept form must carry the reader's own CSRF token")
        alignment.refresh_from_db()
        self.assertEqual(alignment.origin, Origin.PERSON)

        # The decision moved the data version: the queue is built afresh and says so.
        after, _ = self.get(self.client_for(self.advisor), self.queue)
        self.assertContains(after, "1 av 1 vurdert")
        self.assertNotContains(first, "1 av 1 vurdert")

    def test_a_reader_never_gets_an_advisors_kept_allocation_page(self):
        url = reverse("grants:allocation_detail", args=[self.allocation.pk])
        advisor_page, _ = self.get(self.client_for(self.advisor), url)
        reader_page, _ = self.get(self.client_for(self.reader), url)
        decide = reverse("classify:decide", args=[Alignment.objects.get(allocation=self.allocation).pk])
        self.assertContains(advisor_page, decide)
        self.assertNotContains(reader_page, decide)

    def test_an_audited_edit_outside_the_counted_rows_shows_at_once(self):
        element = self.strategy.elements.get(code="OPP")
        url = reverse("strategy:element", args=[self.strategy.code, element.code])
        client = self.client_for(self.reader)
        before, _ = self.get(client, url)
        self.assertNotContains(before, "Nordnorsk Reiseliv AS")
        data_version, edit_version = dataversion.current(), dataversion.edits()

        partner_actions.save_partner(
            self.advisor, Partner(authority=self.authority, name="Nordnorsk Reiseliv AS"), focus_areas=[element]
        )
        self.assertEqual(dataversion.current(), data_version, "a partner is not part of the totals")
        self.assertGreater(dataversion.edits(), edit_version)
        after, _ = self.get(client, url)
        self.assertContains(after, "Nordnorsk Reiseliv AS")

    def test_a_change_to_an_allocation_shows_at_once_on_its_kept_page(self):
        url = reverse("grants:allocation_detail", args=[self.allocation.pk])
        client = self.client_for(self.reader)
        self.assertContains(self.get(client, url)[0], "1\xa0000")
        self.allocation.amount = Decimal("2500.00")
        self.allocation.save()
        self.assertContains(self.get(client, url)[0], "2\xa0500")

    def test_kept_parts_last_one_day(self):
        today = dt.date(2026, 11, 28)
        with mock.patch("snu.core.dataversion.timezone.localdate", return_value=today):
            key = dataversion.page_key("home", ("/",))
            self.assertEqual(key, dataversion.page_key("home", ("/",)))
        with mock.patch("snu.core.dataversion.timezone.localdate", return_value=today + dt.timedelta(days=1)):
            self.assertNotEqual(key, dataversion.page_key("home", ("/",)), "'due in 3 days' must not last a day longer")

    def test_the_version_is_read_once_per_request_and_again_after_a_change(self):
        client = self.client_for(self.reader)
        client.get(reverse("home"))  # warm
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("analytics:dashboard_json"))
        reads = [q for q in queries.captured_queries if "core_dataversion" in q["sql"]]
        self.assertEqual(len(reads), 1, "the dashboard's many kept parts should share one read of the version")

        dataversion.request_started()
        try:
            before = dataversion.current()
            dataversion.bump()
            self.assertEqual(dataversion.current(), before + 1, "a bump in this request must be seen at once")
        finally:
            dataversion.request_finished()


class KeptApiListTests(CommittedTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.allocation.delete()  # three plain allocations of their own
        for amount in ("10.00", "20.00", "30.00"):
            factories.allocation(self.authority, None, year=2022, amount=amount)
        self.client.force_login(self.member("rut", Role.READER))

    def test_a_kept_list_is_read_without_its_queries_and_shows_a_change_at_once(self):
        url = reverse("api:allocation-list") + "?page_size=2"
        with CaptureQueriesContext(connection) as fresh:
            first = self.client.get(url).json()
        with CaptureQueriesContext(connection) as kept:
            second = self.client.get(url).json()
        self.assertEqual(first, second)
        self.assertEqual(first["count"], 3)
        self.assertFalse(any("grants_allocation" in q["sql"] for q in kept.captured_queries))
        self.assertTrue(any("grants_allocation" in q["sql"] for q in fresh.captured_queries))

        factories.allocation(self.authority, None, year=2024, amount="40.00")
        third = self.client.get(url).json()
        self.assertEqual(third["count"], 4)
        self.assertEqual(third["results"][0]["amount"], "40.00")

    def test_another_page_or_filter_is_its_own_answer(self):
        base = reverse("api:allocation-list")
        self.assertEqual(self.client.get(base + "?page_size=1&page=2").json()["results"][0]["amount"], "20.00")
        self.assertEqual(self.client.get(base + "?page_size=1&page=3").json()["results"][0]["amount"], "10.00")
