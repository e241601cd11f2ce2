"""The annual report as one plain data structure, built once and rendered as HTML, PDF, DOCX and XLSX.

    build_report(authority, year, strategy=None, language="nb") -> dict

Every money figure comes from `snu.analytics.queries` with the dashboard's filters for the year (granted
and paid allocations, the split rule of the engine), so the report and the dashboard show the same numbers.

The result: `title`, `subtitle`, `language`, `year`, `region`, `authority`, `strategy`, `generated`,
`figures` (the placeholder values for texts), `key_figures` [(label, text)], and `sections`, each with
`key`, `heading` and ordered `blocks`:
    {"type": "paragraph", "text"} | {"type": "list", "items"} | {"type": "subheading", "text"}
    {"type": "note", "text"} | {"type": "figure", "id", "title", "svg", "source"}
    {"type": "table", "id", "title", "columns": [{"key", "label", "type"}], "rows": [[raw]],
     "cells": [[text]], "note"}
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from statistics import median

from django.utils import translation
from django.utils.translation import gettext as _

from snu.analytics import charts, present, queries
from snu.analytics.filters import NONE, Filters
from snu.classify.models import AlignmentElement
from snu.core.models import Authority
from snu.grants.models import Allocation
from snu.lib.formatting import format_date, format_mnok, format_number, format_percent
from snu.reports import activity, texts
from snu.reports.models import ReportText
from snu.reports.parts import figure, share, table
from snu.strategy.models import Strategy

ZERO = Decimal("0.00")
LARGEST_PER_FOCUS_AREA = 3


# ---------------------------------------------------------------- small helpers


def pick_strategy(authority: Authority, year: int, code: str | None = None) -> Strategy | None:
    """The strategy asked for by code, else the one whose period holds the year, else the newest."""
    strategies = Strategy.objects.filter(authority=authority)
    if code:
        return strategies.filter(code=code).first()
    return strategies.filter(period_from__lte=year, period_to__gte=year).order_by(
        "-period_from"
    ).first() or queries.default_strategy(authority)


def year_filters(year: int) -> Filters:
    """The dashboard's filters for one year: default statuses (granted and paid)."""
    return Filters(year_from=year, year_to=year)


def _hbars(fid: str, title: str, desc: str, items: list[tuple[str, Decimal]], measure: str = "amount") -> dict:
    svg = charts.hbars_svg([(label, value, "#") for label, value in items], measure, title, desc, fid)
    return figure(fid, title, svg)


# ---------------------------------------------------------------- the report


class _Context:
    """What every section needs: the scope, the dashboard panels for the year, and the figures so far."""

    def __init__(self, authority: Authority, year: int, strategy: Strategy | None, language: str, today: dt.date):
        self.authority, self.year, self.strategy, self.language, self.today = authority, year, strategy, language, today
        self.filters = year_filters(year)
        self.panels = {
            name: queries.panel(name, authority, strategy, self.filters)
            for name in ("funding_source", "planned", "municipality", "driver_year", "advantage_year")
        }
        self.totals = queries.totals(authority, strategy, self.filters)
        self.figures: dict[str, str] = {}
        self.custom = {
            t.section: t.body for t in ReportText.objects.filter(authority=authority, year=year, language=language)
        }

    def text_blocks(self, section: str) -> list[dict]:
        body = self.custom.get(section) or texts.default_text(section, self.language)
        return texts.blocks(texts.fill(body, self.figures))


def build_report(
    authority: Authority,
    year: int,
    strategy: Strategy | None = None,
    language: str = "nb",
    today: dt.date | None = None,
) -> dict:
    language = language if language in ("nb", "en") else "nb"
    strategy = strategy or pick_strategy(authority, year)
    with translation.override(language):
        ctx = _Context(authority, year, strategy, language, today or dt.date.today())
        money = _money_section(ctx)
        focus = _focus_area_section(ctx)
        drivers = _driver_section(ctx)
        municipalities = _municipality_section(ctx)
        projects = _project_section(ctx)
        plans = activity.plan_section(ctx)
        partners = activity.partner_section(ctx)
        signals = activity.signal_section(ctx)
        sections = [money, focus, drivers, municipalities, projects, plans, partners, signals]
        _base_figures(ctx)  # the text placeholders are known only once every section has counted
        intro = {"key": "intro", "heading": str(texts.SECTIONS["intro"]), "blocks": []}
        outlook = {"key": "outlook", "heading": str(texts.SECTIONS["outlook"]), "blocks": []}
        for section in [intro, *sections, outlook]:
            section["blocks"] = ctx.text_blocks(section["key"]) + section["blocks"]
        report = {
            "title": _("Regional development of trade and industry in %(region)s %(year)s")
            % {"region": authority.region_name, "year": year},
            "subtitle": _("Annual report on %(strategy)s") % {"strategy": strategy.label if strategy else "–"},
            "language": language,
            "year": year,
            "region": authority.region_name,
            "authority": authority.name,
            "strategy": {
                "code": strategy.code if strategy else "",
                "label": strategy.label if strategy else "",
                "period": f"{strategy.period_from}–{strategy.period_to}" if strategy else "",
            },
            "generated": format_date(ctx.today),
            "figures": dict(ctx.figures),
            "totals": ctx.totals,
            "key_figures": _key_figures(ctx),
            "sections": [intro, *sections, outlook, _about_section(ctx)],
        }
    return report


