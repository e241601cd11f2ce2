"""Thin views: permission → query → render. Every panel has an HTML table, a .json twin, CSV and XLSX."""

from __future__ import annotations

import functools

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from snu.analytics import exports, forms, present, queries, snapshot
from snu.analytics.filters import Filters
from snu.core import dataversion
from snu.core.permissions import reader_required
from snu.strategy.models import Strategy

DASHBOARD_PANELS = list(queries.PANELS)


def _state(request: HttpRequest) -> tuple[Strategy | None, Filters]:
    code = request.GET.get("strategy")
    strategy = (
        Strategy.objects.filter(authority=request.authority, code=code).first()  # type: ignore[attr-defined]
        if code
        else None
    ) or queries.default_strategy(request.authority)  # type: ignore[attr-defined]
    return strategy, Filters.from_query(request.GET)


def _choice(request: HttpRequest, key: str, allowed: tuple[str, ...]) -> str:
    value = request.GET.get(key, allowed[0])
    return value if value in allowed else allowed[0]


def _dashboard_panels(
    request: HttpRequest,
    strategy: Strategy | None,
    filters: Filters,
    measure: str,
    map_measure: str,
    snapshot_name: str | None,
):
    """Every panel rendered to HTML: kept per data version (and snapshot), filters, measures and language,
    so the next reader with the same view gets the page without computing or rendering the panels again."""
    authority = request.authority  # type: ignore[attr-defined]
    code = strategy.code if strategy else None
    backend = "duckdb" if snapshot_name else "db"  # `snapshot_name` is `_snapshot_name(authority)`, asked once
    parts = (authority.pk, code, filters.to_query(strategy=code or ""), measure, map_measure, get_language(), backend)

    def build() -> dict:
        out = {}
        for name in DASHBOARD_PANELS:
            panel = present.present(
                queries.panel(name, authority, strategy, filters, backend), filters, code, measure, map_measure
            )
            html = render_to_string("analytics/_panel.html", {"panel": panel})
            out[name] = {"id": panel["id"], "title": panel["title"], "html": mark_safe(html)}
        return out

    # From a snapshot, the panels stand on that snapshot alone: a review decision meanwhile does not make them
    # be computed again (the page says how old the figures are).
    return dataversion.cached(
        "dashboard-panels", (parts, snapshot_name), build, versioned=snapshot_name is None, scope=dataversion.TOTALS
    )


def _snapshot_name(authority) -> str | None:
    """The snapshot the figures come from, or None when they come from the database."""
    if queries.choose_backend(authority) != "duckdb":
        return None
    return (snapshot.info() or {}).get("folder")


@reader_required
def dashboard(request: HttpRequest) -> HttpResponse:
    strategy, filters = _state(request)
    measure = _choice(request, "measure", present.MEASURES)
    map_measure = _choice(request, "map", present.MAP_MEASURES)
    code = strategy.code if strategy else None
    authority = request.authority  # type: ignore[attr-defined]
    snapshot_name = _snapshot_name(authority)
    context = {
        "strategy": strategy,
        "filters": filters,
        # The form, panels and totals are read only when the page is not kept ({% keep %} in the template).
        "form": functools.cache(lambda: forms.filter_form(authority, strategy, filters)),
        "panels": functools.cache(
            lambda: _dashboard_panels(request, strategy, filters, measure, map_measure, snapshot_name)
        ),
        "measure": measure,
        "map_measure": map_measure,
        "query": filters.to_query(strategy=code or ""),
        "totals": functools.cache(lambda: queries.totals(authority, strategy, filters)),
        "snapshot_as_of": queries.snapshot_as_of(authority),
        "snapshot_name": snapshot_name,
        "json_url": reverse("analytics:dashboard_json") + "?" + filters.to_query(strategy=code or ""),
    }
    return render(request, "analytics/dashboard.html", context)


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


