from __future__ import annotations

from rest_framework.test import APIClient

from snu.api.actions import create_token
from snu.api.tests.data import make_allocations, make_strategy
from snu.test import BaseTestCase


class ApiTestCase(BaseTestCase):
    """Personas plus one token per role, and the other authority's advisor token (the outsider)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.strategy = make_strategy(cls.authority)
        cls.allocations = make_allocations(cls.authority, cls.strategy)
        cls.reader_token, cls.reader_key = create_token(None, cls.authority, name="dashboard", role="reader")
        cls.advisor_token, cls.advisor_key = create_token(None, cls.authority, name="sync", role="advisor")
        cls.outsider_token, cls.outsider_key = create_token(None, cls.other_authority, name="other", role="advisor")

    def api(self, key: str | None = None) -> APIClient:
        client = APIClient()
        if key:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client
