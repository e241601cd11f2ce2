"""The element page's "Allocations" section: the top allocations with their scores."""

from __future__ import annotations

from django.http import HttpRequest

from snu.classify import queries
from snu.strategy.models import Element

TOP = 10


def kept_rows(request: HttpRequest, element: Element) -> tuple:
    """The alignments the section lists (its top rows), as stamps."""
    return queries.element_rows_stamp(element, 0, TOP)


def panels(request: HttpRequest, element: Element) -> list[dict]:
    rows = list(queries.element_allocations(element)[:TOP])
    context = {"element": element, "rows": rows, "totals": queries.element_totals(element), "top": TOP}
    return [{"template": "classify/_element_panel.html", "context": context, "order": 10}]
