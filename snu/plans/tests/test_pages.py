from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from unittest import skipUnless

from snu.core.models import AuditEntry
from snu.plans import actions
from snu.plans.models import ActionPlan, Measure, MeasureAllocation, PlanRevision
from snu.plans.tests.helpers import PlanData
from snu.test import BaseTestCase


class PlanPagesTestCase(PlanData, BaseTestCase):
    def setUp(self):
        self.plan = self.make_plan()
        self.first = self.plan.draft()
        self.t1 = self.add(self.first, "T1", "Restråstoff", budget=Decimal("1000000"))

    def test_a_reader_reads_every_page_but_changes_nothing(self):
        self.adopt(self.first)
        second = actions.start_revision(self.advisor, self.plan)
        self.login(self.reader)
        t1 = second.measures.get(code="T1")
        for url in [
            "/plans/",
            self.plan.get_absolute_url(),
            second.get_absolute_url(),
            f"/plans/{self.plan.pk}/revisions/2/diff/",
            f"/plans/{self.plan.pk}/revisions/2/brief/",
            t1.get_absolute_url(),
        ]:
            r = self.client.get(url)
            self.assertEqual(r.status_code, 200, url)
            self.assertNotContains(r, "Legg til tiltak")
        self.assertEqual(self.client.get("/plans/new/").status_code, 403)
        self.assertEqual(
            self.client.post(f"/plans/{self.plan.pk}/revisions/2/measures/new/", {"title": "X"}).status_code, 403
        )
        self.assertEqual(self.client.post(f"{t1.get_absolute_url()}evaluate/", {}).status_code, 403)
        self.assertEqual(self.client.post(f"/plans/{self.plan.pk}/revisions/2/adopt/", {}).status_code, 403)
        self.assertEqual(self.client.post(f"/plans/{self.plan.pk}/revisions/2/brief/").status_code, 403)
        self.assertEqual(second.measures.count(), 1)

    def test_an_outsider_sees_nothing(self):
        self.login(self.outsider)
        self.assertEqual(self.client.get(self.plan.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(self.t1.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client.post(f"/plans/{self.plan.pk}/revisions/1/measures/new/", {"title": "X"}).status_code, 404
        )
        self.assertNotContains(self.client.get("/plans/"), "sirkulær")

    def test_anonymous_visitors_are_sent_to_login(self):
        r = self.client.get("/plans/")
        self.assertRedirects(r, "/login/?next=/plans/", fetch_redirect_response=False)

    def test_an_advisor_creates_a_plan_through_the_form(self):
        self.login(self.advisor)
        r = self.client.post(
            "/plans/new/",
            {
                "name": "Handlingsplan for opplevelsesøkonomi",
                "strategy": self.strategy.pk,
                "elements": [self.el["OPP"].pk],
                "period_from": 2024,
                "period_to": 2027,
                "cadence_months": 6,
            },
        )
        plan = ActionPlan.objects.get(name="Handlingsplan for opplevelsesøkonomi")
        self.assertRedirects(r, plan.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(plan.revisions.get().number, 1)
        self.assertTrue(AuditEntry.objects.filter(object_type="plans.actionplan", object_id=str(plan.pk)).exists())

    def test_the_edit_form_refuses_a_stale_version(self):
        self.login(self.advisor)
        url = f"{self.t1.get_absolute_url()}edit/"
        form = {"version": 1, "code": "T1", "title": "Endret", "status": "on_track"}
        self.assertEqual(self.client.post(url, form).status_code, 302)
        r = self.client.post(url, {**form, "title": "Gammel"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Noen andre")
        self.assertEqual(Measure.objects.get(pk=self.t1.pk).title, "Endret")

    def test_an_advisor_links_an_allocation_by_case_number(self):
        allocation = self.make_allocation("2022-0042", "123456.78")
        self.login(self.advisor)
        self.client.post(f"{self.t1.get_absolute_url()}money/", {"allocation": "2022-0042"})
        self.assertTrue(MeasureAllocation.objects.filter(measure=self.t1, allocation=allocation).exists())
        r = self.client.get(self.t1.get_absolute_url())
        self.assertContains(r, "123\xa0456,78\xa0kr")
        self.client.post(
            f"{self.t1.get_absolute_url()}money/", {"allocation": allocation.pk, "by": "id", "unlink": "1"}
        )
        self.assertFalse(MeasureAllocation.objects.filter(measure=self.t1).exists())

    def test_an_adopted_revision_has_no_edit_form(self):
        self.adopt(self.first)
        self.login(self.advisor)
        r = self.client.post(f"{self.t1.get_absolute_url()}edit/", {"version": 1, "title": "X", "status": "on_track"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Measure.objects.get(pk=self.t1.pk).title, "Restråstoff")

    def test_the_adopt_form_adopts_and_freezes(self):
        self.login(self.advisor)
        url = f"/plans/{self.plan.pk}/revisions/1/adopt/"
        self.client.post(url, {"adopted_on": "2024-03-01", "decision_reference": "PS 12/24"})
        revision = PlanRevision.objects.get(pk=self.first.pk)
        self.assertEqual((revision.status, revision.decision_reference), ("adopted", "PS 12/24"))
        self.assertEqual(revision.adopted_on, dt.date(2024, 3, 1))
        self.assertTrue(AuditEntry.objects.filter(action="adopt_revision").exists())

    def test_the_element_page_shows_plans_and_measures(self):
        self.login(self.reader)
        r = self.client.get("/strategy/troms-snu-2018/elements/SIRK/")
        self.assertContains(r, "Handlingsplan for sirkulær økonomi")
        self.assertContains(r, "T1 Restråstoff")

    @skipUnless(shutil.which("pdftotext"), "needs poppler-utils")
    def test_the_revision_brief_is_a_pdf(self):
        self.adopt(self.first)
        actions.report_status(self.advisor, Measure.objects.get(pk=self.t1.pk), status="at_risk", comment="Sen")
        second = actions.start_revision(self.advisor, self.plan)
        self.login(self.reader)
        r = self.client.get(f"/plans/{self.plan.pk}/revisions/{second.number}/brief.pdf")
        self.assertEqual(r["Content-Type"], "application/pdf")
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "brief.pdf"
            pdf.write_bytes(r.content)
            text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        self.assertIn("Restråstoff", text)
        self.assertIn("Sirkulær økonomi", text)


class MeasureLockingPagesTestCase(PlanData, BaseTestCase):
    def setUp(self):
        self.plan = self.make_plan()
        self.first = self.plan.draft()
        self.t1 = self.add(self.first, "T1", "Restråstoff", budget=Decimal("1000000"))

    def test_a_save_without_the_version_it_was_read_at_is_refused(self):
        self.login(self.advisor)
        edit = f"{self.t1.get_absolute_url()}edit/"
        form = self.client.get(edit).context["form"]
        data = {name: value for name, value in form.initial.items() if value is not None and name != "version"}
        data.update(title="Overwritten blindly", elements=[e.pk for e in self.t1.elements.all()])
        self.client.post(edit, data)
        self.t1.refresh_from_db()
        self.assertEqual(self.t1.title, "Restråstoff")
        data["version"] = self.t1.version
        self.client.post(edit, data)
        self.t1.refresh_from_db()
        self.assertEqual(self.t1.title, "Overwritten blindly")
