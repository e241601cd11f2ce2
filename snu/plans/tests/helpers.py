"""Shared set-up for the plans tests: the 2018 Troms strategy, a plan, and allocations aligned to it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from snu.classify.models import Alignment, AlignmentElement
from snu.grants.models import Allocation
from snu.plans import actions
from snu.plans.models import ActionPlan, Measure, PlanRevision
from snu.strategy.actions import load_file
from snu.strategy.models import Strategy

DATA = Path(settings.BASE_DIR) / "strategy" / "data"


class PlanData:
    """Mixin for BaseTestCase: `self.strategy`, `self.el` (elements by code), `self.allocation(...)`, `self.plan`."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()  # type: ignore[misc]
        load_file(None, cls.authority, DATA / "troms-snu-2018.yaml")  # type: ignore[attr-defined]
        cls.strategy = Strategy.objects.get(authority=cls.authority, code="troms-snu-2018")  # type: ignore[attr-defined]
        cls.el = {e.code: e for e in cls.strategy.elements.all()}

    def make_allocation(
        self, ref: str, amount: str, *, paid: str | None = None, on: dt.date = dt.date(2022, 5, 1), areas=("SIRK",)
    ) -> Allocation:
        allocation = Allocation.objects.create(
            authority=self.authority,  # type: ignore[attr-defined]
            external_id=ref,
            title=f"Prosjekt {ref}",
            recipient_name="Mottaker AS",
            decision_date=on,
            year=on.year,
            amount=Decimal(amount),
            amount_paid=Decimal(paid) if paid is not None else None,
        )
        alignment = Alignment.objects.create(allocation=allocation, strategy=self.strategy)
        weight = Decimal(1) / len(areas) if areas else Decimal(0)
        for code in areas:
            AlignmentElement.objects.create(
                alignment=alignment,
                element=self.el[code],
                score=0.9,
                assigned=True,
                weight=weight,
                amount=(allocation.amount * weight).quantize(Decimal("0.01")),
            )
        return allocation

    def make_plan(self, actor=None) -> ActionPlan:
        return actions.create_plan(
            actor or self.advisor,  # type: ignore[attr-defined]
            self.authority,  # type: ignore[attr-defined]
            name="Handlingsplan for sirkulær økonomi",
            strategy=self.strategy,
            elements=[self.el["SIRK"]],
            period_from=2021,
            period_to=2025,
            cadence_months=12,
        )

    def add(self, revision: PlanRevision, code: str, title: str, **values) -> Measure:
        values.setdefault("elements", [self.el["SIRK"]])
        return actions.add_measure(self.advisor, revision, code=code, title=title, **values)  # type: ignore[attr-defined]

    def adopt(self, revision: PlanRevision, on: dt.date = dt.date(2022, 1, 10), ref: str = "PS 1/22") -> PlanRevision:
        return actions.adopt_revision(self.advisor, revision, adopted_on=on, decision_reference=ref)  # type: ignore[attr-defined]

    def evaluate(self, measure: Measure, decision: str = "continue", note: str = "") -> None:
        actions.record_evaluation(
            self.advisor,  # type: ignore[attr-defined]
            measure,
            what_was_done="Gjort",
            what_we_learned="Lært",
            decision=decision,
            decision_note=note,
        )
