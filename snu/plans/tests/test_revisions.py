from __future__ import annotations

import datetime as dt
from decimal import Decimal

from snu.core.models import AuditEntry
from snu.plans import actions, queries
from snu.plans.models import Measure, MeasureStatus, PlanError, PlanRevision, RevisionFrozen, StaleEdit
from snu.plans.tests.helpers import PlanData
from snu.test import BaseTestCase


class RevisionTestCase(PlanData, BaseTestCase):
    def setUp(self):
        self.plan = self.make_plan()
        self.first = self.plan.draft()
        self.t1 = self.add(self.first, "T1", "Restråstoff", budget=Decimal("1000000"))
        self.t2 = self.add(self.first, "T2", "Nettverk for industriell symbiose")
        self.t3 = self.add(self.first, "T3", "Kompetanseprogram")

    def test_it_starts_a_plan_with_a_first_revision_in_progress(self):
        self.assertEqual(self.first.number, 1)
        self.assertTrue(self.first.is_draft)
        self.assertTrue(AuditEntry.objects.filter(action="create_plan", object_type="plans.actionplan").exists())

    def test_an_adopted_revision_cannot_be_edited(self):
        self.adopt(self.first)
        t1 = Measure.objects.get(pk=self.t1.pk)
        with self.assertRaises(RevisionFrozen):
            actions.update_measure(self.advisor, t1, expected_version=t1.version, title="Ny tittel")
        with self.assertRaises(RevisionFrozen):
            actions.add_measure(self.advisor, self.first, title="Nytt")
        with self.assertRaises(RevisionFrozen):
            actions.stop_measure(self.advisor, t1, reason="Stopp")
        with self.assertRaises(RevisionFrozen):
            actions.remove_measure(self.advisor, t1)
        with self.assertRaises(RevisionFrozen):
            actions.adopt_revision(self.advisor, self.first, adopted_on=dt.date(2022, 2, 1), decision_reference="X")
        t1.title = "Direkte"
        with self.assertRaises(RevisionFrozen):
            t1.save()  # the model refuses too, below the actions
        self.assertEqual(Measure.objects.get(pk=self.t1.pk).title, "Restråstoff")

    def test_adoption_needs_a_decision_reference(self):
        with self.assertRaises(PlanError):
            actions.adopt_revision(self.advisor, self.first, adopted_on=dt.date(2022, 1, 1), decision_reference=" ")
        self.assertTrue(PlanRevision.objects.get(pk=self.first.pk).is_draft)

    def test_it_rolls_a_revision_and_shows_the_diff_with_reasons(self):
        self.adopt(self.first)
        second = actions.start_revision(self.advisor, self.plan)
        self.assertEqual(second.number, 2)
        self.assertEqual(second.started_from_id, self.first.pk)
        self.assertEqual(second.measures.count(), 3)
        m = {x.code: x for x in second.measures.all()}
        self.assertEqual(m["T1"].key, self.t1.key)
        actions.update_measure(
            self.advisor, m["T1"], expected_version=m["T1"].version, budget=Decimal("2000000"), change_reason="Mer"
        )
        actions.stop_measure(self.advisor, m["T2"], reason="Ingen interesse")
        self.add(second, "T4", "Sirkulære innkjøp", change_reason="Nytt behov")
        changes = {row["label"].split()[0]: row for row in queries.revision_diff(second)}
        self.assertEqual(changes["T1"]["change"], "changed")
        self.assertEqual(changes["T1"]["fields"][0]["before"], Decimal("1000000.00"))
        self.assertEqual(changes["T2"]["change"], "stopped")
        self.assertEqual(changes["T2"]["reason"], "Ingen interesse")
        self.assertEqual(changes["T3"]["change"], "carried")
        self.assertEqual(changes["T4"]["change"], "added")
        self.assertEqual(changes["T4"]["reason"], "Nytt behov")

    def test_it_refuses_adoption_without_a_reason_per_change_and_evaluations(self):
        self.adopt(self.first)
        second = actions.start_revision(self.advisor, self.plan)
        self.add(second, "T4", "Uten begrunnelse")
        problems = actions.adoption_problems(second)
        self.assertTrue(any("T4" in p for p in problems))
        self.assertEqual(sum("før vedtak" in p for p in problems), 3)
        with self.assertRaises(PlanError):
            self.adopt(second, on=dt.date(2023, 1, 1), ref="PS 2/23")

    def test_an_evaluation_decision_carries_into_the_next_revision(self):
        self.adopt(self.first)
        self.evaluate(self.t1, "stop", "Ingen effekt")
        self.evaluate(self.t2, "scale_up", "Flere bedrifter")
        second = actions.start_revision(self.advisor, self.plan)
        m = {x.code: x for x in second.measures.all()}
        self.assertEqual(m["T1"].status, MeasureStatus.STOPPED)
        self.assertIn("Ingen effekt", m["T1"].change_reason)
        self.assertIn("Flere bedrifter", m["T2"].change_reason)
        self.assertEqual(m["T3"].status, MeasureStatus.ON_TRACK)
        # an evaluation recorded after the revision started carries over too
        self.evaluate(self.t3, "stop", "Erstattes")
        self.assertEqual(Measure.objects.get(pk=m["T3"].pk).status, MeasureStatus.STOPPED)
        adopted = self.adopt(second, on=dt.date(2023, 1, 1), ref="PS 2/23")
        self.assertFalse(adopted.is_draft)
        # closed measures are not carried into the third revision
        third = actions.start_revision(self.advisor, self.plan)
        self.assertEqual(sorted(third.measures.values_list("code", flat=True)), ["T2"])
        closed = [r for r in queries.revision_diff(third) if r["change"] == "closed"]
        self.assertEqual(len(closed), 2)

    def test_only_the_plan_in_force_is_evaluated_and_history_is_frozen(self):
        with self.assertRaises(PlanError):
            self.evaluate(self.t1)  # still a draft
        self.adopt(self.first)
        self.evaluate(self.t1)
        self.evaluate(self.t2)
        self.evaluate(self.t3)
        second = actions.start_revision(self.advisor, self.plan)
        self.adopt(second, on=dt.date(2023, 1, 1), ref="PS 2/23")
        with self.assertRaises(PlanError):
            self.evaluate(Measure.objects.get(pk=self.t1.pk))
        with self.assertRaises(RevisionFrozen):
            actions.report_status(self.advisor, Measure.objects.get(pk=self.t1.pk), status="at_risk")

    def test_it_refuses_a_stale_save(self):
        t1 = Measure.objects.get(pk=self.t1.pk)
        actions.update_measure(self.advisor, t1, expected_version=1, title="Først")
        with self.assertRaises(StaleEdit):
            actions.update_measure(self.advisor, t1, expected_version=1, title="Sist")
        self.assertEqual(Measure.objects.get(pk=self.t1.pk).title, "Først")
        self.assertEqual(Measure.objects.get(pk=self.t1.pk).version, 2)

    def test_only_one_revision_is_in_progress(self):
        with self.assertRaises(PlanError):
            actions.start_revision(self.advisor, self.plan)  # nothing adopted yet
        self.adopt(self.first)
        actions.start_revision(self.advisor, self.plan)
        with self.assertRaises(PlanError):
            actions.start_revision(self.advisor, self.plan)

    def test_a_carried_measure_is_stopped_not_removed(self):
        self.adopt(self.first)
        second = actions.start_revision(self.advisor, self.plan)
        with self.assertRaises(PlanError):
            actions.remove_measure(self.advisor, second.measures.get(code="T1"))
        new = self.add(second, "T9", "Feil")
        actions.remove_measure(self.advisor, new)
        self.assertFalse(second.measures.filter(code="T9").exists())

    def test_the_home_page_shows_overdue_revisions(self):
        self.adopt(self.first, on=dt.date(2020, 1, 1))
        rows = queries.revisions_due(self.authority)
        self.assertEqual(len(rows), 1)
        self.assertTrue(rows[0]["overdue"])
        self.assertEqual(rows[0]["due"], dt.date(2021, 1, 1))
        self.login(self.reader)
        self.assertContains(self.client.get("/"), "Handlingsplan for sirkulær økonomi")

    def test_a_proposal_is_raised_and_taken_into_the_revision(self):
        proposal = actions.raise_proposal(
            "signals", self.plan, title="Tang og tare", text="Ny trend", source_label="Signal", source_url="/signals/1/"
        )
        self.assertEqual(proposal.status, "open")
        self.adopt(self.first)
        second = actions.start_revision(self.advisor, self.plan)
        self.assertEqual(second.brief["proposals"][0]["title"], "Tang og tare")
        self.login(self.advisor)
        self.assertContains(self.client.get(second.get_absolute_url()), "Tang og tare")
        actions.decide_proposal(self.advisor, proposal, accept=True)
        proposal.refresh_from_db()
        self.assertEqual((proposal.status, proposal.revision_id), ("accepted", second.pk))
        with self.assertRaises(PlanError):
            actions.decide_proposal(self.advisor, proposal, accept=False)
