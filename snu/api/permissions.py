"""Readers read, advisors write; always within the caller's own authority."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from snu.api.auth import authority_of, has_role
from snu.core.models import Role


class AuthorityRole(permissions.BasePermission):
    """Safe methods need a reader (or more) of some authority; other methods an advisor.

    Querysets are filtered by `authority_of(request)` in every view, so another authority's records are 404s.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated or authority_of(request) is None:
            return False
        needed = Role.READER if request.method in permissions.SAFE_METHODS else Role.ADVISOR
        return has_role(request, needed)
