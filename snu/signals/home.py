"""Home-page panel: signals due for review."""

from __future__ import annotations

from django.http import HttpRequest

from snu.signals import queries


def panels(request: HttpRequest) -> list[dict]:
    authority = getattr(request, "authority", None)
    if authority is None:
        return []
    due = queries.due_for_review(authority)
    if not due:
        return []
    return [{"template": "signals/home_due.html", "context": {"signals": due}, "order": 70}]
