from __future__ import annotations

from rest_framework.test import APIClient

from snu.api.tests.base import ApiTestCase
from snu.core.models import AuditEntry
from snu.strategy.models import Element


class AccessTestCase(ApiTestCase):
    def element_body(self, **extra):
        return {
            "strategy": "troms-2023",
            "kind": "focus_area",
            "code": "ARK",
            "name": {"nb": "Det arktiske perspektivet"},
            **extra,
        }

    def test_it_lets_a_reader_token_read(self):
        api = self.api(self.reader_key)
        for url in (
            "/api/strategies/",
            "/api/elements/",
            "/api/allocations/",
            "/api/alignments/",
            "/api/schemes/",
            "/api/funding-sources/",
        ):
            r = api.get(url)
            self.assertEqual(r.status_code, 200, url)
            self.assertGreater(r.json()["count"], 0, url)

    def test_it_does_not_let_a_reader_token_write(self):
        api = self.api(self.reader_key)
        element = Element.objects.get(code="GRONT")
        r = api.post("/api/elements/", self.element_body(), format="json")
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r.json()["error"]["code"], "permission_denied")
        self.assertEqual(api.patch(f"/api/elements/{element.pk}/", {"order": 9}, format="json").status_code, 403)
        self.assertEqual(api.delete(f"/api/elements/{element.pk}/").status_code, 403)
        self.assertFalse(Element.objects.filter(code="ARK").exists())
        element.refresh_from_db()
        self.assertEqual(element.order, 0)

    def test_it_lets_an_advisor_token_write_through_the_actions(self):
        api = self.api(self.advisor_key)
        r = api.post("/api/elements/", self.element_body(), format="json")
        self.assertEqual(r.status_code, 201, r.content)
        element = Element.objects.get(code="ARK")
        entry = AuditEntry.objects.get(action="save_element", object_id=str(element.pk))
        self.assertEqual(entry.actor_name, "api-token:sync")
        self.assertEqual(entry.authority, self.authority)
        r = api.patch(
            f"/api/elements/{element.pk}/",
            {"name": {"nb": "Arktis", "en": "The Arctic"}, "target_share": "0.25"},
            format="json",
        )
        self.assertEqual(r.status_code, 200, r.content)
        element.refresh_from_db()
        self.assertEqual(element.name["en"], "The Arctic")
        self.assertEqual(api.delete(f"/api/elements/{element.pk}/").status_code, 204)
        self.assertFalse(Element.objects.filter(pk=element.pk).exists())
        self.assertTrue(AuditEntry.objects.filter(action="delete_element", object_id=str(element.pk)).exists())

    def test_it_shows_an_outsider_token_nothing_of_this_authority(self):
        api = self.api(self.outsider_key)
        for url in (
            "/api/strategies/",
            "/api/elements/",
            "/api/allocations/",
            "/api/alignments/",
            "/api/schemes/",
            "/api/funding-sources/",
        ):
            r = api.get(url)
            self.assertEqual(r.status_code, 200, url)
            self.assertEqual(r.json()["count"], 0, url)
        element = Element.objects.get(code="GRONT")
        allocation = self.allocations["firm"]
        for url in (
            f"/api/allocations/{allocation.pk}/",
            f"/api/elements/{element.pk}/",
            "/api/strategies/troms-2023/",
            "/api/schemes/RUM/",
            f"/api/alignments/{allocation.alignments.get().pk}/",
        ):
            r = api.get(url)
            self.assertEqual(r.status_code, 404, url)
            self.assertEqual(r.json()["error"]["code"], "not_found")
        self.assertEqual(api.patch(f"/api/elements/{element.pk}/", {"order": 3}, format="json").status_code, 404)
        self.assertEqual(api.delete(f"/api/elements/{element.pk}/").status_code, 404)
        r = api.post("/api/elements/", self.element_body(), format="json")
        self.assertEqual(r.status_code, 400)
        self.assertIn("strategy", r.json()["error"]["fields"])
        self.assertTrue(Element.objects.filter(pk=element.pk).exists())

    def test_it_does_not_let_an_advisor_attach_another_authoritys_parent(self):
        from snu.api.tests.data import make_strategy

        other = make_strategy(self.other_authority, code="nordland")
        r = self.api(self.advisor_key).post(
            "/api/elements/", self.element_body(parent=other.elements.first().pk), format="json"
        )
        self.assertEqual(r.status_code, 400)
        self.assertIn("parent", r.json()["error"]["fields"])

    def test_it_refuses_calls_without_a_valid_token(self):
        for key in (None, "snu_not-a-real-key"):
            r = self.api(key).get("/api/allocations/")
            self.assertEqual(r.status_code, 401)
            self.assertIn("error", r.json())
        self.reader_token.revoked_at = self.reader_token.created_at
        self.reader_token.save()
        self.assertEqual(self.api(self.reader_key).get("/api/allocations/").status_code, 401)

    def test_it_accepts_a_logged_in_session_and_enforces_csrf(self):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(self.advisor)
        self.assertEqual(client.get("/api/allocations/").status_code, 200)
        r = client.post("/api/elements/", self.element_body(), format="json")
        self.assertEqual(r.status_code, 403)
        self.assertIn("CSRF", r.json()["error"]["message"])

    def test_it_gives_a_session_reader_read_only(self):
        client = APIClient()
        client.force_login(self.reader)
        self.assertEqual(client.get("/api/elements/").status_code, 200)
        self.assertEqual(client.post("/api/elements/", self.element_body(), format="json").status_code, 403)

    def test_it_serves_the_schema_to_anyone(self):
        r = self.client.get("/api/schema/?format=json")
        self.assertEqual(r.status_code, 200)
        self.assertIn("/api/allocations/", r.json()["paths"])