def all_tables(report: dict) -> list[dict]:
    return [b for s in report["sections"] for b in s["blocks"] if b["type"] == "table"]


def _base_figures(ctx: _Context) -> None:
    ctx.figures.update(
        {
            "region": ctx.authority.region_name,
            "authority": ctx.authority.name,
            "year": str(ctx.year),
            "strategy": ctx.strategy.label if ctx.strategy else "–",
            "total_mnok": format_mnok(ctx.totals["amount"]),
            "count": format_number(ctx.totals["count"]),
            "recipients": format_number(
                len(queries.aggregate(ctx.authority, ctx.strategy, ["recipient"], ctx.filters))
            ),
        }
    )


def _key_figures(ctx: _Context) -> list[tuple[str, str]]:
    f = ctx.figures
    return [
        (_("Granted in %(year)s") % {"year": ctx.year}, f["total_mnok"]),
        (_("Allocations"), f["count"]),
        (_("State money"), f"{f['state_mnok']} ({f['state_share']})"),
        (_("County money"), f"{f['county_mnok']} ({f['county_share']})"),
        (_("Municipalities that received money"), f["municipalities"]),
        (_("Outside the strategy's focus areas"), f"{f['outside_mnok']} ({f['outside_share']})"),
    ]


# ---------------------------------------------------------------- money


def _money_section(ctx: _Context) -> dict:
    data = ctx.panels["funding_source"]
    total, state = data["total"], data["state_total"]
    county = total - state
    per_principal: dict[str, dict] = {}
    for r in data["rows"]:
        key = r["principal"] or r["funding_source_label"]
        p = per_principal.setdefault(
            key, {"principal": key, "source_type_label": r["source_type_label"], "amount": ZERO, "count": 0}
        )
        p["amount"] += r["amount"]
        p["count"] += r["count"]
    principals = sorted(per_principal.values(), key=lambda p: p["amount"], reverse=True)
    for p in principals:
        p["share"] = share(p["amount"], total)
    ctx.figures.update(
        {
            "state_mnok": format_mnok(state),
            "state_share": format_percent(share(state, total)) or "–",
            "county_mnok": format_mnok(county),
            "county_share": format_percent(share(county, total)) or "–",
            "top_principal": principals[0]["principal"] if principals else "–",
        }
    )
    kinds = [
        {"kind": _("State money"), "amount": state, "share": share(state, total)},
        {"kind": _("County money"), "amount": county, "share": share(county, total)},
        {"kind": _("Total"), "amount": total, "share": share(total, total)},
    ]
    blocks = [
        _hbars(
            "fig-sources",
            _("Money per principal in %(year)s") % {"year": ctx.year},
            str(data["summary"]),
            [(p["principal"], p["amount"]) for p in principals],
        ),
        table(
            "kind_of_money",
            _("State and county money"),
            [("kind", _("Kind of money"), "text"), ("amount", _("Amount"), "money"), ("share", _("Share"), "share")],
            kinds,
        ),
        table(
            "principals",
            _("Money per principal"),
            [
                ("principal", _("Principal"), "text"),
                ("source_type_label", _("Kind of money"), "text"),
                ("amount", _("Amount"), "money"),
                ("count", _("Allocations"), "int"),
                ("share", _("Share"), "share"),
            ],
            principals,
        ),
        table(
            "funding_sources",
            _("Money per funding source"),
            [
                ("funding_source_label", _("Funding source"), "text"),
                ("principal", _("Principal"), "text"),
                ("source_type_label", _("Kind of money"), "text"),
                ("amount", _("Amount"), "money"),
                ("count", _("Allocations"), "int"),
                ("share", _("Share"), "share"),
            ],
            data["rows"],
        ),
    ]
    return {"key": "money", "heading": str(texts.SECTIONS["money"]), "blocks": blocks}


