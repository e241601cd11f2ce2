"""Action plans and revisions (read) and their measures (read; written through snu.plans.actions)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import APIException, ValidationError

from snu.api.auth import actor, authority_of
from snu.api.base import AuthorityViewSet, ErrorBody, FilterText, KeptListMixin, text_field
from snu.api.classify import Stale
from snu.core.models import Authority
from snu.plans import actions
from snu.plans.models import (
    FROZEN_MESSAGE,
    ActionPlan,
    Measure,
    MeasureStatus,
    PlanError,
    PlanRevision,
    RevisionFrozen,
    StaleEdit,
)
from snu.strategy.models import Element, ElementKind


class Frozen(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "frozen"
    default_detail = FROZEN_MESSAGE


def _authority(serializer: serializers.Serializer) -> Authority | None:
    request = serializer.context.get("request")
    return authority_of(request) if request is not None and request.user.is_authenticated else None


def _single(instance: Any) -> bool:
    return instance is not None and not isinstance(instance, list | QuerySet)


class MeasureSerializer(serializers.ModelSerializer):
    revision = serializers.PrimaryKeyRelatedField(
        queryset=PlanRevision.objects.none(), help_text="Revision id; new measures go into a revision in progress"
    )
    plan = serializers.IntegerField(source="revision.plan_id", read_only=True)
    revision_number = serializers.IntegerField(source="revision.number", read_only=True)
    key = serializers.UUIDField(read_only=True, help_text="The same measure across revisions")
    code = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="Left empty: the next free number"
    )
    title = text_field(max_length=300)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    owner = serializers.CharField(max_length=200, required=False, allow_blank=True)
    partners_text = serializers.CharField(max_length=500, required=False, allow_blank=True)
    budget = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, allow_null=True, required=False)
    starts_on = serializers.DateField(allow_null=True, required=False)
    ends_on = serializers.DateField(allow_null=True, required=False)
    elements = serializers.PrimaryKeyRelatedField(
        queryset=Element.objects.none(),
        many=True,
        required=False,
        help_text="Ids of focus areas, target areas and drivers of the plan's strategy",
    )
    status = serializers.ChoiceField(choices=MeasureStatus.choices, required=False)
    status_comment = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    change_reason = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    expected_version = serializers.IntegerField(
        write_only=True,
        required=False,
        min_value=1,
        max_value=2147483647,
        help_text="Required when changing a measure: the version you saw; a newer one answers 409",
    )

    class Meta:
        model = Measure
        fields = [
            "id",
            "key",
            "plan",
            "revision",
            "revision_number",
            "code",
            "title",
            "description",
            "owner",
            "partners_text",
            "budget",
            "starts_on",
            "ends_on",
            "elements",
            "status",
            "status_comment",
            "status_date",
            "change_reason",
            "order",
            "version",
            "expected_version",
        ]
        read_only_fields = ["status_date", "order", "version"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        authority = _authority(self)
        if authority is not None:
            fields["revision"].queryset = PlanRevision.objects.filter(  # type: ignore[attr-defined]
                plan__authority=authority
            ).select_related("plan")
            fields["elements"].child_relation.queryset = Element.objects.filter(  # type: ignore[attr-defined]
                strategy__authority=authority
            )
        if _single(self.instance):
            fields["revision"].read_only = True
        return fields

    def validate(self, attrs: dict) -> dict:
        instance: Any = self.instance
        revision: Any = attrs.get("revision") or getattr(instance, "revision", None)
        # Messages already translated elsewhere (DRF's, the plans app's), so the API adds none of its own.
        if instance is not None and attrs.get("expected_version") is None:
            raise serializers.ValidationError(
                {"expected_version": [self.fields["expected_version"].error_messages["required"]]}
            )
        if instance is not None and attrs.get("code") == "":
            raise serializers.ValidationError({"code": [self.fields["code"].error_messages["blank"]]})
        for element in attrs.get("elements", []):
            if element.strategy_id != revision.plan.strategy_id or element.kind == ElementKind.ADVANTAGE:
                raise serializers.ValidationError({"elements": [_("The areas must belong to the plan's strategy.")]})
        starts_on = attrs.get("starts_on", getattr(instance, "starts_on", None))
        ends_on = attrs.get("ends_on", getattr(instance, "ends_on", None))
        if starts_on and ends_on and ends_on < starts_on:
            raise serializers.ValidationError({"ends_on": [_("The measure cannot end before it starts.")]})
        return attrs


def _through_action(call: Any) -> Any:
    """Run a plans action and answer its refusals in the API's error shape."""
    try:
        return call()
    except StaleEdit as exc:
        raise Stale(str(exc)) from exc
    except RevisionFrozen as exc:
        raise Frozen(str(exc)) from exc
    except PlanError as exc:
        raise ValidationError({"non_field_errors": [str(exc)]}) from exc


class PlanRevisionSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    started_from = serializers.IntegerField(
        source="started_from_id", read_only=True, allow_null=True, help_text="Id of the revision it started from"
    )
    measures = MeasureSerializer(many=True, read_only=True)

    class Meta:
        model = PlanRevision
        fields = [
            "id",
            "plan",
            "number",
            "status",
            "started_from",
            "summary",
            "adopted_on",
            "decision_reference",
            "measures",
        ]


class ActionPlanSerializer(serializers.ModelSerializer):
    strategy = serializers.SlugRelatedField(slug_field="code", read_only=True)
    elements = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="Focus and target area ids")
    revision_in_force = serializers.SerializerMethodField(help_text="Id of the newest adopted revision")
    revision_in_progress = serializers.SerializerMethodField(help_text="Id of the draft revision")

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "name",
            "description",
            "strategy",
            "elements",
            "period_from",
            "period_to",
            "cadence_months",
            "owner",
            "revision_in_force",
            "revision_in_progress",
        ]

    def get_revision_in_force(self, plan: ActionPlan) -> int | None:
        adopted = [r for r in plan.revisions.all() if r.status == PlanRevision.Status.ADOPTED]
        return max(adopted, key=lambda r: r.number).pk if adopted else None

    def get_revision_in_progress(self, plan: ActionPlan) -> int | None:
        return next((r.pk for r in plan.revisions.all() if r.status == PlanRevision.Status.DRAFT), None)


class PlanFilter(serializers.Serializer):
    strategy = serializers.SlugField(required=False, help_text="Strategy code")
    element = FilterText(required=False, max_length=30, help_text="Code of a focus or target area of the plan")


