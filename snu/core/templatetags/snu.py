"""Template filters: nb-NO money, numbers and dates, and texts per language. Built in to every template."""

from __future__ import annotations

from django import template

from snu.lib import formatting
from snu.lib.i18n import pick

register = template.Library()


@register.filter
def money(value: object) -> str:
    return formatting.format_money(value)


@register.filter
def money_exact(value: object) -> str:
    return formatting.format_money(value, decimals=2)


@register.filter
def mnok(value: object) -> str:
    return formatting.format_mnok(value)


@register.filter
def num(value: object, decimals: int = 0) -> str:
    return formatting.format_number(value, int(decimals))


@register.filter
def percent(value: object, decimals: int = 1) -> str:
    return formatting.format_percent(value, int(decimals))


@register.filter
def nbdate(value: object) -> str:
    return formatting.format_date(value)  # type: ignore[arg-type]


@register.filter
def nbdatetime(value: object) -> str:
    return formatting.format_datetime(value)  # type: ignore[arg-type]


@register.filter
def tr(texts: object, lang: str | None = None) -> str:
    """Pick the active language's text from a {"nb": …, "en": …} value."""
    return pick(texts, lang)  # type: ignore[arg-type]


@register.filter
def get_item(mapping: object, key: object) -> object:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def add_ds_class(field: object) -> object:
    """Render a form field with Designsystemet's input class and the ARIA links to its help and error."""
    attrs = {"class": "ds-input"}
    described = []
    if getattr(field, "help_text", ""):
        described.append(f"{field.auto_id}_help")  # type: ignore[attr-defined]
    if getattr(field, "errors", None):
        described.append(f"{field.auto_id}_error")  # type: ignore[attr-defined]
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)  # type: ignore[attr-defined]
