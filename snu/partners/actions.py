"""Every change to partners, arenas and agreements goes through these functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction

from snu.core import audit
from snu.core.models import Authority
from snu.lib.orgnr import normalise_org_number
from snu.partners import brreg
from snu.partners.csvimport import ImportResult, read_partner_rows
from snu.partners.models import Agreement, Arena, ArenaActivity, Partner


def _save(actor: Any, obj: models.Model, action: str, m2m: dict[str, Iterable | None]) -> models.Model:
    """Validate, save, set many-to-many links and write one audit row (create or update)."""
    before = audit.snapshot(type(obj)._default_manager.get(pk=obj.pk)) if obj.pk else None
    obj.full_clean(exclude=list(m2m))
    obj.save()
    for name, values in m2m.items():
        if values is not None:
            getattr(obj, name).set(values)
    if before is None:
        audit.record_create(actor, obj, action=action)
    else:
        audit.record_update(actor, obj, before, action=action)
    return obj


def _delete(actor: Any, obj: models.Model, action: str) -> None:
    audit.record_delete(actor, obj, audit.snapshot(obj), action=action)
    obj.delete()


@transaction.atomic
def save_partner(
    actor: Any, partner: Partner, *, focus_areas: Iterable | None = None, measures: Iterable | None = None
) -> Partner:
    """Create or update a partner. The organisation number, if given, must pass the mod-11 check."""
    if partner.org_number:
        partner.org_number = normalise_org_number(partner.org_number)
    m2m: dict[str, Iterable | None] = {"focus_areas": focus_areas, "measures": measures}
    return _save(actor, partner, "save_partner", m2m)  # type: ignore[return-value]


@transaction.atomic
def delete_partner(actor: Any, partner: Partner) -> None:
    _delete(actor, partner, "delete_partner")


@transaction.atomic
def save_arena(
    actor: Any, arena: Arena, *, members: Iterable | None = None, focus_areas: Iterable | None = None
) -> Arena:
    return _save(actor, arena, "save_arena", {"members": members, "focus_areas": focus_areas})  # type: ignore[return-value]


@transaction.atomic
def delete_arena(actor: Any, arena: Arena) -> None:
    _delete(actor, arena, "delete_arena")


@transaction.atomic
def add_arena_activity(
    actor: Any, arena: Arena, *, title: str, date: dt.date | None = None, description: str = ""
) -> ArenaActivity:
    activity = ArenaActivity(arena=arena, title=title, date=date, description=description)
    activity.full_clean()
    activity.save()
    audit.record_create(actor, activity, action="add_arena_activity", authority=arena.authority)
    return activity


@transaction.atomic
def delete_arena_activity(actor: Any, activity: ArenaActivity) -> None:
    audit.record_delete(
        actor, activity, audit.snapshot(activity), action="delete_arena_activity", authority=activity.arena.authority
    )
    activity.delete()


@transaction.atomic
def save_agreement(
    actor: Any,
    agreement: Agreement,
    *,
    parties: Iterable | None = None,
    focus_areas: Iterable | None = None,
    measures: Iterable | None = None,
) -> Agreement:
    m2m: dict[str, Iterable | None] = {"parties": parties, "focus_areas": focus_areas, "measures": measures}
    return _save(actor, agreement, "save_agreement", m2m)  # type: ignore[return-value]


@transaction.atomic
def delete_agreement(actor: Any, agreement: Agreement) -> None:
    _delete(actor, agreement, "delete_agreement")


@transaction.atomic
def import_partners(actor: Any, authority: Authority, content: bytes | str) -> ImportResult:
    """Create or update partners from a CSV file, matched by organisation number (else by name).

    Every row is checked first; on any problem `PartnerImportError` lists them all and nothing is saved.
    Importing the same file again changes nothing."""
    rows = read_partner_rows(authority, content)
    result = ImportResult()
    for row in rows:
        existing = _match(authority, row.values)
        partner = existing or Partner(authority=authority)
        before = audit.snapshot(partner) if existing else None
        for key, value in row.values.items():
            setattr(partner, key, value)
        partner.name = partner.name or partner.org_number
        if existing and row.focus_areas is not None:
            unchanged_links = {e.pk for e in existing.focus_areas.all()} == {e.pk for e in row.focus_areas}
        else:
            unchanged_links = row.focus_areas is None
        if before is not None and audit.snapshot(partner) == before and unchanged_links:
            result.unchanged += 1
            continue
        save_partner(actor, partner, focus_areas=row.focus_areas)
        if existing:
            result.updated += 1
        else:
            result.created += 1
    return result


def _match(authority: Authority, values: dict) -> Partner | None:
    partners = Partner.objects.filter(authority=authority)
    if values.get("org_number"):
        return partners.filter(org_number=values["org_number"]).first()
    return partners.filter(org_number="", name__iexact=values["name"]).first()


@transaction.atomic
def fill_from_register(actor: Any, partner: Partner, client: brreg.BrregClient | None = None) -> list[str]:
    """Fill the partner's empty name, form, industry and municipality from Enhetsregisteret.

    Returns the names of the fields that were filled. Raises brreg.BrregError when the register is
    switched off, unreachable or does not know the number; the partner is then left as it was."""
    client = client or brreg.BrregClient.from_settings()
    unit = client.lookup(partner.org_number)
    filled = []
    for field, value in (
        ("name", unit.name),
        ("org_form", unit.org_form),
        ("industry_code", unit.industry_code),
        ("industry_name", unit.industry_name),
        ("municipality_name", unit.municipality_name),
        ("website", unit.website),
    ):
        if value and not getattr(partner, field):
            setattr(partner, field, value[: getattr(Partner._meta.get_field(field), "max_length", None)])
            filled.append(field)
    if unit.municipality_number and partner.municipality_id is None:
        from snu.grants.models import Municipality

        municipality = Municipality.objects.filter(number=unit.municipality_number).first()
        if municipality is not None:
            partner.municipality = municipality
            filled.append("municipality")
    if filled:
        save_partner(actor, partner)
    return filled
