"""Element page panel: the action plans and measures that serve a strategy element."""

from __future__ import annotations

from django.http import HttpRequest

from snu.plans import queries
from snu.strategy.models import Element


def panels(request: HttpRequest, element: Element) -> list[dict]:
    rows = queries.measures_for_element(element)
    if not rows:
        return []
    return [{"template": "plans/element_panel.html", "context": {"rows": rows}, "order": 40}]
