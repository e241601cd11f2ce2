from __future__ import annotations

from decimal import Decimal

from snu.classify import actions
from snu.classify.models import Alignment, AlignmentElement, Origin
from snu.classify.tests.helpers import ClassifyData
from snu.core.models import AuditEntry
from snu.test import BaseTestCase


class AlignTestCase(ClassifyData, BaseTestCase):
    def test_it_aligns_every_allocation_with_zero_labels(self):
        counts = actions.align_allocations("cli", self.snu2018)
        self.assertEqual(counts.created, len(self.allocations))
        alignments = Alignment.objects.filter(strategy=self.snu2018)
        self.assertEqual(alignments.count(), len(self.allocations))
        by_title = {a.allocation.title: a for a in alignments.select_related("primary", "allocation")}
        self.assertEqual(by_title["Vinterturisme og nordlysopplevelser"].primary.code, "OPP")
        self.assertEqual(by_title["Restråstoff fra fiskeindustrien"].primary.code, "SIRK")
        self.assertEqual(by_title["Inkubator for gründere i Tromsø"].primary.code, "NIM")
        self.assertEqual(by_title["Sentrumsutvikling i Storslett"].primary.code, "SVS")
        self.assertEqual(by_title["Vinterturisme og nordlysopplevelser"].origin, Origin.RULE)

    def test_it_keeps_evidence_with_terms_fields_and_rules(self):
        actions.align_allocations("cli", self.snu2018)
        alignment = Alignment.objects.get(allocation=self.allocations[0], strategy=self.snu2018)
        terms = alignment.evidence["terms"]["OPP"]
        self.assertIn("title", {t[2] for t in terms})
        self.assertTrue(any(r.startswith("industry:79.120") for r in alignment.evidence["rules"]["OPP"]))

    def test_it_splits_the_amount_exactly_across_focus_areas(self):
        actions.align_allocations("cli", self.snu2018)
        for alignment in Alignment.objects.filter(strategy=self.snu2018).exclude(primary=None):
            focus = AlignmentElement.objects.filter(alignment=alignment, element__kind="focus_area", weight__gt=0)
            self.assertEqual(sum(f.weight for f in focus), Decimal("1.0000"))
            self.assertEqual(sum(f.amount for f in focus), alignment.allocation.amount)

    def test_it_stores_only_scores_above_zero(self):
        actions.align_allocations("cli", self.snu2018)
        self.assertFalse(AlignmentElement.objects.filter(score__lte=0, assigned=False).exists())

    def test_it_realigns_without_duplicates_and_new_only_skips_existing(self):
        actions.align_allocations("cli", self.snu2018)
        counts = actions.align_allocations("cli", self.snu2018, only_new=True)
        self.assertEqual((counts.created, counts.updated, counts.skipped), (0, 0, len(self.allocations)))
        counts = actions.align_allocations("cli", self.snu2018)
        self.assertEqual(counts.updated, len(self.allocations))
        self.assertEqual(Alignment.objects.filter(strategy=self.snu2018).count(), len(self.allocations))

    def test_it_aligns_to_both_strategies(self):
        actions.align_allocations("cli", self.snu2018)
        actions.align_allocations("cli", self.strategy2023)
        self.assertEqual(Alignment.objects.filter(allocation=self.allocations[0]).count(), 2)

    def test_it_audits_the_run(self):
        actions.align_allocations("cli", self.snu2018)
        self.assertTrue(AuditEntry.objects.filter(action="align_allocations", actor_name="cli").exists())
