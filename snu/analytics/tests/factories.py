"""Small factories: allocations with alignments, made directly, so analytics tests need no importer or classifier."""

from __future__ import annotations

from decimal import Decimal
from itertools import count
from pathlib import Path

from snu.classify.models import Alignment, AlignmentElement
from snu.grants.models import Allocation, FundingSource, Municipality, Organisation, Scheme
from snu.lib.money import split_by_weights
from snu.strategy import actions as strategy_actions
from snu.strategy.models import Strategy

STRATEGY_FILE = Path(__file__).resolve().parents[2] / "strategy" / "data" / "troms-snu-2018.yaml"
_ids = count(1)


def load_strategy(authority) -> Strategy:
    return strategy_actions.load_file(None, authority, STRATEGY_FILE)  # type: ignore[return-value]


def municipality(number: str, name: str, population: int | None = None, current: Municipality | None = None):
    m, _ = Municipality.objects.get_or_create(
        number=number,
        defaults={"name": name, "valid_from": 2024 if number.startswith("55") else 2019, "population": population},
    )
    if current is not None:
        m.current, m.valid_to = current, 2019
        m.save()
    return m


def reference(authority) -> dict:
    """Three of today's municipalities (one with a pre-2020 number), a state and a county source, two schemes."""
    tromso = municipality("5501", "Tromsø", 78_000)
    harstad = municipality("5503", "Harstad", 25_000)
    ibestad = municipality("5514", "Ibestad")
    municipality("1902", "Tromsø", current=tromso)
    state = FundingSource.objects.create(
        authority=authority, code="KDD-1350", name="Regionale utviklingsmidler", is_state=True, principal="KDD"
    )
    county = FundingSource.objects.create(authority=authority, code="TFK", name="Fylkeskommunale midler")
    return {
        "tromso": tromso,
        "harstad": harstad,
        "ibestad": ibestad,
        "state": state,
        "county": county,
        "rup": Scheme.objects.create(authority=authority, code="RUP", name="Regionalt utviklingsprogram"),
        "kmf": Scheme.objects.create(authority=authority, code="KMF", name="Kommunale næringsfond"),
    }


def allocation(
    authority,
    strategy: Strategy | None,
    *,
    year: int,
    amount: str,
    municipality=None,
    source=None,
    scheme=None,
    status: str = "granted",
    focus: dict[str, str] | None = None,
    drivers: tuple[str, ...] = (),
    advantages: tuple[str, ...] = (),
    org_form: str = "AS",
    org_number: str = "",
    recipient_name: str = "",
    industry: str = "",
    paid: str | None = None,
    applied: str | None = None,
) -> Allocation:
    """One allocation; `focus` maps focus-area codes to weights, split to the øre like the classifier does."""
    n = next(_ids)
    org = Organisation.objects.create(
        authority=authority, name=recipient_name or f"Mottaker {n}", org_form=org_form, org_number=org_number
    )
    a = Allocation.objects.create(
        authority=authority,
        external_id=f"T-{n}",
        title=f"Prosjekt {n}",
        recipient=org,
        recipient_name=org.name,
        org_number=org_number,
        funding_source=source,
        scheme=scheme,
        municipality=municipality,
        current_municipality=(municipality.current or municipality) if municipality else None,
        year=year,
        amount=Decimal(amount),
        amount_paid=Decimal(paid) if paid is not None else None,
        amount_applied=Decimal(applied) if applied is not None else None,
        status=status,
        industry_code=industry,
    )
    if strategy is not None and (focus or drivers or advantages):
        align(a, strategy, focus or {}, drivers, advantages)
    return a


def align(a: Allocation, strategy: Strategy, focus: dict[str, str], drivers=(), advantages=()) -> Alignment:
    alignment = Alignment.objects.create(allocation=a, strategy=strategy, confidence=0.9)
    elements = {e.code: e for e in strategy.elements.all()}
    weights = [Decimal(w) for w in focus.values()]
    amounts = split_by_weights(a.amount, weights) if focus else []
    for (code, weight), share in zip(focus.items(), amounts, strict=True):
        AlignmentElement.objects.create(
            alignment=alignment, element=elements[code], score=0.9, assigned=True, weight=Decimal(weight), amount=share
        )
    for code in (*drivers, *advantages):
        AlignmentElement.objects.create(alignment=alignment, element=elements[code], score=0.8, assigned=True)
    # An unassigned score must never count.
    for code in ("SVS", "SAMF"):
        if code not in focus and code not in advantages:
            AlignmentElement.objects.create(
                alignment=alignment,
                element=elements[code],
                score=0.2,
                assigned=False,
                weight=Decimal("0.5"),
                amount=a.amount,
            )
    return alignment
