"""Every change to alignments goes through these functions: aligning, confirming, correcting, retraining."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from snu.classify import engine
from snu.classify.evaluation import aligner_predictions, score_predictions
from snu.classify.model import StrategyAligner
from snu.classify.models import Alignment, AlignmentElement, ModelVersion, Origin
from snu.core import audit, dataversion
from snu.grants.models import Allocation
from snu.lib.money import split_by_weights
from snu.strategy.models import Element, ElementKind, Strategy

HOLDOUT_MODULO = 5  # one confirmed allocation in five is never trained on, so models compare fairly
MIN_LABELS_TO_TRAIN = 1


class StaleAlignment(ValidationError):
    """Someone else changed the alignment since the form was shown."""


def _check_version(alignment: Alignment, expected_version: int | None) -> Alignment:
    current = Alignment.objects.select_for_update().get(pk=alignment.pk)
    if expected_version is not None and current.version != int(expected_version):
        raise StaleAlignment(
            _("Someone else changed this alignment while you were looking at it. Reload the page and try again."),
            code="stale",
        )
    return current


def _summary(alignment: Alignment) -> dict:
    """What an audit row keeps of an alignment: the decision, not the scores."""
    assigned = sorted(
        alignment.elements.filter(assigned=True).values_list("element__code", flat=True)  # type: ignore[attr-defined]
    )
    return {
        "allocation": alignment.allocation_id,
        "strategy": alignment.strategy.code,
        "primary": alignment.primary.code if alignment.primary else None,
        "assigned": assigned,
        "origin": alignment.origin,
        "confidence": alignment.confidence,
        "version": alignment.version,
    }


# ------------------------------------------------------------------ aligning


def align_allocations(
    actor: Any, strategy: Strategy, allocations: Iterable[Allocation] | None = None, *, only_new: bool = False
) -> engine.RunCounts:
    """Align the authority's allocations (or the given ones) to a strategy. Person decisions are kept.

    Writes in batches; one audit row for the run (per-allocation rows would double the work for
    a machine decision that any later run replaces).
    """
    qs = Allocation.objects.filter(authority_id=strategy.authority_id)
    if allocations is not None:
        qs = qs.filter(pk__in=[a.pk for a in allocations])
    counts = engine.align_queryset(strategy, qs, only_new=only_new)
    audit.record(
        actor,
        "update",
        strategy,
        action="align_allocations",
        after={"created": counts.created, "updated": counts.updated, "kept_person": counts.kept_person},
        message=f"aligned {counts.aligned} allocations",
    )
    return counts


# ------------------------------------------------------------------ people deciding


@transaction.atomic
def confirm_alignment(actor: Any, alignment: Alignment, *, expected_version: int | None = None) -> Alignment:
    """A person accepts the suggestion as it is."""
    alignment = _check_version(alignment, expected_version)
    before = _summary(alignment)
    alignment.origin = Origin.PERSON
    alignment.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    alignment.reviewed_at = timezone.now()
    alignment.confidence = 1.0
    alignment.priority = 0.0
    alignment.version += 1
    alignment.save()
    audit.record(actor, "update", alignment, action="confirm_alignment", before=before, after=_summary(alignment))
    _after_decision(alignment.strategy)
    return alignment


@transaction.atomic
def correct_alignment(
    actor: Any,
    alignment: Alignment,
    *,
    primary: Element | str | None,
    focus_areas: Iterable[Element | str] = (),
    drivers: Iterable[Element | str] = (),
    advantages: Iterable[Element | str] = (),
    target_areas: Iterable[Element | str] | None = None,
    expected_version: int | None = None,
) -> Alignment:
    """A person sets the elements. `primary` None means "outside the strategy" (no focus areas).

    Focus areas split the amount equally (a person's choice carries no scores to weigh by); target
    areas default to the model's ones under the chosen focus areas.
    """
    alignment = _check_version(alignment, expected_version)
    before = _summary(alignment)
    chosen = _chosen_elements(alignment, primary, focus_areas, drivers, advantages, target_areas)
    _apply_person_choice(alignment, chosen["primary"], chosen["codes"])
    alignment.origin = Origin.PERSON
    alignment.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    alignment.reviewed_at = timezone.now()
    alignment.confidence = 1.0
    alignment.priority = 0.0
    alignment.version += 1
    alignment.save()
    audit.record(actor, "update", alignment, action="correct_alignment", before=before, after=_summary(alignment))
    _after_decision(alignment.strategy)
    return alignment


def _code(value: Element | str | None) -> str | None:
    return value.code if isinstance(value, Element) else value or None


def _chosen_elements(alignment, primary, focus_areas, drivers, advantages, target_areas) -> dict:
    elements = {e.code: e for e in alignment.strategy.elements.all()}
    primary_code = _code(primary)
    focus = [c for c in (_code(f) for f in focus_areas) if c]
    if primary_code and primary_code not in focus:
        focus.insert(0, primary_code)
    if primary_code is None and focus:
        primary_code = focus[0]
    wanted = {
        ElementKind.FOCUS_AREA: focus,
        ElementKind.DRIVER: [c for c in (_code(d) for d in drivers) if c],
        ElementKind.ADVANTAGE: [c for c in (_code(a) for a in advantages) if c],
    }
    if target_areas is None:
        current = alignment.elements.filter(assigned=True, element__kind=ElementKind.TARGET_AREA)
        wanted[ElementKind.TARGET_AREA] = [
            ae.element.code
            for ae in current.select_related("element__parent")
            if ae.element.parent and ae.element.parent.code in focus
        ]
    else:
        wanted[ElementKind.TARGET_AREA] = [c for c in (_code(t) for t in target_areas) if c]
    problems = [
        code for kind, codes in wanted.items() for code in codes if code not in elements or elements[code].kind != kind
    ]
    if problems:
        raise ValidationError(_("Not elements of this strategy: %(codes)s") % {"codes": ", ".join(problems)})
    codes = list(dict.fromkeys(c for codes in wanted.values() for c in codes))
    return {"primary": elements[primary_code] if primary_code else None, "codes": codes, "elements": elements}


def _apply_person_choice(alignment: Alignment, primary: Element | None, codes: list[str]) -> None:
    """Rewrite the score rows: person-chosen elements assigned, focus areas weighted equally."""
    elements = engine.element_ids(alignment.strategy)
    rows = {ae.element_id: ae for ae in alignment.elements.all()}  # type: ignore[attr-defined]
    focus = [c for c in codes if c in elements and _is_focus(alignment, c)]
    weights = engine.equal_weights(focus)
    amount = alignment.allocation.amount
    amounts = dict(zip(focus, split_by_weights(amount, [weights[c] for c in focus]), strict=True))
    chosen_ids = {elements[c]: c for c in codes}
    AlignmentElement.objects.filter(alignment=alignment).delete()
    new = []
    for element_id in set(rows) | set(chosen_ids):
        old = rows.get(element_id)
        code = chosen_ids.get(element_id)
        new.append(
            AlignmentElement(
                alignment=alignment,
                element_id=element_id,
                score=old.score if old else 0.0,
                assigned=code is not None,
                weight=weights.get(code, Decimal(0)) if code else Decimal(0),
                amount=amounts.get(code, Decimal(0)) if code else Decimal(0),
            )
        )
    AlignmentElement.objects.bulk_create(new)
    # bulk_create sends no signal: the element rows changed, so totals and rankings do (a decision's own alignment
    # save moves only the data version).
    dataversion.bump_on_commit(counter=dataversion.ELEMENT_ROWS)
    alignment.primary = primary


def _is_focus(alignment: Alignment, code: str) -> bool:
    return alignment.strategy.elements.filter(code=code, kind=ElementKind.FOCUS_AREA).exists()


@transaction.atomic
def bulk_confirm_alignments(actor: Any, alignments: Iterable[Alignment]) -> int:
    """Accept many suggestions at once (a high-confidence group); one audit row per alignment."""
    count = 0
    strategies = set()
    for alignment in alignments:
        if alignment.origin == Origin.PERSON:
            continue
        before = _summary(alignment)
        alignment.origin = Origin.PERSON
        alignment.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
        alignment.reviewed_at = timezone.now()
        alignment.confidence = 1.0
        alignment.priority = 0.0
        alignment.version += 1
        alignment.save()
        audit.record(
            actor, "update", alignment, action="bulk_confirm_alignments", before=before, after=_summary(alignment)
        )
        strategies.add(alignment.strategy)
        count += 1
    for strategy in strategies:
        _after_decision(strategy)
    return count


@transaction.atomic
def label_allocation(actor: Any, allocation: Allocation, strategy: Strategy, codes: list[str]) -> Alignment:
    """Record a person's labels for an allocation (the import's labels column, the API).

    The first focus area in `codes` is the primary one. Creates the alignment when there is none.
    """
    alignment = Alignment.objects.filter(allocation=allocation, strategy=strategy).first()
    if alignment is None:
        engine.align_queryset(strategy, Allocation.objects.filter(pk=allocation.pk))
        alignment = Alignment.objects.get(allocation=allocation, strategy=strategy)
    kinds = dict(strategy.elements.values_list("code", "kind"))
    unknown = [c for c in codes if c not in kinds]
    if unknown:
        raise ValidationError(_("Not elements of this strategy: %(codes)s") % {"codes": ", ".join(unknown)})
    by_kind: dict[str, list[str]] = {}
    for code in codes:
        by_kind.setdefault(kinds[code], []).append(code)
    focus = by_kind.get(ElementKind.FOCUS_AREA, [])
    return correct_alignment(
        actor,
        alignment,
        primary=focus[0] if focus else None,
        focus_areas=focus,
        drivers=by_kind.get(ElementKind.DRIVER, []),
        advantages=by_kind.get(ElementKind.ADVANTAGE, []),
        target_areas=by_kind.get(ElementKind.TARGET_AREA, []),
    )


def _after_decision(strategy: Strategy) -> None:
    from snu.classify import tasks

    transaction.on_commit(lambda: tasks.schedule_retrain(strategy))


# ------------------------------------------------------------------ learning


def is_held_out(allocation_id: int) -> bool:
    return zlib.crc32(str(allocation_id).encode()) % HOLDOUT_MODULO == 0


def macro_f1(model: StrategyAligner, rows: list[dict], labels: list[set], elements: list[dict]) -> float | None:
    """Mean of the per-kind macro-F1 on held-out rows (None without any)."""
    if not rows:
        return None
    primaries, assigned = aligner_predictions(model, rows)
    scored = score_predictions([{"labels": y} for y in labels], primaries, assigned, elements)
    values = list(scored["macro_f1"].values())
    return sum(values) / len(values) if values else None


def retrain_model(actor: Any, strategy: Strategy, *, realign: bool = True) -> ModelVersion | None:
    """Train on confirmed labels; keep the model only when it scores ≥ the active one on held-out labels.

    Returns the new active ModelVersion, or None when it was not better (or there was nothing to learn).
    """
    rows, labels, ids = engine.training_rows(strategy)
    if len(rows) < MIN_LABELS_TO_TRAIN:
        return None
    held = [i for i, allocation_id in enumerate(ids) if is_held_out(allocation_id)]
    train = [i for i in range(len(ids)) if not is_held_out(ids[i])]
    if not train:
        return None
    elements = engine.element_dicts(strategy)
    corpus = engine.corpus_sample(strategy)
    candidate = StrategyAligner(elements, language=engine.strategy_language(strategy))
    candidate.fit([rows[i] for i in train] + corpus, [labels[i] for i in train] + [None] * len(corpus))
    candidate.allocation_ids_ = [ids[i] for i in train]
    held_rows, held_labels = [rows[i] for i in held], [labels[i] for i in held]
    new_score = macro_f1(candidate, held_rows, held_labels, elements)
    active = engine.active_version(strategy)
    current, _label = engine.current_model(strategy)
    old_score = macro_f1(current, held_rows, held_labels, elements)
    metrics = {"held_out": len(held), "trained_on": len(train), "previous_score": old_score}
    if new_score is not None and old_score is not None and new_score < old_score:
        audit.record(
            actor, "update", strategy, action="retrain_model", after={**metrics, "score": new_score, "kept": False}
        )
        return None
    with transaction.atomic():
        ModelVersion.objects.filter(strategy=strategy, is_active=True).update(is_active=False)
        number = ModelVersion.objects.filter(strategy=strategy).count() + 1
        version = ModelVersion.objects.create(
            authority_id=strategy.authority_id,
            strategy=strategy,
            label=f"v{number}",
            trained_on=len(train),
            score=new_score,
            is_active=True,
            blob=candidate.to_bytes(),
            metrics=metrics,
        )
        after = {"label": version.label, "score": new_score, **metrics, "previous": active.label if active else None}
        audit.record(actor, "create", version, action="retrain_model", after=after)
    if realign:
        align_allocations(actor, strategy)
    return version
