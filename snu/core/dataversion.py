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
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone

T = TypeVar("T")
TIMEOUT = 24 * 3600  # a key holds its version, so an old entry is merely unused, never wrong

# While a web request runs, the version is read once per database and remembered until the request ends or
# this thread moves it (`bump`); outside requests (commands, tasks, tests without a client) it is read each time.
_request = threading.local()


def request_started(**kwargs: Any) -> None:
    _request.memo = {}


def request_finished(**kwargs: Any) -> None:
    _request.memo = None


def _memo() -> dict[Any, Any] | None:
    return getattr(_request, "memo", None)


def per_request(key: Any, compute: Callable[[], T]) -> T:
    """`compute()`, remembered for the rest of the current web request under `key` (computed each time
    outside a request). For what a page asks many times over and that cannot change while it renders."""
    memo = _memo()
    if memo is None:
        return compute()
    try:
        return memo[("per_request", key)]
    except KeyError:
        value = memo[("per_request", key)] = compute()
        return value


DATA = 1  # allocations, alignments and what their totals show (the DataVersion row with this id)
EDITS = 2  # every other audited change: plans, partners, signals, reports (moves only the page keys)
ALLOCATIONS = 3  # allocations and their reference rows only: not moved by a review decision
# Everything the data version counts except changes to existing alignments saved one at a time (a person's
# decision): strategy rows, allocations and reference rows, alignments created or deleted, and every bulk write.
# A part that shows a few alignments is kept under this and those alignments' own stamps (`rows_stamp`), so a
# decision makes only the parts showing the decided alignment be made again.
BASE = 4
# What totals, rankings and the analytics snapshot are made of: everything the data version counts except updates
# of an alignment's own row (origin, confidence, priority, reviewer). A person accepting a suggestion leaves it
# alone; a person changing one moves it (the alignment's element rows are rewritten).
TOTALS = 5
ALL = (DATA, ALLOCATIONS, BASE, TOTALS)
ALIGNMENTS = (DATA, BASE, TOTALS)  # a bulk write of alignments (or their element rows): not the allocation version
ELEMENT_ROWS = (DATA, TOTALS)  # a decision rewrote an alignment's element rows
# Rows whose changes leave allocation-only results (list totals, filter choices, open-data years) standing.
ALIGNMENT_MODELS = frozenset(
    {"classify.Alignment", "classify.AlignmentElement", "strategy.Strategy", "strategy.Element"}
)
# A decision saves an existing alignment (which moves its `updated_at`: the data version alone) and may rewrite its
# element rows (delete and bulk-create, which moves TOTALS: `ELEMENT_ROWS`). Element rows are otherwise written in
# bulk (which moves BASE and TOTALS) or saved one by one (which moves them through its signal).
DECISION_AUDIT_TYPES = frozenset({"classify.alignment"})


def current(using: str = DEFAULT_DB_ALIAS) -> int:
    return stamp(using)[1]


def _counters(using: str) -> dict[int, tuple[str, int]]:
    memo = _memo()
    if memo is not None and ("counters", using) in memo:
        return memo[("counters", using)]
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT id, instance, version FROM core_dataversion WHERE id IN (1, 2, 3, 4, 5)")
        rows = {int(pk): (str(instance), int(version)) for pk, instance, version in cursor.fetchall()}
    if DATA not in rows:  # a new or flushed database: the first bump creates the row
        bump(using)
        return _counters(using)
    if memo is not None:
        memo[("counters", using)] = rows
    return rows


def stamp(using: str = DEFAULT_DB_ALIAS, scope: int = DATA) -> tuple[str, int]:
    """(this database's random instance token, its data version): one primary-key lookup, remembered only
    for the rest of the current web request, so a change committed by any process counts from the next one.

    `scope=ALLOCATIONS`: the version that only changes to allocations and their reference rows move (the
    token is the data version's, so it still tells databases apart); `scope=BASE`: the one decisions leave alone."""
    counters = _counters(using)
    instance, version = counters[DATA]
    if scope == DATA:
        return instance, version
    return instance, counters.get(scope, ("", 0))[1]


def edits(using: str = DEFAULT_DB_ALIAS) -> int:
    """The edit version: moves after every audited change (read with the data version, in the same query)."""
    return _counters(using).get(EDITS, ("", 0))[1]


def bump(using: str = DEFAULT_DB_ALIAS, counter: int | tuple[int, ...] = ALL) -> int:
    """Move the counters now (outside a transaction, or at its end): by default the data, allocation and base
    versions; `counter=ALIGNMENTS` after a bulk write of alignments, `counter=DATA` after a decision,
    `counter=EDITS` for the edit version. Returns the first counter's new value."""
    from snu.core.models import DataVersion

    memo = _memo()
    if memo is not None:
        memo.pop(("counters", using), None)
    moved = []
    with transaction.atomic(using=using):
        for pk in (counter,) if isinstance(counter, int) else counter:
            row = DataVersion.objects.using(using).filter(pk=pk).select_for_update().first()
            if row is None:
                try:
                    with transaction.atomic(using=using):
                        DataVersion.objects.using(using).create(pk=pk, version=1, changed_at=timezone.now())
                    moved.append(1)
                    continue
                except IntegrityError:  # another process created it first
                    row = DataVersion.objects.using(using).select_for_update().get(pk=pk)
            row.version += 1
            row.changed_at = timezone.now()
            row.save(update_fields=["version", "changed_at"])
            moved.append(row.version)
    return moved[0]


