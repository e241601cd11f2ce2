"""Adapters over the plans, partners and signals apps: what the annual report says about each.

Plans, agreements and signals are dated; when none belong to the report year (e.g. an older year, before
the plans existed), the section shows how things stand today and says so, rather than stay empty.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from snu.lib.formatting import format_date, format_number
from snu.lib.i18n import pick
from snu.reports import texts
from snu.reports.parts import table


def _as_of_note(ctx, message: str) -> dict:
    return {"type": "note", "text": message % {"year": ctx.year, "date": format_date(ctx.today)}}


def _names(ctx, elements) -> str:
    """Element names of the report's strategy only (signals and arenas may point at several versions)."""
    strategy_id = ctx.strategy.pk if ctx.strategy else None
    return ", ".join(dict.fromkeys(pick(e.name) for e in elements if e.strategy_id == strategy_id))


# ---------------------------------------------------------------- action plans


def _revision_for(plan, year: int):
    """The revision in force at the end of the year, else the one in force now."""
    from snu.plans.models import PlanRevision

    adopted = plan.revisions.filter(status=PlanRevision.Status.ADOPTED)
    at_year_end = adopted.filter(adopted_on__lte=dt.date(year, 12, 31)).order_by("-adopted_on", "-number").first()
    return at_year_end, (at_year_end or plan.adopted())


def _status_at(measure, until: dt.date | None):
    from snu.plans.models import MeasureStatus

    if until is None:
        status, _comment, date = measure.current_status()
    else:
        report = measure.status_reports.filter(reported_on__lte=until).order_by("-reported_on", "-id").first()
        status, date = (report.status, report.reported_on) if report else (measure.status, measure.status_date)
    return str(MeasureStatus(status).label), date


def plan_section(ctx) -> dict:
    from snu.plans.queries import plans_for

    plans = plans_for(ctx.authority).order_by("period_from", "name")
    if ctx.strategy is not None:
        plans = plans.filter(strategy=ctx.strategy)
    blocks: list[dict] = []
    measures_total, dated = 0, False
    for plan in plans:
        in_year, revision = _revision_for(plan, ctx.year)
        if revision is None:
            continue
        dated = dated or in_year is not None
        until = dt.date(ctx.year, 12, 31) if in_year is not None else None
        rows, evaluations = [], []
        for m in revision.measures.all().select_related("evaluation"):
            status, date = _status_at(m, until)
            money = m.money()
            rows.append(
                {
                    "code": m.code,
                    "title": m.title,
                    "status": status,
                    "date": date,
                    "budget": m.budget,
                    "committed": money["committed"],
                }
            )
            evaluation = getattr(m, "evaluation", None)
            if evaluation is not None:
                evaluations.append(
                    {
                        "code": m.code,
                        "title": m.title,
                        "decision": evaluation.get_decision_display(),
                        "learned": evaluation.what_we_learned,
                    }
                )
        measures_total += len(rows)
        blocks.append({"type": "subheading", "text": plan.name})
        blocks.append(
            {
                "type": "paragraph",
                "text": _("Revision %(n)s, adopted %(date)s. Period %(from)s–%(to)s.")
                % {
                    "n": revision.number,
                    "date": format_date(revision.adopted_on) or "–",
                    "from": plan.period_from,
                    "to": plan.period_to,
                },
            }
        )
        blocks.append(
            table(
                f"plan_{plan.pk}_measures",
                _("Measures: %(plan)s") % {"plan": plan.name},
                [
                    ("code", _("No."), "text"),
                    ("title", _("Measure"), "text"),
                    ("status", _("Status"), "text"),
                    ("date", _("Status date"), "date"),
                    ("budget", _("Budget"), "money"),
                    ("committed", _("Committed"), "money"),
                ],
                rows,
            )
        )
        if evaluations:
            blocks.append(
                table(
                    f"plan_{plan.pk}_evaluations",
                    _("Evaluations: %(plan)s") % {"plan": plan.name},
                    [
                        ("code", _("No."), "text"),
                        ("title", _("Measure"), "text"),
                        ("decision", _("Decision"), "text"),
                        ("learned", _("What we learned"), "text"),
                    ],
                    evaluations,
                )
            )
    if not blocks:
        blocks.append({"type": "note", "text": _("No adopted action plan belongs to this strategy.")})
    elif not dated:
        blocks.insert(
            0, _as_of_note(ctx, _("No action plan was in force in %(year)s. This is how the plans stand on %(date)s."))
        )
    ctx.figures["plans"] = format_number(sum(1 for b in blocks if b["type"] == "subheading"))
    ctx.figures["measures"] = format_number(measures_total)
    return {"key": "plans", "heading": str(texts.SECTIONS["plans"]), "blocks": blocks}


