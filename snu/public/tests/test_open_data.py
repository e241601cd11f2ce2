from __future__ import annotations

import csv
import io
import json

import jsonschema
from django.test import TestCase

from snu.api.tests.data import PERSON_NAME, make_allocations, make_strategy
from snu.core.actions import create_authority
from snu.grants.models import Allocation, Organisation
from snu.lib.exports import neutralise_formula
from snu.public.privacy import SOLE_PROPRIETOR_LABEL, is_sole_proprietor
from snu.public.queries import public_allocations

PERSON_ORG_NUMBER = "912345688"
NAME_PARTS = ["Kari", "Nordmann", "Fjellheim"]

# The fields of the 360Giving standard we promise, with its required ones.
GRANT_360 = {
    "type": "object",
    "required": ["grants"],
    "properties": {
        "grants": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "id",
                    "title",
                    "description",
                    "currency",
                    "amountAwarded",
                    "awardDate",
                    "fundingOrganization",
                ],
                "properties": {
                    "id": {"type": "string", "pattern": "^NO-SNU-troms-"},
                    "currency": {"const": "NOK"},
                    "amountAwarded": {"type": "number"},
                    "awardDate": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                    "recipientOrganization": {
                        "type": "array",
                        "items": {"type": "object", "required": ["id", "name"]},
                        "minItems": 1,
                    },
                    "recipientIndividual": {"type": "object", "required": ["id", "name"]},
                    "fundingOrganization": {
                        "type": "array",
                        "items": {"type": "object", "required": ["id", "name"]},
                        "minItems": 1,
                    },
                },
                "oneOf": [{"required": ["recipientOrganization"]}, {"required": ["recipientIndividual"]}],
            },
        }
    },
}


class OpenDataTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.authority = create_authority(None, code="troms", name="Troms fylkeskommune", region_name="Troms")
        cls.strategy = make_strategy(cls.authority)
        cls.allocations = make_allocations(cls.authority, cls.strategy)

    def assertNoPersonalData(self, text: str) -> None:
        for part in [PERSON_NAME, *NAME_PARTS, PERSON_ORG_NUMBER, "Enkeltpersonforetak 1234"]:
            self.assertNotIn(part, text)

    def pages(self) -> list[str]:
        person = self.allocations["person"]
        return [
            "/open/",
            "/open/troms/",
            "/open/troms/?year=2022",
            "/open/troms/?page=2",
            f"/open/troms/allocations/{person.external_id}/",
            "/open/troms/allocations/IN-7/",
            "/open/troms/focus-areas/",
            "/open/troms/focus-areas/ATTR/",
            "/open/troms/municipalities/",
            "/open/troms/municipalities/5501/",
            "/open/troms/about/",
        ]

    def test_it_shows_every_page_without_login(self):
        for url in self.pages():
            r = self.client.get(url)
            self.assertEqual(r.status_code, 200, url)

    def test_it_shows_no_personal_names_on_any_page(self):
        for url in self.pages():
            self.assertNoPersonalData(self.client.get(url).content.decode())
        page = self.client.get(f"/open/troms/allocations/{self.allocations['person'].external_id}/").content.decode()
        self.assertIn("Privatperson/enkeltpersonforetak", page)
        self.assertIn("bygger hytter", page)  # the rest of the description stays

    def test_it_shows_organisations_by_name_and_number(self):
        page = self.client.get("/open/troms/allocations/2023/0001/").content.decode()
        self.assertIn("Arktisk Havbruk AS", page)
        self.assertIn("974760673", page)

    def test_it_cannot_be_searched_by_a_persons_name_or_number(self):
        for q in (PERSON_NAME, "Fjellheim", PERSON_ORG_NUMBER):
            r = self.client.get("/open/troms/", {"q": q})
            self.assertNotContains(r, "Turistsatsing")
        self.assertContains(self.client.get("/open/troms/", {"q": "Turistsatsing"}), "Turistsatsing")

    def test_it_filters_by_year_municipality_focus_area_scheme_and_source(self):
        def titles(**params):
            return self.client.get("/open/troms/", params).content.decode()

        self.assertNotIn("fôrproduksjon", titles(year=2022))
        self.assertIn("Turistsatsing", titles(year=2022))
        self.assertNotIn("Turistsatsing", titles(municipality="5530"))
        self.assertIn("fôrproduksjon", titles(focus_area="GRONT"))
        self.assertNotIn("fôrproduksjon", titles(focus_area="ATTR"))
        self.assertIn("fôrproduksjon", titles(scheme="RUM", funding_source="KDD-1350"))
        self.assertIn("fôrproduksjon", titles(year="not a year"))  # a bad value is ignored, not an error

    def test_it_publishes_only_decided_grants(self):
        self.assertNotContains(self.client.get("/open/troms/"), "Avslått søknad")
        self.assertEqual(self.client.get("/open/troms/allocations/2024/0099/").status_code, 404)

    def test_it_gives_each_allocation_a_stable_address(self):
        self.assertEqual(self.client.get("/open/troms/allocations/2023/0001/").status_code, 200)
        self.assertEqual(self.client.get("/open/nowhere/allocations/2023/0001/").status_code, 404)
        self.assertEqual(self.client.get("/open/troms/allocations/2099/0001/").status_code, 404)

    def csv_rows(self, query: str = "") -> list[dict]:
        r = self.client.get("/open/troms/allocations.csv" + query)
        self.assertEqual(r["Content-Type"], "text/csv; charset=utf-8")
        text = b"".join(r.streaming_content).decode("utf-8-sig")
        self.assertNoPersonalData(text)
        return list(csv.DictReader(io.StringIO(text)))

    def test_it_downloads_csv_without_personal_data_and_without_formulas(self):
        rows = {row["external_id"]: row for row in self.csv_rows()}
        self.assertEqual(set(rows), {"2023/0001", "2022/0042", "IN-7"})
        self.assertEqual(rows["2022/0042"]["recipient"], SOLE_PROPRIETOR_LABEL)
        self.assertEqual(rows["2022/0042"]["recipient_org_number"], "")
        self.assertEqual(rows["IN-7"]["recipient"], SOLE_PROPRIETOR_LABEL)
        self.assertEqual(rows["IN-7"]["title"], '\'=HYPERLINK("http://evil")')
        self.assertEqual(rows["2023/0001"]["amount_nok"], "500000.00")
        self.assertTrue(rows["2023/0001"]["url"].endswith("/open/troms/allocations/2023/0001/"))
        self.assertEqual([r["external_id"] for r in self.csv_rows("?year=2022")], ["2022/0042"])

    def test_it_downloads_valid_360giving_json_without_personal_data(self):
        r = self.client.get("/open/troms/allocations.360giving.json")
        text = b"".join(r.streaming_content).decode()
        self.assertNoPersonalData(text)
        data = json.loads(text)
        jsonschema.validate(data, GRANT_360)
        grants = {g["id"]: g for g in data["grants"]}
        firm = grants["NO-SNU-troms-2023/0001"]
        self.assertEqual(firm["recipientOrganization"], [{"id": "NO-BRC-974760673", "name": "Arktisk Havbruk AS"}])
        self.assertEqual(firm["amountAwarded"], 500000.0)
        self.assertEqual(firm["awardDate"], "2024-03-01")
        person = grants["NO-SNU-troms-2022/0042"]
        self.assertEqual(person["recipientIndividual"]["name"], SOLE_PROPRIETOR_LABEL)
        self.assertNotIn("recipientOrganization", person)


class SoleProprietorRuleTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.authority = create_authority(None, code="troms", name="Troms fylkeskommune", region_name="Troms")
        cls.allocations = make_allocations(cls.authority)

    def test_it_agrees_in_the_database_and_in_python(self):
        # an allocation that names no recipient record but carries a registered person's number
        loose = Allocation.objects.create(
            authority=self.authority,
            external_id="X-1",
            recipient_name="Ola",
            org_number=PERSON_ORG_NUMBER,
            year=2024,
            amount=1,
        )
        enk = Organisation.objects.create(authority=self.authority, name="Per Hansen", org_form="ENK")
        by_form = Allocation.objects.create(
            authority=self.authority, external_id="X-2", recipient=enk, recipient_name="Per Hansen", year=2024, amount=1
        )
        expected = {"2022/0042": True, "IN-7": True, "2023/0001": False, "X-1": True, "X-2": True}
        annotated = {a.external_id: a.is_person for a in public_allocations(self.authority)}
        for external_id, person in expected.items():
            allocation = Allocation.objects.get(external_id=external_id)
            self.assertEqual(is_sole_proprietor(allocation), person, external_id)
            self.assertEqual(annotated[external_id], person, external_id)
        self.assertTrue(loose.pk and by_form.pk)


class FormulaTestCase(TestCase):
    def test_it_neutralises_cells_a_spreadsheet_would_run(self):
        for text in ("=1+1", "+47 999", "-2", "@SUM(A1)", "\t=x"):
            self.assertEqual(neutralise_formula(text), "'" + text)
        for value in ("Tromsø", "", 12, -5):
            self.assertEqual(neutralise_formula(value), value)
