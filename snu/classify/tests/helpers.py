"""Shared set-up for the classify tests: the shipped Troms strategies and a few allocations."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings

from snu.classify import engine
from snu.grants.models import Allocation, FundingSource, Organisation, Scheme
from snu.strategy.actions import load_file
from snu.strategy.models import Strategy

DATA = Path(settings.BASE_DIR) / "strategy" / "data"

ALLOCATIONS = [
    # title, description, industry code, amount
    ("Vinterturisme og nordlysopplevelser", "Utvikling av helårs reiseliv og guiding for turister", "79.120", 800_000),
    (
        "Restråstoff fra fiskeindustrien",
        "Bedre utnyttelse av biprodukt og gjenbruk i sjømatnæringen",
        "10.200",
        1_200_000,
    ),
    ("Inkubator for gründere i Tromsø", "Næringshage og rådgivning til nyetablerte bedrifter", "70.220", 450_000),
    ("Sentrumsutvikling i Storslett", "Stedsutvikling, møteplass og bolyst i lokalsamfunnet", "84.110", 300_000),
    ("Festival i Lyngen", "Kulturfestival med konserter og kunst for besøkende", "90.010", 150_000),
    ("Møbelsnekker", "Innkjøp av maskiner", "", 90_000),
]


class ClassifyData:
    """Mixin for BaseTestCase: `self.snu2018`, `self.strategy2023`, `self.allocations`."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()  # type: ignore[misc]
        for name in ("troms-snu-2018.yaml", "troms-2023.yaml", "troms-2018-to-2023.yaml"):
            load_file(None, cls.authority, DATA / name)  # type: ignore[attr-defined]
        cls.snu2018 = Strategy.objects.get(authority=cls.authority, code="troms-snu-2018")  # type: ignore[attr-defined]
        cls.strategy2023 = Strategy.objects.get(authority=cls.authority, code="troms-2023")  # type: ignore[attr-defined]
        authority = cls.authority  # type: ignore[attr-defined]
        source = FundingSource.objects.create(authority=authority, code="KDD", name="Regional utvikling (KDD)")
        scheme = Scheme.objects.create(authority=authority, code="RUM", name="Regionale utviklingsmidler")
        cls.allocations = []
        for i, (title, description, nace, amount) in enumerate(ALLOCATIONS):
            org = Organisation.objects.create(authority=authority, name=f"Mottaker {i}", org_form="AS")
            cls.allocations.append(
                Allocation.objects.create(
                    authority=authority,
                    external_id=f"2020-{i:04d}",
                    title=title,
                    description=description,
                    recipient=org,
                    recipient_name=org.name,
                    funding_source=source,
                    scheme=scheme,
                    year=2020,
                    amount=Decimal(amount) + Decimal("0.33"),
                    industry_code=nace,
                )
            )

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        engine.forget_models()
