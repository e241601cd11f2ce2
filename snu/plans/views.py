from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from snu.core.permissions import advisor_required, can_edit, owned_or_404, reader_required
from snu.grants.models import Allocation
from snu.plans import actions, queries
from snu.plans.forms import (
    AdoptForm,
    EvaluationForm,
    IndicatorForm,
    IndicatorValueForm,
    MeasureForm,
    PlanForm,
    ProposalForm,
    StatusReportForm,
    StopForm,
)
from snu.plans.models import ActionPlan, Indicator, Measure, MeasureStatus, PlanError, PlanRevision, RevisionProposal


def _authority(request: HttpRequest) -> Any:
    return getattr(request, "authority", None)


def _plan(request: HttpRequest, pk: int) -> ActionPlan:
    return owned_or_404(ActionPlan.objects.select_related("strategy"), request, pk=pk)  # type: ignore[return-value]


def _revision(request: HttpRequest, pk: int, number: int) -> PlanRevision:
    return get_object_or_404(
        PlanRevision.objects.select_related("plan__strategy"), plan=_plan(request, pk), number=number
    )


def _measure(request: HttpRequest, pk: int, number: int, key: str) -> Measure:
    revision = _revision(request, pk, number)
    measure = get_object_or_404(Measure.objects.select_related("revision__plan"), revision=revision, key=key)
    return measure


def _refused(request: HttpRequest, error: PlanError, to: Any) -> HttpResponse:
    messages.error(request, str(error))
    return redirect(to)


@reader_required
def index(request: HttpRequest) -> HttpResponse:
    plans = queries.plans_for(_authority(request)).prefetch_related("elements", "revisions")
    return render(request, "plans/index.html", {"plans": plans, "due": queries.revisions_due(_authority(request))})


@advisor_required
def plan_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    plan = _plan(request, pk) if pk else None
    initial = PlanForm.initial_for(plan) if plan else {"cadence_months": 12}
    form = PlanForm(request.POST or None, initial=initial, authority=_authority(request), plan=plan)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        values = {k: d[k] for k in ("name", "description", "period_from", "period_to", "cadence_months", "owner")}
        if plan:
            plan = actions.update_plan(request.user, plan, elements=d["elements"], **values)
        else:
            plan = actions.create_plan(
                request.user,
                _authority(request),
                strategy=d["strategy"],
                elements=d["elements"],
                **values,
            )
        messages.success(request, _("The action plan was saved."))
        return redirect(plan)
    return render(request, "plans/plan_edit.html", {"plan": plan, "form": form})


@reader_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    adopted, draft = plan.adopted(), plan.draft()
    current = adopted or draft
    indicators = [
        {"indicator": i, "state": queries.indicator_state(i)} for i in plan.indicators.prefetch_related("elements")
    ]
    context = {
        "plan": plan,
        "adopted": adopted,
        "draft": draft,
        "current": current,
        "rows": queries.measure_rows(current) if current else [],
        "money": queries.revision_money(current) if current else None,
        "revisions": plan.revisions.all(),
        "indicators": indicators,
        "proposals": plan.proposals.filter(status=RevisionProposal.Status.OPEN),
        "due": plan.next_revision_due(),
    }
    return render(request, "plans/plan.html", context)


@reader_required
def revision_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    revision = _revision(request, pk, number)
    context = {
        "plan": revision.plan,
        "revision": revision,
        "rows": queries.measure_rows(revision),
        "money": queries.revision_money(revision),
        "counts": queries.diff_counts(queries.revision_diff(revision)) if revision.started_from else None,
        "proposals": revision.plan.proposals.filter(status=RevisionProposal.Status.OPEN) if revision.is_draft else [],
        "decided": revision.proposals.all(),
        "to_evaluate": queries.measure_rows(revision.started_from)
        if revision.is_draft and revision.started_from
        else [],
        "problems": actions.adoption_problems(revision) if revision.is_draft else [],
        "adopt_form": AdoptForm() if revision.is_draft else None,
        "follow_up": revision.accepts_follow_up,
    }
    return render(request, "plans/revision.html", context)