# ---------------------------------------------------------------- partners and arenas


def partner_section(ctx) -> dict:
    from snu.partners.models import PartnerType
    from snu.partners.queries import agreements_for, arenas_for, partners_for

    partners = partners_for(ctx.authority).filter(is_active=True)
    counts: dict[str, int] = {}
    for kind in partners.values_list("partner_type", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    type_rows = [
        {"type": str(PartnerType(k).label), "count": n} for k, n in sorted(counts.items(), key=lambda x: -x[1])
    ]
    arenas = arenas_for(ctx.authority).filter(is_active=True).prefetch_related("members", "focus_areas")
    arena_rows = [
        {
            "name": a.name,
            "kind": a.get_kind_display(),
            "members": a.members.count(),
            "focus_areas": _names(ctx, a.focus_areas.all()),
        }
        for a in arenas
    ]
    start, end = dt.date(ctx.year, 1, 1), dt.date(ctx.year, 12, 31)
    all_agreements = agreements_for(ctx.authority).prefetch_related("parties")
    in_year = all_agreements.filter(Q(starts_on__lte=end) | Q(starts_on__isnull=True)).filter(
        Q(ends_on__gte=start) | Q(ends_on__isnull=True)
    )
    agreements = in_year if in_year.exists() else all_agreements
    agreement_rows = [
        {
            "title": a.title,
            "parties": ", ".join(p.name for p in a.parties.all()),
            "starts": a.starts_on,
            "ends": a.ends_on,
            "status": a.get_status_display(),
        }
        for a in agreements
    ]
    ctx.figures["partners"] = format_number(partners.count())
    ctx.figures["arenas"] = format_number(len(arena_rows))
    blocks = [
        table(
            "partner_types",
            _("Active partners by type"),
            [("type", _("Type"), "text"), ("count", _("Partners"), "int")],
            type_rows,
        ),
        table(
            "arenas",
            _("Collaboration arenas"),
            [
                ("name", _("Arena"), "text"),
                ("kind", _("Kind"), "text"),
                ("members", _("Members"), "int"),
                ("focus_areas", _("Focus areas"), "text"),
            ],
            arena_rows,
        ),
    ]
    if agreement_rows:
        if not in_year.exists():
            blocks.append(_as_of_note(ctx, _("No agreement ran in %(year)s. These are the agreements as of %(date)s.")))
        blocks.append(
            table(
                "agreements",
                _("Partnership agreements"),
                [
                    ("title", _("Agreement"), "text"),
                    ("parties", _("Parties"), "text"),
                    ("starts", _("Starts"), "date"),
                    ("ends", _("Ends"), "date"),
                    ("status", _("Status"), "text"),
                ],
                agreement_rows,
            )
        )
    return {"key": "partners", "heading": str(texts.SECTIONS["partners"]), "blocks": blocks}


# ---------------------------------------------------------------- trends and signals


def signal_section(ctx) -> dict:
    from snu.signals.queries import signals_for

    current = signals_for(ctx.authority).filter(is_archived=False).prefetch_related("drivers")
    dated = current.filter(Q(source_date__year=ctx.year))
    signals = dated if dated.exists() else current
    rows = [
        {
            "title": s.title,
            "kind": s.get_kind_display(),
            "horizon": s.get_horizon_display(),
            "strength": s.get_strength_display(),
            "drivers": _names(ctx, s.drivers.all()),
            "so_what": s.so_what,
        }
        for s in signals.order_by("title")
    ]
    ctx.figures["signals"] = format_number(len(rows))
    blocks: list[dict] = []
    if rows and not dated.exists():
        blocks.append(
            _as_of_note(ctx, _("No trend or signal is dated %(year)s. These are the ones followed on %(date)s."))
        )
    if rows:
        blocks.append(
            table(
                "signals",
                _("Trends and signals"),
                [
                    ("title", _("Trend or signal"), "text"),
                    ("kind", _("Type"), "text"),
                    ("horizon", _("Time horizon"), "text"),
                    ("strength", _("Strength"), "text"),
                    ("drivers", _("Societal drivers"), "text"),
                    ("so_what", _("So what for us"), "text"),
                ],
                rows,
            )
        )
    else:
        blocks.append({"type": "note", "text": _("No trends or signals are registered.")})
    return {"key": "signals", "heading": str(texts.SECTIONS["signals"]), "blocks": blocks}