def bump_on_commit(using: str = DEFAULT_DB_ALIAS, counter: int | tuple[int, ...] = ALL) -> None:
    """Move the counters once the current transaction commits (at once when there is none).

    Registers one callback per transaction (and savepoint), however many rows are saved in it."""
    connection = connections[using]
    if not connection.in_atomic_block:
        bump(using, counter)
        return
    callback = _flush_callback(using, counter)
    here = set(connection.savepoint_ids)
    if any(entry[1] is callback and entry[0] == here for entry in connection.run_on_commit):
        return
    transaction.on_commit(callback, using=using)


@functools.cache
def _flush_callback(using: str, counter: int | tuple[int, ...]) -> Callable[[], None]:
    """One callback object per database alias and counter, so a transaction can tell it already has one."""

    def flush() -> None:
        bump(using, counter)

    return flush


def on_change(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """Signal receiver for saves and deletes of the rows that totals are made of. An existing alignment saved (a
    decision) moves the data version only; deleted element rows (a decision rewriting them) the totals version
    too; a new or deleted alignment, saved element rows and strategy rows the base version too; allocations and
    their reference rows every counter but the edit version."""
    label = getattr(getattr(sender, "_meta", None), "label", None)
    if label == "classify.Alignment" and kwargs.get("created") is False:
        bump_on_commit(using, DATA)
    elif label == "classify.AlignmentElement" and "created" not in kwargs:  # deleted: a decision rewriting them
        bump_on_commit(using, ELEMENT_ROWS)
    else:
        bump_on_commit(using, ALIGNMENTS if label in ALIGNMENT_MODELS else ALL)


def on_audited(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """Signal receiver for new audit entries: every change made through an action moves the edit version, except
    a decision on an alignment: saving the alignment moved the data version already (which every part showing
    decisions is kept under), and leaving the edit version alone keeps the parts that do not show it."""
    instance = kwargs.get("instance")
    if getattr(instance, "object_type", None) in DECISION_AUDIT_TYPES:
        return
    bump_on_commit(using, EDITS)


def cached(
    name: str,
    parts: Any,
    compute: Callable[[], T],
    using: str = DEFAULT_DB_ALIAS,
    *,
    versioned: bool = True,
    scope: int = DATA,
) -> T:
    """`compute()`, or its result from an earlier call with the same name and parts at this data version.

    `versioned=False` is for results whose parts already say what data they stand on (a snapshot's name).
    `scope=ALLOCATIONS` for results read from allocations and reference rows only (see `allocation_scope`): a
    review decision leaves them standing."""
    if connections[using].in_atomic_block:
        return compute()
    key = cache_key(name, parts, using, versioned=versioned, scope=scope)
    hit = cache.get(key)
    if hit is not None:
        return hit[0]
    value = compute()
    cache.set(key, (value,), TIMEOUT)
    return value


def cache_key(
    name: str, parts: Any, using: str = DEFAULT_DB_ALIAS, *, versioned: bool = True, scope: int = DATA
) -> str:
    """The cache key of a result named `name` computed from `parts` at the current data version."""
    instance, version = stamp(using, scope)
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"snu:{name}:{instance}:{version if versioned else '-'}:{digest}"


def page_key(name: str, parts: Any, using: str = DEFAULT_DB_ALIAS) -> str:
    """The cache key of a rendered page part (`{% keep %}`): the data version, the edit version and the date
    (pages say "due in 3 days") besides the part's own `parts`."""
    return cache_key(name, (parts, edits(using), today()), using)


def rows_page_key(name: str, parts: Any, rows: Any, using: str = DEFAULT_DB_ALIAS, scope: int = BASE) -> str:
    """The cache key of a page part that shows only a few alignments (besides allocations, strategy rows and audited
    edits): their state `rows` (e.g. `(id, updated_at)` pairs), the base version, the edit version and the date.
    A decision on another alignment moves neither, so the part stays kept; anything else that moves the data
    version moves the base version too. `scope=TOTALS` for a part that also shows element totals or rankings."""
    return cache_key(name, (parts, rows, edits(using), today()), using, scope=scope)


def today() -> str:
    return timezone.localdate().isoformat()


def allocation_scope(sql: str) -> int:
    """ALLOCATIONS for a query that reads no alignment or strategy table, else DATA."""
    return DATA if ("classify_" in sql or "strategy_" in sql) else ALLOCATIONS


def fragment_key(using: str = DEFAULT_DB_ALIAS, scope: int = DATA) -> str:
    """A key for `{% cache %}` around a read-only page part: the database's token and data version.

    Inside a transaction (tests, or a page that writes) a fresh random key, so nothing is read from the cache."""
    if connections[using].in_atomic_block:
        return secrets.token_hex(8)
    instance, version = stamp(using, scope)
    return f"{instance}-{scope}-{version}"


_REMEMBERED: dict[Any, Any] = {}
_REMEMBERED_SIZE = 2_000
_REMEMBERED_LOCK = threading.Lock()


def remembered(name: str, parts: Any, compute: Callable[[], T], using: str = DEFAULT_DB_ALIAS, scope: int = BASE) -> T:
    """`compute()`, remembered in this process while the base version (by default) and the edit version stand: for
    small structures many pages read (a strategy's elements, its version mappings), where the shared cache would
    cost a file read and the database a query. Inside a transaction it is computed afresh."""
    if connections[using].in_atomic_block:
        return compute()
    key = (name, parts, stamp(using, scope), edits(using))
    with _REMEMBERED_LOCK:
        if key in _REMEMBERED:
            return _REMEMBERED[key]
    value = compute()
    with _REMEMBERED_LOCK:
        if len(_REMEMBERED) >= _REMEMBERED_SIZE:
            _REMEMBERED.clear()  # old versions' entries: never read again
        _REMEMBERED[key] = value
    return value
