"""Open-data downloads: CSV and 360Giving JSON, built from `queries.public_allocation` only."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from snu.core.models import Authority
from snu.grants.models import Allocation
from snu.lib.exports import stream_csv
from snu.public.privacy import SOLE_PROPRIETOR_LABEL
from snu.public.queries import PublicAllocation, public_allocation

CSV_HEADER = [
    "id",
    "external_id",
    "year",
    "decision_date",
    "title",
    "description",
    "recipient",
    "recipient_org_number",
    "municipality_number",
    "municipality",
    "scheme",
    "funding_source",
    "amount_nok",
    "amount_paid_nok",
    "status",
    "url",
]


def _rows(allocations: Iterable[Allocation], authority: Authority) -> Iterator[PublicAllocation]:
    for allocation in allocations:
        yield public_allocation(allocation, authority, label=SOLE_PROPRIETOR_LABEL)


def csv_lines(allocations: Iterable[Allocation], authority: Authority, base_url: str) -> Iterator[str]:
    rows = (
        [
            p.id,
            p.external_id,
            p.year,
            p.decision_date.isoformat() if p.decision_date else "",
            p.title,
            p.description,
            p.recipient_name,
            p.recipient_org_number,
            p.municipality_number,
            p.municipality,
            p.scheme,
            p.funding_source,
            p.amount,
            "" if p.amount_paid is None else p.amount_paid,
            p.status,
            base_url + p.path,
        ]
        for p in _rows(allocations, authority)
    )
    return stream_csv(CSV_HEADER, rows)


def grant_360(p: PublicAllocation, authority: Authority, base_url: str) -> dict[str, Any]:
    """One grant in the 360Giving data standard (JSON). Persons are `recipientIndividual` with no name."""
    grant: dict[str, Any] = {
        "id": p.id,
        "title": p.title or p.scheme or p.external_id,
        "description": p.description or p.title or p.scheme or p.external_id,
        "currency": "NOK",
        "amountAwarded": float(p.amount),
        # 360Giving needs a date; with only a year known, 1 January of that year stands for it
        "awardDate": p.decision_date.isoformat() if p.decision_date else f"{p.year}-01-01",
        "fundingOrganization": [{"id": f"NO-SNU-{authority.code}", "name": authority.name}],
        "dataSource": base_url + p.path,
    }
    if p.recipient_is_person:
        grant["recipientIndividual"] = {"id": f"{p.id}-IND", "name": p.recipient_name}
    else:
        org_id = f"NO-BRC-{p.recipient_org_number}" if p.recipient_org_number else f"{p.id}-ORG"
        grant["recipientOrganization"] = [{"id": org_id, "name": p.recipient_name or "–"}]
    if p.scheme:
        grant["grantProgramme"] = [{"code": p.scheme_code, "title": p.scheme}]
    if p.municipality:
        grant["beneficiaryLocation"] = [{"name": p.municipality, "geoCode": p.municipality_number}]
    if p.amount_paid is not None:
        grant["amountDisbursed"] = float(p.amount_paid)
    return grant


def json_chunks(allocations: Iterable[Allocation], authority: Authority, base_url: str) -> Iterator[str]:
    yield '{"grants": ['
    for i, p in enumerate(_rows(allocations, authority)):
        yield ("," if i else "") + json.dumps(grant_360(p, authority, base_url), ensure_ascii=False)
    yield "]}"
