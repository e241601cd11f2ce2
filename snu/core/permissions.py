"""Role checks for views. Roles rank administrator > advisor > reader; the public has no login."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from snu.core.models import Role


def role_required(role: str = Role.READER) -> Callable:
    """Allow the view for logged-in members of an authority with at least `role`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None or not membership.has_role(role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


reader_required = role_required(Role.READER)
advisor_required = role_required(Role.ADVISOR)
administrator_required = role_required(Role.ADMINISTRATOR)


def can_edit(request: HttpRequest) -> bool:
    membership = getattr(request, "membership", None)
    return bool(membership and membership.has_role(Role.ADVISOR))


def owned_or_404(queryset: QuerySet, request: HttpRequest, **lookup: Any) -> Model:
    """Fetch one record of the request's authority; another authority's record is a 404, not a 403."""
    try:
        return queryset.get(authority=request.authority, **lookup)  # type: ignore[attr-defined]
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
