from __future__ import annotations

import io
from decimal import Decimal

from django.core.management import call_command

from snu.grants.models import Allocation, AllocationStatus, Organisation
from snu.strategy.models import Element

_counter = {"n": 0}


def load_strategies(authority_code: str = "troms") -> None:
    call_command("strategy", "load", "--shipped", "--authority", authority_code, stdout=io.StringIO())


def element(authority, code: str, strategy: str = "troms-snu-2018") -> Element:
    return Element.objects.get(strategy__authority=authority, strategy__code=strategy, code=code)


def allocate(
    authority,
    amount: str,
    *,
    org_number: str = "",
    recipient=None,
    year: int = 2021,
    title: str = "",
    status: str = AllocationStatus.GRANTED,
    paid: str | None = None,
) -> Allocation:
    _counter["n"] += 1
    return Allocation.objects.create(
        authority=authority,
        external_id=f"T-{_counter['n']}",
        org_number=org_number,
        recipient=recipient,
        year=year,
        amount=Decimal(amount),
        amount_paid=Decimal(paid) if paid is not None else None,
        title=title,
        status=status,
    )


def organisation(authority, org_number: str, name: str = "Org AS") -> Organisation:
    return Organisation.objects.create(authority=authority, org_number=org_number, name=name)
