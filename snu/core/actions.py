"""State changes of the core: authorities and memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from snu.core import audit
from snu.core.models import Authority, Membership


@transaction.atomic
def create_authority(actor: Any, *, code: str, name: str, region_name: str, county_number: str = "") -> Authority:
    authority, created = Authority.objects.get_or_create(
        code=code, defaults={"name": name, "region_name": region_name, "county_number": county_number}
    )
    if created:
        audit.record_create(actor, authority, action="create_authority", authority=authority)
    return authority


@transaction.atomic
def add_member(
    actor: Any,
    authority: Authority,
    *,
    username: str,
    password: str,
    role: str,
    email: str = "",
    full_name: str = "",
) -> Membership:
    """Create (or re-role) a user in an authority."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    if created:
        user.set_password(password)
        first, _, last = full_name.partition(" ")
        user.first_name, user.last_name = first, last
        user.save()
    membership, m_created = Membership.objects.get_or_create(user=user, defaults={"authority": authority, "role": role})
    if m_created:
        audit.record_create(actor, membership, action="add_member", authority=authority)
    elif membership.role != role or membership.authority_id != authority.pk:
        before = audit.snapshot(membership)
        membership.role, membership.authority = role, authority
        membership.save()
        audit.record_update(actor, membership, before, action="add_member", authority=authority)
    return membership
