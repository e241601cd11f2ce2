"""The bulk write path of `snu classify`: COPY on PostgreSQL, executemany elsewhere, same rows either way."""

from __future__ import annotations

import random
from decimal import Decimal
from unittest import mock, skipUnless

import numpy as np
from django.db import connection

from snu.classify import actions, engine
from snu.classify.models import Alignment, AlignmentElement, Origin
from snu.classify.tests.helpers import ClassifyData
from snu.core import dataversion
from snu.grants.models import Allocation
from snu.lib.money import split_by_weights
from snu.test import BaseTestCase


def stored(strategy) -> dict:
    """Everything a run writes, keyed by allocation, without ids and timestamps."""
    out = {}
    for a in Alignment.objects.filter(strategy=strategy).select_related("primary"):
        elements = sorted(
            (e.element.code, round(e.score, 4), e.assigned, e.weight, e.amount)
            for e in a.elements.select_related("element")  # type: ignore[attr-defined]
        )
        primary = a.primary.code if a.primary else None
        out[a.allocation_id] = (primary, a.origin, a.confidence, a.priority, a.evidence, a.model_version, elements)
    return out


class BulkWriteTestCase(ClassifyData, BaseTestCase):
    def test_it_bumps_the_version_on_each_realign_and_keeps_created_at(self):
        actions.align_allocations("cli", self.snu2018)
        first = {a.pk: (a.version, a.created_at) for a in Alignment.objects.filter(strategy=self.snu2018)}
        counts = actions.align_allocations("cli", self.snu2018)
        self.assertEqual(counts.updated, len(self.allocations))
        for a in Alignment.objects.filter(strategy=self.snu2018):
            self.assertEqual(a.version, first[a.pk][0] + 1)
            self.assertEqual(a.created_at, first[a.pk][1])

    def test_it_replaces_score_rows_instead_of_adding_to_them(self):
        actions.align_allocations("cli", self.snu2018)
        before = AlignmentElement.objects.filter(alignment__strategy=self.snu2018).count()
        actions.align_allocations("cli", self.snu2018)
        self.assertEqual(AlignmentElement.objects.filter(alignment__strategy=self.snu2018).count(), before)

    def test_it_keeps_a_person_decision_with_its_elements_and_version(self):
        actions.align_allocations("cli", self.snu2018)
        alignment = Alignment.objects.get(allocation=self.allocations[4], strategy=self.snu2018)
        actions.correct_alignment(self.advisor, alignment, primary="SVS", focus_areas=["SVS"])
        decided = Alignment.objects.get(pk=alignment.pk)
        elements = set(decided.elements.values_list("element__code", "assigned", "weight", "amount"))  # type: ignore[attr-defined]
        counts = actions.align_allocations("cli", self.snu2018)
        self.assertEqual(counts.kept_person, 1)
        after = Alignment.objects.get(pk=alignment.pk)
        self.assertEqual((after.origin, after.primary.code, after.version), (Origin.PERSON, "SVS", decided.version))  # type: ignore[union-attr]
        self.assertEqual(set(after.elements.values_list("element__code", "assigned", "weight", "amount")), elements)  # type: ignore[attr-defined]

    def test_it_never_overwrites_a_person_who_decided_after_the_run_read_the_batch(self):
        actions.align_allocations("cli", self.snu2018)
        alignment = Alignment.objects.get(allocation=self.allocations[0], strategy=self.snu2018)
        real_decide = engine.decide

        def person_decides_meanwhile(*args, **kwargs):
            Alignment.objects.filter(pk=alignment.pk).update(origin=Origin.PERSON, primary=None)
            return real_decide(*args, **kwargs)

        with mock.patch.object(engine, "decide", person_decides_meanwhile):
            counts = actions.align_allocations("cli", self.snu2018)
        self.assertEqual(counts.updated, len(self.allocations) - 1)
        after = Alignment.objects.get(pk=alignment.pk)
        self.assertEqual((after.origin, after.primary_id), (Origin.PERSON, None))

    def test_it_realigns_only_the_given_allocations(self):
        actions.align_allocations("cli", self.snu2018)
        untouched = Alignment.objects.get(allocation=self.allocations[2], strategy=self.snu2018)
        elements = untouched.elements.count()  # type: ignore[attr-defined]
        counts = actions.align_allocations("cli", self.snu2018, [self.allocations[1], self.allocations[3]])
        self.assertEqual((counts.created, counts.updated), (0, 2))
        untouched.refresh_from_db()
        self.assertEqual((untouched.version, untouched.elements.count()), (1, elements))  # type: ignore[attr-defined]

    def test_it_counts_and_writes_each_strategy_apart(self):
        actions.align_allocations("cli", self.snu2018)
        before = stored(self.snu2018)
        counts = actions.align_allocations("cli", self.strategy2023)
        self.assertEqual((counts.created, counts.updated), (len(self.allocations), 0))
        counts = actions.align_allocations("cli", self.strategy2023)
        self.assertEqual((counts.created, counts.updated), (0, len(self.allocations)))
        self.assertEqual(stored(self.snu2018), before)
        self.assertTrue(Alignment.objects.filter(strategy=self.strategy2023, version=2).exists())

    def test_it_moves_the_data_version_but_not_the_allocation_version(self):
        data, allocations = dataversion.current(), dataversion.stamp(scope=dataversion.ALLOCATIONS)[1]
        with self.captureOnCommitCallbacks(execute=True):
            actions.align_allocations("cli", self.snu2018)
        self.assertGreater(dataversion.current(), data, "kept totals and the snapshot must see the new alignments")
        self.assertEqual(
            dataversion.stamp(scope=dataversion.ALLOCATIONS)[1], allocations, "allocation lists did not change"
        )

    def test_it_reads_and_writes_in_several_batches(self):
        with mock.patch.object(engine, "BATCH", 4):
            counts = actions.align_allocations("cli", self.snu2018)
        self.assertEqual(counts.created, len(self.allocations))
        self.assertEqual(Alignment.objects.filter(strategy=self.snu2018).count(), len(self.allocations))

    @skipUnless(connection.vendor == "postgresql", "COPY is PostgreSQL's")
    def test_it_writes_the_same_rows_with_copy_as_with_executemany(self):
        results = {}
        for use_copy in (False, True):
            with mock.patch.object(engine, "write_decided", _forced(use_copy)):
                actions.align_allocations("cli", self.snu2018)  # created
                first = stored(self.snu2018)
                counts = actions.align_allocations("cli", self.snu2018)  # updated
            self.assertEqual(counts.updated, len(self.allocations))
            results[use_copy] = (first, stored(self.snu2018))
            self.assertEqual(results[use_copy][0], results[use_copy][1])
            Alignment.objects.filter(strategy=self.snu2018).delete()
        self.assertEqual(results[False], results[True])
        self.assertEqual(len(results[True][0]), len(self.allocations))

    @skipUnless(connection.vendor == "postgresql", "COPY is PostgreSQL's")
    def test_it_keeps_evidence_with_tabs_backslashes_and_newlines_through_copy(self):
        allocation = Allocation.objects.get(pk=self.allocations[0].pk)
        allocation.title = 'Vinterturisme\tog "nordlys"\\opplevelser\nsenere'
        allocation.save()
        actions.align_allocations("cli", self.snu2018)
        evidence = Alignment.objects.get(allocation=allocation, strategy=self.snu2018).evidence
        self.assertIn("vinterturisme", {t[1] for t in evidence["terms"]["OPP"]})


