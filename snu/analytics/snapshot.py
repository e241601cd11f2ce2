"""A Parquet snapshot of allocations and assigned elements, queried with DuckDB when the data is large.

Two dumps under `DATA_DIR/analytics/`: `alloc.parquet` (one row per allocation, money in øre, the
funding source's state flag and the recipient's organisation form folded in) and `elem.parquet` (one
row per assigned element); from them, once, the query layout the panels read (`_derive`: `facts`,
`focus`, `recipients`; see `facts.py` and docs/adr/0002-analytics-query-layout.md), which each process
holds in a compressed in-memory DuckDB. The snapshot records the data version (`snu.core.dataversion`)
it was taken at; it is fresh while the version has not moved. `snu analytics snapshot` refreshes it, and so does a
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

# Empty texts are read as NULL (NULLIF): COPY would quote an empty string to tell it from NULL.
ALLOC_SQL = """
SELECT a.id, a.authority_id, a.year, a.current_municipality_id, a.funding_source_id, a.scheme_id,
       a.recipient_id, a.status, NULLIF(a.industry_code, ''), NULLIF(a.org_number, ''),
       NULLIF(a.recipient_name, ''),
       CAST(ROUND(a.amount * 100) AS BIGINT), CAST(ROUND(a.amount_paid * 100) AS BIGINT),
       CAST(ROUND(a.amount_applied * 100) AS BIGINT),
       CASE WHEN fs.is_state = TRUE THEN 1 WHEN fs.is_state = FALSE THEN 0 END,
       NULLIF(o.org_form, '')
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


# The query layout (`_derive`); a snapshot written with another layout counts as stale.
LAYOUT = 2
# Bits per element-kind mask (BIGINT, sign bit unused).
MASK_BITS = 62
MASK_COLUMNS = {"focus_area": "fa", "driver": "dr", "advantage": "ad"}
CATALOG = "snapshot"
DERIVE_MEMORY = "256MB"


def directory() -> Path:
    return Path(getattr(settings, "SNU_ANALYTICS_DIR", settings.DATA_DIR / "analytics"))


def _dump(sql: str, columns: dict[str, str], target: Path, workdir: Path) -> int:
    """Stream rows from the database to CSV, then let DuckDB write typed Parquet from it."""
    import duckdb

    csv_path = workdir / (target.stem + ".csv")
    rows = _copy_csv(sql, csv_path) if connection.vendor == "postgresql" else _write_csv(sql, csv_path)
    con = duckdb.connect(config={"memory_limit": DERIVE_MEMORY, "temp_directory": str(workdir / "tmp")})
    cols = ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items())
    source = f"read_csv('{csv_path}', header=false, columns={{{cols}}}, nullstr='')"
    if not rows:  # DuckDB cannot sniff an empty file: write the typed columns with no rows
        source = "(SELECT " + ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind in columns.items())
        source += " WHERE FALSE)"
    con.execute(f"COPY (SELECT * FROM {source}) TO '{target}' (FORMAT parquet)")  # noqa: S608 - only ints and fixed names are inlined; values are parameters
    con.close()
    csv_path.unlink()
    return rows


def _write_csv(sql: str, path: Path) -> int:
    rows = 0
    with connection.chunked_cursor() as cursor, open(path, "w", newline="", encoding="utf-8") as fh:
        cursor.execute(sql)
        writer = csv.writer(fh)
        while batch := cursor.fetchmany(50_000):
            writer.writerows(batch)
            rows += len(batch)
    return rows


