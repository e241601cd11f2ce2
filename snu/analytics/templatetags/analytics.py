"""Format one table cell by its column type (money, share, int, text)."""

from __future__ import annotations

from django import template

from snu.lib import formatting

register = template.Library()


@register.simple_tag
def cell(row: dict, column: dict) -> str:
    value = row.get(column["key"])
    if value is None or value == "":
        return "–" if column["type"] != "text" else ""
    kind = column["type"]
    if kind == "money":
        return formatting.format_money(value, decimals=2)
    if kind == "share":
        return formatting.format_percent(value)
    if kind == "int":
        return formatting.format_number(value) if column["key"] not in ("year", "rank") else str(value)
    return str(value)


@register.filter
def is_numeric(column: dict) -> bool:
    return column["type"] != "text"
