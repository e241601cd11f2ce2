"""Test data made directly (the import app is built in parallel): a strategy, allocations, alignments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from snu.classify.models import Alignment, AlignmentElement, Origin
from snu.core.models import Authority
from snu.grants.models import Allocation, AllocationStatus, FundingSource, Municipality, Organisation, Scheme
from snu.strategy.models import Element, ElementKind, Strategy

PERSON_NAME = "Kari Nordmann Fjellheim"


def municipalities() -> dict[str, Municipality]:
    tromso, _ = Municipality.objects.get_or_create(number="5501", defaults={"name": "Tromsø", "valid_from": 2024})
    old, _ = Municipality.objects.get_or_create(
        number="5401", defaults={"name": "Tromsø", "valid_from": 2020, "valid_to": 2023, "current": tromso}
    )
    senja, _ = Municipality.objects.get_or_create(number="5530", defaults={"name": "Senja", "valid_from": 2024})
    return {"tromso": tromso, "tromso_old": old, "senja": senja}


def make_strategy(authority: Authority, code: str = "troms-2023") -> Strategy:
    strategy = Strategy.objects.create(
        authority=authority,
        code=code,
        name={"nb": "Strategi for næringsutvikling 2023–2028"},
        period_from=2023,
        period_to=2028,
        status=Strategy.Status.ADOPTED,
    )
    for order, (ecode, name) in enumerate([("GRONT", "Grønt næringsliv"), ("ATTR", "Attraktive samfunn")]):
        Element.objects.create(
            strategy=strategy, kind=ElementKind.FOCUS_AREA, code=ecode, name={"nb": name, "nn": name}, order=order
        )
    Element.objects.create(strategy=strategy, kind=ElementKind.DRIVER, code="TEK", name={"nb": "Teknologi"})
    return strategy


def make_allocations(authority: Authority, strategy: Strategy | None = None) -> dict[str, Allocation]:
    m = municipalities()
    source = FundingSource.objects.create(authority=authority, code="KDD-1350", name="KDD 13.50", is_state=True)
    scheme = Scheme.objects.create(
        authority=authority, code="RUM", name="Regionale utviklingsmidler", funding_source=source
    )
    other_scheme = Scheme.objects.create(authority=authority, code="INKUB", name="Inkubatortilskudd")
    firm = Organisation.objects.create(
        authority=authority, org_number="974760673", name="Arktisk Havbruk AS", org_form="AS"
    )
    person = Organisation.objects.create(
        authority=authority, org_number="912345688", name=PERSON_NAME, org_form="ENK", is_sole_proprietor=True
    )
    common = {"authority": authority, "funding_source": source}
    allocations = {
        "firm": Allocation.objects.create(
            **common,
            external_id="2023/0001",
            title="Grønn fôrproduksjon",
            description="Pilot for fôr fra tang",
            recipient=firm,
            recipient_name=firm.name,
            org_number=firm.org_number,
            scheme=scheme,
            municipality=m["tromso"],
            current_municipality=m["tromso"],
            decision_date=dt.date(2024, 3, 1),
            year=2024,
            amount=Decimal("500000.00"),
            status=AllocationStatus.GRANTED,
        ),
        "person": Allocation.objects.create(
            **common,
            external_id="2022/0042",
            title=f"Turistsatsing ved {PERSON_NAME}",
            description=f"{PERSON_NAME} bygger hytter",
            recipient=person,
            recipient_name=PERSON_NAME,
            org_number=person.org_number,
            scheme=other_scheme,
            municipality=m["tromso_old"],
            current_municipality=m["tromso"],
            decision_date=dt.date(2022, 6, 15),
            year=2022,
            amount=Decimal("120000.50"),
            status=AllocationStatus.PAID,
        ),
        "anonymous": Allocation.objects.create(
            **common,
            external_id="IN-7",
            title='=HYPERLINK("http://evil")',
            recipient_name="Enkeltpersonforetak 1234 (anonymisert)",
            scheme=other_scheme,
            current_municipality=m["senja"],
            municipality=m["senja"],
            decision_date=dt.date(2024, 9, 1),
            year=2024,
            amount=Decimal("75000"),
            status=AllocationStatus.GRANTED,
        ),
        "rejected": Allocation.objects.create(
            **common,
            external_id="2024/0099",
            title="Avslått søknad",
            recipient_name="Avslag AS",
            scheme=scheme,
            year=2024,
            amount=Decimal("0"),
            status=AllocationStatus.REJECTED,
        ),
    }
    if strategy is not None:
        green = strategy.elements.get(code="GRONT")
        attractive = strategy.elements.get(code="ATTR")
        for key, element in (("firm", green), ("person", attractive), ("anonymous", green)):
            allocation = allocations[key]
            alignment = Alignment.objects.create(
                allocation=allocation, strategy=strategy, primary=element, origin=Origin.RULE, confidence=0.8
            )
            AlignmentElement.objects.create(
                alignment=alignment, element=element, score=0.8, assigned=True, weight=1, amount=allocation.amount
            )
    return allocations
