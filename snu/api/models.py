"""API tokens: each one acts for one authority with one role (reader or advisor). Only a hash of the key is kept."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from snu.core.models import AuthorityOwned, Role


class TokenRole(models.TextChoices):
    READER = Role.READER.value, _("Reader")
    ADVISOR = Role.ADVISOR.value, _("Advisor")


KEY_PREFIX = "snu_"


def hash_key(key: str) -> str:
    """SHA-256 of the key. The key is 32 random bytes, so a fast unsalted hash is enough (no guessing)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(AuthorityOwned):
    name = models.CharField(_("name"), max_length=100, help_text=_("Who or what uses the token"))
    role = models.CharField(_("role"), max_length=20, choices=TokenRole.choices, default=TokenRole.READER)
    key_hash = models.CharField(max_length=64, unique=True)
    key_start = models.CharField(max_length=12, help_text="The first characters of the key, to recognise it")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role}, {self.key_start}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
