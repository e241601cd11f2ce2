"""Reads for plan pages, the revision brief, panels and reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from snu.classify.models import AlignmentElement
from snu.core.models import Authority
from snu.grants.models import Allocation, AllocationStatus
from snu.plans.models import (
    ActionPlan,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureAllocation,
    MeasureStatus,
    PlanRevision,
    RevisionProposal,
)
from snu.strategy.models import Element, ElementKind

ZERO = Decimal("0.00")
NOT_MONEY = (AllocationStatus.WITHDRAWN, AllocationStatus.REJECTED, AllocationStatus.APPLIED)
CONTENT_FIELDS = ("title", "description", "owner", "partners_text", "budget", "starts_on", "ends_on")


def plans_for(authority: Authority | None) -> QuerySet[ActionPlan]:
    if authority is None:
        return ActionPlan.objects.none()
    return ActionPlan.objects.filter(authority=authority).select_related("strategy")


# Money ----------------------------------------------------------------------------------------------


def revision_money(revision: PlanRevision) -> dict[str, Decimal]:
    """Budget of the revision's open measures vs money committed and paid through their allocations."""
    measures = revision.measures.all()
    budget = sum((m.budget or ZERO for m in measures if m.status != MeasureStatus.STOPPED), ZERO)
    links = MeasureAllocation.objects.filter(measure__revision=revision).select_related("allocation")
    committed = sum((link.allocation.amount for link in links), ZERO)
    paid = sum((link.allocation.amount_paid or ZERO for link in links), ZERO)
    return {"budget": budget, "committed": committed, "paid": paid, "remaining": budget - committed}


def measure_rows(revision: PlanRevision) -> list[dict]:
    """Each measure with its current status and money, for the revision table."""
    rows = []
    for m in revision.measures.prefetch_related("elements", "status_reports").select_related("evaluation"):
        status, comment, date = m.current_status()
        rows.append(
            {
                "measure": m,
                "status": status,
                "status_label": MeasureStatus(status).label,
                "comment": comment,
                "date": date,
                "money": m.money(),
                "evaluation": getattr(m, "evaluation", None),
            }
        )
    return rows


def _aligned_allocations(strategy_id: int, elements: list[Element]) -> QuerySet[Allocation]:
    return Allocation.objects.filter(
        alignments__strategy_id=strategy_id,
        alignments__elements__element__in=elements,
        alignments__elements__assigned=True,
    ).exclude(status__in=NOT_MONEY)


def suggested_allocations(measure: Measure, limit: int = 20) -> list[Allocation]:
    """Allocations aligned to one of the measure's areas, within its period, not yet linked to it."""
    elements = list(measure.elements.all())
    if not elements:
        return []
    plan = measure.revision.plan
    qs = _aligned_allocations(plan.strategy_id, elements).filter(authority=plan.authority)
    if measure.starts_on:
        qs = qs.filter(
            Q(decision_date__gte=measure.starts_on) | Q(decision_date__isnull=True, year__gte=measure.starts_on.year)
        )
    else:
        qs = qs.filter(year__gte=plan.period_from)
    if measure.ends_on:
        qs = qs.filter(
            Q(decision_date__lte=measure.ends_on) | Q(decision_date__isnull=True, year__lte=measure.ends_on.year)
        )
    else:
        qs = qs.filter(year__lte=plan.period_to)
    qs = qs.exclude(measure_links__measure=measure).distinct()
    return list(qs.order_by("-amount", "-id")[:limit])


# Diff -----------------------------------------------------------------------------------------------


def _content(measure: Measure) -> dict[str, Any]:
    data = {f: getattr(measure, f) for f in CONTENT_FIELDS}
    data["elements"] = sorted(e.code for e in measure.elements.all())
    return data


def revision_diff(revision: PlanRevision, base: PlanRevision | None = None) -> list[dict]:
    """Measure by measure against the revision it started from: added, changed, stopped, carried over,
    or closed (ended in the earlier revision and no longer listed)."""
    base = base if base is not None else revision.started_from
    new = {m.key: m for m in revision.measures.prefetch_related("elements")}
    old = {m.key: m for m in base.measures.prefetch_related("elements")} if base else {}
    rows = []
    for key, m in new.items():
        before = old.get(key)
        row = {"key": key, "measure": m, "before": before, "label": str(m), "reason": m.change_reason, "fields": []}
        if before is None:
            row["change"] = "added"
        elif m.status == MeasureStatus.STOPPED and before.status != MeasureStatus.STOPPED:
            row["change"] = "stopped"
        else:
            a, b = _content(before), _content(m)
            row["fields"] = [
                {"name": f, "label": _field_label(f), "before": a[f], "after": b[f]} for f in a if a[f] != b[f]
            ]
            row["change"] = "changed" if row["fields"] else "carried"
        rows.append(row)
    for key, before in old.items():
        if key not in new:
            rows.append(
                {
                    "key": key,
                    "measure": None,
                    "before": before,
                    "label": str(before),
                    "reason": "",
                    "fields": [],
                    "change": "closed",
                }
            )
    order = {"added": 0, "changed": 1, "stopped": 2, "carried": 3, "closed": 4}
    return sorted(rows, key=lambda r: (order[r["change"]], r["label"]))


