"""A small 2018 portfolio for the report tests: a split, a county source, a sole proprietor, noise years."""

from __future__ import annotations

from snu.analytics import queries
from snu.analytics.tests import factories as f
from snu.test import BaseTestCase

PERSON = "Kari Nordmann"


class ReportTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.strategy = f.load_strategy(cls.authority)
        r = cls.ref = f.reference(cls.authority)
        cls.a1 = f.allocation(
            cls.authority,
            cls.strategy,
            year=2018,
            amount="100000.01",
            municipality=r["tromso"],
            source=r["state"],
            scheme=r["rup"],
            focus={"OPP": "0.3333", "SIRK": "0.3333", "NIM": "0.3334"},
            drivers=("TEK",),
            advantages=("NAT",),
            recipient_name="Arktisk Fisk AS",
        )
        cls.a2 = f.allocation(
            cls.authority,
            cls.strategy,
            year=2018,
            amount="250000.50",
            municipality=r["harstad"],
            source=r["county"],
            scheme=r["kmf"],
            focus={"NIM": "1"},
            drivers=("TEK", "SAM"),
            recipient_name="Harstad Havbruk SA",
            org_form="SA",
        )
        cls.a3 = f.allocation(
            cls.authority,
            cls.strategy,
            year=2018,
            amount="80000.00",
            municipality=r["ibestad"],
            source=r["state"],
            scheme=r["rup"],
            recipient_name="Ibestad Utvikling AS",
        )
        cls.a4 = f.allocation(
            cls.authority,
            cls.strategy,
            year=2018,
            amount="0.00",
            applied="40000.00",
            municipality=r["tromso"],
            source=r["county"],
            status="rejected",
            focus={"OPP": "1"},
        )
        cls.a5 = f.allocation(
            cls.authority,
            cls.strategy,
            year=2018,
            amount="33333.33",
            municipality=r["harstad"],
            source=r["state"],
            status="paid",
            focus={"SVS": "0.7", "SIRK": "0.3"},
            org_form="ENK",
            recipient_name=PERSON,
        )
        cls.a5.title = f"Gardsutvikling hos {PERSON}"
        cls.a5.save(update_fields=["title"])
        cls.a6 = f.allocation(
            cls.authority,
            cls.strategy,
            year=2017,
            amount="999999.00",
            municipality=r["tromso"],
            source=r["state"],
            focus={"OPP": "1"},
        )
        other_strategy = f.load_strategy(cls.other_authority)
        f.allocation(
            cls.other_authority,
            other_strategy,
            year=2018,
            amount="777777.00",
            focus={"OPP": "1"},
            recipient_name="Nordland Secret AS",
        )

    def setUp(self) -> None:
        queries._memo.clear()  # lookups are memoised for two seconds; test databases reuse ids
