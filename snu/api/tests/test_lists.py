from __future__ import annotations

from snu.api.tests.base import ApiTestCase
from snu.classify.models import Alignment, Origin


class PaginationAndFilterTestCase(ApiTestCase):
    def ids(self, query: str) -> set[str]:
        r = self.api(self.reader_key).get("/api/allocations/" + query)
        self.assertEqual(r.status_code, 200, r.content)
        return {row["external_id"] for row in r.json()["results"]}

    def test_it_pages_lists(self):
        r = self.api(self.reader_key).get("/api/allocations/?page_size=2")
        body = r.json()
        self.assertEqual(body["count"], 4)
        self.assertEqual(len(body["results"]), 2)
        self.assertIn("page=2", body["next"])
        self.assertIsNone(body["previous"])
        second = self.api(self.reader_key).get(body["next"]).json()
        self.assertEqual(len(second["results"]), 2)
        self.assertIsNone(second["next"])

    def test_it_filters_allocations(self):
        self.assertEqual(self.ids("?year=2022"), {"2022/0042"})
        self.assertEqual(self.ids("?municipality=5501"), {"2023/0001", "2022/0042"})
        self.assertEqual(self.ids("?municipality=5401"), {"2022/0042"})
        self.assertEqual(self.ids("?scheme=RUM"), {"2023/0001", "2024/0099"})
        self.assertEqual(self.ids("?funding_source=KDD-1350&status=paid"), {"2022/0042"})
        self.assertEqual(self.ids("?q=tang"), {"2023/0001"})
        self.assertEqual(self.ids("?element=GRONT&strategy=troms-2023"), {"2023/0001", "IN-7"})
        self.assertEqual(self.ids("?year=2024&element=GRONT"), {"2023/0001", "IN-7"})

    def test_it_gives_amounts_as_exact_decimals(self):
        r = self.api(self.reader_key).get(f"/api/allocations/{self.allocations['person'].pk}/")
        self.assertEqual(r.json()["amount"], "120000.50")
        self.assertEqual(r.json()["current_municipality"], {"number": "5501", "name": "Tromsø"})

    def test_it_filters_elements_and_alignments(self):
        r = self.api(self.reader_key).get("/api/elements/?strategy=troms-2023&kind=focus_area")
        self.assertEqual({e["code"] for e in r.json()["results"]}, {"GRONT", "ATTR"})
        r = self.api(self.reader_key).get("/api/alignments/?element=ATTR")
        self.assertEqual([a["allocation_external_id"] for a in r.json()["results"]], ["2022/0042"])
        r = self.api(self.reader_key).get("/api/alignments/?confirmed=false")
        self.assertEqual(r.json()["count"], 3)


class AlignmentDecisionTestCase(ApiTestCase):
    def setUp(self):
        from django.test import override_settings

        patcher = override_settings(SNU_CLASSIFY_AUTO_RETRAIN=False)
        patcher.enable()
        self.addCleanup(patcher.disable)

    def test_it_lets_an_advisor_confirm_and_correct(self):
        alignment = Alignment.objects.get(allocation=self.allocations["firm"])
        api = self.api(self.advisor_key)
        r = api.post(f"/api/alignments/{alignment.pk}/confirm/", {"expected_version": 1}, format="json")
        self.assertEqual(r.status_code, 200, r.content)
        self.assertTrue(r.json()["is_confirmed"])
        r = api.post(
            f"/api/alignments/{alignment.pk}/correct/",
            {"primary": "ATTR", "focus_areas": ["ATTR", "GRONT"], "expected_version": 2},
            format="json",
        )
        self.assertEqual(r.status_code, 200, r.content)
        assigned = {e["element"]: e["amount"] for e in r.json()["elements"] if e["assigned"]}
        self.assertEqual(assigned, {"ATTR": "250000.00", "GRONT": "250000.00"})
        alignment.refresh_from_db()
        self.assertEqual(alignment.origin, Origin.PERSON)

    def test_it_answers_409_to_a_stale_version_and_400_to_unknown_codes(self):
        alignment = Alignment.objects.get(allocation=self.allocations["firm"])
        api = self.api(self.advisor_key)
        r = api.post(f"/api/alignments/{alignment.pk}/confirm/", {"expected_version": 7}, format="json")
        self.assertEqual(r.status_code, 409)
        self.assertEqual(r.json()["error"]["code"], "stale")
        r = api.post(f"/api/alignments/{alignment.pk}/correct/", {"primary": "NOPE"}, format="json")
        self.assertEqual(r.status_code, 400)
        self.assertIn("NOPE", r.json()["error"]["message"])

    def test_it_does_not_let_a_reader_confirm(self):
        alignment = Alignment.objects.get(allocation=self.allocations["firm"])
        r = self.api(self.reader_key).post(f"/api/alignments/{alignment.pk}/confirm/", {}, format="json")
        self.assertEqual(r.status_code, 403)
        alignment.refresh_from_db()
        self.assertEqual(alignment.origin, Origin.RULE)
