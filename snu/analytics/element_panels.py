"""Element page section: money over time for one focus area, driver or advantage."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from snu.analytics import queries
from snu.analytics.filters import Filters


def kept_rows(request: HttpRequest, element) -> str | None:
    """The analytics snapshot the section's figures come from (None: from the database, under the totals version)."""
    from snu.analytics import snapshot

    if element.kind not in ("focus_area", "driver", "advantage"):
        return None
    authority = getattr(request, "authority", None)
    if queries.choose_backend(authority) != "duckdb":
        return None
    return (snapshot.info() or {}).get("folder")


def panels(request: HttpRequest, element) -> list[dict]:
    if element.kind not in ("focus_area", "driver", "advantage"):
        return []
    authority = getattr(request, "authority", None)
    if authority is None or element.strategy.authority_id != authority.pk:
        return []
    rows = queries.element_over_time(authority, element)
    top = max((r["amount"] for r in rows), default=queries.ZERO) or 1
    for r in rows:
        r["width"] = int(r["amount"] / top * 100)
        r["href"] = (
            reverse("analytics:allocations")
            + "?"
            + Filters()
            .narrowed(year=r["year"], **{element.kind: element.code})
            .to_query(strategy=element.strategy.code)
        )
    context = {
        "element": element,
        "rows": rows,
        "total": sum((r["amount"] for r in rows), queries.ZERO),
        "split": queries.split_rule(element.kind),
        "url": reverse("analytics:dashboard")
        + "?"
        + Filters().narrowed(**{element.kind: element.code}).to_query(strategy=element.strategy.code),
    }
    return [{"template": "analytics/element_panel.html", "context": context, "order": 30}]
