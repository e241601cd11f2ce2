"""Reads of allocations: the filtered list (fast at a million rows), totals, filter choices."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from snu.core import dataversion
from snu.core.models import Authority
from snu.grants.models import Allocation, AllocationStatus, FundingSource, Municipality, Organisation, Scheme

SORTS = {
    "date": ("-year", "-decision_date", "-id"),  # newest first, year by year (see `Allocation.Meta.indexes`)
    "-date": ("year", "decision_date", "id"),
    "amount": ("-amount", "-id"),
    "-amount": ("amount", "id"),
    "recipient": ("recipient_name", "id"),
    "year": ("-year", "-id"),
}
FILTERS = ("q", "year", "municipality", "scheme", "source", "status", "recipient", "review")


@dataclass
class AllocationFilter:
    q: str = ""
    year: str = ""
    municipality: str = ""
    scheme: str = ""
    source: str = ""
    status: str = ""
    recipient: str = ""
    review: str = ""
    sort: str = "date"

    @classmethod
    def from_query(cls, params) -> AllocationFilter:
        values = {name: params.get(name, "").strip() for name in FILTERS}
        sort = params.get("sort", "date")
        return cls(**values, sort=sort if sort in SORTS else "date")

    def apply(self, qs: QuerySet[Allocation]) -> QuerySet[Allocation]:
        if self.q:
            qs = qs.filter(
                Q(title__icontains=self.q)
                | Q(recipient_name__icontains=self.q)
                | Q(external_id=self.q)
                | Q(org_number=self.q.replace(" ", ""))
            )
        if self.year.isdigit():
            qs = qs.filter(year=int(self.year))
        if self.municipality.isdigit():
            qs = qs.filter(current_municipality_id=int(self.municipality))
        if self.scheme.isdigit():
            qs = qs.filter(scheme_id=int(self.scheme))
        if self.source.isdigit():
            qs = qs.filter(funding_source_id=int(self.source))
        if self.status in AllocationStatus.values:
            qs = qs.filter(status=self.status)
        if self.recipient.isdigit():
            qs = qs.filter(recipient_id=int(self.recipient))
        if self.review == "1":
            qs = qs.filter(municipality_needs_review=True)
        return qs.order_by(*SORTS[self.sort])

    def is_active(self) -> bool:
        return any(getattr(self, name) for name in FILTERS)


def allocations(authority: Authority, flt: AllocationFilter) -> QuerySet[Allocation]:
    qs = Allocation.objects.filter(authority=authority).select_related(
        "scheme", "funding_source", "municipality", "current_municipality", "recipient"
    )
    return flt.apply(qs)


def totals(qs: QuerySet[Allocation]) -> dict:
    """Number and sum of the allocations a filter selects: a scan, so kept per data version."""
    qs = qs.order_by()

    def compute() -> dict:
        result = qs.aggregate(count=Count("id"), amount=Sum("amount"))
        result["amount"] = result["amount"] or Decimal(0)
        return result

    sql, params = qs.query.sql_with_params()
    return dataversion.cached("allocation-totals", (sql, params), compute, scope=dataversion.allocation_scope(sql))


def filter_choices(authority: Authority) -> dict:
    """Years and municipalities in use: a scan of every allocation, so kept per data version."""
    base = Allocation.objects.filter(authority=authority).order_by()

    def used_values() -> dict:
        return {
            "years": sorted(base.values_list("year", flat=True).distinct(), reverse=True),
            "municipality_ids": list(
                base.exclude(current_municipality=None).values_list("current_municipality_id", flat=True).distinct()
            ),
        }

    used = dataversion.cached("allocation-choices", authority.pk, used_values, scope=dataversion.ALLOCATIONS)
    return {
        "years": used["years"],
        "municipalities": Municipality.objects.filter(id__in=used["municipality_ids"]).order_by("name"),
        "schemes": Scheme.objects.filter(authority=authority).order_by("name"),
        "sources": FundingSource.objects.filter(authority=authority).order_by("name"),
        "statuses": AllocationStatus.choices,
    }


def recipient(authority: Authority, pk: str) -> Organisation | None:
    return Organisation.objects.filter(authority=authority, pk=pk).first() if pk.isdigit() else None
