"""Pages kept on the rows they show (`{% keep … rows=… %}`): a review decision makes only the pages that show the
decided alignment be rendered again, and anything else that moves the data version still renders every page anew.

These tests commit for real (TransactionTestCase): outside a transaction is the only place parts are kept.
"""

from __future__ import annotations

from unittest import mock

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from snu.analytics.tests import factories
from snu.classify import actions as classify_actions
from snu.classify.models import Alignment
from snu.core import dataversion
from snu.core.models import Role
from snu.core.tests.committed import CommittedTestCase
from snu.grants import views as grants_views
from snu.strategy import actions as strategy_actions
from snu.strategy import views as strategy_views


class KeptOnRowsTests(CommittedTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.advisor = self.member("ada", Role.ADVISOR)
        self.other = factories.allocation(
            self.authority, self.strategy, year=2023, amount="500.00", focus={"SIRK": "1"}
        )  # B: aligned to another focus area than A (self.allocation, in OPP)
        self.client = Client(HTTP_ACCEPT_LANGUAGE="nb")
        self.client.force_login(self.advisor)
        self.alignment = Alignment.objects.get(allocation=self.allocation, strategy=self.strategy)

    def render_counts(self, urls: dict[str, str]) -> dict[str, int]:
        """How many times each page's panels were built (0: read back kept) while each URL was fetched once."""
        counts = {}
        for name, url in urls.items():
            with (
                mock.patch.object(grants_views, "allocation_panels", wraps=grants_views.allocation_panels) as a,
                mock.patch.object(strategy_views, "element_panels", wraps=strategy_views.element_panels) as e,
            ):
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            counts[name] = a.call_count + e.call_count
        return counts

    def pages(self) -> dict[str, str]:
        return {
            "A": reverse("grants:allocation_detail", args=[self.allocation.pk]),
            "B": reverse("grants:allocation_detail", args=[self.other.pk]),
            "OPP": reverse("strategy:element", args=[self.strategy.code, "OPP"]),
            "SIRK": reverse("strategy:element", args=[self.strategy.code, "SIRK"]),
        }

    def test_it_renders_only_the_decided_allocations_page_again_after_an_accepted_suggestion(self):
        pages = self.pages()
        self.assertEqual(set(self.render_counts(pages).values()), {1}, "the first visit renders every page")
        self.assertEqual(set(self.render_counts(pages).values()), {0}, "the second reads every page back")
        self.assertNotContains(self.client.get(pages["A"]), "Bekreftet av en person")

        data = dataversion.current()
        classify_actions.confirm_alignment(self.advisor, self.alignment, expected_version=self.alignment.version)
        self.assertGreater(dataversion.current(), data, "a decision moves the data version")

        # A shows the decision, and so does the element page listing A; B and the other element page stay kept.
        self.assertEqual(self.render_counts(pages), {"A": 1, "B": 0, "OPP": 1, "SIRK": 0})
        self.assertContains(self.client.get(pages["A"]), "Bekreftet av en person")

    def test_it_renders_an_allocation_page_again_when_a_similar_allocation_it_names_is_decided(self):
        class Model:  # the active model has learned from B, which reads like A
            allocation_ids_ = [self.other.pk]

            def similar(self, row, k):
                return [(0, 0.9)]

        pages = self.pages()
        with mock.patch("snu.classify.engine.current_model", return_value=(Model(), "v1")):
            self.render_counts(pages)
            self.assertNotContains(self.client.get(pages["A"]), "Lignende bekreftede tildelinger")
            other = Alignment.objects.get(allocation=self.other, strategy=self.strategy)
            classify_actions.confirm_alignment(self.advisor, other, expected_version=other.version)

            # A names B among the similar confirmed allocations now: A's page is made again, though A was not decided.
            self.assertEqual(self.render_counts({"A": pages["A"]}), {"A": 1})
            self.assertContains(self.client.get(pages["A"]), "Lignende bekreftede tildelinger")

    def test_it_renders_the_element_pages_again_after_a_correction_but_not_other_allocations(self):
        pages = self.pages()
        self.render_counts(pages)
        self.assertContains(self.client.get(pages["SIRK"]), "1 tildelinger koblet hit")

        classify_actions.correct_alignment(
            self.advisor, self.alignment, primary="SIRK", expected_version=self.alignment.version
        )
        # The element rows changed: element totals and rankings are made again; B's page does not show A.
        self.assertEqual(self.render_counts(pages), {"A": 1, "B": 0, "OPP": 1, "SIRK": 1})
        self.assertContains(self.client.get(pages["SIRK"]), "2 tildelinger koblet hit")

    def test_it_renders_every_page_again_after_a_strategy_change(self):
        pages = self.pages()
        self.render_counts(pages)
        element = self.strategy.elements.get(code="OPP")
        element.name = {**element.name, "nb": "Opplevelsesnæring"}
        strategy_actions.save_element(self.advisor, element)

        self.assertEqual(set(self.render_counts(pages).values()), {1}, "a strategy change renders every page")
        self.assertContains(self.client.get(pages["A"]), "Opplevelsesnæring")

    def test_it_renders_every_page_again_after_an_allocation_is_added(self):
        pages = self.pages()
        self.render_counts(pages)
        factories.allocation(self.authority, self.strategy, year=2024, amount="10.00", focus={"OPP": "1"})
        self.assertEqual(set(self.render_counts(pages).values()), {1})

    def test_it_counts_review_progress_from_a_kept_total_and_a_fresh_reviewed_count(self):
        queue = reverse("classify:review") + f"?strategy={self.strategy.code}"
        self.assertContains(self.client.get(queue), "0 av 2 vurdert")
        base = dataversion.stamp(scope=dataversion.BASE)
        classify_actions.confirm_alignment(self.advisor, self.alignment, expected_version=self.alignment.version)
        self.assertEqual(dataversion.stamp(scope=dataversion.BASE), base, "a decision leaves the base version alone")

        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(queue)
        self.assertContains(response, "1 av 2 vurdert")
        counts = [
            q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"] and "classify_alignment" in q["sql"]
        ]
        self.assertEqual(len(counts), 1, "only the reviewed ones are counted again; the total is kept")

        factories.allocation(self.authority, self.strategy, year=2024, amount="10.00", focus={"OPP": "1"})
        self.assertContains(self.client.get(queue), "1 av 3 vurdert")
