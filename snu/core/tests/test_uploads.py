"""An upload larger than the configured limit is refused with a message, and nothing is stored."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from snu.grants.models import Allocation
from snu.imports.models import ImportBatch
from snu.test import BaseTestCase

CSV = (
    "external_id,title,recipient,municipality,amount,decision_date\n"
    + "".join(f"X-{i},Prosjekt {i},Test AS,Tromsø,100000,01.03.2024\n" for i in range(40))
).encode()


class OversizedUploadTestCase(BaseTestCase):
    @override_settings(SNU_MAX_UPLOAD_BYTES=1024)
    def test_it_refuses_a_file_over_the_limit_with_a_message(self):
        self.assertGreater(len(CSV), 1024)
        self.login(self.advisor)
        r = self.client.post(
            "/import/", {"file": SimpleUploadedFile("big.csv", CSV, "text/csv")}, HTTP_ACCEPT_LANGUAGE="nb"
        )
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Filen er for stor.")
        self.assertFalse(ImportBatch.objects.exists())
        self.assertFalse(Allocation.objects.exists())

    @override_settings(SNU_MAX_UPLOAD_BYTES=1024 * 1024)
    def test_a_file_under_the_limit_is_taken(self):
        self.login(self.advisor)
        r = self.client.post("/import/", {"file": SimpleUploadedFile("small.csv", CSV, "text/csv")})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(ImportBatch.objects.count(), 1)
