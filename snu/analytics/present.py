"""Panel data → what a page shows: drill-down links, chart (SVG + Vega-Lite spec), download links."""

from __future__ import annotations

import json
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from snu.analytics import charts, geo
from snu.analytics.filters import Filters
from snu.lib.formatting import format_mnok, format_number, format_percent

MEASURES = ("amount", "count", "share")
MAP_MEASURES = ("amount", "share", "per_inhabitant")


def drill_href(filters: Filters, strategy_code: str | None, cell: dict) -> str:
    narrowed = filters.narrowed(**cell)
    return reverse("analytics:allocations") + "?" + narrowed.to_query(strategy=strategy_code or "")


def export_links(name: str, filters: Filters, strategy_code: str | None) -> dict:
    query = filters.to_query(strategy=strategy_code or "")
    return {
        fmt: reverse("analytics:panel", args=[name, fmt]) + (f"?{query}" if query else "")
        for fmt in ("json", "csv", "xlsx")
    }


def present(
    data: dict, filters: Filters, strategy_code: str | None, measure: str = "amount", map_measure: str = "amount"
) -> dict:
    """Add `href` to every row, and `svg` / `spec_json` for the chart."""
    for row in data["rows"]:
        row["href"] = drill_href(filters, strategy_code, row["_drill"])
    for row in data.get("chart_rows", []) + data.get("focus_rows", []):
        row["href"] = drill_href(filters, strategy_code, row["_drill"])
    data["links"] = export_links(data["id"], filters, strategy_code)
    chart = data.get("chart") or {}
    kind = chart.get("type")
    ident = f"chart-{data['id']}"
    title, desc = str(data["title"]), str(data["summary"])
    data["svg"], data["spec_json"] = "", ""
    if kind == "stacked_bar":
        rows = data.get("chart_rows") or data["rows"]
        m = measure if data["id"] != "funding_source" else "amount"
        y_title = {"amount": _("Amount (mill. kr)"), "count": _("Allocations"), "share": _("Share")}[m]
        href = lambda r: r["href"]  # noqa: E731
        data["svg"] = charts.stacked_bars_svg(
            rows, chart["x"], chart["color"], chart["color_label"], m, href, title, desc, ident
        )
        spec = charts.stacked_bars_spec(
            rows,
            chart["x"],
            chart["color_label"],
            chart["color"],
            m,
            href,
            title,
            desc,
            _("Year"),
            y_title,
            str(data["columns"][1]["label"]) if data["id"] != "funding_source" else _("Kind of money"),
        )
        data["spec_json"] = json.dumps(spec, ensure_ascii=False)
    elif kind == "bar":
        label_key = chart["y"]
        groups = {}
        for row in data["rows"]:
            groups.setdefault(row.get(chart.get("facet", ""), ""), []).append(row)
        svgs, specs = [], []
        for i, (group, rows) in enumerate(groups.items()):
            items = [(str(r[label_key]), r["amount"], r["href"]) for r in rows]
            sub = f"{title} – {rows[0].get('group_label', '')}" if group else title
            svgs.append(charts.hbars_svg(items, "amount", sub, desc, f"{ident}-{i}"))
            specs.append(
                charts.hbars_spec(items, "amount", sub, desc, str(data["columns"][0]["label"]), _("Amount (mill. kr)"))
            )
        data["svg"] = "".join(svgs)
        data["spec_json"] = json.dumps(
            {"vconcat": specs} if len(specs) > 1 else (specs[0] if specs else {}), ensure_ascii=False
        )
        if len(specs) > 1:
            data["spec_json"] = json.dumps(_vconcat(specs, title, desc), ensure_ascii=False)
    elif kind == "heatmap":
        cells = [dict(r) for r in data["rows"]]
        data["svg"] = charts.heatmap_svg(cells, "count", title, desc, ident)
        data["spec_json"] = json.dumps(
            charts.heatmap_spec(cells, "count", title, desc, _("Societal driver"), _("Together with")),
            ensure_ascii=False,
        )
        focus_title = _("Drivers and focus areas (allocations)")
        data["svg_focus"] = charts.heatmap_svg(data["focus_rows"], "count", focus_title, desc, f"{ident}-f")
    elif kind == "planned":
        items = []
        target, actual = _("target"), _("actual")
        for r in data["rows"]:
            items.append((f"{r['focus_area_label']} – {target}", r["target_share"] or Decimal(0), r["href"]))
            items.append((f"{r['focus_area_label']} – {actual}", r["share"] or Decimal(0), r["href"]))
        data["svg"] = charts.hbars_svg(items, "share", title, desc, ident)
        data["spec_json"] = json.dumps(
            charts.hbars_spec(items, "share", title, desc, _("Focus area"), _("Share")), ensure_ascii=False
        )
    elif kind == "funnel" and data["rows"]:
        items = []
        words = {"applied": _("applied for"), "granted": _("granted"), "rejected": _("rejected")}
        for r in data["rows"]:
            if r["group"] != "focus_area":
                continue
            for key, word in words.items():
                items.append((f"{r['label']} – {word}", r[key], r["href"]))
        data["svg"] = charts.hbars_svg(items, "amount", title, desc, ident)
    elif kind == "map":
        data["svg"] = map_svg(data, map_measure)
    return data


def _vconcat(specs: list[dict], title: str, desc: str) -> dict:
    inner = []
    for s in specs:
        s = dict(s)
        s.pop("$schema", None)
        s.pop("config", None)
        inner.append(s)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": title,
        "description": desc,
        "vconcat": inner,
        "config": specs[0].get("config", {}),
    }


def map_svg(data: dict, measure: str) -> str:
    values, hrefs = {}, {}
    for r in data["rows"]:
        value = r.get(measure)
        if measure == "amount":
            text = format_mnok(value, 2)
        elif measure == "share":
            text = format_percent(value)
        else:
            text = (format_number(value) + "\u00a0kr") if value is not None else _("no population figure")
        values[r["municipality"]] = (value, text)
        hrefs[r["municipality"]] = r["href"]
    legend = {
        "amount": _("Amount (kr)"),
        "share": _("Share of the money"),
        "per_inhabitant": _("Kroner per inhabitant"),
    }[measure]
    return geo.choropleth_svg(values, hrefs, str(data["title"]), str(data["summary"]), legend, _("no allocations"))
