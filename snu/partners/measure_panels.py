"""A section on an action-plan measure's page: the partners and agreements linked to it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from snu.partners.models import Agreement, Partner


def panels(request: HttpRequest, measure: Any) -> list[dict]:
    if not hasattr(Partner, "measures"):
        return []
    authority = getattr(request, "authority", None)
    context = {
        "measure": measure,
        "partners": list(Partner.objects.filter(authority=authority, measures=measure).order_by("name")),
        "agreements": list(Agreement.objects.filter(authority=authority, measures=measure).order_by("title")),
    }
    return [{"template": "partners/measure_panel.html", "context": context, "order": 60}]
