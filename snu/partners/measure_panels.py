"""A section on an action-plan measure's page: the partners and agreements linked to it.

Links are matched on the measure's key, so they carry over when a plan is revised."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from snu.partners.models import Agreement, Partner


def panels(request: HttpRequest, measure: Any) -> list[dict]:
    authority = getattr(request, "authority", None)
    partners = Partner.objects.filter(authority=authority, measures__key=measure.key).distinct().order_by("name")
    agreements = Agreement.objects.filter(authority=authority, measures__key=measure.key).distinct()
    context = {"measure": measure, "partners": list(partners), "agreements": list(agreements.order_by("title"))}
    return [{"template": "partners/measure_panel.html", "context": context, "order": 60}]
