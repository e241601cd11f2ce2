from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from snu.grants.models import Allocation
from snu.imports.demo import INNOVASJON_NORGE
from snu.imports.models import ImportBatch, SavedMapping
from snu.test import BaseTestCase


@override_settings(SNU_IMPORT_RUNNER="inline")
class ImportPagesTestCase(BaseTestCase):
    def upload(self, name: str, content: bytes):
        return self.client.post("/import/", {"file": SimpleUploadedFile(name, content)})

    def test_an_advisor_uploads_a_known_layout_checks_it_and_imports_it(self):
        self.login(self.advisor)
        r = self.upload("in.csv", INNOVASJON_NORGE.read_bytes())
        batch = ImportBatch.objects.get()
        self.assertRedirects(r, f"/import/{batch.pk}/")
        page = self.client.get(f"/import/{batch.pk}/")
        self.assertContains(page, "Kommunenavn")
        self.assertContains(page, "LANDBRUK NORD SA")  # the preview
        r = self.client.post(
            f"/import/{batch.pk}/", {"action": "check", **self.columns(batch), "funding_source": "Innovasjon Norge"}
        )
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.CHECKED)
        self.assertEqual(Allocation.objects.count(), 0)
        r = self.client.post(f"/import/{batch.pk}/", {"action": "import"}, follow=True)
        self.assertEqual(Allocation.objects.count(), 3761)
        self.assertContains(r, "3\xa0761")
        history = self.client.get("/import/")
        self.assertContains(history, "in.csv")
        self.assertContains(history, "advisor")

    def columns(self, batch):
        return {f"col-{i}": batch.columns.get(h, "") for i, h in enumerate(batch.headers)}

    def test_a_bad_file_shows_every_problem_and_saves_nothing(self):
        self.login(self.advisor)
        text = "saksnummer;søker;organisasjonsnummer;kommune;innvilget beløp;vedtaksdato\n1;A AS;871404063;Tromsø;100;01.01.2024\n2;B AS;;Atlantis;100;01.01.2024\n3;C AS;;Tromsø;12 3x4;01.01.2024\n"
        self.upload("bad.csv", text.encode())
        batch = ImportBatch.objects.get()
        r = self.client.post(f"/import/{batch.pk}/", {"action": "import", **self.columns(batch)}, follow=True)
        self.assertContains(r, "Atlantis")
        self.assertContains(r, "871404063")
        self.assertContains(r, "12 3x4")
        self.assertEqual(Allocation.objects.count(), 0)
        errors = self.client.get(f"/import/{batch.pk}/errors.csv")
        self.assertIn("Atlantis", errors.content.decode("utf-8-sig"))

    def test_an_unknown_layout_gets_suggestions_and_the_mapping_can_be_saved(self):
        self.login(self.advisor)
        self.upload("x.csv", "Mottaker;Sum;År\nLag;1 000;2021\n".encode())
        batch = ImportBatch.objects.get()
        page = self.client.get(f"/import/{batch.pk}/")
        self.assertContains(page, "SNU kjenner ikke dette oppsettet")
        data = {"action": "import", "col-0": "recipient", "col-1": "amount", "col-2": "year", "save_as": "lagsliste"}
        self.client.post(f"/import/{batch.pk}/", data)
        self.assertEqual(Allocation.objects.get().recipient_name, "Lag")
        self.assertEqual(SavedMapping.objects.get().columns["Sum"], "amount")

    def test_a_reader_cannot_import(self):
        self.login(self.reader)
        self.assertEqual(self.client.get("/import/").status_code, 403)
        self.assertEqual(self.upload("in.csv", b"amount,year\n1,2020\n").status_code, 403)

    def test_an_outsider_cannot_see_another_authoritys_import(self):
        self.login(self.advisor)
        self.upload("in.csv", b"amount,year\n1,2020\n")
        batch = ImportBatch.objects.get()
        self.login(self.outsider)
        self.assertEqual(self.client.get(f"/import/{batch.pk}/").status_code, 404)
        self.assertNotContains(self.client.get("/import/"), "in.csv")

    def test_the_progress_fragment_asks_for_a_refresh_when_finished(self):
        self.login(self.advisor)
        self.upload("in.csv", b"amount,year\n1,2020\n")
        batch = ImportBatch.objects.get()
        self.client.post(f"/import/{batch.pk}/", {"action": "import", "col-0": "amount", "col-1": "year"})
        r = self.client.get(f"/import/{batch.pk}/progress/")
        self.assertEqual(r["HX-Refresh"], "true")
