"""What every endpoint shares: authentication, the role check, authority scoping, pagination and the schema."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from snu.api.auth import SessionAuthentication, TokenAuthentication, authority_of, role_of
from snu.api.pagination import Pagination
from snu.api.permissions import AuthorityRole
from snu.core import dataversion
from snu.core.models import Authority


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorBody(serializers.Serializer):
    error = ErrorDetail()


class Schema(AutoSchema):
    """Declares the error answers every operation can give, so clients (and schemathesis) know them."""

    def _get_response_bodies(self, direction: Any = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        errors = {"401": "Not authenticated", "403": "Role does not allow this", "404": "Not found"}
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view():
            errors["400"] = "Invalid values or filters"
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorBody, description=description), code
                )
        return responses


class AuthorityViewSet(viewsets.GenericViewSet):
    """Base for every endpoint. Subclasses implement `scoped_queryset(authority)`."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [AuthorityRole]
    pagination_class = Pagination
    schema = Schema()
    filter_serializer: type[serializers.Serializer] | None = None

    @property
    def authority(self) -> Authority:
        authority = authority_of(self.request)
        assert authority is not None  # AuthorityRole has let only members through
        return authority

    def scoped_queryset(self, authority: Authority) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no request
            return self.queryset.none() if self.queryset is not None else QuerySet().none()
        queryset = self.scoped_queryset(self.authority)
        if self.action == "list" and self.filter_serializer is not None:
            queryset = self.filter_queryset_by(queryset, self.filters())
        return queryset

    def filters(self) -> dict[str, Any]:
        assert self.filter_serializer is not None
        serializer = self.filter_serializer(data=self.request.query_params)
        if not serializer.is_valid():
            raise ValidationError(serializer.errors)
        return {k: v for k, v in serializer.validated_data.items() if v not in (None, "")}

    def filter_queryset_by(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        return queryset


NO_NUL = r"^[^\x00]*$"


class FilterText(serializers.CharField):
    """Text in a query parameter. NUL characters are dropped: PostgreSQL cannot take them, and they mean nothing."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        validators: list = list(self.validators)  # type: ignore[has-type]
        kept = [v for v in validators if type(v).__name__ != "ProhibitNullCharactersValidator"]
        self.validators = kept

    def to_internal_value(self, data: Any) -> str:
        return super().to_internal_value(str(data).replace("\x00", ""))


def text_field(**kwargs: Any) -> serializers.RegexField:
    """Text in a request body; the schema says NUL characters are not allowed (the database cannot store them)."""
    return serializers.RegexField(NO_NUL, **kwargs)


def save_with_links(serializer: Any, request: Any, authority: Authority, model: type, save: Any, links: tuple) -> Any:
    """Apply a serializer's plain fields to a new or existing record and save it through the app's action,
    passing the many-to-many fields named in `links` to the action as keyword arguments."""
    from snu.api.auth import actor

    data = dict(serializer.validated_data)
    related = {name: data.pop(name, None) for name in links}
    record = serializer.instance or model(authority=authority)
    for key, value in data.items():
        setattr(record, key, value)
    serializer.instance = save(actor(request), record, **related)
    return serializer.instance


class KeptListMixin(mixins.ListModelMixin):
    """A list whose answer is kept per data version and edit version (`snu.core.dataversion.page_key`), address,
    host, authority and role: at a million allocations, the next client asking for the same page gets it without
    a query or serialising fifty records again. Inside a transaction it is always computed afresh."""

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        if connection.in_atomic_block:
            return super().list(request, *args, **kwargs)
        parts = (
            type(self).__name__,
            request.get_host(),
            request.get_full_path(),
            self.authority.pk,  # type: ignore[attr-defined]
            role_of(request),
        )
        key = self._kept_key(parts)
        kept = cache.get(key)
        if kept is not None:
            return Response(kept)
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200:
            cache.set(key, response.data, dataversion.TIMEOUT)
        return response

    def _kept_key(self, parts: tuple) -> str:
        # A list read from allocations and reference rows only is kept under the allocation version, which a
        # review decision (or any other audited edit) leaves alone; any other list under data and edit versions.
        allocation_only = getattr(self, "allocation_only", False)
        if allocation_only:
            try:
                sql = self.filter_queryset(self.get_queryset()).query.sql_with_params()[0]  # type: ignore[attr-defined]
            except EmptyResultSet:
                sql = "classify_"
            if dataversion.allocation_scope(sql) == dataversion.ALLOCATIONS:
                return dataversion.cache_key("api-list", parts, scope=dataversion.ALLOCATIONS)
        return dataversion.page_key("api-list", parts)


class CrudViewSet(
    KeptListMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    AuthorityViewSet,
):
    """An authority's records with list, read, create, change and delete."""
