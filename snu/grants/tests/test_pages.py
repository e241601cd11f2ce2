from __future__ import annotations

from snu.grants.models import Allocation
from snu.imports.actions import import_allocations
from snu.imports.demo import INNOVASJON_NORGE
from snu.test import BaseTestCase


class AllocationPagesTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        import_allocations("test", cls.authority, INNOVASJON_NORGE)

    def test_a_reader_sees_the_list_with_totals(self):
        self.login(self.reader)
        r = self.client.get("/allocations/")
        self.assertContains(r, "3\xa0761")
        self.assertContains(r, "3\xa0651\xa0980\xa0637")

    def test_it_filters_searches_and_sorts(self):
        self.login(self.reader)
        senja = Allocation.objects.filter(municipality_given="Lenvik").first().current_municipality_id
        r = self.client.get(f"/allocations/?municipality={senja}&year=2018&sort=amount")
        page = r.context["page"]
        self.assertTrue(all(a.year == 2018 and a.current_municipality_id == senja for a in page.object_list))
        amounts = [a.amount for a in page.object_list]
        self.assertEqual(amounts, sorted(amounts, reverse=True))
        r = self.client.get("/allocations/?q=LANDBRUK+NORD")
        self.assertContains(r, "LANDBRUK NORD SA")
        self.assertNotContains(r, "VISIT SENJA")

    def test_newest_first_goes_year_by_year_then_by_date_and_uses_an_index(self):
        self.login(self.reader)
        # One allocation whose year is not its decision date's (a file may give both): it sorts with its year.
        odd = Allocation.objects.filter(year=2012).first()
        odd.year = 2018
        odd.save()
        page = self.client.get("/allocations/?sort=date").context["page"]
        keys = [(a.year, a.decision_date, a.id) for a in page.object_list]
        self.assertEqual(keys, sorted(keys, reverse=True))
        self.assertEqual(page.object_list[0].year, 2018)
        oldest = self.client.get("/allocations/?sort=-date").context["page"].object_list
        self.assertEqual(oldest[0].year, 2010)
        # The order needs no sort step of its own: the (authority, year, date, id) index gives it.
        ordered = Allocation.objects.filter(authority=self.authority).order_by("-year", "-decision_date", "-id")
        plan = ordered[:20].explain()
        self.assertIn("allocation_year_newest_first", plan)
        self.assertNotIn("TEMP B-TREE", plan)

    def test_historical_names_show_the_municipality_as_given(self):
        self.login(self.reader)
        r = self.client.get("/allocations/?q=VISIT+SENJA")
        self.assertContains(r, "<td>Senja")
        r = self.client.get("/allocations/?q=VISIT+SENJA&names=historical")
        self.assertContains(r, "<td>Lenvik")

    def test_the_list_downloads_as_csv(self):
        self.login(self.reader)
        r = self.client.get("/allocations/?q=LANDBRUK+NORD&format=csv")
        body = b"".join(r.streaming_content).decode()
        self.assertIn("external_id,title", body)
        self.assertIn("LANDBRUK NORD SA", body)

    def test_the_detail_page_shows_the_municipality_then_and_now(self):
        self.login(self.reader)
        a = Allocation.objects.filter(municipality_given="Lenvik").first()
        r = self.client.get(f"/allocations/{a.pk}/")
        self.assertContains(r, "1931 Lenvik")
        self.assertContains(r, "5530 Senja")
        self.assertContains(r, "Innovasjon Norge")

    def test_an_outsider_cannot_see_them(self):
        self.login(self.outsider)
        a = Allocation.objects.first()
        self.assertEqual(self.client.get(f"/allocations/{a.pk}/").status_code, 404)
        r = self.client.get("/allocations/")
        self.assertNotContains(r, "LANDBRUK NORD")

    def test_the_public_name_of_a_sole_proprietor_is_never_the_name(self):
        a = Allocation.objects.filter(recipient__is_sole_proprietor=True).first()
        self.assertNotIn("0001", a.public_recipient_name)
        self.assertNotIn("anonymisert", a.public_recipient_name)

    def test_anonymous_visitors_are_sent_to_login(self):
        r = self.client.get("/allocations/")
        self.assertEqual(r.status_code, 302)
