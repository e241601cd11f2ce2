"""Home page card: how far review has come for the current strategy."""

from __future__ import annotations

from django.http import HttpRequest

from snu.classify import queries
from snu.core.permissions import can_edit
from snu.strategy.queries import current_strategy


def panels(request: HttpRequest) -> list[dict]:
    if not request.user.is_authenticated or not can_edit(request):
        return []
    strategy = current_strategy(getattr(request, "authority", None))
    if strategy is None:
        return []
    context = {"strategy": strategy, "progress": queries.progress(strategy)}
    return [{"template": "classify/_home_panel.html", "context": context, "order": 30}]
