"""Reads of strategies for pages, reports and the API."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from snu.core.models import Authority
from snu.strategy.models import ELEMENT_KIND_PLURAL, Element, ElementKind, Strategy


def strategies_for(authority: Authority | None) -> QuerySet[Strategy]:
    if authority is None:
        return Strategy.objects.none()
    return Strategy.objects.filter(authority=authority)


def current_strategy(authority: Authority | None, year: int | None = None) -> Strategy | None:
    """The adopted strategy in force (the newest whose period covers `year`, else the newest adopted)."""
    qs = strategies_for(authority).exclude(status=Strategy.Status.ARCHIVED).order_by("-period_from")
    if year is not None:
        in_force = qs.filter(period_from__lte=year, period_to__gte=year).first()
        if in_force:
            return in_force
    return qs.filter(status=Strategy.Status.ADOPTED).first() or qs.first()


def structure(strategy: Strategy) -> dict:
    """The strategy's elements grouped by kind, with children and related elements prefetched."""
    elements = list(
        strategy.elements.select_related("parent").prefetch_related(
            "related", Prefetch("children", queryset=Element.objects.order_by("order", "code"))
        )
    )
    groups = []
    for kind in ElementKind:
        members = [e for e in elements if e.kind == kind]
        groups.append({"kind": kind, "label": ELEMENT_KIND_PLURAL[kind], "elements": members})
    drivers = [e for e in elements if e.kind == ElementKind.DRIVER]
    focus = [e for e in elements if e.kind == ElementKind.FOCUS_AREA]
    interplay = [
        {"focus": f, "drivers": {d.code for d in f.related.all() if d.kind == ElementKind.DRIVER}} for f in focus
    ]
    return {
        "groups": groups,
        "drivers": drivers,
        "focus_areas": focus,
        "interplay": interplay,
        "all": elements,
    }
