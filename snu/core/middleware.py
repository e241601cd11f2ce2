"""Attach the user's authority and role to each request; add security headers."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from snu.core.models import Membership


class AuthorityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.authority = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            membership = Membership.objects.select_related("authority").filter(user=request.user).first()
            request.membership = membership  # type: ignore[attr-defined]
            request.authority = membership.authority if membership else None  # type: ignore[attr-defined]
        return self.get_response(request)


# Vega renders with its expression interpreter, so no 'unsafe-eval' is needed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", getattr(settings, "SNU_CSP", CONTENT_SECURITY_POLICY))
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