def _copy_csv(sql: str, path: Path) -> int:
    """PostgreSQL writes the CSV itself (COPY … TO STDOUT): the web or worker process only moves bytes, instead of
    making a Python object of every value (at 1 M allocations most of a refresh's CPU)."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, open(path, "wb") as fh:
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:  # a fixed query, no values
            for block in copy:
                fh.write(block)
        return cursor.rowcount if cursor.rowcount >= 0 else _count_lines(path)


def _count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))


def _element_bits() -> tuple[list[tuple[int, str, int]], list[int]]:
    """A bit for every focus area, driver and advantage, numbered per authority and kind, so an allocation's
    elements of a kind fit in one integer. Authorities with more than MASK_BITS elements of a kind get none
    (their queries take the join path)."""
    from snu.analytics.engine import ELEMENT_KINDS
    from snu.strategy.models import Element

    rows = Element.objects.filter(kind__in=ELEMENT_KINDS).values_list("id", "kind", "strategy__authority_id")
    by_group: dict[tuple[int, str], list[int]] = {}
    for element_id, kind, authority_id in rows:
        by_group.setdefault((authority_id, kind), []).append(element_id)
    bits: list[tuple[int, str, int]] = []
    overflow: set[int] = set()
    for (authority_id, kind), ids in by_group.items():
        if len(ids) > MASK_BITS:
            overflow.add(authority_id)
            continue
        bits.extend((element_id, kind, 1 << i) for i, element_id in enumerate(sorted(ids)))
    authority_of = {element_id: authority_id for element_id, _kind, authority_id in rows}
    return [b for b in bits if authority_of[b[0]] not in overflow], sorted(overflow)


def _derive(work: Path) -> dict:
    """The query layout, built once from the two dumps: `facts` (one row per allocation: every filter
    dimension as a small integer or enum, money in øre, and one bit mask per element kind), `focus` (one row
    per allocation × assigned focus area, with the allocation's dimensions and masks and the split money) and
    `recipients` (the recipient key behind `facts.rkey`). Panels then scan one table and never join."""
    import duckdb

    bits, overflow = _element_bits()
    # A refresh may run in a web process: cap DuckDB's memory and let its sorts and joins spill to the work folder.
    con = duckdb.connect(
        config={"preserve_insertion_order": False, "memory_limit": DERIVE_MEMORY, "temp_directory": str(work / "tmp")}
    )
    con.execute(f"CREATE VIEW alloc AS SELECT * FROM read_parquet('{work / 'alloc.parquet'}')")  # noqa: S608 - only ints and fixed names are inlined; values are parameters
    con.execute(f"CREATE VIEW elem AS SELECT * FROM read_parquet('{work / 'elem.parquet'}')")  # noqa: S608 - only ints and fixed names are inlined; values are parameters
    con.execute("CREATE TABLE bits (element_id BIGINT, kind VARCHAR, bit BIGINT)")
    if bits:
        con.executemany("INSERT INTO bits VALUES (?, ?, ?)", bits)
    masks = ", ".join(
        f"CAST(BIT_OR(CASE WHEN b.kind = '{kind}' THEN b.bit ELSE 0 END) AS BIGINT) AS {column}"
        for kind, column in MASK_COLUMNS.items()
    )
    con.execute(
        f"CREATE TABLE masks AS SELECT e.allocation_id, {masks} "  # noqa: S608 - only ints and fixed names are inlined; values are parameters
        "FROM elem e JOIN bits b ON b.element_id = e.element_id GROUP BY 1"
    )
    con.execute(
        "CREATE TABLE recipients AS SELECT CAST(ROW_NUMBER() OVER (ORDER BY recipient) AS INTEGER) AS rkey, recipient "
        "FROM (SELECT DISTINCT COALESCE(NULLIF(org_number, ''), recipient_name) AS recipient FROM alloc) r"
    )
    dictionaries = {
        "status": "status",
        "recipient_type": "recipient_type",
        "industry": "industry_code",
        "industry2": "SUBSTR(industry_code, 1, 2)",
    }
    values = {}
    for name, expr in dictionaries.items():
        found = con.execute(f"SELECT DISTINCT {expr} FROM alloc ORDER BY 1").fetchall()  # noqa: S608 - only ints and fixed names are inlined; values are parameters
        values[name] = [r[0] for r in found if r[0] is not None]
    with_masks = ", ".join(f"COALESCE(m.{c}, 0) AS {c}" for c in MASK_COLUMNS.values())
    con.execute(
        "CREATE TABLE facts AS SELECT a.id, CAST(a.authority_id AS INTEGER) AS authority_id, "  # noqa: S608 - only ints and fixed names are inlined; values are parameters
        "CAST(a.year AS SMALLINT) AS year, CAST(a.current_municipality_id AS INTEGER) AS municipality, "
        "CAST(a.funding_source_id AS INTEGER) AS source, CAST(a.scheme_id AS INTEGER) AS scheme, "
        "a.status, a.recipient_type, a.industry_code AS industry, SUBSTR(a.industry_code, 1, 2) AS industry2, "
        "CASE a.is_state_int WHEN 1 THEN TRUE WHEN 0 THEN FALSE END AS is_state, r.rkey, a.recipient_name, "
        "a.amount_ore AS amount, a.paid_ore AS paid, COALESCE(a.applied_ore, a.amount_ore) AS applied, "
        f"{with_masks} FROM alloc a LEFT JOIN masks m ON m.allocation_id = a.id "
        "JOIN recipients r ON r.recipient IS NOT DISTINCT FROM COALESCE(NULLIF(a.org_number, ''), a.recipient_name)"
    )
    # Sorted by authority and year, so a year filter skips whole row groups (zone maps).
    facts_file, focus_file = work / "facts.parquet", work / "focus.parquet"
    con.execute(f"COPY (SELECT * FROM facts ORDER BY authority_id, year) TO '{facts_file}' (FORMAT parquet)")  # noqa: S608 - only ints and fixed names are inlined; values are parameters
    con.execute(
        "COPY (SELECT f.* EXCLUDE (recipient_name, amount, paid, applied), "  # noqa: S608 - only ints and fixed names are inlined; values are parameters
        "CAST(e.element_id AS INTEGER) AS element_id, b.bit, "
        "COALESCE(e.amount_ore, f.amount) AS f_amount, CAST(ROUND(f.paid * e.weight) AS BIGINT) AS f_paid, "
        "CAST(ROUND(f.applied * e.weight) AS BIGINT) AS f_applied "
        "FROM elem e JOIN bits b ON b.element_id = e.element_id AND b.kind = 'focus_area' "
        f"JOIN facts f ON f.id = e.allocation_id ORDER BY f.authority_id, f.year) TO '{focus_file}' (FORMAT parquet)"
    )
    con.execute(f"COPY recipients TO '{work / 'recipients.parquet'}' (FORMAT parquet)")
    con.close()
    return {
        "layout": LAYOUT,
        "bits": {str(element_id): bit for element_id, _kind, bit in bits},
        "overflow": overflow,
        "dictionaries": values,
    }


def refresh() -> dict:
    """Write a new snapshot of the whole database (all authorities; queries filter by authority)."""
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # Read the version first: a change committed while the files are written moves it on, so such a
    # snapshot is stale at once rather than wrongly fresh. The snapshot holds allocations and assigned element
    # rows, never an alignment's origin or reviewer: it stands on the totals version, which a person accepting a
    # suggestion leaves alone.
    version = dataversion.current()
    totals = _totals_version()
    # Each snapshot gets its own folder and the manifest names it, so a reader never mixes two snapshots.
    work = Path(tempfile.mkdtemp(dir=folder, prefix=f"v{version}-"))
    try:
        n_alloc = _dump(ALLOC_SQL, ALLOC_COLUMNS, work / "alloc.parquet", work)
        n_elem = _dump(ELEM_SQL, ELEM_COLUMNS, work / "elem.parquet", work)
        dumped = time.perf_counter()
        layout = _derive(work)
        shutil.rmtree(work / "tmp", ignore_errors=True)  # DuckDB's spill folder
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    meta = {
        "version": version,
        "totals": totals,
        "folder": work.name,
        "taken_at": timezone.now().isoformat(),
        "allocations": n_alloc,
        "elements": n_elem,
        "seconds": round(time.perf_counter() - started, 2),
        "dump_seconds": round(dumped - started, 2),
        "derive_seconds": round(time.perf_counter() - dumped, 2),
        **layout,
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
    """True when a snapshot exists and was taken at the current totals version (`snu.core.dataversion.TOTALS`)."""
    meta = meta if meta is not None else info()
    return (
        bool(meta)
        and meta.get("layout") == LAYOUT  # type: ignore[union-attr]
        and meta.get("totals") == _totals_version()  # type: ignore[union-attr]
    )


def _totals_version() -> int:
    return dataversion.stamp(scope=dataversion.TOTALS)[1]


def taken_at(meta: dict) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(meta["taken_at"])
    except (KeyError, TypeError, ValueError):
        return None


def wait_for_refresh(timeout: float = 60) -> bool:
    """Wait until a background refresh this process started (its warm-up included) has ended; True if none runs."""
    if not _refreshing.acquire(timeout=timeout):
        return False
    _refreshing.release()
    return True


def next_refresh(meta: dict | None) -> dt.datetime | None:
    """When a background refresh may start again (None: now). While people work (a review session moves the
    data version every few seconds), a new snapshot at most every `SNU_SNAPSHOT_REFRESH_SECONDS`: each one
    costs a dump of every allocation and a reload in every web process."""
    interval = int(getattr(settings, "SNU_SNAPSHOT_REFRESH_SECONDS", 0))
    taken = taken_at(meta) if meta else None
    if interval <= 0 or taken is None:
        return None
    due = taken + dt.timedelta(seconds=interval)
    return due if timezone.now() < due else None


# A watcher (`snu analytics snapshot --watch`) touches this file every few seconds; while it does, web processes
# leave refreshing to it.
WATCHER_FILE = "watcher"
WATCHER_POLL_SECONDS = 5
WATCHER_ALIVE_SECONDS = 60


def watcher_alive() -> bool:
    """True while a `snu analytics snapshot --watch` process keeps the snapshot fresh (it touched its file lately)."""
    try:
        touched = (directory() / WATCHER_FILE).stat().st_mtime
    except OSError:
        return False
    return time.time() - touched < WATCHER_ALIVE_SECONDS


def watch(poll: float = WATCHER_POLL_SECONDS, rounds: int | None = None, stdout=None) -> int:
    """Keep the snapshot fresh from a process of its own: every `poll` seconds, when the data has moved and the
    snapshot is older than `SNU_SNAPSHOT_REFRESH_SECONDS`, take a new one and compute the dashboard ahead. Web
    processes see the watcher's file and never refresh themselves, so they spend no CPU on dumps. `rounds`: stop
    after that many polls (tests). Returns the number of snapshots taken."""
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    taken = done = 0
    while rounds is None or done < rounds:
        (folder / WATCHER_FILE).touch()
        meta = info()
        if not is_fresh(meta) and next_refresh(meta) is None:
            with open(folder / "refresh.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # a refresh a web process started before the watcher came
                try:
                    if not is_fresh():
                        meta = refresh()
                        warm()
                        taken += 1
                        if stdout is not None:
                            stdout.write(f"snapshot at version {meta['version']} in {meta['seconds']:.1f} s")
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
        connections.close_all()  # no connection held between polls
        done += 1
        if rounds is None or done < rounds:
            time.sleep(poll)
    return taken


def refresh_in_background() -> bool:
    """Start a refresh in a thread unless a watcher process keeps the snapshot fresh, one is running here or in
    another process, or the snapshot is younger than `SNU_SNAPSHOT_REFRESH_SECONDS`; True if started."""
    if watcher_alive() or next_refresh(info()) is not None:
        return False
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
    """Compute every dashboard panel without filters for each authority's strategies from the new snapshot, and
    the figures of the home page and the element pages, so the first reader after a refresh gets kept figures
    (snu.core.dataversion) instead of waiting, and a web process need not load the snapshot for them."""
    from snu.analytics import engine, queries
    from snu.analytics.filters import Filters
    from snu.core.models import Authority

    done = 0
    for authority in Authority.objects.all():
        for strategy in queries.strategies(authority):
            for name in queries.PANELS:
                queries.panel(name, authority, strategy, Filters(), backend="duckdb")
                done += 1
            queries.totals(authority, strategy, Filters(), backend="duckdb")
            for element in strategy.elements.filter(kind__in=engine.ELEMENT_KINDS).select_related("strategy"):
                queries.element_over_time(authority, element, backend="duckdb")
        shown = queries.default_strategy(authority)
        if shown is not None:  # the home page: this year's money by focus area, or the last year with money
            years = queries.aggregate(authority, shown, ["year"], Filters(), backend="duckdb")
            for year in {timezone.localdate().year, *(int(r["year"]) for r in years[-1:])}:
                queries.focus_areas_in_year(authority, shown, year, backend="duckdb")
    return done


def mark_stale(*args, **kwargs) -> None:
    """For bulk writes that bypass signals: move the data version once the transaction commits."""
    dataversion.bump_on_commit(kwargs.get("using", DEFAULT_DB_ALIAS))


_loaded: dict[str, object] = {}  # snapshot folder -> DuckDB database holding it (one per process)
_loading = threading.Lock()


def _connection(meta: dict):
    """A cursor of this thread on the process's in-memory copy of the snapshot (loaded once per process)."""
    stamp = meta["folder"]
    if getattr(_local, "stamp", None) == stamp:
        return _local.con
    with _loading:
        database = _loaded.get(stamp)
        if database is None:
            database = _load(directory() / stamp, meta)
            # The older copy is dropped, not closed: a thread may be querying it; it goes with its last cursor.
            _loaded.clear()
            _loaded[stamp] = database
        con = database.cursor()  # type: ignore[attr-defined]
        con.execute(f"USE {CATALOG}")
    _local.con, _local.stamp = con, stamp
    return con


def _load(folder: Path, meta: dict):
    """An in-memory DuckDB holding the snapshot: `facts`, `focus` and `recipients` as tables (strings with few
    values as enums), the two dumps as views over their Parquet files (the join path, rarely needed)."""
    import duckdb

    # Background allocator threads hand the memory used while loading back to the system (at 1 M allocations
    # the process then keeps ≈ 90 MB more, not ≈ 300 MB).
    database = duckdb.connect(config={"preserve_insertion_order": False, "allocator_background_threads": True})
    # A compressed in-memory catalog: after each checkpoint below a table takes about a fifth of the memory
    # (bit packing, RLE, dictionaries) and scans as fast.
    database.execute(f"ATTACH ':memory:' AS {CATALOG} (COMPRESS)")
    database.execute(f"USE {CATALOG}")
    database.execute(
        f"CREATE VIEW alloc AS SELECT *, CASE is_state_int WHEN 1 THEN TRUE WHEN 0 THEN FALSE END AS is_state "  # noqa: S608 - only ints and fixed names are inlined; values are parameters
        f"FROM read_parquet('{folder / 'alloc.parquet'}')"
    )
    database.execute(f"CREATE VIEW elem AS SELECT * FROM read_parquet('{folder / 'elem.parquet'}')")  # noqa: S608 - only ints and fixed names are inlined; values are parameters
    if meta.get("layout") != LAYOUT:
        return database
    casts = []
    for name, values in meta["dictionaries"].items():
        # Enums keep the values sorted, so ordering by an enum orders as the strings do.
        members = ", ".join("'" + str(v).replace("'", "''") + "'" for v in values if v is not None)
        database.execute(f"CREATE TYPE {name}_t AS ENUM ({members})")
        casts.append(f"CAST({name} AS {name}_t) AS {name}")
    replace = ", ".join(casts)
    for table in ("facts", "focus", "recipients"):
        columns = f"* REPLACE ({replace})" if table != "recipients" else "*"
        database.execute(f"CREATE TABLE {table} AS SELECT {columns} FROM read_parquet('{folder / table}.parquet')")  # noqa: S608 - only ints and fixed names are inlined; values are parameters
        database.execute(f"CHECKPOINT {CATALOG}")  # compress before the next table: a lower peak
    return database


def execute(sql: str, params: list, meta: dict | None = None) -> list[tuple]:
    meta = meta or info()
    if meta is None:
        raise FileNotFoundError("no analytics snapshot; run `snu analytics snapshot`")
    return _connection(meta).execute(sql, params).fetchall()
