from __future__ import annotations

import datetime as dt

from snu.partners import actions, queries
from snu.partners.models import Agreement, Arena, ArenaKind, Partner
from snu.partners.tests.helpers import element, load_strategies
from snu.strategy.models import Strategy
from snu.test import BaseTestCase


class CoverageTestCase(BaseTestCase):
    def setUp(self):
        load_strategies()
        self.strategy = Strategy.objects.get(authority=self.authority, code="troms-snu-2018")
        self.opp, self.sirk = element(self.authority, "OPP"), element(self.authority, "SIRK")
        self.partner = actions.save_partner(
            "test", Partner(authority=self.authority, name="Reiseliv AS"), focus_areas=[self.opp]
        )
        actions.save_partner("test", Partner(authority=self.authority, name="Sirkulær AS"), focus_areas=[self.sirk])
        actions.save_partner("test", Partner(authority=self.authority, name="Sirkulær 2 AS"), focus_areas=[self.sirk])
        actions.save_arena(
            "test",
            Arena(authority=self.authority, name="Opplevelsesarena", kind=ArenaKind.EVENT),
            focus_areas=[self.opp],
        )

    def test_it_flags_a_focus_area_without_partners(self):
        rows = {r["element"].code: r for r in queries.coverage(self.authority, self.strategy)}
        self.assertFalse(rows["OPP"]["uncovered"])
        self.assertTrue(rows["OPP"]["single_partner"])
        self.assertEqual(len(rows["SIRK"]["partners"]), 2)
        self.assertTrue(rows["NIM"]["uncovered"])
        self.assertTrue(rows["SVS"]["uncovered"])
        self.assertEqual([a.name for a in rows["OPP"]["arenas"]], ["Opplevelsesarena"])
        self.login(self.reader)
        r = self.client.get("/partners/coverage/?strategy=troms-snu-2018")
        self.assertContains(r, "Ingen partnere", count=2)
        self.assertContains(r, "Opplevelsesarena")

    def test_it_warns_when_a_focus_area_depends_on_one_partner(self):
        warnings = queries.concentration_warnings(self.authority, self.strategy)
        self.assertIn(("single_partner", self.opp), [(w["kind"], w["subject"]) for w in warnings])

    def test_another_authoritys_partners_do_not_cover_our_focus_areas(self):
        Partner.objects.create(authority=self.other_authority, name="Fremmed").focus_areas.add(
            element(self.authority, "NIM")
        )
        rows = {r["element"].code: r for r in queries.coverage(self.authority, self.strategy)}
        self.assertTrue(rows["NIM"]["uncovered"])

    def test_the_focus_area_page_shows_its_partners_or_a_flag(self):
        self.login(self.reader)
        r = self.client.get("/strategy/troms-snu-2018/elements/OPP/")
        self.assertContains(r, "Reiseliv AS")
        self.assertContains(r, "Opplevelsesarena")
        r = self.client.get("/strategy/troms-snu-2018/elements/NIM/")
        self.assertContains(r, "Ingen partner arbeider innenfor dette fokusområdet.")

    def test_the_home_page_lists_uncovered_focus_areas_and_expiring_agreements(self):
        Agreement.objects.create(
            authority=self.authority,
            title="Avtale som må fornyes",
            renewal_date=dt.date.today() + dt.timedelta(days=10),
        )
        self.login(self.reader)
        r = self.client.get("/")
        self.assertContains(r, "Avtale som må fornyes")
        self.assertContains(r, "Fokusområder uten partnere")
