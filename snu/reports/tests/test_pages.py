from __future__ import annotations

from django.urls import reverse

from snu.core.models import AuditEntry
from snu.reports.models import ReportText
from snu.reports.tests.base import PERSON, ReportTestCase


class PagesTestCase(ReportTestCase):
    def test_it_lists_the_report_for_readers(self):
        self.login(self.reader)
        r = self.client.get(reverse("reports:index"))
        self.assertContains(r, "Årsrapport")
        self.assertContains(r, reverse("reports:download", args=[2018, "pdf"]))
        self.assertNotContains(r, reverse("reports:texts", args=[2018]))

    def test_it_previews_the_report(self):
        self.login(self.reader)
        r = self.client.get(reverse("reports:preview", args=[2018]), {"language": "nb"})
        self.assertContains(r, "Regional næringsutvikling i Troms 2018")
        self.assertContains(r, "Harstad Havbruk SA")
        self.assertNotContains(r, PERSON)

    def test_it_downloads_each_format(self):
        self.login(self.reader)
        for fmt, start in (("html", b"<!DOCTYPE html>"), ("docx", b"PK"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
            r = self.client.get(reverse("reports:download", args=[2018, fmt]))
            self.assertEqual(r.status_code, 200, fmt)
            self.assertTrue(r.content.startswith(start), fmt)
            self.assertIn("arsrapport-troms-2018-nb", r["Content-Disposition"])
        self.assertEqual(self.client.get(reverse("reports:download", args=[2018, "exe"])).status_code, 404)

    def test_it_lets_an_advisor_edit_texts_with_an_audit_row(self):
        self.login(self.advisor)
        url = reverse("reports:texts", args=[2018]) + "?language=en"
        self.assertContains(self.client.get(url), "{total_mnok}")
        r = self.client.post(url, {"intro": "Our year: {total_mnok}.", "money": ""})
        self.assertEqual(r.status_code, 302)
        text = ReportText.objects.get(authority=self.authority, year=2018, section="intro", language="en")
        self.assertEqual(text.body, "Our year: {total_mnok}.")
        self.assertEqual(ReportText.objects.count(), 1)  # empty sections keep the default text
        self.assertTrue(AuditEntry.objects.filter(action="save_report_text", actor=self.advisor).exists())
        r = self.client.get(reverse("reports:preview", args=[2018]), {"language": "en"})
        self.assertContains(r, "Our year: 0,5")

    def test_it_forbids_readers_to_edit_texts(self):
        self.login(self.reader)
        url = reverse("reports:texts", args=[2018])
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, {"intro": "Hacked"}).status_code, 403)
        self.assertFalse(ReportText.objects.exists())

    def test_it_shows_outsiders_only_their_own_authority(self):
        from snu.reports import actions

        actions.save_report_text(
            self.advisor, self.authority, year=2018, section="intro", language="nb", body="Hemmelig Troms-tekst"
        )
        self.login(self.outsider)
        r = self.client.get(reverse("reports:preview", args=[2018]))
        self.assertNotContains(r, "Hemmelig Troms-tekst")
        self.assertNotContains(r, "Harstad Havbruk SA")
        self.assertContains(r, "Nordland")
        r = self.client.get(reverse("reports:download", args=[2018, "xlsx"]))
        self.assertNotIn(b"Harstad Havbruk", r.content)

    def test_it_sends_anonymous_users_to_login(self):
        for url in (reverse("reports:index"), reverse("reports:download", args=[2018, "pdf"])):
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302)
            self.assertIn("/login/", r["Location"])
