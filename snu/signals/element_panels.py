"""A section on a driver's or focus area's page: the trends and signals linked to it."""

from __future__ import annotations

from django.http import HttpRequest

from snu.signals import queries
from snu.strategy.models import Element, ElementKind


def panels(request: HttpRequest, element: Element) -> list[dict]:
    if element.kind not in (ElementKind.DRIVER, ElementKind.FOCUS_AREA):
        return []
    signals = queries.signals_for_element(getattr(request, "authority", None), element)
    return [{"template": "signals/element_panel.html", "context": {"signals": signals}, "order": 70}]
