"""How allocations align to strategy versions (read-only until the classify app has its review actions)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from snu.api.base import AuthorityViewSet
from snu.classify.models import Alignment, AlignmentElement, Origin
from snu.core.models import Authority


class AlignmentElementSerializer(serializers.ModelSerializer):
    element = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind = serializers.CharField(source="element.kind", read_only=True)

    class Meta:
        model = AlignmentElement
        fields = ["element", "kind", "score", "assigned", "weight", "amount"]


class AlignmentSerializer(serializers.ModelSerializer):
    allocation_external_id = serializers.CharField(source="allocation.external_id", read_only=True)
    strategy = serializers.SlugRelatedField(slug_field="code", read_only=True)
    primary = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    is_confirmed = serializers.BooleanField(read_only=True)
    elements = AlignmentElementSerializer(many=True, read_only=True)
    evidence = serializers.DictField(read_only=True)

    class Meta:
        model = Alignment
        fields = [
            "id",
            "allocation",
            "allocation_external_id",
            "strategy",
            "primary",
            "origin",
            "confidence",
            "is_confirmed",
            "reviewed_at",
            "model_version",
            "elements",
            "evidence",
            "version",
        ]


class AlignmentFilter(serializers.Serializer):
    strategy = serializers.SlugField(required=False, help_text="Strategy code")
    allocation = serializers.IntegerField(required=False, min_value=1, help_text="Allocation id")
    element = serializers.CharField(required=False, max_length=30, help_text="Code of an assigned element")
    origin = serializers.ChoiceField(choices=Origin.choices, required=False)
    confirmed = serializers.BooleanField(required=False, allow_null=True, default=None)


@extend_schema_view(list=extend_schema(parameters=[AlignmentFilter]))
class AlignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AuthorityViewSet):
    queryset = Alignment.objects.all()
    serializer_class = AlignmentSerializer
    filter_serializer = AlignmentFilter

    def scoped_queryset(self, authority: Authority) -> QuerySet:
        scores = AlignmentElement.objects.select_related("element").order_by("-score", "element__code")
        return (
            Alignment.objects.filter(strategy__authority=authority, allocation__authority=authority)
            .select_related("allocation", "strategy", "primary")
            .prefetch_related(Prefetch("elements", queryset=scores))
            .order_by("allocation_id", "strategy_id")
        )

    def filter_queryset_by(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        if "strategy" in filters:
            queryset = queryset.filter(strategy__code=filters["strategy"])
        if "allocation" in filters:
            queryset = queryset.filter(allocation_id=filters["allocation"])
        if "element" in filters:
            queryset = queryset.filter(elements__element__code=filters["element"], elements__assigned=True)
        if "origin" in filters:
            queryset = queryset.filter(origin=filters["origin"])
        if filters.get("confirmed") is True:
            queryset = queryset.filter(origin=Origin.PERSON)
        elif filters.get("confirmed") is False:
            queryset = queryset.exclude(origin=Origin.PERSON)
        return queryset.distinct()
