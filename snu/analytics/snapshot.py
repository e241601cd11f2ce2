"""A Parquet snapshot of allocations and assigned elements, queried with DuckDB when the data is large.

Two files under `DATA_DIR/analytics/`: `alloc.parquet` (one row per allocation, money in øre, the
funding source's state flag and the recipient's organisation form folded in) and `elem.parquet` (one
row per assigned element). The snapshot records the data version (`snu.core.dataversion`) it was taken
at; it is fresh while the version has not moved. `snu analytics snapshot` refreshes it, and so does a
reader that finds it stale (`refresh_in_background`: one refresh at a time, guarded by a file lock).
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from snu.core import dataversion

log = logging.getLogger(__name__)

_local = threading.local()
_refreshing = threading.Lock()

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
    # Read the version first: a change committed while the files are written moves it on, so such a
    # snapshot is stale at once rather than wrongly fresh.
    version = dataversion.current()
    # Each snapshot gets its own folder and the manifest names it, so a reader never mixes two snapshots.
    work = Path(tempfile.mkdtemp(dir=folder, prefix=f"v{version}-"))
    try:
        n_alloc = _dump(ALLOC_SQL, ALLOC_COLUMNS, work / "alloc.parquet", work)
        n_elem = _dump(ELEM_SQL, ELEM_COLUMNS, work / "elem.parquet", work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    meta = {
        "version": version,
        "folder": work.name,
        "taken_at": timezone.now().isoformat(),
        "allocations": n_alloc,
        "elements": n_elem,
        "seconds": round(time.perf_counter() - started, 2),
    }
    tmp_manifest = work / "snapshot.json"
    tmp_manifest.write_text(json.dumps(meta), encoding="utf-8")
    previous = info()
    os.replace(tmp_manifest, folder / "snapshot.json")
    # Keep the snapshot just replaced (a reader may be loading it now); remove older ones.
    keep = {work.name, (previous or {}).get("folder")}
    for old in folder.glob("v*-*"):
        if old.is_dir() and old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    return meta


def info() -> dict | None:
    path = directory() / "snapshot.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_fresh(meta: dict | None = None) -> bool:
    """True when a snapshot exists and was taken at the current data version."""
    meta = meta if meta is not None else info()
    return bool(meta) and meta.get("version") == dataversion.current()  # type: ignore[union-attr]


def taken_at(meta: dict) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(meta["taken_at"])
    except (KeyError, TypeError, ValueError):
        return None


def refresh_in_background() -> bool:
    """Start a refresh in a thread unless one is running here or in another process; True if started."""
    if not _refreshing.acquire(blocking=False):
        return False
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    lock = open(folder / "refresh.lock", "w")  # noqa: SIM115 - held for the thread's lifetime
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        _refreshing.release()
        return False

    def run() -> None:
        try:
            if not is_fresh():
                refresh()
                warm()
        except Exception:  # a failed refresh leaves the old snapshot in place; the next reader tries again
            log.exception("analytics snapshot refresh failed")
        finally:
            connections.close_all()
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()
            _refreshing.release()

    threading.Thread(target=run, name="snu-snapshot-refresh", daemon=True).start()
    return True


def warm() -> int:
    """Compute every dashboard panel without filters for each authority's strategies from the new snapshot,
    so the first reader after a refresh gets kept figures (snu.core.dataversion) instead of waiting."""
    from snu.analytics import queries
    from snu.analytics.filters import Filters
    from snu.core.models import Authority

    done = 0
    for authority in Authority.objects.all():
        for strategy in queries.strategies(authority):
            for name in queries.PANELS:
                queries.panel(name, authority, strategy, Filters(), backend="duckdb")
                done += 1
    return done


def mark_stale(*args, **kwargs) -> None:
    """For bulk writes that bypass signals: move the data version once the transaction commits."""
    dataversion.bump_on_commit(kwargs.get("using", DEFAULT_DB_ALIAS))


_loaded: dict[str, object] = {}  # snapshot folder -> DuckDB database holding it (one per process)
_loading = threading.Lock()


def _connection(meta: dict):
    """A cursor of this thread on the process's in-memory copy of the snapshot (loaded once per process)."""
    import duckdb

    stamp = meta["folder"]
    if getattr(_local, "stamp", None) == stamp:
        return _local.con
    with _loading:
        database = _loaded.get(stamp)
        if database is None:
            folder = directory() / stamp
            database = duckdb.connect()
            database.execute(
                f"CREATE TABLE alloc AS SELECT *, CASE is_state_int WHEN 1 THEN TRUE WHEN 0 THEN FALSE END AS is_state "  # noqa: S608 - only ints and fixed names are inlined; values are parameters
                f"FROM read_parquet('{folder / 'alloc.parquet'}')"
            )
            database.execute(f"CREATE TABLE elem AS SELECT * FROM read_parquet('{folder / 'elem.parquet'}')")  # noqa: S608 - only ints and fixed names are inlined; values are parameters
            # The older copy is dropped, not closed: a thread may be querying it; it goes with its last cursor.
            _loaded.clear()
            _loaded[stamp] = database
        con = database.cursor()  # type: ignore[attr-defined]
    _local.con, _local.stamp = con, stamp
    return con


def execute(sql: str, params: list, meta: dict | None = None) -> list[tuple]:
    meta = meta or info()
    if meta is None:
        raise FileNotFoundError("no analytics snapshot; run `snu analytics snapshot`")
    return _connection(meta).execute(sql, params).fetchall()