def _field_label(name: str) -> str:
    return str(getattr(Measure._meta.get_field(name), "verbose_name", name))


def diff_counts(rows: list[dict]) -> dict[str, int]:
    counts = dict.fromkeys(("added", "changed", "stopped", "carried", "closed"), 0)
    for row in rows:
        counts[row["change"]] += 1
    return counts


# Indicators -----------------------------------------------------------------------------------------


def indicator_series(indicator: Indicator, until: int | None = None) -> list[dict]:
    """[{year, value}] — entered values, or computed per year from the allocations aligned to the areas."""
    if not indicator.is_computed:
        return [{"year": v.year, "value": v.value, "note": v.note} for v in indicator.values.all()]
    plan = indicator.plan
    elements = list(indicator.elements.all())
    first = min(filter(None, [indicator.baseline_year, plan.period_from]))
    last = until or min(plan.period_to, timezone.localdate().year)
    scores = AlignmentElement.objects.filter(
        alignment__strategy_id=plan.strategy_id,
        alignment__allocation__authority_id=plan.authority_id,
        element__in=elements,
        assigned=True,
        alignment__allocation__year__gte=first,
        alignment__allocation__year__lte=last,
    ).exclude(alignment__allocation__status__in=NOT_MONEY)
    by_year = scores.values("alignment__allocation__year").annotate(
        n=Count("alignment__allocation", distinct=True), total=Sum("amount")
    )
    found = {row["alignment__allocation__year"]: row for row in by_year}
    series = []
    for year in range(first, last + 1):
        row = found.get(year)
        if indicator.kind == Indicator.Kind.ALLOCATION_COUNT:
            value = Decimal(row["n"] if row else 0)
        else:
            value = (row["total"] if row else None) or ZERO
        series.append({"year": year, "value": value, "note": ""})
    return series


def expected_value(indicator: Indicator, year: int) -> Decimal | None:
    """Where the indicator should be in `year` on a straight path from the baseline to the target."""
    b, t, by, ty = indicator.baseline, indicator.target, indicator.baseline_year, indicator.target_year
    if None in (b, t, by, ty) or ty <= by:  # type: ignore[operator]
        return None
    share = Decimal(min(max(year - by, 0), ty - by)) / Decimal(ty - by)  # type: ignore[operator]
    return (b + (t - b) * share).quantize(Decimal("0.01"))  # type: ignore[operator]


def indicator_state(indicator: Indicator, series: list[dict] | None = None) -> dict:
    series = indicator_series(indicator) if series is None else series
    latest = series[-1] if series else None
    expected = expected_value(indicator, latest["year"]) if latest else None
    off = False
    if latest is not None and expected is not None:
        up = indicator.direction == Indicator.Direction.UP
        off = latest["value"] < expected if up else latest["value"] > expected
    return {"latest": latest, "expected": expected, "off_track": off}


def indicator_chart(indicator: Indicator, series: list[dict]) -> dict:
    """Coordinates for a server-drawn SVG bar chart with the target (and baseline) as lines."""
    width, height, left, bottom, top = 640, 240, 70, 30, 12
    values = [row["value"] for row in series]
    ceiling = max([*values, indicator.target or ZERO, indicator.baseline or ZERO, Decimal(1)])
    plot_h = height - bottom - top
    slot = (width - left - 10) / max(len(series), 1)

    def y(value: Decimal) -> float:
        return round(top + plot_h - float(value / ceiling) * plot_h, 1)

    bars = [
        {
            "x": round(left + i * slot + slot * 0.15, 1),
            "y": y(row["value"]),
            "w": round(slot * 0.7, 1),
            "h": round(top + plot_h - y(row["value"]), 1),
            "cx": round(left + i * slot + slot / 2, 1),
            "year": row["year"],
            "value": row["value"],
        }
        for i, row in enumerate(series)
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "axis_y": top + plot_h,
        "label_y": height - 8,
        "bars": bars,
        "target_y": y(indicator.target) if indicator.target is not None else None,
        "baseline_y": y(indicator.baseline) if indicator.baseline is not None else None,
        "ceiling": ceiling,
        "ceiling_y": top,
        "right": width - 10,
    }


