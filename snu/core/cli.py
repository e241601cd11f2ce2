"""Helpers for management commands: which authority the command acts for, and who the actor is."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError

from snu.core.models import Authority

DEFAULT_AUTHORITY = {
    "code": "troms",
    "name": "Troms fylkeskommune",
    "region_name": "Troms",
    "county_number": "55",
}


def add_authority_argument(parser) -> None:
    parser.add_argument(
        "--authority", default=settings.SNU_DEFAULT_AUTHORITY, help="Authority code (default: %(default)s)"
    )


def get_authority(code: str, create_default: bool = True) -> Authority:
    authority = Authority.objects.filter(code=code).first()
    if authority:
        return authority
    if create_default and code == DEFAULT_AUTHORITY["code"]:
        from snu.core.actions import create_authority

        return create_authority("cli", **DEFAULT_AUTHORITY)
    raise CommandError(
        f"unknown authority {code!r}; known: {', '.join(Authority.objects.values_list('code', flat=True))}"
    )


CLI_ACTOR = "cli"
