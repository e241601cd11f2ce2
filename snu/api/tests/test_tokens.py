from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from snu.api.models import ApiToken, hash_key
from snu.api.tests.base import ApiTestCase


class TokenTestCase(ApiTestCase):
    def test_it_stores_only_a_hash_of_the_key(self):
        token = ApiToken.objects.get(pk=self.reader_token.pk)
        self.assertEqual(token.key_hash, hash_key(self.reader_key))
        self.assertNotIn(self.reader_key, str(ApiToken.objects.filter(pk=token.pk).values().get()))

    def test_it_creates_a_token_from_the_command_line(self):
        out = StringIO()
        call_command(
            "token",
            "create",
            "--role",
            "advisor",
            "--name",
            "etl",
            "--authority",
            "troms",
            stdout=out,
            stderr=StringIO(),
        )
        key = out.getvalue().strip()
        token = ApiToken.objects.get(name="etl")
        self.assertEqual((token.role, token.authority), ("advisor", self.authority))
        self.assertEqual(self.api(key).get("/api/strategies/").status_code, 200)
        call_command("token", "revoke", str(token.pk), "--authority", "troms", stdout=StringIO())
        self.assertEqual(self.api(key).get("/api/strategies/").status_code, 401)

    def test_it_lets_an_administrator_create_a_token_and_shows_the_key_once(self):
        self.login(self.admin)
        r = self.client.post("/api/tokens/", {"name": "Power BI", "role": "reader"})
        self.assertEqual(r.status_code, 200)
        token = ApiToken.objects.get(name="Power BI")
        key = r.context["new_key"]
        self.assertEqual(token.key_hash, hash_key(key))
        self.assertContains(r, key)
        self.assertNotContains(self.client.get("/api/tokens/"), key)
        self.client.post(f"/api/tokens/{token.pk}/revoke/")
        token.refresh_from_db()
        self.assertFalse(token.is_active)

    def test_it_keeps_the_token_page_for_administrators_of_the_authority(self):
        self.login(self.advisor)
        self.assertEqual(self.client.get("/api/tokens/").status_code, 403)
        self.login(self.outsider)
        self.assertEqual(self.client.post(f"/api/tokens/{self.reader_token.pk}/revoke/").status_code, 403)

    def test_it_shows_the_endpoint_list(self):
        self.assertContains(self.client.get("/api/"), "/api/allocations/")
