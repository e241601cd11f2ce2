"""Reads of trends and signals for pages, the home page and the plans' revision brief."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from snu.core.models import Authority
from snu.signals.models import REVIEW_WARNING_DAYS, Horizon, Signal
from snu.strategy.models import Element, ElementKind, Strategy


def signals_for(authority: Authority | None) -> QuerySet[Signal]:
    if authority is None:
        return Signal.objects.none()
    return Signal.objects.filter(authority=authority)


def signals_since(authority: Authority, date: dt.date) -> list[Signal]:
    """Signals registered or changed on or after `date` (not archived), newest first: for a revision brief."""
    since = timezone.make_aware(dt.datetime.combine(date, dt.time.min))
    qs = signals_for(authority).filter(is_archived=False).filter(Q(created_at__gte=since) | Q(updated_at__gte=since))
    return list(qs.order_by("-updated_at", "title").prefetch_related("drivers", "focus_areas"))


def due_for_review(authority: Authority, today: dt.date | None = None) -> list[Signal]:
    today = today or dt.date.today()
    limit = today + dt.timedelta(days=REVIEW_WARNING_DAYS)
    return list(
        signals_for(authority).filter(is_archived=False, review_date__lte=limit).order_by("review_date", "title")
    )


def overview(authority: Authority, strategy: Strategy | None, signals: QuerySet[Signal]) -> dict:
    """Signals in a grid of the strategy's drivers by time horizon; signals without a driver of it in a last row."""
    drivers = list(strategy.elements_of(ElementKind.DRIVER)) if strategy else []
    items = list(signals.prefetch_related("drivers"))
    rows = []
    placed: set[int] = set()
    for driver in drivers:
        cells = []
        for horizon in Horizon:
            hits = [s for s in items if s.horizon == horizon and any(d.pk == driver.pk for d in s.drivers.all())]
            placed.update(s.pk for s in hits)
            cells.append({"horizon": horizon, "signals": hits})
        rows.append({"driver": driver, "cells": cells})
    loose = [s for s in items if s.pk not in placed]
    if loose:
        rows.append(
            {
                "driver": None,
                "cells": [{"horizon": h, "signals": [s for s in loose if s.horizon == h]} for h in Horizon],
            }
        )
    return {"horizons": list(Horizon), "rows": rows}


def signals_for_element(authority: Authority | None, element: Element) -> list[Signal]:
    return list(
        signals_for(authority)
        .filter(Q(drivers=element) | Q(focus_areas=element))
        .filter(is_archived=False)
        .distinct()
        .order_by("title")
    )


def plans_for(authority: Authority | None) -> list[Any]:
    """The authority's action plans, if the plans app is there."""
    try:
        model = apps.get_model("plans", "ActionPlan")
    except LookupError:
        return []
    if authority is None:
        return []
    return list(model.objects.filter(authority=authority))
