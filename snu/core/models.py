"""Tenants, roles and the audit trail: the base every domain app stands on."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Authority(TimeStamped):
    """A county (or other authority) that owns a strategy and its grant data: the tenant."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    region_name = models.CharField(_("region"), max_length=200, help_text=_("Used in report titles"))
    county_number = models.CharField(max_length=2, blank=True)

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AuthorityOwned(TimeStamped):
    """Abstract base for every top-level domain record: it belongs to one authority."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    ADVISOR = "advisor", _("Advisor")
    READER = "reader", _("Reader")


ROLE_RANK = {Role.READER: 1, Role.ADVISOR: 2, Role.ADMINISTRATOR: 3}


class Membership(TimeStamped):
    """A user's place in one authority, with one role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.READER)

    class Meta:
        verbose_name = _("membership")

    def __str__(self) -> str:
        return f"{self.user} ({self.role}, {self.authority.code})"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


class AuditEntry(models.Model):
    """Who changed what, when, with the state before and after."""

    class Verb(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        EVENT = "event", _("event")

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    verb = models.CharField(max_length=10, choices=Verb.choices)
    action = models.CharField(max_length=100, help_text="The actions.py function that made the change")
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["authority", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.verb} {self.object_type}:{self.object_id}"

    def changes(self) -> list[tuple[str, object, object]]:
        """Field-by-field differences, for the audit page."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class LoginFailure(models.Model):
    """One failed login, kept for the rate limiter (snu.core.ratelimit) and pruned when its window has passed.

    In the database, not in a per-process cache, so the limit holds across several web workers.
    """

    username = models.CharField(max_length=150)
    ip = models.CharField(max_length=45)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["username", "ip", "at"])]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip} {self.at:%Y-%m-%d %H:%M:%S}"


def new_instance_token() -> str:
    return secrets.token_hex(16)


class DataVersion(models.Model):
    """One counter that moves whenever allocations or alignments change (after the change commits).

    Anything computed from many rows (totals, panels, the DuckDB snapshot) is kept under the version it
    was computed at, so reading the version (one primary-key lookup) says whether it is still right.
    """

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)
    # Random per database: processes that share one cache but not one database never share a kept result.
    instance = models.CharField(max_length=32, default=new_instance_token)

    class Meta:
        verbose_name = _("data version")

    def __str__(self) -> str:
        return str(self.version)
