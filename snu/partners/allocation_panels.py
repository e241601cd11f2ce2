"""A section on an allocation's page: the partner record of the recipient, if there is one."""

from __future__ import annotations

from django.http import HttpRequest

from snu.grants.models import Allocation
from snu.partners import queries


def panels(request: HttpRequest, allocation: Allocation) -> list[dict]:
    partner = queries.partner_for_allocation(allocation)
    if partner is None:
        return []
    context = {"partner": partner, "money": queries.money_received(partner)}
    return [{"template": "partners/allocation_panel.html", "context": context, "order": 60}]