def indicators_for_measure(measure: Measure) -> QuerySet[Indicator]:
    return Indicator.objects.filter(plan_id=measure.revision.plan_id, measure_key=measure.key)


def measure_facts(measure: Measure) -> dict:
    """What happened, as numbers, kept with an evaluation so it reads as it was."""
    money = measure.money()
    indicators = []
    for indicator in indicators_for_measure(measure):
        series = indicator_series(indicator)
        indicators.append(
            {
                "name": indicator.name,
                "unit": indicator.unit,
                "values": [{"year": r["year"], "value": str(r["value"])} for r in series],
                "target": str(indicator.target) if indicator.target is not None else None,
            }
        )
    return {
        "committed": str(money["committed"]),
        "paid": str(money["paid"]),
        "allocations": measure.allocation_links.count(),
        "indicators": indicators,
    }


# Revision brief -------------------------------------------------------------------------------------


def signals_since(authority: Authority, since: dt.date, elements: list[Element] | None = None) -> list[dict] | None:
    """New trends and signals from the signals register (those touching the plan's areas first),
    or None when there is no register."""
    if find_spec("snu.signals.queries") is None:
        return None
    module = import_module("snu.signals.queries")
    if not hasattr(module, "signals_since"):
        return None
    wanted = {e.pk for e in elements or []}
    rows = []
    for signal in module.signals_since(authority, since):
        areas = getattr(signal, "focus_areas", None)
        touching = bool(wanted and areas is not None and any(a.pk in wanted for a in areas.all()))
        url = signal.get_absolute_url() if hasattr(signal, "get_absolute_url") else ""
        when = getattr(signal, "source_date", None) or getattr(signal, "created_at", None) or ""
        rows.append(
            {"title": str(getattr(signal, "title", signal)), "url": url, "date": str(when)[:10], "in_plan": touching}
        )
    return sorted(rows, key=lambda r: not r["in_plan"])


def _plan_elements(plan: ActionPlan) -> list[Element]:
    chosen = list(plan.elements.all())
    children = list(Element.objects.filter(parent__in=chosen))
    return chosen + [c for c in children if c not in chosen]


def _money_by_area(plan: ActionPlan, since: dt.date, today: dt.date) -> list[dict]:
    before_start = since - (today - since)
    focus = list(plan.strategy.elements.filter(kind__in=[ElementKind.FOCUS_AREA]).order_by("order"))
    areas = focus + [e for e in _plan_elements(plan) if e not in focus]
    base = AlignmentElement.objects.filter(
        alignment__strategy_id=plan.strategy_id,
        alignment__allocation__authority_id=plan.authority_id,
        assigned=True,
    ).exclude(alignment__allocation__status__in=NOT_MONEY)
    rows = []
    for area in areas:
        scores = base.filter(element=area)
        now = scores.filter(
            alignment__allocation__decision_date__gte=since, alignment__allocation__decision_date__lte=today
        )
        then = scores.filter(
            alignment__allocation__decision_date__gte=before_start, alignment__allocation__decision_date__lt=since
        )
        total_now = now.aggregate(s=Sum("amount"))["s"] or ZERO
        total_then = then.aggregate(s=Sum("amount"))["s"] or ZERO
        rows.append(
            {
                "code": area.code,
                "name": area.name,
                "in_plan": area in areas[len(focus) :] or plan.elements.filter(pk=area.pk).exists(),
                "since": str(total_now),
                "before": str(total_then),
                "change": str(total_now - total_then),
                "count": now.count(),
            }
        )
    return rows


def _allocation_row(a: Allocation) -> dict:
    return {
        "id": a.pk,
        "external_id": a.external_id,
        "title": a.title or a.recipient_name,
        "recipient": a.recipient_name,
        "amount": str(a.amount),
        "decision_date": a.decision_date.isoformat() if a.decision_date else str(a.year),
    }


