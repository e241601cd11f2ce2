"""Exports of allocations: SNU's canonical CSV, XLSX (same columns) and a 360Giving JSON package.

Every export can be imported again into an empty database and gives the same allocations.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet

from snu.core.models import Authority
from snu.grants.models import Allocation
from snu.imports.layouts import CANONICAL

EXPORT_COLUMNS = [*CANONICAL[:-1], "industry_name", "tags", "source_url"]
SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "360giving-grant-schema.json"


def allocations_for_export(authority: Authority) -> QuerySet[Allocation]:
    return (
        Allocation.objects.filter(authority=authority)
        .select_related("scheme", "funding_source", "municipality")
        .order_by("id")
    )


def _municipality(a: Allocation) -> str:
    # The number the allocation was given, so the export resolves the same way whatever the name's spelling.
    return a.municipality.number if a.municipality else a.municipality_given


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def canonical_rows(queryset: QuerySet[Allocation]) -> Iterator[list[str]]:
    for a in queryset.iterator(chunk_size=5000):
        yield [
            a.external_id,
            a.title,
            a.description,
            a.recipient_name,
            a.org_number,
            _municipality(a),
            a.scheme.name if a.scheme else "",
            a.funding_source.name if a.funding_source else "",
            a.industry_code,
            _plain(a.amount),
            _plain(a.amount_paid),
            _plain(a.amount_applied),
            a.status,
            _plain(a.decision_date),
            str(a.year),
            a.industry_name,
            ";".join(t for t in a.tags if t != "year-inferred"),
            a.source_url,
        ]


def write_csv(queryset: QuerySet[Allocation], out: IO[str]) -> int:
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    n = 0
    for row in canonical_rows(queryset):
        writer.writerow(row)
        n += 1
    return n


def write_xlsx(queryset: QuerySet[Allocation], path: Path | IO[bytes]) -> int:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet("allocations")
    sheet.write_row(0, 0, EXPORT_COLUMNS)
    n = 0
    for n, row in enumerate(canonical_rows(queryset), start=1):
        sheet.write_row(n, 0, row)
    workbook.close()
    return n


def _org_id(a: Allocation, prefix: str) -> str:
    # org-id.guide: NO-BRC is Brønnøysundregistrene; without a number, an id of our own.
    if a.org_number:
        return f"NO-BRC-{a.org_number}"
    return f"{prefix}-ORG-{a.recipient_id or a.pk}"


def grant_360(a: Allocation, authority: Authority, prefix: str) -> dict[str, Any]:
    grant: dict[str, Any] = {
        "id": f"{prefix}-{a.external_id}",
        "title": a.title or a.recipient_name or a.external_id,
        "description": a.description or a.title or a.recipient_name or "-",
        "currency": "NOK",
        "amountAwarded": float(a.amount),
        "awardDate": (a.decision_date or dt.date(a.year, 1, 1)).isoformat(),
        "recipientOrganization": [{"id": _org_id(a, prefix), "name": a.recipient_name or "-"}],
        "fundingOrganization": [{"id": prefix, "name": authority.name}],
        "snu:externalId": a.external_id,
        "snu:status": a.status,
        "snu:year": a.year,
        "snu:title": a.title,
        "snu:description": a.description,
        "snu:recipient": a.recipient_name,
    }
    if a.org_number:
        grant["recipientOrganization"][0]["companyNumber"] = a.org_number
    if a.funding_source:
        grant["fundingOrganization"][0]["department"] = a.funding_source.name
        grant["snu:fundingSource"] = a.funding_source.name
    if a.scheme:
        grant["grantProgramme"] = [{"code": a.scheme.code, "title": a.scheme.name}]
    if a.municipality or a.municipality_given:
        location = {"name": a.municipality.name if a.municipality else a.municipality_given, "countryCode": "NO"}
        if a.municipality:
            location |= {"geoCode": a.municipality.number, "geoCodeType": "NO-KOMMUNENUMMER"}
        grant["beneficiaryLocation"] = [location]
    if a.amount_paid is not None:
        grant["amountDisbursed"] = float(a.amount_paid)
    if a.amount_applied is not None:
        grant["amountAppliedFor"] = float(a.amount_applied)
    if a.industry_code:
        grant["snu:industryCode"] = a.industry_code
    if a.industry_name:
        grant["snu:industryName"] = a.industry_name
    tags = [t for t in a.tags if t != "year-inferred"]
    if tags:
        grant["snu:tags"] = ";".join(tags)
    if a.source_url:
        grant["url"] = a.source_url
    return grant


def write_360giving(queryset: QuerySet[Allocation], authority: Authority, out: IO[str]) -> int:
    """A 360Giving package, written grant by grant so a million rows never sit in memory at once."""
    prefix = f"360G-snu-{authority.code}"
    out.write('{"version": "1.3", "grants": [\n')
    n = 0
    for n, a in enumerate(queryset.iterator(chunk_size=5000), start=1):
        if n > 1:
            out.write(",\n")
        out.write(json.dumps(grant_360(a, authority, prefix), ensure_ascii=False, default=_decimal))
    out.write("\n]}\n")
    return n


def _decimal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(value)


def validate_360giving(package: dict) -> list[str]:
    """Problems against the 360Giving grant schema (required fields, types, formats); empty when valid."""
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(package)]
    ids = [g.get("id") for g in package.get("grants", []) if isinstance(g, dict)]
    if len(ids) != len(set(ids)):
        problems.append("grants: the grant ids are not unique")
    return problems
