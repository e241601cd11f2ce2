"""The data version: one counter that moves after every committed change to allocations or alignments.

Whatever is computed from many rows (list totals, filter choices, analytics aggregates, the DuckDB
snapshot) is kept under the version it was computed at. Reading the version is one primary-key lookup,
so a page at a million allocations asks "has anything changed?" instead of summing again.

Rules:
- Saves through the ORM bump the version through signals (connected in `snu.core.apps`); bulk writes
  that bypass signals call `bump_on_commit()` themselves.
- The bump runs after the writing transaction commits, so the counter row is never held locked by a
  long import, and a reader never sees the new version before the new rows.
- Inside a transaction (`atomic`), `cached` computes afresh: there the database may hold changes of our
  own that the version does not count yet.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone

T = TypeVar("T")
TIMEOUT = 24 * 3600  # a key holds its version, so an old entry is merely unused, never wrong


def current(using: str = DEFAULT_DB_ALIAS) -> int:
    return stamp(using)[1]


def stamp(using: str = DEFAULT_DB_ALIAS) -> tuple[str, int]:
    """(this database's random instance token, its data version): one primary-key lookup, never remembered,
    so a change committed by any process counts at once."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT instance, version FROM core_dataversion WHERE id = 1")
        row = cursor.fetchone()
    if row is None:  # a new or flushed database: the first bump creates the row
        bump(using)
        return stamp(using)
    return str(row[0]), int(row[1])


def bump(using: str = DEFAULT_DB_ALIAS) -> int:
    """Move the version now (outside a transaction, or at its very end)."""
    from snu.core.models import DataVersion

    with transaction.atomic(using=using):
        row = DataVersion.objects.using(using).filter(pk=1).select_for_update().first()
        if row is None:
            try:
                with transaction.atomic(using=using):
                    DataVersion.objects.using(using).create(pk=1, version=1, changed_at=timezone.now())
                return 1
            except IntegrityError:  # another process created it first
                row = DataVersion.objects.using(using).select_for_update().get(pk=1)
        row.version += 1
        row.changed_at = timezone.now()
        row.save(update_fields=["version", "changed_at"])
        return row.version


def bump_on_commit(using: str = DEFAULT_DB_ALIAS) -> None:
    """Move the version once the current transaction commits (at once when there is none).

    Registers one callback per transaction (and savepoint), however many rows are saved in it."""
    connection = connections[using]
    if not connection.in_atomic_block:
        bump(using)
        return
    callback = _flush_callback(using)
    here = set(connection.savepoint_ids)
    if any(entry[1] is callback and entry[0] == here for entry in connection.run_on_commit):
        return
    transaction.on_commit(callback, using=using)


@functools.cache
def _flush_callback(using: str) -> Callable[[], None]:
    """One callback object per database alias, so a transaction can tell it already has one registered."""

    def flush() -> None:
        bump(using)

    return flush


def on_change(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """Signal receiver for saves and deletes of the rows that totals are made of."""
    bump_on_commit(using)


def cached(
    name: str, parts: Any, compute: Callable[[], T], using: str = DEFAULT_DB_ALIAS, *, versioned: bool = True
) -> T:
    """`compute()`, or its result from an earlier call with the same name and parts at this data version.

    `versioned=False` is for results whose parts already say what data they stand on (a snapshot's name)."""
    if connections[using].in_atomic_block:
        return compute()
    instance, version = stamp(using)
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    key = f"snu:{name}:{instance}:{version if versioned else '-'}:{digest}"
    hit = cache.get(key)
    if hit is not None:
        return hit[0]
    value = compute()
    cache.set(key, (value,), TIMEOUT)
    return value


def fragment_key(using: str = DEFAULT_DB_ALIAS) -> str:
    """A key for `{% cache %}` around a read-only page part: the database's token and data version.

    Inside a transaction (tests, or a page that writes) a fresh random key, so nothing is read from the cache."""
    if connections[using].in_atomic_block:
        return secrets.token_hex(8)
    instance, version = stamp(using)
    return f"{instance}-{version}"
