"""A review decision must not throw away what only allocations make: list totals, filter choices, API lists.

These tests commit for real (TransactionTestCase): the versions move only when a change commits.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from snu.classify import actions as classify_actions
from snu.classify.models import Alignment
from snu.core import dataversion
from snu.core.models import Role
from snu.core.tests.committed import CommittedTestCase


def allocation_version() -> int:
    return dataversion.stamp(scope=dataversion.ALLOCATIONS)[1]


class DataScopeTests(CommittedTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.advisor = self.member("ada", Role.ADVISOR)
        self.client.force_login(self.advisor)

    def decide(self) -> None:
        alignment = Alignment.objects.get(allocation=self.allocation, strategy=self.strategy)
        classify_actions.confirm_alignment(self.advisor, alignment, expected_version=alignment.version)

    def list_queries(self, url: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return [q["sql"] for q in queries.captured_queries]

    def test_a_decision_moves_the_data_version_only(self):
        data, allocations = dataversion.current(), allocation_version()
        self.decide()
        self.assertGreater(dataversion.current(), data)
        self.assertEqual(allocation_version(), allocations)

    def test_an_allocation_change_moves_both(self):
        data, allocations = dataversion.current(), allocation_version()
        self.allocation.amount = Decimal("10.00")
        self.allocation.save()
        self.assertGreater(dataversion.current(), data)
        self.assertGreater(allocation_version(), allocations)

    def test_the_allocation_list_stays_kept_across_a_decision_and_follows_an_allocation_change(self):
        url = reverse("grants:allocation_list")
        self.list_queries(url)  # computed and kept
        self.decide()
        after_decision = self.list_queries(url)
        self.assertFalse(
            any("SUM(" in sql.upper() for sql in after_decision), "a decision should not make the list sum again"
        )

        self.allocation.amount = Decimal("2500.00")
        self.allocation.save()
        page = self.client.get(url)
        self.assertEqual(page.context["totals"]["amount"], Decimal("2500.00"))
        self.assertContains(page, "2\xa0500")

    def test_the_api_allocation_list_stays_kept_across_a_decision(self):
        url = reverse("api:allocation-list")
        first = self.client.get(url).json()
        self.decide()
        after = self.list_queries(url)
        self.assertFalse(any("grants_allocation" in sql for sql in after), "read back, not queried again")
        self.assertEqual(self.client.get(url).json(), first)

    def test_what_shows_alignments_follows_a_decision_at_once(self):
        queue = reverse("classify:review") + f"?strategy={self.strategy.code}"
        detail = reverse("grants:allocation_detail", args=[self.allocation.pk])
        self.assertContains(self.client.get(queue), "0 av 1 vurdert")
        self.assertNotContains(self.client.get(detail), "Bekreftet av en person")
        self.decide()
        self.assertContains(self.client.get(queue), "1 av 1 vurdert")
        self.assertContains(self.client.get(detail), "Bekreftet av en person")