# ---------------------------------------------------------------- focus areas, drivers, advantages


def _focus_area_section(ctx: _Context) -> dict:
    data = ctx.panels["planned"]
    rows = data["rows"]
    inside = [r for r in rows if r["focus_area"] != NONE]
    outside = next((r for r in rows if r["focus_area"] == NONE), None)
    top = max(inside, key=lambda r: r["amount"], default=None)
    ctx.figures.update(
        {
            "top_focus_area": top["focus_area_label"] if top and top["amount"] else "–",
            "top_focus_area_share": format_percent(top["share"]) if top and top["share"] is not None else "–",
            "outside_mnok": format_mnok(outside["amount"] if outside else ZERO),
            "outside_share": format_percent(outside["share"]) if outside and outside["share"] is not None else "–",
        }
    )
    total_row = {
        "focus_area_label": _("Total"),
        "amount": data["total"],
        "count": sum(r["count"] for r in rows),
        "share": share(data["total"], data["total"]),
    }
    blocks = [
        _hbars(
            "fig-focus",
            _("Money per focus area in %(year)s") % {"year": ctx.year},
            str(data["summary"]),
            [(r["focus_area_label"], r["amount"]) for r in rows],
        ),
        table(
            "focus_areas",
            _("Money per focus area"),
            [
                ("focus_area_label", _("Focus area"), "text"),
                ("amount", _("Amount"), "money"),
                ("count", _("Allocations"), "int"),
                ("share", _("Actual share"), "share"),
                ("target_share", _("Target share"), "share"),
            ],
            [*rows, total_row],
            note=queries.split_rule("focus_area"),
        ),
    ]
    return {"key": "focus_areas", "heading": str(texts.SECTIONS["focus_areas"]), "blocks": blocks}


def _element_rows(ctx: _Context, kind: str) -> list[dict]:
    rows = [r for r in ctx.panels[f"{kind}_year"]["rows"] if r["year"] == ctx.year]
    return sorted(rows, key=lambda r: (r[kind] == NONE, -r["amount"]))


def _driver_section(ctx: _Context) -> dict:
    blocks: list[dict] = []
    names = {
        "driver": (_("Societal driver"), _("Money per societal driver")),
        "advantage": (_("Regional advantage"), _("Money per regional advantage")),
    }
    for kind in ("driver", "advantage"):
        rows = _element_rows(ctx, kind)
        inside = [r for r in rows if r[kind] != NONE]
        ctx.figures[f"top_{kind}"] = inside[0][f"{kind}_label"] if inside else "–"
        label, title = names[kind]
        blocks.append(
            _hbars(
                f"fig-{kind}",
                f"{title} {ctx.year}",
                str(queries.split_rule(kind)),
                [(r[f"{kind}_label"], r["amount"]) for r in rows],
            )
        )
        blocks.append(
            table(
                f"{kind}s",
                title,
                [
                    (f"{kind}_label", label, "text"),
                    ("amount", _("Amount"), "money"),
                    ("count", _("Allocations"), "int"),
                    ("share", _("Share of the year"), "share"),
                ],
                rows,
                note=queries.split_rule(kind),
            )
        )
    return {"key": "drivers", "heading": str(texts.SECTIONS["drivers"]), "blocks": blocks}


# ---------------------------------------------------------------- municipalities


def _municipality_section(ctx: _Context) -> dict:
    data = ctx.panels["municipality"]
    rows = data["rows"]
    named = [r for r in rows if r["municipality"] != NONE]
    ctx.figures.update(
        {
            "municipalities": format_number(len(named)),
            "top_municipality": named[0]["municipality_label"] if named else "–",
            "top_municipality_share": format_percent(named[0]["share"]) if named else "–",
        }
    )
    map_data = {**data, "rows": [{**r, "href": ""} for r in rows]}
    source = _("Map: © Kartverket, CC BY 4.0. Today's municipalities (2024 numbering).")
    blocks = [
        figure(
            "fig-map",
            _("Money per municipality in %(year)s") % {"year": ctx.year},
            present.map_svg(map_data, "amount"),
            source,
        ),
        table(
            "municipalities",
            _("Money per municipality"),
            [
                ("municipality", _("Number"), "text"),
                ("municipality_label", _("Municipality"), "text"),
                ("amount", _("Amount"), "money"),
                ("count", _("Allocations"), "int"),
                ("share", _("Share"), "share"),
                ("per_inhabitant", _("Kroner per inhabitant"), "money"),
            ],
            rows,
            note=str(data.get("note", "")),
        ),
    ]
    return {"key": "municipalities", "heading": str(texts.SECTIONS["municipalities"]), "blocks": blocks}


