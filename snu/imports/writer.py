"""Bulk writes: PostgreSQL COPY, batched multi-row inserts on SQLite. Always inside the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection

BATCH = 5000
SQLITE_CACHE_KIB = -256 * 1024  # negative: KiB, i.e. up to 256 MB while inserting


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[tuple], progress: Callable[[int], None]) -> int:
    """Insert rows fast. `rows` hold Python values (Decimal, date, str, bool, None); JSON already as text."""
    if connection.vendor == "postgresql":
        return _copy_postgres(table, columns, rows, progress)
    return _insert_batched(table, columns, rows, progress)


def _copy_postgres(table: str, columns: Sequence[str], rows: Iterable[tuple], progress: Callable[[int], None]) -> int:
    qn = connection.ops.quote_name
    sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    n = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
            if n % BATCH == 0:
                progress(n)
    progress(n)
    return n


def _insert_batched(table: str, columns: Sequence[str], rows: Iterable[tuple], progress: Callable[[int], None]) -> int:
    if connection.vendor == "sqlite":
        return _insert_sqlite(table, columns, rows, progress)
    return _insert_multirow(table, columns, rows, progress)


def _insert_sqlite(table: str, columns: Sequence[str], rows: Iterable[tuple], progress: Callable[[int], None]) -> int:
    """sqlite3's own executemany on the raw connection (inside the caller's transaction): one prepared statement,
    rows bound in C. Django registers sqlite3 adapters that store Decimal, date and datetime as `str(value)`,
    exactly what `_insert_multirow` does by hand, so the stored text is the same."""
    qn = connection.ops.quote_name
    marks = ", ".join(["?"] * len(columns))
    # Table and column names come from the model, quoted; values are always parameters.
    sql = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES ({marks})"  # noqa: S608
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    # Sixteen indexes on allocations: a larger page cache (for this insert only) keeps their pages in memory.
    previous = cursor.execute("PRAGMA cache_size").fetchone()[0]
    cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
    n = 0
    batch: list[tuple] = []
    try:
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                n += len(batch)
                batch = []
                progress(n)
        if batch:
            cursor.executemany(sql, batch)
            n += len(batch)
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(previous)}")
        cursor.close()
    progress(n)
    return n


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


_NATIVE = {str, int, float, bool}


def _sqlite_value(value: Any) -> Any:
    # Django stores dates and decimals as text on SQLite; do the same so the ORM reads them back unchanged.
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
