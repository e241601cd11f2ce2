from __future__ import annotations

from decimal import Decimal

from snu.core.models import AuditEntry
from snu.grants.models import AllocationStatus
from snu.partners import actions, queries
from snu.partners.models import Partner, PartnerType
from snu.partners.tests.helpers import allocate, element, load_strategies, organisation
from snu.test import BaseTestCase


class PartnerTestCase(BaseTestCase):
    def setUp(self):
        load_strategies()
        self.partner = actions.save_partner(
            "test",
            Partner(authority=self.authority, name="UiT", org_number="970422528", partner_type=PartnerType.RESEARCH),
        )

    def test_it_sums_the_partners_allocations_exactly(self):
        allocate(self.authority, "0.10", org_number="970422528", year=2020)
        allocate(self.authority, "0.20", org_number="970422528", year=2020, paid="0.20")
        allocate(self.authority, "1234567.35", recipient=organisation(self.authority, "970422528"), year=2021)
        allocate(self.authority, "999.99", org_number="970422528", status=AllocationStatus.REJECTED)
        allocate(self.authority, "500.00", org_number="922334455")
        allocate(self.other_authority, "700.00", org_number="970422528")
        money = queries.money_received(self.partner)
        self.assertEqual(money["granted"], Decimal("1234567.65"))
        self.assertEqual(money["paid"], Decimal("0.20"))
        self.assertEqual(
            [(y["year"], y["granted"]) for y in money["by_year"]],
            [(2020, Decimal("0.30")), (2021, Decimal("1234567.35"))],
        )
        self.login(self.reader)
        r = self.client.get(self.partner.get_absolute_url())
        self.assertContains(r, "1\xa0234\xa0567,65")
        self.assertContains(r, "UiT")

    def test_it_counts_money_for_a_partner_once_in_the_list(self):
        allocate(self.authority, "100.00", org_number="970422528", recipient=organisation(self.authority, "970422528"))
        self.assertEqual(queries.money_by_partner(self.authority), {self.partner.pk: Decimal("100.00")})

    def test_a_partner_without_org_number_has_no_allocations(self):
        partner = actions.save_partner("test", Partner(authority=self.authority, name="Uten nummer"))
        allocate(self.authority, "100.00", org_number="")
        self.assertEqual(queries.money_received(partner)["granted"], Decimal("0"))

    def test_an_advisor_creates_a_partner_with_focus_areas_and_an_audit_row(self):
        self.login(self.advisor)
        opp = element(self.authority, "OPP")
        r = self.client.post(
            "/partners/new/",
            {
                "name": "Nordlig Kunnskapspark AS",
                "org_number": "922 334 455",
                "partner_type": "business",
                "contact_role": "Daglig leder",
                "focus_areas": [opp.pk],
                "is_active": "on",
            },
        )
        partner = Partner.objects.get(name="Nordlig Kunnskapspark AS")
        self.assertRedirects(r, partner.get_absolute_url())
        self.assertEqual(partner.org_number, "922334455")
        self.assertEqual(list(partner.focus_areas.all()), [opp])
        self.assertTrue(
            AuditEntry.objects.filter(
                object_type="partners.partner", object_id=str(partner.pk), verb="create", actor=self.advisor
            ).exists()
        )

    def test_it_refuses_a_bad_or_duplicate_org_number(self):
        self.login(self.advisor)
        r = self.client.post("/partners/new/", {"name": "X", "org_number": "970422529", "partner_type": "other"})
        self.assertContains(r, "mod-11", status_code=200)
        r = self.client.post("/partners/new/", {"name": "X", "org_number": "970422528", "partner_type": "other"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(Partner.objects.filter(name="X").count(), 0)

    def test_an_advisor_edits_and_deletes_a_partner(self):
        self.login(self.advisor)
        r = self.client.post(
            f"/partners/{self.partner.pk}/edit/",
            {
                "name": "UiT Norges arktiske universitet",
                "org_number": "970422528",
                "partner_type": "research",
            },
        )
        self.assertRedirects(r, self.partner.get_absolute_url())
        self.partner.refresh_from_db()
        self.assertEqual(self.partner.name, "UiT Norges arktiske universitet")
        r = self.client.post(f"/partners/{self.partner.pk}/delete/")
        self.assertRedirects(r, "/partners/")
        self.assertFalse(Partner.objects.filter(pk=self.partner.pk).exists())
        self.assertTrue(AuditEntry.objects.filter(object_type="partners.partner", verb="delete").exists())

    def test_a_reader_sees_partners_but_cannot_change_them(self):
        self.login(self.reader)
        r = self.client.get("/partners/")
        self.assertContains(r, "UiT")
        self.assertNotContains(r, "/partners/new/")
        self.assertEqual(self.client.get("/partners/new/").status_code, 403)
        self.assertEqual(self.client.post(f"/partners/{self.partner.pk}/delete/").status_code, 403)
        self.assertTrue(Partner.objects.filter(pk=self.partner.pk).exists())

    def test_an_outsider_gets_404_for_another_authoritys_partner(self):
        self.login(self.outsider)
        self.assertEqual(self.client.get(self.partner.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(f"/partners/{self.partner.pk}/edit/").status_code, 404)
        self.assertNotContains(self.client.get("/partners/"), "UiT")

    def test_the_public_is_sent_to_log_in(self):
        r = self.client.get("/partners/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/login/", r["Location"])

    def test_it_downloads_the_list_as_csv(self):
        allocate(self.authority, "10.50", org_number="970422528")
        self.login(self.reader)
        r = self.client.get("/partners/?format=csv")
        self.assertEqual(r["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("UiT,970422528,research,,10.50", r.content.decode())

    def test_an_allocation_page_panel_names_the_partner(self):
        from snu.partners.allocation_panels import panels

        allocation = allocate(self.authority, "10.00", org_number="970422528")
        request = self.client.request().wsgi_request
        [panel] = panels(request, allocation)
        self.assertEqual(panel["context"]["partner"], self.partner)
        self.assertEqual(panels(request, allocate(self.authority, "1.00", org_number="922334455")), [])
