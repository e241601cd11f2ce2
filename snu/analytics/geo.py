"""The Troms choropleth: today's municipalities (2024) as SVG paths, drawn on the server.

Boundaries © Kartverket, CC BY 4.0 (data/troms_2024.geojson). A simple equirectangular projection scaled
by cos(latitude) is true enough at 69° N for a county map; each municipality is a focusable link whose
accessible name holds the name and the value, so the map is also the drill-down and the no-JS fallback.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from snu.analytics.charts import FONT, SEQUENTIAL

GEOJSON = Path(__file__).resolve().parent / "data" / "troms_2024.geojson"
WIDTH = 640


@cache
def shapes() -> tuple[dict, float]:
    """{number: {"name", "d" (SVG path), "cx", "cy"}}, and the map's height for WIDTH."""
    data = json.loads(GEOJSON.read_text(encoding="utf-8"))
    polys = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        coords = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        polys.append((feature["properties"], coords))
    lats = [pt[1] for _, coords in polys for poly in coords for ring in poly for pt in ring]
    lons = [pt[0] for _, coords in polys for poly in coords for ring in poly for pt in ring]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))
    x0, x1, y0, y1 = min(lons) * k, max(lons) * k, min(lats), max(lats)
    scale = (WIDTH - 20) / (x1 - x0)
    height = (y1 - y0) * scale + 20

    def project(pt: list[float]) -> tuple[float, float]:
        return 10 + (pt[0] * k - x0) * scale, 10 + (y1 - pt[1]) * scale

    out = {}
    for props, coords in polys:
        d_parts, xs, ys, area_max, centre = [], [], [], -1.0, (0.0, 0.0)
        for poly in coords:
            for ring in poly:
                points = [project(p) for p in ring]
                simplified = [points[0]]
                for p in points[1:]:  # drop points closer than half a pixel: the path shrinks a lot
                    if abs(p[0] - simplified[-1][0]) + abs(p[1] - simplified[-1][1]) >= 0.5:
                        simplified.append(p)
                if len(simplified) < 3:
                    continue
                d_parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in simplified) + "Z")
                xs += [p[0] for p in simplified]
                ys += [p[1] for p in simplified]
                area = (max(p[0] for p in simplified) - min(p[0] for p in simplified)) * (
                    max(p[1] for p in simplified) - min(p[1] for p in simplified)
                )
                if area > area_max:
                    area_max = area
                    centre = (
                        sum(p[0] for p in simplified) / len(simplified),
                        sum(p[1] for p in simplified) / len(simplified),
                    )
        number = props.get("kommunenummer") or props.get("id")
        out[number] = {"name": props.get("kommunenavn") or props.get("name"), "d": "".join(d_parts), "centre": centre}
    return out, height


def classes(values: list[Decimal]) -> list[Decimal]:
    """Upper bounds of five equal-count classes over the positive values."""
    positive = sorted(v for v in values if v and v > 0)
    if not positive:
        return []
    return [positive[min(len(positive) - 1, math.ceil(len(positive) * (i + 1) / 5) - 1)] for i in range(5)]


def choropleth_svg(
    values: dict[str, tuple[Any, str]],
    hrefs: dict[str, str],
    title: str,
    desc: str,
    legend_title: str,
    no_data: str,
    ident: str = "map",
) -> str:
    """`values`: number -> (value, formatted value). Municipalities with no value are light grey."""
    paths, height = shapes()
    bounds = classes([Decimal(v[0]) for v in values.values() if v[0] is not None])
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {height + 70:.0f}' width='100%' role='group' "
        f"aria-labelledby='{ident}-t {ident}-d' class='snu-chart-svg snu-map' {FONT}>"
        f"<title id='{ident}-t'>{escape(title)}</title><desc id='{ident}-d'>{escape(desc)}</desc>"
    ]
    for number, shape in sorted(paths.items()):
        value, text = values.get(number, (None, no_data))
        fill = "#F2F2F2"
        if value is not None and bounds and Decimal(value) > 0:
            level = next((i for i, b in enumerate(bounds) if Decimal(value) <= b), 4)
            fill = SEQUENTIAL[level]
        label = f"{shape['name']}: {text}"
        inner = (
            f"<path d='{shape['d']}' fill='{fill}' stroke='#555' stroke-width='0.6'>"
            f"<title>{escape(label)}</title></path>"
        )
        href = hrefs.get(number)
        parts.append(f"<a href='{escape(href)}' aria-label='{escape(label)}'>{inner}</a>" if href else inner)
    y = height + 10
    parts.append(f"<text x='10' y='{y + 10:.0f}' fill='#333'>{escape(legend_title)}</text>")
    for i, colour in enumerate(SEQUENTIAL[: len(bounds)]):
        parts.append(
            f"<rect x='{10 + i * 100}' y='{y + 18:.0f}' width='24' height='14' fill='{colour}' stroke='#555'/>"
        )
        parts.append(f"<text x='{38 + i * 100}' y='{y + 30:.0f}' fill='#333'>≤ {escape(values_fmt(bounds[i]))}</text>")
    parts.append(f"<text x='10' y='{y + 52:.0f}' fill='#333' font-size='11'>© Kartverket, CC BY 4.0</text>")
    parts.append("</svg>")
    return "".join(parts)


def values_fmt(value: Decimal) -> str:
    from snu.lib.formatting import format_number

    if value >= 1_000_000:
        return format_number(value / 1_000_000, 1) + "\u00a0mill."
    if value < 1:
        return format_number(value * 100, 1) + "\u00a0%"
    return format_number(value)
