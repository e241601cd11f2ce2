"""Login rate limit: after N failed attempts for one username from one address, refuse logins for a while.

Counted per username and address together, so one attacker cannot lock a colleague out from elsewhere.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from snu.core.models import LoginFailure


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SNU_LOGIN_WINDOW_SECONDS)


def window_minutes() -> int:
    return max(1, round(settings.SNU_LOGIN_WINDOW_SECONDS / 60))


def client_ip(request: HttpRequest) -> str:
    """The client's address; behind a proxy the last hop of X-Forwarded-For, which the proxy wrote."""
    if settings.SNU_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if hops := [h.strip() for h in forwarded.split(",") if h.strip()]:
            return hops[-1][:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def is_locked(username: str, ip: str) -> bool:
    since = timezone.now() - _window()
    failures = LoginFailure.objects.filter(username=_key(username), ip=ip, at__gte=since).count()
    return failures >= settings.SNU_LOGIN_MAX_FAILURES


def record_failure(username: str, ip: str) -> None:
    LoginFailure.objects.filter(at__lt=timezone.now() - _window()).delete()
    LoginFailure.objects.create(username=_key(username), ip=ip)


def clear_failures(username: str, ip: str) -> None:
    LoginFailure.objects.filter(username=_key(username), ip=ip).delete()
