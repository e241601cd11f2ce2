from __future__ import annotations

from snu.api.tests.base import ApiTestCase
from snu.strategy.models import Element


class ErrorBodyTestCase(ApiTestCase):
    def assertError(self, response, status: int, code: str) -> dict:
        self.assertEqual(response.status_code, status, response.content)
        error = response.json()["error"]
        self.assertEqual(error["code"], code)
        self.assertTrue(error["message"])
        self.assertIsInstance(error["fields"], dict)
        return error

    def test_it_names_the_fields_of_an_invalid_body(self):
        r = self.api(self.advisor_key).post(
            "/api/elements/",
            {"strategy": "troms-2023", "kind": "nonsense", "code": "bad code!", "name": {}},
            format="json",
        )
        error = self.assertError(r, 400, "invalid")
        self.assertEqual(set(error["fields"]), {"kind", "code", "name"})

    def test_it_refuses_a_duplicate_code_with_a_field_error(self):
        r = self.api(self.advisor_key).post(
            "/api/elements/",
            {"strategy": "troms-2023", "kind": "focus_area", "code": "GRONT", "name": {"nb": "x"}},
            format="json",
        )
        self.assertIn("code", self.assertError(r, 400, "invalid")["fields"])

    def test_it_names_an_invalid_filter(self):
        error = self.assertError(
            self.api(self.reader_key).get("/api/allocations/?year=soon&status=lost"), 400, "invalid"
        )
        self.assertEqual(set(error["fields"]), {"year", "status"})

    def test_it_answers_json_for_missing_things(self):
        self.assertError(self.api(self.reader_key).get("/api/allocations/999999/"), 404, "not_found")
        self.assertError(self.api(self.reader_key).get("/api/no-such-thing/"), 404, "not_found")
        self.assertError(self.api(self.reader_key).get("/api/allocations/?page=99"), 404, "not_found")

    def test_it_answers_json_when_not_authenticated_or_not_allowed(self):
        self.assertError(self.api().get("/api/elements/"), 401, "not_authenticated")
        element = Element.objects.get(code="GRONT")
        self.assertError(self.api(self.reader_key).delete(f"/api/elements/{element.pk}/"), 403, "permission_denied")
        self.assertError(
            self.api().get("/api/allocations/", HTTP_AUTHORIZATION="Bearer a b"), 401, "authentication_failed"
        )
