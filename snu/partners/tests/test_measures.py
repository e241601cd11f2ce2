from __future__ import annotations

from snu.partners import actions
from snu.partners.measure_panels import panels
from snu.partners.models import Agreement, Partner
from snu.partners.tests.helpers import element, load_strategies
from snu.strategy.models import Strategy
from snu.test import BaseTestCase


class MeasureLinkTestCase(BaseTestCase):
    def setUp(self):
        from snu.plans import actions as plan_actions

        load_strategies()
        strategy = Strategy.objects.get(authority=self.authority, code="troms-snu-2018")
        plan = plan_actions.create_plan(
            "test",
            self.authority,
            name="Plan",
            strategy=strategy,
            elements=[element(self.authority, "OPP")],
            period_from=2024,
            period_to=2027,
        )
        self.measure = plan_actions.add_measure("test", plan.draft(), title="Vertskapskurs")

    def test_partners_and_agreements_linked_to_a_measure_show_on_its_page(self):
        self.login(self.advisor)
        r = self.client.post(
            "/partners/new/", {"name": "Kurs AS", "partner_type": "business", "measures": [self.measure.pk]}
        )
        partner = Partner.objects.get(name="Kurs AS")
        self.assertRedirects(r, partner.get_absolute_url())
        actions.save_agreement(
            "test", Agreement(authority=self.authority, title="Kursavtale"), parties=[partner], measures=[self.measure]
        )
        request = self.client.get("/").wsgi_request
        [panel] = panels(request, self.measure)
        self.assertEqual(panel["context"]["partners"], [partner])
        self.assertEqual([a.title for a in panel["context"]["agreements"]], ["Kursavtale"])
        self.assertContains(self.client.get(partner.get_absolute_url()), "Vertskapskurs")

    def test_another_authority_sees_no_links(self):
        partner = actions.save_partner(
            "test", Partner(authority=self.authority, name="Kurs AS"), measures=[self.measure]
        )
        self.assertTrue(partner.measures.exists())
        self.login(self.outsider)
        request = self.client.get("/").wsgi_request
        self.assertEqual(panels(request, self.measure)[0]["context"]["partners"], [])
