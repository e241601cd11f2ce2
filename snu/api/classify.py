"""How allocations align to strategy versions (read-only until the classify app has its review actions)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from snu.api.auth import actor
from snu.api.base import AuthorityViewSet, ErrorBody, FilterText, KeptListMixin, text_field
from snu.classify import actions
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
    element = FilterText(required=False, max_length=30, help_text="Code of an assigned element")
    origin = serializers.ChoiceField(choices=Origin.choices, required=False)
    confirmed = serializers.BooleanField(required=False, allow_null=True, default=None)


class ConfirmSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you saw; a newer one answers 409"
    )


Codes = serializers.ListField(child=text_field(max_length=30), required=False, default=list)


class CorrectSerializer(ConfirmSerializer):
    primary = text_field(
        max_length=30, allow_null=True, help_text="Main focus area code; null means outside the strategy"
    )
    focus_areas = Codes
    drivers = serializers.ListField(child=text_field(max_length=30), required=False, default=list)
    advantages = serializers.ListField(child=text_field(max_length=30), required=False, default=list)
    target_areas = serializers.ListField(child=text_field(max_length=30), required=False, allow_null=True, default=None)


class Stale(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "stale"


DECISION_RESPONSES = {
    200: AlignmentSerializer,
    409: OpenApiResponse(ErrorBody, description="Someone else changed the alignment"),
}


@extend_schema_view(list=extend_schema(parameters=[AlignmentFilter]))
class AlignmentViewSet(KeptListMixin, mixins.RetrieveModelMixin, AuthorityViewSet):
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

    def _decide(self, request: Request, serializer_class: type[serializers.Serializer], decide: Any) -> Response:
        alignment = self.get_object()
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        try:
            decide(actor(request), alignment, **data)
        except actions.StaleAlignment as exc:
            raise Stale(" ".join(exc.messages)) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=alignment.pk)).data)

    @extend_schema(request=ConfirmSerializer, responses=DECISION_RESPONSES)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Accept the suggested alignment as it is (advisors)."""
        return self._decide(request, ConfirmSerializer, actions.confirm_alignment)

    @extend_schema(request=CorrectSerializer, responses=DECISION_RESPONSES)
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str | None = None) -> Response:
        """Set the elements of an alignment by code (advisors); focus areas share the amount equally."""
        return self._decide(request, CorrectSerializer, actions.correct_alignment)
