"""Sections on a strategy element's page: the partners, arenas and agreements serving a focus area."""

from __future__ import annotations

from django.http import HttpRequest

from snu.strategy.models import Element, ElementKind


def panels(request: HttpRequest, element: Element) -> list[dict]:
    if element.kind not in (ElementKind.FOCUS_AREA, ElementKind.TARGET_AREA):
        return []
    authority = getattr(request, "authority", None)
    context = {
        "element": element,
        "partners": list(element.partners.filter(authority=authority).order_by("name")),  # type: ignore[attr-defined]
        "arenas": list(element.arenas.filter(authority=authority).order_by("name")),  # type: ignore[attr-defined]
        "agreements": list(element.agreements.filter(authority=authority).order_by("title")),  # type: ignore[attr-defined]
        "flag": element.kind == ElementKind.FOCUS_AREA,
    }
    return [{"template": "partners/element_panel.html", "context": context, "order": 60}]
