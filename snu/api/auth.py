"""Who is calling: an API token (acting for its authority with its role) or a logged-in user's session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from snu.api.models import ApiToken, hash_key
from snu.core.models import ROLE_RANK, Authority, Role


@dataclass
class TokenPrincipal:
    """`request.user` for a token call. It is not a database user, so actions get `actor(request)` instead."""

    token: ApiToken
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_active: bool = True
    pk: None = None

    def get_username(self) -> str:
        return f"api-token:{self.token.name}"

    def __str__(self) -> str:
        return self.get_username()


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>` (or `Token <key>`)."""

    keywords = ("bearer", "token")

    def authenticate(self, request: Request) -> tuple[TokenPrincipal, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the word Bearer, with no spaces in it."))
        try:
            key = parts[1].decode()
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from exc
        token = ApiToken.objects.select_related("authority").filter(key_hash=hash_key(key)).first()
        if token is None or not token.is_active:
            raise exceptions.AuthenticationFailed(_("The token is not valid or has been revoked."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return TokenPrincipal(token), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


# A logged-in user of the web pages, with CSRF enforced on writes: DRF's own class.
SessionAuthentication = authentication.SessionAuthentication


def authority_of(request: Request) -> Authority | None:
    """The authority the caller acts for: the token's, or the logged-in user's membership's."""
    if isinstance(request.auth, ApiToken):
        return request.auth.authority
    membership = getattr(request._request, "membership", None)
    return membership.authority if membership else None


def role_of(request: Request) -> str | None:
    if isinstance(request.auth, ApiToken):
        return request.auth.role
    membership = getattr(request._request, "membership", None)
    return membership.role if membership else None


def has_role(request: Request, role: str) -> bool:
    current = role_of(request)
    return current is not None and ROLE_RANK[Role(current)] >= ROLE_RANK[Role(role)]


def actor(request: Request) -> Any:
    """What actions record as the actor: the user, or `api-token:<name>` for a token."""
    if isinstance(request.auth, ApiToken):
        return str(request.user)
    return request.user


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "snu.api.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return {"type": "http", "scheme": "bearer", "description": "An SNU API token (`snu token create`)."}
