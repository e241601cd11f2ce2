"""Every change to action plans, revisions, measures, indicators, evaluations and proposals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from snu.core import audit
from snu.core.models import Authority
from snu.grants.models import Allocation
from snu.plans import queries
from snu.plans.models import (
    FROZEN_MESSAGE,
    ActionPlan,
    Decision,
    Evaluation,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureAllocation,
    MeasureStatus,
    PlanError,
    PlanRevision,
    RevisionFrozen,
    RevisionProposal,
    StaleEdit,
    StatusReport,
)
from snu.strategy.models import Element, Strategy

PLAN_FIELDS = ("name", "description", "period_from", "period_to", "cadence_months", "owner")
MEASURE_FIELDS = (
    "code",
    "title",
    "description",
    "owner",
    "partners_text",
    "budget",
    "starts_on",
    "ends_on",
    "status",
    "status_comment",
    "status_date",
    "change_reason",
)
INDICATOR_FIELDS = ("name", "unit", "kind", "baseline", "baseline_year", "target", "target_year", "direction")
CLOSED = (MeasureStatus.STOPPED, MeasureStatus.DONE)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _ensure_draft(revision: PlanRevision) -> None:
    fresh = PlanRevision.objects.select_for_update().get(pk=revision.pk)
    if not fresh.is_draft:
        raise RevisionFrozen(FROZEN_MESSAGE)


def _fresh(revision: PlanRevision) -> PlanRevision:
    """The revision as stored now: callers may hold an object from before an adoption."""
    return PlanRevision.objects.select_related("plan").get(pk=revision.pk)


def _ensure_follow_up(revision: PlanRevision) -> None:
    if not _fresh(revision).accepts_follow_up:
        raise RevisionFrozen(_("This revision has been replaced by a newer one and is kept as history."))


# Plans ----------------------------------------------------------------------------------------------


@transaction.atomic
def create_plan(
    actor: Any,
    authority: Authority,
    *,
    name: str,
    strategy: Strategy,
    elements: Iterable[Element],
    period_from: int,
    period_to: int,
    cadence_months: int = 12,
    description: str = "",
    owner: str = "",
) -> ActionPlan:
    """A new plan with its first revision in progress."""
    if strategy.authority_id != authority.pk:
        raise PlanError(_("The strategy belongs to another authority."))
    elements = list(elements)
    if any(e.strategy_id != strategy.pk for e in elements):
        raise PlanError(_("The areas must belong to the plan's strategy."))
    plan = ActionPlan.objects.create(
        authority=authority,
        strategy=strategy,
        name=name,
        description=description,
        period_from=period_from,
        period_to=period_to,
        cadence_months=cadence_months,
        owner=owner,
    )
    plan.elements.set(elements)
    audit.record_create(actor, plan, action="create_plan")
    revision = PlanRevision.objects.create(plan=plan, number=1, started_by=_user(actor))
    audit.record_create(actor, revision, action="create_plan", authority=authority)
    return plan


@transaction.atomic
def update_plan(
    actor: Any, plan: ActionPlan, *, elements: Iterable[Element] | None = None, **values: Any
) -> ActionPlan:
    before = audit.snapshot(plan)
    for key, value in values.items():
        if key not in PLAN_FIELDS:
            raise TypeError(key)
        setattr(plan, key, value)
    plan.save()
    if elements is not None:
        plan.elements.set(list(elements))
    audit.record_update(actor, plan, before, action="update_plan")
    return plan


# Measures -------------------------------------------------------------------------------------------


def _next_code(revision: PlanRevision) -> str:
    used = set(revision.plan.revisions.values_list("measures__code", flat=True))
    n = 1
    while f"T{n}" in used:
        n += 1
    return f"T{n}"


@transaction.atomic
def add_measure(actor: Any, revision: PlanRevision, *, elements: Iterable[Element] = (), **values: Any) -> Measure:
    """A new measure in a revision in progress."""
    _ensure_draft(revision)
    unknown = set(values) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(unknown)
    if not values.get("code"):
        values["code"] = _next_code(revision)
    order = (revision.measures.aggregate(m=Max("order"))["m"] or 0) + 1
    measure = Measure.objects.create(revision=revision, order=order, **values)
    measure.elements.set(list(elements))
    audit.record_create(actor, measure, action="add_measure", authority=revision.plan.authority)
    return measure


def _locked_measure(measure: Measure, expected_version: int | None) -> Measure:
    fresh = Measure.objects.select_for_update().get(pk=measure.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise StaleEdit(
            _("Someone else saved this measure while you were editing it. Reload the page to see their changes.")
        )
    return fresh


@transaction.atomic
def update_measure(
    actor: Any,
    measure: Measure,
    *,
    expected_version: int | None,
    elements: Iterable[Element] | None = None,
    **values: Any,
) -> Measure:
    """Change a measure of a revision in progress. Refuses a save based on an older version of the measure."""
    _ensure_draft(measure.revision)
    fresh = _locked_measure(measure, expected_version)
    before = audit.snapshot(fresh)
    for key, value in values.items():
        if key not in MEASURE_FIELDS:
            raise TypeError(key)
        setattr(fresh, key, value)
    fresh.version += 1
    fresh.save()
    if elements is not None:
        fresh.elements.set(list(elements))
    audit.record_update(actor, fresh, before, action="update_measure", authority=fresh.revision.plan.authority)
    return fresh


@transaction.atomic
def stop_measure(actor: Any, measure: Measure, *, reason: str, expected_version: int | None = None) -> Measure:
    """Stop a measure in the revision in progress; it stays in the plan, marked stopped, with the reason."""
    if not reason.strip():
        raise PlanError(_("Say why the measure is stopped."))
    return update_measure(
        actor,
        measure,
        expected_version=expected_version,
        status=MeasureStatus.STOPPED,
        status_comment=reason,
        status_date=timezone.localdate(),
        change_reason=reason,
    )


@transaction.atomic
def remove_measure(actor: Any, measure: Measure) -> None:
    """Remove a measure added in this revision. Measures carried over are stopped instead, to keep the trail."""
    revision = measure.revision
    _ensure_draft(revision)
    if revision.started_from and revision.started_from.measures.filter(key=measure.key).exists():
        raise PlanError(_("This measure comes from the adopted plan: stop it instead of removing it."))
    before = audit.snapshot(measure)
    audit.record_delete(actor, measure, before, action="remove_measure", authority=revision.plan.authority)
    measure.delete()


@transaction.atomic
def report_status(
    actor: Any, measure: Measure, *, status: str, comment: str = "", reported_on: dt.date | None = None
) -> StatusReport:
    """A dated traffic-light report on a measure of the revision in force (or in progress)."""
    _ensure_follow_up(measure.revision)
    if status not in MeasureStatus.values:
        raise PlanError(_("Unknown status."))
    report = StatusReport.objects.create(
        measure=measure,
        status=status,
        comment=comment,
        reported_on=reported_on or timezone.localdate(),
        reported_by=_user(actor),
    )
    audit.record_create(actor, report, action="report_status", authority=measure.revision.plan.authority)
    return report


# Money ----------------------------------------------------------------------------------------------


def _counterpart_in_draft(measure: Measure) -> Measure | None:
    revision = _fresh(measure.revision)
    if revision.is_draft:
        return None
    draft = revision.plan.draft()
    return draft.measures.filter(key=measure.key).first() if draft else None


@transaction.atomic
def link_allocation(
    actor: Any, measure: Measure, allocation: Allocation, *, origin: str = MeasureAllocation.Origin.MANUAL
) -> MeasureAllocation:
    """Count an allocation as money for a measure (also in the revision in progress, if there is one)."""
    _ensure_follow_up(measure.revision)
    authority = measure.revision.plan.authority
    if allocation.authority_id != authority.pk:
        raise PlanError(_("The allocation belongs to another authority."))
    link = None
    for target in filter(None, [measure, _counterpart_in_draft(measure)]):
        existing = MeasureAllocation.objects.filter(measure=target, allocation=allocation).first()
        if existing:
            link = link or existing
            continue
        created = MeasureAllocation.objects.create(
            measure=target, allocation=allocation, origin=origin, linked_by=_user(actor)
        )
        audit.record_create(actor, created, action="link_allocation", authority=authority)
        link = link or created
    assert link is not None
    return link


@transaction.atomic
def unlink_allocation(actor: Any, measure: Measure, allocation: Allocation) -> None:
    _ensure_follow_up(measure.revision)
    authority = measure.revision.plan.authority
    for target in filter(None, [measure, _counterpart_in_draft(measure)]):
        for link in MeasureAllocation.objects.filter(measure=target, allocation=allocation):
            audit.record_delete(actor, link, audit.snapshot(link), action="unlink_allocation", authority=authority)
            link.delete()


# Revisions ------------------------------------------------------------------------------------------


def _carry_decision(evaluation: Evaluation, measure: Measure) -> None:
    """Let an evaluation's decision shape the measure in the next revision."""
    note = evaluation.decision_note or evaluation.what_we_learned
    if evaluation.decision == Decision.STOP:
        if measure.status == MeasureStatus.STOPPED and measure.change_reason:
            return  # already stopped in this revision, with its own reason
        measure.status = MeasureStatus.STOPPED
        measure.status_comment = note
        measure.status_date = timezone.localdate()
        measure.change_reason = _("Stopped after the evaluation: %(note)s") % {"note": note}
    elif evaluation.decision == Decision.ADJUST:
        measure.change_reason = measure.change_reason or _("To be adjusted after the evaluation: %(note)s") % {
            "note": note
        }
    elif evaluation.decision == Decision.SCALE_UP:
        measure.change_reason = measure.change_reason or _("To be scaled up after the evaluation: %(note)s") % {
            "note": note
        }


