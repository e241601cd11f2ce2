"""Creating and revoking API tokens."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from snu.api.models import KEY_PREFIX, ApiToken, TokenRole, hash_key
from snu.core import audit
from snu.core.models import Authority


@transaction.atomic
def create_token(actor: Any, authority: Authority, *, name: str, role: str = TokenRole.READER) -> tuple[ApiToken, str]:
    """Make a token and return it with its key. The key is shown once; only its hash is stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        authority=authority,
        name=name,
        role=TokenRole(role),
        key_hash=hash_key(key),
        key_start=key[:10],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    token.full_clean()
    token.save()
    audit.record_create(actor, token, action="create_token")
    return token, key


@transaction.atomic
def revoke_token(actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        before = audit.snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record_update(actor, token, before, action="revoke_token")
    return token
