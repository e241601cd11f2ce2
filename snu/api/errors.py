"""One error shape for every API error: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _flatten(value)]
    return [str(detail)]


def _fields(detail: Any) -> Any:
    if not isinstance(detail, dict):
        return {}
    return {str(key): _flatten(value) for key, value in detail.items() if key != "non_field_errors"}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = _fields(detail)
        general = detail.get("non_field_errors") if isinstance(detail, dict) else detail
        message = " ".join(_flatten(general)) if general else _("Some values are not valid.")
        response.data = error_body("invalid", message, fields)
    elif isinstance(exc, Http404 | exceptions.NotFound):
        response.data = error_body("not_found", _("Not found."))
    elif isinstance(exc, PermissionDenied | exceptions.PermissionDenied):
        denied: Any = getattr(exc, "detail", None)
        reason = str(denied) if denied and str(denied) != str(exceptions.PermissionDenied.default_detail) else ""
        response.data = error_body("permission_denied", reason or _("Your role does not allow this."))
    elif isinstance(exc, exceptions.APIException):
        response.data = error_body(exc.default_code, " ".join(_flatten(exc.detail)))
    return response


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown paths under /api/ answer in the same JSON shape instead of an HTML page."""
    return JsonResponse(error_body("not_found", _("No such endpoint.")), status=status.HTTP_404_NOT_FOUND)
