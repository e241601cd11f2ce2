from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from snu.core.models import AuditEntry
from snu.partners import actions
from snu.partners.csvimport import PartnerImportError
from snu.partners.models import Partner
from snu.partners.tests.helpers import load_strategies
from snu.test import BaseTestCase

GOOD = (
    "navn;organisasjonsnummer;type;kontaktrolle;e-post;fokusområder\n"
    'UiT Norges arktiske universitet;970 422 528;FoU;Innovasjonsdirektør;post@uit.no;"NIM;SIRK"\n'
    "Fjordbygd kommune;;kommune;Næringssjef;;OPP\n"
)


class PartnerImportTestCase(BaseTestCase):
    def setUp(self):
        load_strategies()

    def test_it_imports_partners_with_focus_areas(self):
        result = actions.import_partners(self.advisor, self.authority, GOOD.encode())
        self.assertEqual((result.created, result.updated, result.unchanged), (2, 0, 0))
        uit = Partner.objects.get(org_number="970422528")
        self.assertEqual(uit.partner_type, "research")
        self.assertEqual(sorted(e.code for e in uit.focus_areas.all()), ["NIM", "SIRK"])
        self.assertEqual(Partner.objects.get(name="Fjordbygd kommune").partner_type, "municipality")

    def test_a_second_import_of_the_same_file_changes_nothing(self):
        actions.import_partners(self.advisor, self.authority, GOOD.encode())
        audits = AuditEntry.objects.count()
        result = actions.import_partners(self.advisor, self.authority, GOOD.encode())
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 2))
        self.assertEqual(AuditEntry.objects.count(), audits)

    def test_it_updates_a_known_partner_by_org_number(self):
        Partner.objects.create(authority=self.authority, name="UiT", org_number="970422528")
        result = actions.import_partners(self.advisor, self.authority, GOOD.encode())
        self.assertEqual((result.created, result.updated), (1, 1))
        self.assertEqual(Partner.objects.get(org_number="970422528").name, "UiT Norges arktiske universitet")

    def test_it_reports_every_bad_row_and_saves_nothing(self):
        bad = (
            "name,org_number,type,contact_email,focus_areas\n"
            "Good AS,922334455,business,post@good.no,OPP\n"
            "Bad number AS,970422529,business,,\n"
            ",,business,,\n"
            "Odd type,,spaceship,not-an-email,XYZ\n"
            "Twin AS,922 334 455,business,,\n"
        )
        with self.assertRaises(PartnerImportError) as caught:
            actions.import_partners(self.advisor, self.authority, bad.encode())
        problems = [(p.row, p.column, p.value) for p in caught.exception.problems]
        self.assertEqual(
            problems,
            [
                (3, "org_number", "970422529"),
                (4, "name", ""),
                (5, "type", "spaceship"),
                (5, "contact_email", "not-an-email"),
                (5, "focus_areas", "XYZ"),
                (6, "org_number", "922 334 455"),
            ],
        )
        self.assertFalse(Partner.objects.exists())

    def test_it_refuses_a_file_without_known_columns(self):
        with self.assertRaises(PartnerImportError):
            actions.import_partners(self.advisor, self.authority, b"foo,bar\n1,2\n")

    def test_the_import_page_shows_problems_and_nothing_is_written(self):
        self.login(self.advisor)
        upload = SimpleUploadedFile("p.csv", b"name,org_number\nX,123\n", content_type="text/csv")
        r = self.client.post("/partners/import/", {"file": upload})
        self.assertContains(r, "123")
        self.assertContains(r, 'role="alert"')
        self.assertFalse(Partner.objects.exists())
        upload = SimpleUploadedFile("p.csv", GOOD.encode("cp1252"), content_type="text/csv")
        r = self.client.post("/partners/import/", {"file": upload})
        self.assertRedirects(r, "/partners/")
        self.assertEqual(Partner.objects.count(), 2)

    def test_a_reader_cannot_import(self):
        self.login(self.reader)
        upload = SimpleUploadedFile("p.csv", GOOD.encode(), content_type="text/csv")
        self.assertEqual(self.client.post("/partners/import/", {"file": upload}).status_code, 403)
        self.assertFalse(Partner.objects.exists())
