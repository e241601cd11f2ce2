"""Allocation page panel: the action plan measures an allocation funds. Call `panels(request, allocation)`."""

from __future__ import annotations

from django.http import HttpRequest

from snu.grants.models import Allocation
from snu.plans import queries


def panels(request: HttpRequest, allocation: Allocation) -> list[dict]:
    measures = queries.measures_for_allocation(allocation)
    if not measures:
        return []
    return [{"template": "plans/allocation_panel.html", "context": {"measures": measures}, "order": 40}]
