from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from django.urls import reverse

from snu.analytics.tests.base import PortfolioTestCase


class DashboardTestCase(PortfolioTestCase):
    def test_it_shows_the_dashboard_to_a_reader(self):
        self.login(self.reader)
        r = self.client.get(reverse("analytics:dashboard"), {"strategy": self.strategy.code})
        self.assertEqual(r.status_code, 200)
        body = r.content.decode()
        for panel in (
            "focus_area_year",
            "driver_year",
            "municipality",
            "funding_source",
            "synergy",
            "planned",
            "concentration",
            "demand",
            "scheme",
            "recipient_type",
            "industry",
            "advantage_year",
        ):
            self.assertIn(f'id="{panel}"', body)
            self.assertIn(reverse("analytics:panel", args=[panel, "json"]), body)
        self.assertIn("Kartverket", body)
        self.assertIn("<svg", body)
        self.assertIn('type="application/json"', body)

    def test_it_sends_anonymous_users_to_login(self):
        r = self.client.get(reverse("analytics:dashboard"))
        self.assertEqual(r.status_code, 302)

    def test_it_shows_outsiders_only_their_own_authority(self):
        self.login(self.outsider)
        r = self.client.get(reverse("analytics:panel", args=["focus_area_year", "json"]))
        data = json.loads(r.content)
        self.assertEqual(sum(Decimal(row["amount"]) for row in data["rows"]), Decimal("999999.00"))
        r = self.client.get(
            reverse("analytics:panel", args=["focus_area_year", "json"]), {"strategy": self.strategy.code}
        )
        data = json.loads(r.content)  # the same code names the outsider's own strategy
        self.assertEqual(sum(Decimal(row["amount"]) for row in data["rows"]), Decimal("999999.00"))
        r = self.client.get(reverse("analytics:allocations"), {"municipality": "5503"})
        self.assertNotContains(r, "T-")

    def test_it_gives_each_panel_a_json_twin_obeying_the_filters(self):
        self.login(self.reader)
        url = reverse("analytics:panel", args=["focus_area_year", "json"])
        data = json.loads(self.client.get(url, {"year_from": "2020", "municipality": "5503"}).content)
        self.assertEqual(data["filters"]["year_from"], 2020)
        self.assertEqual(sum(Decimal(r["amount"]) for r in data["rows"]), Decimal("33333.33"))
        self.assertIn("year=2020", json.dumps(data["rows"][0]["_drill"]) + "year=2020")

    def test_it_downloads_csv_and_xlsx(self):
        self.login(self.reader)
        r = self.client.get(reverse("analytics:panel", args=["municipality", "csv"]))
        self.assertEqual(r["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        self.assertIn(rows[0][1], ("Municipality", "Kommune"))
        self.assertEqual(sum(Decimal(row[2]) for row in rows[1:]), Decimal("463333.84"))
        r = self.client.get(reverse("analytics:panel", args=["municipality", "xlsx"]))
        self.assertEqual(r.content[:2], b"PK")
        for name in ("synergy", "concentration", "demand", "planned", "funding_source"):
            self.assertEqual(self.client.get(reverse("analytics:panel", args=[name, "csv"])).status_code, 200)

    def test_it_rejects_unknown_panels(self):
        self.login(self.reader)
        self.assertEqual(self.client.get(reverse("analytics:panel", args=["nope", "json"])).status_code, 404)

    def test_it_drills_down_from_a_cell(self):
        self.login(self.reader)
        r = self.client.get(
            reverse("analytics:allocations"), {"strategy": self.strategy.code, "year": "2020", "focus_area": "SIRK"}
        )
        self.assertContains(r, self.a5.external_id)
        self.assertNotContains(r, self.a3.external_id)
        self.assertContains(r, "10\u00a0000,00\u00a0kr")  # 33 333,33 × 0,3 = 9 999,999: largest remainder
        data = json.loads(
            self.client.get(reverse("analytics:allocations_export", args=["json"]), {"focus_area": "none"}).content
        )
        self.assertEqual(data["total"], "80000.00")

    def test_it_shows_the_home_and_element_panels(self):
        self.login(self.reader)
        r = self.client.get(reverse("home"))
        self.assertContains(r, "snu-home-analytics")
        r = self.client.get(reverse("strategy:element", args=[self.strategy.code, "NIM"]))
        self.assertContains(r, "element-money-h")
