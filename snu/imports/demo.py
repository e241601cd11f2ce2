"""Demo data: Innovasjon Norge's grants in Troms 2010–2018 and allocations from public pages, both real.

Funding sources (state or county money) in the public-pages file: the funder's own money unless the scheme is
one the state pays for — regional development funds and the corona cluster funds (KDD, chapter 13.50, incl. the
RDA compensation funds), broadband (Nkom), outdoor-life grants (Miljødirektoratet) and the agricultural
recruitment funds (RK-midler, LMD through the agricultural agreement). Troms Holding AS spends its own
(county-owned) money. Innovasjon Norge's money is state money.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from snu.core.cli import CLI_ACTOR
from snu.core.models import Authority
from snu.imports.actions import import_allocations
from snu.imports.layouts import Mapping
from snu.imports.readers import Table

DATA = Path(__file__).resolve().parent / "data" / "demo"
INNOVASJON_NORGE = DATA / "innovasjon_norge_troms_2010_2018.csv"
PUBLIC_PAGES = DATA / "troms_allocations_public_pages.csv"

STATE_SCHEMES = [
    ("regional utvikling", "KDD – regionale utviklingsmidler (kap. 13.50)"),
    ("korona", "KDD – regionale utviklingsmidler (kap. 13.50)"),
    ("nkom", "Nkom – bredbåndsmidler"),
    ("miljødirektoratet", "Miljødirektoratet – friluftslivsmidler"),
    ("rk-midler", "LMD – rekrutterings- og kompetansemidler i landbruket"),
]
PUBLIC_HEADERS = [
    "title",
    "description",
    "recipient",
    "municipality",
    "scheme",
    "funding_source",
    "amount",
    "year",
    "source_url",
    "tags",
]


def funding_source_for(funder: str, scheme: str) -> str:
    lower = scheme.lower()
    for needle, source in STATE_SCHEMES:
        if needle in lower:
            return source
    if funder.startswith("RDA"):
        return STATE_SCHEMES[0][1]
    return funder


def public_page_rows() -> Iterator[list[str]]:
    """The public-pages file in SNU's canonical columns: its own layout, mapped explicitly."""
    with open(PUBLIC_PAGES, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            tags = ["public-page"]
            amount = row["amount_nok"].strip()
            if not amount:
                tags.append("amount-unknown")
                amount = "0"
            elif row["amount_exact"] == "no":
                tags.append("amount-approximate")
            place = row["municipality"].strip()
            number = row["knr_2020_2023"].strip()
            yield [
                row["project"],
                row["description"],
                row["recipient"],
                f"{number} {place}" if number else place,
                row["scheme"],
                funding_source_for(row["funder"], row["scheme"]),
                amount,
                row["year"],
                row["source_url"],
                ";".join(tags),
            ]


def public_pages_table() -> Table:
    return Table(PUBLIC_HEADERS, public_page_rows(), "csv")


def load(authority: Authority, stdout) -> None:
    result = import_allocations(CLI_ACTOR, authority, INNOVASJON_NORGE)
    stdout.write(f"Innovasjon Norge 2010–2018: {result.created} allocations, {result.total_amount:,.0f} kr")
    mapping = Mapping({h: h for h in PUBLIC_HEADERS}, {"status": "granted"}, layout="public_pages")
    result = import_allocations(
        CLI_ACTOR,
        authority,
        PUBLIC_PAGES,
        table=public_pages_table(),
        mapping=mapping,
        skip_invalid=True,
        skipped_folder=Path(settings.DATA_DIR) / "imports",
    )
    stdout.write(f"Allocations from public pages: {result.created} allocations")
    for e in result.errors:  # the two rows whose year no public page gives
        stdout.write(f"  left out, row {e.row} ({e.column}): {e.reason} — see {result.skipped_path}")
