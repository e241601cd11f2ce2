"""Writing audit rows. Every function in an actions.py calls `record` for each change it makes."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models

from snu.core.models import AuditEntry, Authority


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The concrete field values of a model instance, JSON-ready (foreign keys as ids)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in {"created_at", "updated_at"}:
            continue
        data[field.attname] = _jsonable(getattr(obj, field.attname))
    for field in obj._meta.many_to_many:
        if obj.pk:
            data[field.name] = sorted(v.pk for v in getattr(obj, field.name).all())
    return data


def object_type(obj: models.Model | type[models.Model]) -> str:
    return obj._meta.label_lower


def record(
    actor: Any,
    verb: str,
    obj: models.Model,
    *,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    authority: Authority | None = None,
    message: str = "",
) -> AuditEntry:
    """Write one audit row. `actor` is a user or None (for system jobs such as the CLI)."""
    if authority is None:
        authority = getattr(obj, "authority", None)
        if authority is None and hasattr(obj, "get_authority"):
            authority = obj.get_authority()
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        authority=authority,
        actor=user,
        actor_name=user.get_username() if user else (str(actor) if actor else "system"),
        verb=verb,
        action=action,
        object_type=object_type(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        message=message,
    )


def record_create(actor: Any, obj: models.Model, *, action: str, **kw: Any) -> AuditEntry:
    return record(actor, AuditEntry.Verb.CREATE, obj, action=action, after=snapshot(obj), **kw)


def record_update(actor: Any, obj: models.Model, before: dict, *, action: str, **kw: Any) -> AuditEntry | None:
    """Audit an update; writes nothing when nothing changed."""
    after = snapshot(obj)
    if _jsonable(before) == after:
        return None
    return record(actor, AuditEntry.Verb.UPDATE, obj, action=action, before=before, after=after, **kw)


def record_delete(actor: Any, obj: models.Model, before: dict, *, action: str, **kw: Any) -> AuditEntry:
    return record(actor, AuditEntry.Verb.DELETE, obj, action=action, before=before, **kw)
