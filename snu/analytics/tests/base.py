"""A small portfolio shared by the analytics tests: awkward amounts, a split, a pre-reform number, a rejection."""

from __future__ import annotations

from snu.analytics.tests import factories as f
from snu.test import BaseTestCase


class PortfolioTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.strategy = f.load_strategy(cls.authority)
        r = cls.ref = f.reference(cls.authority)
        old_tromso = f.municipality("1902", "Tromsø")
        cls.a1 = f.allocation(
            cls.authority,
            cls.strategy,
            year=2019,
            amount="100000.01",
            municipality=old_tromso,
            source=r["state"],
            scheme=r["rup"],
            focus={"OPP": "0.3333", "SIRK": "0.3333", "NIM": "0.3334"},
            drivers=("TEK", "FOUI"),
            advantages=("NAT",),
            org_number="910000001",
            recipient_name="Arktisk Fisk AS",
            industry="03.110",
            paid="50000.00",
        )
        cls.a2 = f.allocation(
            cls.authority,
            cls.strategy,
            year=2019,
            amount="250000.50",
            municipality=r["harstad"],
            source=r["county"],
            scheme=r["kmf"],
            focus={"NIM": "1"},
            drivers=("TEK",),
            org_form="SA",
            paid="200000.00",
        )
        cls.a3 = f.allocation(  # not aligned: outside the strategy
            cls.authority,
            cls.strategy,
            year=2020,
            amount="80000.00",
            municipality=r["ibestad"],
            source=r["state"],
            scheme=r["rup"],
        )
        cls.a4 = f.allocation(  # rejected: not effort, but demand
            cls.authority,
            cls.strategy,
            year=2020,
            amount="0.00",
            applied="40000.00",
            municipality=r["tromso"],
            source=r["county"],
            scheme=r["kmf"],
            status="rejected",
            focus={"OPP": "1"},
        )
        cls.a5 = f.allocation(
            cls.authority,
            cls.strategy,
            year=2020,
            amount="33333.33",
            municipality=r["harstad"],
            source=r["state"],
            scheme=r["rup"],
            status="paid",
            focus={"SVS": "0.7", "SIRK": "0.3"},
            drivers=("SAM", "TEK"),
            org_form="ENK",
            industry="01.110",
        )
        # Another authority's money must never show.
        cls.other_strategy = f.load_strategy(cls.other_authority)
        f.allocation(
            cls.other_authority,
            cls.other_strategy,
            year=2019,
            amount="999999.00",
            municipality=r["tromso"],
            focus={"OPP": "1"},
            drivers=("TEK",),
        )
