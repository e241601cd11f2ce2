from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from snu.analytics import queries
from snu.analytics.filters import NONE, Filters
from snu.classify.models import AlignmentElement
from snu.reports import actions
from snu.reports.builder import all_tables, build_report
from snu.reports.tests.base import PERSON, ReportTestCase

TODAY = dt.date(2026, 11, 28)


def table_by_id(report: dict, tid: str) -> dict:
    return next(t for t in all_tables(report) if t["id"] == tid)


def column(t: dict, key: str) -> list:
    i = [c["key"] for c in t["columns"]].index(key)
    return [row[i] for row in t["rows"]]


class BuilderTestCase(ReportTestCase):
    def build(self, **kw) -> dict:
        return build_report(self.authority, 2018, self.strategy, today=TODAY, **kw)

    def test_it_counts_the_year_like_the_dashboard(self):
        report = self.build()
        expected_total = Decimal("100000.01") + Decimal("250000.50") + Decimal("80000.00") + Decimal("33333.33")
        self.assertEqual(report["totals"]["amount"], expected_total)
        self.assertEqual(report["totals"]["count"], 4)
        focus = table_by_id(report, "focus_areas")
        labels = [str(v) for v in column(focus, "focus_area_label")]
        amounts = dict(zip(labels, column(focus, "amount"), strict=True))
        dashboard = queries.aggregate(
            self.authority, self.strategy, ["focus_area"], Filters(year_from=2018, year_to=2018)
        )
        for row in dashboard:
            self.assertEqual(amounts[row["focus_area_label"]], row["amount"], row["focus_area_label"])
        # And straight from the split amounts the classifier stored, for granted and paid 2018 allocations.
        for code in ("OPP", "SIRK", "NIM", "SVS"):
            stored = AlignmentElement.objects.filter(
                alignment__strategy=self.strategy,
                alignment__allocation__year=2018,
                assigned=True,
                alignment__allocation__status__in=("granted", "paid"),
                element__code=code,
                alignment__allocation__authority=self.authority,
            ).aggregate(s=Sum("amount"))["s"] or Decimal("0")
            label = next(r["focus_area_label"] for r in dashboard if r["focus_area"] == code)
            self.assertEqual(amounts[label], stored, code)
        self.assertEqual(column(focus, "amount")[-1], expected_total)  # the total row adds up to the øre
        outside = next(r for r in dashboard if r["focus_area"] == NONE)
        self.assertEqual(outside["amount"], Decimal("80000.00"))

    def test_it_splits_state_and_county_money(self):
        report = self.build()
        kinds = table_by_id(report, "kind_of_money")
        self.assertEqual(column(kinds, "amount"), [Decimal("213333.34"), Decimal("250000.50"), Decimal("463333.84")])
        self.assertEqual(report["figures"]["top_principal"], "Fylkeskommunale midler")

    def test_it_never_names_a_sole_proprietor(self):
        report = self.build()
        flat = repr(report)
        self.assertNotIn(PERSON, flat)
        self.assertNotIn("Nordmann", flat)
        self.assertIn("Privatperson/enkeltpersonforetak", flat)

    def test_it_picks_the_largest_and_a_typical_project(self):
        report = self.build()
        nim = table_by_id(report, "projects_nim")
        self.assertEqual(column(nim, "recipient"), ["Harstad Havbruk SA", "Arktisk Fisk AS"])
        self.assertEqual(column(nim, "amount")[0], Decimal("250000.50"))

    def test_it_fills_advisor_texts_with_figures(self):
        actions.save_report_text(
            self.advisor,
            self.authority,
            year=2018,
            section="intro",
            language="nb",
            body="Totalt {total_mnok} i {year}.\n\n- punkt {unknown}",
        )
        intro = self.build()["sections"][0]
        self.assertEqual(intro["blocks"][0], {"type": "paragraph", "text": "Totalt 0,5\u00a0mill.\u00a0kr i 2018."})
        self.assertEqual(intro["blocks"][1], {"type": "list", "items": ["punkt {unknown}"]})

    def test_it_reads_well_without_edits_in_both_languages(self):
        nb, en = self.build(language="nb"), self.build(language="en")
        self.assertEqual(nb["title"], "Regional næringsutvikling i Troms 2018")
        self.assertEqual(en["title"], "Regional development of trade and industry in Troms 2018")
        for report in (nb, en):
            text = repr(report)
            self.assertNotRegex(text, r"\{(total_mnok|state_share|top_focus_area|recipients)\}")
        self.assertIn("I 2018 ble det innvilget 0,5", repr(nb))
        self.assertIn("In 2018, 0,5", repr(en))

    def test_it_does_not_show_another_authoritys_money(self):
        self.assertNotIn("Nordland Secret", repr(self.build()))