@extend_schema_view(list=extend_schema(parameters=[PlanFilter]))
class ActionPlanViewSet(KeptListMixin, mixins.RetrieveModelMixin, AuthorityViewSet):
    """Action plans (handlingsplaner) with their revision in force and in progress."""

    queryset = ActionPlan.objects.all()
    serializer_class = ActionPlanSerializer
    filter_serializer = PlanFilter

    def scoped_queryset(self, authority: Authority) -> QuerySet:
        return (
            ActionPlan.objects.filter(authority=authority)
            .select_related("strategy")
            .prefetch_related("elements", "revisions")
            .order_by("-period_from", "name", "id")
        )

    def filter_queryset_by(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        if "strategy" in filters:
            queryset = queryset.filter(strategy__code=filters["strategy"])
        if "element" in filters:
            queryset = queryset.filter(elements__code=filters["element"]).distinct()
        return queryset


class RevisionFilter(serializers.Serializer):
    plan = serializers.IntegerField(required=False, min_value=1, max_value=2147483647, help_text="Plan id")
    status = serializers.ChoiceField(choices=PlanRevision.Status.choices, required=False)


@extend_schema_view(list=extend_schema(parameters=[RevisionFilter]))
class PlanRevisionViewSet(KeptListMixin, mixins.RetrieveModelMixin, AuthorityViewSet):
    """Revisions (rulleringer) of the action plans, each with its measures. Adopted revisions are frozen."""

    queryset = PlanRevision.objects.all()
    serializer_class = PlanRevisionSerializer
    filter_serializer = RevisionFilter

    def scoped_queryset(self, authority: Authority) -> QuerySet:
        measures = Measure.objects.prefetch_related("elements").order_by("order", "code", "id")
        return (
            PlanRevision.objects.filter(plan__authority=authority)
            .prefetch_related(Prefetch("measures", queryset=measures))
            .order_by("plan_id", "-number")
        )

    def filter_queryset_by(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        if "plan" in filters:
            queryset = queryset.filter(plan_id=filters["plan"])
        if "status" in filters:
            queryset = queryset.filter(status=filters["status"])
        return queryset


class MeasureFilter(serializers.Serializer):
    plan = serializers.IntegerField(required=False, min_value=1, max_value=2147483647, help_text="Plan id")
    revision = serializers.IntegerField(required=False, min_value=1, max_value=2147483647, help_text="Revision id")
    key = serializers.UUIDField(required=False, help_text="The measure in every revision")
    status = serializers.ChoiceField(choices=MeasureStatus.choices, required=False)
    element = FilterText(required=False, max_length=30, help_text="Code of a focus area or driver of the measure")


WRITE_RESPONSES = {
    400: OpenApiResponse(ErrorBody, description="Invalid values"),
    409: OpenApiResponse(ErrorBody, description="The revision is adopted (frozen) or someone else saved first (stale)"),
}


@extend_schema_view(
    list=extend_schema(parameters=[MeasureFilter]),
    create=extend_schema(responses={201: MeasureSerializer, **WRITE_RESPONSES}),
    update=extend_schema(responses={200: MeasureSerializer, **WRITE_RESPONSES}),
    partial_update=extend_schema(responses={200: MeasureSerializer, **WRITE_RESPONSES}),
)
class MeasureViewSet(
    KeptListMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    AuthorityViewSet,
):
    """Measures (tiltak) as they stand in each revision. Advisors add and change them in a revision in progress."""

    queryset = Measure.objects.all()
    serializer_class = MeasureSerializer
    filter_serializer = MeasureFilter

    def scoped_queryset(self, authority: Authority) -> QuerySet:
        return (
            Measure.objects.filter(revision__plan__authority=authority)
            .select_related("revision__plan")
            .prefetch_related("elements")
            .order_by("revision__plan_id", "-revision__number", "order", "code", "id")
        )

    def filter_queryset_by(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        if "plan" in filters:
            queryset = queryset.filter(revision__plan_id=filters["plan"])
        if "revision" in filters:
            queryset = queryset.filter(revision_id=filters["revision"])
        if "key" in filters:
            queryset = queryset.filter(key=filters["key"])
        if "status" in filters:
            queryset = queryset.filter(status=filters["status"])
        if "element" in filters:
            queryset = queryset.filter(elements__code=filters["element"]).distinct()
        return queryset

    def perform_create(self, serializer: MeasureSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        data.pop("expected_version", None)
        revision = data.pop("revision")
        elements = data.pop("elements", [])
        data["status_date"] = timezone.localdate()
        serializer.instance = _through_action(
            lambda: actions.add_measure(actor(self.request), revision, elements=elements, **data)
        )

    def perform_update(self, serializer: MeasureSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        expected_version = data.pop("expected_version")
        data.pop("revision", None)
        elements = data.pop("elements", None)
        measure: Any = serializer.instance
        if any(name in data and data[name] != getattr(measure, name) for name in ("status", "status_comment")):
            data["status_date"] = timezone.localdate()
        serializer.instance = _through_action(
            lambda: actions.update_measure(
                actor(self.request), measure, expected_version=expected_version, elements=elements, **data
            )
        )
