"""The filter form as plain data for the template (a GET form, so the URL holds the whole state)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from snu.analytics.filters import NONE, SOURCE_TYPES, Filters
from snu.analytics.queries import Labeller, strategies
from snu.core import dataversion
from snu.grants.models import AllocationStatus, FundingSource, Municipality, Organisation, Scheme
from snu.lib.i18n import pick


def _options(pairs, selected) -> list[dict]:
    return [{"value": v, "label": label, "selected": v in selected} for v, label in pairs]


def filter_form(authority, strategy, filters: Filters) -> dict:
    elements = list(strategy.elements.order_by("order", "code")) if strategy else []

    def kind(k: str, none_label: str) -> list[dict]:
        pairs = [(e.code, f"{e.code} – {pick(e.name)}") for e in elements if e.kind == k] + [(NONE, none_label)]
        return _options(pairs, getattr(filters, k))

    municipalities = Municipality.objects.filter(valid_to__isnull=True)
    if authority.county_number:
        municipalities = municipalities.filter(number__startswith=authority.county_number)
    org_forms = dataversion.cached(
        "org-forms",
        authority.pk,
        lambda: list(
            Organisation.objects.filter(authority=authority)
            .exclude(org_form="")
            .order_by()
            .values_list("org_form", flat=True)
            .distinct()
        ),
        scope=dataversion.ALLOCATIONS,
    )
    return {
        "strategies": [
            {"value": s.code, "label": str(s), "selected": strategy and s.pk == strategy.pk}
            for s in strategies(authority)
        ],
        "multi": [
            {"name": "focus_area", "label": _("Focus area"), "options": kind("focus_area", _("Outside the strategy"))},
            {"name": "driver", "label": _("Societal driver"), "options": kind("driver", _("No societal driver"))},
            {
                "name": "advantage",
                "label": _("Regional advantage"),
                "options": kind("advantage", _("No regional advantage")),
            },
            {
                "name": "municipality",
                "label": _("Municipality"),
                "options": _options([(m.number, f"{m.number} {m.name}") for m in municipalities], filters.municipality),
            },
            {
                "name": "funding_source",
                "label": _("Funding source"),
                "options": _options(
                    [(s.code, s.name) for s in FundingSource.objects.filter(authority=authority)],
                    filters.funding_source,
                ),
            },
            {
                "name": "scheme",
                "label": _("Scheme"),
                "options": _options(
                    [(s.code, s.name) for s in Scheme.objects.filter(authority=authority)], filters.scheme
                ),
            },
            {
                "name": "status",
                "label": _("Status"),
                "options": _options([(v, str(label)) for v, label in AllocationStatus.choices], filters.status),
            },
            {
                "name": "recipient_type",
                "label": _("Recipient type"),
                "options": _options([(f, f) for f in sorted(set(org_forms))], filters.recipient_type),
            },
        ],
        "source_types": _options(
            [("", _("State and county money"))] + [(k, str(v)) for k, v in SOURCE_TYPES.items()], (filters.source_type,)
        ),
        "industry": ", ".join(filters.industry),
    }


def describe(authority, strategy, filters: Filters) -> list[str]:
    """The active filters in words, for the drill-down page's heading."""
    labeller = Labeller(authority, strategy)
    by_code = {
        "focus_area": {e.code: pick(e.name) for e in labeller.elements.values()},
        "driver": {e.code: pick(e.name) for e in labeller.elements.values()},
        "advantage": {e.code: pick(e.name) for e in labeller.elements.values()},
        "all_drivers": {e.code: pick(e.name) for e in labeller.elements.values()},
        "municipality": {m.number: m.name for m in labeller.municipalities.values()},
        "funding_source": {s.code: s.name for s in labeller.sources.values()},
        "scheme": {s.code: s.name for s in labeller.schemes.values()},
        "status": {v: str(label) for v, label in AllocationStatus.choices},
    }
    names = {
        "focus_area": _("Focus area"),
        "driver": _("Societal driver"),
        "all_drivers": _("All of the drivers"),
        "advantage": _("Regional advantage"),
        "municipality": _("Municipality"),
        "funding_source": _("Funding source"),
        "scheme": _("Scheme"),
        "status": _("Status"),
        "recipient_type": _("Recipient type"),
        "industry": _("Industry"),
    }
    out = []
    if filters.year_from or filters.year_to:
        if filters.year_from == filters.year_to:
            out.append(_("Year: %(y)s") % {"y": filters.year_from})
        else:
            out.append(_("Years: %(a)s–%(b)s") % {"a": filters.year_from or "", "b": filters.year_to or ""})
    for key, label in names.items():
        values = getattr(filters, key)
        if values:
            kind = key if key != "all_drivers" else "driver"
            shown = [by_code.get(key, {}).get(v) or (Labeller.none_label(kind) if v == NONE else v) for v in values]
            out.append(f"{label}: {', '.join(shown)}")
    if not filters.status:
        out.append(_("Status: all"))
    if filters.source_type:
        out.append(str(SOURCE_TYPES[filters.source_type]))
    if filters.recipient:
        out.append(_("Recipient: %(r)s") % {"r": filters.recipient})
    return out