@reader_required
def revision_diff(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    revision = _revision(request, pk, number)
    rows = queries.revision_diff(revision)
    context = {"plan": revision.plan, "revision": revision, "rows": rows, "counts": queries.diff_counts(rows)}
    return render(request, "plans/diff.html", context)


@advisor_required
@require_POST
def revision_start(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        revision = actions.start_revision(request.user, plan)
    except PlanError as error:
        return _refused(request, error, plan)
    messages.success(
        request, _("Revision %(number)s was started. Read the revision brief first.") % {"number": revision.number}
    )
    return redirect(revision)


@advisor_required
@require_POST
def revision_adopt(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    revision = _revision(request, pk, number)
    form = AdoptForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(revision)
    try:
        actions.adopt_revision(request.user, revision, **form.cleaned_data)
    except PlanError as error:
        return _refused(request, error, revision)
    messages.success(request, _("Revision %(number)s was adopted and is now frozen.") % {"number": revision.number})
    return redirect(revision)


def _brief_context(revision: PlanRevision) -> dict:
    return {"plan": revision.plan, "revision": revision, "brief": queries.brief_for_display(revision.brief)}


@reader_required
def revision_brief(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    revision = _revision(request, pk, number)
    if request.method == "POST":
        if not can_edit(request):
            return HttpResponse(status=403)
        try:
            actions.regenerate_brief(request.user, revision)
        except PlanError as error:
            return _refused(request, error, revision)
        messages.success(request, _("The revision brief was generated again."))
        return redirect("plans:brief", pk, number)
    return render(request, "plans/brief.html", _brief_context(revision))


@reader_required
def revision_brief_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    from weasyprint import HTML

    revision = _revision(request, pk, number)
    html = render_to_string("plans/brief_print.html", _brief_context(revision), request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="revision-brief-{revision.plan_id}-{revision.number}.pdf"'
    return response


def measure_panels(request: HttpRequest, measure: Measure) -> list[dict]:
    """Sections other apps add to a measure page (partners)."""
    module = "snu.partners.measure_panels"
    if find_spec(module) is None:
        return []
    return import_module(module).panels(request, measure)


@reader_required
def measure_detail(request: HttpRequest, pk: int, number: int, key: str) -> HttpResponse:
    measure = _measure(request, pk, number, key)
    revision = measure.revision
    status, comment, date = measure.current_status()
    lineage = Measure.objects.filter(revision__plan=revision.plan, key=measure.key).select_related("revision")
    can_link = revision.accepts_follow_up
    indicators = [
        {"indicator": i, "series": queries.indicator_series(i)} for i in queries.indicators_for_measure(measure)
    ]
    context = {
        "plan": revision.plan,
        "revision": revision,
        "measure": measure,
        "status": status,
        "status_label": MeasureStatus(status).label,
        "comment": comment,
        "date": date,
        "money": measure.money(),
        "links": measure.allocation_links.select_related("allocation", "linked_by"),
        "suggestions": queries.suggested_allocations(measure) if can_link else [],
        "reports": measure.status_reports.select_related("reported_by"),
        "evaluation": getattr(measure, "evaluation", None),
        "lineage": lineage,
        "indicators": indicators,
        "can_link": can_link,
        "report_form": StatusReportForm() if can_link else None,
        "can_evaluate": revision.is_in_force,
        "panels": measure_panels(request, measure),
    }
    return render(request, "plans/measure.html", context)


@advisor_required
def measure_edit(request: HttpRequest, pk: int, number: int, key: str | None = None) -> HttpResponse:
    revision = _revision(request, pk, number)
    measure = get_object_or_404(revision.measures, key=key) if key else None
    if not revision.is_draft:
        return _refused(request, PlanError(_("This revision is adopted and cannot be changed.")), revision)
    initial = MeasureForm.initial_for(measure) if measure else {"status": MeasureStatus.ON_TRACK}
    form = MeasureForm(request.POST or None, initial=initial, plan=revision.plan)
    if request.method == "POST" and form.is_valid():
        try:
            if measure:
                # A form without the version it was read at cannot prove it is fresh: refuse it as stale.
                version = form.cleaned_data.get("version") or 0
                saved = actions.update_measure(
                    request.user,
                    measure,
                    expected_version=version,
                    elements=form.cleaned_data["elements"],
                    **form.values(),
                )
            else:
                saved = actions.add_measure(
                    request.user, revision, elements=form.cleaned_data["elements"], **form.values()
                )
        except PlanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The measure was saved."))
            return redirect(saved)
    is_new = measure is not None and not (
        revision.started_from and revision.started_from.measures.filter(key=measure.key).exists()
    )
    context = {"plan": revision.plan, "revision": revision, "measure": measure, "form": form, "is_new": is_new}
    return render(request, "plans/measure_edit.html", context)


@advisor_required
def measure_stop(request: HttpRequest, pk: int, number: int, key: str) -> HttpResponse:
    measure = _measure(request, pk, number, key)
    form = StopForm(request.POST or None, initial={"version": measure.version})
    if request.method == "POST" and form.is_valid():
        try:
            actions.stop_measure(
                request.user,
                measure,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"] or 0,
            )
        except PlanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The measure was stopped."))
            return redirect(measure.revision)
    return render(
        request,
        "plans/measure_stop.html",
        {"plan": measure.revision.plan, "revision": measure.revision, "measure": measure, "form": form},
    )


@advisor_required
@require_POST
def measure_remove(request: HttpRequest, pk: int, number: int, key: str) -> HttpResponse:
    measure = _measure(request, pk, number, key)
    try:
        actions.remove_measure(request.user, measure)
    except PlanError as error:
        return _refused(request, error, measure)
    messages.success(request, _("The measure was removed."))
    return redirect(measure.revision)


@advisor_required
@require_POST
def measure_report(request: HttpRequest, pk: int, number: int, key: str) -> HttpResponse:
    measure = _measure(request, pk, number, key)
    form = StatusReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the status report: choose a status and a date."))
        return redirect(measure)
    try:
        actions.report_status(request.user, measure, **form.cleaned_data)
    except PlanError as error:
        return _refused(request, error, measure)
    messages.success(request, _("The status was reported."))
    return redirect(measure)


@advisor_required
@require_POST
def measure_link(request: HttpRequest, pk: int, number: int, key: str) -> HttpResponse:
    measure = _measure(request, pk, number, key)
    ref = request.POST.get("allocation", "").strip()
    allocation = (
        Allocation.objects.filter(authority=_authority(request))
        .filter(**({"pk": int(ref)} if ref.isdigit() and request.POST.get("by") == "id" else {"external_id": ref}))
        .first()
    )
    if allocation is None:
        messages.error(request, _("No allocation with the case number %(ref)s.") % {"ref": ref})
        return redirect(measure)
    try:
        if request.POST.get("unlink"):
            actions.unlink_allocation(request.user, measure, allocation)
            messages.success(request, _("The allocation is no longer linked to the measure."))
        else:
            actions.link_allocation(request.user, measure, allocation, origin=request.POST.get("origin", "manual"))
            messages.success(request, _("The allocation was linked to the measure."))
    except PlanError as error:
        return _refused(request, error, measure)
    return redirect(measure)


@advisor_required
def measure_evaluate(request: HttpRequest, pk: int, number: int, key: str) -> HttpResponse:
    measure = _measure(request, pk, number, key)
    evaluation = getattr(measure, "evaluation", None)
    initial = {f: getattr(evaluation, f) for f in EvaluationForm.base_fields} if evaluation else {"version": None}
    form = EvaluationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            actions.record_evaluation(request.user, measure, expected_version=d.pop("version"), **d)
        except PlanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The evaluation was saved."))
            draft = measure.revision.plan.draft()
            return redirect(draft or measure)
    context = {
        "plan": measure.revision.plan,
        "revision": measure.revision,
        "measure": measure,
        "form": form,
        "facts": queries.measure_facts(measure),
    }
    return render(request, "plans/evaluate.html", context)


@reader_required
def indicator_detail(request: HttpRequest, pk: int, indicator_id: int) -> HttpResponse:
    plan = _plan(request, pk)
    indicator = get_object_or_404(plan.indicators, pk=indicator_id)
    form = IndicatorValueForm(request.POST or None)
    if request.method == "POST":
        if not can_edit(request):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                actions.set_indicator_value(request.user, indicator, **form.cleaned_data)
            except PlanError as error:
                return _refused(request, error, indicator)
            messages.success(request, _("The value was saved."))
            return redirect(indicator)
    series = queries.indicator_series(indicator)
    context = {
        "plan": plan,
        "indicator": indicator,
        "series": series,
        "chart": queries.indicator_chart(indicator, series),
        "state": queries.indicator_state(indicator, series),
        "form": form if not indicator.is_computed else None,
    }
    return render(request, "plans/indicator.html", context)


@advisor_required
def indicator_edit(request: HttpRequest, pk: int, indicator_id: int | None = None) -> HttpResponse:
    plan = _plan(request, pk)
    indicator = get_object_or_404(plan.indicators, pk=indicator_id) if indicator_id else None
    initial = IndicatorForm.initial_for(indicator) if indicator else {"kind": Indicator.Kind.ENTERED}
    form = IndicatorForm(request.POST or None, initial=initial, plan=plan)
    if request.method == "POST" and form.is_valid():
        saved = actions.save_indicator(
            request.user, plan, indicator, elements=form.cleaned_data["elements"], **form.values()
        )
        messages.success(request, _("The indicator was saved."))
        return redirect(saved)
    return render(request, "plans/indicator_edit.html", {"plan": plan, "indicator": indicator, "form": form})


@advisor_required
def proposal_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.raise_proposal(request.user, plan, **form.cleaned_data)
        messages.success(request, _("The proposal was registered for the next revision."))
        return redirect(plan)
    return render(request, "plans/proposal_new.html", {"plan": plan, "form": form})


@advisor_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int, proposal_id: int) -> HttpResponse:
    plan = _plan(request, pk)
    proposal = get_object_or_404(plan.proposals, pk=proposal_id)
    try:
        actions.decide_proposal(
            request.user, proposal, accept=request.POST.get("decision") == "accept", note=request.POST.get("note", "")
        )
    except PlanError as error:
        return _refused(request, error, plan)
    messages.success(request, _("The proposal was decided."))
    return redirect(plan.draft() or plan)
