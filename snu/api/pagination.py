from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

from snu.core import dataversion


class CountKeptPaginator(Paginator):
    """Counts a query once per data version: at a million rows the count is the slow part of a page."""

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        query = getattr(self.object_list, "query", None)
        if query is None:
            return super().count
        try:
            key = query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing: let Django count as usual
            return super().count
        scope = dataversion.allocation_scope(key[0])
        return dataversion.cached("api-count", key, lambda: Paginator.count.func(self), scope=scope)  # type: ignore[attr-defined]


class Pagination(PageNumberPagination):
    """`?page=N&page_size=M` (at most 500). Responses carry count, next, previous and results."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = CountKeptPaginator