# ---------------------------------------------------------------- projects


def _project_section(ctx: _Context) -> dict:
    from snu.public.privacy import public_recipient, public_text

    person = _("Private person/sole proprietor")
    by_area: dict[str, list[dict]] = defaultdict(list)
    labels: dict[str, str] = {}
    for r in queries.aggregate(ctx.authority, ctx.strategy, ["focus_area", "id"], ctx.filters):
        if r["focus_area"] != NONE:
            by_area[r["focus_area"]].append(r)
            labels[r["focus_area"]] = r["focus_area_label"]
    chosen: dict[str, list[tuple[str, dict]]] = {}
    for code, rows in by_area.items():
        chosen[code] = _largest_and_typical(ctx, code, rows)
    ids = {r["id"] for picks in chosen.values() for _role, r in picks}
    allocations = Allocation.objects.filter(authority=ctx.authority, pk__in=ids).select_related(
        "recipient", "current_municipality", "scheme"
    )
    by_id = {a.pk: a for a in allocations}
    blocks: list[dict] = []
    order = [el.code for el in ctx.strategy.elements_of("focus_area")] if ctx.strategy else sorted(chosen)
    for code in [c for c in order if c in chosen]:
        rows = []
        for role, r in chosen[code]:
            a = by_id[r["id"]]
            rows.append(
                {
                    "role": role,
                    "title": public_text(a.title, a, person) or (a.scheme.name if a.scheme else "–"),
                    "recipient": public_recipient(a, person).name,
                    "municipality": a.current_municipality.name if a.current_municipality else "–",
                    "amount": r["amount"],
                }
            )
        blocks.append(
            table(
                f"projects_{code.lower()}",
                _("Projects: %(area)s") % {"area": labels[code]},
                [
                    ("role", _("Selected as"), "text"),
                    ("title", _("Project"), "text"),
                    ("recipient", _("Recipient"), "text"),
                    ("municipality", _("Municipality"), "text"),
                    ("amount", _("Amount in the focus area"), "money"),
                ],
                rows,
            )
        )
    if not blocks:
        blocks.append({"type": "note", "text": _("No allocations in the strategy's focus areas this year.")})
    return {"key": "projects", "heading": str(texts.SECTIONS["projects"]), "blocks": blocks}


def _largest_and_typical(ctx: _Context, code: str, rows: list[dict]) -> list[tuple[str, dict]]:
    """Top three by the money counted in the focus area, and the one closest to the median amount that
    scores highest for the focus area (preferring one not already among the largest)."""
    ranked = sorted(rows, key=lambda r: (-r["amount"], r["id"]))
    largest = ranked[:LARGEST_PER_FOCUS_AREA]
    picks = [(_("Largest"), r) for r in largest]
    rest = ranked[LARGEST_PER_FOCUS_AREA:] or ranked
    mid = Decimal(median([r["amount"] for r in ranked]))
    scores = dict(
        AlignmentElement.objects.filter(
            alignment__strategy=ctx.strategy, element__code=code, alignment__allocation_id__in=[r["id"] for r in rest]
        ).values_list("alignment__allocation_id", "score")
    )
    typical = min(rest, key=lambda r: (abs(r["amount"] - mid), -scores.get(r["id"], 0.0), r["id"]))
    if typical not in largest:
        picks.append((_("Typical"), typical))
    return picks


# ---------------------------------------------------------------- about


def _about_section(ctx: _Context) -> dict:
    sources = ", ".join(r["funding_source_label"] for r in ctx.panels["funding_source"]["rows"]) or "–"
    items = [
        _(
            "Allocations: the county council's grant records and the open lists of %(sources)s, as imported into "
            "SNU. Granted and paid allocations decided in %(year)s are counted."
        )
        % {"sources": sources, "year": ctx.year},
        str(queries.split_rule("focus_area")),
        str(queries.split_rule("driver")),
        _("Municipality boundaries: © Kartverket, CC BY 4.0."),
        _("Recipients who are private persons (sole proprietors) are never named."),
        _(
            'The figures are the same as on the dashboard "Prioritised effort" with the year %(year)s and the '
            "strategy %(strategy)s chosen. Produced with SNU on %(date)s."
        )
        % {"year": ctx.year, "strategy": ctx.strategy.label if ctx.strategy else "–", "date": format_date(ctx.today)},
    ]
    return {"key": "about", "heading": _("About the figures"), "blocks": [{"type": "list", "items": items}]}
