"""Partners and agreements (read; written through snu.partners.actions) and collaboration arenas (read)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from snu.api.auth import actor, authority_of
from snu.api.base import AuthorityViewSet, CrudViewSet, FilterText, KeptListMixin, save_with_links, text_field
from snu.core.models import Authority
from snu.lib.orgnr import OrgNumberError, normalise_org_number
from snu.partners import actions
from snu.partners.models import (
    Agreement,
    AgreementStatus,
    Arena,
    ArenaActivity,
    ArenaKind,
    Partner,
    PartnerType,
)
from snu.plans.models import Measure
from snu.strategy.models import Element, ElementKind

MAX_ID = 2147483647


def _authority(serializer: serializers.Serializer) -> Authority | None:
    request = serializer.context.get("request")
    return authority_of(request) if request is not None and request.user.is_authenticated else None


def _ids(help_text: str) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Element.objects.none(), many=True, required=False, help_text=help_text
    )


def _scope_links(fields: dict[str, Any], authority: Authority | None) -> None:
    """Linked focus areas, measures and partners may only be the caller's authority's own."""
    if authority is None:
        return
    querysets = {
        "focus_areas": Element.objects.filter(strategy__authority=authority, kind=ElementKind.FOCUS_AREA),
        "measures": Measure.objects.filter(revision__plan__authority=authority),
        "parties": Partner.objects.filter(authority=authority),
    }
    for name, queryset in querysets.items():
        if name in fields:
            fields[name].child_relation.queryset = queryset


class PartnerSerializer(serializers.ModelSerializer):
    name = text_field(max_length=300)
    org_number = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="Nine digits with a mod-11 check digit; unique per authority",
    )
    org_form = serializers.CharField(max_length=10, required=False, allow_blank=True)
    partner_type = serializers.ChoiceField(choices=PartnerType.choices, required=False)
    industry_code = serializers.CharField(max_length=10, required=False, allow_blank=True)
    industry_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    municipality = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True, help_text="Municipality number"
    )
    municipality_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    website = serializers.URLField(max_length=300, required=False, allow_blank=True)
    contact_role = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="A work role, never a private person's name"
    )
    contact_email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    focus_areas = _ids("Focus area ids")
    measures = serializers.PrimaryKeyRelatedField(
        queryset=Measure.objects.none(), many=True, required=False, help_text="Measure ids"
    )
    is_active = serializers.BooleanField(required=False)

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "org_number",
            "org_form",
            "partner_type",
            "industry_code",
            "industry_name",
            "municipality",
            "municipality_name",
            "website",
            "contact_role",
            "contact_email",
            "description",
            "focus_areas",
            "measures",
            "is_active",
        ]
        validators: list = []  # uniqueness of the org number is checked below, in the same error shape

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        _scope_links(fields, _authority(self))
        return fields

    def validate_org_number(self, value: str) -> str:
        if not value:
            return ""
        try:
            digits = normalise_org_number(value)
        except OrgNumberError as exc:
            raise serializers.ValidationError(
                _("Not a valid organisation number (nine digits with a mod-11 check digit).")
            ) from exc
        clash = Partner.objects.filter(authority=_authority(self), org_number=digits)
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(_("Another partner already has this organisation number."))
        return digits

    def save_through_action(self, request: Request, authority: Authority) -> Partner:
        return save_with_links(self, request, authority, Partner, actions.save_partner, ("focus_areas", "measures"))


class AgreementSerializer(serializers.ModelSerializer):
    title = text_field(max_length=300)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="Case reference")
    parties = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.none(), many=True, required=False, help_text="Partner ids"
    )
    starts_on = serializers.DateField(allow_null=True, required=False)
    ends_on = serializers.DateField(allow_null=True, required=False)
    renewal_date = serializers.DateField(allow_null=True, required=False)
    status = serializers.ChoiceField(choices=AgreementStatus.choices, required=False)
    obligations = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    focus_areas = _ids("Focus area ids")
    measures = serializers.PrimaryKeyRelatedField(
        queryset=Measure.objects.none(), many=True, required=False, help_text="Measure ids"
    )

    class Meta:
        model = Agreement
        fields = [
            "id",
            "title",
            "reference",
            "parties",
            "starts_on",
            "ends_on",
            "renewal_date",
            "status",
            "obligations",
            "focus_areas",
            "measures",
        ]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        _scope_links(fields, _authority(self))
        return fields

    def validate(self, attrs: dict) -> dict:
        starts_on = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        ends_on = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts_on and ends_on and ends_on < starts_on:
            raise serializers.ValidationError({"ends_on": [_("The agreement cannot end before it starts.")]})
        return attrs

    def save_through_action(self, request: Request, authority: Authority) -> Agreement:
        return save_with_links(
            self, request, authority, Agreement, actions.save_agreement, ("parties", "focus_areas", "measures")
        )


class ArenaActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = ArenaActivity
        fields = ["id", "title", "date", "description"]


class ArenaSerializer(serializers.ModelSerializer):
    coordinator = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text="Partner id")
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="Partner ids")
    focus_areas = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="Focus area ids")
    activities = ArenaActivitySerializer(many=True, read_only=True)

    class Meta:
        model = Arena
        fields = [
            "id",
            "name",
            "kind",
            "description",
            "website",
            "coordinator",
            "members",
            "focus_areas",
            "is_active",
            "activities",
        ]


class PartnerFilter(serializers.Serializer):
    partner_type = serializers.ChoiceField(choices=PartnerType.choices, required=False)
    org_number = serializers.RegexField(r"^\d{9}$", required=False, help_text="Nine digits")
    focus_area = FilterText(required=False, max_length=30, help_text="Focus area code")
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = FilterText(required=False, max_length=200, help_text="Words in the name")


class SavedThroughActions:
    """Create, change and delete through the app's actions (advisors). Put it before DRF's mixins."""

    delete_action: Any = None
    request: Request
    authority: Authority
    get_object: Any

    def perform_create(self, serializer: Any) -> None:
        serializer.save_through_action(self.request, self.authority)

    def perform_update(self, serializer: Any) -> None:
        serializer.save_through_action(self.request, self.authority)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        type(self).delete_action(actor(request), self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(parameters=[PartnerFilter]))
class PartnerViewSet(
    SavedThroughActions,
    CrudViewSet,
):
    """Partners: organisations the county works with. Advisors create, change and delete them."""

    queryset = Partner.objects.all()
    serializer_class = PartnerSerializer
    filter_serializer = PartnerFilter
    delete_action = actions.delete_partner

    def scoped_queryset(self, authority: Authority) -> QuerySet:
        return (
            Partner.objects.filter(authority=authority)
            .select_related("municipality")
            .prefetch_related("focus_areas", "measures")
            .order_by("name", "id")
        )

    def filter_queryset_by(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        for name in ("partner_type", "org_number", "is_active"):
            if filters.get(name) is not None:
                queryset = queryset.filter(**{name: filters[name]})
        if "focus_area" in filters:
            queryset = queryset.filter(focus_areas__code=filters["focus_area"]).distinct()
        for word in filters.get("q", "").split():
            queryset = queryset.filter(name__icontains=word)
        return queryset


class AgreementFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=AgreementStatus.choices, required=False)
    partner = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Partner id")
    focus_area = FilterText(required=False, max_length=30, help_text="Focus area code")


@extend_schema_view(list=extend_schema(parameters=[AgreementFilter]))
class AgreementViewSet(
    SavedThroughActions,
    CrudViewSet,
):
    """Partnership agreements. Advisors create, change and delete them."""

    queryset = Agreement.objects.all()
    serializer_class = AgreementSerializer
    filter_serializer = AgreementFilter
    delete_action = actions.delete_agreement

    def scoped_queryset(self, authority: Authority) -> QuerySet:
        return (
            Agreement.objects.filter(authority=authority)
            .prefetch_related("parties", "focus_areas", "measures")
            .order_by("renewal_date", "title", "id")
        )

    def filter_queryset_by(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        if "status" in filters:
            queryset = queryset.filter(status=filters["status"])
        if "partner" in filters:
            queryset = queryset.filter(parties=filters["partner"])
        if "focus_area" in filters:
            queryset = queryset.filter(focus_areas__code=filters["focus_area"])
        return queryset.distinct()


class ArenaFilter(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ArenaKind.choices, required=False)


@extend_schema_view(list=extend_schema(parameters=[ArenaFilter]))
class ArenaViewSet(KeptListMixin, mixins.RetrieveModelMixin, AuthorityViewSet):
    """Collaboration arenas: clusters, competence centres, development and event arenas (read-only here)."""

    queryset = Arena.objects.all()
    serializer_class = ArenaSerializer
    filter_serializer = ArenaFilter

    def scoped_queryset(self, authority: Authority) -> QuerySet:
        return (
            Arena.objects.filter(authority=authority)
            .prefetch_related("members", "focus_areas", "activities")
            .order_by("name", "id")
        )

    def filter_queryset_by(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        return queryset.filter(**filters)