def _forced(use_copy: bool):
    real = engine.write_decided

    def write(*args, **kwargs):
        return real(*args, **kwargs, copy=use_copy)

    return write


class SplitTestCase(BaseTestCase):
    def test_it_splits_amounts_like_split_by_weights_to_the_ore(self):
        rng = random.Random(7)
        n, m = 400, 5
        units = np.zeros((n, m), dtype=np.int64)
        scores = np.array([[rng.random() for _ in range(m)] for _ in range(n)])
        for i in range(n):
            chosen = rng.sample(range(m), rng.randint(1, m))
            cuts = sorted(rng.sample(range(1, 10_000), len(chosen) - 1))
            for j, share in zip(chosen, np.diff([0, *cuts, 10_000]).tolist(), strict=True):
                units[i, j] = share
        ore = np.array([rng.choice([-1, 1, 1, 1]) * rng.randint(0, 10**11) for _ in range(n)], dtype=np.int64)
        split = engine._split_ore(ore, units, scores)
        for i in range(n):
            order = sorted(np.flatnonzero(units[i]).tolist(), key=lambda j: -scores[i, j])
            amount = Decimal(int(ore[i])) / 100
            expected = split_by_weights(amount, [Decimal(int(units[i, j])) / 10_000 for j in order])
            self.assertEqual([Decimal(engine.ore_text(int(split[i, j]))) for j in order], expected)