def build_brief(plan: ActionPlan, revision: PlanRevision) -> dict:
    """The revision brief's data, JSON-ready, kept with the revision so it reads as it was."""
    adopted = revision.started_from or plan.adopted()
    today = timezone.localdate()
    since = adopted.adopted_on if adopted and adopted.adopted_on else dt.date(plan.period_from, 1, 1)
    since = min(since, today)
    elements = _plan_elements(plan)
    aligned = _aligned_allocations(plan.strategy_id, elements).filter(authority=plan.authority).distinct()
    new = aligned.filter(decision_date__gte=since).order_by("-amount")[:15]
    shifted = (
        aligned.filter(decision_date__lt=since, alignments__strategy_id=plan.strategy_id)
        .filter(alignments__updated_at__date__gte=since)
        .order_by("-amount")[:15]
    )
    at_risk = []
    indicators_off = []
    if adopted is not None:
        for row in measure_rows(adopted):
            if row["status"] in (MeasureStatus.AT_RISK, MeasureStatus.DELAYED):
                at_risk.append(
                    {
                        "code": row["measure"].code,
                        "title": row["measure"].title,
                        "status": row["status"],
                        "comment": row["comment"],
                        "date": row["date"].isoformat() if row["date"] else "",
                    }
                )
    for indicator in plan.indicators.all():
        state = indicator_state(indicator)
        if state["off_track"]:
            indicators_off.append(
                {
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "year": state["latest"]["year"],
                    "value": str(state["latest"]["value"]),
                    "expected": str(state["expected"]),
                    "target": str(indicator.target) if indicator.target is not None else "",
                }
            )
    proposals = plan.proposals.filter(status=RevisionProposal.Status.OPEN)
    return {
        "since": since.isoformat(),
        "until": today.isoformat(),
        "from_revision": adopted.number if adopted else None,
        "money_by_area": _money_by_area(plan, since, today),
        "new_allocations": [_allocation_row(a) for a in new],
        "shifted_allocations": [_allocation_row(a) for a in shifted],
        "measures_at_risk": at_risk,
        "indicators_off_track": indicators_off,
        "signals": signals_since(plan.authority, since, elements),
        "proposals": [{"title": p.title, "source": p.source_label, "url": p.source_url} for p in proposals],
    }


def brief_for_display(brief: dict) -> dict:
    """The stored brief with dates and money turned back into objects for the templates."""
    out = dict(brief)
    for key in ("since", "until"):
        out[key] = dt.date.fromisoformat(brief[key]) if brief.get(key) else None
    out["money_by_area"] = [
        {**row, "since": Decimal(row["since"]), "before": Decimal(row["before"]), "change": Decimal(row["change"])}
        for row in brief.get("money_by_area", [])
    ]
    for key in ("new_allocations", "shifted_allocations"):
        out[key] = [{**row, "amount": Decimal(row["amount"])} for row in brief.get(key, [])]
    out["measures_at_risk"] = [
        {**row, "status_label": MeasureStatus(row["status"]).label} for row in brief.get("measures_at_risk", [])
    ]
    out["indicators_off_track"] = [
        {**row, "value": Decimal(row["value"]), "expected": Decimal(row["expected"])}
        for row in brief.get("indicators_off_track", [])
    ]
    return out


# Panels ---------------------------------------------------------------------------------------------


def revisions_due(authority: Authority | None, within_days: int = 60) -> list[dict]:
    """Plans whose next revision is overdue or due soon, and revisions in progress."""
    today = timezone.localdate()
    rows = []
    for plan in plans_for(authority):
        draft = plan.draft()
        due = plan.next_revision_due()
        if draft is None and (due is None or (due - today).days > within_days):
            continue
        rows.append(
            {
                "plan": plan,
                "due": due,
                "overdue": due is not None and due < today,
                "draft": draft,
            }
        )
    return sorted(rows, key=lambda r: r["due"] or dt.date.max)


def measures_for_element(element: Element) -> list[dict]:
    """Plans covering the element, and measures of the plans in force (or in progress) linked to it."""
    rows = []
    plans = ActionPlan.objects.filter(Q(elements=element) | Q(revisions__measures__elements=element)).distinct()
    for plan in plans.filter(authority_id=element.strategy.authority_id):
        revision = plan.adopted() or plan.draft()
        measures = list(revision.measures.filter(elements=element)) if revision else []
        rows.append({"plan": plan, "revision": revision, "measures": measures})
    return rows


def measures_for_allocation(allocation: Allocation) -> list[Measure]:
    """The newest revision's measure for each lineage the allocation funds."""
    seen: dict[Any, Measure] = {}
    links = MeasureAllocation.objects.filter(allocation=allocation).select_related("measure__revision__plan")
    for link in links.order_by("-measure__revision__number"):
        seen.setdefault(link.measure.key, link.measure)
    return list(seen.values())


def entered_values(indicator: Indicator) -> QuerySet[IndicatorValue]:
    return indicator.values.all()
