"""Bulk writes: PostgreSQL COPY, batched multi-row inserts on SQLite. Always inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from itertools import chain
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction

BATCH = 5000
_NATIVE = {str, int, float, bool, bytes}
_PLAIN = {*_NATIVE, type(None)}
COPY_BLOCK = 20_000  # rows converted and sent together
SQLITE_CACHE_KIB = -256 * 1024  # negative: KiB, i.e. up to 256 MB while inserting
# A large insert builds the table's plain (non-unique) indexes afresh instead of updating them row by row: on the
# allocation table that is ~10× cheaper per row. Only when the insert is large and at least doubles the table
# (SQLite: grows it by half) — rebuilding reads the whole table.
REBUILD_MIN_ROWS = 20_000
POSTGRES_LOCK_WAIT = "2s"
POSTGRES_INDEX_MEMORY = "256MB"
SQLITE_ROWS_PER_STATEMENT = 200
SQLITE_SORT_THREADS = max(1, min(4, os.cpu_count() or 1))
SQLITE_SORT_CACHE_KIB = -2000  # SQLite's default page cache (2 MB): the size of each sorted run (see below)


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[tuple], progress: Callable[[int], None]) -> int:
    """Insert rows fast. `rows` hold Python values (Decimal, date, str, bool, None); JSON already as text."""
    rows = list(rows)
    return copy_columns(table, columns, [list(c) for c in zip(*rows, strict=True)] if rows else [], progress)


def copy_columns(
    table: str, columns: Sequence[str], data: Sequence[Sequence[Any]], progress: Callable[[int], None]
) -> int:
    """`copy_rows` given column by column (each a list of one column's values, all as long): each column's values
    are turned into what the database stores in one pass over the column, not value by value in every row."""
    if not data:
        progress(0)
        return 0
    if len(data) != len(columns) or len({len(c) for c in data}) != 1:
        raise ValueError("one list of values per column, all as long")
    if connection.vendor == "postgresql":
        return _copy_postgres(table, columns, data, progress)
    if connection.vendor == "sqlite":
        return _insert_sqlite(table, columns, data, progress)
    return _insert_multirow(table, columns, zip(*data, strict=True), progress)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """A value as PostgreSQL's COPY text format writes it (`\\N` is NULL)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _copy_column(values: Sequence[Any]) -> list[str]:
    """One column as COPY text. Strings without a backslash, tab or line break (nearly all) go as they are, checked
    for the whole column at once; other values are converted once per distinct value."""
    kinds = set(map(type, values))
    if kinds == {str}:
        joined = "".join(values)
        if not any(c in joined for c in "\\\t\n\r"):
            return list(values)
    if kinds <= {Decimal, type(None)}:  # not remembered: Decimal 1.0 and 1.00 are equal keys with other text
        return ["\\N" if v is None else str(v) for v in values]
    return _per_distinct_value(_copy_text, values, kinds)


def _copy_postgres(
    table: str, columns: Sequence[str], data: Sequence[Sequence[Any]], progress: Callable[[int], None]
) -> int:
    """COPY in text format, written in large blocks of lines built column by column (psycopg's `write_row` adapts
    every value of every row on its own, ~20 µs a row)."""
    qn = connection.ops.quote_name
    sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    total = len(data[0])
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for start in range(0, total, COPY_BLOCK):
            block = [_copy_column(column[start : start + COPY_BLOCK]) for column in data]
            copy.write("\n".join(map("\t".join, zip(*block, strict=True))) + "\n")
            progress(min(start + COPY_BLOCK, total))
    progress(total)
    return total


def stored_form(value: Any) -> Any:
    """A value every row shares (the import's timestamp), converted once as sqlite3 would convert it on each row
    through Django's registered adapter (the same text is stored). Other databases: the value itself."""
    if connection.vendor == "sqlite":
        adapt = sqlite3.adapters.get((type(value), sqlite3.PrepareProtocol))
        return adapt(value) if adapt else value
    return value


def _sqlite_column(values: Sequence[Any]) -> Sequence[Any]:
    """One column converted as sqlite3 would convert each value through the adapters Django registers (Decimal,
    date and datetime to text), but once per column: sqlite3 calls a Python adapter for every such value.

    A column whose first, middle and last values are text, numbers or None (most columns) is left as it is
    without looking at every value: any other value in it is converted by sqlite3 as it binds it, through the
    same adapter, so what is stored is the same."""
    if {type(values[0]), type(values[len(values) // 2]), type(values[-1])} <= _PLAIN:
        return values
    all_kinds = set(map(type, values))
    kinds = all_kinds - _NATIVE - {type(None)}
    if not kinds:
        return values
    adapters = {kind: sqlite3.adapters.get((kind, sqlite3.PrepareProtocol)) for kind in kinds}
    if kinds == {Decimal} and adapters[Decimal] is str:  # not remembered: Decimal 1.0 and 1.00 are equal keys
        if len(all_kinds) == 1:  # no None among them
            return list(map(str, values))
        return [v if v is None else str(v) for v in values]

    def stored(value: Any) -> Any:
        adapt = adapters.get(type(value))
        return value if adapt is None else adapt(value)

    return _per_distinct_value(stored, values, all_kinds)


# Kinds whose equal values are converted alike (not Decimal: 1.0 == 1.00; not float: -0.0 == 0.0; not datetime:
# one instant in two time zones).
_ALIKE_WHEN_EQUAL = {str, int, bool, dt.date, type(None)}


def _per_distinct_value(convert: Callable[[Any], Any], values: Sequence[Any], kinds: set[type]) -> list[Any]:
    """convert(value) for each value: once per distinct value where equal values convert alike, else each time."""
    if not kinds <= _ALIKE_WHEN_EQUAL:
        return list(map(convert, values))
    if len(kinds - {type(None)}) <= 1:
        known = {value: convert(value) for value in dict.fromkeys(values)}
        return list(map(known.__getitem__, values))
    typed = list(zip(map(type, values), values, strict=True))  # True == 1: keep the kinds apart
    known = {key: convert(key[1]) for key in dict.fromkeys(typed)}
    return list(map(known.__getitem__, typed))


def _insert_sqlite(
    table: str, columns: Sequence[str], data: Sequence[Sequence[Any]], progress: Callable[[int], None]
) -> int:
    """sqlite3's own executemany on the raw connection (inside the caller's transaction): one prepared statement,
    rows bound in C. Values are converted column by column first (`_sqlite_column`), so the stored text is what
    Django's adapters would store."""
    qn = connection.ops.quote_name
    head = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "  # noqa: S608 - names from the model
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    # Sixteen indexes on allocations: a larger page cache (for this insert only) keeps their pages in memory.
    previous = cursor.execute("PRAGMA cache_size").fetchone()[0]
    cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
    total = len(data[0])
    bare = table in _without_indexes.get()
    try:
        if not cursor.execute("PRAGMA foreign_keys").fetchone()[0]:  # turned off by `foreign_keys_off`
            _check_references(cursor, table, columns, data)
        for start in range(0, total, COPY_BLOCK):
            block = [_sqlite_column(column[start : start + COPY_BLOCK]) for column in data]
            # A column with one value all through the block goes into the statement as a literal: binding a
            # parameter costs about as much as SQLite's own work for it (a block's imports share the authority,
            # the timestamps, often the status, source and empty columns; 40 % less time for the insert).
            literals = [_literal(values) for values in block]
            marks = "(" + ", ".join("?" if literal is None else literal for literal in literals) + ")"
            bound = [values for values, literal in zip(block, literals, strict=True) if literal is None]
            # Into a table without its plain indexes (`indexes_rebuilt_after`), many rows a statement: a quarter
            # less time than a statement a row. With the indexes in place it takes almost twice as long (measured
            # on 300,000 allocations), so then a statement a row.
            n, width = len(block[0]), len(bound)
            per = max(1, min(SQLITE_ROWS_PER_STATEMENT, _max_parameters(cursor) // max(width, 1))) if bare else 1
            # Table and column names come from the model, quoted; literals from `_literal`; the rest are parameters.
            if per == 1:
                cursor.executemany(head + marks, zip(*bound, strict=True) if bound else [()] * n)
                progress(min(start + COPY_BLOCK, total))
                continue
            flat = list(chain.from_iterable(zip(*bound, strict=True))) if bound else []
            whole = n - n % per
            step = per * width
            if whole:
                statement = head + ", ".join([marks] * per)
                cursor.executemany(statement, [flat[i * step : (i + 1) * step] for i in range(whole // per)])
            if n > whole:
                cursor.execute(head + ", ".join([marks] * (n - whole)), flat[whole * width :])
            progress(min(start + COPY_BLOCK, total))
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(previous)}")
        cursor.close()
    progress(total)
    return total


def _max_parameters(cursor: Any) -> int:
    """The most parameters one SQLite statement may have on this connection (32,766 since SQLite 3.32, 999 before)."""
    try:
        return int(cursor.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    except AttributeError:  # Python before 3.11
        return 32_766 if sqlite3.sqlite_version_info >= (3, 32) else 999


def _literal(values: Sequence[Any]) -> str | None:
    """The SQL literal for a column holding one value throughout (None, a whole number, or text without NUL,
    which SQLite stores as it would store the same value bound as a parameter), or None to bind the values."""
    first = values[0]
    kind = type(first)
    if kind not in _LITERAL_KINDS or values[-1] != first or values[len(values) // 2] != first:
        return None  # (the usual column: told apart at a glance)
    if values.count(first) != len(values) or len(set(map(type, values))) != 1:  # True == 1: equal, stored apart
        return None
    if first is None:
        return "NULL"
    if kind is str:
        return None if "\x00" in first else "'" + first.replace("'", "''") + "'"
    return str(int(first))  # int, and bool as sqlite3 binds it (1 or 0)


_LITERAL_KINDS = {type(None), int, bool, str}
REFERENCE_CHUNK = 5000  # identifiers looked up per query (under SQLite's limit on variables)


def _check_references(cursor: Any, table: str, columns: Sequence[str], data: Sequence[Sequence[Any]]) -> None:
    """What SQLite's foreign keys would check row by row, done once per distinct value: every value of a
    foreign-key column must name a row of the table it points to. Raises IntegrityError naming the first that
    does not."""
    for _id, _seq, parent, source, target, *_rest in cursor.execute(f"PRAGMA foreign_key_list({table})").fetchall():
        if source not in columns:
            continue
        target = target or "rowid"
        cache = _verified.get()
        verified = cache.setdefault((parent, target), set()) if cache is not None else set()
        wanted = set(data[list(columns).index(source)]) - verified - {None}
        found: set[Any] = set()
        ordered = sorted(wanted, key=repr)
        for start in range(0, len(ordered), REFERENCE_CHUNK):
            chunk = ordered[start : start + REFERENCE_CHUNK]
            marks = ", ".join(["?"] * len(chunk))
            # Names come from SQLite's own description of the table; values are parameters.
            sql = f'SELECT "{target}" FROM "{parent}" WHERE "{target}" IN ({marks})'  # noqa: S608
            found.update(value for (value,) in cursor.execute(sql, chunk))
        if missing := wanted - found:
            value = min(missing, key=repr)
            raise IntegrityError(f"FOREIGN KEY constraint failed: {table}.{source} = {value!r} is not in {parent}")
        verified |= found


# While `foreign_keys_off` is on (per thread): the values already found in each (table, column) pointed to. Rows
# are not removed meanwhile (the block holds the write lock), so each value is looked up once per import.
_verified: ContextVar[dict[tuple[str, str], set[Any]] | None] = ContextVar("snu_verified_references", default=None)


@contextmanager
def foreign_keys_off(wanted: bool = True) -> Iterator[bool]:
    """On SQLite, for a large import: the block runs with foreign-key enforcement off, and `copy_columns` checks
    the values it inserts itself, once per distinct value instead of once per row and key (six lookups a row
    on the allocation table, a third of the insert's time). Other writes in the block are not checked, so use
    it only around writes whose references come from rows the same write transaction read or made (with
    `transaction_mode = IMMEDIATE` no one else can remove them meanwhile). Must be entered outside any
    transaction (SQLite ignores the setting inside one): otherwise, and on other databases, it does nothing.
    Yields whether enforcement is off."""
    off = bool(wanted and connection.vendor == "sqlite" and not connection.in_atomic_block)
    if off:
        off = connection.disable_constraint_checking()
    token = _verified.set({} if off else None)
    try:
        yield off
    finally:
        _verified.reset(token)
        if off:
            connection.enable_constraint_checking()


def _insert_multirow(table: str, columns: Sequence[str], rows: Iterable[tuple], progress: Callable[[int], None]) -> int:
    qn = connection.ops.quote_name
    per_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    rows_per_statement = max(1, 30000 // len(columns))  # under SQLite's 32,766 variables
    # Table and column names come from the model, quoted; values are always parameters.
    head = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "  # noqa: S608
    n = 0
    batch: list[Any] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.extend([v if v is None or type(v) in _NATIVE else str(v) for v in row])
            n += 1
            if n % rows_per_statement == 0:
                cursor.execute(head + ", ".join([per_row] * rows_per_statement), batch)
                batch = []
                if n % BATCH < rows_per_statement:
                    progress(n)
        left = len(batch) // len(columns)
        if left:
            cursor.execute(head + ", ".join([per_row] * left), batch)
    progress(n)
    return n


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@contextmanager
def indexes_rebuilt_after(table: str, new_rows: int) -> Iterator[bool]:
    """Inside the caller's transaction: for a large insert, drop the table's non-unique indexes (and on PostgreSQL
    its foreign keys), then build them again when the block ends. Yields whether it did. Unique indexes (and so
    duplicate checks) stay throughout; a row that breaks a foreign key fails the import when it is added back.

    Atomic like everything else: if the import fails, the rollback brings the indexes back as they were. On SQLite
    (WAL) readers go on seeing the old table meanwhile. On PostgreSQL dropping an index locks the table against
    readers until the commit, so it is only done when the lock is free within a moment and the insert at least
    doubles the table (a first import); otherwise the indexes are updated row by row as usual.
    """
    indexes = _plain_indexes(table) if new_rows >= REBUILD_MIN_ROWS else []
    if indexes and not _worth_rebuilding(table, new_rows):
        indexes = []
    if indexes and connection.vendor == "postgresql" and not _lock_postgres(table):
        indexes = []
    foreign_keys = _foreign_keys(table) if indexes else []
    qn = connection.ops.quote_name
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _run_pending_checks(cursor)
            for name, _sql in foreign_keys:
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {qn(name)}")
    except DatabaseError:  # e.g. a database user that does not own the table: insert the usual way
        indexes = foreign_keys = []
    token = _without_indexes.set(_without_indexes.get() | {table}) if indexes else None
    try:
        yield bool(indexes)
    finally:
        if token is not None:
            _without_indexes.reset(token)
    if not indexes:
        return
    with connection.cursor() as cursor:
        _run_pending_checks(cursor)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [POSTGRES_INDEX_MEMORY])
        else:
            # SQLite sorts an index's entries in runs the size of the page cache, each sorted (and the runs merged)
            # by helper threads when `threads` allows. Measured on 1 M allocations (9 indexes, 2 cores): 10.3 s with
            # a 256 MB cache (one huge run, one thread), 6.8 s with the default 2 MB cache, 4.9 s with 2 threads.
            threads = cursor.execute("PRAGMA threads").fetchone()[0]
            cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
            cursor.execute(f"PRAGMA threads = {SQLITE_SORT_THREADS}")
            cursor.execute(f"PRAGMA cache_size = {SQLITE_SORT_CACHE_KIB}")
        for _name, sql in indexes:
            cursor.execute(sql)
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA threads = {int(threads)}")
            cursor.execute(f"PRAGMA cache_size = {int(cache)}")
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")


# The tables whose plain indexes `indexes_rebuilt_after` has dropped for the moment (in this thread).
_without_indexes: ContextVar[frozenset[str]] = ContextVar("snu_tables_without_indexes", default=frozenset())


def _run_pending_checks(cursor: Any) -> None:
    """PostgreSQL alters no table with foreign-key checks still pending (they run at the commit): run them now,
    then defer again."""
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _foreign_keys(table: str) -> list[tuple[str, str]]:
    """On PostgreSQL each inserted row checks its six foreign keys one by one (~60 µs a row); added back after a
    large insert, a foreign key is checked for the whole table in one query. SQLite checks them cheaply."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'f'",
            [connection.ops.quote_name(table)],
        )
        return list(cursor.fetchall())


def _plain_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of each non-unique index, as the database itself would write it."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
                [table],
            )
        else:
            return []
        found = cursor.fetchall()
    return [(name, sql) for name, sql in found if not sql.upper().startswith("CREATE UNIQUE")]


def _worth_rebuilding(table: str, new_rows: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a model's table
        existing = cursor.fetchone()[0]
    if connection.vendor == "postgresql":
        return new_rows >= existing
    return new_rows * 2 >= existing


def _lock_postgres(table: str) -> bool:
    """The table to ourselves until the commit, if no one else is using it right now."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('lock_timeout')")
            previous = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [POSTGRES_LOCK_WAIT])
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(table)} IN ACCESS EXCLUSIVE MODE")
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
    except DatabaseError:
        return False
    return True