@transaction.atomic
def start_revision(actor: Any, plan: ActionPlan) -> PlanRevision:
    """Start the next revision from the adopted one: copy its open measures, carry the evaluations' decisions
    into them, and generate the revision brief."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    adopted = plan.adopted()
    if adopted is None:
        raise PlanError(_("Adopt the plan before starting a revision."))
    if plan.draft() is not None:
        raise PlanError(_("A revision is already in progress."))
    try:
        with transaction.atomic():
            revision = PlanRevision.objects.create(
                plan=plan, number=adopted.number + 1, started_from=adopted, started_by=_user(actor)
            )
    except IntegrityError as exc:
        raise PlanError(_("A revision is already in progress.")) from exc
    for source in adopted.measures.prefetch_related("elements", "allocation_links").select_related("evaluation"):
        if source.status in CLOSED:
            continue  # ended in the adopted revision; it stays readable there
        status, comment, date = source.current_status()
        copy = Measure(
            revision=revision,
            key=source.key,
            order=source.order,
            **{f: getattr(source, f) for f in MEASURE_FIELDS},
        )
        copy.status, copy.status_comment, copy.status_date, copy.change_reason = status, comment, date, ""
        evaluation = getattr(source, "evaluation", None)
        if evaluation is not None:
            _carry_decision(evaluation, copy)
        copy.save()
        copy.elements.set(source.elements.all())
        MeasureAllocation.objects.bulk_create(
            MeasureAllocation(
                measure=copy, allocation_id=link.allocation_id, origin=link.origin, linked_by=link.linked_by
            )
            for link in source.allocation_links.all()
        )
    revision.brief = queries.build_brief(plan, revision)
    revision.brief_generated_at = timezone.now()
    revision.save()
    audit.record_create(actor, revision, action="start_revision", authority=plan.authority)
    return revision


@transaction.atomic
def regenerate_brief(actor: Any, revision: PlanRevision) -> PlanRevision:
    _ensure_draft(revision)
    before = {"brief_generated_at": revision.brief_generated_at}
    revision.brief = queries.build_brief(revision.plan, revision)
    revision.brief_generated_at = timezone.now()
    revision.save(update_fields=["brief", "brief_generated_at", "updated_at"])
    audit.record(
        actor,
        "update",
        revision,
        action="regenerate_brief",
        before=before,
        after={"brief_generated_at": revision.brief_generated_at},
        authority=revision.plan.authority,
    )
    return revision


def adoption_problems(revision: PlanRevision) -> list[str]:
    """What stands in the way of adopting a revision: missing reasons and missing evaluations."""
    problems = []
    if not revision.measures.exists():
        problems.append(_("The plan has no measures."))
    for row in queries.revision_diff(revision) if revision.started_from else []:
        if row["change"] in ("added", "changed", "stopped") and not row["reason"].strip():
            problems.append(_("Give a reason for the change to %(measure)s.") % {"measure": row["label"]})
    if revision.started_from is not None:
        for measure in revision.started_from.measures.exclude(status__in=CLOSED).filter(evaluation__isnull=True):
            problems.append(_("Evaluate %(measure)s before adopting.") % {"measure": measure})
    return problems


@transaction.atomic
def adopt_revision(
    actor: Any, revision: PlanRevision, *, adopted_on: dt.date, decision_reference: str, summary: str | None = None
) -> PlanRevision:
    """Adopt a revision: it becomes the plan in force and its content is frozen."""
    _ensure_draft(revision)
    if not decision_reference.strip():
        raise PlanError(_("Give the decision reference (e.g. the case number of the political decision)."))
    problems = adoption_problems(revision)
    if problems:
        raise PlanError(" ".join(problems))
    before = audit.snapshot(revision)
    revision.status = PlanRevision.Status.ADOPTED
    revision.adopted_on = adopted_on
    revision.decision_reference = decision_reference
    revision.adopted_by = _user(actor)
    if summary is not None:
        revision.summary = summary
    revision.save()
    audit.record_update(actor, revision, before, action="adopt_revision", authority=revision.plan.authority)
    return revision


@transaction.atomic
def update_revision_summary(actor: Any, revision: PlanRevision, summary: str) -> PlanRevision:
    _ensure_draft(revision)
    before = audit.snapshot(revision)
    revision.summary = summary
    revision.save(update_fields=["summary", "updated_at"])
    audit.record_update(actor, revision, before, action="update_revision_summary", authority=revision.plan.authority)
    return revision


# Evaluation -----------------------------------------------------------------------------------------


@transaction.atomic
def record_evaluation(
    actor: Any,
    measure: Measure,
    *,
    what_was_done: str,
    what_we_learned: str,
    decision: str,
    what_happened: str = "",
    decision_note: str = "",
    expected_version: int | None = None,
) -> Evaluation:
    """Evaluate a measure of the revision in force. The decision carries into the next revision."""
    revision = _fresh(measure.revision)
    if revision.is_draft or not revision.is_in_force:
        raise PlanError(_("Only measures of the plan in force are evaluated."))
    if decision not in Decision.values:
        raise PlanError(_("Choose a decision."))
    evaluation = Evaluation.objects.select_for_update().filter(measure=measure).first()
    if evaluation and expected_version is not None and evaluation.version != expected_version:
        raise StaleEdit(_("Someone else saved this evaluation while you were editing it. Reload the page."))
    before = audit.snapshot(evaluation) if evaluation else None
    evaluation = evaluation or Evaluation(measure=measure, version=0)
    evaluation.what_was_done, evaluation.what_happened = what_was_done, what_happened
    evaluation.what_we_learned, evaluation.decision, evaluation.decision_note = what_we_learned, decision, decision_note
    evaluation.facts = queries.measure_facts(measure)
    evaluation.evaluated_by = _user(actor)
    evaluation.version += 1
    evaluation.save()
    authority = revision.plan.authority
    if before is None:
        audit.record_create(actor, evaluation, action="record_evaluation", authority=authority)
    else:
        audit.record_update(actor, evaluation, before, action="record_evaluation", authority=authority)
    draft_measure = _counterpart_in_draft(measure)
    if draft_measure is not None:
        draft_before = audit.snapshot(draft_measure)
        _carry_decision(evaluation, draft_measure)
        draft_measure.version += 1
        draft_measure.save()
        audit.record_update(actor, draft_measure, draft_before, action="record_evaluation", authority=authority)
    return evaluation


# Indicators -----------------------------------------------------------------------------------------


@transaction.atomic
def save_indicator(
    actor: Any, plan: ActionPlan, indicator: Indicator | None = None, *, elements: Iterable[Element] = (), **values: Any
) -> Indicator:
    before = audit.snapshot(indicator) if indicator else None
    indicator = indicator or Indicator(plan=plan)
    for key, value in values.items():
        if key not in (*INDICATOR_FIELDS, "measure_key"):
            raise TypeError(key)
        setattr(indicator, key, value)
    indicator.save()
    indicator.elements.set(list(elements))
    if before is None:
        audit.record_create(actor, indicator, action="save_indicator", authority=plan.authority)
    else:
        audit.record_update(actor, indicator, before, action="save_indicator", authority=plan.authority)
    return indicator


@transaction.atomic
def set_indicator_value(
    actor: Any, indicator: Indicator, *, year: int, value: Decimal, note: str = ""
) -> IndicatorValue:
    """Enter (or correct) the value of an entered indicator for one year."""
    if indicator.is_computed:
        raise PlanError(_("This indicator is computed from the allocations; its values cannot be entered."))
    row = IndicatorValue.objects.filter(indicator=indicator, year=year).first()
    before = audit.snapshot(row) if row else None
    row = row or IndicatorValue(indicator=indicator, year=year)
    row.value, row.note, row.entered_by = value, note, _user(actor)
    row.save()
    authority = indicator.plan.authority
    if before is None:
        audit.record_create(actor, row, action="set_indicator_value", authority=authority)
    else:
        audit.record_update(actor, row, before, action="set_indicator_value", authority=authority)
    return row


# Proposals ------------------------------------------------------------------------------------------


@transaction.atomic
def raise_proposal(
    actor: Any, plan: ActionPlan, *, title: str, text: str, source_label: str, source_url: str = ""
) -> RevisionProposal:
    """Propose something for the plan's next revision. Other apps (e.g. signals) call this."""
    if not title.strip():
        raise PlanError(_("A proposal needs a title."))
    proposal = RevisionProposal.objects.create(
        authority=plan.authority,
        plan=plan,
        title=title.strip()[:300],
        text=text,
        source_label=source_label[:200],
        source_url=source_url[:500],
        created_by=_user(actor),
    )
    audit.record_create(actor, proposal, action="raise_proposal")
    return proposal


@transaction.atomic
def decide_proposal(actor: Any, proposal: RevisionProposal, *, accept: bool, note: str = "") -> RevisionProposal:
    """Take a proposal into the revision in progress, or decline it with a note."""
    proposal = RevisionProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != RevisionProposal.Status.OPEN:
        raise PlanError(_("This proposal has already been decided."))
    draft = proposal.plan.draft()
    if draft is None:
        raise PlanError(_("Start a revision first: proposals are decided while a revision is in progress."))
    before = audit.snapshot(proposal)
    proposal.status = RevisionProposal.Status.ACCEPTED if accept else RevisionProposal.Status.DECLINED
    proposal.revision = draft
    proposal.decision_note = note
    proposal.save()
    audit.record_update(actor, proposal, before, action="decide_proposal")
    return proposal
