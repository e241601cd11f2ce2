from __future__ import annotations

import io

from snu.partners import demo, queries
from snu.partners.models import Agreement, Arena, Partner
from snu.partners.tests.helpers import allocate, load_strategies, organisation
from snu.test import BaseTestCase


class DemoTestCase(BaseTestCase):
    def setUp(self):
        load_strategies()

    def test_it_makes_partners_from_the_largest_recipients(self):
        for i, org in enumerate(["970422528", "922334455", "923456783", "940101808", "974760673"]):
            organisation(self.authority, org, name=f"Mottaker {i} AS")
            allocate(self.authority, f"{(i + 1) * 1000}.00", org_number=org)
        person = organisation(self.authority, "998877660", name="Ola Nordmann")
        person.is_sole_proprietor = True
        person.save()
        allocate(self.authority, "99999999.00", org_number="998877660")
        demo.load(self.authority, io.StringIO())
        names = set(Partner.objects.values_list("name", flat=True))
        self.assertIn("Mottaker 4 AS", names)
        self.assertNotIn("Ola Nordmann", names)
        self.assertEqual(Arena.objects.count(), 2)
        self.assertEqual(Agreement.objects.count(), 2)
        self.assertTrue(queries.expiring_agreements(self.authority))
        self.assertTrue(queries.partner_network(self.authority)["cut_points"])

    def test_it_works_without_allocations_and_only_once(self):
        demo.load(self.authority, io.StringIO())
        count = Partner.objects.count()
        self.assertGreaterEqual(count, 4)
        demo.load(self.authority, io.StringIO())
        self.assertEqual(Partner.objects.count(), count)
        self.assertTrue(queries.uncovered_focus_areas(self.authority, queries.focus_strategy(self.authority)))
