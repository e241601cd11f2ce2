"""Backups: every row of every SNU table (and the users) in one zip file that restores into SQLite or PostgreSQL.

The format is app-agnostic, so a model added tomorrow is backed up without a change here:

    manifest.json            format, version, time, source database, applied migrations, row count per model
    data/<app>.<model>.jsonl one JSON object per row: the model's own columns by attribute name

Rows keep their primary keys. A foreign key to a table outside the backup (content types, permissions) is
written as that row's natural key, because such ids differ between databases. Values are written with the
field's own `value_to_string` and read back with `to_python`, as Django's serializers do, so decimals, dates,
times and JSON survive the trip between database engines exactly.

Restore runs in one transaction: the database is either the backup or unchanged. Foreign keys are checked at
commit, so rows can go in table by table in any order; we still write parents first.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.encoding import is_protected_type

from snu.core import dataversion

FORMAT = "snu-backup"
VERSION = 1
BATCH = 2000
# Besides the snu.* apps: the accounts. Sessions, content types, permissions and the task queue are rebuilt.
EXTRA_APPS = ("auth",)
SKIPPED_MODELS = {"auth.permission", "core.dataversion"}  # the data version is a cache key, not data


class BackupError(Exception):
    pass


def backup_models() -> list[type[models.Model]]:
    """Every concrete table we keep, parents before children (by foreign keys; cycles are fine, see above)."""
    chosen = [
        model
        for model in apps.get_models(include_auto_created=True)
        if (model._meta.app_config.name.startswith("snu.") or model._meta.app_label in EXTRA_APPS)
        and model._meta.managed
        and not model._meta.proxy
        and model._meta.label_lower not in SKIPPED_MODELS
    ]
    return _parents_first(chosen)


def _parents_first(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    labels = {m._meta.label_lower: m for m in chosen}
    ordered: list[type[models.Model]] = []
    seen: set[str] = set()

    def visit(model: type[models.Model], path: set[str]) -> None:
        label = model._meta.label_lower
        if label in seen or label in path:
            return
        for field in model._meta.local_concrete_fields:
            target = field.related_model if field.is_relation else None
            if target is not None and target._meta.label_lower in labels and target is not model:
                visit(labels[target._meta.label_lower], path | {label})
        seen.add(label)
        ordered.append(model)

    for model in sorted(chosen, key=lambda m: m._meta.label_lower):
        visit(model, set())
    return ordered


def _by_natural_key(field: models.Field, labels: set[str]) -> bool:
    target = field.related_model if field.is_relation else None
    return (
        target is not None
        and target._meta.label_lower not in labels
        and hasattr(target, "natural_key")
        and hasattr(target._default_manager, "get_by_natural_key")
    )


def _encode(obj: models.Model, field: models.Field, labels: set[str], using: str) -> Any:
    if _by_natural_key(field, labels):
        target = getattr(obj, field.name)
        return list(target.natural_key()) if target is not None else None
    if field.is_relation:
        return getattr(obj, field.attname)
    value = field.value_from_object(obj)
    if value is None or isinstance(field, models.JSONField) or is_protected_type(value):
        return value
    return field.value_to_string(obj)


def _decode(model: type[models.Model], field: models.Field, value: Any, labels: set[str], using: str) -> Any:
    if value is None:
        return None
    if _by_natural_key(field, labels):
        target = field.related_model._default_manager.db_manager(using).get_by_natural_key(*value)  # type: ignore[union-attr]
        return target.pk
    if field.is_relation:
        return field.target_field.to_python(value)  # type: ignore[attr-defined]
    if isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    recorder = MigrationRecorder(connections[using])
    applied: dict[str, list[str]] = {}
    for app, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def write_backup(path: str | Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write every table to `path` from one consistent snapshot of the database; return the manifest."""
    chosen = backup_models()
    labels = {m._meta.label_lower for m in chosen}
    counts: dict[str, int] = {}
    tmp = Path(f"{path}.partial")
    _check_tables(chosen, using)
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using), zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        if connection.vendor == "postgresql" and outermost:
            # A backup taken while people work must not mix states from before and after one of their changes.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for model in chosen:
            counts[model._meta.label_lower] = _write_model(archive, model, labels, using)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "source": connection.vendor,
            "snu_default_authority": settings.SNU_DEFAULT_AUTHORITY,
            "migrations": applied_migrations(using),
            "models": counts,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=1, sort_keys=True))
    tmp.replace(path)
    return manifest


def _check_tables(chosen: list[type[models.Model]], using: str) -> None:
    existing = set(connections[using].introspection.table_names())
    missing = sorted(m._meta.db_table for m in chosen if m._meta.db_table not in existing)
    if missing:
        raise BackupError(f"the database lacks tables {', '.join(missing)}: run `snu migrate` first")


