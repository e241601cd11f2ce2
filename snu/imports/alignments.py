"""Labels from a file (`OPP;TEK`) become alignments confirmed by a person, in bulk.

`confirm_alignments_from_labels` is meant for reuse (the classify app, the API): it writes the classify models
directly, inside the caller's transaction, the same way a person's decision is stored there — origin "person",
the chosen elements assigned, focus areas weighted equally (weights sum to 1), money split to the øre.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from snu.core import audit
from snu.core.models import AuditEntry
from snu.grants.models import Allocation
from snu.lib.money import split_by_weights
from snu.strategy.models import ElementKind, Strategy

WEIGHT_STEP = Decimal("0.0001")


def equal_weights(n: int) -> list[Decimal]:
    """n weights of four decimals that sum to exactly 1 (the first ones take the remainder)."""
    if n == 0:
        return []
    base = (Decimal(1) / n).quantize(WEIGHT_STEP, rounding=ROUND_DOWN)
    weights = [base] * n
    left = int((Decimal(1) - base * n) / WEIGHT_STEP)
    for i in range(left):
        weights[i] += WEIGHT_STEP
    return weights


@transaction.atomic
def confirm_alignments_from_labels(actor: Any, strategy: Strategy, labelled: list[tuple[int, tuple[str, ...]]]) -> int:
    """For each (allocation id, element codes): replace the allocation's alignment under `strategy` with a
    person-confirmed one. The first focus area is the primary. Returns how many alignments were written."""
    from snu.classify.models import Alignment, AlignmentElement, Origin

    if not labelled:
        return 0
    elements = {e.code: e for e in strategy.elements.all()}
    amounts = dict(Allocation.objects.filter(pk__in=[a for a, _ in labelled]).values_list("id", "amount"))
    user = actor if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    Alignment.objects.filter(strategy=strategy, allocation_id__in=list(amounts)).delete()
    alignments, parts = [], []
    for allocation_id, codes in labelled:
        chosen = [elements[c] for c in dict.fromkeys(codes) if c in elements]
        focus = [e for e in chosen if e.kind == ElementKind.FOCUS_AREA]
        alignment = Alignment(
            allocation_id=allocation_id,
            strategy=strategy,
            primary=focus[0] if focus else (chosen[0] if chosen else None),
            origin=Origin.PERSON,
            confidence=1.0,
            evidence={"source": "import", "labels": list(codes)},
            reviewed_by=user,
            reviewed_at=now,
        )
        alignments.append(alignment)
        weights = equal_weights(len(focus))
        money = split_by_weights(amounts[allocation_id], weights) if focus else []
        share = {e.pk: (w, m) for e, w, m in zip(focus, weights, money, strict=True)}
        parts.append([(e, *share.get(e.pk, (Decimal(0), Decimal(0)))) for e in chosen])
    Alignment.objects.bulk_create(alignments, batch_size=2000)
    AlignmentElement.objects.bulk_create(
        [
            AlignmentElement(alignment=a, element=e, score=1.0, assigned=True, weight=w, amount=m)
            for a, rows in zip(alignments, parts, strict=True)
            for e, w, m in rows
        ],
        batch_size=5000,
    )
    audit.record(
        actor,
        AuditEntry.Verb.EVENT,
        strategy,
        action="confirm_alignments_from_labels",
        message=f"{len(alignments)} alignments confirmed from imported labels",
    )
    return len(alignments)
