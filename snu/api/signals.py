"""Trends and signals (read; written through snu.signals.actions)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from snu.api.auth import actor, authority_of
from snu.api.base import CrudViewSet, FilterText, save_with_links, text_field
from snu.core.models import Authority
from snu.signals import actions
from snu.signals.models import Horizon, Signal, SignalKind, Strength
from snu.strategy.models import Element, ElementKind


class SignalSerializer(serializers.ModelSerializer):
    title = text_field(max_length=300)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    source_title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    source_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    source_date = serializers.DateField(allow_null=True, required=False)
    kind = serializers.ChoiceField(
        choices=SignalKind.choices, required=False, help_text="Trend, weak signal, wild card"
    )
    horizon = serializers.ChoiceField(choices=Horizon.choices, required=False)
    strength = serializers.ChoiceField(choices=Strength.choices, required=False)
    drivers = serializers.PrimaryKeyRelatedField(
        queryset=Element.objects.none(), many=True, required=False, help_text="Driver ids"
    )
    focus_areas = serializers.PrimaryKeyRelatedField(
        queryset=Element.objects.none(), many=True, required=False, help_text="Focus area ids"
    )
    so_what = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, help_text="What it means for us"
    )
    owner = serializers.CharField(source="owner_name", read_only=True, help_text="Name of the owner, if any")
    review_date = serializers.DateField(allow_null=True, required=False)
    is_archived = serializers.BooleanField(required=False)

    class Meta:
        model = Signal
        fields = [
            "id",
            "title",
            "description",
            "source_title",
            "source_url",
            "source_date",
            "kind",
            "horizon",
            "strength",
            "drivers",
            "focus_areas",
            "so_what",
            "owner",
            "review_date",
            "last_reviewed_on",
            "is_archived",
        ]
        read_only_fields = ["last_reviewed_on"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        authority = authority_of(request) if request is not None and request.user.is_authenticated else None
        if authority is not None:
            elements = Element.objects.filter(strategy__authority=authority)
            drivers = elements.filter(kind=ElementKind.DRIVER)
            fields["drivers"].child_relation.queryset = drivers  # type: ignore[attr-defined]
            focus_areas = elements.filter(kind=ElementKind.FOCUS_AREA)
            fields["focus_areas"].child_relation.queryset = focus_areas  # type: ignore[attr-defined]
        return fields

    def save_through_action(self, request: Request, authority: Authority) -> Signal:
        return save_with_links(self, request, authority, Signal, actions.save_signal, ("drivers", "focus_areas"))


class ReviewSerializer(serializers.Serializer):
    next_review = serializers.DateField(
        required=False, allow_null=True, help_text="The next review date (default: in six months)"
    )


class SignalFilter(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SignalKind.choices, required=False, help_text="Signal type")
    horizon = serializers.ChoiceField(choices=Horizon.choices, required=False)
    strength = serializers.ChoiceField(choices=Strength.choices, required=False)
    driver = FilterText(required=False, max_length=30, help_text="Driver code")
    focus_area = FilterText(required=False, max_length=30, help_text="Focus area code")
    archived = serializers.BooleanField(required=False, allow_null=True, default=None)


@extend_schema_view(list=extend_schema(parameters=[SignalFilter]))
class SignalViewSet(
    CrudViewSet,
):
    """Trends, weak signals and wild cards. Advisors create, change, review and delete them."""

    queryset = Signal.objects.all()
    serializer_class = SignalSerializer
    filter_serializer = SignalFilter

    def scoped_queryset(self, authority: Authority) -> QuerySet:
        return (
            Signal.objects.filter(authority=authority)
            .select_related("owner")
            .prefetch_related("drivers", "focus_areas")
            .order_by("review_date", "title", "id")
        )

    def filter_queryset_by(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        for name in ("kind", "horizon", "strength"):
            if name in filters:
                queryset = queryset.filter(**{name: filters[name]})
        if "driver" in filters:
            queryset = queryset.filter(drivers__code=filters["driver"])
        if "focus_area" in filters:
            queryset = queryset.filter(focus_areas__code=filters["focus_area"])
        if filters.get("archived") is not None:
            queryset = queryset.filter(is_archived=filters["archived"])
        return queryset.distinct()

    def perform_create(self, serializer: SignalSerializer) -> None:  # type: ignore[override]
        serializer.save_through_action(self.request, self.authority)

    def perform_update(self, serializer: SignalSerializer) -> None:  # type: ignore[override]
        serializer.save_through_action(self.request, self.authority)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actions.delete_signal(actor(request), self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ReviewSerializer, responses={200: SignalSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        """Mark the signal as reviewed today and set the next review date (advisors)."""
        signal = self.get_object()
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actions.review_signal(actor(request), signal, next_review=body.validated_data.get("next_review"))
        return Response(self.get_serializer(self.get_queryset().get(pk=signal.pk)).data)
