"""Charts from panel data: a Vega-Lite spec for the browser and a server-rendered SVG for readers without
JavaScript. Both get a title and a description; every bar and cell of the SVG is a focusable link to the
allocations behind it. Colours: Okabe–Ito (safe for colour-blind readers), grey for "outside"."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from html import escape
from typing import Any

from snu.analytics.filters import NONE
from snu.lib.formatting import format_mnok, format_number, format_percent

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"]
NONE_COLOUR = "#8C8C8C"
SEQUENTIAL = ["#DEEBF7", "#9ECAE1", "#4292C6", "#2171B5", "#08306B"]  # ColorBrewer Blues, light to dark
FONT = "font-family='system-ui, sans-serif' font-size='12'"


def _fmt(value, measure: str) -> str:
    if value is None:
        return "–"
    if measure == "count":
        return format_number(value)
    if measure == "share":
        return format_percent(value)
    if measure == "per_inhabitant":
        return format_number(value) + "\u00a0kr"
    return format_mnok(value, 2) if abs(Decimal(value)) < 10_000_000 else format_mnok(value)


def colours(keys: list[str]) -> dict[str, str]:
    out, i = {}, 0
    for key in keys:
        if key == NONE:
            out[key] = NONE_COLOUR
        else:
            out[key] = PALETTE[i % len(PALETTE)]
            i += 1
    return out


def _svg_open(width: int, height: int, title: str, desc: str, ident: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='100%' "
        f"role='group' aria-labelledby='{ident}-t {ident}-d' class='snu-chart-svg' {FONT}>"
        f"<title id='{ident}-t'>{escape(title)}</title><desc id='{ident}-d'>{escape(desc)}</desc>"
    )


def _link(href: str, label: str, inner: str) -> str:
    return f"<a href='{escape(href)}' aria-label='{escape(label)}'>{inner}</a>"


def stacked_bars_svg(
    rows: list[dict],
    x: str,
    color: str,
    color_label: str,
    measure: str,
    href: Callable[[dict], str],
    title: str,
    desc: str,
    ident: str,
) -> str:
    """Vertical bars per `x` (years), stacked by `color`; `measure` is amount, count or share."""
    xs = sorted({r[x] for r in rows})
    keys = list(dict.fromkeys(r[color] for r in sorted(rows, key=lambda r: (r[color] == NONE, r[color]))))
    labels = {r[color]: r[color_label] for r in rows}
    palette = colours(keys)
    value_of = (lambda r: r.get(measure) or 0) if measure != "share" else (lambda r: r.get("share") or 0)
    totals = {v: sum(Decimal(value_of(r)) for r in rows if r[x] == v) for v in xs}
    top = max(totals.values(), default=Decimal(1)) or Decimal(1)
    width, plot_h, left, legend_h = 640, 220, 70, 18 * ((len(keys) + 2) // 3) + 10
    height = plot_h + 40 + legend_h
    band = (width - left - 10) / max(len(xs), 1)
    parts = [_svg_open(width, height, title, desc, ident)]
    for i in range(5):  # gridlines and axis labels
        value = top * i / 4
        y = 10 + plot_h - plot_h * i / 4
        parts.append(f"<line x1='{left}' x2='{width - 10}' y1='{y:.1f}' y2='{y:.1f}' stroke='#ddd'/>")
        parts.append(
            f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end' fill='#333'>{escape(_fmt(value, measure))}</text>"
        )
    for xi, xv in enumerate(xs):
        y = 10 + plot_h
        bx = left + xi * band + band * 0.15
        for key in keys:
            row = next((r for r in rows if r[x] == xv and r[color] == key), None)
            if not row or not value_of(row):
                continue
            h = float(Decimal(value_of(row)) / top) * plot_h
            y -= h
            label = f"{xv}, {row[color_label]}: {_fmt(value_of(row), measure)}"
            rect = (
                f"<rect x='{bx:.1f}' y='{y:.1f}' width='{band * 0.7:.1f}' height='{max(h, 0.5):.1f}' "
                f"fill='{palette[key]}' stroke='#fff' stroke-width='0.5'><title>{escape(label)}</title></rect>"
            )
            parts.append(_link(href(row), label, rect))
        parts.append(
            f"<text x='{bx + band * 0.35:.1f}' y='{plot_h + 26}' text-anchor='middle' fill='#333'>"
            f"{escape(str(xv))}</text>"
        )
    for i, key in enumerate(keys):  # legend
        lx = left + (i % 3) * 190
        ly = plot_h + 44 + (i // 3) * 18
        parts.append(f"<rect x='{lx}' y='{ly - 10}' width='12' height='12' fill='{palette[key]}'/>")
        parts.append(f"<text x='{lx + 16}' y='{ly}' fill='#333'>{escape(str(labels[key])[:28])}</text>")
    parts.append("</svg>")
    return "".join(parts)


def hbars_svg(items: list[tuple[str, Any, str]], measure: str, title: str, desc: str, ident: str) -> str:
    """Horizontal bars: (label, value, href), largest first, at most 15."""
    items = items[:15]
    width, left, bar_h = 640, 220, 22
    height = bar_h * len(items) + 20
    top = max((Decimal(v or 0) for _, v, _ in items), default=Decimal(1)) or Decimal(1)
    parts = [_svg_open(width, height, title, desc, ident)]
    for i, (label, value, href) in enumerate(items):
        y = 10 + i * bar_h
        w = float(Decimal(value or 0) / top) * (width - left - 110)
        text = f"{label}: {_fmt(value, measure)}"
        parts.append(f"<text x='{left - 6}' y='{y + 14}' text-anchor='end' fill='#333'>{escape(label[:34])}</text>")
        bar = (
            f"<rect x='{left}' y='{y + 2}' width='{max(w, 0.5):.1f}' height='{bar_h - 6}' fill='{PALETTE[0]}'>"
            f"<title>{escape(text)}</title></rect>"
        )
        parts.append(_link(href, text, bar))
        parts.append(f"<text x='{left + w + 6:.1f}' y='{y + 14}' fill='#333'>{escape(_fmt(value, measure))}</text>")
    parts.append("</svg>")
    return "".join(parts)


def heatmap_svg(cells: list[dict], measure: str, title: str, desc: str, ident: str) -> str:
    """Cells with row/column codes and labels, a value under `measure` and an `href`."""
    rows = list(dict.fromkeys(c["row"] for c in cells))
    cols = list(dict.fromkeys(c["column"] for c in sorted(cells, key=lambda c: (c["column"] == NONE, c["column"]))))
    rlabels = {c["row"]: c["row_label"] for c in cells}
    clabels = {c["column"]: c["column_label"] for c in cells}
    left, top_m, cw, ch = 200, 40, 90, 34
    width, height = left + cw * len(cols) + 10, top_m + ch * len(rows) + 10
    top = max((Decimal(c[measure] or 0) for c in cells), default=Decimal(1)) or Decimal(1)
    parts = [_svg_open(width, height, title, desc, ident)]
    for j, col in enumerate(cols):
        parts.append(
            f"<text x='{left + j * cw + cw / 2}' y='{top_m - 10}' text-anchor='middle' fill='#333'>"
            f"{escape(str(clabels[col])[:13])}</text>"
        )
    for i, row in enumerate(rows):
        parts.append(
            f"<text x='{left - 6}' y='{top_m + i * ch + ch / 2 + 4}' text-anchor='end' fill='#333'>"
            f"{escape(str(rlabels[row])[:30])}</text>"
        )
        for j, col in enumerate(cols):
            cell = next((c for c in cells if c["row"] == row and c["column"] == col), None)
            if not cell:
                continue
            level = min(4, int(Decimal(cell[measure] or 0) / top * 5)) if top else 0
            fill = SEQUENTIAL[level]
            ink = "#fff" if level >= 2 else "#000"
            label = f"{rlabels[row]} × {clabels[col]}: {_fmt(cell[measure], measure)}"
            inner = (
                f"<rect x='{left + j * cw}' y='{top_m + i * ch}' width='{cw - 2}' height='{ch - 2}' fill='{fill}'>"
                f"<title>{escape(label)}</title></rect><text x='{left + j * cw + cw / 2 - 1}' "
                f"y='{top_m + i * ch + ch / 2 + 4}' text-anchor='middle' fill='{ink}'>"
                f"{escape(_fmt(cell[measure], measure))}</text>"
            )
            parts.append(_link(cell["href"], label, inner))
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------- Vega-Lite


def _axis_value(value, measure: str) -> float:
    """Money on axes in mill. kr (as county reports state it); counts and shares as they are."""
    number = float(value or 0)
    return number / 1_000_000 if measure == "amount" else number


def _axis_format(measure: str) -> str:
    return {"share": "%", "count": ",d"}.get(measure, ",.1f")


def _base(title: str, desc: str, values: list[dict]) -> dict:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": title,
        "description": desc,
        "width": "container",
        "height": 240,
        "data": {"values": values},
        "config": {"font": "system-ui, sans-serif", "axis": {"labelFontSize": 12, "titleFontSize": 12}},
    }


def stacked_bars_spec(
    rows: list[dict],
    x: str,
    color_label: str,
    color: str,
    measure: str,
    href: Callable[[dict], str],
    title: str,
    desc: str,
    x_title: str,
    y_title: str,
    color_title: str,
) -> dict:
    keys = list(dict.fromkeys(r[color] for r in sorted(rows, key=lambda r: (r[color] == NONE, r[color]))))
    palette = colours(keys)
    labels = {r[color]: r[color_label] for r in rows}
    values = [
        {
            "x": str(r[x]),
            "series": r[color_label],
            "value": _axis_value(r.get("amount" if measure == "share" else measure), measure),
            "text": _fmt(r.get(measure), measure),
            "href": href(r),
        }
        for r in rows
    ]
    spec = _base(title, desc, values)
    spec["mark"] = {"type": "bar", "cursor": "pointer"}
    spec["encoding"] = {
        "x": {"field": "x", "type": "ordinal", "title": x_title, "axis": {"labelAngle": 0}},
        "y": {
            "field": "value",
            "type": "quantitative",
            "title": y_title,
            "stack": "normalize" if measure == "share" else "zero",
            "axis": {"format": _axis_format(measure)},
        },
        "color": {
            "field": "series",
            "type": "nominal",
            "title": color_title,
            "scale": {"domain": [labels[k] for k in keys], "range": [palette[k] for k in keys]},
            "legend": {"orient": "bottom", "columns": 3},
        },
        "order": {"field": "series"},
        "tooltip": [
            {"field": "x", "title": x_title},
            {"field": "series", "title": color_title},
            {"field": "text", "title": y_title},
        ],
        "href": {"field": "href"},
    }
    return spec


def hbars_spec(
    items: list[tuple[str, Any, str]], measure: str, title: str, desc: str, y_title: str, x_title: str
) -> dict:
    values = [
        {"label": label, "value": float(v or 0), "text": _fmt(v, measure), "href": h} for label, v, h in items[:15]
    ]
    spec = _base(title, desc, values)
    spec["height"] = {"step": 22}
    spec["mark"] = {"type": "bar", "cursor": "pointer", "color": PALETTE[0]}
    spec["encoding"] = {
        "y": {"field": "label", "type": "nominal", "sort": None, "title": y_title},
        "x": {
            "field": "value",
            "type": "quantitative",
            "title": x_title,
            "axis": {"format": _axis_format(measure)},
        },
        "tooltip": [{"field": "label", "title": y_title}, {"field": "text", "title": x_title}],
        "href": {"field": "href"},
    }
    return spec


def heatmap_spec(cells: list[dict], measure: str, title: str, desc: str, row_title: str, col_title: str) -> dict:
    values = [
        {
            "row": c["row_label"],
            "column": c["column_label"],
            "value": float(c[measure] or 0),
            "text": _fmt(c[measure], measure),
            "href": c["href"],
        }
        for c in cells
    ]
    spec = _base(title, desc, values)
    spec["height"] = {"step": 34}
    spec["encoding"] = {
        "y": {"field": "row", "type": "nominal", "title": row_title},
        "x": {"field": "column", "type": "nominal", "title": col_title, "axis": {"labelAngle": 0}},
    }
    spec["layer"] = [
        {
            "mark": {"type": "rect", "cursor": "pointer"},
            "encoding": {
                "color": {"field": "value", "type": "quantitative", "scale": {"scheme": "blues"}, "title": title},
                "tooltip": [
                    {"field": "row", "title": row_title},
                    {"field": "column", "title": col_title},
                    {"field": "text"},
                ],
                "href": {"field": "href"},
            },
        },
        {
            "mark": {"type": "text"},
            "encoding": {
                "text": {"field": "text"},
                "color": {"condition": {"test": "datum.value > 0", "value": "#000"}, "value": "#000"},
            },
        },
    ]
    return spec