@reader_required
def dashboard_json(request: HttpRequest) -> HttpResponse:
    strategy, filters = _state(request)
    authority = request.authority  # type: ignore[attr-defined]
    as_of = _iso(queries.snapshot_as_of(authority))

    def build() -> str:
        data = {
            "strategy": strategy.code if strategy else None,
            "filters": filters.as_dict(),
            "totals": queries.totals(authority, strategy, filters),
            "as_of": as_of,
            "panels": {n: queries.panel(n, authority, strategy, filters) for n in DASHBOARD_PANELS},
        }
        return exports.to_json(data)

    # The serialised answer is kept per data version too: the panels are, and writing ~100 kB of JSON is not free.
    code = strategy.code if strategy else None
    name = _snapshot_name(authority)
    parts = (authority.pk, code, filters.to_query(strategy=code or ""), as_of, get_language(), name)
    body = dataversion.cached("dashboard-json", parts, build, versioned=name is None, scope=dataversion.TOTALS)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@reader_required
def panel_export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    if name not in queries.PANELS or fmt not in ("json", "csv", "xlsx"):
        raise Http404
    strategy, filters = _state(request)
    data = queries.panel(name, request.authority, strategy, filters)  # type: ignore[attr-defined]
    return _download(data, fmt, f"snu-{name}")


def _download(data: dict, fmt: str, filename: str) -> HttpResponse:
    if fmt == "json":
        return HttpResponse(exports.to_json(data), content_type="application/json; charset=utf-8")
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(data["columns"], data["rows"]), content_type="text/csv; charset=utf-8")
    else:
        notes = [str(n) for n in (data.get("summary"), data.get("note")) if n]
        response = HttpResponse(
            exports.to_xlsx(data["title"], data["columns"], data["rows"], notes),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _allocation_url(pk: int) -> str:
    try:
        return reverse("grants:allocation_detail", args=[pk])
    except NoReverseMatch:
        return ""


def _drill_data(request: HttpRequest, per_page: int = 50) -> tuple[Strategy | None, Filters, dict]:
    strategy, filters = _state(request)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    data = queries.drilldown(request.authority, strategy, filters, page=page, per_page=per_page)  # type: ignore[attr-defined]
    for item in data["items"]:
        item["url"] = _allocation_url(item["allocation"].pk)
    return strategy, filters, data


@reader_required
def allocations(request: HttpRequest) -> HttpResponse:
    strategy, filters, data = _drill_data(request)
    code = strategy.code if strategy else ""
    query = filters.to_query(strategy=code)
    context = {
        "strategy": strategy,
        "filters": filters,
        "data": data,
        "described": forms.describe(request.authority, strategy, filters),  # type: ignore[attr-defined]
        "dashboard_url": reverse("analytics:dashboard") + (f"?{query}" if query else ""),
        "query": query,
        "page_query": lambda n: f"{query}&page={n}",
    }
    return render(request, "analytics/allocations.html", context)


@reader_required
def allocations_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("json", "csv", "xlsx"):
        raise Http404
    _strategy, _filters, data = _drill_data(request, per_page=100_000)
    columns = [
        {"key": "external_id", "label": _("Case number"), "type": "text"},
        {"key": "year", "label": _("Year"), "type": "int"},
        {"key": "title", "label": _("Project"), "type": "text"},
        {"key": "recipient", "label": _("Recipient"), "type": "text"},
        {"key": "municipality", "label": _("Municipality"), "type": "text"},
        {"key": "amount", "label": _("Amount counted"), "type": "money"},
        {"key": "allocation_amount", "label": _("Amount granted"), "type": "money"},
    ]
    rows = [
        {
            "id": i["allocation"].pk,
            "external_id": i["allocation"].external_id,
            "year": i["allocation"].year,
            "title": i["allocation"].title,
            "recipient": i["allocation"].recipient_name,
            "municipality": str(i["allocation"].current_municipality or ""),
            "amount": i["amount"],
            "allocation_amount": i["allocation"].amount,
        }
        for i in data["items"]
    ]
    payload = {
        "title": _("Allocations"),
        "columns": columns,
        "rows": rows,
        "total": data["total"],
        "count": data["count"],
    }
    return _download(payload, fmt, "snu-allocations")
