"""Allocations with their reference data (read-only until the grants app has actions to write them)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from snu.api.base import AuthorityViewSet, FilterText, KeptListMixin
from snu.classify.models import AlignmentElement
from snu.core.models import Authority
from snu.grants.models import Allocation, AllocationStatus, FundingSource, Municipality, Scheme


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["number", "name"]


class FundingSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingSource
        fields = ["code", "name", "is_state", "principal"]


class SchemeSerializer(serializers.ModelSerializer):
    funding_source = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Scheme
        fields = ["code", "name", "funding_source"]


class AllocationSerializer(serializers.ModelSerializer):
    funding_source = FundingSourceSerializer(read_only=True, allow_null=True)
    scheme = SchemeSerializer(read_only=True, allow_null=True)
    municipality = MunicipalitySerializer(read_only=True, allow_null=True, help_text="As numbered at the decision")
    current_municipality = MunicipalitySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "external_id",
            "title",
            "description",
            "recipient_name",
            "org_number",
            "funding_source",
            "scheme",
            "municipality_given",
            "municipality",
            "current_municipality",
            "decision_date",
            "year",
            "amount",
            "amount_paid",
            "amount_applied",
            "status",
            "industry_code",
            "industry_name",
            "tags",
            "source_url",
            "version",
        ]


class AllocationFilter(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2200)
    municipality = serializers.RegexField(
        r"^\d{4}$", required=False, help_text="Municipality number, today's (or as at the decision)"
    )
    scheme = FilterText(required=False, max_length=120, help_text="Scheme code")
    funding_source = FilterText(required=False, max_length=60, help_text="Funding source code")
    status = serializers.ChoiceField(choices=AllocationStatus.choices, required=False)
    element = FilterText(
        required=False, max_length=30, help_text="Code of a strategy element the allocation is aligned to"
    )
    strategy = serializers.SlugField(required=False, help_text="Strategy code for `element` (default: any)")
    q = FilterText(required=False, max_length=200, help_text="Words in title, description or recipient")


def filter_allocations(queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
    if "year" in filters:
        queryset = queryset.filter(year=filters["year"])
    if "municipality" in filters:
        number = filters["municipality"]
        queryset = queryset.filter(Q(current_municipality__number=number) | Q(municipality__number=number))
    if "scheme" in filters:
        queryset = queryset.filter(scheme__code=filters["scheme"])
    if "funding_source" in filters:
        queryset = queryset.filter(funding_source__code=filters["funding_source"])
    if "status" in filters:
        queryset = queryset.filter(status=filters["status"])
    if "element" in filters:
        scores = AlignmentElement.objects.filter(element__code=filters["element"], assigned=True)
        if "strategy" in filters:
            scores = scores.filter(alignment__strategy__code=filters["strategy"])
        queryset = queryset.filter(pk__in=scores.values("alignment__allocation"))
    if "q" in filters:
        for word in filters["q"].split():
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(recipient_name__icontains=word)
                | Q(org_number=word)
                | Q(external_id__iexact=word)
            )
    return queryset


@extend_schema_view(list=extend_schema(parameters=[AllocationFilter]))
class AllocationViewSet(KeptListMixin, mixins.RetrieveModelMixin, AuthorityViewSet):
    """Grant allocations (tildelinger). Read-only here: allocations are written by imports."""

    allocation_only = True  # its answer shows no alignment: a review decision leaves it standing
    queryset = Allocation.objects.all()
    serializer_class = AllocationSerializer
    filter_serializer = AllocationFilter

    def scoped_queryset(self, authority: Authority) -> QuerySet:
        return (
            Allocation.objects.filter(authority=authority)
            .select_related("funding_source", "scheme__funding_source", "municipality", "current_municipality")
            .order_by("-year", "-decision_date", "-id")
        )

    def filter_queryset_by(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        return filter_allocations(queryset, filters)


class SchemeViewSet(KeptListMixin, mixins.RetrieveModelMixin, AuthorityViewSet):
    allocation_only = True  # its answer shows no alignment: a review decision leaves it standing
    queryset = Scheme.objects.all()
    serializer_class = SchemeSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def scoped_queryset(self, authority: Authority) -> QuerySet:
        return Scheme.objects.filter(authority=authority).select_related("funding_source").order_by("name", "id")


class FundingSourceViewSet(KeptListMixin, mixins.RetrieveModelMixin, AuthorityViewSet):
    allocation_only = True  # its answer shows no alignment: a review decision leaves it standing
    queryset = FundingSource.objects.all()
    serializer_class = FundingSourceSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def scoped_queryset(self, authority: Authority) -> QuerySet:
        return FundingSource.objects.filter(authority=authority).order_by("name", "id")
