"""Home-page panel: plan revisions that are overdue, due soon or in progress."""

from __future__ import annotations

from django.http import HttpRequest

from snu.plans import queries


def panels(request: HttpRequest) -> list[dict]:
    rows = queries.revisions_due(getattr(request, "authority", None))
    if not rows:
        return []
    return [{"template": "plans/home_panel.html", "context": {"rows": rows}, "order": 40}]
