"""Building blocks of the report structure: formatted tables and print-ready figures."""

from __future__ import annotations

import re
from decimal import Decimal

from snu.lib.formatting import format_date, format_mnok, format_money, format_number, format_percent


def fmt(value, kind: str) -> str:
    """A cell as readers see it (nb-NO numbers); the raw value stays in the table for the spreadsheet."""
    if value is None or value == "":
        return "–" if kind != "text" else ""
    if kind == "money":
        return format_money(value, 0)
    if kind == "mnok":
        return format_mnok(value)
    if kind == "share":
        return format_percent(value)
    if kind == "date":
        return format_date(value)
    if kind == "int":
        return format_number(value)
    return str(value)


def table(tid: str, title: str, columns: list[tuple[str, str, str]], rows: list[dict], note: str = "") -> dict:
    cols = [{"key": k, "label": str(label), "type": kind} for k, label, kind in columns]
    raw = [[r.get(c["key"]) for c in cols] for r in rows]
    cells = [[fmt(v, c["type"]) for v, c in zip(row, cols, strict=True)] for row in raw]
    return {"type": "table", "id": tid, "title": str(title), "columns": cols, "rows": raw, "cells": cells, "note": note}


def figure(fid: str, title: str, svg: str, source: str = "") -> dict:
    """A chart for print: the dashboard's SVG without its drill-down links (they lead nowhere on paper)."""
    svg = re.sub(r"<a [^>]*>|</a>", "", svg)
    return {"type": "figure", "id": fid, "title": str(title), "svg": svg, "source": source}


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part / whole).quantize(Decimal("0.0001")) if whole else None