def _write_model(archive: zipfile.ZipFile, model: type[models.Model], labels: set[str], using: str) -> int:
    fields = model._meta.local_concrete_fields
    count = 0
    with archive.open(f"data/{model._meta.label_lower}.jsonl", "w") as raw, io.TextIOWrapper(raw, "utf-8") as out:
        rows = model._base_manager.using(using).order_by("pk").iterator(chunk_size=BATCH)
        for obj in rows:
            row = {f.attname: _encode(obj, f, labels, using) for f in fields}
            out.write(json.dumps(row, ensure_ascii=False, default=_json_default) + "\n")
            count += 1
    return count


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return value.isoformat()
    return str(value)


def read_manifest(path: str | Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError) as exc:
        raise BackupError(f"{path} is not an SNU backup: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not an SNU backup (format {manifest.get('format')!r})")
    if manifest.get("version") != VERSION:
        raise BackupError(f"{path} has backup format version {manifest.get('version')}; this SNU reads {VERSION}")
    return manifest


def is_empty(using: str = DEFAULT_DB_ALIAS) -> bool:
    """No authority, user or audit row: reference data that migrations load does not count."""
    from django.contrib.auth import get_user_model

    from snu.core.models import AuditEntry, Authority

    return not any(m._base_manager.using(using).exists() for m in (Authority, get_user_model(), AuditEntry))


def restore_backup(path: str | Path, using: str = DEFAULT_DB_ALIAS, *, force: bool = False) -> dict[str, int]:
    """Replace the contents of every backed-up table with the backup's rows, all or nothing; return row counts."""
    manifest = read_manifest(path)
    _check_migrations(manifest, using)
    chosen = backup_models()
    labels = {m._meta.label_lower for m in chosen}
    unknown = sorted(set(manifest["models"]) - labels)
    if unknown:
        raise BackupError(f"the backup has tables this SNU does not know: {', '.join(unknown)}")
    _check_tables(chosen, using)
    counts: dict[str, int] = {}
    with transaction.atomic(using=using), zipfile.ZipFile(path) as archive:
        if not is_empty(using) and not force:
            raise BackupError("the database is not empty; restore into an empty database or pass --force")
        for model in reversed(chosen):
            model._base_manager.using(using).all()._raw_delete(using)  # type: ignore[attr-defined]
        for model in chosen:
            label = model._meta.label_lower
            if label in manifest["models"]:
                counts[label] = _restore_model(archive, model, labels, using)
                if counts[label] != (expected := manifest["models"][label]):
                    raise BackupError(f"{label}: {counts[label]} rows read, the manifest says {expected}")
        _reset_sequences(chosen, using)
        dataversion.bump_on_commit(using)  # totals and snapshots made before the restore no longer hold
    return counts


def _check_migrations(manifest: dict[str, Any], using: str) -> None:
    here = applied_migrations(using)
    for app, names in manifest["migrations"].items():
        missing = sorted(set(names) - set(here.get(app, [])))
        if missing:
            raise BackupError(
                f"the backup was made after migration {app}.{missing[-1]}, which this database lacks: "
                "run `snu migrate` (with the same or a newer SNU) first"
            )


def _rows(archive: zipfile.ZipFile, label: str) -> Iterator[dict[str, Any]]:
    with archive.open(f"data/{label}.jsonl") as raw:
        for line in io.TextIOWrapper(raw, "utf-8"):
            if line.strip():
                yield json.loads(line)


def _restore_model(archive: zipfile.ZipFile, model: type[models.Model], labels: set[str], using: str) -> int:
    fields = model._meta.local_concrete_fields
    by_name = {f.attname: f for f in fields}
    manager = model._base_manager.db_manager(using)
    batch: list[models.Model] = []
    count = 0
    for row in _rows(archive, model._meta.label_lower):
        unknown = set(row) - set(by_name)
        if unknown:
            raise BackupError(f"{model._meta.label_lower}: columns this SNU does not have: {sorted(unknown)}")
        obj = model()
        for name, value in row.items():
            setattr(obj, name, _decode(model, by_name[name], value, labels, using))
        batch.append(obj)
        if len(batch) >= BATCH:
            count += _insert(manager, batch, fields)
            batch = []
    if batch:
        count += _insert(manager, batch, fields)
    return count


def _insert(manager: models.Manager, batch: list[models.Model], fields: Sequence[models.Field]) -> int:
    # raw=True keeps the stored values of auto_now/auto_now_add fields, as loaddata does.
    size = max(1, connections[manager.db].ops.bulk_batch_size(fields, batch))
    for start in range(0, len(batch), size):
        manager._insert(batch[start : start + size], fields=fields, raw=True, using=manager.db)  # type: ignore[attr-defined]
    return len(batch)


def _reset_sequences(chosen: list[type[models.Model]], using: str) -> None:
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), chosen)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
