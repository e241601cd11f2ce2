"""A Troms authority with its strategy and one aligned allocation, committed for real (TransactionTestCase):
kept results are only read outside a transaction, and the versions move only when a change commits."""

from __future__ import annotations

from django.core.cache import cache
from django.test import TransactionTestCase

from snu.analytics.tests import factories
from snu.core.actions import add_member, create_authority


class CommittedTestCase(TransactionTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.authority = create_authority(None, code="troms", name="Troms fylkeskommune", region_name="Troms")
        self.strategy = factories.load_strategy(self.authority)
        self.ref = factories.reference(self.authority)
        self.allocation = factories.allocation(
            self.authority, self.strategy, year=2023, amount="1000.00", municipality=self.ref["tromso"],
            focus={"OPP": "1"},
        )  # fmt: skip

    def member(self, username: str, role: str):
        return add_member(
            None, self.authority, username=username, password="x" * 20, role=role, full_name=username.title()
        ).user
