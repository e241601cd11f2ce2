from __future__ import annotations

from pathlib import Path

from django.test import SimpleTestCase, override_settings

from snu.partners import actions, brreg
from snu.partners.models import Partner
from snu.test import BaseTestCase

FIXTURES = Path(__file__).parent / "fixtures"


def recorded(responses: dict[str, tuple[int, str]]):
    """An opener that plays back recorded responses by URL; any other URL is a test failure."""
    calls = []

    def opener(url: str, timeout: float) -> tuple[int, bytes]:
        calls.append((url, timeout))
        status, name = responses[url]
        return status, (FIXTURES / name).read_bytes()

    opener.calls = calls  # type: ignore[attr-defined]
    return opener


BASE = "https://data.brreg.no/enhetsregisteret/api"


class BrregClientTestCase(SimpleTestCase):
    def test_it_reads_a_main_unit_from_a_recorded_response(self):
        opener = recorded({f"{BASE}/enheter/970422528": (200, "enheter_970422528.json")})
        unit = brreg.BrregClient(enabled=True, opener=opener).lookup("970 422 528")
        self.assertEqual(unit.name, "UIT NORGES ARKTISKE UNIVERSITET")
        self.assertEqual((unit.org_form, unit.industry_code), ("ORGL", "85.421"))
        self.assertEqual((unit.municipality_number, unit.municipality_name), ("5501", "Tromsø"))
        self.assertEqual(unit.website, "https://www.uit.no")
        self.assertEqual(opener.calls, [(f"{BASE}/enheter/970422528", brreg.TIMEOUT_SECONDS)])

    def test_it_falls_back_to_sub_units_and_says_when_nothing_is_found(self):
        opener = recorded(
            {
                f"{BASE}/enheter/923456783": (404, "not_found.json"),
                f"{BASE}/underenheter/923456783": (404, "not_found.json"),
            }
        )
        with self.assertRaises(brreg.BrregNotFound):
            brreg.BrregClient(enabled=True, opener=opener).lookup("923456783")
        self.assertEqual(len(opener.calls), 2)

    def test_it_reports_a_deleted_unit(self):
        opener = recorded({f"{BASE}/enheter/998877660": (410, "enheter_998877660_gone.json")})
        unit = brreg.BrregClient(enabled=True, opener=opener).lookup("998877660")
        self.assertEqual(unit.deleted_on, "2021-06-30")

    def test_it_makes_no_call_when_switched_off(self):
        def opener(url, timeout):
            raise AssertionError("the network must not be used")

        with self.assertRaises(brreg.BrregDisabled):
            brreg.BrregClient(enabled=False, opener=opener).lookup("970422528")

    def test_it_is_off_by_default(self):
        self.assertFalse(brreg.BrregClient.from_settings().enabled)

    def test_a_timeout_or_server_error_becomes_a_brreg_error(self):
        def slow(url, timeout):
            raise TimeoutError("timed out")

        with self.assertRaises(brreg.BrregError):
            brreg.BrregClient(enabled=True, opener=slow).lookup("970422528")
        with self.assertRaises(brreg.BrregError):
            brreg.BrregClient(enabled=True, opener=lambda u, t: (503, b"")).lookup("970422528")
        with self.assertRaises(brreg.BrregError):
            brreg.BrregClient(enabled=True, opener=lambda u, t: (200, b"<html>")).lookup("970422528")

    def test_it_refuses_an_invalid_number_without_calling(self):
        with self.assertRaises(brreg.BrregNotFound):
            brreg.BrregClient(enabled=True, opener=recorded({})).lookup("123")


class FillFromRegisterTestCase(BaseTestCase):
    def client_for(self):
        return brreg.BrregClient(
            enabled=True, opener=recorded({f"{BASE}/enheter/922334455": (200, "enheter_922334455.json")})
        )

    def test_it_fills_only_empty_fields(self):
        partner = Partner.objects.create(authority=self.authority, name="Kunnskapsparken", org_number="922334455")
        filled = actions.fill_from_register(self.advisor, partner, self.client_for())
        partner.refresh_from_db()
        self.assertEqual(partner.name, "Kunnskapsparken")
        self.assertEqual(
            (partner.org_form, partner.industry_code, partner.municipality_name), ("AS", "70.220", "Harstad")
        )
        self.assertEqual(filled[:4], ["org_form", "industry_code", "industry_name", "municipality_name"])

    def test_the_page_works_and_hides_the_button_when_switched_off(self):
        partner = Partner.objects.create(authority=self.authority, name="K", org_number="922334455")
        self.login(self.advisor)
        self.assertNotContains(self.client.get(partner.get_absolute_url()), "Enhetsregisteret")
        r = self.client.post(f"/partners/{partner.pk}/register/", follow=True)
        self.assertContains(r, "slått av")

    @override_settings(SNU_BRREG_ENABLED=True)
    def test_the_page_shows_the_button_when_switched_on(self):
        partner = Partner.objects.create(authority=self.authority, name="K", org_number="922334455")
        self.login(self.advisor)
        self.assertContains(self.client.get(partner.get_absolute_url()), "Enhetsregisteret")
