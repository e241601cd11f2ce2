"""Home-page panels: agreements to renew soon, focus areas no partner serves."""

from __future__ import annotations

from django.http import HttpRequest

from snu.partners import queries


def panels(request: HttpRequest) -> list[dict]:
    authority = getattr(request, "authority", None)
    if authority is None:
        return []
    out = []
    expiring = queries.expiring_agreements(authority)
    if expiring:
        out.append({"template": "partners/home_agreements.html", "context": {"agreements": expiring}, "order": 60})
    strategy = queries.focus_strategy(authority)
    uncovered = queries.uncovered_focus_areas(authority, strategy)
    if uncovered:
        out.append(
            {
                "template": "partners/home_coverage.html",
                "context": {"elements": uncovered, "strategy": strategy},
                "order": 61,
            }
        )
    return out
