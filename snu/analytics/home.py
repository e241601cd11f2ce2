"""Home-page panel: money this year by focus area, for the newest strategy."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse

from snu.analytics import queries
from snu.analytics.filters import Filters
from snu.core.models import Role


def panels(request: HttpRequest) -> list[dict]:
    membership = getattr(request, "membership", None)
    authority = getattr(request, "authority", None)
    if authority is None or membership is None or not membership.has_role(Role.READER):
        return []
    strategy = queries.default_strategy(authority)
    if strategy is None:
        return []
    year = dt.date.today().year
    rows = queries.focus_areas_in_year(authority, strategy, year)
    if not rows:  # early in the year: show the last year with money instead
        years = queries.aggregate(authority, strategy, ["year"], Filters(), order_by_amount=False)
        if years:
            year = int(years[-1]["year"])
            rows = queries.focus_areas_in_year(authority, strategy, year)
    total = sum((r["amount"] for r in rows), queries.ZERO)
    for r in rows:
        r["share"] = (r["amount"] / total) if total else None
        r["href"] = (
            reverse("analytics:allocations")
            + "?"
            + Filters(year_from=year, year_to=year)
            .narrowed(focus_area=r["focus_area"])
            .to_query(strategy=strategy.code)
        )
    context = {
        "year": year,
        "rows": sorted(rows, key=lambda r: r["amount"], reverse=True),
        "total": total,
        "strategy": strategy,
        "url": reverse("analytics:dashboard") + f"?strategy={strategy.code}&year_from={year}&year_to={year}",
    }
    return [{"template": "analytics/home_panel.html", "context": context, "order": 20}]
