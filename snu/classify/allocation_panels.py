"""The allocation page's "Strategy alignment" section: per strategy, the decision and the why."""

from __future__ import annotations

from django.http import HttpRequest

from snu.classify import queries
from snu.classify.forms import DecisionForm
from snu.core import dataversion
from snu.core.permissions import can_edit
from snu.grants.models import Allocation
from snu.strategy.models import Element, Strategy


def panels(request: HttpRequest, allocation: Allocation) -> list[dict]:
    alignments = queries.alignments_of(allocation)
    editable = can_edit(request)
    memo: dict = {}  # version mappings, read once for the page
    items = [
        {
            "x": queries.explained(alignment, memo=memo),
            "form": DecisionForm(alignment=alignment, elements=_elements(alignment.strategy)) if editable else None,
        }
        for alignment in alignments
    ]
    context = {"items": items, "allocation": allocation, "next": request.get_full_path()}
    return [{"template": "classify/_allocation_panel.html", "context": context, "order": 20}]


def kept_rows(allocation: Allocation) -> tuple:
    """The alignments the section shows (the allocation's own and the similar confirmed ones), as stamps."""
    return queries.allocation_rows(allocation)


def _elements(strategy: Strategy) -> list[Element]:
    return dataversion.remembered(
        "decision-elements",
        strategy.pk,
        lambda: list(strategy.elements.select_related("strategy").order_by("order", "code")),
    )
