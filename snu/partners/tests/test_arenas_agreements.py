from __future__ import annotations

from snu.core.models import AuditEntry
from snu.partners import actions
from snu.partners.models import Agreement, Arena, ArenaKind, Partner
from snu.partners.tests.helpers import element, load_strategies
from snu.test import BaseTestCase


class ArenaAndAgreementTestCase(BaseTestCase):
    def setUp(self):
        load_strategies()
        self.p1 = actions.save_partner("test", Partner(authority=self.authority, name="En AS"))
        self.p2 = actions.save_partner("test", Partner(authority=self.authority, name="To AS"))

    def test_an_advisor_creates_an_arena_with_members_and_activities(self):
        self.login(self.advisor)
        sirk = element(self.authority, "SIRK")
        r = self.client.post(
            "/partners/arenas/new/",
            {
                "name": "Klynge for sirkulær økonomi",
                "kind": "cluster",
                "coordinator": self.p1.pk,
                "members": [self.p1.pk, self.p2.pk],
                "focus_areas": [sirk.pk],
                "is_active": "on",
            },
        )
        arena = Arena.objects.get()
        self.assertRedirects(r, arena.get_absolute_url())
        self.assertEqual(set(arena.members.all()), {self.p1, self.p2})
        r = self.client.post(f"/partners/arenas/{arena.pk}/activities/", {"title": "Samling", "date": "2025-05-06"})
        self.assertRedirects(r, arena.get_absolute_url())
        r = self.client.get(arena.get_absolute_url())
        self.assertContains(r, "Samling")
        self.assertContains(r, "06.05.2025")
        self.assertTrue(AuditEntry.objects.filter(action="add_arena_activity").exists())
        activity = arena.activities.get()
        self.client.post(f"/partners/arenas/{arena.pk}/activities/{activity.pk}/delete/")
        self.assertFalse(arena.activities.exists())

    def test_an_advisor_creates_an_agreement_and_it_refuses_an_end_before_the_start(self):
        self.login(self.advisor)
        data = {
            "title": "Partnerskapsavtale",
            "status": "active",
            "starts_on": "2025-01-01",
            "ends_on": "2024-12-31",
            "parties": [self.p1.pk, self.p2.pk],
        }
        r = self.client.post("/partners/agreements/new/", data)
        self.assertEqual(r.status_code, 200)
        self.assertFalse(Agreement.objects.exists())
        data["ends_on"], data["renewal_date"] = "2027-12-31", "2027-06-30"
        r = self.client.post("/partners/agreements/new/", data)
        agreement = Agreement.objects.get()
        self.assertRedirects(r, agreement.get_absolute_url())
        self.assertEqual(set(agreement.parties.all()), {self.p1, self.p2})
        r = self.client.get("/partners/agreements/")
        self.assertContains(r, "Partnerskapsavtale")
        self.assertContains(r, "30.06.2027")
        self.assertContains(self.client.get(self.p1.get_absolute_url()), "Partnerskapsavtale")

    def test_a_reader_cannot_change_arenas_or_agreements(self):
        arena = Arena.objects.create(authority=self.authority, name="Arena", kind=ArenaKind.EVENT)
        agreement = Agreement.objects.create(authority=self.authority, title="Avtale")
        self.login(self.reader)
        self.assertEqual(self.client.get(arena.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(agreement.get_absolute_url()).status_code, 200)
        for url in (
            "/partners/arenas/new/",
            f"/partners/arenas/{arena.pk}/edit/",
            f"/partners/agreements/{agreement.pk}/edit/",
            "/partners/agreements/new/",
        ):
            self.assertEqual(self.client.get(url).status_code, 403, url)
        self.assertEqual(self.client.post(f"/partners/arenas/{arena.pk}/activities/", {"title": "x"}).status_code, 403)
        self.assertEqual(self.client.post(f"/partners/agreements/{agreement.pk}/delete/").status_code, 403)
        self.assertTrue(Agreement.objects.exists())

    def test_an_outsider_cannot_see_or_change_them(self):
        arena = Arena.objects.create(authority=self.authority, name="Arena", kind=ArenaKind.EVENT)
        agreement = Agreement.objects.create(authority=self.authority, title="Avtale")
        self.login(self.outsider)
        self.assertEqual(self.client.get(arena.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.post(f"/partners/agreements/{agreement.pk}/delete/").status_code, 404)
        self.assertNotContains(self.client.get("/partners/agreements/"), "Avtale</a>")
