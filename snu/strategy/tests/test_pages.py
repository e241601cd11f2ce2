from __future__ import annotations

import io

from django.core.management import call_command

from snu.core.models import AuditEntry
from snu.strategy.models import Element, Strategy
from snu.test import BaseTestCase


class StrategyPagesTestCase(BaseTestCase):
    def setUp(self):
        call_command("strategy", "load", "--shipped", stdout=io.StringIO())
        self.strategy = Strategy.objects.get(code="troms-snu-2018")

    def test_it_shows_the_whole_structure(self):
        self.login(self.reader)
        r = self.client.get("/strategy/troms-snu-2018/")
        self.assertEqual(r.status_code, 200)
        for name in [
            "Opplevelsesøkonomi",
            "Sirkulær økonomi",
            "Nærings- og innovasjonsmiljø",
            "Stedbunden verdiskaping",
            "Teknologi",
            "Bærekraft",
            "FoUi",
            "Samhandling",
            "Natur",
            "Geografi",
            "Samfunn og mangfold",
        ]:
            self.assertContains(r, name)

    def test_it_shows_english_names_in_english(self):
        self.login(self.reader)
        r = self.client.get("/strategy/troms-snu-2018/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, "Experience economy")
        self.assertContains(r, '<html lang="en"')

    def test_anonymous_visitors_are_sent_to_login(self):
        r = self.client.get("/strategy/")
        self.assertRedirects(r, "/login/?next=/strategy/", fetch_redirect_response=False)

    def test_an_advisor_of_another_authority_cannot_see_it(self):
        self.login(self.outsider)
        self.assertEqual(self.client.get("/strategy/troms-snu-2018/").status_code, 404)
        self.assertNotContains(self.client.get("/strategy/"), "troms-snu-2018")

    def test_a_reader_cannot_edit(self):
        self.login(self.reader)
        self.assertEqual(self.client.get("/strategy/troms-snu-2018/edit/").status_code, 403)
        r = self.client.post(
            "/strategy/troms-snu-2018/elements/OPP/edit/", {"kind": "focus_area", "code": "X", "name_nb": "X"}
        )
        self.assertEqual(r.status_code, 403)
        self.assertTrue(Element.objects.filter(code="OPP").exists())

    def test_an_advisor_edits_an_element_and_it_is_audited(self):
        self.login(self.advisor)
        opp = self.strategy.elements.get(code="OPP")
        form = {
            "kind": "focus_area",
            "code": "OPP",
            "name_nb": "Opplevelsesnæringer",
            "name_en": "Experience industries",
            "keywords_nb": "reiseliv, festival, kultur",
            "industry_codes": "55, 79",
            "target_share": "22,5",
        }
        r = self.client.post("/strategy/troms-snu-2018/elements/OPP/edit/", form, HTTP_ACCEPT_LANGUAGE="nb")
        self.assertRedirects(r, "/strategy/troms-snu-2018/elements/OPP/", fetch_redirect_response=False)
        opp.refresh_from_db()
        self.assertEqual(opp.name["nb"], "Opplevelsesnæringer")
        self.assertEqual(opp.keywords["nb"], ["reiseliv", "festival", "kultur"])
        self.assertEqual(str(opp.target_share), "0.2250")
        entry = AuditEntry.objects.get(object_type="strategy.element", object_id=str(opp.pk), verb="update")
        self.assertEqual(entry.actor, self.advisor)
        history = self.client.get(f"/audit/strategy.element/{opp.pk}/")
        self.assertContains(history, "Opplevelsesnæringer")

    def test_a_duplicate_code_is_refused_with_a_message(self):
        self.login(self.advisor)
        r = self.client.post(
            "/strategy/troms-snu-2018/elements/new/", {"kind": "driver", "code": "TEK", "name_nb": "Ny"}
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "TEK")
        self.assertEqual(self.strategy.elements.filter(code="TEK").count(), 1)

    def test_the_audit_log_is_for_administrators(self):
        self.login(self.advisor)
        self.assertEqual(self.client.get("/audit/").status_code, 403)
        self.login(self.admin)
        self.assertEqual(self.client.get("/audit/").status_code, 200)

    def test_the_yaml_download_is_the_strategy(self):
        self.login(self.reader)
        r = self.client.get("/strategy/troms-snu-2018/yaml/")
        self.assertIn("code: troms-snu-2018", r.content.decode())
