"""A Parquet snapshot of allocations and assigned elements, queried with DuckDB when the data is large.

Two files under `DATA_DIR/analytics/`: `alloc.parquet` (one row per allocation, money in øre, the
funding source's state flag and the recipient's organisation form folded in) and `elem.parquet` (one
row per assigned element). The snapshot carries a fingerprint of the database (counts, highest ids,
latest change); a snapshot whose fingerprint no longer matches is not used, so a stale snapshot can
never answer. `snu analytics snapshot` refreshes it; saving allocations or alignments marks it stale.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

_local = threading.local()
_fresh_cache: dict[str, tuple[float, bool]] = {}
FRESH_TTL = 30.0  # seconds a freshness check is trusted; saves through the ORM reset it at once

ALLOC_SQL = """
SELECT a.id, a.authority_id, a.year, a.current_municipality_id, a.funding_source_id, a.scheme_id,
       a.recipient_id, a.status, COALESCE(a.industry_code, ''), COALESCE(a.org_number, ''),
       COALESCE(a.recipient_name, ''),
       CAST(ROUND(a.amount * 100) AS BIGINT), CAST(ROUND(a.amount_paid * 100) AS BIGINT),
       CAST(ROUND(a.amount_applied * 100) AS BIGINT),
       CASE WHEN fs.is_state = TRUE THEN 1 WHEN fs.is_state = FALSE THEN 0 END,
       COALESCE(o.org_form, '')
FROM grants_allocation a
LEFT JOIN grants_fundingsource fs ON fs.id = a.funding_source_id
LEFT JOIN grants_organisation o ON o.id = a.recipient_id
"""
ALLOC_COLUMNS = {
    "id": "BIGINT",
    "authority_id": "BIGINT",
    "year": "INTEGER",
    "current_municipality_id": "BIGINT",
    "funding_source_id": "BIGINT",
    "scheme_id": "BIGINT",
    "recipient_id": "BIGINT",
    "status": "VARCHAR",
    "industry_code": "VARCHAR",
    "org_number": "VARCHAR",
    "recipient_name": "VARCHAR",
    "amount_ore": "BIGINT",
    "paid_ore": "BIGINT",
    "applied_ore": "BIGINT",
    "is_state_int": "INTEGER",
    "recipient_type": "VARCHAR",
}
ELEM_SQL = """
SELECT al.allocation_id, ae.element_id, CAST(ROUND(ae.amount * 100) AS BIGINT), ae.weight
FROM classify_alignmentelement ae JOIN classify_alignment al ON al.id = ae.alignment_id
WHERE ae.assigned = TRUE
"""
ELEM_COLUMNS = {"allocation_id": "BIGINT", "element_id": "BIGINT", "amount_ore": "BIGINT", "weight": "DOUBLE"}


def directory() -> Path:
    return Path(getattr(settings, "SNU_ANALYTICS_DIR", settings.DATA_DIR / "analytics"))


def fingerprint() -> dict:
    """What the database holds now, cheaply: counts, highest ids and latest change of the two tables."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), MAX(id), MAX(updated_at) FROM grants_allocation")
        a = cursor.fetchone()
        cursor.execute("SELECT COUNT(*), MAX(id), MAX(updated_at) FROM classify_alignment")
        b = cursor.fetchone()
        cursor.execute("SELECT COUNT(*), MAX(id) FROM classify_alignmentelement")
        c = cursor.fetchone()
    return {"allocations": [a[0], a[1], str(a[2])], "alignments": [b[0], b[1], str(b[2])], "elements": list(c)}


def _dump(sql: str, columns: dict[str, str], target: Path, workdir: Path) -> int:
    """Stream rows from the database to CSV, then let DuckDB write typed Parquet from it."""
    import duckdb

    csv_path = workdir / (target.stem + ".csv")
    rows = 0
    with connection.cursor() as cursor, open(csv_path, "w", newline="", encoding="utf-8") as fh:
        cursor.execute(sql)
        writer = csv.writer(fh)
        while batch := cursor.fetchmany(50_000):
            writer.writerows(batch)
            rows += len(batch)
    con = duckdb.connect()
    cols = ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items())
    con.execute(
        f"COPY (SELECT * FROM read_csv('{csv_path}', header=false, columns={{{cols}}}, nullstr='')) "  # noqa: S608 - only ints and fixed names are inlined; values are parameters
        f"TO '{target}' (FORMAT parquet)"
    )
    con.close()
    csv_path.unlink()
    return rows


def refresh() -> dict:
    """Write a new snapshot of the whole database (all authorities; queries filter by authority)."""
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print_ = fingerprint()
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        work = Path(tmp)
        n_alloc = _dump(ALLOC_SQL, ALLOC_COLUMNS, work / "alloc.parquet", work)
        n_elem = _dump(ELEM_SQL, ELEM_COLUMNS, work / "elem.parquet", work)
        for name in ("alloc.parquet", "elem.parquet"):
            os.replace(work / name, folder / name)
    info = {"fingerprint": print_, "allocations": n_alloc, "elements": n_elem, "seconds": time.perf_counter() - started}
    (folder / "snapshot.json").write_text(json.dumps(info), encoding="utf-8")
    mark_stale()
    return info


def info() -> dict | None:
    path = directory() / "snapshot.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def is_fresh() -> bool:
    """True when a snapshot exists and matches the database (checked at most every FRESH_TTL seconds)."""
    key = str(directory())
    cached = _fresh_cache.get(key)
    now = time.monotonic()
    if cached and now - cached[0] < FRESH_TTL:
        return cached[1]
    meta = info()
    fresh = bool(meta) and meta["fingerprint"] == fingerprint()  # type: ignore[index]
    _fresh_cache[key] = (now, fresh)
    return fresh


def mark_stale(*args, **kwargs) -> None:
    """Forget the cached freshness check; connected to saves of allocations and alignments."""
    _fresh_cache.clear()


def _connection():
    import duckdb

    folder = directory()
    stamp = (folder / "snapshot.json").stat().st_mtime_ns
    con = getattr(_local, "con", None)
    if con is None or getattr(_local, "stamp", None) != stamp:
        if con is not None:
            con.close()
        con = duckdb.connect()
        con.execute(
            f"CREATE TABLE alloc AS SELECT *, CASE is_state_int WHEN 1 THEN TRUE WHEN 0 THEN FALSE END AS is_state "  # noqa: S608 - only ints and fixed names are inlined; values are parameters
            f"FROM read_parquet('{folder / 'alloc.parquet'}')"
        )
        con.execute(f"CREATE TABLE elem AS SELECT * FROM read_parquet('{folder / 'elem.parquet'}')")  # noqa: S608 - only ints and fixed names are inlined; values are parameters
        _local.con, _local.stamp = con, stamp
    return con


def execute(sql: str, params: list) -> list[tuple]:
    return _connection().execute(sql, params).fetchall()
