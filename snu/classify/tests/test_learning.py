from __future__ import annotations

from decimal import Decimal
from unittest import mock

from django.test import override_settings

from snu.classify import actions
from snu.classify.models import Alignment, ModelVersion, Origin
from snu.classify.tests.helpers import ClassifyData
from snu.core.models import AuditEntry
from snu.grants.models import Allocation
from snu.test import BaseTestCase

FURNITURE = [
    "Møbelsnekkeri med lokalt virke",
    "Snekkerverksted for kjøkkeninnredning",
    "Trappeproduksjon i heltre",
    "Snekkerbedrift utvider verkstedet",
    "Møbelsnekker lager spisebord",
    "Heltre møbler fra Målselv",
    "Snekkerverksted kjøper CNC-fres",
    "Møbelsnekker i Senja",
    "Snekkerbedrift og trappeproduksjon",
    "Heltre kjøkkeninnredning fra snekkerverksted",
    "Møbelsnekkeri og snekkerverksted i Lyngen",
    "Snekkerverksted for heltre møbler",
]


@override_settings(SNU_CLASSIFY_AUTO_RETRAIN=False)
class LearningTestCase(ClassifyData, BaseTestCase):
    def make_furniture(self):
        return [
            Allocation.objects.create(
                authority=self.authority, external_id=f"M-{i}", title=title, year=2021, amount=Decimal(100_000)
            )
            for i, title in enumerate(FURNITURE)
        ]

    def test_it_learns_from_corrections_and_moves_similar_allocations(self):
        furniture = self.make_furniture()
        actions.align_allocations("cli", self.snu2018)
        taught, unseen = furniture[:-2], furniture[-2:]
        for allocation, code in zip(self.allocations[:4], ["OPP", "SIRK", "NIM", "SVS"], strict=True):
            actions.label_allocation(self.advisor, allocation, self.snu2018, [code])
        for allocation in taught:
            alignment = Alignment.objects.get(allocation=allocation, strategy=self.snu2018)
            actions.correct_alignment(self.advisor, alignment, primary="SIRK")
        before = {a.primary.code if a.primary else None for a in Alignment.objects.filter(allocation__in=unseen)}
        self.assertNotEqual(before, {"SIRK"})
        version = actions.retrain_model("cli", self.snu2018)
        self.assertIsNotNone(version)
        self.assertTrue(version.is_active)
        after = Alignment.objects.filter(allocation__in=unseen, strategy=self.snu2018).select_related("primary")
        self.assertEqual({a.primary.code for a in after}, {"SIRK"})
        self.assertEqual({a.origin for a in after}, {Origin.MODEL})
        self.assertEqual(
            set(Alignment.objects.filter(allocation__in=taught).values_list("origin", flat=True)), {Origin.PERSON}
        )
        self.assertEqual(
            set(Alignment.objects.filter(allocation__in=taught).values_list("primary__code", flat=True)), {"SIRK"}
        )
        self.assertTrue(AuditEntry.objects.filter(action="retrain_model").exists())

    def test_it_keeps_the_active_model_when_the_new_one_scores_worse(self):
        furniture = self.make_furniture()
        actions.align_allocations("cli", self.snu2018)
        for allocation in furniture:
            alignment = Alignment.objects.get(allocation=allocation, strategy=self.snu2018)
            actions.correct_alignment(self.advisor, alignment, primary="SIRK")
        first = actions.retrain_model("cli", self.snu2018)
        with mock.patch.object(actions, "macro_f1", side_effect=[0.4, 0.6]):  # candidate, then active
            second = actions.retrain_model("cli", self.snu2018)
        self.assertIsNone(second)
        self.assertEqual(ModelVersion.objects.get(is_active=True), first)
        self.assertFalse(AuditEntry.objects.filter(action="retrain_model").latest("pk").after["kept"])

    def test_it_records_labels_from_an_import_as_person_decisions(self):
        alignment = actions.label_allocation(self.advisor, self.allocations[5], self.snu2018, ["SIRK", "NIM", "TEK"])
        self.assertEqual((alignment.primary.code, alignment.origin), ("SIRK", Origin.PERSON))
        assigned = set(alignment.elements.filter(assigned=True).values_list("element__code", flat=True))
        self.assertEqual(assigned, {"SIRK", "NIM", "TEK"})

    def test_it_queues_one_retrain_per_strategy(self):
        from django_tasks_db.models import DBTaskResult

        actions.align_allocations("cli", self.snu2018)
        with override_settings(SNU_CLASSIFY_AUTO_RETRAIN=True), self.captureOnCommitCallbacks(execute=True):
            for allocation in self.allocations[:3]:
                actions.confirm_alignment(
                    self.advisor, Alignment.objects.get(allocation=allocation, strategy=self.snu2018)
                )
        self.assertEqual(DBTaskResult.objects.filter(task_path__endswith="retrain").count(), 1)
