"""Strategies (read) and their elements (read; written through snu.strategy.actions)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from snu.api.auth import actor, authority_of
from snu.api.base import AuthorityViewSet, CrudViewSet, FilterText, KeptListMixin, text_field
from snu.core.models import Authority
from snu.strategy import actions
from snu.strategy.models import Element, ElementKind, Strategy


class Names(serializers.Serializer):
    """Text per language: bokmål required, nynorsk and English optional."""

    nb = text_field(max_length=300)
    nn = text_field(max_length=300, required=False, allow_blank=True)
    en = text_field(max_length=300, required=False, allow_blank=True)


class Descriptions(serializers.Serializer):
    nb = text_field(max_length=5000, required=False, allow_blank=True)
    nn = text_field(max_length=5000, required=False, allow_blank=True)
    en = text_field(max_length=5000, required=False, allow_blank=True)


def _words() -> serializers.ListField:
    return serializers.ListField(child=text_field(max_length=200), required=False)


class Keywords(serializers.Serializer):
    nb = _words()
    nn = _words()
    en = _words()


def _plain(value: dict | None) -> dict:
    """A nested language serializer's value as a plain dict without empty entries."""
    return {key: item for key, item in (value or {}).items() if item not in ("", [], None)}


class StrategySerializer(serializers.ModelSerializer):
    name = serializers.DictField(child=serializers.CharField())
    description = serializers.DictField(child=serializers.CharField(allow_blank=True))

    class Meta:
        model = Strategy
        fields = ["code", "name", "description", "period_from", "period_to", "status", "source"]


class ElementSerializer(serializers.ModelSerializer):
    strategy = serializers.SlugRelatedField(slug_field="code", queryset=Strategy.objects.none())
    code = serializers.RegexField(r"^[A-Za-z0-9_\-ÆØÅæøå]{1,30}$", max_length=30)
    name = Names()
    description = Descriptions(required=False)
    keywords = Keywords(required=False)
    industry_codes = serializers.ListField(child=serializers.RegexField(r"^[0-9.]{1,10}$"), required=False)
    parent = serializers.PrimaryKeyRelatedField(queryset=Element.objects.none(), allow_null=True, required=False)
    related = serializers.PrimaryKeyRelatedField(queryset=Element.objects.none(), many=True, required=False)
    target_share = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=0, max_value=1, allow_null=True, required=False
    )
    order = serializers.IntegerField(min_value=0, max_value=32767, required=False)

    class Meta:
        model = Element
        fields = [
            "id",
            "strategy",
            "kind",
            "code",
            "name",
            "description",
            "parent",
            "related",
            "keywords",
            "industry_codes",
            "target_share",
            "order",
        ]
        validators: list = []  # uniqueness is checked by the action (full_clean), in the same error shape

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        authority = authority_of(request) if request is not None and request.user.is_authenticated else None
        if authority is not None:
            fields["strategy"].queryset = Strategy.objects.filter(authority=authority)  # type: ignore[attr-defined]
            elements = Element.objects.filter(strategy__authority=authority)
            fields["parent"].queryset = elements  # type: ignore[attr-defined]
            fields["related"].child_relation.queryset = elements  # type: ignore[attr-defined]
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["strategy"].read_only = True
        return fields

    def validate_name(self, value: dict) -> dict:
        if not value.get("nb", "").strip():
            raise serializers.ValidationError(_("A name in bokmål (nb) is required."))
        return _plain(value)

    def validate_description(self, value: dict) -> dict:
        return _plain(value)

    def validate_keywords(self, value: dict) -> dict:
        return _plain(value)

    def validate(self, attrs: dict) -> dict:
        strategy: Any = attrs.get("strategy") or getattr(self.instance, "strategy", None)
        parent = attrs.get("parent")
        if parent is not None:
            if parent.strategy_id != strategy.pk:
                raise serializers.ValidationError({"parent": [_("The parent must belong to the same strategy.")]})
            if self.instance is not None and _is_descendant_or_self(parent, self.instance):
                raise serializers.ValidationError({"parent": [_("An element cannot be its own ancestor.")]})
        for other in attrs.get("related", []):
            if other.strategy_id != strategy.pk or (self.instance is not None and other.pk == self.instance.pk):
                raise serializers.ValidationError(
                    {"related": [_("Related elements must be other elements of the same strategy.")]}
                )
        code = attrs.get("code")
        if code is not None:
            clash = Element.objects.filter(strategy=strategy, code=code)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError(
                    {"code": [_("Another element of this strategy already has this code.")]}
                )
        return attrs

    def save_through_action(self, request: Request) -> Element:
        data = dict(self.validated_data)
        related = data.pop("related", None)
        instance: Any = self.instance  # type: ignore[has-type]
        element = instance or Element(strategy=data.pop("strategy"))
        data.pop("strategy", None)
        for key, value in data.items():
            setattr(element, key, value)
        self.instance = actions.save_element(actor(request), element, related=related)
        return self.instance


def _is_descendant_or_self(candidate: Element, element: Element) -> bool:
    node: Element | None = candidate
    seen = set()
    while node is not None and node.pk not in seen:
        if node.pk == element.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


class StrategyFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Strategy.Status.choices, required=False)


@extend_schema_view(list=extend_schema(parameters=[StrategyFilter]))
class StrategyViewSet(KeptListMixin, mixins.RetrieveModelMixin, AuthorityViewSet):
    """The authority's strategy versions."""

    queryset = Strategy.objects.all()
    serializer_class = StrategySerializer
    lookup_field = "code"
    filter_serializer = StrategyFilter

    def scoped_queryset(self, authority: Authority) -> QuerySet:
        return Strategy.objects.filter(authority=authority).order_by("-period_from", "code")

    def filter_queryset_by(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        return queryset.filter(**filters)


class ElementFilter(serializers.Serializer):
    strategy = serializers.SlugField(required=False, help_text="Strategy code")
    kind = serializers.ChoiceField(choices=ElementKind.choices, required=False)
    code = FilterText(required=False, max_length=30)


@extend_schema_view(list=extend_schema(parameters=[ElementFilter]))
class ElementViewSet(
    CrudViewSet,
):
    """Advantages, drivers, focus areas and target areas. Advisors create, change and delete them."""

    queryset = Element.objects.all()
    serializer_class = ElementSerializer
    filter_serializer = ElementFilter

    def scoped_queryset(self, authority: Authority) -> QuerySet:
        return (
            Element.objects.filter(strategy__authority=authority)
            .select_related("strategy")
            .prefetch_related("related")
            .order_by("strategy__period_from", "strategy__code", "kind", "order", "code", "id")
        )

    def filter_queryset_by(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        if "strategy" in filters:
            filters["strategy__code"] = filters.pop("strategy")
        return queryset.filter(**filters)

    def perform_create(self, serializer: ElementSerializer) -> None:  # type: ignore[override]
        serializer.save_through_action(self.request)

    def perform_update(self, serializer: ElementSerializer) -> None:  # type: ignore[override]
        serializer.save_through_action(self.request)

    def perform_destroy(self, instance: Element) -> None:
        actions.delete_element(actor(self.request), instance)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.perform_destroy(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
