"""Reads for the open-data pages and downloads: only decided grants, filtered, never personal data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField as BooleanOutput
from django.db.models import Count, ExpressionWrapper, Q, QuerySet, Sum
from django.urls import reverse

from snu.classify.models import AlignmentElement
from snu.core import dataversion
from snu.core.models import Authority
from snu.grants import queries as grants_queries
from snu.grants.models import Allocation, AllocationStatus, Municipality
from snu.public.privacy import public_recipient, public_text, sole_proprietor_q
from snu.strategy.models import Element, ElementKind, Strategy
from snu.strategy.queries import current_strategy

# Applications that were rejected or are pending are not published.
PUBLIC_STATUSES = (AllocationStatus.GRANTED, AllocationStatus.PAID)
FILTERS = ("year", "municipality", "focus_area", "scheme", "funding_source", "q")


def public_allocations(authority: Authority) -> QuerySet[Allocation]:
    return (
        Allocation.objects.filter(authority=authority, status__in=PUBLIC_STATUSES)
        .select_related("recipient", "scheme", "funding_source", "current_municipality", "municipality")
        .annotate(is_person=ExpressionWrapper(sole_proprietor_q(), output_field=BooleanOutput()))
        # Newest decision first: the order of the (authority, -decision_date, -id) index, so a page is a short
        # index walk even at a million allocations.
        .order_by("-year", "-decision_date", "-id")
    )


def public_strategy(authority: Authority) -> Strategy | None:
    """The strategy whose focus areas the open data is shown by: the adopted one in force."""
    return current_strategy(authority)


def focus_elements(strategy: Strategy | None) -> QuerySet[Element]:
    if strategy is None:
        return Element.objects.none()
    return strategy.elements_of(ElementKind.FOCUS_AREA)


def apply_filters(queryset: QuerySet[Allocation], filters: dict[str, Any], strategy: Strategy | None) -> QuerySet:
    if filters.get("year"):
        queryset = queryset.filter(year=filters["year"])
    if filters.get("municipality"):
        queryset = queryset.filter(current_municipality__number=filters["municipality"])
    if filters.get("scheme"):
        queryset = queryset.filter(scheme__code=filters["scheme"])
    if filters.get("funding_source"):
        queryset = queryset.filter(funding_source__code=filters["funding_source"])
    if filters.get("focus_area") and strategy is not None:
        scores = AlignmentElement.objects.filter(
            alignment__strategy=strategy, element__code=filters["focus_area"], assigned=True
        )
        queryset = queryset.filter(pk__in=scores.values("alignment__allocation"))
    for word in (filters.get("q") or "").split():
        text = Q(title__icontains=word) | Q(description__icontains=word) | Q(scheme__name__icontains=word)
        named = Q(recipient_name__icontains=word) | Q(org_number=word)
        # A person's grant must not be findable by the person's name or number, even though it is not shown.
        in_person_name = Q(is_person=True) & Q(recipient_name__icontains=word)
        queryset = queryset.filter((named & Q(is_person=False)) | (text & ~in_person_name))
    return queryset


def totals(queryset: QuerySet[Allocation]) -> dict:
    """Number and sum of what a filter selects (kept per data version, as on the advisors' list)."""
    return grants_queries.totals(queryset)


def years(authority: Authority) -> list[int]:
    def compute() -> list[int]:
        qs = Allocation.objects.filter(authority=authority, status__in=PUBLIC_STATUSES).order_by()
        return sorted(qs.values_list("year", flat=True).distinct(), reverse=True)

    return dataversion.cached("public-years", authority.pk, compute, scope=dataversion.ALLOCATIONS)


def municipalities(authority: Authority) -> QuerySet[Municipality]:
    def compute() -> list[int]:
        qs = Allocation.objects.filter(authority=authority, status__in=PUBLIC_STATUSES).order_by()
        return list(qs.exclude(current_municipality=None).values_list("current_municipality", flat=True).distinct())

    ids = dataversion.cached("public-municipalities", authority.pk, compute, scope=dataversion.ALLOCATIONS)
    return Municipality.objects.filter(pk__in=ids).order_by("name")


def municipality_totals(authority: Authority) -> list[dict]:
    return dataversion.cached(
        "public-municipality-totals",
        authority.pk,
        lambda: _municipality_totals(authority),
        scope=dataversion.ALLOCATIONS,
    )


def _municipality_totals(authority: Authority) -> list[dict]:
    rows = (
        Allocation.objects.filter(authority=authority, status__in=PUBLIC_STATUSES)
        .values("current_municipality__number", "current_municipality__name")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("current_municipality__name")
    )
    return [
        {
            "number": r["current_municipality__number"],
            "name": r["current_municipality__name"],
            "count": r["count"],
            "amount": r["amount"],
        }
        for r in rows
    ]


def focus_area_totals(authority: Authority, strategy: Strategy | None) -> list[dict]:
    """Per focus area: allocations aligned to it and money split by weight (so areas sum to the total)."""
    if strategy is None:
        return []
    sums = dataversion.cached(
        "public-focus-area-totals",
        (authority.pk, strategy.pk),
        lambda: _focus_area_sums(authority, strategy),
        scope=dataversion.TOTALS,
    )
    empty: dict = {}
    return [
        {
            "element": e,
            "count": sums.get(e.pk, empty).get("count", 0),
            "amount": sums.get(e.pk, empty).get("amount") or Decimal(0),
        }
        for e in focus_elements(strategy)
    ]


def _focus_area_sums(authority: Authority, strategy: Strategy) -> dict[int, Any]:
    scores = AlignmentElement.objects.filter(
        alignment__strategy=strategy,
        assigned=True,
        element__kind=ElementKind.FOCUS_AREA,
        alignment__allocation__authority=authority,
        alignment__allocation__status__in=PUBLIC_STATUSES,
    )
    return {r["element"]: r for r in scores.values("element").annotate(count=Count("id"), amount=Sum("amount"))}


def allocation_url(allocation: Allocation, authority: Authority) -> str:
    return reverse("public:allocation", args=[authority.code, allocation.external_id])


@dataclass
class PublicAllocation:
    """Everything the public sees of one allocation. Built only here, so no output can forget the privacy rule."""

    id: str
    external_id: str
    title: str
    description: str
    recipient_name: str
    recipient_org_number: str
    recipient_is_person: bool
    year: int
    decision_date: Any
    amount: Decimal
    amount_paid: Decimal | None
    status: str
    status_label: str
    scheme_code: str
    scheme: str
    funding_source_code: str
    funding_source: str
    municipality_number: str
    municipality: str
    path: str
    source_url: str


def grant_id(authority: Authority, allocation: Allocation) -> str:
    return f"NO-SNU-{authority.code}-{allocation.external_id}"


def public_allocation(allocation: Allocation, authority: Authority, label: str | None = None) -> PublicAllocation:
    kwargs = {"label": label} if label else {}
    recipient = public_recipient(allocation, **kwargs)
    municipality = allocation.current_municipality
    return PublicAllocation(
        id=grant_id(authority, allocation),
        external_id=allocation.external_id,
        title=public_text(allocation.title, allocation, **kwargs),
        description=public_text(allocation.description, allocation, **kwargs),
        recipient_name=recipient.name,
        recipient_org_number=recipient.org_number,
        recipient_is_person=recipient.is_person,
        year=allocation.year,
        decision_date=allocation.decision_date,
        amount=allocation.amount,
        amount_paid=allocation.amount_paid,
        status=allocation.status,
        status_label=str(allocation.get_status_display()),
        scheme_code=allocation.scheme.code if allocation.scheme else "",
        scheme=allocation.scheme.name if allocation.scheme else "",
        funding_source_code=allocation.funding_source.code if allocation.funding_source else "",
        funding_source=allocation.funding_source.name if allocation.funding_source else "",
        municipality_number=municipality.number if municipality else "",
        municipality=municipality.name if municipality else "",
        path=allocation_url(allocation, authority),
        # a source page may name the person; it is shown only for organisations
        source_url="" if recipient.is_person else allocation.source_url,
    )
